package client_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/httpstate/httpstate/client"
)

// chainTransport answers /a with a 302 to /b, /b with a 302 to /c and /c
// with 200 "done"; it records every body it hands out, by path, and the
// paths requested.
type chainTransport struct {
	mu        sync.Mutex
	bodies    map[string]*closeRecorder
	requested []string
}

func newChainTransport() *chainTransport {
	return &chainTransport{bodies: map[string]*closeRecorder{}}
}

func (t *chainTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	next := map[string]string{"/a": "/b", "/b": "/c"}[r.URL.Path]
	status, text := http.StatusOK, "done"
	h := http.Header{}
	if next != "" {
		status, text = http.StatusFound, "hop "+r.URL.Path
		h.Set("Location", next)
	}
	body := &closeRecorder{Reader: strings.NewReader(text)}
	t.mu.Lock()
	t.bodies[r.URL.Path] = body
	t.requested = append(t.requested, r.URL.Path)
	t.mu.Unlock()
	return &http.Response{StatusCode: status, Header: h, Body: body, Request: r,
		ContentLength: int64(len(text))}, nil
}

// TestResponseHooksSeeEveryHop: the response hooks run on every response
// of a redirect chain, as requests' and httpx's do, in order, each with its
// hop's request and its body open; the client closes the intermediate
// bodies after the hooks. Before, the hooks saw the final response only.
func TestResponseHooksSeeEveryHop(t *testing.T) {
	tr := newChainTransport()
	var seen []string
	c := mustNew(t, &client.Options{Transport: tr,
		OnResponse: []func(*http.Response) error{func(r *http.Response) error {
			b, err := io.ReadAll(r.Body)
			seen = append(seen, fmt.Sprintf("%d %s %q %v", r.StatusCode, r.Request.URL.Path, b, err))
			return nil
		}}})
	resp, err := c.Get(context.Background(), "http://example.test/a")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	want := []string{`302 /a "hop /a" <nil>`, `302 /b "hop /b" <nil>`, `200 /c "done" <nil>`}
	if fmt.Sprint(seen) != fmt.Sprint(want) {
		t.Errorf("hooks saw\n%q\nwant\n%q", seen, want)
	}
	for _, p := range []string{"/a", "/b", "/c"} {
		if !tr.bodies[p].closed.Load() {
			t.Errorf("body of %s left open", p)
		}
	}
}

// TestResponseHookErrorOnRedirectHop: a hook's error on an intermediate
// response aborts the request before the next hop, as on the final one: an
// *Error with ErrHook and the hook's error, no response, the body closed,
// no retry (the hook's error wraps io.ErrUnexpectedEOF, which the client
// retries when the transport returns it).
func TestResponseHookErrorOnRedirectHop(t *testing.T) {
	tr := newChainTransport()
	errBad := fmt.Errorf("bad hop: %w", io.ErrUnexpectedEOF)
	c := mustNew(t, &client.Options{Transport: tr,
		OnResponse: []func(*http.Response) error{func(r *http.Response) error {
			if r.Request.URL.Path == "/b" {
				return errBad
			}
			return nil
		}}})
	resp, err := c.Get(context.Background(), "http://example.test/a")
	if resp != nil {
		resp.Body.Close()
		t.Error("got a response with a hook error")
	}
	var ce *client.Error
	if !errors.Is(err, client.ErrHook) || !errors.Is(err, errBad) || !errors.As(err, &ce) || ce.Attempts != 1 {
		t.Fatalf("got %v, want an *Error with ErrHook and the hook's error after 1 attempt", err)
	}
	if !strings.Contains(err.Error(), "response hook 0: bad hop") {
		t.Errorf("message %q lacks the hook's error", err)
	}
	if fmt.Sprint(tr.requested) != "[/a /b]" {
		t.Errorf("requested %v, want [/a /b] (no hop after the failing hook, no retry)", tr.requested)
	}
	for _, p := range []string{"/a", "/b"} {
		if !tr.bodies[p].closed.Load() {
			t.Errorf("body of %s left open", p)
		}
	}
}

// TestResponseHookPanicOnRedirectHopClosesBody: a hook that panics on an
// intermediate response does not leave its body open.
func TestResponseHookPanicOnRedirectHopClosesBody(t *testing.T) {
	tr := newChainTransport()
	c := mustNew(t, &client.Options{Transport: tr,
		OnResponse: []func(*http.Response) error{func(r *http.Response) error {
			if r.StatusCode == http.StatusFound {
				panic("hook bug")
			}
			return nil
		}}})
	func() {
		defer func() {
			if p := recover(); p != "hook bug" {
				t.Errorf("recovered %v, want the hook's panic", p)
			}
		}()
		c.Get(context.Background(), "http://example.test/a")
	}()
	if b := tr.bodies["/a"]; b == nil || !b.closed.Load() {
		t.Error("response body left open after the hook panicked")
	}
}

// TestResponseHooksNotFollowedOrHTTPClient: with redirects off, the hooks
// see the 3xx once, as the final response; requests sent through
// HTTPClient run no hooks (the doc says hooks apply to Do only).
func TestResponseHooksNotFollowedOrHTTPClient(t *testing.T) {
	var seen []int
	hook := func(r *http.Response) error { seen = append(seen, r.StatusCode); return nil }
	c := mustNew(t, &client.Options{Transport: newChainTransport(), MaxRedirects: -1,
		OnResponse: []func(*http.Response) error{hook}})
	resp, err := c.Get(context.Background(), "http://example.test/a")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if fmt.Sprint(seen) != "[302]" {
		t.Errorf("redirects off: hooks saw %v, want [302]", seen)
	}
	seen = nil
	c = mustNew(t, &client.Options{Transport: newChainTransport(),
		OnResponse: []func(*http.Response) error{hook}})
	resp, err = c.HTTPClient().Get("http://example.test/a")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if len(seen) != 0 {
		t.Errorf("HTTPClient: hooks saw %v, want none", seen)
	}
}

// TestResponseHooksOnHopsKeepConnection: with hooks on every hop, the
// intermediate bodies are still drained, so a redirect chain to one server
// runs over one kept-alive connection.
func TestResponseHooksOnHopsKeepConnection(t *testing.T) {
	srv, cc := newCountingServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/end" {
			w.Header().Set("Location", "/end")
			w.WriteHeader(http.StatusFound)
			io.WriteString(w, strings.Repeat("x", 1000))
			return
		}
		io.WriteString(w, "done")
	}), false)
	hops := 0
	c := mustNew(t, &client.Options{OnResponse: []func(*http.Response) error{func(*http.Response) error {
		hops++
		return nil
	}}})
	for range 3 {
		resp, err := c.Get(context.Background(), srv.URL+"/start")
		if err != nil {
			t.Fatal(err)
		}
		readAll(t, resp)
	}
	if hops != 6 || cc.n.Load() != 1 {
		t.Errorf("%d hook calls over %d connections, want 6 over 1", hops, cc.n.Load())
	}
}

// TestHTTPClientRunsNoHooksWithInheritedContext: a request sent with
// HTTPClient runs no hooks, as documented, also when its context comes from
// a request Do sent (resp.Request.Context(), or a hook's request): the
// redirect policy ran the hooks on its intermediate responses.
func TestHTTPClientRunsNoHooksWithInheritedContext(t *testing.T) {
	tr := newChainTransport()
	var seen []string
	c := mustNew(t, &client.Options{Transport: tr,
		OnResponse: []func(*http.Response) error{func(r *http.Response) error {
			seen = append(seen, r.Request.URL.Path)
			return nil
		}}})
	resp, err := c.Get(context.Background(), "http://example.test/c")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	req, err := http.NewRequestWithContext(resp.Request.Context(), http.MethodGet, "http://example.test/a", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err = c.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if want := []string{"/c"}; fmt.Sprint(seen) != fmt.Sprint(want) {
		t.Errorf("hooks saw %q, want %q (Do's request only)", seen, want)
	}
}

// closeCounter is a response body that counts its Close calls.
type closeCounter struct {
	io.Reader
	closes atomic.Int32
}

func (b *closeCounter) Close() error { b.closes.Add(1); return nil }

// TestRedirectHopBodyClosedOnce: when the redirect policy stops a chain (a
// response hook's error on a hop, or too many redirects), the body of the
// hop's response is closed once: http.Client closes it before returning
// the error, and Do closed it again (a second Close a transport's body
// need not allow: a pooled buffer's, a hook's wrapper's).
func TestRedirectHopBodyClosedOnce(t *testing.T) {
	for _, tt := range []struct {
		name string
		o    client.Options
	}{
		{"hook error", client.Options{OnResponse: []func(*http.Response) error{func(r *http.Response) error {
			if r.StatusCode == http.StatusFound {
				return errors.New("no redirects here")
			}
			return nil
		}}}},
		{"too many redirects", client.Options{MaxRedirects: 0}},
	} {
		var mu sync.Mutex
		var bodies []*closeCounter
		tt.o.Transport = roundTripFunc(func(r *http.Request) (*http.Response, error) {
			b := &closeCounter{Reader: strings.NewReader("hop")}
			mu.Lock()
			bodies = append(bodies, b)
			mu.Unlock()
			return &http.Response{StatusCode: http.StatusFound, Header: http.Header{"Location": {"/next"}},
				Body: b, Request: r, ContentLength: 3}, nil
		})
		tt.o.Retry = &client.RetryPolicy{MaxAttempts: 1}
		c := mustNew(t, &tt.o)
		resp, err := c.Get(context.Background(), "http://example.test/a")
		if err == nil {
			resp.Body.Close()
			t.Fatalf("%s: no error", tt.name)
		}
		mu.Lock()
		for i, b := range bodies {
			if n := b.closes.Load(); n != 1 {
				t.Errorf("%s: body %d closed %d times, want 1", tt.name, i, n)
			}
		}
		mu.Unlock()
	}
}
