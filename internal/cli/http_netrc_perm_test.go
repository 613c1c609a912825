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

// TestReadNetrcOwner: a netrc file owned by another user than the one
// reading it is flagged, with its owner; one of the reader's is not.
// Runs as any user: the reader is given.
func TestReadNetrcOwner(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("file owners are not checked on Windows")
	}
	p := filepath.Join(t.TempDir(), "netrc")
	if err := os.WriteFile(p, []byte("machine h login ann password s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	me := os.Getuid()
	n, err := readNetrcAs(p, me)
	if err != nil {
		t.Fatal(err)
	}
	if n.foreign {
		t.Errorf("own file: foreign (owner %d)", n.owner)
	}
	if n, err = readNetrcAs(p, me+1); err != nil {
		t.Fatal(err)
	}
	if !n.foreign || n.owner != me {
		t.Errorf("read as uid %d: foreign %v, owner %d; want foreign, owner %d", me+1, n.foreign, n.owner, me)
	}
}

// TestHTTPNetrcOwner: a netrc file owned by another user gives a warning
// naming the file and both users, not its contents, and is still used
// (as one other users can read is). Nothing was said before. Giving a
// file to another user takes root, as CI runs; other users check
// readNetrcAs only (TestReadNetrcOwner).
func TestHTTPNetrcOwner(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("file owners are not checked on Windows")
	}
	srv := httpTestServer(t)
	p := filepath.Join(t.TempDir(), "netrc")
	if err := os.WriteFile(p, []byte("machine 127.0.0.1 login ann password s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("NETRC", p)
	const warning = "is owned by another user"
	out, stderr, code := runHTTPCmd(t, srv, false, srv.URL+"/whoami")
	if code != 0 || !strings.Contains(out, fmt.Sprintf("auth=%q", basicHeader("ann", "s3cret"))) || strings.Contains(stderr, warning) {
		t.Errorf("own file: exit %d, out %q, stderr %q", code, out, stderr)
	}
	if os.Getuid() != 0 {
		t.Log("not root: the file cannot be given to another user; its owner check is tested by TestReadNetrcOwner")
		return
	}
	const other = 65534 // nobody
	if err := os.Chown(p, other, -1); err != nil {
		// Root in a user namespace without uid 65534 mapped: the same
		// case as not root.
		t.Logf("the file cannot be given to uid %d (%v); its owner check is tested by TestReadNetrcOwner", other, err)
		return
	}
	out, stderr, code = runHTTPCmd(t, srv, false, srv.URL+"/whoami")
	if code != 0 || !strings.Contains(out, fmt.Sprintf("auth=%q", basicHeader("ann", "s3cret"))) {
		t.Errorf("another user's file: credentials not sent: exit %d, out %q, stderr %q", code, out, stderr)
	}
	if want := fmt.Sprintf("warning: netrc: %s %s (uid %d) than the current one (uid 0)", p, warning, other); !strings.Contains(stderr, want) || strings.Contains(stderr, "s3cret") {
		t.Errorf("stderr %q, want %q and no password", stderr, want)
	}
	// Without a password nothing is to be protected.
	if err := os.WriteFile(p, []byte("machine 127.0.0.1 login ann\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, stderr, _ := runHTTPCmd(t, srv, false, srv.URL+"/whoami"); strings.Contains(stderr, "warning") {
		t.Errorf("a login without a password: stderr %q", stderr)
	}
}
