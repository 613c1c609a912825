package app

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/httpstate/httpstate/internal/testutil"
	"github.com/httpstate/httpstate/session"
	"github.com/httpstate/httpstate/store/redisstore"
)

// TestStoreOutageRedis stops the redis-server under a running App and starts
// it again: while it is down, pages and changes get 503 without details,
// /healthz reports the store, /metrics still serves the error counters, an
// admin's event stream stays open and nobody is logged out; once it is back,
// everything works again with the sessions intact.
func TestStoreOutageRedis(t *testing.T) {
	rs := testutil.StartRedis(t, &testutil.RedisOptions{AppendOnly: true})
	rc := redis.NewClient(&redis.Options{Addr: rs.Addr(), DialTimeout: time.Second, MaxRetries: -1})
	t.Cleanup(func() { rc.Close() })
	st, err := redisstore.New(rc, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, srv := newTestApp(t, st, func(o *Options) { o.PollInterval = 100 * time.Millisecond })
	alice := newClient(t, srv.URL)
	alice.mustLogin("alice", "alice")
	tok := alice.token()
	if r := alice.post("/cart", url.Values{"item": {"apple"}, "csrf_token": {tok}}); r.status != http.StatusSeeOther {
		t.Fatalf("POST /cart: status %d, want 303", r.status)
	}
	admin := newClient(t, srv.URL)
	admin.mustLogin("admin", "admin")
	events := admin.stream("/dashboard/events")
	nextSnapshot(t, events, func(s *snapshot) bool { return s.Active == 2 })

	rs.Stop()

	if r := alice.get("/"); r.status != http.StatusServiceUnavailable || strings.Contains(r.body, "dial") {
		t.Errorf("GET / with the store down: status %d, body %q; want 503 without details", r.status, r.body)
	}
	r := alice.post("/cart", url.Values{"item": {"pear"}, "csrf_token": {tok}}, "Accept", "application/json")
	if r.status != http.StatusServiceUnavailable {
		t.Errorf("POST /cart with the store down: status %d, want 503", r.status)
	}
	if r := alice.get("/healthz"); r.status != http.StatusServiceUnavailable {
		t.Errorf("GET /healthz with the store down: status %d, want 503; body %q", r.status, r.body)
	}
	r = alice.get("/metrics")
	if r.status != http.StatusOK {
		t.Errorf("GET /metrics with the store down: status %d, want 200 (the other metrics)", r.status)
	}
	for _, want := range []string{`httpstate_store_errors_total{op="load"}`, "httpstate_logins_total"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("metrics with the store down lack %q", want)
		}
	}

	rs.Start()

	deadline := time.Now().Add(10 * time.Second)
	for alice.get("/healthz").status != http.StatusOK {
		if time.Now().After(deadline) {
			t.Fatal("/healthz not 200 within 10s of the store coming back")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if got, want := alice.cart(), []string{"apple"}; !reflect.DeepEqual(got, want) {
		t.Errorf("cart after the outage = %q, want %q", got, want)
	}
	if body := alice.get("/").body; !strings.Contains(body, `id="user">alice<`) {
		t.Errorf("alice is not signed in after the outage")
	}
	bob := newClient(t, srv.URL)
	bob.mustLogin("bob", "bob")
	// The admin's stream survived the outage and follows the store again.
	nextSnapshot(t, events, func(s *snapshot) bool { return contains(principals(s), "bob") })
	if r := alice.get("/metrics"); r.status != http.StatusOK || !strings.Contains(r.body, "httpstate_sessions_active 3\n") {
		t.Errorf("GET /metrics after the outage: status %d, want 200 and 3 active sessions", r.status)
	}
}

// TestEventStreamStoreUnavailable: while the store fails, the dashboard's
// stream says so once (event "unavailable") instead of leaving the last
// table on screen as if it were live, and the viewer is not told its session
// is gone; once the store answers again, the stream sends the table again.
func TestEventStreamStoreUnavailable(t *testing.T) {
	st := &faultyStore{Store: storeFactories[0].open(t)}
	_, srv := newTestApp(t, st, func(o *Options) { o.PollInterval = 20 * time.Millisecond })
	admin := newClient(t, srv.URL)
	admin.mustLogin("admin", "admin")
	events := admin.stream("/dashboard/events")
	nextSnapshot(t, events, func(s *snapshot) bool { return s.Active == 1 })

	st.failing.Store(true)
	timeout := time.After(10 * time.Second)
	for down := false; !down; {
		select {
		case ev, open := <-events:
			if !open {
				t.Fatal("the event stream ended while the store was down")
			}
			switch ev.name {
			case "gone":
				t.Fatal("the stream told the viewer its session is gone while the store was down")
			case "unavailable":
				down = true
			}
		case <-timeout:
			t.Fatal("no \"unavailable\" event within 10s of the store failing")
		}
	}
	// Said once, not at every poll.
	time.Sleep(100 * time.Millisecond)
	select {
	case ev := <-events:
		t.Fatalf("event %q while the store is still down, want none after the first", ev.name)
	default:
	}

	st.failing.Store(false)
	snap := nextSnapshot(t, events, func(*snapshot) bool { return true })
	if snap.Active != 1 {
		t.Errorf("snapshot after the store came back: %d active, want 1", snap.Active)
	}
}

// lockedBuffer is a log sink safe for concurrent use.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestStoreFailureIsNoCSRFFailure: a POST with a good token while the store
// fails is a store failure (503, logged as such), not a CSRF failure: the
// CSRF check could not read the session's secret, but nothing was forged, and
// "csrf check failed" lines during an outage would send an operator looking
// for an attack.
func TestStoreFailureIsNoCSRFFailure(t *testing.T) {
	st := &faultyStore{Store: storeFactories[0].open(t)}
	logs := &lockedBuffer{}
	_, srv := newTestApp(t, st, func(o *Options) {
		o.Logger = slog.New(slog.NewTextHandler(logs, nil))
	})
	c := newClient(t, srv.URL)
	c.mustLogin("alice", "alice")
	tok := c.token()
	st.failing.Store(true)
	for _, accept := range []string{"application/json", "text/html", ""} {
		r := c.post("/cart", url.Values{"item": {"pear"}, "csrf_token": {tok}}, "Accept", accept)
		if r.status != http.StatusServiceUnavailable {
			t.Errorf("POST /cart (Accept %q) with a good token and the store failing: status %d, want 503", accept, r.status)
		}
	}
	if strings.Contains(logs.String(), "csrf check failed") {
		t.Errorf("a store failure was logged as a CSRF failure:\n%s", logs.String())
	}
	st.failing.Store(false)
	// A missing token is still a CSRF failure.
	if r := c.post("/cart", url.Values{"item": {"pear"}}); r.status != http.StatusForbidden {
		t.Errorf("POST /cart without a token: status %d, want 403", r.status)
	}
	if !strings.Contains(logs.String(), "csrf check failed") {
		t.Errorf("a missing token was not logged as a CSRF failure")
	}
}

// opFailStore fails the store calls named in fail ("update", "rename",
// "delete", "iterate") and passes every other call through.
type opFailStore struct {
	session.Store
	fail atomic.Value // string
}

func (s *opFailStore) failing(op string) bool {
	f, _ := s.fail.Load().(string)
	return f == op
}

func (s *opFailStore) Update(ctx context.Context, key, attr string, fn func(old []byte, ok bool) ([]byte, error)) ([]byte, error) {
	if s.failing("update") {
		return nil, errInjected
	}
	return s.Store.Update(ctx, key, attr, fn)
}

func (s *opFailStore) Rename(ctx context.Context, oldKey, newKey string) error {
	if s.failing("rename") {
		return errInjected
	}
	return s.Store.Rename(ctx, oldKey, newKey)
}

func (s *opFailStore) Delete(ctx context.Context, key string) (bool, error) {
	if s.failing("delete") {
		return false, errInjected
	}
	return s.Store.Delete(ctx, key)
}

func (s *opFailStore) Iterate(ctx context.Context, fn func(session.Meta) bool) error {
	if s.failing("iterate") {
		return errInjected
	}
	return s.Store.Iterate(ctx, fn)
}

// TestStoreCallFailure503: a store call failing inside a handler (the
// cart's update, login's rename, a revocation, the dashboard's listing) is
// answered 503 like a failing load, not 500 as if the app had a bug, and
// without the error's details.
func TestStoreCallFailure503(t *testing.T) {
	st := &opFailStore{Store: storeFactories[0].open(t)}
	_, srv := newTestApp(t, st, nil)
	admin := newClient(t, srv.URL)
	admin.mustLogin("admin", "admin")
	alice := newClient(t, srv.URL)
	alice.mustLogin("alice", "alice")
	for _, tt := range []struct {
		op, what string
		do       func() response
	}{
		{"update", "POST /cart", func() response {
			return alice.post("/cart", url.Values{"item": {"pear"}, "csrf_token": {alice.token()}})
		}},
		{"rename", "POST /login", func() response {
			return alice.post("/login", url.Values{"user": {"alice"}, "password": {"alice"}, "csrf_token": {alice.token()}})
		}},
		{"delete", "POST /dashboard/revoke", func() response {
			return admin.post("/dashboard/revoke", url.Values{"key": {session.Key(alice.sid())}, "csrf_token": {admin.token()}})
		}},
		{"iterate", "GET /dashboard", func() response { return admin.get("/dashboard") }},
	} {
		st.fail.Store(tt.op)
		r := tt.do()
		st.fail.Store("")
		if r.status != http.StatusServiceUnavailable || strings.Contains(r.body, errInjected.Error()) {
			t.Errorf("%s with the store's %s failing: status %d, body %q; want 503 without details", tt.what, tt.op, r.status, r.body)
		}
	}
}
