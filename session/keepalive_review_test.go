package session_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/httpstate/httpstate/session"
)

// The access keepAlive records at load is this request's touch: a
// persistent cookie's Max-Age follows it (the client would otherwise drop
// the cookie of a session the server has just kept alive), LastAccess
// still reports the access before this request, as documented, and a
// Manager touching on every request (TouchInterval < 0) writes that access
// once, not again at commit.
func TestKeepAliveIsTheTouch(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(o *session.Options)
	}{
		{"persistent", func(o *session.Options) { o.Cookie.Persistent = true }},
		{"touch every request", func(o *session.Options) { o.Cookie.Persistent = true; o.TouchInterval = -1 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, func(o *session.Options) { o.IdleTimeout = 30 * time.Minute; tc.edit(o) })
			first := e.serve(counter, httptest.NewRequest("GET", "/", nil))
			cookies := first.Result().Cookies()
			created := t0
			// 20 s of idle time left.
			e.clock.Advance(30*time.Minute - 20*time.Second)
			req := httptest.NewRequest("GET", "/", nil)
			for _, c := range cookies {
				req.AddCookie(c)
			}
			var last time.Time
			w0 := e.store.writes()
			rec := e.serve(func(w http.ResponseWriter, r *http.Request) {
				s := session.FromRequest(r)
				if _, _, err := session.Get[int](s, "n"); err != nil {
					http.Error(w, err.Error(), 500)
					return
				}
				last = s.LastAccess()
				io.WriteString(w, "ok")
			}, req)
			if rec.Code != 200 {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			if !last.Equal(created) {
				t.Errorf("LastAccess() = %v, want the access before this request, %v", last, created)
			}
			if w := e.store.writes() - w0; w != 1 {
				t.Errorf("%d writes for a read-only request near expiry, want 1", w)
			}
			sc := sessionCookies(rec.Result(), "sid")
			if len(sc) != 1 {
				t.Fatalf("no refreshed persistent cookie: Set-Cookie %q", rec.Header().Values("Set-Cookie"))
			}
			if sc[0].MaxAge < int((29 * time.Minute).Seconds()) {
				t.Fatalf("persistent cookie Max-Age %d, want the idle timeout from now (1800)", sc[0].MaxAge)
			}
		})
	}
}

// renameOnTouch renames the session (a concurrent login's Renew) just
// before the first last-access-only Save reaches the store.
type renameOnTouch struct {
	*countingStore
	newKey string
	done   atomic.Bool
}

func (s *renameOnTouch) Save(ctx context.Context, key string, d session.Delta) error {
	if len(d.Set) == 0 && len(d.Delete) == 0 && !d.LastAccess.IsZero() && s.done.CompareAndSwap(false, true) {
		if err := s.countingStore.Rename(ctx, key, s.newKey); err != nil {
			return err
		}
	}
	return s.countingStore.Save(ctx, key, d)
}

// A session that another request renames (a login in another tab) between
// this request's load and keepAlive's write is ended for this request, as
// one renamed later in the request is: its writes are dropped and no cookie
// is sent, which could replace the new ID the login has just sent. It is
// not taken for a missing session, which a write would create afresh, with
// a Set-Cookie overwriting the login's.
func TestKeepAliveRenamedMeanwhile(t *testing.T) {
	e := newEnv(t, func(o *session.Options) { o.IdleTimeout = 30 * time.Minute })
	first := e.serve(counter, httptest.NewRequest("GET", "/", nil))
	cookies := first.Result().Cookies()
	rs := &renameOnTouch{countingStore: e.store, newKey: session.Key("renamed-by-a-concurrent-login")}
	m, err := session.New(&session.Options{Store: rs, Now: e.clock.Now, SweepInterval: -1, IdleTimeout: 30 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	e.clock.Advance(30*time.Minute - 20*time.Second)
	req := httptest.NewRequest("GET", "/", nil)
	for _, c := range cookies {
		req.AddCookie(c)
	}
	c0 := e.store.creates.Load()
	rec := httptest.NewRecorder()
	m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = session.FromRequest(r).Set("n", 99)
		io.WriteString(w, "ok")
	})).ServeHTTP(rec, req)
	if !rs.done.Load() {
		t.Fatal("keepAlive wrote no access: the test did not run its race")
	}
	if got := rec.Header().Values("Set-Cookie"); len(got) != 0 {
		t.Fatalf("response to a request whose session was renamed meanwhile sets %q: it may replace the login's new cookie", got)
	}
	if n := e.store.creates.Load() - c0; n != 0 {
		t.Fatalf("%d sessions created for a request whose session was renamed meanwhile", n)
	}
}

// keepAlive counts from the session's own idle timeout (SetIdleTimeout),
// not the Manager's: a session given 5 minutes, found with 10 s left by a
// request that runs a minute, keeps that request's write.
func TestKeepAlivePerSessionIdleTimeout(t *testing.T) {
	e := newEnv(t, func(o *session.Options) { o.IdleTimeout = 30 * time.Minute })
	first := e.serve(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromRequest(r)
		if err := s.SetIdleTimeout(5 * time.Minute); err != nil {
			t.Error(err)
		}
		counter(w, r)
	}, httptest.NewRequest("GET", "/", nil))
	cookies := first.Result().Cookies()
	serve := func(slow time.Duration) string {
		req := httptest.NewRequest("GET", "/", nil)
		for _, c := range cookies {
			req.AddCookie(c)
		}
		return e.serve(func(w http.ResponseWriter, r *http.Request) {
			s := session.FromRequest(r)
			n, _, err := session.Get[int](s, "n")
			if err != nil {
				http.Error(w, err.Error(), 500)
				return
			}
			e.clock.Advance(slow)
			if err := s.Set("n", n+1); err != nil {
				http.Error(w, err.Error(), 500)
				return
			}
			io.WriteString(w, "ok")
		}, req).Body.String()
	}
	e.clock.Advance(5*time.Minute - 10*time.Second)
	if got := serve(time.Minute); got != "ok" {
		t.Fatalf("slow request: %q", got)
	}
	n, ok := 0, false
	req := httptest.NewRequest("GET", "/", nil)
	for _, c := range cookies {
		req.AddCookie(c)
	}
	e.serve(func(w http.ResponseWriter, r *http.Request) {
		n, ok, _ = session.Get[int](session.FromRequest(r), "n")
	}, req)
	if !ok || n != 2 {
		t.Fatalf("after the slow request: n = %d (found %v), want 2: its write was lost", n, ok)
	}
}

// failSaves fails every Save while fail is set.
type failSaves struct {
	*countingStore
	fail atomic.Bool
}

func (s *failSaves) Save(ctx context.Context, key string, d session.Delta) error {
	if s.fail.Load() {
		return errBroken
	}
	return s.countingStore.Save(ctx, key, d)
}

// A store failing keepAlive's write answers 503 before the handler can
// write anything, and loses nothing: once the store is back, the session
// and its data are there, and no log line carries the session ID.
func TestKeepAliveStoreFailure(t *testing.T) {
	var logs strings.Builder
	e := newEnv(t, func(o *session.Options) { o.IdleTimeout = 30 * time.Minute })
	fs := &failSaves{countingStore: e.store}
	m, err := session.New(&session.Options{Store: fs, Now: e.clock.Now, SweepInterval: -1, IdleTimeout: 30 * time.Minute,
		Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	first := httptest.NewRecorder()
	m.Handler(http.HandlerFunc(counter)).ServeHTTP(first, httptest.NewRequest("GET", "/", nil))
	cookies := first.Result().Cookies()
	e.clock.Advance(30*time.Minute - 20*time.Second)
	serve := func() *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", "/", nil)
		for _, c := range cookies {
			req.AddCookie(c)
		}
		rec := httptest.NewRecorder()
		m.Handler(http.HandlerFunc(counter)).ServeHTTP(rec, req)
		return rec
	}
	fs.fail.Store(true)
	if rec := serve(); rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("store failing keepAlive's write: status %d, want 503", rec.Code)
	}
	fs.fail.Store(false)
	if rec := serve(); rec.Code != 200 || rec.Body.String() != "2" {
		t.Fatalf("store back: %d %q, want the session's counter 2", rec.Code, rec.Body)
	}
	for _, c := range cookies {
		if c.Value != "" && strings.Contains(logs.String(), c.Value) {
			t.Fatalf("a log line carries the session ID: %s", logs.String())
		}
	}
	if !strings.Contains(logs.String(), "session store failed") {
		t.Fatalf("the failure was not logged: %s", logs.String())
	}
}
