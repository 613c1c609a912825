package jar

import (
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
