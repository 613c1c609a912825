package session_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/httpstate/httpstate/session"
)

// A session is in use from the start of a request: one found with little
// idle time left, whose request runs past that time, keeps the request's
// writes (Servlet semantics: the access counts from the request's start).
// A session with plenty of time left is not written at load.
func TestKeepAliveNearIdleExpiry(t *testing.T) {
	e := newEnv(t, func(o *session.Options) { o.IdleTimeout = 30 * time.Minute })
	first := e.serve(counter, httptest.NewRequest("GET", "/", nil))
	cookies := first.Result().Cookies()
	serve := func(slow time.Duration) string {
		req := httptest.NewRequest("GET", "/", nil)
		for _, c := range cookies {
			req.AddCookie(c)
		}
		rec := e.serve(func(w http.ResponseWriter, r *http.Request) {
			s := session.FromRequest(r)
			n, _, err := session.Get[int](s, "n")
			if err != nil {
				http.Error(w, err.Error(), 500)
				return
			}
			e.clock.Advance(slow) // a slow request
			if err := s.Set("n", n+1); err != nil {
				http.Error(w, err.Error(), 500)
				return
			}
			io.WriteString(w, strconv.Itoa(n+1))
		}, req)
		if rec.Code != 200 {
			t.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
		return rec.Body.String()
	}
	// Plenty of time left: one write, at commit.
	e.clock.Advance(10 * time.Minute)
	w0 := e.store.writes()
	if got := serve(0); got != "2" {
		t.Fatalf("counter %q, want 2", got)
	}
	if w := e.store.writes() - w0; w != 1 {
		t.Fatalf("%d writes for a request with time left, want 1", w)
	}
	// 20 s of idle time left; the request takes a minute.
	e.clock.Advance(30*time.Minute - 20*time.Second)
	if got := serve(time.Minute); got != "3" {
		t.Fatalf("counter %q, want 3 (the session was live when the request began)", got)
	}
	if got := serve(0); got != "4" {
		t.Fatalf("next request: counter %q, want 4: the slow request's write was lost", got)
	}
	// Truly idle past the timeout: gone, a fresh session.
	e.clock.Advance(31 * time.Minute)
	if got := serve(0); got != "1" {
		t.Fatalf("after idle expiry: counter %q, want 1", got)
	}
}
