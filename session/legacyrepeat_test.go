package session_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/httpstate/httpstate/session"
)

// cookieRequest is a plain-HTTP GET of "/" with the Cookie header line
// given as it is, so that cookies of one name can repeat in a chosen order.
func cookieRequest(line string) *http.Request {
	req := httptest.NewRequest("GET", "http://example.com/", nil)
	req.Header.Set("Cookie", line)
	return req
}

// TestSecureOptionExpiresRepeatedPlainSid: a Manager with
// CookieOptions.Secure expires its old "sid" cookie when the request sends
// several "sid" cookies (another application's for another path or a
// parent domain, sent first) and any of them, not only the first, is one
// it wrote, as load tries each repeated session cookie. None is adopted;
// a request whose "sid" cookies are all someone else's expires nothing.
func TestSecureOptionExpiresRepeatedPlainSid(t *testing.T) {
	old := newEnv(t, nil)
	legacy := plainSid(t, old)

	e := *old
	m, err := session.New(&session.Options{Store: old.store, Now: old.clock.Now, SweepInterval: -1, Cookie: session.CookieOptions{Secure: true}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	e.m = m

	for _, tc := range []struct {
		line   string
		expire bool
	}{
		{"sid=other-app; sid=" + legacy, true},
		{"sid=other-app; sid=x; sid=" + legacy, true},
		{"sid=" + legacy + "; sid=other-app", true},
		{"sid=a; sid=b; sid=c; sid=" + legacy, true}, // the fourth, as load tries four
		{"sid=other-app; sid=x", false},
		{"sid=a; sid=b; sid=c; sid=d; sid=" + legacy, false}, // past the fourth: never read
	} {
		name := strings.ReplaceAll(tc.line, legacy, "LEGACY")
		rec := e.serve(counter, cookieRequest(tc.line))
		if rec.Body.String() != "1" {
			t.Errorf("%s: body %q, want 1 (no plain sid adopted)", name, rec.Body.String())
		}
		exp := expiredCookies(rec, "sid")
		want := 0
		if tc.expire {
			want = 1
		}
		if len(exp) != want {
			t.Errorf("%s: Set-Cookie %q, want sid expired %d times", name, rec.Header().Values("Set-Cookie"), want)
		}
		for _, c := range exp {
			if c.Value != "" || c.Path != "/" || c.Domain != "" || !c.Secure {
				t.Errorf("%s: expiring Set-Cookie %q: want an empty value, Path=/, no Domain, Secure", name, c.Raw)
			}
		}
	}
}

// TestSecureOptionExpiresRepeatedPlainSidChunks: the same in Codec mode,
// where repeated chunk cookies are read in the sets loadCodec tries: a
// one-cookie "sid" of another application sent before the old cookie-held
// session's chunks no longer hides them, and every chunk is expired.
func TestSecureOptionExpiresRepeatedPlainSidChunks(t *testing.T) {
	jar := plainSidChunks(t)
	chunks := "sid=" + jar["sid"] + "; sid.1=" + jar["sid.1"] + "; sid.2=" + jar["sid.2"]

	m, _ := newCodecManager(t, func(o *session.Options) { o.CookieChunks = 3; o.Cookie.Secure = true })
	for _, tc := range []struct {
		name, line string
		expire     int
	}{
		{"other app's sid first", "sid=other-app; " + chunks, 3},
		{"two others first", "sid=a; sid=b; " + chunks, 3},
		{"other app's sid after", chunks + "; sid=other-app", 3},
		{"others only", "sid=a; sid=b; sid.1=c", 0},
	} {
		rec := httptest.NewRecorder()
		blobHandler(t, m).ServeHTTP(rec, cookieRequest(tc.line))
		if rec.Body.String() != "false" {
			t.Errorf("%s: body %q, want false (the plain sid is never adopted)", tc.name, rec.Body.String())
		}
		exp := expiredCookies(rec, "sid")
		if len(exp) != tc.expire || len(setCookies(rec)) != tc.expire {
			t.Errorf("%s: Set-Cookie %q, want %d chunks of sid expired and nothing else", tc.name, rec.Header().Values("Set-Cookie"), tc.expire)
		}
		for _, c := range exp {
			if c.Path != "/" || c.Domain != "" || !c.Secure {
				t.Errorf("%s: expiring Set-Cookie %q: want Path=/, no Domain, Secure", tc.name, c.Raw)
			}
		}
	}
}

// plainSid serves a first request on old, a Manager with the plain default
// cookie name, and returns the "sid" cookie it set: the legacy cookie a
// Manager switched to CookieOptions.Secure (and so to "__Host-sid") meets.
func plainSid(t *testing.T, old *env) string {
	t.Helper()
	rec := old.serve(counter, secureRequest(false, "/", nil))
	cs := setCookies(rec)
	if len(cs) != 1 || cs[0].Name != "sid" {
		t.Fatalf("before the switch: Set-Cookie %q, want sid", rec.Header().Values("Set-Cookie"))
	}
	return cs[0].Value
}

// blobHandler answers whether the session holds "blob", after setting a
// 5000-byte one when the query has "set": in Codec mode with CookieChunks
// 3 that session takes the chunks "sid", "sid.1" and "sid.2".
func blobHandler(t *testing.T, m *session.Manager) http.Handler {
	return m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromRequest(r)
		var blob string
		ok, err := s.Get("blob", &blob)
		if err != nil {
			t.Error(err)
		}
		if r.URL.Query().Get("set") != "" {
			if err := s.Set("blob", strings.Repeat("y", 5000)); err != nil {
				t.Error(err)
			}
		}
		fmt.Fprint(w, ok)
	}))
}

// plainSidChunks sets a blob through blobHandler on a Codec Manager with the
// plain default name and three chunks, and returns the cookies it set:
// the old cookie-held session, in chunks, that a Manager switched to
// CookieOptions.Secure meets.
func plainSidChunks(t *testing.T) map[string]string {
	t.Helper()
	old, _ := newCodecManager(t, func(o *session.Options) { o.CookieChunks = 3 })
	rec := httptest.NewRecorder()
	blobHandler(t, old).ServeHTTP(rec, secureRequest(false, "/?set=1", nil))
	jar := map[string]string{}
	carry(jar, rec)
	if len(jar) != 3 || jar["sid.2"] == "" {
		t.Fatalf("before the switch: cookies %v, want sid, sid.1, sid.2", keys(jar))
	}
	return jar
}
