package jar

import (
	"net/http"
	"net/url"
	"strings"
	"time"

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
	//
	// It also gives the partition of Partitioned (CHIPS) cookies, the
	// top-level site, for requests that are not top-level navigations; a
	// top-level navigation's top-level site is that of URL, the document
	// it loads (see partitionKey).
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

// sendSameSite reports whether the cookie it may be included at time now
// in the retrieval r whose same-site status is same, RFC 6265bis section
// 5.8.3 step 3 (last bullet), with the "Lax-allowing-unsafe" modification
// of section 5.6.7.2 when Options.LaxAllowingUnsafe is set.
func (j *Jar) sendSameSite(it *item, r *Request, same bool, now time.Time) bool {
	ss := it.SameSite
	if ss == cookie.SameSiteNone || same {
		return true
	}
	if !r.HTTP || !r.TopLevelNavigation {
		return false
	}
	switch ss {
	case cookie.SameSiteLax:
		return safeMethod(r.Method)
	case cookie.SameSiteDefault:
		// Section 5.6.7.2: for a cookie whose same-site-flag is
		// "Default", the safe-method condition becomes "a safe method, or
		// the cookie's creation-time is at most a duration of the user
		// agent's choosing ago" (section 8.8.6 explains why: cross-site
		// POST login flows).
		return safeMethod(r.Method) || (!it.CreatedUnknown && j.laxAllowingUnsafe(it.Created, now))
	}
	return false
}

// laxAllowingUnsafe reports whether a cookie created at created is recent
// enough at now for "Lax-allowing-unsafe" enforcement (RFC 6265bis section
// 5.6.7.2): age at most Options.LaxAllowingUnsafe. A creation-time in the
// future (a file from a skewed clock) does not count as recent.
func (j *Jar) laxAllowingUnsafe(created, now time.Time) bool {
	if j.laxUnsafe <= 0 {
		return false
	}
	age := now.Sub(created)
	return age >= 0 && age <= j.laxUnsafe
}

// partitionKey returns the CHIPS partition key of the request r: its
// top-level site, schemeful (scheme "://" registrable domain). A top-level
// navigation loads a top-level document, so its top-level site is r.URL's
// (as in Chromium, whose partition key for a main-frame request is the
// site of the URL navigated to); any other request's is SiteForCookies',
// or r.URL's when nil (a request with no client, such as the
// http.CookieJar methods'). ok is false if that URL has no host (an opaque
// origin): such a request has no partition. The caller holds j.mu.
func (j *Jar) partitionKey(r *Request) (key string, ok bool) {
	u := r.URL
	if !r.TopLevelNavigation && r.SiteForCookies != nil {
		u = r.SiteForCookies
	}
	host, ok := canonicalHost(u)
	if !ok || u.Scheme == "" {
		return "", false
	}
	return partitionKeyOf(schemeSite(u.Scheme), j.site(host)), true
}

// partitionKeyOf writes a partition key in origin form, scheme "://" site,
// with an IPv6 address in brackets ("https://[::1]").
func partitionKeyOf(scheme, site string) string {
	if strings.IndexByte(site, ':') >= 0 {
		site = "[" + site + "]"
	}
	return scheme + "://" + site
}

// partitionSite returns the site of a partition key written by
// partitionKeyOf, without the brackets of an IPv6 address.
func partitionSite(key string) (scheme, site string) {
	scheme, site, _ = strings.Cut(key, "://")
	if len(site) > 2 && site[0] == '[' && site[len(site)-1] == ']' {
		site = site[1 : len(site)-1]
	}
	return scheme, site
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
