package session_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/httpstate/httpstate/session"
)

// A chunked cookie-held session is found behind a repeated cookie that has
// fewer or more chunks than it, sent before or after it (another
// application's one-cookie "sid" on a parent domain, a stale session of
// another size): the k-th occurrence of every chunk is not always the same
// set's, so each set is also read aligned on the last occurrences.
func TestCodecRepeatedCookiesOtherChunkCount(t *testing.T) {
	m, _ := newCodecManager(t, func(o *session.Options) {
		o.CookieChunks = 3
		o.Codec = jsonCodec{limit: 3 * 4000}
	})
	h := m.Handler(http.HandlerFunc(counter))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	big := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := session.FromRequest(r).Set("pad", strings.Repeat("x", 3000)); err != nil {
			http.Error(w, err.Error(), 500)
		}
	}))
	req := httptest.NewRequest("GET", "/", nil)
	for _, c := range rec.Result().Cookies() {
		req.AddCookie(c)
	}
	rec = httptest.NewRecorder()
	big.ServeHTTP(rec, req)
	var live []*http.Cookie
	for _, c := range rec.Result().Cookies() {
		if c.MaxAge >= 0 {
			live = append(live, c)
		}
	}
	if len(live) != 2 {
		t.Fatalf("want a session in two cookies, got %d", len(live))
	}
	liveParts := func() []string {
		var p []string
		for _, c := range live {
			p = append(p, c.Name+"="+c.Value)
		}
		return p
	}
	for _, tc := range []struct {
		name  string
		junk  []string // the other set's chunk values
		first bool     // the other set is sent first
	}{
		{"one chunk first", []string{"garbage"}, true},
		{"one chunk after", []string{"garbage"}, false},
		{"three chunks first", []string{"a", "b", "c"}, true},
		{"three chunks after", []string{"a", "b", "c"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			name := live[0].Name
			var junk []string
			for i, v := range tc.junk {
				n := name
				if i > 0 {
					n += "." + string(rune('0'+i))
				}
				junk = append(junk, n+"="+v)
			}
			parts := append(junk, liveParts()...)
			if !tc.first {
				parts = append(liveParts(), junk...)
			}
			req := httptest.NewRequest("GET", "/", nil)
			req.Header.Set("Cookie", strings.Join(parts, "; "))
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if got := rec.Body.String(); got != "2" {
				t.Fatalf("counter %q, want 2 (the live session)", got)
			}
		})
	}
}
