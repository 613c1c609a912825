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

// An encoded semicolon (%3B) is part of a path segment, not a path
// parameter, even when another character of the path makes Go re-encode it.
func TestStripKeepsEncodedSemicolon(t *testing.T) {
	e := newEnv(t, func(o *session.Options) { o.URLRewriting = true })
	var path, esc string
	req := httptest.NewRequest("GET", "http://example.com/f/a%3Bsid=x/b|c", nil)
	e.serve(func(w http.ResponseWriter, r *http.Request) { path, esc = r.URL.Path, r.URL.EscapedPath() }, req)
	if path != "/f/a;sid=x/b|c" || esc != "/f/a%3Bsid=x/b%7Cc" {
		t.Errorf("Path %q EscapedPath %q, want /f/a;sid=x/b|c and /f/a%%3Bsid=x/b%%7Cc (the %%3B is data)", path, esc)
	}
}

// EncodeURL keeps an escaped ';' of a link escaped, and the server takes the
// appended ID from the link, not the segment's "sid=" text.
func TestEncodeURLKeepsEncodedSemicolon(t *testing.T) {
	e := newEnv(t, func(o *session.Options) { o.URLRewriting = true })
	var link string
	e.serve(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromRequest(r)
		s.Set("n", 1)
		link = s.EncodeURL("/f/a%3Bsid=x/b|c")
	}, httptest.NewRequest("GET", "http://example.com/", nil))
	if !strings.HasPrefix(link, "/f/a%3Bsid=x/b%7Cc;sid=") {
		t.Fatalf("EncodeURL = %q, want /f/a%%3Bsid=x/b%%7Cc;sid=ID", link)
	}
	var path string
	var n int
	e.serve(func(w http.ResponseWriter, r *http.Request) {
		path = r.URL.Path
		n, _, _ = session.Get[int](session.FromRequest(r), "n")
	}, httptest.NewRequest("GET", "http://example.com"+link, nil))
	if path != "/f/a;sid=x/b|c" || n != 1 {
		t.Errorf("following %q: Path %q, n %d; want /f/a;sid=x/b|c and the session (n 1)", link, path, n)
	}
}

// A request carrying the session cookie comes from a client that keeps
// cookies: a ";sid=" ID in its URL (an attacker's link) is never adopted,
// even when the cookie's own session has ended (session fixation).
func TestURLIDIgnoredWithCookie(t *testing.T) {
	e := newEnv(t, func(o *session.Options) { o.URLRewriting = true })
	var link string
	e.serve(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromRequest(r)
		s.Set("owner", "attacker")
		link = s.EncodeURL("/")
	}, httptest.NewRequest("GET", "http://example.com/", nil))
	if !strings.Contains(link, ";sid=") {
		t.Fatalf("EncodeURL = %q, want an ID", link)
	}
	req := httptest.NewRequest("GET", "http://example.com"+link, nil)
	req.AddCookie(&http.Cookie{Name: "sid", Value: strings.Repeat("B", 43)}) // the victim's ended session
	var owner string
	var isNew bool
	rec := e.serve(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromRequest(r)
		owner, _, _ = session.Get[string](s, "owner")
		isNew = s.IsNew()
	}, req)
	if owner != "" || !isNew {
		t.Errorf("a request with a session cookie adopted the URL's session (owner %q, new %v)", owner, isNew)
	}
	if rec.Code != http.StatusOK {
		t.Errorf("code %d", rec.Code)
	}
}

// Invalidate on a session that another request (or Revoke) has already
// ended emits no second EventInvalidated: nothing was deleted.
func TestInvalidateAfterRevokeOneEvent(t *testing.T) {
	var log eventLog
	e := newEnv(t, func(o *session.Options) { o.Listeners = []session.Listener{log.listen} })
	rec := e.serve(func(w http.ResponseWriter, r *http.Request) {
		session.FromRequest(r).Set("x", 1)
	}, httptest.NewRequest("GET", "http://example.com/", nil))
	req := httptest.NewRequest("GET", "http://example.com/logout", nil)
	req.AddCookie(&http.Cookie{Name: "sid", Value: cookieOf(rec, "sid")})
	log.reset()
	e.serve(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromRequest(r)
		if _, _, err := session.Get[int](s, "x"); err != nil {
			t.Fatal(err)
		}
		if ok, err := e.m.Revoke(r.Context(), s.Key()); !ok || err != nil {
			t.Fatalf("Revoke = %v, %v", ok, err)
		}
		if err := s.Invalidate(); err != nil {
			t.Fatal(err)
		}
	}, req)
	if got := log.kinds(); got != "invalidated" {
		t.Errorf("events = %q, want one invalidated", got)
	}
}

// bareWriter is a ResponseWriter that can neither flush nor hijack (as a
// wrapper of another middleware may be).
type bareWriter struct{ rec *httptest.ResponseRecorder }

func (b bareWriter) Header() http.Header         { return b.rec.Header() }
func (b bareWriter) Write(p []byte) (int, error) { return b.rec.Write(p) }
func (b bareWriter) WriteHeader(code int)        { b.rec.WriteHeader(code) }

// A failed Hijack (HTTP/2, or a writer that cannot hijack) sends nothing, so
// the handler's fallback answer keeps its status code, and the session
// cookie goes out once.
func TestHijackNotSupportedKeepsStatus(t *testing.T) {
	e := newEnv(t, nil)
	rec := httptest.NewRecorder()
	e.m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		session.FromRequest(r).Set("a", 1)
		if _, _, err := http.NewResponseController(w).Hijack(); err == nil {
			t.Fatal("Hijack succeeded on a writer that cannot hijack")
		}
		http.Error(w, "websocket unsupported", http.StatusNotImplemented)
	})).ServeHTTP(bareWriter{rec}, httptest.NewRequest("GET", "http://example.com/", nil))
	if rec.Code != http.StatusNotImplemented {
		t.Errorf("code %d after a failed Hijack, want 501", rec.Code)
	}
	if n := len(rec.Result().Header.Values("Set-Cookie")); n != 1 {
		t.Errorf("%d Set-Cookie, want 1", n)
	}
}

// The same for a Flush the underlying writer cannot do: nothing went out.
func TestFlushNotSupportedKeepsStatus(t *testing.T) {
	e := newEnv(t, nil)
	rec := httptest.NewRecorder()
	e.m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		session.FromRequest(r).Set("a", 1)
		if err := http.NewResponseController(w).Flush(); err == nil {
			t.Fatal("Flush succeeded on a writer that cannot flush")
		}
		w.WriteHeader(http.StatusAccepted)
	})).ServeHTTP(bareWriter{rec}, httptest.NewRequest("GET", "http://example.com/", nil))
	if rec.Code != http.StatusAccepted {
		t.Errorf("code %d after a failed Flush, want 202", rec.Code)
	}
	if n := len(rec.Result().Header.Values("Set-Cookie")); n != 1 {
		t.Errorf("%d Set-Cookie, want 1", n)
	}
}
