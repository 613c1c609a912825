package client_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/httpstate/httpstate/client"
)

// TestDoBadRequestNoPanic: Do returns an error, never panics, for a nil
// request or one without a URL, with or without a context.
func TestDoBadRequestNoPanic(t *testing.T) {
	c := mustNew(t, nil)
	for _, tt := range []struct {
		name string
		ctx  context.Context
		req  *http.Request
	}{
		{"nil request", context.Background(), nil},
		{"nil request, nil context", nil, nil},
		{"nil URL", context.Background(), &http.Request{Method: http.MethodGet}},
		{"nil URL, nil context", nil, &http.Request{Method: http.MethodGet}},
	} {
		func() {
			defer func() {
				if p := recover(); p != nil {
					t.Errorf("%s: Do panicked: %v", tt.name, p)
				}
			}()
			resp, err := c.Do(tt.ctx, tt.req) //nolint:staticcheck // a nil context on purpose
			if err == nil || resp != nil {
				t.Errorf("%s: got %v, %v; want an error", tt.name, resp, err)
			}
		}()
	}
}

// closeRecorder is a request body that records its Close.
type closeRecorder struct {
	io.Reader
	closed atomic.Bool
}

func (b *closeRecorder) Close() error { b.closed.Store(true); return nil }

type failingAuth struct{}

func (failingAuth) Authorize(context.Context, *http.Request) error {
	return errors.New("no credentials")
}

// TestDoClosesBodyOnEarlyError: as http.Client.Do does, Do closes the
// request body on every error, also one before anything is sent (a relative
// URL without BaseURL, an Auth or request hook failing): a caller passing
// an *os.File would leak it.
func TestDoClosesBodyOnEarlyError(t *testing.T) {
	veto := func(*http.Request) error { return errors.New("vetoed") }
	for _, tt := range []struct {
		name string
		o    *client.Options
		url  string
	}{
		{"relative URL", &client.Options{}, "/x"},
		{"auth", &client.Options{Auth: failingAuth{}}, "http://127.0.0.1:1/"},
		{"hook", &client.Options{OnRequest: []func(*http.Request) error{veto}}, "http://127.0.0.1:1/"},
	} {
		c := mustNew(t, tt.o)
		body := &closeRecorder{Reader: strings.NewReader("data")}
		req, err := http.NewRequest(http.MethodPost, tt.url, body)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Do(context.Background(), req); err == nil {
			t.Errorf("%s: no error", tt.name)
		}
		if !body.closed.Load() {
			t.Errorf("%s: request body not closed", tt.name)
		}
	}
}

type panickingAuth struct{}

func (panickingAuth) Authorize(context.Context, *http.Request) error { panic("auth bug") }

// TestDoClosesBodyOnHookPanic: a request hook or Auth that panics (the
// panic recovered higher up, as net/http recovers a handler's) does not
// leave the request body open: Do closes it in every case, and nobody else
// would (an io.Pipe's writer would block for ever).
func TestDoClosesBodyOnHookPanic(t *testing.T) {
	boom := func(*http.Request) error { panic("hook bug") }
	for _, tt := range []struct {
		name string
		o    *client.Options
	}{
		{"auth", &client.Options{Auth: panickingAuth{}}},
		{"hook", &client.Options{OnRequest: []func(*http.Request) error{boom}}},
	} {
		c := mustNew(t, tt.o)
		body := &closeRecorder{Reader: strings.NewReader("data")}
		req, err := http.NewRequest(http.MethodPost, "http://127.0.0.1:1/", body)
		if err != nil {
			t.Fatal(err)
		}
		func() {
			defer func() {
				if p := recover(); p == nil {
					t.Errorf("%s: no panic", tt.name)
				}
			}()
			c.Do(context.Background(), req)
		}()
		if !body.closed.Load() {
			t.Errorf("%s: request body left open after the panic", tt.name)
		}
	}
}
