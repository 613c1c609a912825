package client_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/httpstate/httpstate/client"
)

// fakeClock is an Options.Now that moves only when told to.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
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
