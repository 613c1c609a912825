package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestHTTPNetrcPermissions: a netrc file whose password other users can
// read (or change) is used, as HTTPie and curl do, but with a warning
// naming the file (not its contents); a file only its owner can read
// gets none. Nothing was said before.
func TestHTTPNetrcPermissions(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("permission bits are not checked on Windows")
	}
	srv := httpTestServer(t)
	p := filepath.Join(t.TempDir(), "netrc")
	if err := os.WriteFile(p, []byte("machine 127.0.0.1 login ann password s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("NETRC", p)
	for _, tc := range []struct {
		mode os.FileMode
		warn bool
	}{{0o600, false}, {0o400, false}, {0o644, true}, {0o640, true}, {0o602, true}} {
		if err := os.Chmod(p, tc.mode); err != nil {
			t.Fatal(err)
		}
		out, stderr, code := runHTTPCmd(t, srv, false, srv.URL+"/whoami")
		if code != 0 || !strings.Contains(out, fmt.Sprintf("auth=%q", basicHeader("ann", "s3cret"))) {
			t.Errorf("%v: netrc credentials not sent: %q %q %d", tc.mode, out, stderr, code)
		}
		if warned := strings.Contains(stderr, "warning: netrc: "+p) && strings.Contains(stderr, "chmod 600"); warned != tc.warn {
			t.Errorf("%v: stderr %q, want a warning: %v", tc.mode, stderr, tc.warn)
		}
		if strings.Contains(stderr, "s3cret") {
			t.Errorf("%v: the warning quoted the password: %q", tc.mode, stderr)
		}
	}
	// Without a password nothing is to be protected.
	if err := os.WriteFile(p, []byte("machine 127.0.0.1 login ann\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, stderr, _ := runHTTPCmd(t, srv, false, srv.URL+"/whoami"); strings.Contains(stderr, "warning") {
		t.Errorf("a login without a password: stderr %q", stderr)
	}
}
