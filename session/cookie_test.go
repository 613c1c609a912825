package session_test

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/httpstate/httpstate/session"
)

func TestCookieDefaultsHTTPS(t *testing.T) {
	e := newEnv(t, nil)
	srv, c := e.server(t, counter)
	resp, body := get(t, c, srv.URL+"/")
	if body != "1" {
		t.Fatalf("body = %q, want 1", body)
	}
	sc := resp.Header.Values("Set-Cookie")
	if len(sc) != 1 {
		t.Fatalf("Set-Cookie headers = %q, want exactly one", sc)
	}
	v := sc[0]
	for _, want := range []string{"__Host-sid=", "; Path=/", "; HttpOnly", "; Secure", "; SameSite=Lax"} {
		if !strings.Contains(v, want) {
			t.Errorf("Set-Cookie %q lacks %q", v, want)
		}
	}
	for _, bad := range []string{"Domain", "Max-Age", "Expires"} {
		if strings.Contains(v, bad) {
			t.Errorf("Set-Cookie %q has %s", v, bad)
		}
	}
	if got := resp.Header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control = %q, want no-store", got)
	}
	if got := resp.Header.Get("Vary"); got != "Cookie" {
		t.Errorf("Vary = %q, want Cookie", got)
	}
	// The cookie works: the counter continues, and no new cookie is sent.
	resp, body = get(t, c, srv.URL+"/")
	if body != "2" {
		t.Fatalf("second body = %q, want 2", body)
	}
	if sc := resp.Header.Values("Set-Cookie"); len(sc) != 0 {
		t.Errorf("second response Set-Cookie = %q, want none", sc)
	}
	if got := resp.Header.Get("Cache-Control"); got != "" {
		t.Errorf("second response Cache-Control = %q, want none", got)
	}
}

func TestCookieDefaultsHTTP(t *testing.T) {
	e := newEnv(t, nil)
	srv := httptest.NewServer(e.m.Handler(http.HandlerFunc(counter)))
	defer srv.Close()
	c := newClient(t, srv)
	resp, _ := get(t, c, srv.URL+"/")
	sc := resp.Header.Values("Set-Cookie")
	if len(sc) != 1 || !strings.HasPrefix(sc[0], "sid=") || strings.Contains(sc[0], "Secure") {
		t.Fatalf("Set-Cookie = %q, want one non-Secure sid cookie", sc)
	}
	if _, body := get(t, c, srv.URL+"/"); body != "2" {
		t.Fatalf("second body = %q, want 2", body)
	}
}

func TestCookiePersistent(t *testing.T) {
	e := newEnv(t, func(o *session.Options) {
		o.Cookie.Persistent = true
		o.Cookie.SameSite = http.SameSiteStrictMode
		o.Cookie.Name = "app"
	})
	srv, c := e.server(t, counter)
	resp, _ := get(t, c, srv.URL+"/")
	cs := sessionCookies(resp, "app")
	if len(cs) != 1 {
		t.Fatalf("cookies = %v, want one app cookie", resp.Header.Values("Set-Cookie"))
	}
	// Idle timeout 30m is earlier than the 24h lifetime.
	if cs[0].MaxAge != int((30 * time.Minute).Seconds()) {
		t.Errorf("Max-Age = %d, want %d", cs[0].MaxAge, int((30 * time.Minute).Seconds()))
	}
	if cs[0].SameSite != http.SameSiteStrictMode {
		t.Errorf("SameSite = %v, want Strict", cs[0].SameSite)
	}
	// A later access (past TouchInterval) refreshes Max-Age.
	e.clock.Advance(5 * time.Minute)
	resp, _ = get(t, c, srv.URL+"/")
	if cs := sessionCookies(resp, "app"); len(cs) != 1 || cs[0].MaxAge != 1800 {
		t.Errorf("refreshed cookie = %q, want Max-Age=1800", resp.Header.Values("Set-Cookie"))
	}
}

func TestHeaderTransport(t *testing.T) {
	e := newEnv(t, func(o *session.Options) {
		o.Header = "X-Session-Id"
		o.Cookie.Disabled = true
	})
	srv, c := e.server(t, counter)
	resp, body := get(t, c, srv.URL+"/")
	id := resp.Header.Get("X-Session-Id")
	if body != "1" || id == "" {
		t.Fatalf("body %q, X-Session-Id %q; want 1 and an ID", body, id)
	}
	if sc := resp.Header.Values("Set-Cookie"); len(sc) != 0 {
		t.Errorf("Set-Cookie = %q with the cookie transport disabled", sc)
	}
	if !strings.Contains(strings.Join(resp.Header.Values("Vary"), ","), "X-Session-Id") {
		t.Errorf("Vary = %q, want X-Session-Id", resp.Header.Values("Vary"))
	}
	req := mustRequest(t, "GET", srv.URL+"/")
	req.Header.Set("X-Session-Id", id)
	resp, body = do(t, c, req)
	if body != "2" {
		t.Fatalf("body with header = %q, want 2", body)
	}
	if got := resp.Header.Get("X-Session-Id"); got != "" {
		t.Errorf("unchanged session re-sent its ID %q", got)
	}
}

func TestURLRewriting(t *testing.T) {
	e := newEnv(t, func(o *session.Options) { o.URLRewriting = true })
	var gotPath, gotRaw, gotURI string
	srv, c := e.server(t, func(w http.ResponseWriter, r *http.Request) {
		gotPath, gotRaw, gotURI = r.URL.Path, r.URL.RawPath, r.RequestURI
		s := session.FromRequest(r)
		n, err := session.Update(s, "n", func(n int, _ bool) (int, error) { return n + 1, nil })
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		w.Header().Set("X-N", strconvItoa(n))
		w.Write([]byte(s.EncodeURL("/next?a=1")))
	})
	noCookies := srv.Client() // no jar: like a client without cookies
	resp, link := get(t, noCookies, srv.URL+"/start")
	if !strings.HasPrefix(link, "/next;sid=") || !strings.HasSuffix(link, "?a=1") {
		t.Fatalf("EncodeURL = %q, want /next;sid=ID?a=1", link)
	}
	// Following the link keeps the session, and the handler sees a clean path.
	resp, link2 := get(t, noCookies, srv.URL+strings.Replace(link, "next", "a%2Fb", 1))
	if resp.Header.Get("X-N") != "2" {
		t.Fatalf("X-N = %q after following the rewritten URL, want 2", resp.Header.Get("X-N"))
	}
	if gotPath != "/a/b" || gotRaw != "/a%2Fb" || gotURI != "/a%2Fb?a=1" {
		t.Errorf("handler saw Path %q RawPath %q RequestURI %q; want /a/b, /a%%2Fb, /a%%2Fb?a=1", gotPath, gotRaw, gotURI)
	}
	if link2 != link {
		t.Errorf("second EncodeURL = %q, want %q", link2, link)
	}
	// A client with cookies gets plain URLs once its cookie is back.
	get(t, c, srv.URL+"/")
	if _, l := get(t, c, srv.URL+"/"); l != "/next?a=1" {
		t.Errorf("EncodeURL with the cookie = %q, want /next?a=1", l)
	}
}

func strconvItoa(n int) string { return strconv.Itoa(n) }

var encodeURLTests = []struct {
	in   string
	want string // with "ID" standing for the session ID; "" means unchanged
}{
	{"/a", "/a;sid=ID"},
	{"/a/b?x=1#f", "/a/b;sid=ID?x=1#f"},
	{"/a;sid=old", "/a;sid=ID"},
	{";sid=old/b", ".//b;sid=ID"}, // relative: "/b" would lead elsewhere
	{" /a", ""},                   // browsers drop the spaces around a URL: "%20/a;sid=ID" led elsewhere
	{"/a ", ""},
	{"https://example.com/a", "https://example.com/a;sid=ID"},
	{"https://example.com", "https://example.com/;sid=ID"},
	{"https://evil.example/a", ""},
	{"//evil.example/a", ""},
	{"mailto:x@example.com", ""},
	{"?q=1", "./;sid=ID?q=1"}, // the request's path: "?q=1" alone keeps the URL's old ID, or none
	{"#f", ""},
	{"", ""},
	{"https://user@example.com/a", ""},
	{"%zz", ""},
}

func TestEncodeURL(t *testing.T) {
	e := newEnv(t, func(o *session.Options) { o.URLRewriting = true })
	req := httptest.NewRequest("GET", "https://example.com/", nil)
	var s *session.Session
	e.serve(func(w http.ResponseWriter, r *http.Request) {
		s = session.FromRequest(r)
		if got := s.EncodeURL("/a"); got != "/a" {
			t.Errorf("EncodeURL before the session has an ID = %q, want /a", got)
		}
		s.Set("x", 1)
		for _, tt := range encodeURLTests {
			want := tt.want
			if want == "" {
				want = tt.in
			}
			want = strings.Replace(want, "ID", idOf(t, s, e), 1)
			if got := s.EncodeURL(tt.in); got != want {
				t.Errorf("EncodeURL(%q) = %q, want %q", tt.in, got, want)
			}
			if got := s.EncodeRedirectURL(tt.in); got != want {
				t.Errorf("EncodeRedirectURL(%q) = %q, want %q", tt.in, got, want)
			}
		}
	}, req)
}

// idOf recovers the session ID from EncodeURL (the API never exposes it
// otherwise; the path parameter is ";sid=" or named after the cookie) and
// checks it hashes to the session's key.
func idOf(t testing.TB, s *session.Session, e *env) string {
	t.Helper()
	u := s.EncodeURL("/")
	_, id, ok := strings.Cut(u[strings.LastIndexByte(u, ';')+1:], "=")
	if !ok {
		t.Fatalf("EncodeURL(/) = %q, no ID", u)
	}
	if session.Key(id) != s.Key() {
		t.Fatalf("Key(ID) = %q, session Key = %q", session.Key(id), s.Key())
	}
	return id
}

func TestURLRewritingOffLeavesPath(t *testing.T) {
	e := newEnv(t, nil)
	var got string
	rec := e.serve(func(w http.ResponseWriter, r *http.Request) {
		got = r.URL.Path
		if u := session.FromRequest(r).EncodeURL("/x"); u != "/x" {
			t.Errorf("EncodeURL with rewriting off = %q", u)
		}
	}, httptest.NewRequest("GET", "/p;sid=abc", nil))
	if got != "/p;sid=abc" || rec.Code != 200 {
		t.Errorf("path = %q, code %d; want the path untouched", got, rec.Code)
	}
}
