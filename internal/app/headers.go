package app

import "net/http"

// contentSecurityPolicy allows scripts, styles and connections to this origin
// only: every asset is embedded and served from /static/, no page has inline
// script or style, so no nonce is needed and nothing loads from a CDN.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; " +
	"img-src 'self' data:; connect-src 'self'; form-action 'self'; " +
	"frame-ancestors 'none'; base-uri 'none'"

// securityHeaders sets the response headers every page gets.
//
// Referrer-Policy: no-referrer matters beyond privacy here: with URL
// rewriting the session ID is part of the page's URL, and a Referer header
// would hand it to any site a link leads to.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}
