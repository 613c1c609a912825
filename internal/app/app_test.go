package app

import (
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/httpstate/httpstate/internal/testutil"
	"github.com/httpstate/httpstate/session"
	"github.com/httpstate/httpstate/store/memstore"
	"github.com/httpstate/httpstate/store/redisstore"
)

func TestLoginRenewsID(t *testing.T) {
	forEachStore(t, func(t *testing.T, open func(testing.TB) session.Store) {
		_, srv := newTestApp(t, open(t), nil)
		c := newClient(t, srv.URL)
		if r := c.post("/cart", url.Values{"item": {"apple"}, "csrf_token": {c.token()}}); r.status != http.StatusSeeOther {
			t.Fatalf("POST /cart: status %d, want 303", r.status)
		}
		before := c.sid()
		if before == "" {
			t.Fatal("no sid cookie before login")
		}
		preLogin := c.token()
		r := c.login("alice", "alice")
		if r.status != http.StatusSeeOther || r.header.Get("Location") != "/" {
			t.Fatalf("login: status %d Location %q, want 303 /", r.status, r.header.Get("Location"))
		}
		after := c.sid()
		if after == "" || after == before {
			t.Fatalf("sid after login = %q, want a new ID (before: %q)", after, before)
		}
		home := c.get("/")
		if !strings.Contains(home.body, `id="user">alice<`) {
			t.Errorf("home after login does not name alice:\n%s", home.body)
		}
		if got, want := c.cart(), []string{"apple"}; !reflect.DeepEqual(got, want) {
			t.Errorf("cart after login = %q, want %q (renewal keeps the data)", got, want)
		}
		// Login rotated the CSRF secret: a token from before is refused.
		if r := c.post("/cart", url.Values{"item": {"stale"}, "csrf_token": {preLogin}}); r.status != http.StatusForbidden {
			t.Errorf("POST /cart with a pre-login token: status %d, want 403", r.status)
		}
		// The pre-login ID is dead: a request carrying it gets a fresh,
		// anonymous session.
		old := c.withCookie(before)
		if got := old.cart(); len(got) != 0 {
			t.Errorf("cart with the old cookie = %q, want empty", got)
		}
		if body := old.get("/").body; strings.Contains(body, `id="user"`) {
			t.Errorf("home with the old cookie shows a signed-in user:\n%s", body)
		}
	})
}

var badLogins = []struct{ user, password string }{
	{"alice", "bob"},
	{"alice", ""},
	{"alice", "alicealice"},
	{"mallory", "mallory"},
	{"", ""},
	{"Alice", "alice"},
}

func TestLoginBadPassword(t *testing.T) {
	forEachStore(t, func(t *testing.T, open func(testing.TB) session.Store) {
		_, srv := newTestApp(t, open(t), nil)
		for _, tt := range badLogins {
			c := newClient(t, srv.URL)
			c.token() // establishes the session
			before := c.sid()
			r := c.login(tt.user, tt.password)
			if r.status != http.StatusUnauthorized {
				t.Errorf("login(%q, %q): status %d, want 401", tt.user, tt.password, r.status)
			}
			if !strings.Contains(r.body, "Wrong user name or password") {
				t.Errorf("login(%q, %q): body lacks the error message", tt.user, tt.password)
			}
			if got := c.sid(); got != before {
				t.Errorf("login(%q, %q): sid changed from %q to %q", tt.user, tt.password, before, got)
			}
			if body := c.get("/").body; strings.Contains(body, `id="user"`) {
				t.Errorf("login(%q, %q): a user is signed in after a failed login", tt.user, tt.password)
			}
		}
	})
}

func TestLogout(t *testing.T) {
	forEachStore(t, func(t *testing.T, open func(testing.TB) session.Store) {
		_, srv := newTestApp(t, open(t), nil)
		c := newClient(t, srv.URL)
		c.mustLogin("bob", "bob")
		sid := c.sid()
		r := c.post("/logout", url.Values{"csrf_token": {c.token()}})
		if r.status != http.StatusSeeOther || r.header.Get("Location") != "/" {
			t.Fatalf("logout: status %d Location %q, want 303 /", r.status, r.header.Get("Location"))
		}
		expired := false
		for _, sc := range r.header.Values("Set-Cookie") {
			if strings.HasPrefix(sc, "sid=") && (strings.Contains(sc, "Max-Age=0") || strings.Contains(sc, "Max-Age=-1")) {
				expired = true
			}
		}
		if !expired {
			t.Errorf("logout: Set-Cookie %q does not expire sid", r.header.Values("Set-Cookie"))
		}
		if c.sid() != "" {
			t.Errorf("the jar still holds sid after logout")
		}
		if body := c.get("/").body; strings.Contains(body, `id="user"`) {
			t.Errorf("home after logout shows a signed-in user")
		}
		if body := c.withCookie(sid).get("/").body; strings.Contains(body, `id="user"`) {
			t.Errorf("the logged-out session ID still signs bob in")
		}
	})
}

func TestCart(t *testing.T) {
	forEachStore(t, func(t *testing.T, open func(testing.TB) session.Store) {
		_, srv := newTestApp(t, open(t), nil)
		c := newClient(t, srv.URL)
		if got := c.cart(); len(got) != 0 {
			t.Fatalf("new cart = %q, want empty", got)
		}
		tok := c.token()
		r := c.post("/cart", url.Values{"item": {"pear"}, "csrf_token": {tok}})
		if r.status != http.StatusSeeOther || r.header.Get("Location") != "/" {
			t.Fatalf("POST /cart (form): status %d Location %q, want 303 /", r.status, r.header.Get("Location"))
		}
		r = c.post("/cart", url.Values{"item": {"fig"}}, "Accept", "application/json", "X-CSRF-Token", tok)
		if r.status != http.StatusOK {
			t.Fatalf("POST /cart (JSON): status %d, want 200", r.status)
		}
		if want := `{"items":["pear","fig"]}`; strings.TrimSpace(r.body) != want {
			t.Errorf("POST /cart (JSON): body %q, want %q", r.body, want)
		}
		if got, want := c.cart(), []string{"pear", "fig"}; !reflect.DeepEqual(got, want) {
			t.Errorf("GET /cart = %q, want %q", got, want)
		}
		if home := c.get("/").body; !strings.Contains(home, "<li>pear</li><li>fig</li>") {
			t.Errorf("home page does not list the cart")
		}
		// Another client has its own cart.
		if got := newClient(t, srv.URL).cart(); len(got) != 0 {
			t.Errorf("another client's cart = %q, want empty", got)
		}
		for _, bad := range []string{"", "   ", strings.Repeat("x", maxItemLen+1), "a\x00b", "\xff"} {
			r := c.post("/cart", url.Values{"item": {bad}, "csrf_token": {tok}})
			if r.status != http.StatusBadRequest {
				t.Errorf("POST /cart item=%q: status %d, want 400", bad, r.status)
			}
		}
		if got, want := c.cart(), []string{"pear", "fig"}; !reflect.DeepEqual(got, want) {
			t.Errorf("cart after bad items = %q, want %q", got, want)
		}
	})
}

// TestCartConcurrent adds items from many concurrent requests of one session:
// session.Update must not lose any.
func TestCartConcurrent(t *testing.T) {
	forEachStore(t, func(t *testing.T, open func(testing.TB) session.Store) {
		_, srv := newTestApp(t, open(t), nil)
		c := newClient(t, srv.URL)
		tok := c.token()
		const n = 20
		errs := make(chan string, n)
		for i := range n {
			go func() {
				r := c.post("/cart", url.Values{"item": {"item" + string(rune('a'+i))}}, "Accept", "application/json", "X-CSRF-Token", tok)
				if r.status != http.StatusOK {
					errs <- r.body
					return
				}
				errs <- ""
			}()
		}
		for range n {
			if e := <-errs; e != "" {
				t.Errorf("concurrent POST /cart failed: %s", e)
			}
		}
		if got := c.cart(); len(got) != n {
			t.Errorf("cart has %d items after %d concurrent additions: %q", len(got), n, got)
		}
	})
}

var csrfCases = []struct {
	name  string
	token func(good string) (field, header string)
}{
	{"no token", func(string) (string, string) { return "", "" }},
	{"wrong field", func(string) (string, string) { return strings.Repeat("A", 86), "" }},
	{"wrong header", func(string) (string, string) { return "", strings.Repeat("A", 86) }},
	{"garbage", func(string) (string, string) { return "not-a-token", "" }},
	{"truncated", func(good string) (string, string) { return good[:len(good)-1], "" }},
}

func TestCSRFRejected(t *testing.T) {
	forEachStore(t, func(t *testing.T, open func(testing.TB) session.Store) {
		_, srv := newTestApp(t, open(t), nil)
		c := newClient(t, srv.URL)
		good := c.token()
		c.post("/cart", url.Values{"item": {"kept"}, "csrf_token": {good}})
		// A token of another session is no good either.
		foreign := newClient(t, srv.URL).token()
		cases := append(csrfCases[:len(csrfCases):len(csrfCases)], struct {
			name  string
			token func(string) (string, string)
		}{"other session's token", func(string) (string, string) { return foreign, "" }})
		sid := c.sid()
		for _, tt := range cases {
			field, header := tt.token(good)
			form := url.Values{"item": {"evil"}, "user": {"alice"}, "password": {"alice"}}
			if field != "" {
				form.Set("csrf_token", field)
			}
			var hdr []string
			if header != "" {
				hdr = []string{"X-CSRF-Token", header}
			}
			for _, path := range []string{"/cart", "/login", "/logout"} {
				if r := c.post(path, form, hdr...); r.status != http.StatusForbidden {
					t.Errorf("%s: POST %s: status %d, want 403", tt.name, path, r.status)
				}
			}
		}
		if got, want := c.cart(), []string{"kept"}; !reflect.DeepEqual(got, want) {
			t.Errorf("cart after forged requests = %q, want %q", got, want)
		}
		if c.sid() != sid {
			t.Errorf("session ID changed by forged requests")
		}
		if body := c.get("/").body; strings.Contains(body, `id="user"`) {
			t.Errorf("a forged login signed a user in")
		}
	})
}

func TestHomePage(t *testing.T) {
	_, srv := newTestApp(t, storeFactories[0].open(t), nil)
	c := newClient(t, srv.URL)
	r := c.get("/")
	if r.status != http.StatusOK {
		t.Fatalf("GET /: status %d", r.status)
	}
	for _, want := range []string{`name="csrf_token"`, `action="/login"`, `action="/cart"`, "30m0s", "24h0m0s"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("GET /: body lacks %q", want)
		}
	}
	csp := r.header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "script-src 'nonce-") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("Content-Security-Policy = %q", csp)
	}
	if got := r.header.Get("Referrer-Policy"); got != "no-referrer" {
		t.Errorf("Referrer-Policy = %q, want no-referrer", got)
	}
	if strings.Contains(r.body, c.sid()) {
		t.Errorf("the page contains the session ID")
	}
	if r := c.get("/nowhere"); r.status != http.StatusNotFound {
		t.Errorf("GET /nowhere: status %d, want 404", r.status)
	}
	if r := c.get("/healthz"); r.status != http.StatusOK {
		t.Errorf("GET /healthz: status %d, want 200", r.status)
	}
	for _, asset := range []string{"/static/app.css", "/static/dashboard.js"} {
		if r := c.get(asset); r.status != http.StatusOK || len(r.body) < 100 {
			t.Errorf("GET %s: status %d, %d bytes", asset, r.status, len(r.body))
		}
	}
	// The asset directory is not listed.
	if r := c.get("/static/"); r.status != http.StatusNotFound || strings.Contains(r.body, "dashboard.js") {
		t.Errorf("GET /static/: status %d, body %q; want 404 without a listing", r.status, r.body)
	}
}

// TestURLRewriting follows the app with a client that keeps no cookies.
func TestURLRewriting(t *testing.T) {
	_, srv := newTestApp(t, storeFactories[0].open(t), func(o *Options) {
		o.Session = &session.Options{URLRewriting: true}
	})
	c := newClient(t, srv.URL)
	c.hc.Jar = nil
	home := c.get("/")
	m := regexp.MustCompile(`action="(/login;sid=[^"]+)"`).FindStringSubmatch(home.body)
	if m == nil {
		t.Fatalf("login form action is not rewritten:\n%s", home.body)
	}
	tok := regexp.MustCompile(`name="csrf_token" value="([^"]+)"`).FindStringSubmatch(home.body)
	if tok == nil {
		t.Fatal("no csrf token in the page")
	}
	r := c.post(m[1], url.Values{"user": {"alice"}, "password": {"alice"}, "csrf_token": {tok[1]}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("POST %s: status %d, want 303: %s", m[1], r.status, r.body)
	}
	loc := r.header.Get("Location")
	if !strings.HasPrefix(loc, "/;sid=") || strings.Contains(m[1], strings.TrimPrefix(loc, "/")) {
		t.Fatalf("redirect after login = %q, want /;sid=NEWID (old action %q)", loc, m[1])
	}
	if body := c.get(loc).body; !strings.Contains(body, `id="user">alice<`) {
		t.Errorf("GET %s does not show alice signed in", loc)
	}
	// The cookie-less client is not signed in at a plain URL.
	if body := c.get("/").body; strings.Contains(body, `id="user"`) {
		t.Errorf("GET / without the path parameter shows a user")
	}
}

func TestDashboardForbidden(t *testing.T) {
	_, srv := newTestApp(t, storeFactories[0].open(t), nil)
	anon := newClient(t, srv.URL)
	alice := newClient(t, srv.URL)
	alice.mustLogin("alice", "alice")
	for _, c := range []*client{anon, alice} {
		for _, path := range []string{"/dashboard", "/dashboard/events"} {
			if r := c.get(path); r.status != http.StatusForbidden {
				t.Errorf("GET %s: status %d, want 403", path, r.status)
			}
		}
		r := c.post("/dashboard/revoke-user", url.Values{"user": {"alice"}, "csrf_token": {c.token()}})
		if r.status != http.StatusForbidden {
			t.Errorf("POST /dashboard/revoke-user: status %d, want 403", r.status)
		}
	}
	if body := alice.get("/").body; !strings.Contains(body, `id="user">alice<`) {
		t.Errorf("alice was logged out by a forbidden revoke")
	}
}

func TestDashboard(t *testing.T) {
	forEachStore(t, func(t *testing.T, open func(testing.TB) session.Store) {
		_, srv := newTestApp(t, open(t), nil)
		admin := newClient(t, srv.URL)
		admin.mustLogin("admin", "admin")
		bob := newClient(t, srv.URL)
		bob.mustLogin("bob", "bob")
		r := admin.get("/dashboard")
		if r.status != http.StatusOK {
			t.Fatalf("GET /dashboard: status %d", r.status)
		}
		for _, want := range []string{`id="sessions"`, `<svg id="chart"`, `/static/dashboard.js`, `name="key"`, `value="bob"`} {
			if !strings.Contains(r.body, want) {
				t.Errorf("dashboard lacks %q", want)
			}
		}
		if !strings.Contains(r.body, `id="active">2<`) {
			t.Errorf("dashboard does not count 2 active sessions")
		}
		// The script carries this response's CSP nonce.
		nonce := regexp.MustCompile(`'nonce-([^']+)'`).FindStringSubmatch(r.header.Get("Content-Security-Policy"))
		if nonce == nil || !strings.Contains(r.body, `<script nonce="`+nonce[1]+`" src="/static/dashboard.js">`) {
			t.Errorf("the dashboard script lacks the CSP nonce %q", nonce)
		}
	})
}

// TestDashboardEvents: the admin's event stream delivers another client's
// login without a poll (PollInterval is an hour): the session listener wakes
// it.
func TestDashboardEvents(t *testing.T) {
	forEachStore(t, func(t *testing.T, open func(testing.TB) session.Store) {
		_, srv := newTestApp(t, open(t), nil)
		admin := newClient(t, srv.URL)
		admin.mustLogin("admin", "admin")
		events := admin.stream("/dashboard/events")
		first := nextSnapshot(t, events, func(*snapshot) bool { return true })
		if got := principals(first); !reflect.DeepEqual(got, []string{"admin"}) {
			t.Fatalf("first snapshot lists %q, want [admin]", got)
		}
		if !first.Sessions[0].Current {
			t.Errorf("the admin's own session is not marked current")
		}
		bob := newClient(t, srv.URL)
		bob.mustLogin("bob", "bob")
		snap := nextSnapshot(t, events, func(s *snapshot) bool { return contains(principals(s), "bob") })
		if snap.Active != 2 || snap.Users != 2 {
			t.Errorf("snapshot after bob's login: active %d users %d, want 2 and 2", snap.Active, snap.Users)
		}
		for _, row := range snap.Sessions {
			if row.Key == "" || row.Expiry.Before(row.Created) || row.Short != row.Key[:12] {
				t.Errorf("bad row %+v", row)
			}
		}
		bob.post("/logout", url.Values{"csrf_token": {bob.token()}})
		nextSnapshot(t, events, func(s *snapshot) bool { return !contains(principals(s), "bob") })
	})
}

// TestDashboardSharedStore runs two Apps on one store, as two instances on
// one Redis would: the first one's dashboard shows a login on the second,
// which only its poll of the store can see.
func TestDashboardSharedStore(t *testing.T) {
	st := storeFactories[0].open(t)
	_, one := newTestApp(t, nopClose{st}, func(o *Options) { o.PollInterval = 20 * time.Millisecond })
	_, two := newTestApp(t, nopClose{st}, nil)
	admin := newClient(t, one.URL)
	admin.mustLogin("admin", "admin")
	events := admin.stream("/dashboard/events")
	carol := newClient(t, two.URL)
	carol.mustLogin("alice", "alice")
	nextSnapshot(t, events, func(s *snapshot) bool { return contains(principals(s), "alice") })
}

// nopClose shares a store between Apps: only the test closes it.
type nopClose struct{ session.Store }

func (nopClose) Close() error { return nil }

func TestRevoke(t *testing.T) {
	forEachStore(t, func(t *testing.T, open func(testing.TB) session.Store) {
		a, srv := newTestApp(t, open(t), nil)
		admin := newClient(t, srv.URL)
		admin.mustLogin("admin", "admin")
		alice := newClient(t, srv.URL)
		alice.mustLogin("alice", "alice")
		bob1, bob2 := newClient(t, srv.URL), newClient(t, srv.URL)
		bob1.mustLogin("bob", "bob")
		bob2.mustLogin("bob", "bob")

		aliceKey := session.Key(alice.sid())
		r := admin.post("/dashboard/revoke", url.Values{"key": {aliceKey}, "csrf_token": {admin.token()}})
		if r.status != http.StatusSeeOther || r.header.Get("Location") != "/dashboard" {
			t.Fatalf("revoke: status %d Location %q, want 303 /dashboard", r.status, r.header.Get("Location"))
		}
		if body := alice.get("/").body; strings.Contains(body, `id="user"`) {
			t.Errorf("alice is still signed in after revocation")
		}
		r = admin.post("/dashboard/revoke-user", url.Values{"user": {"bob"}, "csrf_token": {admin.token()}})
		if r.status != http.StatusSeeOther {
			t.Fatalf("revoke-user: status %d, want 303", r.status)
		}
		for i, b := range []*client{bob1, bob2} {
			if body := b.get("/").body; strings.Contains(body, `id="user"`) {
				t.Errorf("bob's session %d survived revoke-user", i+1)
			}
		}
		metas, err := a.Manager().ByPrincipal(t.Context(), "bob")
		if err != nil || len(metas) != 0 {
			t.Errorf("ByPrincipal(bob) = %v, %v; want none", metas, err)
		}
		if body := admin.get("/").body; !strings.Contains(body, `id="user">admin<`) {
			t.Errorf("the admin lost their own session")
		}
		// Revoking one's own session lands on the home page.
		r = admin.post("/dashboard/revoke", url.Values{"key": {session.Key(admin.sid())}, "csrf_token": {admin.token()}})
		if r.status != http.StatusSeeOther || r.header.Get("Location") != "/" {
			t.Errorf("self-revoke: status %d Location %q, want 303 /", r.status, r.header.Get("Location"))
		}
	})
}

func TestMetrics(t *testing.T) {
	_, srv := newTestApp(t, storeFactories[0].open(t), nil)
	alice := newClient(t, srv.URL)
	alice.mustLogin("alice", "alice")
	bob := newClient(t, srv.URL)
	bob.mustLogin("bob", "bob")
	bob.login("bob", "wrong")
	bob.post("/logout", url.Values{"csrf_token": {bob.token()}})
	r := alice.get("/metrics")
	if r.status != http.StatusOK {
		t.Fatalf("GET /metrics: status %d", r.status)
	}
	for _, want := range []string{
		"httpstate_sessions_created_total 2\n",
		"httpstate_sessions_renewed_total 2\n",
		"httpstate_sessions_invalidated_total 1\n",
		"httpstate_sessions_expired_total 0\n",
		"httpstate_sessions_active 1\n",
		`httpstate_logins_total{result="ok"} 2` + "\n",
		`httpstate_logins_total{result="failed"} 1` + "\n",
		`httpstate_store_operation_duration_seconds_bucket{op="create",le="+Inf"} 2` + "\n",
		`httpstate_store_operation_duration_seconds_count{op="rename"} 2` + "\n",
		"go_goroutines ",
	} {
		if !strings.Contains(r.body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	if t.Failed() {
		t.Logf("metrics:\n%s", r.body)
	}
}

// TestExpiredMetric drives expiry with a fake clock: a sweep after the idle
// timeout reports the session expired.
func TestExpiredMetric(t *testing.T) {
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
	clock.Advance(2 * time.Minute)
	n, err := a.Manager().Sweep(t.Context())
	if err != nil || n != 1 {
		t.Fatalf("Sweep = %d, %v; want 1 expired", n, err)
	}
	body := alice.get("/metrics").body
	for _, want := range []string{"httpstate_sessions_expired_total 1\n", "httpstate_sessions_active 0\n"} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	if home := alice.get("/").body; strings.Contains(home, `id="user"`) {
		t.Errorf("alice is signed in after her session expired")
	}
}

// TestDashboardTwoInstancesRedis runs two Apps, each with its own client and
// store on one redis-server: the first one's dashboard shows a login on the
// second, and a revocation on the first ends a session made on the second.
func TestDashboardTwoInstancesRedis(t *testing.T) {
	srv := testutil.StartRedis(t, nil)
	open := func() session.Store {
		client := redis.NewClient(&redis.Options{Addr: srv.Addr()})
		t.Cleanup(func() { client.Close() })
		st, err := redisstore.New(client, nil)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	_, one := newTestApp(t, open(), func(o *Options) { o.PollInterval = 20 * time.Millisecond })
	_, two := newTestApp(t, open(), nil)
	admin := newClient(t, one.URL)
	admin.mustLogin("admin", "admin")
	events := admin.stream("/dashboard/events")
	alice := newClient(t, two.URL)
	alice.mustLogin("alice", "alice")
	snap := nextSnapshot(t, events, func(s *snapshot) bool { return contains(principals(s), "alice") })
	var key string
	for _, row := range snap.Sessions {
		if row.Principal == "alice" {
			key = row.Key
		}
	}
	if key != session.Key(alice.sid()) {
		t.Fatalf("dashboard key for alice %q, want %q", key, session.Key(alice.sid()))
	}
	admin.post("/dashboard/revoke", url.Values{"key": {key}, "csrf_token": {admin.token()}})
	if body := alice.get("/").body; strings.Contains(body, `id="user"`) {
		t.Errorf("alice is still signed in on instance two after revocation on instance one")
	}
}
