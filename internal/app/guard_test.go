package app

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/httpstate/httpstate/internal/testutil"
	"github.com/httpstate/httpstate/session"
	"github.com/httpstate/httpstate/store/memstore"
)

// TestAdminRoutesGuarded: the revoke endpoints refuse an admin's request
// without the CSRF token and a non-admin's request with one, and change
// nothing; neither the dashboard page nor its stream carries a session ID.
func TestAdminRoutesGuarded(t *testing.T) {
	_, srv := newTestApp(t, storeFactories[0].open(t), nil)
	admin := newClient(t, srv.URL)
	admin.mustLogin("admin", "admin")
	alice := newClient(t, srv.URL)
	alice.mustLogin("alice", "alice")
	aliceKey, adminKey := session.Key(alice.sid()), session.Key(admin.sid())

	for _, tt := range []struct {
		who  *client
		path string
		form url.Values
	}{
		{admin, "/dashboard/revoke", url.Values{"key": {aliceKey}}},
		{admin, "/dashboard/revoke-user", url.Values{"user": {"alice"}}},
		{admin, "/dashboard/revoke", url.Values{"key": {aliceKey}, "csrf_token": {alice.token()}}},
		{alice, "/dashboard/revoke", url.Values{"key": {adminKey}, "csrf_token": {alice.token()}}},
		{alice, "/dashboard/revoke-user", url.Values{"user": {"admin"}, "csrf_token": {alice.token()}}},
		{alice, "/dashboard/revoke", url.Values{"key": {adminKey}}},
	} {
		if r := tt.who.post(tt.path, tt.form); r.status != http.StatusForbidden {
			t.Errorf("POST %s %v: status %d, want 403", tt.path, tt.form, r.status)
		}
	}
	if body := alice.get("/").body; !strings.Contains(body, `id="user">alice<`) {
		t.Errorf("alice was signed out by a refused revocation")
	}
	if body := admin.get("/").body; !strings.Contains(body, `id="user">admin<`) {
		t.Errorf("admin was signed out by a refused revocation")
	}

	page := admin.get("/dashboard").body
	events := admin.stream("/dashboard/events")
	snap := nextSnapshot(t, events, func(s *snapshot) bool { return len(s.Sessions) == 2 })
	for _, id := range []string{alice.sid(), admin.sid()} {
		if id == "" || strings.Contains(page, id) {
			t.Errorf("the dashboard page holds a session ID")
		}
		for _, row := range snap.Sessions {
			if row.Key == id || row.Short == id[:12] {
				t.Errorf("a dashboard row holds a session ID")
			}
		}
	}
}

// TestDashboardFollowsLifecycle: the admin's stream shows, without a poll,
// another admin client's revocation, a renewal (a login over a session) and
// an expiry found by the sweeper.
func TestDashboardFollowsLifecycle(t *testing.T) {
	clock := testutil.NewClock(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	st, err := memstore.New(&memstore.Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	a, srv := newTestApp(t, st, func(o *Options) {
		o.Now = clock.Now
		o.Session = &session.Options{Now: clock.Now, IdleTimeout: time.Minute, SweepInterval: -1}
	})
	alice := newClient(t, srv.URL)
	alice.mustLogin("alice", "alice")
	clock.Advance(50 * time.Second)
	admin := newClient(t, srv.URL)
	admin.mustLogin("admin", "admin")
	events := admin.stream("/dashboard/events")
	nextSnapshot(t, events, func(s *snapshot) bool { return contains(principals(s), "alice") })

	bob := newClient(t, srv.URL)
	bob.mustLogin("bob", "bob")
	old := session.Key(bob.sid())
	nextSnapshot(t, events, func(s *snapshot) bool { return contains(principals(s), "bob") })
	bob.mustLogin("bob", "bob") // renews bob's ID
	renewed := session.Key(bob.sid())
	nextSnapshot(t, events, func(s *snapshot) bool {
		keys := map[string]bool{}
		for _, r := range s.Sessions {
			keys[r.Key] = true
		}
		return keys[renewed] && !keys[old]
	})

	// Another admin client revokes bob.
	admin2 := newClient(t, srv.URL)
	admin2.mustLogin("admin", "admin")
	if r := admin2.post("/dashboard/revoke-user", url.Values{"user": {"bob"}, "csrf_token": {admin2.token()}}); r.status != http.StatusSeeOther {
		t.Fatalf("revoke-user bob: status %d, want 303", r.status)
	}
	nextSnapshot(t, events, func(s *snapshot) bool { return !contains(principals(s), "bob") })

	// alice has been idle 70s, the admins 20s.
	clock.Advance(20 * time.Second)
	if n, err := a.Manager().Sweep(t.Context()); err != nil || n != 1 {
		t.Fatalf("Sweep = %d, %v; want alice's session expired", n, err)
	}
	snap := nextSnapshot(t, events, func(s *snapshot) bool { return !contains(principals(s), "alice") })
	if snap.Active != 2 {
		t.Errorf("after the expiry: %d active sessions, want the 2 admins'", snap.Active)
	}
	if body := admin.get("/metrics").body; !strings.Contains(body, "httpstate_sessions_expired_total 1\n") {
		t.Errorf("metrics do not count alice's expiry")
	}
}
