package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestHTTPDigestSessionAuthorization: with -A digest the digest scheme
// governs Authorization: a session's stored Authorization header goes
// with no request (the first one, a redirect followed), and the session
// keeps it. It went with the first request, so that a server saw a
// credential the user asked not to send.
func TestHTTPDigestSessionAuthorization(t *testing.T) {
	t.Setenv("NETRC", "")
	srv := newDigestServer(t, "SHA-256", "s3cret")
	sess := filepath.Join(t.TempDir(), "s.json")
	if _, stderr, code := runHTTPCmd(t, srv.Server, false, "--ignore-netrc", "--session", sess, srv.URL+"/open/", "Authorization:Bearer sess-token"); code != 0 {
		t.Fatal(stderr)
	}
	if data, _ := os.ReadFile(sess); !strings.Contains(string(data), "sess-token") {
		t.Fatalf("the session did not keep the header:\n%s", data)
	}
	before := seenCount(srv)
	out, stderr, code := runHTTPCmd(t, srv.Server, false, "--ignore-netrc", "--follow", "--session", sess, "-A", "digest", "-a", "ann:s3cret", srv.URL+"/open//protected")
	if code != 0 || out != "welcome GET \n" {
		t.Fatalf("exit %d, out %q, stderr %q", code, out, stderr)
	}
	auths, _ := srv.seen()
	auths = auths[before:]
	if len(auths) != 3 || auths[0] != "" || auths[1] != "" || !strings.HasPrefix(auths[2], "Digest ") {
		t.Errorf("want the redirect and the challenged request without credentials, then the digest: %q", auths)
	}
	if data, _ := os.ReadFile(sess); !strings.Contains(string(data), "sess-token") || strings.Contains(string(data), "s3cret") {
		t.Errorf("the session lost its header or kept the digest password:\n%s", data)
	}
	// --offline shows what would go: no session Authorization either.
	out, _, _ = runHTTPCmd(t, srv.Server, false, "--ignore-netrc", "--offline", "--session-read-only", sess, "-A", "digest", "-a", "ann:s3cret", srv.URL+"/protected")
	if strings.Contains(out, "Authorization") {
		t.Errorf("--offline -A digest printed an Authorization:\n%s", out)
	}
	// An Authorization item is the user's own, for this request: sent.
	before = len(auths) + before
	runHTTPCmd(t, srv.Server, false, "--ignore-netrc", "--session-read-only", sess, "-A", "digest", "-a", "ann:s3cret", srv.URL+"/protected", "Authorization:Bearer item")
	if auths, _ = srv.seen(); auths[before] != "Bearer item" {
		t.Errorf("the Authorization item: %q", auths[before:])
	}
}

// TestHTTPDigestNoCredentials: -A digest without digest credentials (no
// --auth, none in the URL or netrc) is an error before anything is sent,
// as HTTPie's "--auth required"; a session's Basic auth does not stand in
// for them. It went out, in the clear, with -A digest asked.
func TestHTTPDigestNoCredentials(t *testing.T) {
	srv := newDigestServer(t, "SHA-256", "s3cret")
	t.Setenv("NETRC", filepath.Join(t.TempDir(), "none"))
	sess := filepath.Join(t.TempDir(), "s.json")
	if _, stderr, code := runHTTPCmd(t, srv.Server, false, "--session", sess, "-a", "bob:basicpw", srv.URL+"/open/"); code != 0 {
		t.Fatal(stderr)
	}
	before := seenCount(srv)
	_, stderr, code := runHTTPCmd(t, srv.Server, false, "--session", sess, "-A", "digest", srv.URL+"/protected")
	if code != 1 || !strings.Contains(stderr, "-A digest") || !strings.Contains(stderr, "--auth") {
		t.Errorf("exit %d, stderr %q: want an error asking for credentials", code, stderr)
	}
	if auths, _ := srv.seen(); len(auths) != before {
		t.Errorf("requests sent: %q", auths[before:])
	}
	if data, _ := os.ReadFile(sess); !strings.Contains(string(data), "basicpw") {
		t.Errorf("the session lost its auth:\n%s", data)
	}

	// netrc credentials serve as digest ones though the session has its
	// own auth (which -A digest does not send).
	writeNetrc(t, "machine 127.0.0.1 login ann password s3cret\n")
	before = seenCount(srv)
	out, stderr, code := runHTTPCmd(t, srv.Server, false, "--session", sess, "-A", "digest", srv.URL+"/protected")
	if code != 0 || out != "welcome GET \n" {
		t.Errorf("netrc with a session: exit %d, out %q, stderr %q", code, out, stderr)
	}
	if auths, _ := srv.seen(); len(auths) != before+2 || auths[before] != "" {
		t.Errorf("want a request without credentials, then the digest: %q", auths[before:])
	}
	if data, _ := os.ReadFile(sess); !strings.Contains(string(data), "basicpw") || strings.Contains(string(data), "s3cret") {
		t.Errorf("the session lost its auth or kept netrc's:\n%s", data)
	}
}

// seenCount returns how many requests srv has seen.
func seenCount(srv *digestServer) int {
	auths, _ := srv.seen()
	return len(auths)
}
