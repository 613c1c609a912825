package session_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/httpstate/httpstate/session"
)

// bump increments s's "n" attribute and returns it.
func bump(t *testing.T, s *session.Session) int {
	t.Helper()
	n, _, err := session.Get[int](s, "n")
	if err != nil {
		t.Fatal(err)
	}
	n++
	if err := s.Set("n", n); err != nil {
		t.Fatal(err)
	}
	return n
}

// getBody serves a cookieless GET of target through h and returns the
// response body.
func getBody(t *testing.T, h http.Handler, target string) string {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "http://example.com"+target, nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET %s: %d %s", target, rec.Code, rec.Body)
	}
	return rec.Body.String()
}

// TestTwoManagersURLRewritingOnOneMux: two Managers of one application,
// each with its own cookie name, both rewriting URLs for a client without
// cookies, name their path parameters after their cookies (";app=",
// ";admin="), so that neither strips, reads or replaces the other's: with
// one shared ";sid=", the outer middleware stripped both IDs (the inner
// Manager's session was new on every request) and each Manager's EncodeURL
// replaced the other's ID in a link.
func TestTwoManagersURLRewritingOnOneMux(t *testing.T) {
	a := newEnv(t, func(o *session.Options) { o.URLRewriting = true; o.Cookie.Name = "app" })
	b := newEnv(t, func(o *session.Options) { o.URLRewriting = true; o.Cookie.Name = "admin" })

	t.Run("nested", func(t *testing.T) {
		mux := http.NewServeMux()
		mux.HandleFunc("/both/", func(w http.ResponseWriter, r *http.Request) {
			sb := session.FromRequest(r) // the nearest: b's
			// a's middleware again: FromRequest gives a's Session.
			a.m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				sa := session.FromRequest(r)
				na, nb := bump(t, sa), bump(t, sb)
				fmt.Fprintf(w, "%d %d %s %s", na, nb, r.URL.Path, sa.EncodeURL(sb.EncodeURL("/both/page")))
			})).ServeHTTP(w, r)
		})
		h := a.m.Handler(b.m.Handler(mux))
		link := "/both/page"
		for i := 1; i <= 3; i++ {
			var na, nb int
			var path, next string
			body := getBody(t, h, link)
			if _, err := fmt.Sscan(body, &na, &nb, &path, &next); err != nil {
				t.Fatalf("round %d: body %q: %v", i, body, err)
			}
			if na != i || nb != i {
				t.Fatalf("round %d (link %q): counters %d and %d, want %d for both sessions", i, link, na, nb, i)
			}
			if path != "/both/page" {
				t.Errorf("round %d: the handler saw path %q, want /both/page (both parameters stripped)", i, path)
			}
			if strings.Count(next, ";app=") != 1 || strings.Count(next, ";admin=") != 1 || strings.Contains(next, ";sid=") {
				t.Fatalf("round %d: link %q, want one ;app= and one ;admin= parameter, no ;sid=", i, next)
			}
			link = next
		}
	})

	t.Run("side by side", func(t *testing.T) {
		mux := http.NewServeMux()
		mux.Handle("/a/", a.m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			sa := session.FromRequest(r)
			fmt.Fprintf(w, "%d %s", bump(t, sa), sa.EncodeURL("/a/page"))
		})))
		mux.Handle("/b/", b.m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			// A link back to the other application, already carrying
			// its ID: b adds its own and leaves a's alone.
			sb := session.FromRequest(r)
			fmt.Fprintf(w, "%d %s", bump(t, sb), sb.EncodeURL(r.URL.Query().Get("back")))
		})))
		var n int
		var back, next string
		if _, err := fmt.Sscan(getBody(t, mux, "/a/page"), &n, &back); err != nil || n != 1 {
			t.Fatalf("first page: n %d, %v", n, err)
		}
		if _, err := fmt.Sscan(getBody(t, mux, "/b/page?back="+url.QueryEscape(back)), &n, &next); err != nil || n != 1 {
			t.Fatalf("other application's page: n %d, %v", n, err)
		}
		if !strings.HasPrefix(next, back+";") || !strings.Contains(next, ";admin=") {
			t.Fatalf("b.EncodeURL(%q) = %q, want a's link with b's parameter added", back, next)
		}
		if _, err := fmt.Sscan(getBody(t, mux, next), &n, &back); err != nil || n != 2 {
			t.Fatalf("back on a through %q: n %d (%v), want 2 (a's session kept)", next, n, err)
		}
	})
}

// TestURLParamName: the URL-rewriting parameter is ";sid=" by default and,
// with a cookie name, that name without a "__Host-" or "__Secure-" prefix
// (a cookie attribute's business, meaningless in a URL): a Manager that
// spells out a default name ("__Host-sid") keeps ";sid=". The name also
// names the parameter when the cookie transport is off. A name a path
// parameter cannot carry literally is refused by New.
func TestURLParamName(t *testing.T) {
	for _, tc := range []struct {
		name, cookie string
		disabled     bool
		want         string
	}{
		{"default", "", false, ";sid="},
		{"plain sid", "sid", false, ";sid="},
		{"__Host-sid", "__Host-sid", false, ";sid="},
		{"custom", "app", false, ";app="},
		{"__Host- prefix", "__Host-admin", false, ";admin="},
		{"__secure- prefix, any case", "__secure-x", false, ";x="},
		{"prefix alone", "__Host-", false, ";__Host-="},
		{"cookie disabled", "api", true, ";api="},
		{"token characters", "a.b-c_d~e!f$g&h'i*j+k", false, ";a.b-c_d~e!f$g&h'i*j+k="},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, func(o *session.Options) {
				o.URLRewriting, o.Cookie.Name, o.Cookie.Disabled = true, tc.cookie, tc.disabled
			})
			var link string
			var id string
			e.serve(func(w http.ResponseWriter, r *http.Request) {
				s := session.FromRequest(r)
				bump(t, s)
				link = s.EncodeURL("/p")
				id = strings.TrimPrefix(link, "/p"+tc.want)
				if session.Key(id) != s.Key() {
					t.Errorf("EncodeURL(/p) = %q, want /p%sID", link, tc.want)
				}
			}, httptest.NewRequest("GET", "https://example.com/", nil))
			// The middleware reads it back, and strips it.
			var path string
			var n int
			e.serve(func(w http.ResponseWriter, r *http.Request) {
				path = r.URL.Path
				n = bump(t, session.FromRequest(r))
			}, httptest.NewRequest("GET", "https://example.com"+link, nil))
			if path != "/p" || n != 2 {
				t.Errorf("following %q: path %q, n %d; want /p and 2", link, path, n)
			}
		})
	}
	for _, name := range []string{"a|b", "a#b", "a%b", "a^b", "a`b"} {
		st := newEnv(t, nil).store
		if _, err := session.New(&session.Options{Store: st, URLRewriting: true, Cookie: session.CookieOptions{Name: name}}); err == nil {
			t.Errorf("New accepted the cookie name %q with URLRewriting, which no path parameter carries as it is", name)
		}
		m, err := session.New(&session.Options{Store: st, SweepInterval: -1, Cookie: session.CookieOptions{Name: name}})
		if err != nil {
			t.Errorf("New refused the cookie name %q without URLRewriting: %v", name, err)
		} else {
			m.Close()
		}
	}
}
