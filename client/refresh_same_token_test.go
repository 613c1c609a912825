package client_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/httpstate/httpstate/client"
)

// sameTokenSource's Refresh hands back the token it was given (a cached
// source whose clock says the token is still good), after release.
type sameTokenSource struct {
	refreshes atomic.Int64
	release   chan struct{}
}

func (s *sameTokenSource) Token(context.Context) (string, error) { return "t0", nil }
func (s *sameTokenSource) Refresh(_ context.Context, stale string) (string, error) {
	s.refreshes.Add(1)
	<-s.release
	return stale, nil
}

// TestConcurrent401sShareRefreshOfSameToken: requests sharing a Refresh call
// take its answer even when the source returned the stale token again; they
// do not each call Refresh in turn.
func TestConcurrent401sShareRefreshOfSameToken(t *testing.T) {
	srv := httptest.NewServer(&tokenServer{valid: "never"})
	defer srv.Close()
	src := &sameTokenSource{release: make(chan struct{})}
	const n = 20
	// Hold the refresh until every request has seen its first 401 (the
	// replays' 401s come after the release).
	var rejected sync.WaitGroup
	rejected.Add(n)
	var seen atomic.Int64
	c := mustNew(t, &client.Options{Auth: client.TokenAuth(src),
		OnResponse: []func(*http.Response) error{func(r *http.Response) error {
			if r.StatusCode == http.StatusUnauthorized && seen.Add(1) <= n {
				rejected.Done()
			}
			return nil
		}}})
	go func() {
		rejected.Wait()
		close(src.release)
	}()
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			resp, err := c.Get(context.Background(), srv.URL)
			if err != nil {
				t.Error(err)
				return
			}
			readAll(t, resp)
		})
	}
	wg.Wait()
	if got := src.refreshes.Load(); got != 1 {
		t.Errorf("Refresh calls: got %d, want 1", got)
	}
}
