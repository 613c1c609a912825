package cli

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestHTTPAllTruncatedRedirectBody: a redirect whose body ends before its
// Content-Length (the server closed the connection) is followed with
// --all as without it (net/http does not mind: it discards that body),
// its part printed with a warning; --all failed the command.
func TestHTTPAllTruncatedRedirectBody(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			io.WriteString(w, "final")
			return
		}
		conn, bw, err := w.(http.Hijacker).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		bw.WriteString("HTTP/1.1 302 Found\r\nLocation: /x\r\nContent-Length: 100\r\n\r\npart")
		bw.Flush()
		conn.Close()
	}))
	defer srv.Close()
	for _, all := range []bool{false, true} {
		args := []string{"--follow", srv.URL + "/"}
		if all {
			args = append([]string{"--all"}, args...)
		}
		out, stderr, code := runHTTPCmd(t, srv, false, args...)
		if code != 0 || !strings.HasSuffix(out, "final") {
			t.Errorf("--all %v: exit %d, out %q, stderr %q", all, code, out, stderr)
		}
		if all && (!strings.HasPrefix(out, "part") || !strings.Contains(stderr, "ended early")) {
			t.Errorf("--all: out %q, stderr %q: want the part printed, with a warning", out, stderr)
		}
	}
}
