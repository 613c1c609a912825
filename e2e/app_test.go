package e2e

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// browserCookies returns the cookies the browser holds for u.
func browserCookies(t *testing.T, ctx context.Context, u string) []*network.Cookie {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	cookies, err := chromedp.Run(tctx, func(ctx context.Context, tg *chromedp.Target) ([]*network.Cookie, error) {
		r, err := cdp.Call(ctx, tg, network.GetCookies, network.GetCookiesParams{URLs: []string{u}})
		if err != nil {
			return nil, err
		}
		return r.Cookies, nil
	})
	if err != nil {
		t.Fatalf("Network.getCookies: %v", err)
	}
	return cookies
}

// TestLoginCartLogout: a user logs in, fills the cart and logs out; the
// session cookie is HttpOnly, so page scripts never see it.
func TestLoginCartLogout(t *testing.T) {
	srv := startServer(t, "--store", "memory:")
	ctx := newBrowser(t, browserOptions{})
	run(t, ctx, chromedp.Navigate(srv.URL+"/"))
	login(t, ctx, "alice", "alice")
	waitFor(t, ctx, "alice signed in", `document.getElementById("user")?.textContent === "alice"`)

	for _, item := range []string{"apple", "pear"} {
		run(t, ctx,
			chromedp.WaitVisible(chromedp.ID("cart-item")),
			chromedp.SendKeys(chromedp.ID("cart-item"), item),
			chromedp.Click(chromedp.ID("cart-add")),
		)
		waitFor(t, ctx, "item "+item+" in the cart",
			`[...document.querySelectorAll("#cart-items li")].some(li => li.textContent === "`+item+`")`)
	}
	if got := eval[string](t, ctx, `[...document.querySelectorAll("#cart-items li")].map(li => li.textContent).join(",")`); got != "apple,pear" {
		t.Errorf("cart list = %q, want apple,pear", got)
	}

	// The browser holds the session cookie, HttpOnly and SameSite=Lax...
	var sid *network.Cookie
	for _, c := range browserCookies(t, ctx, srv.URL+"/") {
		if c.Name == "sid" {
			sid = c
		}
	}
	if sid == nil {
		t.Fatal("the browser holds no sid cookie")
	}
	if !sid.HTTPOnly || sid.SameSite != network.CookieSameSiteLax || sid.Path != "/" {
		t.Errorf("sid cookie: HttpOnly %v SameSite %q Path %q; want true, Lax, /", sid.HTTPOnly, sid.SameSite, sid.Path)
	}
	// ...which scripts cannot read.
	if dc := eval[string](t, ctx, `document.cookie`); strings.Contains(dc, "sid") || strings.Contains(dc, sid.Value) {
		t.Errorf("document.cookie = %q exposes the session cookie", dc)
	}
	// The page never prints the ID either.
	if html := eval[string](t, ctx, `document.documentElement.outerHTML`); strings.Contains(html, sid.Value) {
		t.Errorf("the page contains the session ID")
	}

	run(t, ctx, chromedp.Click(chromedp.ID("logout")))
	waitFor(t, ctx, "the login form after logout", `document.getElementById("login-form") !== null`)
	if eval[bool](t, ctx, `document.getElementById("cart-items") !== null`) {
		t.Errorf("the cart survived logout")
	}
	for _, c := range browserCookies(t, ctx, srv.URL+"/") {
		if c.Name == "sid" && c.Value == sid.Value {
			t.Errorf("the browser still holds the logged-out session's cookie")
		}
	}
	if !strings.Contains(srv.log(), "msg=logout") {
		t.Errorf("the server logged no logout:\n%s", srv.log())
	}
}

// TestURLRewritingWithoutCookies: in a browser that blocks every cookie, the
// session lives in the URL (";sid=ID") when the server allows URL rewriting.
func TestURLRewritingWithoutCookies(t *testing.T) {
	srv := startServer(t, "--store", "memory:", "--url-rewriting")
	ctx := newBrowser(t, browserOptions{blockCookies: true})
	run(t, ctx, chromedp.Navigate(srv.URL+"/"))
	action := eval[string](t, ctx, `document.getElementById("login-form").getAttribute("action")`)
	if !strings.HasPrefix(action, "/login;sid=") {
		t.Fatalf("login form action = %q, want /login;sid=ID (the browser sent no cookie)", action)
	}
	login(t, ctx, "bob", "bob")
	waitFor(t, ctx, "bob signed in", `document.getElementById("user")?.textContent === "bob"`)
	loc := eval[string](t, ctx, `location.pathname`)
	if !strings.HasPrefix(loc, "/;sid=") || strings.Contains(action, strings.TrimPrefix(loc, "/")) {
		t.Errorf("location after login = %q, want /;sid=NEWID (renewed; the login form had %q)", loc, action)
	}
	run(t, ctx,
		chromedp.SendKeys(chromedp.ID("cart-item"), "fig"),
		chromedp.Click(chromedp.ID("cart-add")),
	)
	waitFor(t, ctx, "fig in the cart", `document.querySelector("#cart-items li")?.textContent === "fig"`)
	if got := eval[string](t, ctx, `document.getElementById("user")?.textContent || ""`); got != "bob" {
		t.Errorf("after adding to the cart the page shows user %q, want bob", got)
	}
	if cookies := browserCookies(t, ctx, srv.URL+"/"); len(cookies) != 0 {
		t.Errorf("the cookie-blocking browser holds cookies: %v", cookies)
	}
	// Without the path parameter the session is not found.
	run(t, ctx, chromedp.Navigate(srv.URL+"/"))
	if eval[bool](t, ctx, `document.getElementById("user") !== null`) {
		t.Errorf("a plain URL shows a signed-in user to a browser without cookies")
	}

	// The admin's links and the dashboard's event stream carry the ID too.
	login(t, ctx, "admin", "admin")
	waitFor(t, ctx, "admin signed in", `document.getElementById("user")?.textContent === "admin"`)
	run(t, ctx, chromedp.Click(chromedp.CSS(`nav a[href^="/dashboard;sid="]`)))
	waitFor(t, ctx, "the live dashboard", `document.getElementById("status")?.classList.contains("live") &&
		document.getElementById("dashboard").dataset.updates >= 1`)
	if ev := eval[string](t, ctx, `document.getElementById("dashboard").dataset.events`); !strings.HasPrefix(ev, "/dashboard/events;sid=") {
		t.Errorf("event stream URL = %q, want /dashboard/events;sid=ID", ev)
	}
	if n := eval[int](t, ctx, `[...document.querySelectorAll("#sessions tr td:nth-child(2)")].filter(td => td.textContent === "admin" || td.textContent === "bob").length`); n != 2 {
		t.Errorf("the dashboard lists %d of the sessions of admin and bob, want 2", n)
	}
}

// TestIdleExpiry: with --idle 4s a session survives while used and ends
// after four idle seconds. This test waits in real time (about 11 s).
//
// The idle timeout bounds the time between two uses, each a reload of the
// page: on a loaded machine a reload (and the evaluation after it) has
// taken over a second, and with --idle 2s and half a second between uses
// the session could expire while in use. A 4 s timeout with a use at most
// every 200 ms leaves 3.8 s for the browser's round trips.
func TestIdleExpiry(t *testing.T) {
	const idle = 4 * time.Second
	srv := startServer(t, "--store", "memory:", "--idle", idle.String())
	ctx := newBrowser(t, browserOptions{})
	run(t, ctx, chromedp.Navigate(srv.URL+"/"))
	login(t, ctx, "alice", "alice")
	waitFor(t, ctx, "alice signed in", `document.getElementById("user")?.textContent === "alice"`)
	if got := eval[string](t, ctx, `document.getElementById("idle-timeout").textContent`); got != idle.String() {
		t.Errorf("idle timeout shown = %q, want %s", got, idle)
	}
	// Used for longer than the idle timeout: alive.
	for start := time.Now(); time.Since(start) < idle+time.Second; {
		time.Sleep(200 * time.Millisecond)
		run(t, ctx, chromedp.Reload())
		if !eval[bool](t, ctx, `document.getElementById("user")?.textContent === "alice"`) {
			t.Fatalf("the session ended while in use, %v after login", time.Since(start))
		}
	}
	// Idle for longer than the timeout: gone.
	time.Sleep(idle + time.Second)
	run(t, ctx, chromedp.Reload())
	waitFor(t, ctx, "the login form", `document.getElementById("login-form") !== null`)
	if eval[bool](t, ctx, `document.getElementById("user") !== null`) {
		t.Errorf("alice is still signed in after %v idle with --idle %s", idle+time.Second, idle)
	}
}

// TestDashboardLive: the admin's dashboard shows another client's login
// without a reload, and revokes that user's sessions from the page.
func TestDashboardLive(t *testing.T) {
	db := "bolt:" + t.TempDir() + "/httpstate.db"
	srv := startServer(t, "--store", db)
	ctx := newBrowser(t, browserOptions{width: 1280, height: 1000})
	run(t, ctx, chromedp.Navigate(srv.URL+"/"))
	login(t, ctx, "admin", "admin")
	waitFor(t, ctx, "admin signed in", `document.getElementById("user")?.textContent === "admin"`)
	run(t, ctx, chromedp.Navigate(srv.URL+"/dashboard"))
	waitFor(t, ctx, "the event stream", `document.getElementById("status").classList.contains("live") && document.getElementById("dashboard").dataset.updates >= 1`)
	// A marker that a reload would erase.
	eval[chromedp.Void](t, ctx, `window.noReload = true`)

	bob := newHTTPClient(t, srv.URL)
	bob.login("bob", "bob")
	waitFor(t, ctx, "bob's session in the table",
		`[...document.querySelectorAll("#sessions tr td:nth-child(2)")].some(td => td.textContent === "bob")`)
	if !eval[bool](t, ctx, `window.noReload === true`) {
		t.Fatal("the dashboard reloaded instead of updating in place")
	}
	if got := eval[string](t, ctx, `document.getElementById("active").textContent`); got != "2" {
		t.Errorf("active sessions shown = %q, want 2", got)
	}

	if *screenshot != "" {
		saveScreenshot(t, ctx, srv)
	}

	// Revoke all of bob's sessions with the button in his row.
	eval[chromedp.Void](t, ctx, `[...document.querySelectorAll("#sessions form")]
		.find(f => f.elements.user && f.elements.user.value === "bob")
		.querySelector("button").click()`)
	waitFor(t, ctx, "bob gone from the table",
		`location.pathname === "/dashboard" && document.getElementById("dashboard").dataset.updates >= 1 &&
		 ![...document.querySelectorAll("#sessions tr td:nth-child(2)")].some(td => td.textContent === "bob")`)
	if strings.Contains(bob.home(), `id="user"`) {
		t.Errorf("bob is still signed in after the dashboard revoked his sessions")
	}
}

// saveScreenshot fills the store with a few more sessions over some seconds
// (so the chart has a shape) and writes a PNG of the dashboard.
func saveScreenshot(t *testing.T, ctx context.Context, srv *server) {
	t.Helper()
	users := []string{"alice", "bob", "alice", "", "admin", "", "alice"}
	for i, u := range users {
		c := newHTTPClient(t, srv.URL)
		if u != "" {
			c.login(u, u)
		}
		for _, item := range []string{"apple", "pear", "fig", "plum"}[:i%4+1] {
			c.post("/cart", url.Values{"item": {item}})
		}
		time.Sleep(time.Second)
	}
	time.Sleep(2500 * time.Millisecond) // one more chart sample
	waitFor(t, ctx, "every session in the table", `document.querySelectorAll("#sessions tr").length >= 9`)
	tctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	png, err := chromedp.Run(tctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if err := os.WriteFile(*screenshot, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s (%d bytes)", *screenshot, len(png))
}

// TestDashboardShowsIdleExpiry: with --idle 3s, another client's session
// that goes idle leaves the admin's open dashboard without a reload, within
// the idle timeout and a sweep (serve sweeps every half idle timeout, at
// least every second), and /metrics counts the expiry. The admin's page keeps
// its own session in use meanwhile.
func TestDashboardShowsIdleExpiry(t *testing.T) {
	srv := startServer(t, "--store", "memory:", "--idle", "3s")
	ctx := newBrowser(t, browserOptions{})
	run(t, ctx, chromedp.Navigate(srv.URL+"/"))
	login(t, ctx, "admin", "admin")
	waitFor(t, ctx, "admin signed in", `document.getElementById("user")?.textContent === "admin"`)
	run(t, ctx, chromedp.Navigate(srv.URL+"/dashboard"))
	waitFor(t, ctx, "the event stream", `document.getElementById("status").classList.contains("live") && document.getElementById("dashboard").dataset.updates >= 1`)
	eval[chromedp.Void](t, ctx, `window.noReload = true; window.keepAlive = setInterval(() => fetch("/api/csrf"), 300)`)

	bob := newHTTPClient(t, srv.URL)
	bob.login("bob", "bob")
	waitFor(t, ctx, "bob's session in the table",
		`[...document.querySelectorAll("#sessions tr td:nth-child(2)")].some(td => td.textContent === "bob")`)
	seen := time.Now()
	waitFor(t, ctx, "bob's session gone from the table",
		`![...document.querySelectorAll("#sessions tr td:nth-child(2)")].some(td => td.textContent === "bob")`)
	// 3 s idle, a sweep within 1.5 s, the stream woken by the expiry event.
	if d := time.Since(seen); d > 10*time.Second {
		t.Errorf("bob's expired session left the dashboard after %v, want within about 4.5s", d)
	}
	if !eval[bool](t, ctx, `window.noReload === true && document.getElementById("status").classList.contains("live")`) {
		t.Error("the dashboard reloaded or is no longer live")
	}
	if got := eval[string](t, ctx, `document.getElementById("active").textContent`); got != "1" {
		t.Errorf("active sessions shown = %q, want 1 (the admin's)", got)
	}
	// The table may drop bob's session as soon as it is expired (a walk of
	// the store skips expired sessions) and before the sweep that reports
	// it: wait for that sweep, at most 1.5 s away, with room for a slow
	// machine.
	var body []byte
	for deadline := time.Now().Add(10 * time.Second); ; {
		resp, err := http.Get(srv.URL + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		body, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		swept := strings.Contains(string(body), "httpstate_sessions_expired_total 1\n") && strings.Contains(srv.log(), `msg="session expired"`)
		if swept || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !strings.Contains(string(body), "httpstate_sessions_expired_total 1\n") {
		t.Errorf("/metrics does not count bob's expiry:\n%s", grepLines(string(body), "httpstate_sessions_"))
	}
	if !strings.Contains(srv.log(), `msg="session expired"`) {
		t.Errorf("no \"session expired\" log line:\n%s", srv.log())
	}
}

// grepLines returns the lines of s that contain substr.
func grepLines(s, substr string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, substr) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
