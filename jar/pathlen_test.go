package jar

import (
	"fmt"
	"maps"
	"net/http"
	"strings"
	"testing"
)

// TestDefaultPathTooLong checks that a cookie whose path, after RFC
// 6265bis section 5.7 step 11, is longer than 1024 octets is ignored, as
// Firefox does (CookieService::CheckPath, kMaxBytesPerPath). The Path
// attribute is capped at 1024 octets (section 5.6 step 6) but the
// default-path of a URL is not (section 5.1.4), and a server picks the URL
// with a redirect: a Location of megabytes followed by "Set-Cookie: a=1"
// pinned that much memory per cookie, thousands of cookies deep (and the
// path went to every cookies.txt line). It was stored before.
func TestDefaultPathTooLong(t *testing.T) {
	j := newTestJar(t, nil)
	ok := "/" + strings.Repeat("o", 1023)   // a default-path of 1024 octets
	long := "/" + strings.Repeat("l", 1024) // 1025
	j.SetCookieLines(mustURL("http://example.com"+ok+"/x"), []string{"a=1"})
	j.SetCookieLines(mustURL("http://example.com"+long+"/x"), []string{"b=1"})
	j.SetCookieLines(mustURL("http://example.com"+long+"/x"), []string{"c=1; Path=/" + strings.Repeat("p", 1100)}) // attribute ignored
	j.SetCookieLines(mustURL("http://example.com"+long+"/x"), []string{"d=1; Path=/"})
	got := map[string]int{}
	for _, e := range j.All() {
		got[e.Name] = len(e.Path)
	}
	if len(got) != 2 || got["a"] != 1024 || got["d"] != 1 {
		t.Fatalf("stored %v (name: path length), want a with 1024 and d with 1", got)
	}
}

// TestSetCookiesLongAttributes checks that SetCookies (http.CookieJar)
// treats a Path or Domain of a net/http cookie longer than 1024 octets as
// SetCookieLines treats the same Set-Cookie line: RFC 6265bis section 5.6
// step 6 ignores the attribute, so the cookie gets the default-path
// (section 5.1.4) or is host-only. net/http does not apply that limit: the
// cookie was refused whole (errPathTooLong; for Domain, no domain-match).
func TestSetCookiesLongAttributes(t *testing.T) {
	u := mustURL("http://www.example.com/a/b")
	longPath := "/" + strings.Repeat("p", 1100)
	longDomain := strings.Repeat("d.", 550) + "example.com"
	viaLines := newTestJar(t, nil)
	viaLines.SetCookieLines(u, []string{"p=1; Path=" + longPath, "d=1; Domain=" + longDomain})
	viaHTTP := newTestJar(t, nil)
	viaHTTP.SetCookies(u, []*http.Cookie{
		{Name: "p", Value: "1", Path: longPath},
		{Name: "d", Value: "1", Domain: longDomain},
	})
	for _, j := range []*Jar{viaLines, viaHTTP} {
		got := map[string]string{}
		for _, e := range j.All() {
			got[e.Name] = fmt.Sprintf("%s %v %s", e.Domain, e.HostOnly, e.Path)
		}
		want := map[string]string{"p": "www.example.com true /a", "d": "www.example.com true /a"}
		if !maps.Equal(got, want) {
			t.Errorf("stored %v, want %v", got, want)
		}
	}
}
