package jar

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
)

// TestCookiesTxtLongLine checks that the jar never writes a cookies.txt it
// cannot read back. A cookie whose path is long enough (Add and JSON files
// take any length; Set-Cookie took a default-path of any length, RFC
// 6265bis section 5.1.4, until TestDefaultPathTooLong) has a line past the
// 64 KiB the reader takes: Export wrote it and Load of that file then
// failed as a whole ("line longer than 65536 bytes"), losing every cookie.
// Such a cookie is now left out and reported, and a line just under the
// limit still round-trips.
func TestCookiesTxtLongLine(t *testing.T) {
	j, _ := New(nil)
	// Lines "example.com\tFALSE\t<path>\tFALSE\t<exp>\ta\t1".
	fixed := len("example.com\tFALSE\t\tFALSE\t\ta\t1")
	exp := len("1780000000") // some expiry-time in Unix seconds, 10 digits
	for _, tc := range []struct {
		name string
		n    int // length of the line without its "\n"
	}{{"fits", maxLine - 1}, {"too long", maxLine}} {
		pathLen := tc.n - fixed - exp
		p := "/" + strings.Repeat(tc.name[:1], pathLen-1)
		if err := j.Add(Entry{Name: "a", Value: "1", Domain: "example.com", HostOnly: true, Path: p,
			Persistent: true, Expires: time.Now().Add(1e6 * time.Second)}); err != nil {
			t.Fatal(err)
		}
	}
	j.SetCookieLines(mustURL("http://example.com/"), []string{"b=2; Max-Age=1000"})
	if n := j.Len(); n != 3 {
		t.Fatalf("stored %d cookies, want 3", n)
	}
	var buf bytes.Buffer
	rep, err := j.ExportWithReport(&buf, nil)
	if err != nil || rep.Written != 2 || len(rep.Dropped) != 1 || !errors.Is(rep.Dropped[0], ErrNotWritable) {
		t.Fatalf("Export: %+v, %v; want 2 written, the too long line dropped", rep, err)
	}
	k, _ := New(nil)
	if n, err := k.Import(&buf); n != 2 || err != nil {
		t.Fatalf("Import of the jar's own file: %d, %v; want 2", n, err)
	}
	for _, e := range k.All() {
		if e.Name == "a" && !strings.HasPrefix(e.Path, "/f") {
			t.Errorf("read back the cookie with path %.10q..., want the one that fits", e.Path)
		}
	}
	// WriteCookiesTxt refuses it.
	if err := WriteCookiesTxt(&buf, j.All()); err == nil {
		t.Error("WriteCookiesTxt wrote a line longer than ReadCookiesTxt reads")
	}
}
