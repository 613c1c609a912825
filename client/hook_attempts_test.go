package client_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
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

// TestRetrySendsNoEarlierAttemptsHeaders: every attempt starts from the
// request as prepared, so headers that hooks and auth add on one attempt are
// not sent again (doubled) on the next.
func TestRetrySendsNoEarlierAttemptsHeaders(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1) == 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintf(w, "%q %q", r.Header.Values("X-Attempt"), r.Header.Values("X-Signature"))
	}))
	defer srv.Close()
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
