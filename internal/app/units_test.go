package app

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/httpstate/httpstate/session"
)

var checkTests = []struct {
	user, password string
	want           bool
}{
	{"alice", "alice", true},
	{"bob", "bob", true},
	{"admin", "admin", true},
	{"alice", "bob", false},
	{"alice", "alic", false},
	{"alice", "alice ", false},
	{"nobody", "", false},
	{"nobody", "\x00no such user\x00", false},
	{"", "", false},
}

func TestUsersCheck(t *testing.T) {
	u := newUsers(DemoUsers, DemoAdmins)
	for _, tt := range checkTests {
		if got := u.check(tt.user, tt.password); got != tt.want {
			t.Errorf("check(%q, %q) = %v, want %v", tt.user, tt.password, got, tt.want)
		}
	}
	for _, p := range []struct {
		name string
		want bool
	}{{"admin", true}, {"alice", false}, {"", false}} {
		if got := u.isAdmin(p.name); got != p.want {
			t.Errorf("isAdmin(%q) = %v, want %v", p.name, got, p.want)
		}
	}
}

func TestHistoryKeepsNewest(t *testing.T) {
	h := newHistory(3)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 5 {
		h.add(sample{T: t0.Add(time.Duration(i) * time.Second), N: i})
	}
	got := h.list()
	if len(got) != 3 || got[0].N != 2 || got[2].N != 4 {
		t.Errorf("history = %+v, want samples 2, 3, 4", got)
	}
	got[0].N = 99
	if h.list()[0].N != 2 {
		t.Errorf("list returned the history's own slice")
	}
}

func TestHubNotify(t *testing.T) {
	h := newHub()
	ch, cancel := h.subscribe()
	h.notify()
	h.notify() // coalesced with the first: must not block
	select {
	case <-ch:
	default:
		t.Fatal("no wake-up after notify")
	}
	select {
	case <-ch:
		t.Fatal("two wake-ups for one pending notification")
	default:
	}
	cancel()
	h.notify()
	select {
	case <-ch:
		t.Fatal("wake-up after unsubscribing")
	default:
	}
}

// faultyStore fails every Load and Iterate while failing is set.
type faultyStore struct {
	session.Store
	failing atomic.Bool
}

var errInjected = errors.New("injected store failure")

func (s *faultyStore) Load(ctx context.Context, key string) (*session.Record, bool, error) {
	if s.failing.Load() {
		return nil, false, errInjected
	}
	return s.Store.Load(ctx, key)
}

func (s *faultyStore) Iterate(ctx context.Context, fn func(session.Meta) bool) error {
	if s.failing.Load() {
		return errInjected
	}
	return s.Store.Iterate(ctx, fn)
}

// TestStoreFailure: a failing store gives a 503 without details, and the
// instrumenting decorator counts the error.
func TestStoreFailure(t *testing.T) {
	st := &faultyStore{Store: storeFactories[0].open(t)}
	_, srv := newTestApp(t, st, nil)
	c := newClient(t, srv.URL)
	c.mustLogin("alice", "alice")
	st.failing.Store(true)
	r := c.get("/")
	if r.status != http.StatusServiceUnavailable {
		t.Errorf("GET / with a failing store: status %d, want 503", r.status)
	}
	if strings.Contains(r.body, errInjected.Error()) {
		t.Errorf("the response reveals the store error: %q", r.body)
	}
	st.failing.Store(false)
	if body := c.get("/metrics").body; !strings.Contains(body, `httpstate_store_errors_total{op="load"} 1`+"\n") {
		t.Errorf("metrics do not count the failed load")
	}
	if body := c.get("/").body; !strings.Contains(body, `id="user">alice<`) {
		t.Errorf("alice's session did not survive a transient store failure")
	}
}

var logNameTests = []struct{ in, want string }{
	{"alice", "alice"},
	{strings.Repeat("a", maxLoggedName), strings.Repeat("a", maxLoggedName)},
	{strings.Repeat("a", 10000), strings.Repeat("a", maxLoggedName) + "…"},
	// A cut inside a multi-byte character drops the partial character.
	{strings.Repeat("a", maxLoggedName-1) + "é", strings.Repeat("a", maxLoggedName-1) + "…"},
}

func TestLogName(t *testing.T) {
	for _, tt := range logNameTests {
		if got := logName(tt.in); got != tt.want {
			t.Errorf("logName(%d bytes) = %q, want %q", len(tt.in), got, tt.want)
		}
	}
}
