package jar

import (
	"net/netip"
	"net/url"
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
	if h == "" {
		return "", false
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
		// A URL parser reads a name whose last label is numeric as an
		// IPv4 address, dropping a trailing dot (WHATWG URL, "ends in a
		// number"): "192.0.2.1." is the IP host 192.0.2.1, never a name
		// that domain-matches "2.1.".
		if t, ok := strings.CutSuffix(h, "."); ok && isIP(t) && !strings.Contains(t, ":") {
			return t, true
		}
		return h, true
	}
	// Step 3: convert each U-label to an A-label.
	if !utf8.ValidString(h) {
		return "", false
	}
	a, err := idna.Lookup.ToASCII(h)
	if err != nil || a == "" || !isASCII(a) {
		return "", false
	}
	return canonicalHostname(a)
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
