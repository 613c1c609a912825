package session_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/httpstate/httpstate/session"
)

// A response made by a request that used its session depends on the
// session's carrier: it must say so in Vary (a shared cache would otherwise
// serve one user's page to another), also when it sets no cookie, and it
// must not list a field twice. A request that never touches its session
// gets no session headers.
func TestVaryOnSessionUse(t *testing.T) {
	read := func(w http.ResponseWriter, r *http.Request) {
		n, _, err := session.Get[int](session.FromRequest(r), "n")
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		io.WriteString(w, strconv.Itoa(n))
	}
	for _, tc := range []struct {
		name    string
		edit    func(o *session.Options)
		preset  []string // Vary values the handler sets first
		handler http.HandlerFunc
		want    []string // the Vary values of the read-only response
	}{
		{"cookie", nil, nil, read, []string{"Cookie"}},
		{"cookie after handler's own", nil, []string{"Accept-Encoding"}, read, []string{"Accept-Encoding", "Cookie"}},
		{"listed already", nil, []string{"accept-encoding, cookie"}, read, []string{"accept-encoding, cookie"}},
		{"star", nil, []string{"*"}, read, []string{"*"}},
		{"header transport too", func(o *session.Options) { o.Header = "X-Session" }, nil, read, []string{"Cookie", "X-Session"}},
		{"header transport only", func(o *session.Options) { o.Header = "X-Session"; o.Cookie.Disabled = true }, nil, read, []string{"X-Session"}},
		{"url only", urlOnly, nil, read, nil},
		{"untouched", nil, nil, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "x") }, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, tc.edit)
			// A session to read: made by a first request.
			first := e.serve(counter, httptest.NewRequest("GET", "/", nil))
			if first.Code != 200 {
				t.Fatalf("create: %d %s", first.Code, first.Body)
			}
			if v := first.Header().Values("Vary"); len(v) == 0 && tc.edit == nil {
				t.Fatalf("new session's response has no Vary")
			}
			req := httptest.NewRequest("GET", "/", nil)
			switch {
			case tc.name == "header transport only":
				req.Header.Set("X-Session", first.Header().Get("X-Session"))
			case tc.name == "url only":
				// No cookie or header carries the ID: nothing to vary on.
			default:
				for _, c := range first.Result().Cookies() {
					req.AddCookie(c)
				}
			}
			rec := e.serve(func(w http.ResponseWriter, r *http.Request) {
				for _, v := range tc.preset {
					w.Header().Add("Vary", v)
				}
				tc.handler(w, r)
			}, req)
			if rec.Code != 200 {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			if got := rec.Header().Values("Set-Cookie"); len(got) != 0 {
				t.Fatalf("read-only response sets cookies: %q", got)
			}
			got := rec.Header().Values("Vary")
			if len(got) != len(tc.want) {
				t.Fatalf("Vary = %q, want %q", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("Vary = %q, want %q", got, tc.want)
				}
			}
		})
	}
}
