package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCookiesGetRefusedCapped: "cookies get" names the first 1000 cookies
// the jar refuses, one warning each, as the jar's ImportReport lists
// them, and counts the others in one line: a file of many printed a
// line for every one.
func TestCookiesGetRefusedCapped(t *testing.T) {
	const refused = 1003
	var b strings.Builder
	b.WriteString("# Netscape HTTP Cookie File\n")
	for i := range refused {
		fmt.Fprintf(&b, ".example.com\tTRUE\t/\tTRUE\t0\t__Host-bad%d\tv\n", i)
	}
	b.WriteString("example.com\tFALSE\t/\tFALSE\t0\tsid\tabc\n")
	lines := getSidWarnings(t, b.String())
	if len(lines) != 1000+1 || !strings.Contains(lines[len(lines)-1], fmt.Sprintf("%d more cookies left out", refused-1000)) {
		t.Errorf("%d warning lines, the last %q", len(lines), lines[len(lines)-1])
	}
}

// getSidWarnings runs "cookies get https://example.com/" on a cookies.txt
// file holding file, checks that it prints the one good cookie, sid=abc,
// and returns the lines it warned on stderr.
func getSidWarnings(t *testing.T, file string) []string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "cookies.txt")
	if err := os.WriteFile(path, []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	out, errOut, err := runCookies(t, "get", "https://example.com/", path)
	if err != nil || out != "sid=abc\n" {
		t.Fatalf("get: %v, out %q", err, out)
	}
	return strings.Split(strings.TrimSuffix(errOut, "\n"), "\n")
}
