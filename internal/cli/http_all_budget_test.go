package cli

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// TestHTTPAllBodiesBudget: --all holds maxFormatBody of the redirects'
// bodies in all, not that much per redirect: with --max-redirects as
// high as asked, a server could make it hold maxFormatBody (16 MiB) per
// redirect. Past the budget, bodies are printed cut, with a warning.
func TestHTTPAllBodiesBudget(t *testing.T) {
	old := maxFormatBody
	maxFormatBody = 10
	defer func() { maxFormatBody = old }()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next := map[string]string{"/": "/a", "/a": "/b", "/b": "/c"}[r.URL.Path]
		if next == "" {
			io.WriteString(w, "final")
			return
		}
		w.Header().Set("Location", next)
		w.WriteHeader(http.StatusFound)
		io.WriteString(w, strings.Repeat(string(rune('x'+len(r.URL.Path))), 8))
	}))
	defer srv.Close()
	out, stderr, code := runHTTPCmd(t, srv, false, "--all", "--follow", srv.URL+"/")
	if want := "yyyyyyyy\n\nzz\n\nfinal"; code != 0 || out != want || strings.Count(stderr, "printed cut") != 2 {
		t.Errorf("exit %d, out %q, want %q; stderr %q", code, out, want, stderr)
	}
}

// TestHTTPAllBudgetSpentTimeout: once the chain's budget is spent, the
// rest of a redirect's body, which net/http reads (up to 2 KiB) before
// following it, is still read under --timeout: a server stalling there
// held the command until it gave up (10 s here).
func TestHTTPAllBudgetSpentTimeout(t *testing.T) {
	old := maxFormatBody
	maxFormatBody = 10
	defer func() { maxFormatBody = old }()
	var gaveUp atomic.Bool
	stall := stallRedirectBody("/a", "/b", "bb", &gaveUp)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/":
			w.Header().Set("Location", "/a")
			w.WriteHeader(http.StatusFound)
			io.WriteString(w, strings.Repeat("a", 10))
		case "/a":
			stall(w, r)
		default:
			io.WriteString(w, "final")
		}
	}))
	defer srv.Close()
	checkTimesOut(t, srv, &gaveUp, "--all", "--follow", "--timeout=0.3", srv.URL+"/")
}
