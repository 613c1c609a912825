package jar

import (
	"strings"
	"testing"
)

// TestReadPythonMozillaCookieJar checks that a cookies.txt written by
// Python's http.cookiejar.MozillaCookieJar (save with ignore_discard)
// loads: it writes a session cookie with an empty expires field, which
// failed the whole file before ("expires \"\" is not a Unix time"). The
// text is what CPython 3 wrote for a session cookie and a domain cookie.
func TestReadPythonMozillaCookieJar(t *testing.T) {
	const file = "# Netscape HTTP Cookie File\n# http://curl.haxx.se/rfc/cookie_spec.html\n" +
		"# This is a generated file!  Do not edit.\n\n" +
		"example.com\tFALSE\t/\tFALSE\t\tsid\tabc\n" +
		".example.com\tTRUE\t/\tFALSE\t2000000000\td\t1\n"
	es, err := ReadCookiesTxt(strings.NewReader(file))
	if err != nil || len(es) != 2 {
		t.Fatalf("ReadCookiesTxt: %d entries, %v; want 2", len(es), err)
	}
	if es[0].Name != "sid" || es[0].Persistent || !es[0].Expires.IsZero() {
		t.Errorf("empty expires read as %+v, want a session cookie", es[0])
	}
	if es[1].Name != "d" || !es[1].Persistent || es[1].Expires.Unix() != 2000000000 || es[1].HostOnly {
		t.Errorf("domain cookie read as %+v", es[1])
	}
}
