package jar

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/httpstate/httpstate/cookie"
)

// Reasons the storage model ignores a cookie. They are unexported: like a
// browser, the Jar drops such cookies silently; tests branch on them.
var (
	errNoHost              = errors.New("jar: request host cannot be canonicalized")
	errEmpty               = errors.New("jar: cookie name and value are both empty")
	errCTL                 = errors.New("jar: cookie name or value contains a control character")
	errDomainChar          = errors.New("jar: Domain attribute has a non-ASCII character")
	errPublicSuffix        = errors.New("jar: Domain attribute is a public suffix")
	errDomainMismatch      = errors.New("jar: request host does not domain-match the Domain attribute")
	errSecureInsecure      = errors.New("jar: Secure cookie from a non-secure origin")
	errHttpOnlyNonHTTP     = errors.New("jar: HttpOnly cookie from a non-HTTP API")
	errShadowSecure        = errors.New("jar: non-secure origin cannot overwrite or shadow a Secure cookie")
	errSameSite            = errors.New("jar: cross-site response cannot set a SameSite Lax or Strict cookie")
	errSameSiteNone        = errors.New("jar: SameSite=None cookie without Secure")
	errSecurePrefix        = fmt.Errorf("%w: __Secure- cookie without Secure", ErrPrefix)
	errHostPrefix          = fmt.Errorf("%w: __Host- cookie needs Secure, no Domain and Path=/", ErrPrefix)
	errNamelessPrefix      = fmt.Errorf("%w: nameless cookie whose value looks like a prefixed name", ErrPrefix)
	errOldHttpOnly         = errors.New("jar: non-HTTP API cannot overwrite an HttpOnly cookie")
	errPort                = errors.New("jar: request port is not in the cookie's Port list")
	errPath2965            = errors.New("jar: Set-Cookie2 Path is not a prefix of the request path")
	errPortList            = errors.New("jar: Set-Cookie2 Port list longer than 1024 octets")
	errPathTooLong         = errors.New("jar: cookie path longer than 1024 octets")
	errPartitionedInsecure = errors.New("jar: Partitioned cookie without Secure")
	errNoPartition         = errors.New("jar: Partitioned cookie from a request without a top-level site")
)

// SetCookieLinesFor stores the cookies of the Set-Cookie header field
// values lines, received in the response to r, exactly as received (one
// cookie per value). Lines that RFC 6265bis section 5.6 or the storage
// model (section 5.7) ignore are ignored, including cookies that a
// cross-site, non-top-level response sets with SameSite Lax, Strict or
// Default (section 5.7 step 18).
func (j *Jar) SetCookieLinesFor(r Request, lines []string) {
	if len(lines) == 0 || r.URL == nil {
		return
	}
	now := j.now()
	cs := make([]*cookie.Cookie, 0, len(lines))
	for _, l := range lines {
		c, err := cookie.ParseSetCookie(l)
		if err != nil || c == nil {
			continue
		}
		cs = append(cs, c)
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	for _, c := range cs {
		_ = j.storeLocked(&r, c, now)
	}
}

// hasCTL reports whether s contains a %x00-08 / %x0A-1F / %x7F character
// (RFC 6265bis section 5.7 step 3).
func hasCTL(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < 0x20 && c != '\t') || c == 0x7f {
			return true
		}
	}
	return false
}

// allCHAR reports whether every byte of s is in CHAR (%x01-7F), RFC
// 6265bis section 5.7 step 8.
func allCHAR(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == 0 || s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// isPublicSuffix reports whether domain is a public suffix under the jar's
// list. A fully qualified domain ("com.") is one if it is without its
// trailing dot: the list has no such entries, and a browser looks names up
// without it.
func (j *Jar) isPublicSuffix(domain string) bool {
	if j.psl == nil || isIP(domain) {
		return false
	}
	d := strings.TrimSuffix(domain, ".")
	return d != "" && j.psl.PublicSuffix(d) == d
}

// requestPort returns the port of u, or the scheme's default port.
func requestPort(u *url.URL) int {
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err == nil {
			return n
		}
		return -1
	}
	switch u.Scheme {
	case "https", "wss":
		return 443
	}
	return 80
}

// storeLocked runs the storage model of RFC 6265bis section 5.7 for the
// parsed cookie c received in the response to r, at time now. It returns
// why the cookie was ignored, or nil if it was stored (or, being expired,
// deleted its stored namesake).
func (j *Jar) storeLocked(r *Request, c *cookie.Cookie, now time.Time) error {
	host, ok := canonicalHost(r.URL)
	if !ok {
		return errNoHost // step 9.2 (and every later use of the host)
	}
	// Step 2.
	if c.Name == "" && c.Value == "" {
		return errEmpty
	}
	// Step 3.
	if hasCTL(c.Name) || hasCTL(c.Value) {
		return errCTL
	}
	// Step 4 (and the configured per-cookie limit).
	if len(c.Name)+len(c.Value) > j.limits.maxCookieBytes() {
		return ErrTooLarge
	}
	// Steps 5 and 6: Max-Age over Expires, capped at 400 days (section 5.5).
	e := Entry{Name: c.Name, Value: c.Value, Created: now, LastAccess: now}
	e.Expires, e.Persistent = c.ExpiryTime(now)
	e.Expires = e.Expires.Round(0) // an http.Cookie's Expires may carry a monotonic reading
	if c.Discard && !e.expired(now) {
		// RFC 2965 section 3.2.2: Discard makes a session cookie; a
		// cookie already expired (Max-Age=0: "discarded immediately")
		// still deletes its namesake.
		e.Expires, e.Persistent = time.Time{}, false
	}
	if !e.Persistent {
		e.Expires = time.Time{}
	}
	// Steps 7 and 8.
	domain := c.Domain
	if !allCHAR(domain) {
		return errDomainChar
	}
	// Step 9: a public suffix is host-only if it is the request host,
	// otherwise refused.
	if domain != "" && j.isPublicSuffix(domain) {
		if domain != host {
			return errPublicSuffix
		}
		domain = ""
	}
	// Step 10. An IP address host only ever domain-matches itself; the
	// cookie is then host-only, as in browsers.
	if domain != "" {
		if !domainMatch(host, domain) {
			return errDomainMismatch
		}
		e.Domain, e.HostOnly = domain, isIP(host)
	} else {
		e.Domain, e.HostOnly = host, true
	}
	// Step 11.
	e.Path = c.Path
	if e.Path == "" {
		e.Path = defaultPath(r.URL)
	}
	// A Path attribute has at most 1024 octets (section 5.6 step 6), a
	// default-path (section 5.1.4) any number: a server picks the URL
	// with a redirect. Like Firefox (CookieService::CheckPath), ignore a
	// cookie whose path is longer, so that each stored cookie is bounded.
	if len(e.Path) > cookie.MaxAttributeValueLength {
		return errPathTooLong
	}
	// RFC 2965 attributes (Set-Cookie2 only).
	if c.Version > 0 || c.PortSet {
		if err := j.apply2965(r.URL, c, &e); err != nil {
			return err
		}
	}
	// Steps 12 and 13.
	e.Secure = c.Secure
	secureOrigin := isSecure(r.URL, host)
	if e.Secure && !secureOrigin {
		return errSecureInsecure
	}
	// Steps 14 and 15.
	e.HttpOnly = c.HttpOnly
	if e.HttpOnly && !r.HTTP {
		return errHttpOnlyNonHTTP
	}
	// Step 16.
	if !e.Secure && !secureOrigin && j.shadowsSecureLocked(&e, now) {
		return errShadowSecure
	}
	// Steps 17 and 18.
	e.SameSite = c.SameSite
	if !storeSameSite(e.SameSite, r, j.sameSite(r, host)) {
		return errSameSite
	}
	// Step 19.
	if e.SameSite == cookie.SameSiteNone && !e.Secure {
		return errSameSiteNone
	}
	// Steps 20 to 22. Step 21 tests the RFC's host-only-flag, which step
	// 10 clears for any kept Domain attribute, including one naming an IP
	// host (stored host-only by the jar's deviation).
	if err := checkPrefixes(e.Name, e.Value, e.Secure, domain == "", c.Path, e.Path); err != nil {
		return err
	}
	// CHIPS (draft-cutler-httpbis-partitioned-cookies): a Partitioned
	// cookie must be Secure and is keyed by the request's top-level site.
	if c.Partitioned {
		if !e.Secure {
			return errPartitionedInsecure
		}
		pk, ok := j.partitionKey(r)
		if !ok {
			return errNoPartition
		}
		e.Partitioned, e.PartitionKey = true, pk
	}
	detach(&e)
	return j.insertEntryLocked(e, r.HTTP, now)
}

// detach gives the text fields of a cookie about to be stored memory of
// their own. cookie.ParseSetCookie returns substrings of the Set-Cookie
// line (and the host and default-path are substrings of the URL), so a
// stored "a=b" would otherwise keep its whole line alive, however many
// ignored attributes it carried: a server could pin megabytes per cookie
// for as long as the cookie lives. One allocation holds them all.
func detach(e *Entry) {
	fs := [...]*string{&e.Name, &e.Value, &e.Domain, &e.Path, &e.Comment, &e.CommentURL}
	n := 0
	for _, f := range fs {
		n += len(*f)
	}
	var b strings.Builder
	b.Grow(n)
	for _, f := range fs {
		b.WriteString(*f)
	}
	all := b.String()
	for _, f := range fs {
		*f, all = all[:len(*f)], all[len(*f):]
	}
}

// insertEntryLocked is step 23 and 24 of RFC 6265bis section 5.7 followed
// by the eviction rules: it replaces the cookie with the same name,
// domain, host-only-flag and path (keeping its creation-time), stores e
// unless it is already expired, and removes excess cookies.
func (j *Jar) insertEntryLocked(e Entry, viaHTTP bool, now time.Time) error {
	key := j.keyOf(e.Domain)
	b := j.buckets[key]
	it := &item{Entry: e}
	i := findLocked(b, &e)
	if i >= 0 && b.items[i].expired(now) {
		// An expired cookie is not in the store (section 5.7 evicts it
		// at any time): it is no old-cookie for step 23.
		j.removeAtLocked(key, b, i)
		b, i = j.buckets[key], -1
	}
	if i >= 0 {
		old := b.items[i]
		// Step 23.2.
		if !viaHTTP && old.HttpOnly {
			return errOldHttpOnly
		}
		// Step 23.3 and 23.4. Same path and creation-time: the new cookie
		// takes the old one's place in retrieval order.
		it.Created, it.seq, it.CreatedUnknown = old.Created, old.seq, old.CreatedUnknown
		if e.expired(now) {
			j.removeAtLocked(key, b, i)
			return nil
		}
		it.suffixDomain = old.suffixDomain
		b.items[i] = it
		j.noteExpiry(it)
		j.noteAccess(it)
		// A longer value can push its partition over PartitionBytes.
		j.evictLocked(key, it, now)
		return nil
	}
	if e.expired(now) {
		return nil // stored and at once evicted as expired
	}
	j.seq++
	it.seq = j.seq
	j.insertLocked(key, it)
	j.evictLocked(key, it, now)
	return nil
}

// shadowsSecureLocked reports whether the non-secure cookie e would
// overwrite or shadow a stored Secure cookie, RFC 6265bis section 5.7 step
// 16: same name, domains domain-matching either way, and e's path
// path-matching the stored cookie's path. Only cookies of e's partition
// count (e is never partitioned, as partitioned cookies are Secure): a
// partitioned cookie lives in a separate store, as in Chromium. A cookie
// expired at now is not in the store (section 5.7 evicts it at any time)
// and protects nothing.
func (j *Jar) shadowsSecureLocked(e *Entry, now time.Time) bool {
	check := func(b *bucket) bool {
		for _, it := range b.items {
			if it.Secure && !it.expired(now) && it.Name == e.Name && it.PartitionKey == e.PartitionKey &&
				(domainMatch(e.Domain, it.Domain) || domainMatch(it.Domain, e.Domain)) &&
				pathMatch(e.Path, it.Path) {
				return true
			}
		}
		return false
	}
	if !j.stdPSL {
		// Related domains may sit in any bucket without the default list.
		for _, b := range j.buckets {
			if check(b) {
				return true
			}
		}
		return false
	}
	var buf [4]string
	for _, k := range j.lookupKeys(e.Domain, buf[:0]) {
		if b := j.buckets[k]; b != nil && check(b) {
			return true
		}
	}
	return false
}
