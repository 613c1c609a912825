package session_test

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/httpstate/httpstate/session"
)

// In codec mode, as in store mode, a junk or stale cookie of the session's
// name sent before the live one (set for a longer path, or planted for a
// parent domain) must not hide the live session: the request would get a
// fresh session and its cookie would overwrite the user's. Chunked
// sessions are tried set by set (the k-th occurrence of every chunk), and
// only a few sets are tried.
func TestCodecRepeatedCookies(t *testing.T) {
	for _, chunks := range []int{1, 3} {
		t.Run("chunks="+strconv.Itoa(chunks), func(t *testing.T) {
			m, _ := newCodecManager(t, func(o *session.Options) {
				o.CookieChunks = chunks
				if chunks > 1 {
					o.Codec = jsonCodec{limit: 3 * 4000}
				}
			})
			h := m.Handler(http.HandlerFunc(counter))
			// A session holding n=1 (and, chunked, enough to need two cookies).
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
			live := rec.Result().Cookies()
			if chunks > 1 {
				big := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					s := session.FromRequest(r)
					if err := s.Set("pad", strings.Repeat("x", 5000)); err != nil {
						http.Error(w, err.Error(), 500)
					}
				}))
				req := httptest.NewRequest("GET", "/", nil)
				for _, c := range live {
					req.AddCookie(c)
				}
				rec = httptest.NewRecorder()
				big.ServeHTTP(rec, req)
				live = live[:0]
				for _, c := range rec.Result().Cookies() {
					if c.MaxAge >= 0 {
						live = append(live, c)
					}
				}
				if len(live) < 2 {
					t.Fatalf("want a chunked session, got %d cookies", len(live))
				}
			}
			for _, junk := range [][]string{{"garbage"}, {"garbage", "more"}, {"a", "b", "c"}} {
				req := httptest.NewRequest("GET", "/", nil)
				var parts []string
				for _, j := range junk { // sent first, as a longer path's cookie is
					for _, c := range live {
						parts = append(parts, c.Name+"="+j)
					}
				}
				for _, c := range live {
					parts = append(parts, c.Name+"="+c.Value)
				}
				req.Header.Set("Cookie", strings.Join(parts, "; "))
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if got := rec.Body.String(); got != "2" {
					t.Fatalf("%d junk sets first: counter %q, want 2 (the live session)", len(junk), got)
				}
			}
			// Past the limit of tries, the live session is not looked for.
			req := httptest.NewRequest("GET", "/", nil)
			var parts []string
			for i := 0; i < 4; i++ {
				for _, c := range live {
					parts = append(parts, c.Name+"=junk"+strconv.Itoa(i))
				}
			}
			for _, c := range live {
				parts = append(parts, c.Name+"="+c.Value)
			}
			req.Header.Set("Cookie", strings.Join(parts, "; "))
			rec = httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if got := rec.Body.String(); got != "1" {
				t.Fatalf("4 junk sets first: counter %q, want 1 (a fresh session)", got)
			}
		})
	}
}
