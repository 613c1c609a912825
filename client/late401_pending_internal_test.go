package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// offsetClock is an Options.Now that runs ahead of time.Now by what
// advance added.
type offsetClock struct{ off atomic.Int64 }

func (c *offsetClock) now() time.Time          { return time.Now().Add(time.Duration(c.off.Load())) }
func (c *offsetClock) advance(d time.Duration) { c.off.Add(int64(d)) }

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

// slowT0Server answers only "Bearer t2" (401 otherwise) and holds a
// request for /slow sent with t0: arrived is closed when it comes in, and
// it is answered (401) once releaseSlow is called.
func slowT0Server(t *testing.T) (srv *httptest.Server, arrived chan struct{}, releaseSlow func()) {
	t.Helper()
	arrived = make(chan struct{})
	holdSlow := make(chan struct{})
	releaseSlow = sync.OnceFunc(func() { close(holdSlow) })
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
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
	return srv, arrived, releaseSlow
}

// TestLate401WaitsForRefreshInFlight: a request sent with t0 gets its 401
// late, when the token is t1 and a Refresh of t1 (after a 401 for t1) is
// in flight. Replaying with t1 would fail too: the late request takes the
// answer of that Refresh (t2) instead. The order is forced by the server
// and the source, with no timing: the test then sees either the late
// request waiting for the Refresh (onShare) or its result.
func TestLate401WaitsForRefreshInFlight(t *testing.T) {
	srv, arrived, releaseSlow := slowT0Server(t)
	defer srv.Close()
	src := &rotatingSource{refreshing: make(chan struct{}), release: make(chan struct{})}
	releaseRefresh := sync.OnceFunc(func() { close(src.release) })
	defer releaseRefresh()
	defer releaseSlow()
	auth := TokenAuth(src).(*tokenAuth)
	waiting := make(chan struct{})
	closeWaiting := sync.OnceFunc(func() { close(waiting) })
	auth.onShare = func(bool) { closeWaiting() }
	clk := &offsetClock{}
	c, err := New(&Options{Auth: auth, Now: clk.now})
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
	// t1, fresh, was rejected on the replay: a 401 to it refreshes
	// nothing until the cooldown has passed.
	clk.advance(refreshCooldown + time.Second)
	fast := make(chan error, 1)
	go func() {
		code, err := get("/fast2") // t1 rejected: Refresh of t1, held
		if err == nil && code != http.StatusOK {
			err = fmt.Errorf("status %d, want 200", code)
		}
		fast <- err
	}()
	select {
	case <-src.refreshing:
	case err := <-fast:
		t.Fatalf("second fast request ended without refreshing t1: %v", err)
	}
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

// cancelledRefreshSource hands out t0; Refresh of t0 answers t1 at once;
// the first Refresh of t1 tells refreshing and waits for its context to end
// (its caller gave up), later ones answer t2.
type cancelledRefreshSource struct {
	refreshes  atomic.Int64
	t1Calls    atomic.Int64
	refreshing chan struct{}
}

func (s *cancelledRefreshSource) Token(context.Context) (string, error) { return "t0", nil }
func (s *cancelledRefreshSource) Refresh(ctx context.Context, stale string) (string, error) {
	s.refreshes.Add(1)
	switch stale {
	case "t0":
		return "t1", nil
	case "t1":
		if s.t1Calls.Add(1) == 1 {
			close(s.refreshing)
			<-ctx.Done()
			return "", ctx.Err()
		}
		return "t2", nil
	}
	return "", fmt.Errorf("unexpected stale token %q", stale)
}

// TestLate401RefreshInFlightCancelled: a late 401 (sent with t0) waits for
// the Refresh of t1 in flight, and that Refresh ends with its own caller's
// context. t1 was rejected (that is why it was being refreshed), so the
// late request must not replay with it: it refreshes t1 itself, with its
// own context, and succeeds with t2.
func TestLate401RefreshInFlightCancelled(t *testing.T) {
	srv, arrived, releaseSlow := slowT0Server(t)
	defer srv.Close()
	defer releaseSlow()
	src := &cancelledRefreshSource{refreshing: make(chan struct{})}
	auth := TokenAuth(src).(*tokenAuth)
	waiting := make(chan struct{})
	closeWaiting := sync.OnceFunc(func() { close(waiting) })
	auth.onShare = func(bool) { closeWaiting() }
	clk := &offsetClock{}
	c, err := New(&Options{Auth: auth, Now: clk.now})
	if err != nil {
		t.Fatal(err)
	}
	get := func(ctx context.Context, path string) (int, error) {
		resp, err := c.Get(ctx, srv.URL+path)
		if err != nil {
			return 0, err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode, nil
	}

	slow := make(chan error, 1)
	go func() {
		code, err := get(context.Background(), "/slow")
		if err == nil && code != http.StatusOK {
			err = fmt.Errorf("status %d, want 200", code)
		}
		slow <- err
	}()
	<-arrived // the slow request is at the server with t0
	if code, err := get(context.Background(), "/fast1"); err != nil || code != http.StatusUnauthorized {
		t.Fatalf("first fast request: %d, %v; want 401", code, err)
	}
	// t1, fresh, was rejected on the replay: a 401 to it refreshes
	// nothing until the cooldown has passed.
	clk.advance(refreshCooldown + time.Second)
	fastCtx, cancelFast := context.WithCancel(context.Background())
	defer cancelFast()
	fast := make(chan error, 1)
	go func() {
		_, err := get(fastCtx, "/fast2") // t1 rejected: Refresh of t1, until cancelled
		fast <- err
	}()
	select {
	case <-src.refreshing:
	case err := <-fast:
		t.Fatalf("second fast request ended without refreshing t1: %v", err)
	}
	releaseSlow() // the slow request's 401 for t0 arrives now
	select {
	case <-waiting:
	case err := <-slow:
		cancelFast()
		t.Fatalf("late 401 did not wait for the Refresh in flight: %v", err)
	}
	cancelFast() // the Refresh of t1 ends with its caller's context
	if err := <-fast; !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled request: got %v, want context.Canceled", err)
	}
	if err := <-slow; err != nil {
		t.Errorf("slow request: %v", err)
	}
	if got := src.t1Calls.Load(); got != 2 {
		t.Errorf("Refresh calls for t1: got %d, want 2", got)
	}
}
