package client_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/httpstate/httpstate/client"
)

// TestTokenAuthNilSource: TokenAuth(nil) fails every request with an error
// naming the nil TokenSource, sending nothing, instead of panicking with a
// nil dereference on the first request (the panic went up through Do).
func TestTokenAuthNilSource(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
	defer srv.Close()
	c := mustNew(t, &client.Options{Auth: client.TokenAuth(nil)})
	for i := range 2 { // the first failure leaves nothing pending
		resp, err := c.Get(context.Background(), srv.URL)
		if err == nil {
			resp.Body.Close()
			t.Fatalf("request %d succeeded, want an error", i)
		}
		if !strings.Contains(err.Error(), "nil TokenSource") {
			t.Errorf("request %d: got %v, want an error naming the nil TokenSource", i, err)
		}
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("server got %d requests, want none", n)
	}
}

// fieldSource is a TokenSource whose methods read their receiver, as most
// do: a nil *fieldSource panics when called.
type fieldSource struct{ tok string }

func (s *fieldSource) Token(context.Context) (string, error)           { return s.tok, nil }
func (s *fieldSource) Refresh(context.Context, string) (string, error) { return s.tok, nil }

// funcSource is a TokenSource made of a func: a nil one panics when called.
type funcSource func() string

func (f funcSource) Token(context.Context) (string, error)           { return f(), nil }
func (f funcSource) Refresh(context.Context, string) (string, error) { return f(), nil }

// TestTokenAuthTypedNilSource: TokenAuth of a typed nil (an interface
// holding a nil pointer or func, so not == nil) fails every request with an
// error naming the nil TokenSource and its type, sending nothing, as
// TokenAuth(nil) does, instead of panicking in the source's own method when
// the first request is sent.
func TestTokenAuthTypedNilSource(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
	defer srv.Close()
	for _, src := range []client.TokenSource{(*fieldSource)(nil), funcSource(nil)} {
		c := mustNew(t, &client.Options{Auth: client.TokenAuth(src)})
		for i := range 2 {
			var (
				resp *http.Response
				err  error
			)
			func() {
				defer func() {
					if p := recover(); p != nil {
						t.Fatalf("%T: request %d panicked: %v", src, i, p)
					}
				}()
				resp, err = c.Get(context.Background(), srv.URL)
			}()
			if err == nil {
				resp.Body.Close()
				t.Fatalf("%T: request %d succeeded, want an error", src, i)
			}
			if msg := err.Error(); !strings.Contains(msg, "nil TokenSource") || !strings.Contains(msg, fmt.Sprintf("%T", src)) {
				t.Errorf("%T: request %d: got %v, want an error naming the nil TokenSource and its type", src, i, err)
			}
		}
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("server got %d requests, want none", n)
	}
}
