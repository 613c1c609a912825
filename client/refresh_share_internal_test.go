package client

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
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
// do not each call Refresh in turn. The Refresh is held until every other
// request waits for it (the onShare hook), so the count does not depend on
// scheduling.
func TestConcurrent401sShareRefreshOfSameToken(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
	}))
	defer srv.Close()
	const n = 20
	src := &sameTokenSource{release: make(chan struct{})}
	auth := TokenAuth(src).(*tokenAuth)
	var sharing sync.WaitGroup
	sharing.Add(n - 1) // one request calls Refresh, the others wait for it
	var shared atomic.Int64
	auth.onShare = func(refresh bool) {
		if refresh && shared.Add(1) <= n-1 {
			sharing.Done()
		}
	}
	go func() {
		sharing.Wait()
		close(src.release)
	}()
	c, err := New(&Options{Auth: auth})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			resp, err := c.Get(context.Background(), srv.URL)
			if err != nil {
				t.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		})
	}
	wg.Wait()
	if got := src.refreshes.Load(); got != 1 {
		t.Errorf("Refresh calls: got %d, want 1", got)
	}
}
