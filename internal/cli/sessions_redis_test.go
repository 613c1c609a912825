package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/httpstate/httpstate/internal/testutil"
	"github.com/httpstate/httpstate/session"
	"github.com/httpstate/httpstate/store/redisstore"
)

// redisApp is an application's server on a Redis store: its own store and
// session.Manager behind an httptest server. Its routes:
//
//	/login?u=U  sets the principal to U
//	/whoami     the principal, or "new" for a session the request created
type redisApp struct {
	mgr *session.Manager
	srv *httptest.Server
}

func startRedisApp(t *testing.T, storeURL string) *redisApp {
	t.Helper()
	st, err := redisstore.Dial(context.Background(), storeURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	mgr, err := session.New(&session.Options{Store: st, SweepInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/login", func(w http.ResponseWriter, r *http.Request) {
		if err := session.FromRequest(r).SetPrincipal(r.URL.Query().Get("u")); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
	})
	mux.HandleFunc("/whoami", func(w http.ResponseWriter, r *http.Request) {
		s := session.FromRequest(r)
		if s.IsNew() {
			io.WriteString(w, "new")
			return
		}
		io.WriteString(w, s.Principal())
	})
	srv := httptest.NewServer(mgr.Handler(mux))
	t.Cleanup(func() {
		srv.Close()
		mgr.Close()
		st.Close()
	})
	return &redisApp{mgr: mgr, srv: srv}
}

// browser is an HTTP client with its own cookie jar.
func (a *redisApp) browser(t *testing.T) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, Timeout: 10 * time.Second}
}

func (a *redisApp) get(t *testing.T, c *http.Client, path string) string {
	t.Helper()
	resp, err := c.Get(a.srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %q %v", path, resp.StatusCode, b, err)
	}
	return string(b)
}

// TestSessionsRedisRevokeUserSharedWithApp: "revoke --user" on a Redis
// store a running app uses logs the user out everywhere: every browser of
// that user comes back with a new session, and nobody else's session ends.
func TestSessionsRedisRevokeUserSharedWithApp(t *testing.T) {
	srv := testutil.StartRedis(t, nil)
	storeURL := "redis://" + srv.Addr() + "/0"
	app := startRedisApp(t, storeURL)
	alice := []*http.Client{app.browser(t), app.browser(t), app.browser(t)}
	bob := app.browser(t)
	for _, c := range alice {
		app.get(t, c, "/login?u=alice")
	}
	app.get(t, bob, "/login?u=bob")
	for _, c := range alice {
		if got := app.get(t, c, "/whoami"); got != "alice" {
			t.Fatalf("before revoke: whoami = %q, want alice", got)
		}
	}
	out, _, err := runSessionsNow(t, "--store", storeURL, "list", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var list []sessionJSON
	if err := json.Unmarshal([]byte(out), &list); err != nil || len(list) != 4 {
		t.Fatalf("list --json: %d sessions, %v, want 4:\n%s", len(list), err, out)
	}
	out, _, err = runSessionsNow(t, "--store", storeURL, "revoke", "--user", "alice", "--json")
	if err != nil {
		t.Fatalf("revoke --user alice: %v", err)
	}
	var res map[string]int
	if err := json.Unmarshal([]byte(out), &res); err != nil || res["revoked"] != 3 {
		t.Fatalf("revoke --user alice --json = %q (%v), want 3 revoked", out, err)
	}
	for i, c := range alice {
		if got := app.get(t, c, "/whoami"); got != "new" {
			t.Errorf("alice's browser %d after revoke: whoami = %q, want a new session", i, got)
		}
	}
	if got := app.get(t, bob, "/whoami"); got != "bob" {
		t.Errorf("bob after alice's revocation: whoami = %q, want bob", got)
	}
	if ms, err := app.mgr.ByPrincipal(context.Background(), "alice"); err != nil || len(ms) != 0 {
		t.Errorf("app's ByPrincipal(alice) after revoke: %d, %v; want none", len(ms), err)
	}
	// One session by its key prefix, as "list" shows it.
	ms, err := app.mgr.ByPrincipal(context.Background(), "bob")
	if err != nil || len(ms) != 1 {
		t.Fatalf("ByPrincipal(bob): %v, %v", ms, err)
	}
	if _, errOut, err := runSessionsNow(t, "--store", storeURL, "revoke", "--", ms[0].Key[:12]); err != nil || !strings.Contains(errOut, "revoked 1 session") {
		t.Fatalf("revoke %s: %v, stderr %q", ms[0].Key[:12], err, errOut)
	}
	if got := app.get(t, bob, "/whoami"); got != "new" {
		t.Errorf("bob after his revocation: whoami = %q, want a new session", got)
	}
}

// TestSessionsRedisLarge lists, counts and revokes in a store of 2,000
// sessions: every session is listed once, in order, and the counts agree.
func TestSessionsRedisLarge(t *testing.T) {
	srv := testutil.StartRedis(t, nil)
	storeURL := "redis://" + srv.Addr() + "/0"
	ctx := context.Background()
	st, err := redisstore.Dial(ctx, storeURL, &redisstore.Options{Now: func() time.Time { return tNow }})
	if err != nil {
		t.Fatal(err)
	}
	const n = 2000
	for i := range n {
		p := ""
		if i%4 != 0 {
			p = fmt.Sprintf("user%d", i%10)
		}
		at := tNow.Add(-time.Duration(i) * time.Second)
		r := &session.Record{Key: session.Key(fmt.Sprint("id", i)), Principal: p, Created: at.Add(-time.Minute), LastAccess: at,
			IdleTimeout: 24 * time.Hour, Deadline: tNow.Add(24 * time.Hour)}
		if err := st.Create(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()
	out, _, err := runSessions(t, false, "--store", storeURL, "list")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != n {
		t.Fatalf("list: %d lines, want %d", len(lines), n)
	}
	for i, l := range lines {
		if want := session.Key(fmt.Sprint("id", i)); !strings.HasPrefix(l, want+"\t") {
			t.Fatalf("list line %d = %q, want session id%d (most recently used first)", i, l, i)
		}
	}
	out, _, err = runSessions(t, false, "--store", storeURL, "stats", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var stats statsJSON
	if err := json.Unmarshal([]byte(out), &stats); err != nil {
		t.Fatal(err)
	}
	if stats.Sessions != n || stats.Anonymous != n/4 || stats.Users != 10 || stats.ByUser["user1"] != n/10 {
		t.Errorf("stats: %+v", stats)
	}
	out, _, err = runSessions(t, false, "--store", storeURL, "revoke", "--user", "user1", "--json")
	if err != nil || !strings.Contains(out, fmt.Sprintf(`"revoked": %d`, n/10)) {
		t.Errorf("revoke --user user1: %q, %v", out, err)
	}
}

// TestSessionsRedisRevokeDuringRequest: a request of alice's that loaded
// her session before "revoke --user alice" and writes to it after cannot
// bring the session back: her next request gets a new one, and the write
// is nowhere in the store.
func TestSessionsRedisRevokeDuringRequest(t *testing.T) {
	srv := testutil.StartRedis(t, nil)
	storeURL := "redis://" + srv.Addr() + "/0"
	st, err := redisstore.Dial(context.Background(), storeURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	mgr, err := session.New(&session.Options{Store: st, SweepInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer mgr.Close()
	loaded, resume := make(chan struct{}), make(chan struct{})
	mux := http.NewServeMux()
	mux.HandleFunc("/login", func(w http.ResponseWriter, r *http.Request) {
		session.FromRequest(r).SetPrincipal("alice")
	})
	mux.HandleFunc("/slow-write", func(w http.ResponseWriter, r *http.Request) {
		s := session.FromRequest(r)
		if s.Principal() != "alice" {
			http.Error(w, "not alice", http.StatusForbidden)
			return
		}
		close(loaded)
		<-resume
		s.Set("written", "after the revocation")
	})
	mux.HandleFunc("/whoami", func(w http.ResponseWriter, r *http.Request) {
		s := session.FromRequest(r)
		if s.IsNew() {
			io.WriteString(w, "new")
			return
		}
		io.WriteString(w, s.Principal())
	})
	hs := httptest.NewServer(mgr.Handler(mux))
	defer hs.Close()
	app := &redisApp{mgr: mgr, srv: hs}
	alice := app.browser(t)
	app.get(t, alice, "/login")

	done := make(chan error, 1)
	go func() {
		resp, err := alice.Get(hs.URL + "/slow-write")
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	select {
	case <-loaded:
	case err := <-done:
		t.Fatalf("slow-write ended before loading: %v", err)
	}
	out, _, err := runSessionsNow(t, "--store", storeURL, "revoke", "--user", "alice", "--json")
	close(resume)
	if err != nil || !strings.Contains(out, `"revoked": 1`) {
		t.Fatalf("revoke --user alice during a request: %q, %v", out, err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := app.get(t, alice, "/whoami"); got != "new" {
		t.Errorf("alice after revocation and a late write: whoami = %q, want a new session", got)
	}
	if out, _, err := runSessionsNow(t, "--store", storeURL, "list", "--user", "alice"); err != nil || out != "" {
		t.Errorf("list --user alice after the late write: %q, %v; want nothing", out, err)
	}
	var keys []string
	if err := mgr.Iterate(context.Background(), func(m session.Meta) bool { keys = append(keys, m.Key); return true }); err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		rec, found, err := st.Load(context.Background(), k)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := rec.Attrs["written"]; found && ok {
			t.Errorf("session %s holds the late write", k[:8])
		}
	}
}
