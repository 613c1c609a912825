package app

import (
	"fmt"
	"net/http"

	"github.com/httpstate/httpstate/secheader"
)

// contentSecurityPolicy lets only scripts carrying the response's nonce run
// (the dashboard's one script, served from /static/), and styles,
// connections (the event stream) and form posts go to this origin only.
// Every asset is embedded: nothing loads from a CDN.
const contentSecurityPolicy = "default-src 'none'; " +
	"script-src 'nonce-" + secheader.NoncePlaceholder + "' 'strict-dynamic'; " +
	"style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; " +
	"object-src 'none'; base-uri 'none'; frame-ancestors 'none'"

// newSecurityHeaders returns the middleware setting the headers every
// response gets: secheader's CSP (with a fresh nonce per response), nosniff,
// X-Frame-Options and Referrer-Policy, plus Cross-Origin-Opener-Policy; and
// secheader's Strict-Transport-Security on responses over TLS, or on every
// response when behindTLS says a proxy in front terminates TLS (serve's
// --secure-cookie).
//
// Referrer-Policy is no-referrer, stricter than secheader's default: with URL
// rewriting the session ID is part of the page's URL, and even a same-origin
// Referer would copy it into logs.
func newSecurityHeaders(behindTLS bool) (func(http.Handler) http.Handler, error) {
	h, err := secheader.New(&secheader.Options{
		CSP:            contentSecurityPolicy,
		ReferrerPolicy: "no-referrer",
		HSTSAlways:     behindTLS,
	})
	if err != nil {
		return nil, fmt.Errorf("app: %w", err)
	}
	return func(next http.Handler) http.Handler {
		inner := h.Handler(next)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Cross-Origin-Opener-Policy", "same-origin")
			inner.ServeHTTP(w, r)
		})
	}, nil
}
