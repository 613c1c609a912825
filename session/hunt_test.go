package session_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/httpstate/httpstate/session"
)

// cookieOf returns the value of the session cookie rec set, or "".
func cookieOf(rec *httptest.ResponseRecorder, name string) string {
	for _, c := range rec.Result().Cookies() {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

// A client that sent the session cookie keeps cookies: after Renew (login)
// or with a stale cookie, EncodeURL and EncodeRedirectURL must not put the
// new ID in the URL, where it would leak into logs, history and Referer.
func TestEncodeURLNotAfterRenewWithCookie(t *testing.T) {
	e := newEnv(t, func(o *session.Options) { o.URLRewriting = true })
	rec := e.serve(func(w http.ResponseWriter, r *http.Request) {
		session.FromRequest(r).Set("x", 1)
	}, httptest.NewRequest("GET", "https://example.com/", nil))
	id := cookieOf(rec, "__Host-sid")
	if id == "" {
		t.Fatal("no session cookie")
	}
	req := httptest.NewRequest("POST", "https://example.com/login", nil)
	req.AddCookie(&http.Cookie{Name: "__Host-sid", Value: id})
	rec = e.serve(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromRequest(r)
		if err := s.Renew(); err != nil {
			t.Fatal(err)
		}
		http.Redirect(w, r, s.EncodeRedirectURL("/home"), http.StatusSeeOther)
	}, req)
	if loc := rec.Header().Get("Location"); loc != "/home" {
		t.Errorf("Location after Renew with the cookie = %q, want /home", loc)
	}
	if cookieOf(rec, "__Host-sid") == "" {
		t.Error("Renew sent no cookie")
	}

	// A stale cookie: the client keeps cookies, the new session's ID goes
	// in the cookie only.
	req = httptest.NewRequest("GET", "https://example.com/", nil)
	req.AddCookie(&http.Cookie{Name: "__Host-sid", Value: strings.Repeat("A", 43)})
	rec = e.serve(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromRequest(r)
		s.Set("x", 1)
		if u := s.EncodeURL("/a"); u != "/a" {
			t.Errorf("EncodeURL with a stale cookie = %q, want /a", u)
		}
	}, req)
	if cookieOf(rec, "__Host-sid") == "" {
		t.Error("new session sent no cookie")
	}
}

// A page served over HTTPS never puts the ID into an http:// URL, even to
// the same host: it would travel in clear text (another origin).
func TestEncodeURLNoDowngrade(t *testing.T) {
	e := newEnv(t, func(o *session.Options) { o.URLRewriting = true })
	e.serve(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromRequest(r)
		s.Set("x", 1)
		for _, u := range []string{"http://example.com/a", "HTTP://example.com/a", "ws://example.com/a"} {
			if got := s.EncodeRedirectURL(u); got != u {
				t.Errorf("EncodeRedirectURL(%q) over HTTPS = %q, want it unchanged", u, got)
			}
		}
		if got := s.EncodeURL("https://example.com/a"); !strings.Contains(got, ";sid=") {
			t.Errorf("EncodeURL(https same host) = %q, want rewritten", got)
		}
	}, httptest.NewRequest("GET", "https://example.com/", nil))
}
