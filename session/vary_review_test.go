package session_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/httpstate/httpstate/session"
)

// The response that replaces the handler's when the session layer fails
// (ErrorHandler's) or that a recovering middleware writes after a panic is
// still a response of a request that used its session: the package doc
// says every such response carries Vary, and an application's ErrorHandler
// (or the handler, before failing) may make it cacheable.
func TestVaryOnFailedCommit(t *testing.T) {
	for _, tc := range []struct {
		name    string
		handler http.HandlerFunc
		fail    bool // the store fails from the start of the request
	}{
		{"load fails", func(w http.ResponseWriter, r *http.Request) {
			_, _, _ = session.Get[int](session.FromRequest(r), "n")
			io.WriteString(w, "page")
		}, true},
		{"save fails", func(w http.ResponseWriter, r *http.Request) {
			s := session.FromRequest(r)
			_, _, _ = session.Get[int](s, "n")
			_ = s.Set("n", 7)
			io.WriteString(w, "page")
		}, false},
		{"panic", func(w http.ResponseWriter, r *http.Request) {
			_, _, _ = session.Get[int](session.FromRequest(r), "n")
			panic("handler bug")
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var e *env
			e = newEnv(t, func(o *session.Options) {
				o.Header = "X-Session"
				o.ErrorHandler = func(w http.ResponseWriter, r *http.Request, err error) {
					w.Header().Set("Cache-Control", "public, max-age=60")
					http.Error(w, "try later", http.StatusServiceUnavailable)
				}
			})
			first := e.serve(counter, httptest.NewRequest("GET", "/", nil))
			req := httptest.NewRequest("GET", "/", nil)
			for _, c := range first.Result().Cookies() {
				req.AddCookie(c)
			}
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if !tc.fail {
					_, _, _ = session.Get[int](session.FromRequest(r), "n")
					e.store.fail.Store(true)
				}
				tc.handler(w, r)
			})
			if tc.fail {
				e.store.fail.Store(true)
			}
			rec := httptest.NewRecorder()
			func() {
				defer func() {
					if recover() != nil {
						rec.WriteHeader(http.StatusInternalServerError)
					}
				}()
				e.m.Handler(h).ServeHTTP(rec, req)
			}()
			if tc.name != "panic" && rec.Code != http.StatusServiceUnavailable {
				t.Fatalf("status %d, want the ErrorHandler's 503", rec.Code)
			}
			got := rec.Header().Values("Vary")
			if len(got) != 2 || got[0] != "Cookie" || got[1] != "X-Session" {
				t.Fatalf("Vary = %q, want [Cookie X-Session]", got)
			}
		})
	}
}
