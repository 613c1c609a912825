package cli

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// staleServer is a loopback server needing Digest auth (SHA-256, qop=auth)
// for user "ann", password "pw". Each good response to a nonce of its is
// answered, staleRuns times, by a 401 whose challenge has stale=true and
// a new nonce (RFC 7616, section 3.3), then by 200; when notStale is set,
// the 401 after a stale one does not say stale. It records each request's
// Authorization and nonce.
type staleServer struct {
	*httptest.Server
	check     digestServer // its valid, with alg and pass
	staleRuns int
	notStale  bool

	mu     sync.Mutex
	nonce  int // the current nonce's number
	stales int // stale 401s sent
	auths  []string
}

const staleRealm = "stale@loopback"

func newStaleServer(t *testing.T, staleRuns int) *staleServer {
	s := &staleServer{check: digestServer{alg: "SHA-256", pass: "pw"}, staleRuns: staleRuns}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

func (s *staleServer) serve(w http.ResponseWriter, r *http.Request) {
	w.Header()["Date"] = nil
	authz := r.Header.Get("Authorization")
	s.mu.Lock()
	defer s.mu.Unlock()
	s.auths = append(s.auths, authz)
	nonce := fmt.Sprintf("nonce-%d", s.nonce)
	stale := ""
	if s.check.valid(authz, r, staleRealm, nonce) {
		if s.stales == s.staleRuns {
			io.WriteString(w, "welcome\n")
			return
		}
		s.stales++
		s.nonce++
		nonce = fmt.Sprintf("nonce-%d", s.nonce)
		stale = ", stale=true"
		if s.notStale && s.stales > 1 {
			stale = ""
		}
	}
	w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Digest realm=%q, qop="auth", algorithm=SHA-256, nonce=%q, opaque="op"%s`, staleRealm, nonce, stale))
	w.WriteHeader(http.StatusUnauthorized)
	fmt.Fprintf(w, "401 number %d\n", len(s.auths))
}

func (s *staleServer) seen() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.auths...)
}

// TestHTTPDigestStale: a 401 with stale=true to the answer of a challenge
// is answered once more, with the new nonce and nc=00000001; a second
// stale one, or a non-stale one, ends it. Failed before (a stale 401 was
// final: exit 4 after two requests).
func TestHTTPDigestStale(t *testing.T) {
	srv := newStaleServer(t, 1)
	out, stderr, code := runHTTPCmd(t, srv.Server, false, "--check-status", "-A", "digest", "-a", "ann:pw", srv.URL+"/p")
	if code != 0 || out != "welcome\n" {
		t.Fatalf("one stale nonce: exit %d, out %q, stderr %q", code, out, stderr)
	}
	auths := srv.seen()
	if len(auths) != 3 || auths[0] != "" || !strings.Contains(auths[1], `nonce="nonce-0"`) ||
		!strings.Contains(auths[2], `nonce="nonce-1"`) || !strings.Contains(auths[2], "nc=00000001") {
		t.Errorf("want no credentials, an answer to nonce-0, one to nonce-1: %q", auths)
	}

	// Stale again after the stale answer: no loop.
	srv = newStaleServer(t, 2)
	_, _, code = runHTTPCmd(t, srv.Server, false, "--check-status", "-A", "digest", "-a", "ann:pw", srv.URL+"/p")
	if n := len(srv.seen()); code != 4 || n != 3 {
		t.Errorf("two stale nonces: exit %d (want 4), %d requests (want 3)", code, n)
	}

	// Never a stale-answer loop, however often the server says stale.
	srv = newStaleServer(t, 1000)
	_, _, code = runHTTPCmd(t, srv.Server, false, "--check-status", "-A", "digest", "-a", "ann:pw", srv.URL+"/p")
	if n := len(srv.seen()); code != 4 || n != 3 {
		t.Errorf("always stale: exit %d (want 4), %d requests (want 3)", code, n)
	}

	// A 401 that is not stale after the first answer is final.
	srv = newStaleServer(t, 0)
	_, _, code = runHTTPCmd(t, srv.Server, false, "--check-status", "-A", "digest", "-a", "ann:wrong", srv.URL+"/p")
	if n := len(srv.seen()); code != 4 || n != 2 {
		t.Errorf("wrong password: exit %d (want 4), %d requests (want 2)", code, n)
	}
	// Nor after the stale answer.
	srv = newStaleServer(t, 2)
	srv.notStale = true
	_, _, code = runHTTPCmd(t, srv.Server, false, "--check-status", "-A", "digest", "-a", "ann:pw", srv.URL+"/p")
	if n := len(srv.seen()); code != 4 || n != 3 {
		t.Errorf("stale then not: exit %d (want 4), %d requests (want 3)", code, n)
	}
}

// TestHTTPDigestStaleAll: --all prints both 401 exchanges, then the final
// one.
func TestHTTPDigestStaleAll(t *testing.T) {
	srv := newStaleServer(t, 1)
	out, stderr, code := runHTTPCmd(t, srv.Server, false, "--all", "--print=hb", "-A", "digest", "-a", "ann:pw", srv.URL+"/p")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	i1, i2, iOK := strings.Index(out, "401 number 1"), strings.Index(out, "401 number 2"), strings.Index(out, "welcome")
	if i1 < 0 || i2 < i1 || iOK < i2 || strings.Count(out, "HTTP/1.1 401") != 2 {
		t.Errorf("want both 401 exchanges, then the final one:\n%s", out)
	}
}

// TestHTTPDigestAllCutWarning: a 401 body --all prints cut is named as a
// 401 in the warning, not as a redirect's (it was).
func TestHTTPDigestAllCutWarning(t *testing.T) {
	old := maxFormatBody
	maxFormatBody = 10
	defer func() { maxFormatBody = old }()
	srv := newStaleServer(t, 1)
	_, stderr, code := runHTTPCmd(t, srv.Server, false, "--all", "--print=b", "-A", "digest", "-a", "ann:pw", srv.URL+"/p")
	if code != 0 || strings.Count(stderr, "the body of the 401 from http://HOST/p: printed cut") != 2 || strings.Contains(stderr, "redirect") {
		t.Errorf("exit %d, stderr %q; want two warnings naming the 401s", code, stderr)
	}
}
