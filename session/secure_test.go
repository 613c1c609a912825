package session_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/httpstate/httpstate/session"
	"github.com/httpstate/httpstate/store/memstore"
)

// secureRequest returns a GET of path over HTTPS (r.TLS set) or plain HTTP,
// with the cookies of jar.
func secureRequest(https bool, path string, jar map[string]string) *http.Request {
	scheme := "http"
	if https {
		scheme = "https"
	}
	req := httptest.NewRequest("GET", scheme+"://example.com"+path, nil)
	for k, v := range jar {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	return req
}

// setCookies parses the response's Set-Cookie lines.
func setCookies(rec *httptest.ResponseRecorder) []*http.Cookie {
	return (&http.Response{Header: rec.Header()}).Cookies()
}

var secureCookieTests = []struct {
	name       string
	edit       func(o *session.Options) // nil: the defaults
	https      bool                     // r.TLS != nil
	header     http.Header              // extra request headers
	wantName   string
	wantSecure bool
	wantSite   http.SameSite
}{
	{name: "default over HTTP", wantName: "sid"},
	{name: "default over TLS", https: true, wantName: "__Host-sid", wantSecure: true},
	{
		name:   "X-Forwarded-Proto is not trusted",
		header: http.Header{"X-Forwarded-Proto": {"https"}, "Forwarded": {"proto=https"}},
		// Without the option a spoofable header changes nothing.
		wantName: "sid",
	},
	{
		name:     "Secure option over HTTP (TLS-terminating proxy)",
		edit:     func(o *session.Options) { o.Cookie.Secure = true },
		wantName: "__Host-sid", wantSecure: true,
	},
	{
		name:  "Secure option over TLS",
		edit:  func(o *session.Options) { o.Cookie.Secure = true },
		https: true, wantName: "__Host-sid", wantSecure: true,
	},
	{
		name:     "Secure option with a plain name",
		edit:     func(o *session.Options) { o.Cookie.Secure, o.Cookie.Name = true, "app" },
		wantName: "app", wantSecure: true,
	},
	{
		name:     "plain name over HTTP",
		edit:     func(o *session.Options) { o.Cookie.Name = "app" },
		wantName: "app",
	},
	{
		name:     "__Host- name over HTTP",
		edit:     func(o *session.Options) { o.Cookie.Name = "__Host-x" },
		wantName: "__Host-x", wantSecure: true,
	},
	{
		name:     "__Secure- name over HTTP",
		edit:     func(o *session.Options) { o.Cookie.Name = "__Secure-x" },
		wantName: "__Secure-x", wantSecure: true,
	},
	{
		// User agents match the prefixes case-insensitively (RFC 6265bis
		// section 4.1.3), so they hold such a name to the same rules.
		name:     "__HOST- name in other case over HTTP",
		edit:     func(o *session.Options) { o.Cookie.Name = "__HOST-x" },
		wantName: "__HOST-x", wantSecure: true,
	},
	{
		name:     "__secure- name in other case over HTTP",
		edit:     func(o *session.Options) { o.Cookie.Name = "__secure-x" },
		wantName: "__secure-x", wantSecure: true,
	},
	{
		name:     "__Host- name over TLS",
		edit:     func(o *session.Options) { o.Cookie.Name = "__Host-x" },
		https:    true,
		wantName: "__Host-x", wantSecure: true,
	},
	{
		name:     "SameSite=None with the Secure option over HTTP",
		edit:     func(o *session.Options) { o.Cookie.Secure, o.Cookie.SameSite = true, http.SameSiteNoneMode },
		wantName: "__Host-sid", wantSecure: true, wantSite: http.SameSiteNoneMode,
	},
	{
		name:     "persistent with the Secure option over HTTP",
		edit:     func(o *session.Options) { o.Cookie.Secure, o.Cookie.Persistent = true, true },
		wantName: "__Host-sid", wantSecure: true,
	},
}

// TestSecureCookie checks the session cookie's name and Secure attribute for
// each way a deployment can say its requests are HTTPS, over a whole life:
// issued, read back, expired.
func TestSecureCookie(t *testing.T) {
	for _, tc := range secureCookieTests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, tc.edit)
			wantSite := tc.wantSite
			if wantSite == 0 {
				wantSite = http.SameSiteLaxMode
			}
			check := func(step string, rec *httptest.ResponseRecorder, wantValue bool) {
				t.Helper()
				sc := rec.Header().Values("Set-Cookie")
				if len(sc) != 1 {
					t.Fatalf("%s: Set-Cookie = %q, want exactly one", step, sc)
				}
				cs := setCookies(rec)
				if len(cs) != 1 {
					t.Fatalf("%s: Set-Cookie %q does not parse", step, sc[0])
				}
				c := cs[0]
				if c.Name != tc.wantName || c.Secure != tc.wantSecure || !c.HttpOnly || c.Path != "/" || c.Domain != "" || c.SameSite != wantSite {
					t.Errorf("%s: Set-Cookie %q; want name %q, Secure %v, HttpOnly, Path=/, no Domain, SameSite %v",
						step, sc[0], tc.wantName, tc.wantSecure, wantSite)
				}
				if hasSecure := strings.Contains(sc[0], "; Secure"); hasSecure != tc.wantSecure {
					t.Errorf("%s: Set-Cookie %q: Secure attribute %v, want %v", step, sc[0], hasSecure, tc.wantSecure)
				}
				if (c.Value != "") != wantValue {
					t.Errorf("%s: Set-Cookie %q: value present %v, want %v", step, sc[0], c.Value != "", wantValue)
				}
				if got := rec.Header().Get("Cache-Control"); got != "no-store" {
					t.Errorf("%s: Cache-Control = %q, want no-store", step, got)
				}
				if got := rec.Header().Values("Vary"); len(got) != 1 || got[0] != "Cookie" {
					t.Errorf("%s: Vary = %q, want Cookie", step, got)
				}
			}
			req := secureRequest(tc.https, "/", nil)
			for k, v := range tc.header {
				req.Header[k] = v
			}
			rec := e.serve(counter, req)
			if rec.Code != http.StatusOK || rec.Body.String() != "1" {
				t.Fatalf("first request: code %d body %q, want 200 and 1", rec.Code, rec.Body.String())
			}
			check("issue", rec, true)
			jar := map[string]string{tc.wantName: setCookies(rec)[0].Value}

			// The cookie is read back under the same name: the counter
			// goes on and nothing is sent.
			rec = e.serve(counter, secureRequest(tc.https, "/", jar))
			if rec.Body.String() != "2" {
				t.Fatalf("second request: body %q, want 2 (cookie not read back)", rec.Body.String())
			}
			if sc := rec.Header().Values("Set-Cookie"); len(sc) != 0 {
				t.Errorf("second request: Set-Cookie = %q, want none", sc)
			}
			if got := rec.Header().Get("Cache-Control"); got != "" {
				t.Errorf("second request: Cache-Control = %q, want none", got)
			}

			// Renew replaces the cookie with one of the same kind.
			rec = e.serve(func(w http.ResponseWriter, r *http.Request) {
				if err := session.FromRequest(r).Renew(); err != nil {
					t.Error(err)
				}
			}, secureRequest(tc.https, "/", jar))
			check("renew", rec, true)
			jar[tc.wantName] = setCookies(rec)[0].Value

			// Invalidate expires it with the same attributes (a user
			// agent matches the expiring cookie by name, path and host).
			rec = e.serve(func(w http.ResponseWriter, r *http.Request) {
				if err := session.FromRequest(r).Invalidate(); err != nil {
					t.Error(err)
				}
			}, secureRequest(tc.https, "/", jar))
			check("invalidate", rec, false)
			if c := setCookies(rec)[0]; c.MaxAge >= 0 {
				t.Errorf("invalidate: Set-Cookie MaxAge %d, want Max-Age=0", c.MaxAge)
			}
		})
	}
}

// TestSecureOptionOverPlainHTTPServer runs the Secure option through a real
// plain-HTTP server, as behind a TLS-terminating proxy. net/http/cookiejar,
// like browsers, counts a loopback address as a secure origin, so it sends
// the Secure __Host-sid cookie back over http://127.0.0.1.
func TestSecureOptionOverPlainHTTPServer(t *testing.T) {
	e := newEnv(t, func(o *session.Options) { o.Cookie.Secure = true })
	srv := httptest.NewServer(e.m.Handler(http.HandlerFunc(counter)))
	defer srv.Close()
	c := newClient(t, srv)
	resp, body := get(t, c, srv.URL+"/")
	if body != "1" || len(sessionCookies(resp, "__Host-sid")) != 1 || !sessionCookies(resp, "__Host-sid")[0].Secure {
		t.Fatalf("first response: body %q Set-Cookie %q; want 1 and a Secure __Host-sid", body, resp.Header.Values("Set-Cookie"))
	}
	if _, body := get(t, c, srv.URL+"/"); body != "2" {
		t.Fatalf("second body = %q, want 2", body)
	}
}

// TestSecureCodecChunks checks cookie-held sessions: every chunk, and every
// chunk expired when the session shrinks, carries Secure when the requests
// are HTTPS by configuration, even over plain HTTP.
func TestSecureCodecChunks(t *testing.T) {
	tests := []struct {
		name       string
		edit       func(o *session.Options)
		https      bool
		wantName   string
		wantSecure bool
	}{
		{"default over HTTP", nil, false, "sid", false},
		{"default over TLS", nil, true, "__Host-sid", true},
		{"Secure option over HTTP", func(o *session.Options) { o.Cookie.Secure = true }, false, "__Host-sid", true},
		{"__Secure- name over HTTP", func(o *session.Options) { o.Cookie.Name = "__Secure-s" }, false, "__Secure-s", true},
		{"__Host- name over HTTP", func(o *session.Options) { o.Cookie.Name = "__Host-s" }, false, "__Host-s", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, _ := newCodecManager(t, func(o *session.Options) {
				o.CookieChunks = 3
				if tc.edit != nil {
					tc.edit(o)
				}
			})
			h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				s := session.FromRequest(r)
				var blob string
				ok, err := s.Get("blob", &blob)
				if err != nil {
					t.Error(err)
				}
				if n := r.URL.Query().Get("size"); n != "" {
					var size int
					fmt.Sscan(n, &size)
					s.Set("blob", strings.Repeat("y", size))
				}
				fmt.Fprint(w, ok)
			}))
			checkAll := func(step string, rec *httptest.ResponseRecorder, want int) {
				t.Helper()
				if rec.Code != http.StatusOK {
					t.Fatalf("%s: code %d, want 200", step, rec.Code)
				}
				cs := setCookies(rec)
				if len(cs) != want {
					t.Fatalf("%s: %d cookies %q, want %d", step, len(cs), rec.Header().Values("Set-Cookie"), want)
				}
				for _, c := range cs {
					if !strings.HasPrefix(c.Name, tc.wantName) || c.Secure != tc.wantSecure {
						t.Errorf("%s: cookie %s Secure %v; want a %s chunk, Secure %v", step, c.Name, c.Secure, tc.wantName, tc.wantSecure)
					}
				}
				if got := rec.Header().Get("Cache-Control"); got != "no-store" {
					t.Errorf("%s: Cache-Control = %q, want no-store", step, got)
				}
			}
			jar := map[string]string{}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, secureRequest(tc.https, "/?size=5000", nil))
			checkAll("issue", rec, 3)
			carry(jar, rec)
			if jar[tc.wantName+".2"] == "" {
				t.Fatalf("cookies %v, want %s, %s.1, %s.2", keys(jar), tc.wantName, tc.wantName, tc.wantName)
			}
			rec = httptest.NewRecorder()
			h.ServeHTTP(rec, secureRequest(tc.https, "/", jar))
			if rec.Body.String() != "true" {
				t.Fatalf("chunked session not read back: %q", rec.Body.String())
			}
			// Shrinking rewrites the first chunk and expires the others,
			// all with the same attributes.
			rec = httptest.NewRecorder()
			h.ServeHTTP(rec, secureRequest(tc.https, "/?size=10", jar))
			checkAll("shrink", rec, 3)
			carry(jar, rec)
			if len(jar) != 1 || jar[tc.wantName] == "" {
				t.Fatalf("after shrinking cookies %v, want only %s", keys(jar), tc.wantName)
			}
			// Invalidate expires the last one the same way.
			rec = httptest.NewRecorder()
			h.ServeHTTP(rec, secureRequest(tc.https, "/", jar))
			if rec.Body.String() != "true" {
				t.Fatalf("shrunk session not read back: %q", rec.Body.String())
			}
			rec = httptest.NewRecorder()
			m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if err := session.FromRequest(r).Invalidate(); err != nil {
					t.Error(err)
				}
			})).ServeHTTP(rec, secureRequest(tc.https, "/", jar))
			checkAll("invalidate", rec, 1)
		})
	}
}

// TestSecureEncodeURL checks that EncodeURL never puts the ID in an http://
// link on a page the configuration says is served over HTTPS, even when the
// request reached the server over plain HTTP (from the proxy).
func TestSecureEncodeURL(t *testing.T) {
	tests := []struct {
		name     string
		edit     func(o *session.Options)
		https    bool
		wantHTTP bool // an http:// link to this host is rewritten
	}{
		{"default over HTTP", nil, false, true},
		{"default over TLS", nil, true, false},
		{"Secure option over HTTP", func(o *session.Options) { o.Cookie.Secure = true }, false, false},
		{"Secure option, cookie disabled", func(o *session.Options) { o.Cookie.Secure, o.Cookie.Disabled = true, true }, false, false},
		{"__Host- name over HTTP", func(o *session.Options) { o.Cookie.Name = "__Host-x" }, false, false},
		{"__Secure- name over HTTP", func(o *session.Options) { o.Cookie.Name = "__Secure-x" }, false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, func(o *session.Options) {
				o.URLRewriting = true
				if tc.edit != nil {
					tc.edit(o)
				}
			})
			rec := e.serve(func(w http.ResponseWriter, r *http.Request) {
				s := session.FromRequest(r)
				if err := s.Set("x", 1); err != nil {
					t.Fatal(err)
				}
				id := idOf(t, s, e)
				// ";sid=", or named after the cookie (";x=" for "__Host-x").
				p := strings.TrimSuffix(strings.TrimPrefix(s.EncodeURL("/"), "/"), id)
				for _, l := range []struct {
					in, want string
				}{
					{"/a", "/a" + p + id},
					{"https://example.com/a", "https://example.com/a" + p + id},
					{"http://example.com/a", "http://example.com/a" + p + id},
				} {
					want := l.want
					if strings.HasPrefix(l.in, "http:") && !tc.wantHTTP {
						want = l.in
					}
					if got := s.EncodeURL(l.in); got != want {
						t.Errorf("EncodeURL(%q) = %q, want %q", l.in, got, want)
					}
					if got := s.EncodeRedirectURL(l.in); got != want {
						t.Errorf("EncodeRedirectURL(%q) = %q, want %q", l.in, got, want)
					}
				}
			}, secureRequest(tc.https, "/", nil))
			if rec.Code != http.StatusOK {
				t.Fatalf("code %d, want 200", rec.Code)
			}
		})
	}
}

// A server behind a proxy or load balancer that terminates TLS: browsers
// speak HTTPS to the proxy, the proxy plain HTTP to the server, so r.TLS is
// nil. CookieOptions.Secure says every request is HTTPS.
func ExampleCookieOptions_behindProxy() {
	st, _ := memstore.New(nil)
	defer st.Close()
	m, err := session.New(&session.Options{
		Store:  st,
		Cookie: session.CookieOptions{Secure: true},
	})
	if err != nil {
		panic(err)
	}
	defer m.Close()
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		session.FromRequest(r).Set("user", "alice")
	}))

	// A request as the proxy forwards it: plain HTTP.
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "http://example.com/login", nil))
	c := rec.Result().Cookies()[0]
	fmt.Println(c.Name, "Secure:", c.Secure)
	// Output: __Host-sid Secure: true
}

// expiredCookies returns the Set-Cookie lines of rec that expire a cookie named
// name (or one of its chunks, name.1...).
func expiredCookies(rec *httptest.ResponseRecorder, name string) []*http.Cookie {
	var out []*http.Cookie
	for _, c := range setCookies(rec) {
		if (c.Name == name || strings.HasPrefix(c.Name, name+".")) && c.MaxAge < 0 {
			out = append(out, c)
		}
	}
	return out
}

// TestSecureOptionExpiresPlainSid: turning CookieOptions.Secure on with the
// default name renames the cookie from "sid" to "__Host-sid". The old
// session is not carried over (a cookie without Secure can be planted over
// plain HTTP, so it is never adopted: one sign-out), and the old "sid" cookie
// is expired once, with the attributes it was written with, so the user
// agent stops sending it; a "sid" that is not this Manager's (not an ID)
// is left alone, and a Manager that keeps the name "sid" reads it on.
func TestSecureOptionExpiresPlainSid(t *testing.T) {
	old := newEnv(t, nil)
	legacy := plainSid(t, old)

	newManager := func(edit func(o *session.Options)) *env {
		e := *old
		o := &session.Options{Store: old.store, Now: old.clock.Now, SweepInterval: -1}
		edit(o)
		m, err := session.New(o)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { m.Close() })
		e.m = m
		return &e
	}
	e := newManager(func(o *session.Options) { o.Cookie.Secure = true })

	jar := map[string]string{"sid": legacy}
	rec := e.serve(counter, secureRequest(false, "/", jar))
	if rec.Body.String() != "1" {
		t.Fatalf("after the switch: body %q, want 1 (the plain sid is never adopted)", rec.Body.String())
	}
	exp := expiredCookies(rec, "sid")
	if len(exp) != 1 {
		t.Fatalf("after the switch: Set-Cookie %q, want sid expired once", rec.Header().Values("Set-Cookie"))
	}
	if c := exp[0]; c.Value != "" || c.Path != "/" || c.Domain != "" || !c.Secure || !c.HttpOnly {
		t.Errorf("expiring Set-Cookie %q: want an empty value, Path=/, no Domain, Secure, HttpOnly", c.Raw)
	}
	if got := rec.Header().Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control = %q, want no-store", got)
	}
	if got := rec.Header().Values("Vary"); len(got) != 1 || got[0] != "Cookie" {
		t.Errorf("Vary = %q, want Cookie once", got)
	}
	carry(jar, rec)
	if _, ok := jar["sid"]; ok || jar["__Host-sid"] == "" {
		t.Fatalf("cookies after the switch %v, want __Host-sid only", keys(jar))
	}
	rec = e.serve(counter, secureRequest(false, "/", jar))
	if rec.Body.String() != "2" || len(rec.Header().Values("Set-Cookie")) != 0 {
		t.Fatalf("next request: body %q Set-Cookie %q, want 2 and none", rec.Body.String(), rec.Header().Values("Set-Cookie"))
	}

	// The old cookie comes back (another tab's stale request): expired
	// again, the new session untouched.
	jar["sid"] = legacy
	rec = e.serve(counter, secureRequest(false, "/", jar))
	if rec.Body.String() != "3" || len(expiredCookies(rec, "sid")) != 1 || len(setCookies(rec)) != 1 {
		t.Errorf("stale sid with the new cookie: body %q Set-Cookie %q, want 3 and sid expired only", rec.Body.String(), rec.Header().Values("Set-Cookie"))
	}

	// Someone else's "sid" (not an ID) is not ours to delete.
	rec = e.serve(counter, secureRequest(false, "/", map[string]string{"sid": "other-app"}))
	if exp := expiredCookies(rec, "sid"); len(exp) != 0 {
		t.Errorf("a sid that is not an ID: Set-Cookie %q, want it left alone", rec.Header().Values("Set-Cookie"))
	}

	// A handler that does not touch the session gets no header at all.
	rec = e.serve(func(w http.ResponseWriter, r *http.Request) {}, secureRequest(false, "/", map[string]string{"sid": legacy}))
	if sc := rec.Header().Values("Set-Cookie"); len(sc) != 0 {
		t.Errorf("untouched session: Set-Cookie %q, want none", sc)
	}

	// Without the option, or with the name "sid" kept, sid is the cookie
	// (the old session goes on: 2, then 3).
	for i, tc := range []struct {
		name string
		edit func(o *session.Options)
	}{
		{"no option", func(o *session.Options) {}},
		{"Secure, Name \"sid\"", func(o *session.Options) { o.Cookie.Secure, o.Cookie.Name = true, "sid" }},
	} {
		e := newManager(tc.edit)
		rec := e.serve(counter, secureRequest(false, "/", map[string]string{"sid": legacy}))
		if want := fmt.Sprint(i + 2); rec.Body.String() != want || len(expiredCookies(rec, "sid")) != 0 {
			t.Errorf("%s: body %q Set-Cookie %q, want %s (sid read) and nothing expired", tc.name, rec.Body.String(), rec.Header().Values("Set-Cookie"), want)
		}
	}
}

// TestSecureOptionExpiresPlainSidChunks: the same switch in Codec mode
// expires every chunk of the old cookie-held session that the Codec reads,
// and leaves alone a "sid" it does not.
func TestSecureOptionExpiresPlainSidChunks(t *testing.T) {
	jar := plainSidChunks(t)

	m, _ := newCodecManager(t, func(o *session.Options) { o.CookieChunks = 3; o.Cookie.Secure = true })
	rec := httptest.NewRecorder()
	blobHandler(t, m).ServeHTTP(rec, secureRequest(false, "/", jar))
	if rec.Body.String() != "false" {
		t.Fatalf("after the switch: body %q, want false (the plain sid is never adopted)", rec.Body.String())
	}
	exp := expiredCookies(rec, "sid")
	if len(exp) != 3 || len(setCookies(rec)) != 3 {
		t.Fatalf("after the switch: Set-Cookie %q, want sid, sid.1, sid.2 expired", rec.Header().Values("Set-Cookie"))
	}
	for _, c := range exp {
		if c.Path != "/" || c.Domain != "" || !c.Secure {
			t.Errorf("expiring Set-Cookie %q: want Path=/, no Domain, Secure", c.Raw)
		}
	}
	if got := rec.Header().Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control = %q, want no-store", got)
	}
	carry(jar, rec)
	if len(jar) != 0 {
		t.Errorf("cookies left %v, want none", keys(jar))
	}

	rec = httptest.NewRecorder()
	blobHandler(t, m).ServeHTTP(rec, secureRequest(false, "/", map[string]string{"sid": "not-a-record"}))
	if sc := rec.Header().Values("Set-Cookie"); len(sc) != 0 {
		t.Errorf("a sid the Codec does not read: Set-Cookie %q, want it left alone", sc)
	}
}
