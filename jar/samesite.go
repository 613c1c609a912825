package jar

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/httpstate/httpstate/cookie"
)

// Request is the context of a retrieval or of a response whose cookies are
// stored, which the SameSite rules (RFC 6265bis sections 5.2, 5.7 step 18
// and 5.8.3) and the HttpOnly rules need and http.CookieJar does not carry.
type Request struct {
	// URL is the request URI. Required.
	URL *url.URL
	// SiteForCookies is the URL of the request client's "site for cookies"
	// (RFC 6265bis section 5.2.1: normally the top-level page's URL). Nil
	// means the request is same-site, as a request with no client is.
	// Sites are compared schemefully: the scheme and the registrable
	// domain (eTLD+1, or the host when it has none) must both be equal.
	SiteForCookies *url.URL
	// Method is the HTTP method; "" means GET. Only safe methods (GET,
	// HEAD, OPTIONS, TRACE) carry Lax cookies cross-site.
	Method string
	// TopLevelNavigation reports whether the request navigates a
	// top-level traversable (RFC 6265bis sections 5.7 step 18.3 and
	// 5.8.3).
	TopLevelNavigation bool
	// HTTP reports whether this is an HTTP retrieval or response. False
	// means a "non-HTTP" API such as document.cookie (RFC 6265bis section
	// 5.8.2): HttpOnly cookies are then neither returned nor set.
	HTTP bool
}

// sameSite reports whether the request is "same-site", RFC 6265bis section
// 5.2: its URL's origin is same-site with its site for cookies.
func (j *Jar) sameSite(r *Request, host string) bool {
	if r.SiteForCookies == nil {
		return true
	}
	top, ok := canonicalHost(r.SiteForCookies)
	if !ok {
		return false // an opaque origin is same-site with nothing
	}
	if !strings.EqualFold(schemeSite(r.URL.Scheme), schemeSite(r.SiteForCookies.Scheme)) {
		return false
	}
	return j.site(host) == j.site(top)
}

// schemeSite maps a scheme to the scheme a schemeful site compares
// (ws and wss share sites with http and https).
func schemeSite(s string) string {
	switch strings.ToLower(s) {
	case "ws":
		return "http"
	case "wss":
		return "https"
	}
	return strings.ToLower(s)
}

// site returns the registrable domain of a canonical host, or the host
// itself if it has none (an IP address, a public suffix, or no list).
func (j *Jar) site(host string) string {
	if isIP(host) || j.psl == nil {
		return host
	}
	if j.stdPSL {
		if k, ok := j.etldPlusOne(host); ok {
			return k
		}
		return host
	}
	return j.keyOf(host)
}

// safeMethod reports whether m is a "safe" method (RFC 9110 section
// 9.2.1); "" is GET.
func safeMethod(m string) bool {
	switch m {
	case "", http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return true
	}
	return false
}

// sendSameSite reports whether a cookie with the same-site-flag ss may be
// included in the retrieval r whose same-site status is same, RFC 6265bis
// section 5.8.3 step 3 (last bullet).
func sendSameSite(ss cookie.SameSite, r *Request, same bool) bool {
	if ss == cookie.SameSiteNone || same {
		return true
	}
	return r.HTTP && (ss == cookie.SameSiteLax || ss == cookie.SameSiteDefault) &&
		safeMethod(r.Method) && r.TopLevelNavigation
}

// storeSameSite reports whether a cookie with the same-site-flag ss
// received in r may be stored, RFC 6265bis section 5.7 step 18.
func storeSameSite(ss cookie.SameSite, r *Request, same bool) bool {
	if ss == cookie.SameSiteNone {
		return true
	}
	if !r.HTTP {
		// Step 18.1: a non-HTTP API called from a document whose site for
		// cookies is not same-site with the top-level origin.
		return same
	}
	// Steps 18.2 and 18.3.
	return same || r.TopLevelNavigation
}

// fromHTTPSameSite maps net/http's SameSite to the cookie package's.
// net/http's SameSiteDefaultMode is an attribute without a recognised value,
// which RFC 6265bis section 5.6.7 calls "Default".
func fromHTTPSameSite(s http.SameSite) cookie.SameSite {
	switch s {
	case http.SameSiteLaxMode:
		return cookie.SameSiteLax
	case http.SameSiteStrictMode:
		return cookie.SameSiteStrict
	case http.SameSiteNoneMode:
		return cookie.SameSiteNone
	}
	return cookie.SameSiteDefault
}
