package jar

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/net/publicsuffix"

	"github.com/httpstate/httpstate/cookie"
)

// PublicSuffixList provides the public suffix of a domain, as
// net/http/cookiejar.PublicSuffixList does; golang.org/x/net/publicsuffix.List
// implements it.
//
// An implementation must be safe for concurrent use by multiple goroutines.
type PublicSuffixList interface {
	// PublicSuffix returns the public suffix of domain.
	PublicSuffix(domain string) string
	// String returns a description of the source of this public suffix
	// list.
	String() string
}

// Options are the options for creating a Jar. A nil *Options is the same as
// a zero Options: browser defaults.
type Options struct {
	// PublicSuffixList is the public suffix list that decides whether a
	// Domain attribute may be set (RFC 6265bis section 5.7 step 9) and
	// groups cookies by registrable domain for the limits. Nil means
	// golang.org/x/net/publicsuffix.List, unless NoPublicSuffixList is set.
	PublicSuffixList PublicSuffixList
	// NoPublicSuffixList turns public-suffix rejection off: then any Domain
	// attribute the request host domain-matches is accepted, including a
	// top-level domain such as "com". Browsers never do this; it exists for
	// tests and closed networks.
	NoPublicSuffixList bool

	// Limits bounds the number and size of cookies. Nil means
	// DefaultLimits (Chromium's numbers).
	Limits *Limits

	// RFC2965 enables Set-Cookie2 (SetCookie2Lines). It is off by default,
	// as in every current browser; with it off SetCookie2Lines does
	// nothing.
	RFC2965 bool

	// LaxAllowingUnsafe turns on the "Lax-allowing-unsafe" enforcement
	// mode of RFC 6265bis section 5.6.7.2: a cookie that did not specify
	// SameSite (same-site-flag "Default") and was created at most this
	// long ago is also sent on cross-site top-level navigations with an
	// unsafe method such as POST. Zero (the default) turns it off; the
	// section calls 2 minutes "a reasonable limit". Negative is an error.
	// A cookie added without a creation-time (from cookies.txt; see
	// Entry.CreatedUnknown, which JSON files keep) is never recent.
	LaxAllowingUnsafe time.Duration

	// Now is the clock. Nil means time.Now.
	Now func() time.Time
}

// Jar is a cookie store that behaves like a browser's: it implements the
// RFC 6265bis (draft-ietf-httpbis-rfc6265bis) storage and retrieval models,
// including SameSite, cookie name prefixes, the public suffix list and
// per-domain limits.
//
// Jar implements http.CookieJar, so it plugs into an http.Client, but that
// interface only sees cookies net/http has already parsed and sanitised and
// hands back name and value only; the raw-wire methods SetCookieLines and
// CookieHeader give browser-exact results.
//
// A Jar is safe for concurrent use by multiple goroutines.
type Jar struct {
	psl     PublicSuffixList // nil: public-suffix rejection off
	stdPSL  bool             // psl is golang.org/x/net/publicsuffix.List
	limits  Limits
	rfc2965 bool
	clock   func() time.Time
	// laxUnsafe is Options.LaxAllowingUnsafe.
	laxUnsafe time.Duration

	// mu locks the remaining fields.
	mu sync.Mutex
	// buckets maps a bucket key (see keyOf) to the cookies whose domain
	// has that key, kept in retrieval order.
	buckets map[string]*bucket
	// count is the number of cookies in all buckets.
	count int
	// seq is the insertion counter for item.seq.
	seq uint64
	// siteCache caches registrable domains (see etldPlusOne).
	siteCache map[string]siteEntry
	// expiryFloor is at or before the expiry-time of every stored
	// persistent cookie (zero: none stored since the last full purge),
	// so the total-limit eviction can tell without a scan that no cookie
	// has expired (see noteExpiry).
	expiryFloor time.Time
	// lru holds up to lruSize of the least recently accessed cookies, in
	// eviction order, while lruValid (see lruVictim); lruMaxAt and
	// lruMaxSeq bound it: every cookie not in it has a later eviction
	// key (see noteAccess).
	lru       []lruEntry
	lruValid  bool
	lruMaxAt  time.Time
	lruMaxSeq uint64
	// lruOff makes the total-limit eviction walk the jar each time (the
	// reference the tests compare lruVictim with).
	lruOff bool
	// lruBuilds counts the walks buildLRU made, for tests.
	lruBuilds int
	// saveLimit, if positive, replaces the file size limit Save checks
	// (the readers' 64 MiB), for tests.
	saveLimit int
}

// New returns a new, empty cookie jar. A nil o means browser defaults: the
// golang.org/x/net/publicsuffix list, DefaultLimits, no RFC 2965 and the
// system clock. It returns an error only for contradictory options.
func New(o *Options) (*Jar, error) {
	var opt Options
	if o != nil {
		opt = *o
	}
	if opt.NoPublicSuffixList && opt.PublicSuffixList != nil {
		return nil, errors.New("jar: Options.PublicSuffixList is set and NoPublicSuffixList turns it off")
	}
	if opt.LaxAllowingUnsafe < 0 {
		return nil, fmt.Errorf("jar: Options.LaxAllowingUnsafe is negative (%v)", opt.LaxAllowingUnsafe)
	}
	j := &Jar{
		psl:       opt.PublicSuffixList,
		rfc2965:   opt.RFC2965,
		clock:     opt.Now,
		laxUnsafe: opt.LaxAllowingUnsafe,
		buckets:   make(map[string]*bucket),
	}
	if j.psl == nil && !opt.NoPublicSuffixList {
		j.psl = publicsuffix.List
	}
	j.stdPSL = j.psl == publicsuffix.List
	if opt.Limits != nil {
		j.limits = *opt.Limits
	} else {
		j.limits = DefaultLimits
	}
	if j.clock == nil {
		j.clock = time.Now
	}
	return j, nil
}

// now reads the jar's clock, without its monotonic reading: expiry-times
// are wall-clock times (RFC 6265bis section 5.7: "an expiry date in the
// past"), as in browsers and in the files. Compared by their monotonic
// readings, which stand still while a machine is suspended and ignore a
// corrected system clock, a Max-Age=3600 cookie outlived a two-hour
// suspend.
func (j *Jar) now() time.Time { return j.clock().Round(0) }

// plainRequest is the request context the http.CookieJar methods and the
// context-free raw-wire methods assume: a same-site, top-level GET over
// HTTP.
func plainRequest(u *url.URL) Request {
	return Request{URL: u, Method: http.MethodGet, TopLevelNavigation: true, HTTP: true}
}

// SetCookies implements http.CookieJar: it stores the cookies of a response
// to a request for u, treating the request as same-site, top-level GET
// through HTTP.
//
// net/http has already parsed and sanitised the cookies: values it found
// invalid are dropped or altered, Expires attributes it could not parse are
// lost and the raw attribute order is gone. Use SetCookieLines with the
// response's Set-Cookie header values for browser-exact behaviour.
func (j *Jar) SetCookies(u *url.URL, cookies []*http.Cookie) {
	if len(cookies) == 0 {
		return
	}
	r := plainRequest(u)
	now := j.now()
	j.mu.Lock()
	defer j.mu.Unlock()
	for _, hc := range cookies {
		if hc == nil {
			continue
		}
		c := fromHTTPCookie(hc)
		_ = j.storeLocked(&r, &c, now)
	}
}

// Cookies implements http.CookieJar: it returns the cookies to send in a
// request to u, treating the request as same-site, top-level GET through
// HTTP. Only Name, Value and Quoted are set.
//
// net/http sanitises the values again when it writes the Cookie header, and
// writes a nameless cookie as "=value"; CookieHeader returns the exact
// header value a browser sends.
func (j *Jar) Cookies(u *url.URL) []*http.Cookie {
	r := plainRequest(u)
	now := j.now()
	j.mu.Lock()
	defer j.mu.Unlock()
	var buf [64]*item
	sel := j.retrieveLocked(&r, now, buf[:0])
	if len(sel) == 0 {
		return nil
	}
	hcs := make([]http.Cookie, len(sel))
	out := make([]*http.Cookie, len(sel))
	for i, it := range sel {
		v, quoted := it.Value, false
		if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
			v, quoted = v[1:len(v)-1], true
		}
		hcs[i] = http.Cookie{Name: it.Name, Value: v, Quoted: quoted}
		out[i] = &hcs[i]
	}
	return out
}

// SetCookieLines stores the cookies of a response to a request for u given
// as the Set-Cookie header field values exactly as received (one cookie per
// value), treating the request as same-site, top-level GET through HTTP.
// Lines the RFC 6265bis user-agent algorithms ignore are ignored.
func (j *Jar) SetCookieLines(u *url.URL, lines []string) {
	j.SetCookieLinesFor(plainRequest(u), lines)
}

// CookieHeader returns the Cookie header field value to send in a request to
// u ("" means send no Cookie header), RFC 6265bis section 5.8.3, treating the
// request as same-site, top-level GET through HTTP: cookies with longer paths
// first, then earlier-created; "; " between cookies; a nameless cookie as
// its value alone. If any selected cookie came from Set-Cookie2, the header
// is written in the RFC 2965 form with $Version.
func (j *Jar) CookieHeader(u *url.URL) string {
	return j.CookieHeaderFor(plainRequest(u))
}

// fromHTTPCookie converts a cookie net/http parsed into the attribute form
// the storage model takes.
func fromHTTPCookie(hc *http.Cookie) cookie.Cookie {
	var c cookie.Cookie
	c.Name = hc.Name
	c.Value = hc.Value
	if hc.Quoted {
		c.Value = `"` + hc.Value + `"`
	}
	// RFC 6265bis section 5.6 step 6: an attribute value over 1024
	// octets is ignored, as cookie.ParseSetCookie does for SetCookieLines
	// (net/http does not): a Domain so long makes the cookie host-only, a
	// Path so long gives it the default-path.
	if len(hc.Domain) <= cookie.MaxAttributeValueLength {
		c.Domain = strings.ToLower(strings.TrimPrefix(hc.Domain, "."))
	}
	if strings.HasPrefix(hc.Path, "/") && len(hc.Path) <= cookie.MaxAttributeValueLength {
		c.Path = hc.Path
	}
	c.Expires = hc.Expires
	switch {
	case hc.MaxAge < 0:
		c.MaxAge, c.HasMaxAge = 0, true
	case hc.MaxAge > 0:
		c.MaxAge, c.HasMaxAge = int64(hc.MaxAge), true
	}
	c.Secure = hc.Secure
	c.HttpOnly = hc.HttpOnly
	c.SameSite = fromHTTPSameSite(hc.SameSite)
	c.Partitioned = hc.Partitioned
	return c
}
