package client_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/httpstate/httpstate/client"
	"github.com/httpstate/httpstate/internal/testutil"
)

// newFakeClock is an Options.Now that moves only when told to.
func newFakeClock() *testutil.Clock {
	return testutil.NewClock(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
}

// lockedServer answers 401 to /locked whatever the token, and to other
// paths accepts any token but the first one ("t0"); it counts requests.
func lockedServer(t *testing.T) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	hits := new(atomic.Int64)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if r.URL.Path == "/locked" || r.Header.Get("Authorization") == "Bearer t0" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Write([]byte(r.Header.Get("Authorization")))
	}))
	t.Cleanup(srv.Close)
	return srv, hits
}

// TestRefreshCooldownAfterFutileRefresh: a 401 that a fresh token does not
// cure (the server always answers 401 for a resource) costs one Refresh,
// not one per request: for a while after the replay with the fresh token
// was rejected too, a 401 to that token is returned as is. Once the
// cooldown has passed, a 401 refreshes again, once. Before the guard every
// request called Refresh (6 after the first loop).
func TestRefreshCooldownAfterFutileRefresh(t *testing.T) {
	srv, hits := lockedServer(t)
	src := &countingSource{}
	clk := newFakeClock()
	c := mustNew(t, &client.Options{Auth: client.TokenAuth(src), Now: clk.Now})
	get := func(path string) int {
		t.Helper()
		resp, err := c.Get(context.Background(), srv.URL+path)
		if err != nil {
			t.Fatal(err)
		}
		readAll(t, resp)
		return resp.StatusCode
	}
	for i := range 6 {
		if got := get("/locked"); got != http.StatusUnauthorized {
			t.Fatalf("request %d: status %d, want 401", i, got)
		}
	}
	if got, want := src.refreshes.Load(), int64(1); got != want {
		t.Errorf("Refresh calls after 6 requests for /locked: got %d, want %d", got, want)
	}
	if got, want := hits.Load(), int64(2+5); got != want {
		t.Errorf("server hits: got %d, want %d (one replay only)", got, want)
	}
	// The refreshed token still works for other resources.
	if got := get("/open"); got != http.StatusOK {
		t.Errorf("/open: status %d, want 200", got)
	}
	clk.Advance(10 * time.Second)
	get("/locked")
	if got := src.refreshes.Load(); got != 1 {
		t.Errorf("Refresh calls within the cooldown: got %d, want 1", got)
	}
	clk.Advance(time.Minute)
	for range 3 {
		get("/locked")
	}
	if got := src.refreshes.Load(); got != 2 {
		t.Errorf("Refresh calls after the cooldown: got %d, want 2 (one more, then a new cooldown)", got)
	}
}

// TestRefreshCooldownOnlyForFutileRefresh: a token whose refresh cured the
// 401 is refreshed again at its own next 401 (the token expired again), with
// no cooldown in the way.
func TestRefreshCooldownOnlyForFutileRefresh(t *testing.T) {
	var valid atomic.Value
	valid.Store("t1")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+valid.Load().(string) {
			w.WriteHeader(http.StatusUnauthorized)
		}
	}))
	defer srv.Close()
	src := &countingSource{}
	clk := newFakeClock()
	c := mustNew(t, &client.Options{Auth: client.TokenAuth(src), Now: clk.Now})
	for i, v := range []string{"t1", "t2", "t3"} {
		valid.Store(v)
		resp, err := c.Get(context.Background(), srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		readAll(t, resp)
		if resp.StatusCode != http.StatusOK || src.refreshes.Load() != int64(i+1) {
			t.Errorf("token %s: status %d after %d refreshes, want 200 after %d",
				v, resp.StatusCode, src.refreshes.Load(), i+1)
		}
	}
}

// cachingSource's Refresh hands back the token it was asked to replace
// until its own idea of the token's expiry has passed (as a caching source
// does when the server's clock runs ahead): the first Refresh answers t0,
// later ones t1.
type cachingSource struct{ refreshes atomic.Int64 }

func (s *cachingSource) Token(context.Context) (string, error) { return "t0", nil }

func (s *cachingSource) Refresh(_ context.Context, stale string) (string, error) {
	if s.refreshes.Add(1) == 1 {
		return stale, nil
	}
	return "t1", nil
}

// TestRefreshCooldownNotForSameToken: a Refresh that hands back the token
// the server rejected renews nothing, so the replay's 401 with it does not
// tell that a new token would not cure the 401: no cooldown starts, and the
// next request's 401 refreshes again (and gets a working token). Before, the
// unchanged token was taken for a fresh one and its expired token stuck for
// 30 s, every request answered 401 unrefreshed.
func TestRefreshCooldownNotForSameToken(t *testing.T) {
	srv := httptest.NewServer(&tokenServer{valid: "t1"})
	defer srv.Close()
	src := &cachingSource{}
	c := mustNew(t, &client.Options{Auth: client.TokenAuth(src), Now: newFakeClock().Now})
	for i, want := range []int{http.StatusUnauthorized, http.StatusOK} {
		resp, err := c.Get(context.Background(), srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		readAll(t, resp)
		if resp.StatusCode != want {
			t.Errorf("request %d: status %d, want %d (Refresh calls: %d)", i, resp.StatusCode, want, src.refreshes.Load())
		}
	}
}

// TestRefreshCooldownClockBack: a clock set back (Options.Now reads the
// wall clock, which NTP or an operator may step back) ends the cooldown
// rather than stretch it by the step: a 401 then refreshes the token
// again, once. Before, a clock set back an hour kept every 401 to the
// token unrefreshed for an hour and 30 s.
func TestRefreshCooldownClockBack(t *testing.T) {
	srv, _ := lockedServer(t)
	src := &countingSource{}
	clk := newFakeClock()
	c := mustNew(t, &client.Options{Auth: client.TokenAuth(src), Now: clk.Now})
	get := func() {
		t.Helper()
		resp, err := c.Get(context.Background(), srv.URL+"/locked")
		if err != nil {
			t.Fatal(err)
		}
		readAll(t, resp)
	}
	get() // refresh t0 to t1; the replay's 401 starts t1's cooldown
	get()
	if got := src.refreshes.Load(); got != 1 {
		t.Fatalf("Refresh calls within the cooldown: got %d, want 1", got)
	}
	clk.Advance(-time.Hour)
	get()
	get()
	if got := src.refreshes.Load(); got != 2 {
		t.Errorf("Refresh calls after the clock went back: got %d, want 2 (one more, then a new cooldown)", got)
	}
}

// TestRefreshCooldownConcurrent: concurrent requests whose 401 to the same
// token arrives once its cooldown has passed share one Refresh (not one
// each), and within a cooldown none refreshes. The server answers 401
// whatever the token, and holds the requests carrying the round's token
// until all n have arrived, so that each request's first attempt was sent
// with it (the replays, with the new token, are not held).
func TestRefreshCooldownConcurrent(t *testing.T) {
	const n = 8
	var (
		mu      sync.Mutex
		hold    string // the Authorization held in this round
		arrived int
		all     chan struct{}
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		ch := all
		held := ch != nil && r.Header.Get("Authorization") == hold
		if held {
			if arrived++; arrived == n {
				close(ch)
			}
		}
		mu.Unlock()
		if held {
			select {
			case <-ch:
			case <-time.After(10 * time.Second):
			}
		}
		w.WriteHeader(http.StatusUnauthorized)
	}))
	defer srv.Close()
	src := &countingSource{}
	clk := newFakeClock()
	c := mustNew(t, &client.Options{Auth: client.TokenAuth(src), Now: clk.Now})
	get := func() error {
		resp, err := c.Get(context.Background(), srv.URL)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			return fmt.Errorf("status %d, want 401", resp.StatusCode)
		}
		return nil
	}
	if err := get(); err != nil { // t0 refreshed to t1, rejected: cooldown
		t.Fatal(err)
	}
	round := func(name, token string, want int64) {
		t.Helper()
		mu.Lock()
		hold, arrived, all = "Bearer "+token, 0, make(chan struct{})
		mu.Unlock()
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for range n {
			wg.Go(func() {
				if err := get(); err != nil {
					errs <- err
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("%s: %v", name, err)
		}
		mu.Lock()
		if arrived != n {
			t.Errorf("%s: %d requests sent with %s, want %d", name, arrived, token, n)
		}
		mu.Unlock()
		if got := src.refreshes.Load(); got != want {
			t.Errorf("%s: Refresh calls: got %d, want %d", name, got, want)
		}
	}
	round("within the cooldown", "t1", 1)
	clk.Advance(time.Minute)
	round("after the cooldown", "t1", 2)
	round("within the new cooldown", "t2", 2)
}
