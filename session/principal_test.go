package session_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime/pprof"
	"strings"
	"testing"
	"time"

	"github.com/httpstate/httpstate/session"
)

// login is a handler renewing the session and attaching principal "alice".
func login(w http.ResponseWriter, r *http.Request) {
	s := session.FromRequest(r)
	if err := s.Renew(); err != nil {
		http.Error(w, err.Error(), 500)
		return
	}
	if err := s.SetPrincipal(r.URL.Query().Get("user")); err != nil {
		http.Error(w, err.Error(), 500)
	}
}

func cookieValue(t testing.TB, rec *httptest.ResponseRecorder) string {
	t.Helper()
	cs := rec.Result().Cookies()
	if len(cs) != 1 {
		t.Fatalf("cookies %q, want exactly one", rec.Header().Values("Set-Cookie"))
	}
	return cs[0].Value
}

func TestRenew(t *testing.T) {
	var ev eventLog
	e := newEnv(t, func(o *session.Options) { o.Listeners = []session.Listener{ev.listen} })
	id := e.newSession(t)
	ev.reset()
	req := withCookie(id)
	req.URL.RawQuery = "user=alice"
	rec := e.serve(login, req)
	nid := cookieValue(t, rec)
	if nid == id || rec.Code != 200 {
		t.Fatalf("Renew kept the ID (code %d)", rec.Code)
	}
	if got := ev.kinds(); got != "renewed" {
		t.Errorf("events = %q, want renewed", got)
	}
	if ev.events[0].OldKey != session.Key(id) || ev.events[0].Key != session.Key(nid) {
		t.Errorf("renew event keys %+v", ev.events[0])
	}
	// The old ID is dead, the new one holds the data and the principal.
	if r := e.serve(counter, withCookie(id)); r.Body.String() != "1" {
		t.Errorf("old ID after Renew: body %q, want 1 (fresh)", r.Body.String())
	}
	e.serve(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromRequest(r)
		if s.Principal() != "alice" {
			t.Errorf("Principal = %q, want alice", s.Principal())
		}
		if n, _, _ := session.Get[int](s, "n"); n != 1 {
			t.Errorf("n = %d after Renew, want 1", n)
		}
	}, withCookie(nid))
}

func TestRenewNewSession(t *testing.T) {
	e := newEnv(t, nil)
	rec := e.serve(func(w http.ResponseWriter, r *http.Request) {
		if err := session.FromRequest(r).Renew(); err != nil {
			t.Error(err)
		}
	}, httptest.NewRequest("GET", "/", nil))
	id := cookieValue(t, rec)
	if e.store.creates.Load() != 1 || e.store.renames.Load() != 0 {
		t.Errorf("creates %d renames %d, want 1 and 0", e.store.creates.Load(), e.store.renames.Load())
	}
	e.serve(func(w http.ResponseWriter, r *http.Request) {
		if session.FromRequest(r).IsNew() {
			t.Error("session renewed while new was not stored")
		}
	}, withCookie(id))
}

func TestInvalidate(t *testing.T) {
	var ev eventLog
	e := newEnv(t, func(o *session.Options) { o.Listeners = []session.Listener{ev.listen} })
	id := e.newSession(t)
	ev.reset()
	rec := e.serve(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromRequest(r)
		if err := s.Invalidate(); err != nil {
			t.Fatal(err)
		}
		if !s.IsNew() || s.Key() != "" {
			t.Errorf("after Invalidate IsNew %v Key %q, want true and empty", s.IsNew(), s.Key())
		}
		if ok, _ := s.Get("n", new(int)); ok {
			t.Error("data visible after Invalidate")
		}
	}, withCookie(id))
	sc := rec.Header().Values("Set-Cookie")
	if len(sc) != 1 || !strings.HasPrefix(sc[0], "sid=;") || !strings.Contains(sc[0], "Max-Age=0") {
		t.Errorf("Set-Cookie = %q, want one sid=; Max-Age=0", sc)
	}
	if rec.Header().Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control = %q", rec.Header().Get("Cache-Control"))
	}
	if got := ev.kinds(); got != "invalidated" {
		t.Errorf("events = %q, want invalidated", got)
	}
	if r := e.serve(counter, withCookie(id)); r.Body.String() != "1" {
		t.Errorf("after Invalidate body %q, want 1", r.Body.String())
	}
}

func TestInvalidateThenNewSession(t *testing.T) {
	e := newEnv(t, nil)
	id := e.newSession(t)
	rec := e.serve(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromRequest(r)
		s.Invalidate()
		s.Set("flash", "logged out")
	}, withCookie(id))
	nid := cookieValue(t, rec) // one Set-Cookie: the new session's
	if nid == "" || nid == id {
		t.Fatalf("new session after Invalidate: cookie %q", nid)
	}
	e.serve(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromRequest(r)
		f, _, _ := session.Get[string](s, "flash")
		n, ok, _ := session.Get[int](s, "n")
		if f != "logged out" || ok {
			t.Errorf("flash %q, n %d/%v; want only the flash", f, n, ok)
		}
	}, withCookie(nid))
}

func TestPrincipals(t *testing.T) {
	var ev eventLog
	e := newEnv(t, func(o *session.Options) {
		o.MaxPerPrincipal = 2
		o.Listeners = []session.Listener{ev.listen}
	})
	ctx := context.Background()
	var ids []string
	for range 3 {
		rec := e.serve(login, httptest.NewRequest("GET", "/?user=alice", nil))
		ids = append(ids, cookieValue(t, rec))
		e.clock.Advance(time.Second)
	}
	e.serve(login, httptest.NewRequest("GET", "/?user=bob", nil))
	ms, err := e.m.ByPrincipal(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	// The cap evicted the oldest.
	if len(ms) != 2 || ms[0].Key != session.Key(ids[1]) || ms[1].Key != session.Key(ids[2]) {
		t.Fatalf("alice's sessions = %+v, want the two newest", ms)
	}
	if !strings.Contains(ev.kinds(), "invalidated") {
		t.Errorf("eviction emitted no invalidated event: %q", ev.kinds())
	}
	total := 0
	if err := e.m.Iterate(ctx, func(m session.Meta) bool { total++; return true }); err != nil || total != 3 {
		t.Fatalf("Iterate saw %d sessions (%v), want 3", total, err)
	}
	n, err := e.m.InvalidatePrincipal(ctx, "alice")
	if err != nil || n != 2 {
		t.Fatalf("InvalidatePrincipal = %d, %v; want 2", n, err)
	}
	for _, id := range ids {
		if r := e.serve(counter, withCookie(id)); r.Body.String() != "1" {
			t.Errorf("alice's session survived log-out-everywhere")
		}
	}
	ms, _ = e.m.ByPrincipal(ctx, "bob")
	if len(ms) != 1 {
		t.Fatalf("bob's sessions = %d, want 1", len(ms))
	}
	ok, err := e.m.Revoke(ctx, ms[0].Key)
	if !ok || err != nil {
		t.Fatalf("Revoke = %v, %v", ok, err)
	}
	if ok, _ := e.m.Revoke(ctx, ms[0].Key); ok {
		t.Error("second Revoke found the session")
	}
}

func TestEventsAndLogs(t *testing.T) {
	var ev eventLog
	var logs bytes.Buffer
	e := newEnv(t, func(o *session.Options) {
		o.Listeners = []session.Listener{ev.listen}
		o.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	rec := e.serve(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromRequest(r)
		s.Set("b", 1)
		s.Set("a", 1)
	}, httptest.NewRequest("GET", "/", nil))
	id := cookieValue(t, rec)
	e.serve(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromRequest(r)
		s.Set("a", 2)
		s.Set("c", 3)
		s.Delete("b")
		s.Delete("zz") // absent: no event
	}, withCookie(id))
	e.serve(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromRequest(r)
		session.Update(s, "d", func(int, bool) (int, error) { return 1, nil })
		session.Update(s, "d", func(int, bool) (int, error) { return 2, nil })
		s.Renew()
		s.Invalidate()
	}, withCookie(id))
	want := "created attribute-added:a attribute-added:b " +
		"attribute-replaced:a attribute-added:c attribute-removed:b " +
		"attribute-added:d attribute-replaced:d renewed invalidated"
	if got := ev.kinds(); got != want {
		t.Errorf("events:\n got %s\nwant %s", got, want)
	}
	for _, e := range ev.events {
		if e.Key == id || e.OldKey == id {
			t.Errorf("event %+v carries the ID", e)
		}
		if !e.Time.Equal(t0) {
			t.Errorf("event time %v, want the fake clock's %v", e.Time, t0)
		}
	}
	out := logs.String()
	if strings.Contains(out, id) || strings.Contains(out, session.Key(id)) {
		t.Errorf("logs carry the ID or the full key:\n%s", out)
	}
	if !strings.Contains(out, "session created") || !strings.Contains(out, "session="+session.Key(id)[:8]) {
		t.Errorf("logs lack the lifecycle line with the short key:\n%s", out)
	}
}

func TestSweep(t *testing.T) {
	var ev eventLog
	e := newEnv(t, func(o *session.Options) { o.Listeners = []session.Listener{ev.listen} })
	id := e.newSession(t)
	ev.reset()
	e.clock.Advance(31 * time.Minute)
	n, err := e.m.Sweep(context.Background())
	if err != nil || n != 1 {
		t.Fatalf("Sweep = %d, %v; want 1", n, err)
	}
	if len(ev.events) != 1 || ev.events[0].Kind != session.EventExpired || ev.events[0].Key != session.Key(id) {
		t.Fatalf("events = %+v, want one expired for the session", ev.events)
	}
	if n, _ := e.m.Sweep(context.Background()); n != 0 {
		t.Fatalf("second Sweep = %d, want 0", n)
	}
}

// sweepers counts the goroutines running a Manager's sweeper with the
// pprof label sweeperLabel=tag: the goroutine New starts inherits the
// labels of the goroutine calling New, so goroutines of other tests'
// Managers (or of anything else) are not counted.
func sweepers(t *testing.T, tag string) int {
	t.Helper()
	var b bytes.Buffer
	if err := pprof.Lookup("goroutine").WriteTo(&b, 1); err != nil {
		t.Fatal(err)
	}
	// debug=1: a record per stack and label set, "N @ pcs", then
	// "# labels: {...}" and the frames.
	n := 0
	for _, rec := range strings.Split(b.String(), "\n\n") {
		if !strings.Contains(rec, `"`+sweeperLabel+`":"`+tag+`"`) || !strings.Contains(rec, "session.(*Manager).sweeper") {
			continue
		}
		// The first record follows the line "goroutine profile: total N".
		if strings.HasPrefix(rec, "goroutine profile:") {
			_, rec, _ = strings.Cut(rec, "\n")
		}
		var c int
		if _, err := fmt.Sscanf(rec, "%d @", &c); err != nil {
			t.Fatalf("goroutine profile record %q: %v", rec, err)
		}
		n += c
	}
	return n
}

const sweeperLabel = "httpstate-session-sweeper-test"

func TestSweeperGoroutine(t *testing.T) {
	tag := t.Name()
	expired := make(chan session.Event, 10)
	var e *env
	pprof.Do(context.Background(), pprof.Labels(sweeperLabel, tag), func(context.Context) {
		e = newEnv(t, func(o *session.Options) {
			o.SweepInterval = time.Millisecond
			o.Listeners = []session.Listener{func(_ context.Context, ev session.Event) {
				if ev.Kind == session.EventExpired {
					expired <- ev
				}
			}}
		})
	})
	id := e.newSession(t)
	e.clock.Advance(time.Hour)
	select {
	case ev := <-expired:
		if ev.Key != session.Key(id) {
			t.Errorf("expired key %q, want %q", ev.Key, session.Key(id))
		}
	case <-time.After(10 * time.Second):
		t.Fatal("sweeper emitted no EventExpired within 10s")
	}
	// The sweeper has run: one goroutine in it (right after New, the
	// goroutine may not have started yet).
	if n := sweepers(t, tag); n != 1 {
		t.Fatalf("%d sweeper goroutines, want 1", n)
	}
	if err := e.m.Close(); err != nil {
		t.Fatal(err)
	}
	e.m.Close() // idempotent
	// Close waited for the sweeper to close its done channel; the goroutine
	// may still be returning from it (a bounded wait, as a safety net).
	for deadline := time.Now().Add(10 * time.Second); sweepers(t, tag) > 0 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	if n := sweepers(t, tag); n != 0 {
		t.Errorf("%d sweeper goroutines after Close, want 0", n)
	}
	// Sessions after Close fail with ErrClosed.
	e.serve(func(w http.ResponseWriter, r *http.Request) {
		if _, err := session.FromRequest(r).Get("n", new(int)); !errors.Is(err, session.ErrClosed) {
			t.Errorf("Get after Close = %v, want ErrClosed", err)
		}
	}, withCookie(id))
	if _, err := e.m.ByPrincipal(context.Background(), "x"); !errors.Is(err, session.ErrClosed) {
		t.Errorf("ByPrincipal after Close = %v, want ErrClosed", err)
	}
}

// partialSweep removes and reports what its store's Sweep does, then fails,
// as a store does when its context ends between chunks.
type partialSweep struct{ session.Store }

var errSweepCut = errors.New("sweep cut short")

func (s partialSweep) Sweep(ctx context.Context) ([]session.Meta, error) {
	ms, err := s.Store.Sweep(ctx)
	if err != nil {
		return ms, err
	}
	return ms, errSweepCut
}

// TestSweepPartial: sessions a store's Sweep removed before failing are
// still reported (EventExpired, the count) along with the error: no later
// Sweep can report them again.
func TestSweepPartial(t *testing.T) {
	var ev eventLog
	e := newEnv(t, func(o *session.Options) {
		o.Listeners = []session.Listener{ev.listen}
		o.Store = partialSweep{o.Store}
	})
	id := e.newSession(t)
	ev.reset()
	e.clock.Advance(31 * time.Minute)
	n, err := e.m.Sweep(context.Background())
	if !errors.Is(err, errSweepCut) || n != 1 {
		t.Fatalf("Sweep = %d, %v; want 1 and the store's error", n, err)
	}
	if len(ev.events) != 1 || ev.events[0].Kind != session.EventExpired || ev.events[0].Key != session.Key(id) {
		t.Fatalf("events = %+v, want one expired for the session", ev.events)
	}
}
