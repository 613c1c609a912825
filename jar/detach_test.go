package jar

import (
	"strings"
	"testing"
	"unsafe"
)

// TestStoredCookieDetached checks that a stored cookie does not keep the
// Set-Cookie line (or Set-Cookie2 line, or URL) it came from alive: the
// parser's fields are substrings of the line, so a cookie "a=b" followed
// by a megabyte of ignored attributes pinned the megabyte for the
// cookie's lifetime (up to 3300 such cookies). It failed before: every
// stored field pointed into the line.
func TestStoredCookieDetached(t *testing.T) {
	j, _ := New(&Options{RFC2965: true})
	pad := strings.Repeat("x", 1<<16)
	line := "a=b; Path=/p; Domain=example.com; " + pad
	line2 := `c="d"; Version=1; Path="/p"; Comment="hi"; CommentURL="http://example.com/"; X=` + pad
	rawURL := "http://www.example.com/p/q?" + pad
	j.SetCookieLines(mustURL(rawURL), []string{line})
	j.SetCookie2Lines(mustURL(rawURL), []string{line2})
	j.SetCookieLines(mustURL(rawURL), []string{"e=f"}) // host-only, default-path
	within := func(s, in string) bool {
		if s == "" {
			return false
		}
		p := uintptr(unsafe.Pointer(unsafe.StringData(s)))
		lo := uintptr(unsafe.Pointer(unsafe.StringData(in)))
		return p >= lo && p < lo+uintptr(len(in))
	}
	n := 0
	for _, b := range j.buckets {
		for _, it := range b.items {
			n++
			for _, f := range []string{it.Name, it.Value, it.Domain, it.Path, it.Comment, it.CommentURL} {
				for _, src := range []string{line, line2, rawURL} {
					if within(f, src) {
						t.Errorf("cookie %q: field %q shares memory with its source", it.Name, f)
					}
				}
			}
		}
	}
	if n != 3 {
		t.Fatalf("stored %d cookies, want 3", n)
	}
	got := j.CookieHeader(mustURL("http://www.example.com/p/x"))
	for _, want := range []string{`a="b"`, `c="d"`, `e="f"`, `$Domain=".example.com"`} {
		if !strings.Contains(got, want) {
			t.Errorf("Cookie %q lacks %s", got, want)
		}
	}
}
