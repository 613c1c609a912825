package jar

import (
	"testing"
	"time"
)

// rfc2965Tests store Set-Cookie2 lines from setURL and check the Cookie
// header for getURL.
var rfc2965Tests = []struct {
	name   string
	setURL string
	lines  []string
	getURL string
	want   string
}{
	{"basic", "http://example.com/a/b", []string{`sid="abc"; Version="1"; Path="/a"`},
		"http://example.com/a/c", `$Version="1"; sid="abc"; $Path="/a"`},
	{"port list allows", "http://example.com:8080/", []string{`p=1; Version=1; Port="80,8080"`},
		"http://example.com:80/", `$Version="1"; p="1"; $Path="/"; $Port="80,8080"`},
	{"port list excludes", "http://example.com:8080/", []string{`p=1; Version=1; Port="80,8080"`},
		"http://example.com:9090/", ""},
	{"port list must hold the request port", "http://example.com:9090/", []string{`p=1; Version=1; Port="80,8080"`},
		"http://example.com:80/", ""},
	{"bare Port means the request port", "http://example.com:8080/", []string{`p=1; Version=1; Port`},
		"http://example.com:8080/", `$Version="1"; p="1"; $Path="/"; $Port="8080"`},
	{"bare Port other port", "http://example.com:8080/", []string{`p=1; Version=1; Port`},
		"http://example.com:8081/", ""},
	// A URL port outside 1-65535 is no port a Port list holds: the
	// cookie was stored with Port [99999] (or [0]), which the jar's own
	// JSON file then refused as a whole ("port out of range").
	{"bare Port from port 99999", "http://example.com:99999/", []string{`p=1; Version=1; Port`},
		"http://example.com:99999/", ""},
	{"bare Port from port 0", "http://example.com:0/", []string{`p=1; Version=1; Port`},
		"http://example.com:0/", ""},
	{"domain with dot", "http://www.example.com/", []string{`d=1; Version=1; Domain=".example.com"`},
		"http://mail.example.com/", `$Version="1"; d="1"; $Path="/"; $Domain=".example.com"`},
	{"path not a prefix is rejected", "http://example.com/a", []string{`x=1; Version=1; Path="/b"`},
		"http://example.com/b", ""},
	{"two cookies in one line", "http://example.com/", []string{`a=1; Version=1, b=2; Version=1`},
		"http://example.com/", `$Version="1"; a="1"; $Path="/"; b="2"; $Path="/"`},
	{"Max-Age=0 deletes", "http://example.com/", []string{`a=1; Version=1`, `a=1; Version=1; Max-Age=0`},
		"http://example.com/", ""},
	// Discard (a session cookie) does not undo Max-Age=0 (discard at
	// once, RFC 2965 section 3.2.2): it stored a session cookie instead
	// of deleting.
	{"Max-Age=0 with Discard deletes", "http://example.com/", []string{`a=1; Version=1`, `a=2; Version=1; Max-Age=0; Discard`},
		"http://example.com/", ""},
	{"Discard with Max-Age is a session cookie", "http://example.com/", []string{`a=1; Version=1; Max-Age=100; Discard`},
		"http://example.com/", `$Version="1"; a="1"; $Path="/"`},
}

func TestRFC2965(t *testing.T) {
	for _, tt := range rfc2965Tests {
		t.Run(tt.name, func(t *testing.T) {
			j := newTestJar(t, &Options{RFC2965: true})
			j.SetCookie2Lines(mustURL(tt.setURL), tt.lines)
			if got := j.CookieHeader(mustURL(tt.getURL)); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestRFC2965Discard(t *testing.T) {
	j := newTestJar(t, &Options{RFC2965: true})
	u := mustURL("http://example.com/")
	j.SetCookie2Lines(u, []string{`a=1; Version=1; Max-Age=600; Discard`, `b=2; Version=1; Max-Age=600`})
	all := j.All()
	if len(all) != 2 {
		t.Fatalf("stored %d cookies, want 2: %+v", len(all), all)
	}
	for _, e := range all {
		if want := e.Name == "b"; e.Persistent != want {
			t.Errorf("%s: Persistent got %v, want %v", e.Name, e.Persistent, want)
		}
		if e.Version != 1 {
			t.Errorf("%s: Version got %d, want 1", e.Name, e.Version)
		}
		if want := tNow.Add(10 * time.Minute); e.Name == "b" && !e.Expires.Equal(want) {
			t.Errorf("b: Expires got %v, want %v", e.Expires, want)
		}
	}
}

func TestRFC2965OffByDefault(t *testing.T) {
	j := newTestJar(t, nil)
	u := mustURL("http://example.com/")
	j.SetCookie2Lines(u, []string{`a=1; Version=1`})
	if got := j.Len(); got != 0 {
		t.Errorf("RFC2965 off: stored %d cookies, want 0", got)
	}
}

func TestRFC2965MixedHeader(t *testing.T) {
	j := newTestJar(t, &Options{RFC2965: true})
	u := mustURL("http://example.com/")
	j.SetCookieLines(u, []string{"plain=1"})
	if got := j.CookieHeader(u); got != "plain=1" {
		t.Fatalf("got %q, want plain=1", got)
	}
	j.SetCookie2Lines(u, []string{`v1=2; Version=1`})
	if got, want := j.CookieHeader(u), `$Version="1"; plain="1"; $Path="/"; v1="2"; $Path="/"`; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
