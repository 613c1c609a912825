package session_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/httpstate/httpstate/session"
)

func TestStoreFailureIs503(t *testing.T) {
	for _, op := range []string{"load", "save", "create", "update", "invalidate", "renew"} {
		t.Run(op, func(t *testing.T) {
			var handled error
			e := newEnv(t, func(o *session.Options) {
				o.ErrorHandler = func(w http.ResponseWriter, r *http.Request, err error) {
					handled = err
					http.Error(w, "custom", http.StatusServiceUnavailable)
				}
			})
			id := e.newSession(t)
			req := withCookie(id)
			if op == "create" {
				req = httptest.NewRequest("GET", "/", nil)
			}
			var appErr error
			rec := e.serve(func(w http.ResponseWriter, r *http.Request) {
				s := session.FromRequest(r)
				if op != "load" {
					s.Get("n", new(int))
				}
				e.store.fail.Store(true)
				switch op {
				case "load":
					_, appErr = s.Get("n", new(int))
				case "save", "create":
					appErr = s.Set("n", 99)
				case "update":
					_, appErr = session.Update(s, "n", func(n int, _ bool) (int, error) { return n + 1, nil })
				case "invalidate":
					appErr = s.Invalidate()
				case "renew":
					appErr = s.Renew()
				}
				w.Write([]byte("handler output"))
			}, req)
			e.store.fail.Store(false)
			if op != "save" && op != "create" && !errors.Is(appErr, errBroken) {
				t.Errorf("the handler saw %v, want the store error", appErr)
			}
			if rec.Code != http.StatusServiceUnavailable || strings.TrimSpace(rec.Body.String()) != "custom" {
				t.Errorf("code %d body %q, want 503 from the ErrorHandler", rec.Code, rec.Body.String())
			}
			if !errors.Is(handled, errBroken) {
				t.Errorf("ErrorHandler got %v, want the store error", handled)
			}
			if sc := rec.Header().Values("Set-Cookie"); len(sc) != 0 {
				t.Errorf("failed request set cookies %q", sc)
			}
			// The live session was not replaced: it is still there, unchanged.
			if op != "create" {
				if r := e.serve(counter, withCookie(id)); r.Body.String() != "2" {
					t.Errorf("after the failure body %q, want 2 (the session lives on)", r.Body.String())
				}
			}
		})
	}
}

func TestDefaultErrorHandler(t *testing.T) {
	e := newEnv(t, nil)
	id := e.newSession(t)
	e.store.fail.Store(true)
	rec := e.serve(counter, withCookie(id))
	if rec.Code != http.StatusServiceUnavailable || strings.Contains(rec.Body.String(), "broken") {
		t.Errorf("code %d body %q, want 503 without details", rec.Code, rec.Body.String())
	}
}

// badInputs are requests that must never cause a 5xx or a panic.
var badInputs = []struct {
	name  string
	setup func(r *http.Request, live string)
	path  string
}{
	{name: "oversize cookie", setup: func(r *http.Request, _ string) {
		r.Header.Set("Cookie", "sid="+strings.Repeat("A", 10000))
	}},
	{name: "repeated cookies, junk first", setup: func(r *http.Request, live string) {
		r.Header.Set("Cookie", "sid=junk; sid="+live+"; sid=")
	}},
	{name: "many cookies", setup: func(r *http.Request, live string) {
		r.Header.Set("Cookie", strings.Repeat("sid="+strings.Repeat("B", 43)+"; ", 300))
	}},
	{name: "junk ID", setup: func(r *http.Request, _ string) { r.Header.Set("Cookie", "sid=\x00\xff;;==") }},
	{name: "quoted ID", setup: func(r *http.Request, live string) { r.Header.Set("Cookie", `sid="`+live+`"`) }},
	{name: "junk header", setup: func(r *http.Request, _ string) { r.Header.Set("X-Session-Id", "\xff\xfe") }},
	{name: "empty sid param", path: "/a;sid="},
	{name: "junk sid param", path: "/a;sid=%zz/b"},
	{name: "repeated sid params", path: "/a;sid=x;sid=y/;sid="},
	{name: "only a param", path: "/;sid=" + strings.Repeat("C", 43)},
	{name: "huge sid param", path: "/a;sid=" + strings.Repeat("D", 20000)},
	{name: "escaped semicolon", path: "/a%3Bsid=x"},
}

func TestBadInputNever5xx(t *testing.T) {
	for _, tt := range badInputs {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, func(o *session.Options) {
				o.URLRewriting = true
				o.Header = "X-Session-Id"
			})
			live := e.newSession(t)
			req := httptest.NewRequest("GET", "http://example.com/", nil)
			if tt.path != "" {
				req.URL.Path, req.URL.RawPath = "", ""
				req.URL.Opaque = ""
				u, err := req.URL.Parse(tt.path)
				if err != nil {
					u = req.URL
					u.RawPath = tt.path
				}
				req.URL = u
			}
			if tt.setup != nil {
				tt.setup(req, live)
			}
			rec := e.serve(counter, req)
			if rec.Code >= 500 {
				t.Fatalf("code %d body %q", rec.Code, rec.Body.String())
			}
			if len(rec.Result().Cookies()) > 1 {
				t.Errorf("Set-Cookie = %q, want at most one", rec.Header().Values("Set-Cookie"))
			}
		})
	}
}

func TestRepeatedCookiesAdoptLive(t *testing.T) {
	e := newEnv(t, nil)
	live := e.newSession(t)
	req := httptest.NewRequest("GET", "/", nil)
	req.Header.Set("Cookie", "sid="+strings.Repeat("A", 43)+"; sid="+live)
	if rec := e.serve(counter, req); rec.Body.String() != "2" {
		t.Fatalf("body %q, want 2: the live one of two sid cookies", rec.Body.String())
	}
}

func FuzzHandler(f *testing.F) {
	f.Add("sid=abc", "/a;sid=x/b", "hdr")
	f.Add("sid="+strings.Repeat("A", 43), "/", strings.Repeat("A", 43))
	f.Add("sid=; sid=; sid.1=x", "/;sid=;sid=", "")
	f.Add("__Host-sid=\xff", "/%zz;sid=%41", "\x00")
	f.Add("", "/a%3Bsid=x/b|c;sid=y", "")
	e := newEnv(f, func(o *session.Options) {
		o.URLRewriting = true
		o.Header = "X-Session-Id"
	})
	live := e.newSession(f)
	f.Add("sid="+live, "/x;sid="+live, live)
	h := e.m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromRequest(r)
		if strings.Contains(r.URL.EscapedPath(), ";sid=") {
			t := r.URL.EscapedPath()
			panic("path still carries ;sid=: " + t)
		}
		n, _, _ := session.Get[int](s, "n")
		s.Set("n", n+1)
		s.EncodeURL(r.URL.String())
	}))
	f.Fuzz(func(t *testing.T, cookie, path, hdr string) {
		req := httptest.NewRequest("GET", "http://example.com/", nil)
		if u, err := req.URL.Parse(path); err == nil && u.Host == "" {
			req.URL = u
		}
		req.Header["Cookie"] = []string{cookie}
		req.Header["X-Session-Id"] = []string{hdr}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("code %d for cookie %q path %q header %q", rec.Code, cookie, path, hdr)
		}
		if n := len(rec.Header().Values("Set-Cookie")); n > 1 {
			t.Fatalf("%d Set-Cookie headers", n)
		}
	})
}

// A cookie the configuration cannot send over this request (SameSite=None
// needs Secure) is a configuration error, not a silently dropped session. A
// "__Host-" or "__Secure-" name is not one: it implies Secure
// (TestSecureCookie).
func TestSameSiteNoneOverHTTPIsAnError(t *testing.T) {
	e := newEnv(t, func(o *session.Options) { o.Cookie.SameSite = http.SameSiteNoneMode })
	rec := e.serve(counter, httptest.NewRequest("GET", "http://example.com/", nil))
	if rec.Code != http.StatusInternalServerError || len(rec.Header().Values("Set-Cookie")) != 0 {
		t.Fatalf("code %d Set-Cookie %q; want 500 and no cookie", rec.Code, rec.Header().Values("Set-Cookie"))
	}
}
