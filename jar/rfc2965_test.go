package jar

import (
	"bytes"
	"strings"
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
	// A bare Port restricts the cookie to the request port (RFC 2965
	// section 3.3.1) but goes back as a bare $Port: section 3.3.4 has
	// $Port mirror the Port attribute, with "the same value, if any".
	// It was sent as $Port="8080".
	{"bare Port means the request port", "http://example.com:8080/", []string{`p=1; Version=1; Port`},
		"http://example.com:8080/", `$Version="1"; p="1"; $Path="/"; $Port`},
	{"port list is sent as received", "http://example.com:8080/", []string{`p=1; Version=1; Port="8080,80,443"`},
		"http://example.com:443/", `$Version="1"; p="1"; $Path="/"; $Port="8080,80,443"`},
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

// TestRFC2965BarePortFiles checks that a cookie set with a bare Port keeps
// sending a bare $Port (RFC 2965 section 3.3.4) after a JSON save and
// load, and only to the port it was set from; the JSON file says version
// 3 for the "portBare" field, which older readers do not know.
func TestRFC2965BarePortFiles(t *testing.T) {
	j := newTestJar(t, &Options{RFC2965: true})
	u := mustURL("http://example.com:8080/")
	j.SetCookie2Lines(u, []string{`p=1; Version=1; Port; Max-Age=100`})
	all := j.All()
	if len(all) != 1 || !all[0].PortBare || len(all[0].Port) != 1 || all[0].Port[0] != 8080 {
		t.Fatalf("stored %+v; want PortBare with Port [8080]", all)
	}
	var buf bytes.Buffer
	if err := j.Export(&buf, &SaveOptions{Format: FormatJSON}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `"version": 3`) || !strings.Contains(buf.String(), `"portBare": true`) {
		t.Fatalf("JSON file lacks version 3 or portBare:\n%s", buf.String())
	}
	k := newTestJar(t, &Options{RFC2965: true})
	if n, err := k.Import(&buf); n != 1 || err != nil {
		t.Fatalf("Import: %d, %v", n, err)
	}
	if got, want := k.CookieHeader(u), `$Version="1"; p="1"; $Path="/"; $Port`; got != want {
		t.Errorf("after reload: %q, want %q", got, want)
	}
	if got := k.CookieHeader(mustURL("http://example.com:8081/")); got != "" {
		t.Errorf("after reload, other port: %q, want none", got)
	}
	// PortBare stands for the one request port.
	for _, ports := range [][]int{nil, {80, 8080}} {
		if err := k.Add(Entry{Name: "x", Value: "1", Domain: "example.com", Path: "/", Version: 1, Port: ports, PortBare: true}); err == nil {
			t.Errorf("Add with PortBare and Port %v succeeded", ports)
		}
	}
}

// TestRFC2965LongPortList checks that a Set-Cookie2 cookie whose Port list
// is longer than 1024 octets, the most RFC 6265bis section 5.6 step 6
// lets any attribute value have, is ignored: the list was copied into the
// stored cookie, one int per element, so a header of megabytes ("1,1,1,...")
// pinned several times its size per cookie.
func TestRFC2965LongPortList(t *testing.T) {
	j := newTestJar(t, &Options{RFC2965: true})
	u := mustURL("http://example.com/")
	ok := "80" + strings.Repeat(",1", 511)         // 1024 octets
	long := "80" + strings.Repeat(",1", 511) + "1" // 1025
	j.SetCookie2Lines(u, []string{`a=1; Version=1; Port="` + ok + `"`, `b=1; Version=1; Port="` + long + `"`})
	all := j.All()
	if len(all) != 1 || all[0].Name != "a" {
		t.Fatalf("stored %d cookies (%v), want a only", len(all), all)
	}
}

// TestRFC2965LongComment checks that a Comment or CommentURL longer than
// 1024 octets is ignored (the cookie is kept without it), as RFC 6265bis
// section 5.6 step 6 ignores any attribute value that long: the jar
// stored it in full, so a server could pin megabytes per cookie.
func TestRFC2965LongComment(t *testing.T) {
	j := newTestJar(t, &Options{RFC2965: true})
	u := mustURL("http://example.com/")
	ok, long := strings.Repeat("c", 1024), strings.Repeat("l", 1025)
	j.SetCookie2Lines(u, []string{
		`a=1; Version=1; Comment="` + ok + `"; CommentURL="http://x/` + long + `"`,
		`b=1; Version=1; Comment="` + long + `"; CommentURL="http://x/"`,
	})
	got := map[string][2]int{}
	for _, e := range j.All() {
		got[e.Name] = [2]int{len(e.Comment), len(e.CommentURL)}
	}
	if want := map[string][2]int{"a": {1024, 0}, "b": {0, 9}}; len(got) != 2 || got["a"] != want["a"] || got["b"] != want["b"] {
		t.Fatalf("stored comment lengths %v, want %v", got, want)
	}
}
