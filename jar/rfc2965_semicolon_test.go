package jar

import (
	"bytes"
	"strings"
	"testing"
)

// TestRFC2965SemicolonValueFiles checks that a Set-Cookie2 cookie whose
// quoted value holds a ';' (RFC 2965 allows any quoted-string) does not
// make the jar's own files unloadable: its JSON file failed to load as a
// whole ("has a \"=\" or \";\" in its name or value"), losing every
// cookie, since the reader held RFC 2965 cookies to the plain-cookie rule.
// cookies.txt, which has no Version, leaves it out.
func TestRFC2965SemicolonValueFiles(t *testing.T) {
	j, _ := New(&Options{RFC2965: true})
	u := mustURL("http://example.com/")
	j.SetCookie2Lines(u, []string{`a="x;y"; Version=1; Max-Age=100`})
	j.SetCookieLines(u, []string{"b=1; Max-Age=100"})
	if n := len(j.All()); n != 2 {
		t.Fatalf("stored %d cookies, want 2", n)
	}
	var buf bytes.Buffer
	if err := j.Export(&buf, &SaveOptions{Format: FormatJSON}); err != nil {
		t.Fatal(err)
	}
	k, _ := New(&Options{RFC2965: true})
	if n, err := k.Import(&buf); n != 2 || err != nil {
		t.Fatalf("JSON Import: %d, %v; want 2, nil", n, err)
	}
	if got, want := k.CookieHeader(u), `$Version="1"; a="x;y"; $Path="/"; b="1"; $Path="/"`; got != want {
		t.Errorf("Cookie after reload %q, want %q", got, want)
	}

	buf.Reset()
	if err := j.Export(&buf, nil); err != nil {
		t.Fatalf("cookies.txt Export: %v", err)
	}
	l, _ := New(nil)
	if n, err := l.Import(&buf); n != 1 || err != nil {
		t.Fatalf("cookies.txt Import: %d, %v; want only b", n, err)
	}
	if err := WriteCookiesTxt(&buf, j.All()); err == nil || !strings.Contains(err.Error(), "';'") {
		t.Errorf("WriteCookiesTxt of the ';' value: %v, want an error", err)
	}
	// A plain cookie still may not hold one.
	if err := l.Add(Entry{Name: "c", Value: "x;y", Domain: "example.com", Path: "/"}); err == nil {
		t.Error("Add of a plain cookie with ';' in its value succeeded")
	}
}
