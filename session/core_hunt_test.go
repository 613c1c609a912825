package session_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/httpstate/httpstate/session"
)

// TestShortSessionIdleTimeoutSurvivesSteadyUse: TouchInterval is derived from
// the Manager's IdleTimeout (1m for the default 30m), but SetIdleTimeout can
// give one session a shorter one. A session with a 60s idle timeout, read
// every 40s, is in steady use and must never expire between two recorded
// accesses.
func TestShortSessionIdleTimeoutSurvivesSteadyUse(t *testing.T) {
	e := newEnv(t, nil)
	id := e.newSession(t)
	rec := e.serve(func(w http.ResponseWriter, r *http.Request) {
		if err := session.FromRequest(r).SetIdleTimeout(60 * time.Second); err != nil {
			t.Error(err)
		}
	}, withCookie(id))
	if rec.Code != 200 {
		t.Fatalf("code %d", rec.Code)
	}
	for i := range 5 {
		e.clock.Advance(40 * time.Second)
		var isNew bool
		e.serve(func(w http.ResponseWriter, r *http.Request) {
			isNew = session.FromRequest(r).IsNew()
		}, withCookie(id))
		if isNew {
			t.Fatalf("read %d (40s after the previous one, idle timeout 60s): session expired", i+1)
		}
	}
}

// TestSetIdleTimeoutShorterThanElapsed: a request that shortens the idle
// timeout below the time elapsed since the last recorded access (within
// TouchInterval) uses the session now, so the session must live on for the
// new idle timeout from now, not be dead as the request commits.
func TestSetIdleTimeoutShorterThanElapsed(t *testing.T) {
	e := newEnv(t, nil)
	id := e.newSession(t)
	e.clock.Advance(30 * time.Second) // within the 1m TouchInterval
	var exp time.Time
	e.serve(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromRequest(r)
		if err := s.SetIdleTimeout(10 * time.Second); err != nil {
			t.Error(err)
		}
		exp = s.Expiry()
	}, withCookie(id))
	if want := e.clock.Now().Add(10 * time.Second); exp.Before(e.clock.Now()) || exp.After(want) {
		t.Errorf("Expiry() = %v, want within (now, now+10s] (now %v)", exp, e.clock.Now())
	}
	e.clock.Advance(5 * time.Second)
	var isNew bool
	e.serve(func(w http.ResponseWriter, r *http.Request) {
		isNew = session.FromRequest(r).IsNew()
	}, withCookie(id))
	if isNew {
		t.Fatal("session dead 5s after a request set a 10s idle timeout")
	}
}

// hookStore runs a hook once, after the first ByPrincipal call returns: a
// request of another goroutine acting between the listing and what the
// caller does with it.
type hookStore struct {
	session.Store
	once sync.Once
	hook func()
}

func (s *hookStore) ByPrincipal(ctx context.Context, p string) ([]session.Meta, error) {
	ms, err := s.Store.ByPrincipal(ctx, p)
	s.once.Do(s.hook)
	return ms, err
}

// TestInvalidatePrincipalRacingRenew: "log out everywhere" lists the user's
// sessions, then deletes them. A Renew (privilege change on another device)
// between the two moves a session to a key the list does not hold: it must
// still end.
func TestInvalidatePrincipalRacingRenew(t *testing.T) {
	var renewed string
	var e *env
	var id string
	e = newEnv(t, func(o *session.Options) {
		o.Store = &hookStore{Store: o.Store, hook: func() {
			rec := e.serve(func(w http.ResponseWriter, r *http.Request) {
				if err := session.FromRequest(r).Renew(); err != nil {
					t.Error(err)
				}
			}, withCookie(id))
			renewed = cookieOf(rec, "sid")
		}}
	})
	id = e.newSession(t)
	rec := e.serve(func(w http.ResponseWriter, r *http.Request) {
		if err := session.FromRequest(r).SetPrincipal("alice"); err != nil {
			t.Error(err)
		}
	}, withCookie(id))
	if rec.Code != 200 {
		t.Fatalf("code %d", rec.Code)
	}
	if _, err := e.m.InvalidatePrincipal(context.Background(), "alice"); err != nil {
		t.Fatal(err)
	}
	if renewed == "" {
		t.Fatal("the hook did not renew the session")
	}
	ms, err := e.m.ByPrincipal(context.Background(), "alice")
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 0 {
		t.Fatalf("after InvalidatePrincipal, alice still has %d session(s)", len(ms))
	}
	var isNew bool
	e.serve(func(w http.ResponseWriter, r *http.Request) {
		isNew = session.FromRequest(r).IsNew()
	}, withCookie(renewed))
	if !isNew {
		t.Fatal("the session renewed during InvalidatePrincipal is still live")
	}
}

// TestConcurrentLoginsKeepOne: with MaxPerPrincipal 1, sessions of one user
// logging in at once must not evict each other all: exactly one survives.
func TestConcurrentLoginsKeepOne(t *testing.T) {
	const n = 6
	for round := range 10 {
		e := newEnv(t, func(o *session.Options) { o.MaxPerPrincipal = 1 })
		ids := make([]string, n)
		for i := range ids {
			ids[i] = e.newSession(t)
		}
		var wg sync.WaitGroup
		start := make(chan struct{})
		for _, id := range ids {
			wg.Go(func() {
				<-start
				e.serve(func(w http.ResponseWriter, r *http.Request) {
					if err := session.FromRequest(r).SetPrincipal("alice"); err != nil {
						t.Error(err)
					}
				}, withCookie(id))
			})
		}
		close(start)
		wg.Wait()
		ms, err := e.m.ByPrincipal(context.Background(), "alice")
		if err != nil {
			t.Fatal(err)
		}
		if len(ms) != 1 {
			t.Fatalf("round %d: %d concurrent logins with MaxPerPrincipal 1 left %d sessions, want 1", round, n, len(ms))
		}
	}
}

// TestPanickingListener: a Listener that panics must not take the other
// listeners' events, nor the events of the sessions a Sweep already removed
// from the store (no later Sweep reports them), nor the sweeper's goroutine
// (a panic there ends the process).
func TestPanickingListener(t *testing.T) {
	var ev eventLog
	e := newEnv(t, func(o *session.Options) {
		o.Listeners = []session.Listener{
			func(context.Context, session.Event) { panic("listener bug") },
			ev.listen,
		}
	})
	e.newSession(t)
	e.newSession(t)
	if got, want := ev.kinds(), "created attribute-added:n created attribute-added:n"; got != want {
		t.Fatalf("events %q, want %q", got, want)
	}
	ev.reset()
	e.clock.Advance(time.Hour)
	n, err := e.m.Sweep(context.Background())
	if err != nil || n != 2 {
		t.Fatalf("Sweep = %d, %v; want 2, nil", n, err)
	}
	if got, want := ev.kinds(), "expired expired"; got != want {
		t.Fatalf("events %q, want %q", got, want)
	}
}

// TestCodecExpiryReadOnly: a cookie-held session read within TouchInterval
// is not re-issued, so its expiry stays counted from the access the cookie
// records; Expiry must say so, as it does for a stored session.
func TestCodecExpiryReadOnly(t *testing.T) {
	m, clock := newCodecManager(t, nil)
	jar := map[string]string{}
	rec := httptest.NewRecorder()
	m.Handler(http.HandlerFunc(counter)).ServeHTTP(rec, requestWith(jar))
	carry(jar, rec)
	if len(jar) != 1 {
		t.Fatalf("cookies %v", jar)
	}
	clock.Advance(30 * time.Second)
	var exp time.Time
	rec = httptest.NewRecorder()
	m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		exp = session.FromRequest(r).Expiry()
	})).ServeHTTP(rec, requestWith(jar))
	if n := len(rec.Result().Cookies()); n != 0 {
		t.Fatalf("read-only request within TouchInterval set %d cookies", n)
	}
	if want := t0.Add(session.DefaultIdleTimeout); !exp.Equal(want) {
		t.Fatalf("Expiry() = %v, want %v (the cookie was not re-issued)", exp, want)
	}
}

// TestLateLogoutAfterRenew: a slow logout (Invalidate) whose session a
// concurrent login renamed deletes nothing; its response must not expire the
// cookie, which would delete the new one the login just sent and leave that
// logged-in session alive in the store, unseen by the user. A handler that
// calls Invalidate twice (say, once itself and once in a helper) must not
// expire it at the second call either: the first found the session ended
// elsewhere.
func TestLateLogoutAfterRenew(t *testing.T) {
	for _, calls := range []int{1, 2} {
		e := newEnv(t, nil)
		id := e.newSession(t)
		aLoaded, release := make(chan struct{}), make(chan struct{})
		var aRec *httptest.ResponseRecorder
		done := make(chan struct{})
		go func() {
			defer close(done)
			aRec = e.serve(func(w http.ResponseWriter, r *http.Request) {
				s := session.FromRequest(r)
				s.Get("n", new(int))
				close(aLoaded)
				<-release
				for range calls {
					if err := s.Invalidate(); err != nil {
						t.Error(err)
					}
				}
			}, withCookie(id))
		}()
		<-aLoaded
		bRec := e.serve(login, withCookie(id))
		nid := cookieOf(bRec, "sid")
		if nid == "" {
			t.Fatal("the login sent no cookie")
		}
		close(release)
		<-done
		if sc := aRec.Header().Values("Set-Cookie"); len(sc) != 0 {
			t.Errorf("late logout calling Invalidate %d time(s) set cookies %q after a concurrent Renew", calls, sc)
		}
		var isNew bool
		e.serve(func(w http.ResponseWriter, r *http.Request) {
			isNew = session.FromRequest(r).IsNew()
		}, withCookie(nid))
		if isNew {
			t.Fatalf("Invalidate %d time(s): the renewed session is gone", calls)
		}
	}
}

// TestSweepAfterClose: like every other admin method, Sweep after Close
// fails with ErrClosed; it removed sessions and emitted EventExpired to
// listeners the application had torn down with the Manager.
func TestSweepAfterClose(t *testing.T) {
	var ev eventLog
	e := newEnv(t, func(o *session.Options) { o.Listeners = []session.Listener{ev.listen} })
	e.newSession(t)
	e.m.Close()
	ev.reset()
	e.clock.Advance(time.Hour)
	n, err := e.m.Sweep(context.Background())
	if !errors.Is(err, session.ErrClosed) || n != 0 {
		t.Fatalf("Sweep after Close = %d, %v; want 0, ErrClosed", n, err)
	}
	if got := ev.kinds(); got != "" {
		t.Fatalf("events after Close: %q", got)
	}
}

// TestPersistentCookieFollowsSetIdleTimeout: with a persistent cookie, the
// Max-Age follows the session's expiry; a request lengthening the idle
// timeout ("keep me signed in") within TouchInterval must re-issue the
// cookie, or the browser drops it at the old expiry while the server keeps
// the session.
func TestPersistentCookieFollowsSetIdleTimeout(t *testing.T) {
	e := newEnv(t, func(o *session.Options) { o.Cookie.Persistent = true })
	id := e.newSession(t)
	e.clock.Advance(10 * time.Second)
	rec := e.serve(func(w http.ResponseWriter, r *http.Request) {
		if err := session.FromRequest(r).SetIdleTimeout(20 * time.Hour); err != nil {
			t.Error(err)
		}
	}, withCookie(id))
	cs := sessionCookies(rec.Result(), "sid")
	if len(cs) != 1 || cs[0].Value != id || cs[0].MaxAge != int((20*time.Hour).Seconds()) {
		t.Fatalf("Set-Cookie %q, want sid=ID with Max-Age=%d", rec.Header().Values("Set-Cookie"), int((20 * time.Hour).Seconds()))
	}
}

// TestChangesAfterCommit pins down what the package doc says of changes
// once the response has started: buffered ones and Renew are refused with
// ErrCommitted; Update of a stored session reaches the store at once.
func TestChangesAfterCommit(t *testing.T) {
	e := newEnv(t, nil)
	id := e.newSession(t)
	e.serve(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromRequest(r)
		w.WriteHeader(200)
		for name, err := range map[string]error{
			"Set":            s.Set("a", 1),
			"Delete":         s.Delete("n"),
			"SetPrincipal":   s.SetPrincipal("bob"),
			"SetIdleTimeout": s.SetIdleTimeout(time.Minute),
			"Renew":          s.Renew(),
		} {
			if !errors.Is(err, session.ErrCommitted) {
				t.Errorf("%s after the commit = %v, want ErrCommitted", name, err)
			}
		}
		if n, err := session.Update(s, "n", func(n int, _ bool) (int, error) { return n + 1, nil }); err != nil || n != 2 {
			t.Errorf("Update after the commit = %d, %v; want 2, nil", n, err)
		}
	}, withCookie(id))
	if rec := e.serve(counter, withCookie(id)); rec.Body.String() != "3" {
		t.Fatalf("next request counted %q, want 3 (the late Update stored)", rec.Body.String())
	}
}

// TestRenewRaces: two requests of one session, started together: two
// Renews (two logins), or a Renew and an Invalidate. Exactly one of two
// Renews wins; the loser's Renew wraps ErrNotFound and its response sends
// no cookie. A Renew and an Invalidate leave either the renamed session
// alive (and the logout's response without a cookie) or no session at all.
func TestRenewRaces(t *testing.T) {
	for round := range 20 {
		for _, second := range []string{"renew", "invalidate"} {
			e := newEnv(t, nil)
			id := e.newSession(t)
			var wg sync.WaitGroup
			start := make(chan struct{})
			var errs [2]error
			var recs [2]*httptest.ResponseRecorder
			var fresh [2]bool // the request found the session gone already
			for i, op := range []string{"renew", second} {
				wg.Go(func() {
					<-start
					recs[i] = e.serve(func(w http.ResponseWriter, r *http.Request) {
						s := session.FromRequest(r)
						s.Get("n", new(int))
						fresh[i] = s.IsNew()
						if op == "renew" {
							errs[i] = s.Renew()
						} else {
							errs[i] = s.Invalidate()
						}
					}, withCookie(id))
				})
			}
			close(start)
			wg.Wait()
			var live []string
			e.m.Iterate(context.Background(), func(m session.Meta) bool { live = append(live, m.Key); return true })
			switch second {
			case "renew":
				if fresh[0] || fresh[1] {
					// One request found the session renamed already (it
					// loaded later): it is a new visitor, whose Renew
					// creates a session of its own. Not a race.
					continue
				}
				won := 0
				for i := range 2 {
					c := cookieOf(recs[i], "sid")
					switch {
					case errs[i] == nil && c != "" && len(live) == 1 && live[0] == session.Key(c):
						won++
					case errors.Is(errs[i], session.ErrNotFound) && len(recs[i].Header().Values("Set-Cookie")) == 0:
					default:
						t.Fatalf("round %d: renew %d: err %v, Set-Cookie %q, live %d", round, i, errs[i], recs[i].Header().Values("Set-Cookie"), len(live))
					}
				}
				if won != 1 {
					t.Fatalf("round %d: %d Renews won, want 1", round, won)
				}
			case "invalidate":
				if errs[1] != nil {
					t.Fatalf("round %d: Invalidate: %v", round, errs[1])
				}
				c := cookieOf(recs[0], "sid")
				if fresh[0] || fresh[1] {
					continue // one ran after the other: not a race
				}
				if errs[0] == nil {
					if len(live) != 1 || live[0] != session.Key(c) || len(recs[1].Header().Values("Set-Cookie")) != 0 {
						t.Fatalf("round %d: Renew won, but live %d, logout Set-Cookie %q", round, len(live), recs[1].Header().Values("Set-Cookie"))
					}
				} else if !errors.Is(errs[0], session.ErrNotFound) || len(live) != 0 || len(recs[0].Header().Values("Set-Cookie")) != 0 {
					t.Fatalf("round %d: Invalidate won, but Renew %v, live %d, Set-Cookie %q", round, errs[0], len(live), recs[0].Header().Values("Set-Cookie"))
				}
			}
		}
	}
}

// TestTouchThrottleOwnIdleTimeout: a session given its own idle timeout
// keeps the touch throttle: a read-only request within the interval (the
// Manager's TouchInterval, or half the session's own idle timeout when that
// is shorter) writes nothing and sends no cookie; past it, one Save.
func TestTouchThrottleOwnIdleTimeout(t *testing.T) {
	for _, tc := range []struct {
		idle       time.Duration
		quiet, due time.Duration // a read this long after the last recorded access writes nothing / one Save
	}{
		{24 * time.Hour, 50 * time.Second, 61 * time.Second},   // TouchInterval (1m) applies
		{60 * time.Second, 20 * time.Second, 31 * time.Second}, // half the session's 60s
	} {
		e := newEnv(t, nil)
		id := e.newSession(t)
		e.serve(func(w http.ResponseWriter, r *http.Request) {
			if err := session.FromRequest(r).SetIdleTimeout(tc.idle); err != nil {
				t.Error(err)
			}
		}, withCookie(id))
		read := func(w http.ResponseWriter, r *http.Request) {
			if _, ok, err := session.Get[int](session.FromRequest(r), "n"); !ok || err != nil {
				t.Errorf("idle %v: Get = %v, %v", tc.idle, ok, err)
			}
		}
		writes := e.store.writes()
		e.clock.Advance(tc.quiet)
		rec := e.serve(read, withCookie(id))
		if n := e.store.writes() - writes; n != 0 {
			t.Errorf("idle %v: read %v after the recorded access: %d writes, want 0", tc.idle, tc.quiet, n)
		}
		if sc := rec.Header().Values("Set-Cookie"); len(sc) != 0 {
			t.Errorf("idle %v: read-only request Set-Cookie = %q", tc.idle, sc)
		}
		e.clock.Advance(tc.due - tc.quiet)
		saves := e.store.saves.Load()
		e.serve(read, withCookie(id))
		if n := e.store.writes() - writes; n != 1 || e.store.saves.Load()-saves != 1 {
			t.Errorf("idle %v: read %v after the recorded access: %d writes, want 1 Save", tc.idle, tc.due, n)
		}
	}
}
