package cli

import (
	"strings"
	"testing"
)

// TestHTTPNetrcLoginPrintable: -v prints a netrc login with control
// characters (a quoted token may hold any) replaced, as other printed
// values are: a login holding a line break or an escape sequence drove
// the terminal or forged an output line.
func TestHTTPNetrcLoginPrintable(t *testing.T) {
	srv := httpTestServer(t)
	writeNetrc(t, "machine 127.0.0.1 login \"ann\x1b[2J\nX-Forged: 1\" password s3cret\n")
	out, stderr, code := runHTTPCmd(t, srv, false, "--offline", srv.URL+"/get")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if strings.Contains(out, "\x1b") || strings.Contains(out, "\nX-Forged") || !strings.Contains(out, "REDACTED (netrc)") {
		t.Errorf("output:\n%q", out)
	}
}
