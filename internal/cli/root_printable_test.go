package cli

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"
)

// hasTerminalControl reports whether s holds what printable replaces,
// line breaks aside.
func hasTerminalControl(s string) bool {
	return strings.ContainsFunc(strings.ReplaceAll(s, "\n", ""), unprintable) || !utf8.ValidString(s)
}

// TestHTTPErrorPrintable: an error quoting what a hostile server sent (its
// redirect's target, an IPv6 zone holding a C1 CSI, U+009B, a raw 0x9B
// byte and a bidi override, in the dial error net reports) is printed with
// those replaced; a target with an ESC, which net/http quotes, stays
// quoted. Failed before (the dial error went to the terminal as it was).
func TestHTTPErrorPrintable(t *testing.T) {
	for _, tc := range []struct{ location, want string }{
		// A link-local address without a usable zone fails at once,
		// with no name to look up: no DNS, nothing leaves loopback.
		{"http://[fe80::1%25\x9b\u009b31m\u202e]:1/", "%??31m?]:1"},
		{"/\x1b[31mred\u202e", `\x1b[31mred\u202e`},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Location", tc.location)
			w.WriteHeader(http.StatusFound)
		}))
		t.Cleanup(srv.Close)
		_, stderr, code := runHTTPCmd(t, srv, false, "--follow", srv.URL+"/")
		if code != 1 || hasTerminalControl(stderr) || !strings.Contains(stderr, tc.want) || strings.Count(stderr, "\n") != 1 {
			t.Errorf("Location %q: exit %d, stderr %q; want exit 1, one line with %q and no control characters", tc.location, code, stderr, tc.want)
		}
	}
}

// TestPrintError: each line of an error is made printable; a joined
// error's lines are indented under the first.
func TestPrintError(t *testing.T) {
	var b bytes.Buffer
	printError(&b, errors.Join(errors.New("first \x1b]0;title\x07"), errors.New("second\u202e\r")))
	if got, want := b.String(), "httpstate: first ?]0;title?\n  second??\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
