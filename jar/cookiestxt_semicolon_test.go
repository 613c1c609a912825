package jar

import (
	"errors"
	"strings"
	"testing"
)

// TestCookiesTxtUnsendableLine checks that a cookies.txt line whose value
// holds a ';' (curl loads and writes such values) or whose name holds a
// '=' or ';', a cookie no Set-Cookie header can create and no Cookie header
// can carry (RFC 6265bis sections 5.6 and 5.8.3: the ';' would end the
// pair and smuggle in another cookie), is left out and reported, not a
// failure of the whole file. Before, Load failed at that line and every
// other cookie of the file was lost.
func TestCookiesTxtUnsendableLine(t *testing.T) {
	const file = "# Netscape HTTP Cookie File\n" +
		"example.com\tFALSE\t/\tFALSE\t0\tbefore\t1\n" +
		"example.com\tFALSE\t/\tFALSE\t0\tsemi\tx; admin=1\n" +
		"example.com\tFALSE\t/\tFALSE\t0\ta=b\t2\n" +
		"example.com\tFALSE\t/\tFALSE\t0\tc;d\t3\n" +
		"example.com\tFALSE\t/\tFALSE\t0\tctl\tx\x7fy\n" +
		"example.com\tFALSE\t/\tFALSE\t0\tafter\t4\n"
	j, _ := New(nil)
	rep, err := j.ImportWithReport(strings.NewReader(file))
	if err != nil {
		t.Fatalf("Import: %v; want the good lines loaded", err)
	}
	if rep.Read != 6 || len(rep.Rejected) != 4 {
		t.Fatalf("Import: %+v; want 6 read, 4 rejected", rep)
	}
	for i, line := range []string{"line 3", "line 4", "line 5", "line 6"} {
		if err := rep.Rejected[i]; !errors.Is(err, errUnsendable) || !strings.Contains(err.Error(), line) ||
			strings.Contains(err.Error(), "admin") {
			t.Errorf("Rejected[%d] = %v; want errUnsendable at %s, without the value", i, err, line)
		}
	}
	if got, want := j.CookieHeader(mustURL("http://example.com/")), "before=1; after=4"; got != want {
		t.Errorf("Cookie %q, want %q", got, want)
	}
	// The exported reader still reports it as a malformed line.
	if _, err := ReadCookiesTxt(strings.NewReader(file)); !errors.Is(err, ErrSyntax) || !errors.Is(err, errUnsendable) {
		t.Errorf("ReadCookiesTxt: %v, want a *ParseError for line 3", err)
	}
	// JSON files are read the same way.
	const js = `{"version": 1, "cookies": [
{"name": "a", "value": "x;y", "domain": "example.com", "path": "/"},
{"name": "b", "value": "1", "domain": "example.com", "path": "/"}]}`
	k, _ := New(nil)
	rep, err = k.ImportWithReport(strings.NewReader(js))
	if err != nil || rep.Read != 2 || len(rep.Rejected) != 1 || !errors.Is(rep.Rejected[0], errUnsendable) {
		t.Fatalf("JSON Import: %+v, %v; want a rejected", rep, err)
	}
	// Add still refuses such a cookie.
	if err := k.Add(Entry{Name: "c", Value: "x;y", Domain: "example.com", Path: "/"}); err == nil {
		t.Error("Add of a plain cookie with ';' in its value succeeded")
	}
}
