package session_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/httpstate/httpstate/session"
)

// TestStripNeverMakesDotSegment: removing ";sid=" from a segment must never
// turn it into a dot segment ("." or ".."). "/public/..;sid=x/admin" is a
// segment named "..;sid=x" to a proxy in front, which lets it through as a
// path under /public; had the middleware made it "/public/../admin", a
// handler that cleans paths (http.FileServer) would serve /admin (the
// "..;" path confusion of servlet containers). Such a path is left as sent
// and its ID is not read; the dot segments a path already had, and the
// "../;sid=ID" links EncodeURL writes, are stripped as before.
func TestStripNeverMakesDotSegment(t *testing.T) {
	e := newEnv(t, func(o *session.Options) { o.URLRewriting = true })
	var got string
	h := func(w http.ResponseWriter, r *http.Request) { got = r.URL.Path }
	for _, tt := range []struct{ in, want string }{
		{"/public/..;sid=x/admin", "/public/..;sid=x/admin"},
		{"/public/.;sid=x/admin", "/public/.;sid=x/admin"},
		{"/public/%2e%2E;sid=x/admin", "/public/..;sid=x/admin"},
		{"/public/.%2e;sid=x", "/public/..;sid=x"},
		{"/..;sid=a;sid=b/etc/passwd", "/..;sid=a;sid=b/etc/passwd"},
		{"/a/..;sid=x;v=1/b", "/a/..;v=1/b"}, // "..;v=1" is no dot segment
		{"/a/../;sid=x", "/a/../"},           // the dot segment was sent
		{"/a/b;sid=x/c", "/a/b/c"},
		{"/a/...;sid=x/c", "/a/.../c"},
	} {
		got = ""
		e.serve(h, httptest.NewRequest("GET", tt.in, nil))
		if got != tt.want {
			t.Errorf("%s: handler saw %q, want %q", tt.in, got, tt.want)
		}
		for _, seg := range strings.Split(got, "/") {
			if (seg == "." || seg == "..") && !strings.Contains(tt.in, "/"+seg+"/") {
				t.Errorf("%s: handler saw the dot segment %q the request did not have", tt.in, seg)
			}
		}
	}
}
