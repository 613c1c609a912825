package session_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/httpstate/httpstate/session"
)

// TestLogsNeverCarryIDsOrKeys drives every logging path of a store-mode
// Manager (creation, URL and header transports, Renew, Invalidate, a late
// save after a logout, MaxPerPrincipal eviction, InvalidatePrincipal,
// Revoke, Sweep, a panicking listener, store failures at load, Update,
// Renew, Invalidate and commit) at Debug level, and checks that no line
// carries a session ID or a full store key.
func TestLogsNeverCarryIDsOrKeys(t *testing.T) {
	var mu sync.Mutex
	var logs bytes.Buffer
	var seen []string // every ID and key that existed
	e := newEnv(t, func(o *session.Options) {
		o.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
		o.URLRewriting = true
		o.Header = "X-Session-Id"
		o.MaxPerPrincipal = 1
		o.Listeners = []session.Listener{func(_ context.Context, ev session.Event) {
			mu.Lock()
			seen = append(seen, ev.Key, ev.OldKey)
			mu.Unlock()
			if ev.Kind == session.EventRenewed {
				panic("listener bug " + ev.Key[:8])
			}
		}}
	})
	remember := func(rec *httptest.ResponseRecorder) string {
		id := rec.Header().Get("X-Session-Id")
		if id != "" {
			mu.Lock()
			seen = append(seen, id, session.Key(id))
			mu.Unlock()
		}
		return id
	}
	serve := func(req *http.Request, h http.HandlerFunc) string {
		return remember(e.serve(h, req))
	}
	login := func(w http.ResponseWriter, r *http.Request) {
		s := session.FromRequest(r)
		s.Renew()
		s.SetPrincipal("alice")
		s.Set("n", 1)
	}
	a := serve(httptest.NewRequest("GET", "/", nil), counter)
	// By URL (no cookie): adopted, renewed (the listener panics), logged in.
	b := serve(httptest.NewRequest("GET", "/x;sid="+a, nil), login)
	// A second login evicts the first (MaxPerPrincipal 1).
	c := serve(httptest.NewRequest("GET", "/", nil), login)
	// By header; a stale cookie and a URL ID not adopted alongside.
	req := httptest.NewRequest("GET", "/y;sid="+b, nil)
	req.AddCookie(&http.Cookie{Name: "sid", Value: b})
	serve(req, counter)
	req = httptest.NewRequest("GET", "/", nil)
	req.Header.Set("X-Session-Id", c)
	serve(req, counter)
	// A logout.
	serve(withCookie(c), func(w http.ResponseWriter, r *http.Request) { session.FromRequest(r).Invalidate() })
	d := serve(httptest.NewRequest("GET", "/", nil), login)
	e.serve(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromRequest(r)
		s.Keys()
		// Another request ends it meanwhile; this one's Set is dropped.
		e.m.Revoke(context.Background(), session.Key(d))
		s.Set("late", 1)
	}, withCookie(d))
	serve(httptest.NewRequest("GET", "/", nil), login)
	e.m.InvalidatePrincipal(context.Background(), "alice")
	serve(httptest.NewRequest("GET", "/", nil), counter)
	e.clock.Advance(time.Hour)
	e.m.Sweep(context.Background())
	// Store failures on every path.
	h := serve(httptest.NewRequest("GET", "/", nil), counter)
	e.store.fail.Store(true)
	for _, fn := range []http.HandlerFunc{
		counter,
		func(w http.ResponseWriter, r *http.Request) {
			session.Update(session.FromRequest(r), "n", func(n int, _ bool) (int, error) { return n + 1, nil })
		},
		func(w http.ResponseWriter, r *http.Request) { session.FromRequest(r).Renew() },
		func(w http.ResponseWriter, r *http.Request) { session.FromRequest(r).Invalidate() },
	} {
		e.serve(fn, withCookie(h))
	}
	e.store.fail.Store(false)

	mu.Lock()
	defer mu.Unlock()
	out := logs.String()
	for _, needle := range []string{"session created", "session renewed", "listener panicked", "evicted", "ended by another request", "principal invalidated", "session expired", "store failed"} {
		if !strings.Contains(out, needle) {
			t.Errorf("no %q line: the scenario missed a path\n%s", needle, out)
		}
	}
	for _, s := range seen {
		if s != "" && strings.Contains(out, s) {
			t.Errorf("logs carry the ID or full key %.8s…:\n%s", s, out)
		}
	}
}
