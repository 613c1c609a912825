package cookie

// This file writes a Set-Cookie field value by the server syntax of RFC 6265bis
// (draft-ietf-httpbis-rfc6265bis) section 4.1.

import (
	"fmt"
	"strconv"
	"strings"
)

// imfFixdate is the IMF-fixdate layout of RFC 9110 section 5.6.7, the
// sane-cookie-date of RFC 6265bis section 4.1.1.
const imfFixdate = "Mon, 02 Jan 2006 15:04:05 GMT"

// FormatSetCookie writes c as a Set-Cookie field value that conforms to the
// server grammar of RFC 6265bis section 4.1.1, in the order
// name=value; Path; Domain; Expires; Max-Age; Secure; HttpOnly; SameSite;
// Partitioned. It refuses, with an error wrapping the sentinel named, what a
// conforming server must not send or a user agent would reject:
//
//   - a name that is not a token, including the empty name (ErrInvalidName);
//   - a value that is not *cookie-octet, optionally wrapped in DQUOTEs which
//     are then part of the value (ErrInvalidValue);
//   - name and value over 4096 octets together (ErrNameValueTooLong);
//   - a Domain that is not an RFC 1034 subdomain (ErrInvalidDomain);
//   - a Path with a CTL or ';', not beginning with '/', with surrounding
//     whitespace, or over 1024 octets (ErrInvalidPath);
//   - an Expires outside the years 1601 to 9999 (ErrInvalidExpires);
//   - a "__Secure-" name without Secure, or a "__Host-" name without Secure,
//     with a Domain or with a Path other than "/" (ErrPrefix; RFC 6265bis
//     sections 4.1.3 and 5.4, matched case-insensitively as user agents do);
//   - a SameSite value other than the four constants (ErrInvalidAttribute);
//   - SameSite=None without Secure (ErrInsecureSameSiteNone), which browsers
//     reject;
//   - Partitioned without Secure (ErrInsecurePartitioned).
//
// Domain is written lower-cased, as user agents store it (section 5.6.3).
// Expires is written as an IMF-fixdate in GMT when non-zero, truncated to the
// second. Max-Age is written when HasMaxAge; a MaxAge of zero or less is
// written as "Max-Age=0" (the grammar is 1*DIGIT), which deletes the cookie
// just as a negative value does. SameSiteDefault writes no SameSite attribute.
// The RFC 2965 fields (Version, Comment, Port, ...) are not written; see
// FormatSetCookie2.
func FormatSetCookie(c *Cookie) (string, error) {
	if err := validateSetCookie(c); err != nil {
		return "", err
	}
	var b strings.Builder
	b.Grow(len(c.Name) + len(c.Value) + len(c.Path) + len(c.Domain) + 110)
	b.WriteString(c.Name)
	b.WriteByte('=')
	b.WriteString(c.Value)
	if c.Path != "" {
		b.WriteString("; Path=")
		b.WriteString(c.Path)
	}
	if c.Domain != "" {
		// Lower-cased, as a user agent stores it (RFC 6265bis section
		// 5.6.3 step 3), so that ParseSetCookie reads back the same Domain.
		b.WriteString("; Domain=")
		for i := 0; i < len(c.Domain); i++ {
			b.WriteByte(lower(c.Domain[i]))
		}
	}
	if !c.Expires.IsZero() {
		var buf [len(imfFixdate)]byte
		b.WriteString("; Expires=")
		b.Write(c.Expires.UTC().AppendFormat(buf[:0], imfFixdate))
	}
	if c.HasMaxAge {
		var buf [20]byte
		b.WriteString("; Max-Age=")
		b.Write(strconv.AppendInt(buf[:0], max(c.MaxAge, 0), 10))
	}
	if c.Secure {
		b.WriteString("; Secure")
	}
	if c.HttpOnly {
		b.WriteString("; HttpOnly")
	}
	switch c.SameSite {
	case SameSiteNone:
		b.WriteString("; SameSite=None")
	case SameSiteLax:
		b.WriteString("; SameSite=Lax")
	case SameSiteStrict:
		b.WriteString("; SameSite=Strict")
	}
	if c.Partitioned {
		b.WriteString("; Partitioned")
	}
	return b.String(), nil
}

// validateSetCookie checks c against the server requirements listed on
// FormatSetCookie.
func validateSetCookie(c *Cookie) error {
	// RFC 6265bis section 4.1.1: cookie-name = token (servers MUST NOT send
	// nameless cookies).
	if !isToken(c.Name) {
		return fmt.Errorf("%w: %q is not a token", ErrInvalidName, c.Name)
	}
	// Section 4.1.1: cookie-value = *cookie-octet / ( DQUOTE *cookie-octet DQUOTE ).
	// The error names the octet, not the value: it may be a session ID.
	if i := indexBadCookieValue(c.Value); i >= 0 {
		return fmt.Errorf("%w: octet %#02x at offset %d of the value of cookie %q", ErrInvalidValue, c.Value[i], i, c.Name)
	}
	// Section 5.6 step 5: a user agent ignores longer name-value pairs.
	if n := len(c.Name) + len(c.Value); n > MaxNameValueLength {
		return fmt.Errorf("%w: %d octets for cookie %q", ErrNameValueTooLong, n, c.Name)
	}
	// Section 4.1.1: domain-value = <subdomain>.
	if c.Domain != "" && !isSubdomain(c.Domain) {
		return fmt.Errorf("%w: %q for cookie %q", ErrInvalidDomain, c.Domain, c.Name)
	}
	if err := validatePath(c.Path); err != nil {
		return fmt.Errorf("%w for cookie %q", err, c.Name)
	}
	// Section 4.1.1: sane-cookie-date = IMF-fixdate (4-digit year); section
	// 5.1.1 step 5: user agents reject years before 1601.
	if !c.Expires.IsZero() {
		if y := c.Expires.UTC().Year(); y < 1601 || y > 9999 {
			return fmt.Errorf("%w: year %d for cookie %q", ErrInvalidExpires, y, c.Name)
		}
	}
	// Sections 4.1.3 and 5.4 (user agents match prefixes case-insensitively,
	// so a miscapitalised prefix would be rejected too).
	switch {
	case hasPrefixFold(c.Name, "__secure-"):
		if !c.Secure {
			return fmt.Errorf("%w: %q needs Secure", ErrPrefix, c.Name)
		}
	case hasPrefixFold(c.Name, "__host-"):
		if !c.Secure || c.Domain != "" || c.Path != "/" {
			return fmt.Errorf("%w: %q needs Secure, Path=/ and no Domain", ErrPrefix, c.Name)
		}
	}
	// Section 4.1.1: samesite-value = "Strict" / "Lax" / "None"; another
	// SameSite value has no spelling (and would read back as the default).
	if c.SameSite < SameSiteDefault || c.SameSite > SameSiteStrict {
		return fmt.Errorf("%w: SameSite value %d for cookie %q", ErrInvalidAttribute, int(c.SameSite), c.Name)
	}
	// Browsers reject SameSite=None without Secure (the "Incrementally
	// Better Cookies" rule, adopted by Chromium and Firefox).
	if c.SameSite == SameSiteNone && !c.Secure {
		return fmt.Errorf("%w (cookie %q)", ErrInsecureSameSiteNone, c.Name)
	}
	// CHIPS (draft-cutler-httpbis-partitioned-cookies): Partitioned cookies
	// must be Secure.
	if c.Partitioned && !c.Secure {
		return fmt.Errorf("%w (cookie %q)", ErrInsecurePartitioned, c.Name)
	}
	return nil
}

// validatePath checks a Path for writing: path-value = *av-octet (RFC 6265bis
// section 4.1.1), beginning with '/' (otherwise a user agent uses the
// default-path, section 5.6.4), without leading or trailing WSP (which user
// agents strip, section 5.6 step 5), at most 1024 octets (section 5.6 step 6).
func validatePath(p string) error {
	if p == "" {
		return nil
	}
	if p[0] != '/' {
		return fmt.Errorf("%w: %q does not begin with '/'", ErrInvalidPath, p)
	}
	if len(p) > MaxAttributeValueLength {
		return fmt.Errorf("%w: %d octets, over %d", ErrInvalidPath, len(p), MaxAttributeValueLength)
	}
	if p[len(p)-1] == ' ' {
		return fmt.Errorf("%w: %q ends in whitespace", ErrInvalidPath, p)
	}
	for i := 0; i < len(p); i++ {
		if !isAVOctet(p[i]) {
			return fmt.Errorf("%w: %q has octet %#02x", ErrInvalidPath, p, p[i])
		}
	}
	return nil
}

// isAVOctet reports av-octet = %x20-3A / %x3C-7E (RFC 6265bis section 4.1.1).
func isAVOctet(c byte) bool {
	return c >= 0x20 && c <= 0x7E && c != ';'
}

// isCookieOctet reports cookie-octet = %x21 / %x23-2B / %x2D-3A / %x3C-5B /
// %x5D-7E (RFC 6265bis section 4.1.1).
func isCookieOctet(c byte) bool {
	return c >= 0x21 && c <= 0x7E && c != '"' && c != ',' && c != ';' && c != '\\'
}

// indexBadCookieValue returns the offset of the first octet that keeps v
// from being a cookie-value = *cookie-octet / ( DQUOTE *cookie-octet DQUOTE ),
// or -1 when v is one.
func indexBadCookieValue(v string) int {
	start, end := 0, len(v)
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		start, end = 1, len(v)-1
	}
	for i := start; i < end; i++ {
		if !isCookieOctet(v[i]) {
			return i
		}
	}
	return -1
}

// isTchar reports tchar of RFC 9110 section 5.6.2.
func isTchar(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// isToken reports token = 1*tchar (RFC 9110 section 5.6.2).
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isTchar(s[i]) {
			return false
		}
	}
	return true
}

// isSubdomain reports whether s is a <subdomain> of RFC 1034 section 3.5 as
// relaxed by RFC 1123 section 2.1 (labels may begin with a digit): labels of
// letters, digits and '-', not beginning or ending with '-', 1 to 63 octets,
// 253 octets in all.
func isSubdomain(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for _, label := range strings.Split(s, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

// hasPrefixFold reports whether s begins with the lower-case ASCII prefix,
// ignoring ASCII case.
func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && equalFoldASCII(s[:len(prefix)], prefix)
}
