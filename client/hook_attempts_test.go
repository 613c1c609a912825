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

// addAuth is a custom Auth that adds a header rather than setting it.
type addAuth struct{}

func (addAuth) Authorize(_ context.Context, r *http.Request) error {
	r.Header.Add("X-Signature", "sig")
	return nil
}

// unavailableOnceServer starts a server that answers 503 to the first
// request since hits was last zero and h to the others, and returns it with
// its count of requests.
func unavailableOnceServer(t *testing.T, h http.HandlerFunc) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	hits := new(atomic.Int64)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1) == 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		h(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, hits
}

// TestRetrySendsNoEarlierAttemptsHeaders: every attempt starts from the
// request as prepared, so headers that hooks and auth add on one attempt are
// not sent again (doubled) on the next.
func TestRetrySendsNoEarlierAttemptsHeaders(t *testing.T) {
	srv, hits := unavailableOnceServer(t, func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%q %q", r.Header.Values("X-Attempt"), r.Header.Values("X-Signature"))
	})
	sr := &sleepRecorder{}
	c := mustNew(t, &client.Options{Auth: addAuth{}, Retry: &client.RetryPolicy{Sleep: sr.Sleep},
		OnRequest: []func(*http.Request) error{func(r *http.Request) error {
			r.Header.Add("X-Attempt", "x")
			return nil
		}}})
	resp, err := c.Get(context.Background(), srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := readAll(t, resp), `["x"] ["sig"]`; got != want || hits.Load() != 2 {
		t.Errorf("second attempt got %s (%d hits), want %s (2 hits)", got, hits.Load(), want)
	}
}

// TestRetryStartsFromPreparedURL: a request hook that signs the query
// (appends a signature of the query it sees) signs every attempt's query as
// prepared: what it added to one attempt's URL is not in the next one's.
func TestRetryStartsFromPreparedURL(t *testing.T) {
	srv, hits := unavailableOnceServer(t, func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, r.URL.RawQuery)
	})
	sr := &sleepRecorder{}
	c := mustNew(t, &client.Options{Retry: &client.RetryPolicy{Sleep: sr.Sleep},
		OnRequest: []func(*http.Request) error{func(r *http.Request) error {
			r.URL.RawQuery += fmt.Sprintf("&sig=%d", len(r.URL.RawQuery))
			return nil
		}}})
	for _, do := range []func() (*http.Response, error){
		func() (*http.Response, error) { return c.Get(context.Background(), srv.URL+"?a=1") },
		func() (*http.Response, error) {
			req, _ := http.NewRequest(http.MethodGet, srv.URL+"?a=1", nil)
			return c.Do(context.Background(), req)
		},
	} {
		hits.Store(0)
		resp, err := do()
		if err != nil {
			t.Fatal(err)
		}
		if got, want := readAll(t, resp), "a=1&sig=3"; got != want || hits.Load() != 2 {
			t.Errorf("second attempt's query %q (%d hits), want %q (2 hits)", got, hits.Load(), want)
		}
	}
}

// roundTripFunc is an http.RoundTripper.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestResponseHookPanicClosesBody: a response hook that panics (recovered
// higher up, as net/http recovers a handler's panic) does not leave the
// response body open, which would hold its connection for ever.
func TestResponseHookPanicClosesBody(t *testing.T) {
	body := &closeRecorder{Reader: strings.NewReader("ok")}
	c := mustNew(t, &client.Options{
		Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			return &http.Response{StatusCode: http.StatusOK, Header: http.Header{}, Body: body, Request: r}, nil
		}),
		OnResponse: []func(*http.Response) error{func(*http.Response) error { panic("hook bug") }},
	})
	func() {
		defer func() {
			if p := recover(); p != "hook bug" {
				t.Errorf("recovered %v, want the hook's panic", p)
			}
		}()
		c.Get(context.Background(), "http://example.test/")
	}()
	if !body.closed.Load() {
		t.Error("response body left open after the hook panicked")
	}
}
