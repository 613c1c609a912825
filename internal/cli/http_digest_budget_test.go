package cli

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestHTTPDigestAllBudgetAcrossAnswer: --all holds at most maxFormatBody
// of intermediary bodies in all (as --help says), the redirects followed
// after a digest answer included: /a redirects to /b, whose 401 is
// answered, and the answer is redirected to /c. The redirect after the
// answer started a new chain with the whole budget again, so --all held
// (and printed) its body past the limit: 10 bytes more here, 16 MiB more
// with the real limit (32 MiB, or 48 with a stale answer). Failed before.
func TestHTTPDigestAllBudgetAcrossAnswer(t *testing.T) {
	old := maxFormatBody
	maxFormatBody = 10
	defer func() { maxFormatBody = old }()
	check := digestServer{alg: "SHA-256", pass: "pw"}
	const realm, nonce = "budget@loopback", "n0"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header()["Date"] = nil
		switch r.URL.Path {
		case "/a":
			w.Header().Set("Location", "/b")
			w.WriteHeader(http.StatusFound)
			io.WriteString(w, strings.Repeat("A", 12))
		case "/b":
			if check.valid(r.Header.Get("Authorization"), r, realm, nonce) {
				w.Header().Set("Location", "/c")
				w.WriteHeader(http.StatusFound)
				io.WriteString(w, strings.Repeat("B", 12))
				return
			}
			w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Digest realm=%q, qop="auth", algorithm=SHA-256, nonce=%q, opaque="op"`, realm, nonce))
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, "CCCC")
		default:
			io.WriteString(w, "done\n")
		}
	}))
	defer srv.Close()
	out, stderr, code := runHTTPCmd(t, srv, false, "--all", "--follow", "--print=b", "-A", "digest", "-a", "ann:pw", srv.URL+"/a")
	if code != 0 || !strings.HasSuffix(out, "done\n") {
		t.Fatalf("exit %d, out %q, stderr %q", code, out, stderr)
	}
	if strings.Contains(out, "B") || strings.Contains(out, "C") || !strings.Contains(out, strings.Repeat("A", 10)) {
		t.Errorf("out %q; want the first 10 bytes of the first redirect's body only (the budget)", out)
	}
	if n := strings.Count(stderr, "printed cut"); n != 3 {
		t.Errorf("stderr %q: %d cut warnings, want 3 (the first redirect, the 401, the redirect after the answer)", stderr, n)
	}
}
