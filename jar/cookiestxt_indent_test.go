package jar

import (
	"strings"
	"testing"
)

// TestCookiesTxtLeadingBlanks: curl skips the spaces and TABs that begin
// a cookies.txt line (lib/cookie.c, Curl_cookie_init), so a hand-indented
// file loads there; the reader failed the whole file on it ("invalid
// domain"). Comments and #HttpOnly_ lines may be indented too.
func TestCookiesTxtLeadingBlanks(t *testing.T) {
	const file = "# Netscape HTTP Cookie File\n" +
		"  example.com\tFALSE\t/\tFALSE\t0\ta\t1\n" +
		"\t.example.org\tTRUE\t/\tFALSE\t0\tb\t2\n" +
		" \t#HttpOnly_example.net\tFALSE\t/\tFALSE\t0\tc\t3\n" +
		"   # an indented comment\n" +
		" \t \n"
	es, err := ReadCookiesTxt(strings.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	want := []Entry{
		{Name: "a", Value: "1", Domain: "example.com", HostOnly: true, Path: "/"},
		{Name: "b", Value: "2", Domain: "example.org", Path: "/"},
		{Name: "c", Value: "3", Domain: "example.net", HostOnly: true, Path: "/", HttpOnly: true},
	}
	if !sameEntries(es, want) {
		t.Errorf("read\n%+v\nwant\n%+v", es, want)
	}
	j, _ := New(nil)
	if _, err := j.Import(strings.NewReader(file)); err != nil {
		t.Fatal(err)
	}
	if got := j.CookieHeader(mustURL("http://www.example.org/")); got != "b=2" {
		t.Errorf("www.example.org: Cookie %q, want b=2", got)
	}
}
