package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCookiesMalformedLineSkipped: list, convert and get read a
// cookies.txt file as the jar's Load does: a malformed line, or a cookie a
// jar refuses, is left out with a warning on stderr naming the file and
// the line (made printable, never the value), and the other cookies are
// used. They failed the whole file on the first such line (the strict
// reader), while jar.Load and "http --session" skipped it.
func TestCookiesMalformedLineSkipped(t *testing.T) {
	// cookies-bad.txt: a good cookie, then line 4 with expires "never".
	for _, tt := range []struct {
		args []string
		out  string
	}{
		{[]string{"list", "testdata/cookies-bad.txt"}, "ok"},
		{[]string{"convert", "--to", "json", "testdata/cookies-bad.txt"}, `"name": "ok"`},
		{[]string{"convert", "--to", "txt", "testdata/cookies-bad.txt"}, "\tok\t1\n"},
		{[]string{"get", "http://example.com/", "testdata/cookies-bad.txt"}, "ok=1\n"},
	} {
		out, errOut, err := runCookies(t, tt.args...)
		if err != nil {
			t.Errorf("%q: %v; want the bad line left out", tt.args, err)
			continue
		}
		if !strings.Contains(out, tt.out) || strings.Contains(out, "bad") {
			t.Errorf("%q: output %q; want %q and not the bad cookie", tt.args, out, tt.out)
		}
		want := "httpstate: warning: testdata/cookies-bad.txt: jar: cookies.txt line 4: malformed line left out: expires \"never\" is not a Unix time\n"
		if errOut != want {
			t.Errorf("%q: stderr %q; want %q", tt.args, errOut, want)
		}
	}

	// Control characters and a secret: the warning is printable and holds
	// no value; a refused cookie (Fake A-label domain) is named by line too.
	dir := t.TempDir()
	path := filepath.Join(dir, "c.txt")
	file := "example.com\tFALSE\t/\tFALSE\t0\tgood\tv\n" +
		"example.com\t\x1b[2J\u202e\t/\tFALSE\t0\tesc\tsecret1\n" +
		"xn--ab.example\tFALSE\t/\tFALSE\t0\tfake\tsecret2\n"
	if err := os.WriteFile(path, []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	out, errOut, err := runCookies(t, "list", path)
	if err != nil || !strings.Contains(out, "good") {
		t.Fatalf("list: %v, out %q", err, out)
	}
	lines := strings.Split(strings.TrimSuffix(errOut, "\n"), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], "line 2: malformed line left out") || !strings.Contains(lines[1], "line 3: cookie \"fake\"") {
		t.Errorf("stderr %q; want a warning for line 2 and one for line 3", errOut)
	}
	if strings.Contains(errOut, "secret") || strings.ContainsFunc(errOut, func(r rune) bool { return r != '\n' && unprintable(r) }) {
		t.Errorf("stderr %q holds a value or a control character", errOut)
	}
}

// TestCookiesNoCookieLine: a file without one cookie line (an HTML page)
// is still an error naming the file and its first line, with no warning
// per line; an empty file or one of comments holds no cookies.
func TestCookiesNoCookieLine(t *testing.T) {
	dir := t.TempDir()
	html := filepath.Join(dir, "page.html")
	if err := os.WriteFile(html, []byte("<html>\n<body>\n</body>\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"list", html}, {"convert", "--to", "json", html}, {"get", "https://example.com/", html}} {
		_, errOut, err := runCookies(t, args...)
		if err == nil || !strings.Contains(err.Error(), html+": jar: cookies.txt line 1:") {
			t.Errorf("%q: %v; want the error of line 1 naming the file", args, err)
		}
		if errOut != "" {
			t.Errorf("%q: stderr %q; want no warnings", args, errOut)
		}
	}
	empty := filepath.Join(dir, "empty.txt")
	if err := os.WriteFile(empty, []byte("# Netscape HTTP Cookie File\n\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, errOut, err := runCookies(t, "list", empty); err != nil || !strings.Contains(errOut, "holds no cookies") {
		t.Errorf("comments only: %v, stderr %q; want no cookies, no error", err, errOut)
	}
}

// TestCookiesMalformedLinesCapped: the first 1000 left-out lines are
// named, one warning each, the others counted in one more.
func TestCookiesMalformedLinesCapped(t *testing.T) {
	const bad = 1002
	var b strings.Builder
	b.WriteString("example.com\tFALSE\t/\tFALSE\t0\tsid\tabc\n")
	for range bad {
		b.WriteString("example.com\tMAYBE\t/\tFALSE\t0\tx\ty\n")
	}
	lines := getSidWarnings(t, b.String())
	if len(lines) != 1000+1 || !strings.Contains(lines[999], "line 1001:") || !strings.HasSuffix(lines[1000], fmt.Sprintf("%d more lines left out", bad-1000)) {
		t.Errorf("%d warning lines, the last two %q", len(lines), lines[len(lines)-2:])
	}
}

// TestCookiesNotesPrintable: the notes "holds no cookies" and "no cookie
// applies" name the file (and URL) through printable, as the warnings do:
// a file name may hold an ESC or a bidi control. They were printed as
// they were.
func TestCookiesNotesPrintable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x\x1b[2J\u202e.txt")
	if err := os.WriteFile(path, []byte("# Netscape HTTP Cookie File\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"list", path}, {"get", "https://example.com/\u202e", path}} {
		_, errOut, err := runCookies(t, args...)
		if err != nil || errOut == "" || strings.ContainsFunc(errOut, func(r rune) bool { return r != '\n' && unprintable(r) }) {
			t.Errorf("%q: %v, stderr %q; want a printable note", args, err, errOut)
		}
	}
}
