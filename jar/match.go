package jar

import (
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// This file holds the subcomponent algorithms of RFC 6265bis
// (draft-ietf-httpbis-rfc6265bis) section 5.1: canonicalized host names
// (5.1.2), domain matching (5.1.3), default-path and path-match (5.1.4).

// canonicalHost returns the canonicalized host name of u's host, RFC 6265bis
// section 5.1.2: the port is dropped (cookies are not port-specific, RFC
// 6265bis section 8.5), IPv6 brackets are removed, the name is lower-cased
// and U-labels become A-labels. ok is false if the host cannot be
// canonicalized (empty, or not a valid IDNA name).
func canonicalHost(u *url.URL) (host string, ok bool) {
	if u == nil {
		return "", false
	}
	return canonicalHostname(u.Hostname())
}

// canonicalHostname canonicalizes a host name without port (RFC 6265bis
// section 5.1.2).
func canonicalHostname(h string) (string, bool) {
	return canonicalHostnameA(h, true)
}

// hasFakeALabel reports whether h fails to canonicalize only because of a
// Fake A-label (RFC 6265bis section 5.1.2 step 4): a host this package
// accepted before it checked A-labels, which files written then may hold.
func hasFakeALabel(h string) bool {
	if _, ok := canonicalHostname(h); ok {
		return false
	}
	_, ok := canonicalHostnameA(h, false)
	return ok
}

// canonicalHostnameA is canonicalHostname; checkA false skips the Fake
// A-label check of ASCII hosts.
func canonicalHostnameA(h string, checkA bool) (string, bool) {
	if h == "" {
		return "", false
	}
	// An IPv6 address (RFC 6265bis section 5.1.2 step 1: a host that is
	// an IP address is used as is) in the one text form a browser's URL
	// parser serializes it to, so [0:0::1] and [::1] are the same host.
	if strings.IndexByte(h, ':') >= 0 {
		return canonicalIPv6(h)
	}
	ascii := true
	lower := true
	for i := 0; i < len(h); i++ {
		c := h[i]
		if c >= 0x80 {
			ascii = false
			break
		}
		if 'A' <= c && c <= 'Z' {
			lower = false
		}
		// Control characters, spaces and delimiters are never part of a
		// label (RFC 6265bis section 5.1.2 step 2).
		if c <= ' ' || c == 0x7f || strings.IndexByte(`/\?#@%;,"<>`, c) >= 0 {
			return "", false
		}
	}
	if ascii {
		if !lower {
			h = strings.ToLower(h)
		}
		// An empty label (a leading dot, or two dots in a row) is not a
		// host name; a trailing dot (a fully qualified name) is.
		if strings.Contains(h, "..") || h[0] == '.' {
			return "", false
		}
		// A URL parser reads a name whose last label is a number as an
		// IPv4 address (WHATWG URL, "ends in a number"), so a browser
		// sees "192.0.2.1.", "10.0.1" and "0x7f.1" as the IP hosts
		// 192.0.2.1, 10.0.0.1 and 127.0.0.1, never as names that
		// domain-match "2.1." or "0.1", and refuses "example.123".
		if strings.IndexByte(h, ':') < 0 && endsInNumber(h) {
			return parseIPv4Host(h)
		}
		if checkA && !validALabels(h) {
			return "", false
		}
		return h, true
	}
	// Step 3: convert each U-label to an A-label.
	if !utf8.ValidString(h) {
		return "", false
	}
	a, err := browserIDNA.ToASCII(h)
	if err != nil || a == "" || !isASCII(a) {
		return "", false
	}
	return canonicalHostnameA(a, checkA)
}

// canonicalIPv6 returns the IPv6 address h (brackets allowed) serialized
// as the WHATWG URL Standard's IPv6 serializer does: lower-case hex, the
// first longest run of two or more zero pieces compressed, and an
// IPv4-mapped address in hex too ("::ffff:7f00:1", not
// "::ffff:127.0.0.1"). ok is false for anything else, a zone included (a
// URL host has none).
func canonicalIPv6(h string) (string, bool) {
	if len(h) >= 2 && h[0] == '[' && h[len(h)-1] == ']' {
		h = h[1 : len(h)-1]
	}
	a, err := netip.ParseAddr(h)
	if err != nil || !a.Is6() || a.Zone() != "" {
		return "", false
	}
	if a.Is4In6() {
		b := a.As16()
		return "::ffff:" + strconv.FormatUint(uint64(b[12])<<8|uint64(b[13]), 16) + ":" +
			strconv.FormatUint(uint64(b[14])<<8|uint64(b[15]), 16), true
	}
	return a.String(), true
}

// browserIDNA is the IDNA processing of RFC 6265bis section 5.1.2 steps 3
// and 4 the way browsers do it: UTS #46 as the WHATWG URL Standard's
// "domain to ASCII" runs it for a URL host with beStrict false: non-transitional, CheckBidi and CheckJoiners on;
// UseSTD3ASCIIRules, CheckHyphens and VerifyDnsLength off (so "_" and
// "a--b" labels pass, as they do in ASCII hosts). A *idna.Profile is
// immutable and safe for concurrent use.
var browserIDNA = idna.New(idna.MapForLookup(), idna.Transitional(false), idna.BidiRule(),
	idna.CheckJoiners(true), idna.StrictDomainName(false), idna.VerifyDNSLength(false), idna.CheckHyphens(false))

// validALabels reports whether the lower-case ASCII host h has no Fake
// A-label, RFC 6265bis section 5.1.2 step 4: every label that begins with
// "xn--" (an XN-label, RFC 5890 section 2.3.1) is a valid A-label: it decodes as Punycode to a non-empty
// label that UTS #46 validation accepts ("xn--", "xn--a", "xn--zz" and
// "xn--abc-" do not) and encodes back to exactly h, as the URL parser of a
// browser requires of a host. Hosts without such a label, the common case,
// are not looked at further.
func validALabels(h string) bool {
	hasA := false
	for l := range strings.SplitSeq(strings.TrimSuffix(h, "."), ".") {
		if strings.HasPrefix(l, "xn--") {
			if len(l) == len("xn--") {
				return false // decodes to the empty label
			}
			hasA = true
		}
	}
	if !hasA {
		return true
	}
	u, err := browserIDNA.ToUnicode(h)
	if err != nil {
		return false
	}
	a, err := browserIDNA.ToASCII(u)
	return err == nil && a == h
}

// endsInNumber reports whether the ASCII host h ends in a number, the
// WHATWG URL Standard's "ends in a number checker": its last label,
// ignoring one trailing dot, is all decimal digits or a 0x hexadecimal
// number. It does not allocate: every retrieval canonicalizes its host.
func endsInNumber(h string) bool {
	t := strings.TrimSuffix(h, ".")
	if t == "" {
		return false
	}
	last := t[strings.LastIndexByte(t, '.')+1:]
	if last != "" && strings.Trim(last, "0123456789") == "" {
		return true
	}
	_, ok := ipv4Number(last)
	return ok
}

// parseIPv4Host is the WHATWG URL Standard's IPv4 parser: one to four
// dot-separated decimal, 0-prefixed octal or 0x-prefixed hexadecimal
// numbers, the last filling the remaining bytes. It returns the dotted
// decimal address, or ok false for a host that is no IPv4 address.
func parseIPv4Host(h string) (string, bool) {
	parts := strings.Split(h, ".")
	if parts[len(parts)-1] == "" && len(parts) > 1 {
		parts = parts[:len(parts)-1]
	}
	if len(parts) > 4 {
		return "", false
	}
	var nums [4]uint64
	for i, p := range parts {
		n, ok := ipv4Number(p)
		if !ok {
			return "", false
		}
		nums[i] = n
	}
	last := len(parts) - 1
	for _, n := range nums[:last] {
		if n > 255 {
			return "", false
		}
	}
	if nums[last] >= 1<<(8*(4-last)) {
		return "", false
	}
	v := nums[last]
	for i, n := range nums[:last] {
		v += n << (8 * (3 - i))
	}
	a := netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
	return a.String(), true
}

// ipv4Number is the WHATWG URL Standard's IPv4 number parser: decimal,
// octal after a leading "0", hexadecimal after "0x" or "0X" (which alone
// is 0). ok is false for an empty or malformed number; values of 2^32 or
// more are returned as 2^32.
func ipv4Number(s string) (n uint64, ok bool) {
	if s == "" {
		return 0, false
	}
	base := uint64(10)
	switch {
	case len(s) >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'):
		s, base = s[2:], 16
		if s == "" {
			return 0, true
		}
	case len(s) >= 2 && s[0] == '0':
		s, base = s[1:], 8
	}
	for i := 0; i < len(s); i++ {
		var d uint64
		switch c := s[i]; {
		case '0' <= c && c <= '9':
			d = uint64(c - '0')
		case 'a' <= c && c <= 'f':
			d = uint64(c-'a') + 10
		default:
			return 0, false
		}
		if d >= base {
			return 0, false
		}
		// Saturate: any value of 2^32 or more fails the IPv4 parser the
		// same way, and the digits still have to be valid.
		n = min(n*base+d, 1<<32)
	}
	return n, true
}

// isIP reports whether the canonical host is an IP address literal. Only
// a host with a ':' (IPv6) or ending in a digit (IPv4) can be one, which
// spares the parse for ordinary names.
func isIP(host string) bool {
	if host == "" {
		return false
	}
	if c := host[len(host)-1]; (c < '0' || c > '9') && strings.IndexByte(host, ':') < 0 {
		return false
	}
	_, err := netip.ParseAddr(host)
	return err == nil
}

// domainMatch reports whether the canonical string s domain-matches the
// domain string d, RFC 6265bis section 5.1.3: they are identical, or d is a
// suffix of s preceded by a "." and s is a host name (not an IP address).
func domainMatch(s, d string) bool {
	if s == d {
		return true
	}
	return len(s) > len(d) && s[len(s)-len(d)-1] == '.' && strings.HasSuffix(s, d) && !isIP(s)
}

// domainMatchName is domainMatch for a string s already known to be a
// host name (sIP false) or an IP address (sIP true).
func domainMatchName(s, d string, sIP bool) bool {
	if s == d {
		return true
	}
	return !sIP && len(s) > len(d) && s[len(s)-len(d)-1] == '.' && s[len(s)-len(d):] == d
}

// defaultPath returns the default-path of a request URI, RFC 6265bis
// section 5.1.4.
func defaultPath(u *url.URL) string {
	p := u.EscapedPath()
	// Step 2: empty or not starting with "/".
	if p == "" || p[0] != '/' {
		return "/"
	}
	// Step 3: no more than one "/".
	i := strings.LastIndexByte(p, '/')
	if i == 0 {
		return "/"
	}
	// Step 4: up to, not including, the right-most "/".
	return p[:i]
}

// requestPath returns the path of u the way it appears on the wire, which is
// what path-match compares (RFC 6265bis section 5.1.4); an empty path is "/".
func requestPath(u *url.URL) string {
	p := u.EscapedPath()
	if p == "" {
		return "/"
	}
	return p
}

// pathMatch reports whether request path r path-matches cookie path c,
// RFC 6265bis section 5.1.4.
func pathMatch(r, c string) bool {
	if r == c {
		return true
	}
	if c == "" || !strings.HasPrefix(r, c) {
		return false
	}
	return c[len(c)-1] == '/' || r[len(c)] == '/'
}

// isSecure reports whether u denotes a "secure" connection (RFC 6265bis
// sections 5.7 step 13 and 5.8.3): the https and wss schemes, and, as
// browsers treat them as potentially trustworthy, the loopback hosts
// (127.0.0.0/8, ::1, "localhost" and names under ".localhost") over any
// scheme.
func isSecure(u *url.URL, host string) bool {
	switch strings.ToLower(u.Scheme) {
	case "https", "wss":
		return true
	}
	return isLoopback(host)
}

// isLoopback reports whether the canonical host is a loopback address or
// name.
func isLoopback(host string) bool {
	// A fully qualified "localhost." is localhost too, as in browsers.
	if h := strings.TrimSuffix(host, "."); h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.Unmap().IsLoopback()
}

// isASCII reports whether s holds only ASCII bytes.
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
