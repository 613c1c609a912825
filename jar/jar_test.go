package jar

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/httpstate/httpstate/cookie"
	"github.com/httpstate/httpstate/internal/testutil"
)

// step is one action of a jarScenario: store lines from url (set), or
// check the Cookie header for url (get), after advancing the clock.
type step struct {
	advance time.Duration
	set     string   // URL the response came from
	lines   []string // its Set-Cookie values
	get     string   // URL to retrieve for
	req     func(*Request)
	want    string // expected Cookie header for get
}

// jarScenario is a multi-step test against one jar.
type jarScenario struct {
	name  string
	opt   *Options
	steps []step
}

func (s jarScenario) run(t *testing.T) {
	t.Helper()
	clock := testutil.NewClock(tNow)
	var opt Options
	if s.opt != nil {
		opt = *s.opt
	}
	opt.Now = clock.Now
	j, err := New(&opt)
	if err != nil {
		t.Fatal(err)
	}
	for i, st := range s.steps {
		clock.Advance(st.advance)
		if st.set != "" {
			r := plainRequest(mustURL(st.set))
			if st.req != nil {
				st.req(&r)
			}
			j.SetCookieLinesFor(r, st.lines)
		}
		if st.get != "" {
			r := plainRequest(mustURL(st.get))
			if st.req != nil {
				st.req(&r)
			}
			if got := j.CookieHeaderFor(r); got != st.want {
				t.Errorf("step %d: CookieHeader(%s) got %q, want %q", i, st.get, got, st.want)
			}
		}
	}
}

var jarScenarios = []jarScenario{
	{name: "order: longer paths first, then creation (5.8.3 step 4)", steps: []step{
		{set: "http://example.com/a/b/c", lines: []string{"x=1; Path=/", "y=2; Path=/a/b", "z=3; Path=/a"}},
		{advance: time.Second, set: "http://example.com/", lines: []string{"w=4; Path=/a/b", "v=5"}},
		{get: "http://example.com/a/b/c", want: "y=2; w=4; z=3; x=1; v=5"},
		{get: "http://example.com/a", want: "z=3; x=1; v=5"},
		{get: "http://example.com/ab", want: "x=1; v=5"},
	}},
	{name: "replacement keeps creation-time (5.7 step 23.3)", steps: []step{
		{set: "http://example.com/", lines: []string{"a=1", "b=2"}},
		{advance: time.Second, set: "http://example.com/", lines: []string{"a=3"}},
		{get: "http://example.com/", want: "a=3; b=2"},
	}},
	{name: "nameless cookie is its value alone", steps: []step{
		{set: "http://example.com/", lines: []string{"a=1", "nameless", "=b"}},
		{get: "http://example.com/", want: "a=1; b"},
	}},
	{name: "host-only vs domain cookies", steps: []step{
		{set: "http://www.example.com/", lines: []string{"h=1", "d=2; Domain=example.com"}},
		{get: "http://www.example.com/", want: "h=1; d=2"},
		{get: "http://sub.www.example.com/", want: "d=2"},
		{get: "http://example.com/", want: "d=2"},
		{get: "http://wwwexample.com/", want: ""},
		{get: "http://example.org/", want: ""},
	}},
	{name: "ports are ignored", steps: []step{
		{set: "http://example.com:8080/", lines: []string{"a=1"}},
		{get: "http://example.com:9090/", want: "a=1"},
		{get: "http://example.com/", want: "a=1"},
	}},
	{name: "host is case-insensitive", steps: []step{
		{set: "http://EXAMPLE.com/", lines: []string{"a=1"}},
		{get: "http://example.COM/", want: "a=1"},
	}},
	{name: "Secure cookies go to secure origins only", steps: []step{
		{set: "https://example.com/", lines: []string{"s=1; Secure", "p=2"}},
		{get: "https://example.com/", want: "s=1; p=2"},
		{get: "http://example.com/", want: "p=2"},
		{get: "wss://example.com/", want: "s=1; p=2"},
	}},
	{name: "loopback hosts are secure origins both ways (5.7 step 13, 5.8.3)", steps: []step{
		{set: "http://localhost:8080/", lines: []string{"s=1; Secure", "__Host-h=2; Secure; Path=/"}},
		{get: "http://localhost:9090/", want: "s=1; __Host-h=2"},
		{set: "http://127.0.0.1/", lines: []string{"s=3; Secure"}},
		{get: "http://127.0.0.1/", want: "s=3"},
		{set: "http://[::1]/", lines: []string{"s=4; Secure"}},
		{get: "http://[::1]:81/", want: "s=4"},
		{set: "http://app.localhost/", lines: []string{"s=5; Secure"}},
		{get: "http://app.localhost/", want: "s=5"},
		// A non-loopback http origin is not secure.
		{set: "http://192.0.2.1/", lines: []string{"s=6; Secure"}},
		{get: "https://192.0.2.1/", want: ""},
	}},
	{name: "Max-Age beats Expires; expiry removes", steps: []step{
		{set: "http://example.com/", lines: []string{"a=1; Max-Age=10; Expires=Fri, 01 Jan 2100 00:00:00 GMT", "b=2; Expires=Mon, 01 Jun 2026 12:00:30 GMT"}},
		{get: "http://example.com/", want: "a=1; b=2"},
		{advance: 11 * time.Second, get: "http://example.com/", want: "b=2"},
		{advance: 20 * time.Second, get: "http://example.com/", want: ""},
	}},
	{name: "Max-Age=0 deletes", steps: []step{
		{set: "http://example.com/", lines: []string{"a=1", "b=2"}},
		{set: "http://example.com/", lines: []string{"a=x; Max-Age=0"}},
		{get: "http://example.com/", want: "b=2"},
	}},
	{name: "past Expires deletes", steps: []step{
		{set: "http://example.com/", lines: []string{"a=1"}},
		{set: "http://example.com/", lines: []string{"a=1; Expires=Thu, 01 Jan 1970 00:00:00 GMT"}},
		{get: "http://example.com/", want: ""},
	}},
	{name: "lifetime capped at 400 days (5.5)", steps: []step{
		{set: "http://example.com/", lines: []string{"a=1; Max-Age=999999999"}},
		{advance: 399 * 24 * time.Hour, get: "http://example.com/", want: "a=1"},
		{advance: 2 * 24 * time.Hour, get: "http://example.com/", want: ""},
	}},
	{name: "insecure origin cannot overwrite a Secure cookie (5.7 step 16)", steps: []step{
		{set: "https://example.com/login", lines: []string{"sid=secret; Secure; Path=/login"}},
		{set: "http://example.com/", lines: []string{"sid=evil; Path=/login"}},
		{set: "http://example.com/", lines: []string{"sid=evil2; Path=/login/en"}},
		{set: "http://www.example.com/", lines: []string{"sid=evil3; Domain=example.com; Path=/login"}},
		{get: "https://example.com/login", want: "sid=secret"},
		// A broader path is allowed (the note under step 16).
		{set: "http://example.com/", lines: []string{"sid=ok; Path=/"}},
		{get: "https://example.com/login", want: "sid=secret; sid=ok"},
		// A secure origin may overwrite.
		{set: "https://example.com/", lines: []string{"sid=new; Secure; Path=/login"}},
		{get: "https://example.com/login", want: "sid=new; sid=ok"},
	}},
	// An expired cookie is no longer in the store (5.7: expired cookies
	// are evicted "at any time"), so it shields nothing.
	{name: "an expired Secure cookie does not block its insecure namesake (5.7 step 16)", steps: []step{
		{set: "https://example.com/", lines: []string{"sid=secret; Secure; Max-Age=10"}},
		{advance: 20 * time.Second, set: "http://example.com/", lines: []string{"sid=plain"}},
		{get: "http://example.com/", want: "sid=plain"},
	}},
	// Nor is there an old-cookie for step 23: an expired HttpOnly cookie
	// blocks no non-HTTP API, and its creation-time is not inherited.
	{name: "an expired cookie is no old-cookie (5.7 step 23)", steps: []step{
		{set: "http://example.com/", lines: []string{"h=1; HttpOnly; Max-Age=10", "g=1; Max-Age=10"}},
		{advance: 5 * time.Second, set: "http://example.com/", lines: []string{"p=2"}},
		{advance: 15 * time.Second, set: "http://example.com/", lines: []string{"h=3"}, req: nonHTTP},
		{set: "http://example.com/", lines: []string{"g=4"}},
		{get: "http://example.com/", want: "p=2; h=3; g=4"},
	}},
	// A fully qualified host (trailing dot) and its parent domain are one
	// site: the Secure cookie of www.example.com. must be found when
	// example.com. sets its namesake.
	{name: "insecure origin cannot shadow a Secure cookie of an FQDN host (5.7 step 16)", steps: []step{
		{set: "https://www.example.com./", lines: []string{"s=secure; Secure"}},
		{set: "http://www.example.com./", lines: []string{"s=insecure; Domain=example.com."}},
		{get: "https://www.example.com./", want: "s=secure"},
		{get: "http://other.example.com./", want: ""},
	}},
	{name: "FQDN hosts of one registrable domain are same-site (5.2)", steps: []step{
		{set: "https://a.example.org./", lines: []string{"t=1; SameSite=Strict"}},
		{get: "https://a.example.org./", req: func(r *Request) {
			r.SiteForCookies = mustURL("https://b.example.org./")
			r.TopLevelNavigation = false
		}, want: "t=1"},
		{get: "https://a.example.org./", req: func(r *Request) {
			r.SiteForCookies = mustURL("https://b.example.net./")
			r.TopLevelNavigation = false
		}, want: ""},
	}},
	{name: "HttpOnly hidden from non-HTTP API", steps: []step{
		{set: "http://example.com/", lines: []string{"h=1; HttpOnly", "p=2"}},
		{get: "http://example.com/", want: "h=1; p=2"},
		{get: "http://example.com/", req: nonHTTP, want: "p=2"},
		// A non-HTTP API cannot overwrite an HttpOnly cookie (5.7 step 23.2).
		{set: "http://example.com/", lines: []string{"h=evil"}, req: nonHTTP},
		{get: "http://example.com/", want: "h=1; p=2"},
	}},
	{name: "SameSite retrieval (5.8.3)", steps: []step{
		{set: "https://example.com/", lines: []string{"s=1; SameSite=Strict", "l=2; SameSite=Lax", "n=3; SameSite=None; Secure", "d=4"}},
		{get: "https://example.com/", want: "s=1; l=2; n=3; d=4"},
		{get: "https://example.com/", req: sameSiteSub, want: "s=1; l=2; n=3; d=4"},
		{get: "https://example.com/", req: crossSiteTop, want: "l=2; n=3; d=4"},
		{get: "https://example.com/", req: func(r *Request) { crossSiteTop(r); r.Method = http.MethodPost }, want: "n=3"},
		{get: "https://example.com/", req: func(r *Request) { crossSiteTop(r); r.Method = http.MethodHead }, want: "l=2; n=3; d=4"},
		{get: "https://example.com/", req: crossSiteSub, want: "n=3"},
		{get: "https://example.com/", req: func(r *Request) { crossSiteTop(r); nonHTTP(r) }, want: "n=3"},
		// Schemeful: http top-level is cross-site to https.
		{get: "https://example.com/", req: func(r *Request) {
			r.SiteForCookies = mustURL("http://example.com/")
			r.TopLevelNavigation = false
		}, want: "n=3"},
		{get: "https://www.example.com/", req: func(r *Request) {
			r.SiteForCookies = mustURL("https://example.com/")
			r.TopLevelNavigation = false
		}, want: ""},
	}},
	{name: "path match (5.1.4)", steps: []step{
		{set: "http://example.com/", lines: []string{"a=1; Path=/docs", "b=2; Path=/docs/"}},
		{get: "http://example.com/docs", want: "a=1"},
		{get: "http://example.com/docs/", want: "b=2; a=1"},
		{get: "http://example.com/docs/web", want: "b=2; a=1"},
		{get: "http://example.com/docsets", want: ""},
		{get: "http://example.com/", want: ""},
		{get: "http://example.com/Docs", want: ""},
	}},
	{name: "default-path (5.1.4)", steps: []step{
		{set: "http://example.com/a/b/c?x=/y", lines: []string{"a=1"}},
		{set: "http://example.com/top", lines: []string{"b=2"}},
		{get: "http://example.com/a/b/x", want: "a=1; b=2"},
		{get: "http://example.com/a/x", want: "b=2"},
	}},
}

func TestJarScenarios(t *testing.T) {
	for _, s := range jarScenarios {
		t.Run(s.name, s.run)
	}
}

func TestLastAccessUpdated(t *testing.T) {
	clock := testutil.NewClock(tNow)
	j, err := New(&Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	u := mustURL("http://example.com/a")
	j.SetCookieLines(u, []string{"a=1; Path=/a", "b=2; Path=/b"})
	clock.Advance(time.Minute)
	if got := j.CookieHeader(u); got != "a=1" {
		t.Fatalf("CookieHeader got %q, want %q", got, "a=1")
	}
	for _, e := range j.All() {
		want := tNow
		if e.Name == "a" {
			want = tNow.Add(time.Minute)
		}
		if !e.LastAccess.Equal(want) {
			t.Errorf("%s: LastAccess got %v, want %v", e.Name, e.LastAccess, want)
		}
		if !e.Created.Equal(tNow) {
			t.Errorf("%s: Created got %v, want %v", e.Name, e.Created, tNow)
		}
	}
}

func TestHTTPCookieJar(t *testing.T) {
	j := newTestJar(t, nil)
	var _ http.CookieJar = j
	u := mustURL("https://www.example.com/a/")
	j.SetCookies(u, []*http.Cookie{
		{Name: "a", Value: "1", Path: "/", MaxAge: 60},
		{Name: "q", Value: "x y", Quoted: true},
		{Name: "d", Value: "2", Domain: ".Example.com", Secure: true, HttpOnly: true, SameSite: http.SameSiteStrictMode},
		{Name: "gone", Value: "3", MaxAge: -1},
		nil,
	})
	if got, want := j.CookieHeader(u), `q="x y"; d=2; a=1`; got != want {
		t.Errorf("CookieHeader got %q, want %q", got, want)
	}
	got := j.Cookies(u)
	var parts []string
	for _, c := range got {
		parts = append(parts, c.String())
	}
	if s, want := strings.Join(parts, "; "), `q="x y"; d=2; a=1`; s != want {
		t.Errorf("Cookies got %q, want %q", s, want)
	}
	es := j.Domain("example.com")
	if len(es) != 1 || !es[0].Secure || !es[0].HttpOnly || es[0].SameSite != cookie.SameSiteStrict || es[0].HostOnly {
		t.Errorf("Domain(example.com) got %+v, want one secure httponly strict domain cookie", es)
	}
	if got := j.Cookies(mustURL("http://other.example/")); got != nil {
		t.Errorf("Cookies(other) got %v, want nil", got)
	}
}

func TestCookiesFor(t *testing.T) {
	j := newTestJar(t, nil)
	u := mustURL("https://example.com/")
	j.SetCookieLines(u, []string{"h=1; HttpOnly; Max-Age=60", "p=2"})
	es := j.CookiesFor(Request{URL: u})
	if len(es) != 1 || es[0].Name != "p" {
		t.Fatalf("non-HTTP CookiesFor got %+v, want only p", es)
	}
	es = j.CookiesFor(plainRequest(u))
	if len(es) != 2 || es[0].Name != "h" || !es[0].Persistent || !es[0].Expires.Equal(tNow.Add(time.Minute)) {
		t.Fatalf("HTTP CookiesFor got %+v, want h (persistent, 1 min) then p", es)
	}
	es[0].Value = "changed"
	if got := j.CookieHeader(u); got != "h=1; p=2" {
		t.Errorf("changing a returned Entry changed the jar: %q", got)
	}
}

func TestEditing(t *testing.T) {
	j := newTestJar(t, nil)
	j.SetCookieLines(mustURL("http://www.example.com/"), []string{"a=1", "b=2; Path=/x", "c=3; Domain=example.com"})
	j.SetCookieLines(mustURL("http://other.org/"), []string{"o=1"})
	if got := len(j.All()); got != 4 {
		t.Fatalf("All got %d, want 4", got)
	}
	if got := j.Domain(".WWW.example.com"); len(got) != 2 || got[0].Name != "b" || got[1].Name != "a" {
		t.Errorf("Domain(www.example.com) got %+v, want b then a", got)
	}
	if j.Remove("www.example.com", "/", "zzz") {
		t.Error("Remove of a missing cookie reported true")
	}
	if !j.Remove("www.example.com", "/x", "b") {
		t.Error("Remove of b reported false")
	}
	if got := j.CookieHeader(mustURL("http://www.example.com/x")); got != "a=1; c=3" {
		t.Errorf("after Remove got %q, want %q", got, "a=1; c=3")
	}
	if n := j.ClearDomain("example.com"); n != 2 {
		t.Errorf("ClearDomain(example.com) got %d, want 2", n)
	}
	if got := j.Len(); got != 1 {
		t.Errorf("Len after ClearDomain got %d, want 1", got)
	}
	j.Clear()
	if got := j.All(); len(got) != 0 {
		t.Errorf("All after Clear got %+v, want none", got)
	}
}

func TestEndSession(t *testing.T) {
	j := newTestJar(t, nil)
	u := mustURL("http://example.com/")
	j.SetCookieLines(u, []string{"s=1", "p=2; Max-Age=100"})
	j.EndSession()
	if got := j.CookieHeader(u); got != "p=2" {
		t.Errorf("after EndSession got %q, want %q", got, "p=2")
	}
}

func TestNewRejectsContradictoryOptions(t *testing.T) {
	if _, err := New(&Options{NoPublicSuffixList: true, PublicSuffixList: testPSL{}}); err == nil {
		t.Error("New with a list and NoPublicSuffixList: got nil error")
	}
}

func TestDomainCanonicalizesIDN(t *testing.T) {
	j := newTestJar(t, nil)
	j.SetCookieLines(mustURL("http://bücher.example/"), []string{"a=1"})
	if got := j.Domain("BÜCHER.example"); len(got) != 1 || got[0].Domain != "xn--bcher-kva.example" {
		t.Errorf("Domain(BÜCHER.example) got %+v", got)
	}
	if !j.Remove(".bücher.example", "/", "a") {
		t.Error("Remove by U-label failed")
	}
}
