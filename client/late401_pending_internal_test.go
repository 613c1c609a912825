package client

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
)

// rotatingSource hands out t0; Refresh of t0 answers t1 at once, Refresh
// of t1 answers t2 once release is closed, and tells refreshing when it
// starts waiting.
type rotatingSource struct {
	refreshes  atomic.Int64
	refreshing chan struct{}
	release    chan struct{}
}

func (s *rotatingSource) Token(context.Context) (string, error) { return "t0", nil }
func (s *rotatingSource) Refresh(_ context.Context, stale string) (string, error) {
	s.refreshes.Add(1)
	switch stale {
	case "t0":
		return "t1", nil
	case "t1":
		close(s.refreshing)
		<-s.release
		return "t2", nil
	}
	return "", fmt.Errorf("unexpected stale token %q", stale)
}

// TestLate401WaitsForRefreshInFlight: a request sent with t0 gets its 401
// late, when the token is t1 and a Refresh of t1 (after a 401 for t1) is
// in flight. Replaying with t1 would fail too: the late request takes the
// answer of that Refresh (t2) instead. The order is forced by the server
// and the source, with no timing: the test then sees either the late
// request waiting for the Refresh (onShare) or its result.
func TestLate401WaitsForRefreshInFlight(t *testing.T) {
	arrived := make(chan struct{})
	holdSlow := make(chan struct{})
	releaseSlow := sync.OnceFunc(func() { close(holdSlow) })
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth := r.Header.Get("Authorization")
		if r.URL.Path == "/slow" && auth == "Bearer t0" {
			close(arrived)
			<-holdSlow
		}
		if auth != "Bearer t2" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		fmt.Fprint(w, "ok")
	}))
	defer srv.Close()
	src := &rotatingSource{refreshing: make(chan struct{}), release: make(chan struct{})}
	releaseRefresh := sync.OnceFunc(func() { close(src.release) })
	defer releaseRefresh()
	defer releaseSlow()
	auth := TokenAuth(src).(*tokenAuth)
	waiting := make(chan struct{})
	closeWaiting := sync.OnceFunc(func() { close(waiting) })
	auth.onShare = func(bool) { closeWaiting() }
	c, err := New(&Options{Auth: auth})
	if err != nil {
		t.Fatal(err)
	}
	get := func(path string) (int, error) {
		resp, err := c.Get(context.Background(), srv.URL+path)
		if err != nil {
			return 0, err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode, nil
	}

	slow := make(chan error, 1)
	go func() {
		code, err := get("/slow")
		if err == nil && code != http.StatusOK {
			err = fmt.Errorf("status %d, want 200", code)
		}
		slow <- err
	}()
	<-arrived // the slow request is at the server with t0
	// t0 is rejected and refreshed to t1, which is rejected too.
	if code, err := get("/fast1"); err != nil || code != http.StatusUnauthorized {
		t.Fatalf("first fast request: %d, %v; want 401", code, err)
	}
	fast := make(chan error, 1)
	go func() {
		code, err := get("/fast2") // t1 rejected: Refresh of t1, held
		if err == nil && code != http.StatusOK {
			err = fmt.Errorf("status %d, want 200", code)
		}
		fast <- err
	}()
	<-src.refreshing
	releaseSlow() // the slow request's 401 for t0 arrives now
	select {
	case <-waiting:
		releaseRefresh()
		if err := <-slow; err != nil {
			t.Errorf("slow request: %v", err)
		}
	case err := <-slow:
		t.Errorf("late 401 did not wait for the Refresh in flight: %v", err)
		releaseRefresh()
	}
	if err := <-fast; err != nil {
		t.Errorf("second fast request: %v", err)
	}
	if got := src.refreshes.Load(); got != 2 {
		t.Errorf("Refresh calls: got %d, want 2", got)
	}
}
