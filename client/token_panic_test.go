package client_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/httpstate/httpstate/client"
)

// panickySource panics on its first Token call, then works.
type panickySource struct{ calls int }

func (s *panickySource) Token(context.Context) (string, error) {
	s.calls++
	if s.calls == 1 {
		panic("token source bug")
	}
	return "t1", nil
}

func (s *panickySource) Refresh(context.Context, string) (string, error) { return "t1", nil }

// TestTokenSourcePanicDoesNotWedge: a TokenSource that panics (recovered
// higher up, as net/http recovers a handler's panic) leaves no call pending
// that every later request would wait on for ever.
func TestTokenSourcePanicDoesNotWedge(t *testing.T) {
	srv := httptest.NewServer(&tokenServer{valid: "t1"})
	defer srv.Close()
	c := mustNew(t, &client.Options{Auth: client.TokenAuth(&panickySource{})})
	func() {
		defer func() {
			if recover() == nil {
				t.Error("the source's panic did not reach the caller")
			}
		}()
		c.Get(context.Background(), srv.URL)
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second) // a safety net for a wedge
	defer cancel()
	resp, err := c.Get(ctx, srv.URL)
	if err != nil {
		t.Fatalf("request after the panic: %v", err)
	}
	if body := readAll(t, resp); resp.StatusCode != http.StatusOK {
		t.Errorf("request after the panic: status %d %q", resp.StatusCode, body)
	}
}
