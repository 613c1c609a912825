package app

import (
	"net/http"
	"testing"

	"github.com/httpstate/httpstate/session"
)

// Strict-Transport-Security: not on a plain-HTTP server's responses, but on
// every response when the session cookie is Secure on every request (serve's
// --secure-cookie: a proxy in front terminates TLS).
func TestHSTS(t *testing.T) {
	for _, tc := range []struct {
		name   string
		secure bool
		want   string
	}{
		{"plain HTTP", false, ""},
		{"behind a TLS proxy", true, "max-age=31536000"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, srv := newTestApp(t, storeFactories[0].open(t), func(o *Options) {
				o.Session = &session.Options{Cookie: session.CookieOptions{Secure: tc.secure}}
			})
			for _, path := range []string{"/", "/healthz"} {
				resp, err := http.Get(srv.URL + path)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if got := resp.Header.Get("Strict-Transport-Security"); got != tc.want {
					t.Errorf("GET %s: Strict-Transport-Security = %q, want %q", path, got, tc.want)
				}
			}
		})
	}
}
