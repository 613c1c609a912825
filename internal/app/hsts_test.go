package app

import (
	"net/http"
	"testing"

	"github.com/httpstate/httpstate/session"
)

// Strict-Transport-Security: not on a plain-HTTP server's responses, but on
// every response when the session cookie is Secure on every request (serve's
// --secure-cookie, or a "__Host-" or "__Secure-" cookie name: a proxy in
// front terminates TLS).
func TestHSTS(t *testing.T) {
	for _, tc := range []struct {
		name   string
		cookie session.CookieOptions
		want   string
	}{
		{"plain HTTP", session.CookieOptions{}, ""},
		{"behind a TLS proxy", session.CookieOptions{Secure: true}, "max-age=31536000"},
		// A prefixed name makes every request secure as Secure does
		// (session.CookieOptions.Name): the site is behind TLS too.
		{"__Host- name", session.CookieOptions{Name: "__Host-app"}, "max-age=31536000"},
		{"__Secure- name", session.CookieOptions{Name: "__secure-app"}, "max-age=31536000"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, srv := newTestApp(t, storeFactories[0].open(t), func(o *Options) {
				o.Session = &session.Options{Cookie: tc.cookie}
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
