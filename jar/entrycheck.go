package jar

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/httpstate/httpstate/cookie"
)

// checkEntry validates a cookie read from a file or passed to Add: the
// invariants the storage model (RFC 6265bis section 5.7) guarantees for
// every stored cookie. It canonicalizes e.Domain in place.
func checkEntry(e *Entry) error {
	d := strings.TrimPrefix(e.Domain, ".")
	host, ok := canonicalHostname(d)
	if !ok || !allCHAR(host) {
		if hasFakeALabel(d) {
			return fmt.Errorf("%w: domain %q", errFakeALabel, e.Domain)
		}
		if strings.IndexByte(d, ':') >= 0 {
			return fmt.Errorf("%w: domain %q", errColonHost, e.Domain)
		}
		return fmt.Errorf("invalid domain %s", quoteField(e.Domain))
	}
	e.Domain = host
	if isIP(host) {
		e.HostOnly = true
	}
	if e.Path == "" || e.Path[0] != '/' {
		return fmt.Errorf("path %s does not begin with %q", quoteField(e.Path), "/")
	}
	// A ';' is fine: a Path attribute cannot hold one, but the
	// default-path of a URL such as /app;jsessionid=1/page can (RFC
	// 6265bis section 5.1.4), and so can an RFC 2965 quoted Path.
	if hasCTL(e.Path) {
		return fmt.Errorf("invalid path %s", quoteField(e.Path))
	}
	if e.Name == "" && e.Value == "" {
		return errors.New("cookie name and value are both empty")
	}
	if hasCTL(e.Name) || hasCTL(e.Value) {
		return fmt.Errorf("%w: control character in cookie name or value", errUnsendable)
	}
	// An RFC 2965 cookie's value may hold a ';': it came in a
	// quoted-string and goes back in one (RFC 2965 sections 3.2.2 and
	// 3.3.4), never in a plain Cookie header.
	if strings.IndexByte(e.Name, '=') >= 0 || strings.IndexByte(e.Name, ';') >= 0 ||
		(e.Version == 0 && strings.IndexByte(e.Value, ';') >= 0) {
		return fmt.Errorf("%w: cookie %q has a %q or %q in its name or value", errUnsendable, e.Name, "=", ";")
	}
	if len(e.Name)+len(e.Value) > 4096 {
		return fmt.Errorf("%w: name and value longer than 4096 octets", ErrTooLarge)
	}
	if e.Persistent && e.Expires.IsZero() {
		return errors.New("persistent cookie without an expiry time")
	}
	if !e.Persistent {
		e.Expires = time.Time{}
	}
	for _, p := range e.Port {
		if p < 1 || p > 65535 {
			return fmt.Errorf("%w: %d", errPortRange, p)
		}
	}
	if e.PortBare && len(e.Port) != 1 {
		return fmt.Errorf("portBare with %d ports, want the one request port", len(e.Port))
	}
	// CHIPS (draft-cutler-httpbis-partitioned-cookies).
	if e.Partitioned && !e.Secure {
		return errors.New("partitioned cookie without Secure")
	}
	if e.PartitionKey != "" {
		if !e.Partitioned {
			return fmt.Errorf("partition key %q on a cookie that is not Partitioned", e.PartitionKey)
		}
		// An IPv6 site in another text form than the canonical one (files
		// written before hosts were canonicalized hold the URL's).
		if scheme, host := partitionSite(e.PartitionKey); strings.IndexByte(host, ':') >= 0 &&
			strings.HasPrefix(e.PartitionKey, scheme+"://[") {
			if h, ok := canonicalIPv6(host); ok {
				e.PartitionKey = partitionKeyOf(scheme, h)
			}
		}
		if !validPartitionKey(e.PartitionKey) {
			if _, host := partitionSite(e.PartitionKey); hasFakeALabel(host) {
				return fmt.Errorf("%w: partition key %q", errFakeALabel, e.PartitionKey)
			}
			return fmt.Errorf("invalid partition key %q (want scheme://site)", e.PartitionKey)
		}
	}
	return nil
}

// validPartitionKey reports whether k has the form partitionKey writes: a
// lower-case scheme, "://" and a canonical host name or IP address (an IPv6
// address in brackets), without port or path.
func validPartitionKey(k string) bool {
	if !strings.Contains(k, "://") {
		return false
	}
	scheme, host := partitionSite(k)
	if scheme == "" || host == "" {
		return false
	}
	if partitionKeyOf(scheme, host) != k {
		return false // an IPv6 address must be bracketed, nothing else may be
	}
	for i := 0; i < len(scheme); i++ {
		c := scheme[i]
		if !('a' <= c && c <= 'z' || i > 0 && ('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.')) {
			return false
		}
	}
	if strings.IndexByte(host, ':') >= 0 && !isIP(host) {
		return false // a port
	}
	h, ok := canonicalHostname(host)
	return ok && h == host
}

// Add stores copies of es as they are, bypassing the origin checks of the
// storage model (there is no response to check them against) but not the
// invariants: each must have a valid domain, a path starting with "/", a
// name or a value, and no control characters; a Partitioned entry must be
// Secure, and a PartitionKey needs Partitioned. The cookie name prefix
// rules hold as for received cookies (RFC 6265bis section 5.7 steps 20-22,
// with Path standing for an explicit Path attribute): an entry that breaks
// one is refused with an error matching ErrPrefix; one whose name and
// value together exceed Limits.MaxCookieBytes (a limit below the 4096
// octets every entry must fit) with an error matching ErrTooLarge. An expiry-time more
// than 400 days after the jar's clock is reduced to that limit, as for a
// received cookie (section 5.5). A Partitioned entry
// without a PartitionKey gets "https://" and the registrable domain of its
// Domain. A cookie with the same name, domain, host-only-flag, path and
// partition is replaced; expired cookies delete their namesakes. A zero
// Created or LastAccess becomes the current time; a zero Created also sets
// CreatedUnknown.
// Limits apply as for received cookies. Add stops at the first invalid
// entry and returns its error (index i, wrapped); earlier ones are stored.
func (j *Jar) Add(es ...Entry) error {
	now := j.now()
	j.mu.Lock()
	defer j.mu.Unlock()
	for i := range es {
		e := es[i].clone()
		// Wall-clock times only (see Jar.now): time.Now().Add(d) carries
		// a monotonic reading, which Go would compare by instead.
		e.Created, e.LastAccess, e.Expires = e.Created.Round(0), e.LastAccess.Round(0), e.Expires.Round(0)
		if err := checkEntry(&e); err != nil {
			return fmt.Errorf("jar: entry %d: %w", i, err)
		}
		if err := checkEntryPrefixes(&e); err != nil {
			return fmt.Errorf("jar: entry %d (cookie %q): %w", i, e.Name, err)
		}
		if err := j.checkSize(&e); err != nil {
			return fmt.Errorf("jar: entry %d (cookie %q): %w", i, e.Name, err)
		}
		capExpiry(&e, now)
		if e.Created.IsZero() {
			e.Created, e.CreatedUnknown = now, true
		}
		if e.LastAccess.IsZero() {
			e.LastAccess = now
		}
		if e.Partitioned && e.PartitionKey == "" {
			e.PartitionKey = partitionKeyOf("https", j.site(e.Domain))
		}
		j.addLocked(e, now)
	}
	return nil
}

// checkSize applies Limits.MaxCookieBytes to an entry added without a
// Set-Cookie header, as RFC 6265bis section 5.7 step 4 (and the configured
// limit) does to a received cookie.
func (j *Jar) checkSize(e *Entry) error {
	if n, l := len(e.Name)+len(e.Value), j.limits.maxCookieBytes(); n > l {
		return fmt.Errorf("%w: %d octets, over Limits.MaxCookieBytes %d", ErrTooLarge, n, l)
	}
	return nil
}

// capExpiry reduces the expiry-time of a persistent entry to 400 days
// after now, the cookie lifetime limit of RFC 6265bis section 5.5 that
// sections 5.6.1 step 4 (Expires) and 5.6.2 step 6 (Max-Age) apply to a
// received cookie. The limit counts from now, not from e.Created: a
// cookie that a later Set-Cookie replaced keeps its first creation-time
// (section 5.7 step 23.3) but got its expiry-time, at most 400 days
// ahead, from that later response, whose time is not stored. Capping from
// now never shortens a cookie below what the jar itself could have stored.
func capExpiry(e *Entry, now time.Time) {
	if limit := now.Add(cookie.MaxLifetime); e.Persistent && e.Expires.After(limit) {
		e.Expires = limit
	}
}

// addLocked stores an imported entry, keeping its own creation-time.
func (j *Jar) addLocked(e Entry, now time.Time) {
	key := j.keyOf(e.Domain)
	b := j.buckets[key]
	if i := findLocked(b, &e); i >= 0 {
		j.removeAtLocked(key, b, i)
	}
	if e.expired(now) {
		return
	}
	j.seq++
	it := &item{Entry: e, seq: j.seq}
	it.suffixDomain = !e.HostOnly && j.isPublicSuffix(e.Domain)
	j.insertLocked(key, it)
	j.evictLocked(key, it, now)
}
