package jar

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// TestCookiesTxtLongLine checks that the jar never writes a cookies.txt it
// cannot read back. A cookie set without Path at a URL with a long path
// gets that path as its default-path (RFC 6265bis section 5.1.4, which
// has no length limit, unlike the Path attribute's 1024 octets), so its
// line can pass the 64 KiB the reader takes: Export wrote it and Load of
// that file then failed as a whole ("line longer than 65536 bytes"),
// losing every cookie. Such a cookie is now left out and reported, and a
// line just under the limit still round-trips.
func TestCookiesTxtLongLine(t *testing.T) {
	j, _ := New(nil)
	// Lines "example.com\tFALSE\t<path>\tFALSE\t<exp>\ta\t1": the path
	// is the default-path, the URL path up to (not including) its last
	// '/'.
	fixed := len("example.com\tFALSE\t\tFALSE\t\ta\t1")
	exp := len("1780000000") // some expiry-time in Unix seconds, 10 digits
	for _, tc := range []struct {
		name string
		n    int // length of the line without its "\n"
	}{{"fits", maxLine - 1}, {"too long", maxLine}} {
		pathLen := tc.n - fixed - exp
		p := "/" + strings.Repeat(tc.name[:1], pathLen-1)
		j.SetCookieLines(mustURL("http://example.com"+p+"/x"), []string{"a=1; Max-Age=1000000"})
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
