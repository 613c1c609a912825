package csrf_test

import (
	"bytes"
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/httpstate/httpstate/csrf"
	"github.com/httpstate/httpstate/internal/testutil"
)

var tNow = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

var (
	keyA = bytes.Repeat([]byte{0xA1}, 32)
	keyB = bytes.Repeat([]byte{0xB2}, 32)
)

// newCookieApp starts the double-submit configuration (no sessions) on a
// fake clock; user is the binding (the "X-User" request header).
func newCookieApp(t testing.TB, keys [][]byte, clock *testutil.Clock) *app {
	t.Helper()
	src, err := csrf.DoubleSubmitCookie(&csrf.CookieOptions{
		Keys:   keys,
		MaxAge: time.Hour,
		Bind:   func(r *http.Request) string { return r.Header.Get("X-User") },
	})
	if err != nil {
		t.Fatal(err)
	}
	a := &app{}
	p := a.protector(t, &csrf.Options{Secret: src, Now: clock.Now})
	a.srv = httptest.NewTLSServer(p.Handler(a.mux(p)))
	t.Cleanup(a.srv.Close)
	return a
}

func csrfCookie(t testing.TB, c *http.Client, base string) *http.Cookie {
	t.Helper()
	u, _ := url.Parse(base)
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == "__Host-csrf" {
			return ck
		}
	}
	t.Fatalf("no __Host-csrf cookie in the jar")
	return nil
}

func TestDoubleSubmit(t *testing.T) {
	clock := testutil.NewClock(tNow)
	a := newCookieApp(t, [][]byte{keyA}, clock)
	c := a.client(t)
	resp, err := c.Get(a.srv.URL + "/token")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	sc := resp.Header.Get("Set-Cookie")
	for _, want := range []string{"__Host-csrf=", "Path=/", "Secure", "HttpOnly", "SameSite=Lax", "Max-Age=3600"} {
		if !strings.Contains(sc, want) {
			t.Errorf("Set-Cookie %q lacks %q", sc, want)
		}
	}
	if strings.Contains(sc, "Domain=") {
		t.Errorf("Set-Cookie %q has a Domain (forbidden for __Host-)", sc)
	}
	tok := fetchToken(t, c, a.srv.URL)
	if got := post(t, c, a.srv.URL+"/transfer", tok, false, nil); got != http.StatusOK {
		t.Fatalf("POST with cookie and token: status %d, want 200", got)
	}
	// Another browser's token does not match this cookie.
	other := a.client(t)
	otherTok := fetchToken(t, other, a.srv.URL)
	before := a.hits.Load()
	a.wantRejected(t, "other browser's token", post(t, c, a.srv.URL+"/transfer", otherTok, true, nil), before, csrf.ErrBadToken)
	// No cookie at all.
	a.wantRejected(t, "no cookie", post(t, a.client(t), a.srv.URL+"/transfer", tok, true, nil), before, csrf.ErrNoSecret)
	// The cookie expires after MaxAge even if the browser keeps it.
	clock.Advance(time.Hour)
	a.wantRejected(t, "expired cookie", post(t, c, a.srv.URL+"/transfer", tok, true, nil), before, csrf.ErrNoSecret)
	// A new token re-issues the cookie.
	tok = fetchToken(t, c, a.srv.URL)
	if got := post(t, c, a.srv.URL+"/transfer", tok, true, nil); got != http.StatusOK {
		t.Errorf("POST after re-issue: status %d, want 200", got)
	}
}

// plant replaces the browser's csrf cookie with value (a cookie-tossing
// attacker on a sibling host or a plain-HTTP response).
func plant(t testing.TB, c *http.Client, base, value string) {
	t.Helper()
	u, _ := url.Parse(base)
	c.Jar.SetCookies(u, []*http.Cookie{{Name: "__Host-csrf", Value: value, Path: "/", Secure: true}})
}

func TestDoubleSubmitForgedCookieRejected(t *testing.T) {
	clock := testutil.NewClock(tNow)
	a := newCookieApp(t, [][]byte{keyA}, clock)
	victim := a.client(t)
	tok := fetchToken(t, victim, a.srv.URL)
	good := csrfCookie(t, victim, a.srv.URL).Value
	payload, mac, _ := strings.Cut(good, ".")
	forged := []struct{ name, value string }{
		{"unsigned", payload},
		{"signature of another payload", strings.Repeat("A", len(payload)) + "." + mac},
		{"truncated signature", payload + "." + mac[:10]},
		{"garbage", "x.y"},
	}
	for _, f := range forged {
		plant(t, victim, a.srv.URL, f.value)
		before := a.hits.Load()
		a.wantRejected(t, f.name, post(t, victim, a.srv.URL+"/transfer", tok, true, nil), before, csrf.ErrNoSecret)
	}
	// Cookie issued to the attacker (user mallory), planted in alice's
	// browser: the binding differs.
	attacker := a.client(t)
	req, _ := http.NewRequest(http.MethodGet, a.srv.URL+"/token", nil)
	req.Header.Set("X-User", "mallory")
	resp, err := attacker.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	plant(t, victim, a.srv.URL, csrfCookie(t, attacker, a.srv.URL).Value)
	before := a.hits.Load()
	a.wantRejected(t, "cookie bound to another user",
		post(t, victim, a.srv.URL+"/transfer", tok, true, map[string]string{"X-User": "alice"}), before, csrf.ErrNoSecret)
}

func TestDoubleSubmitKeyRotation(t *testing.T) {
	clock := testutil.NewClock(tNow)
	oldApp := newCookieApp(t, [][]byte{keyA}, clock)
	c := oldApp.client(t)
	tok := fetchToken(t, c, oldApp.srv.URL)
	cookie := csrfCookie(t, c, oldApp.srv.URL).Value

	rotated := newCookieApp(t, [][]byte{keyB, keyA}, clock)
	c2 := rotated.client(t)
	plant(t, c2, rotated.srv.URL, cookie)
	if got := post(t, c2, rotated.srv.URL+"/transfer", tok, true, nil); got != http.StatusOK {
		t.Errorf("cookie signed by the old key after rotation: status %d, want 200", got)
	}
	retired := newCookieApp(t, [][]byte{keyB}, clock)
	c3 := retired.client(t)
	plant(t, c3, retired.srv.URL, cookie)
	before := retired.hits.Load()
	retired.wantRejected(t, "cookie of a retired key", post(t, c3, retired.srv.URL+"/transfer", tok, true, nil), before, csrf.ErrNoSecret)
}

func TestDoubleSubmitOptions(t *testing.T) {
	bad := []*csrf.CookieOptions{nil, {}, {Keys: [][]byte{[]byte("short")}}}
	for _, o := range bad {
		if _, err := csrf.DoubleSubmitCookie(o); err == nil {
			t.Errorf("DoubleSubmitCookie(%+v) succeeded, want an error", o)
		}
	}
	// Plain HTTP: the cookie is "csrf", not Secure.
	src, err := csrf.DoubleSubmitCookie(&csrf.CookieOptions{Keys: [][]byte{keyA}})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	if _, err := src.Secret(rec, httptest.NewRequest(http.MethodGet, "/", nil), true); err != nil {
		t.Fatal(err)
	}
	if sc := rec.Header().Get("Set-Cookie"); !strings.HasPrefix(sc, "csrf=") || strings.Contains(sc, "Secure") {
		t.Errorf("plain-HTTP Set-Cookie = %q, want csrf=... without Secure", sc)
	}
	rec = httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "https://example.com/", nil)
	req.TLS = &tls.ConnectionState{}
	src.Secret(rec, req, true)
	if sc := rec.Header().Get("Set-Cookie"); !strings.HasPrefix(sc, "__Host-csrf=") || !strings.Contains(sc, "Secure") {
		t.Errorf("HTTPS Set-Cookie = %q, want __Host-csrf=...; Secure", sc)
	}
}
