package cookie

// This file implements the user-agent parsing of the Set-Cookie header field,
// RFC 6265bis (draft-ietf-httpbis-rfc6265bis) section 5.6, together with the
// steps of the storage model (section 5.7) that do not depend on the request.

import (
	"fmt"
	"math"
	"strings"
)

// Limits of RFC 6265bis section 5.6.
const (
	// MaxNameValueLength is the largest accepted sum of the lengths of a
	// cookie's name and value, in octets (RFC 6265bis section 5.6, step 5).
	MaxNameValueLength = 4096
	// MaxAttributeValueLength is the longest attribute value a user agent
	// processes, in octets; longer ones are ignored (RFC 6265bis section 5.6).
	MaxAttributeValueLength = 1024
)

// ParseSetCookie parses a Set-Cookie field value as a user agent does, by the
// algorithm of RFC 6265bis section 5.6. It never fails on a malformed
// attribute: as the algorithm says, such an attribute is ignored. It returns
// an error, satisfying errors.Is(err, ErrIgnored), only when a user agent must
// ignore the whole line:
//
//   - a control character other than HTAB anywhere (ErrControlCharacter),
//   - name and value longer than 4096 octets together (ErrNameValueTooLong),
//   - an empty name and an empty value (ErrEmptyCookie),
//   - a retained Domain attribute with a non-ASCII octet (ErrDomainNotASCII).
//
// A line without '=' yields a nameless cookie whose value is the whole
// name-value string. Attribute names match case-insensitively (ASCII only);
// when an attribute repeats, the last occurrence wins. Name, Value, Path and
// a Domain without upper-case letters share memory with line; a Domain with
// some is a lower-cased copy.
//
// The requirements that depend on the request (Domain matching, the
// default-path, Secure origins, name prefixes, public suffixes) belong to the
// cookie jar; see the jar package.
func ParseSetCookie(line string) (*Cookie, error) {
	// Step 1: a CTL other than HTAB ignores the line (also section 5.7 step 3).
	if i := indexCTL(line); i >= 0 {
		return nil, fmt.Errorf("%w at offset %d", ErrControlCharacter, i)
	}
	// Step 2: the name-value-pair ends at the first ';'.
	nameValue, attrs := line, ""
	if i := strings.IndexByte(line, ';'); i >= 0 {
		nameValue, attrs = line[:i], line[i:]
	}
	// Step 3: without '=' the name is empty and the whole string is the value.
	var name, value string
	if i := strings.IndexByte(nameValue, '='); i >= 0 {
		name, value = nameValue[:i], nameValue[i+1:]
	} else {
		value = nameValue
	}
	// Step 4: trim WSP.
	name, value = trimWSP(name), trimWSP(value)
	// Step 5: the 4096-octet limit (also section 5.7 step 4).
	if n := len(name) + len(value); n > MaxNameValueLength {
		return nil, fmt.Errorf("%w: %d octets", ErrNameValueTooLong, n)
	}
	// Section 5.7 step 2: an empty name with an empty value is ignored.
	if name == "" && value == "" {
		return nil, ErrEmptyCookie
	}
	c := &Cookie{Name: name, Value: value}

	// The unparsed-attributes loop of section 5.6.
	for len(attrs) > 0 {
		// Steps 2 and 3: drop the ';' and consume up to the next one.
		attrs = attrs[1:]
		av := attrs
		if i := strings.IndexByte(attrs, ';'); i >= 0 {
			av, attrs = attrs[:i], attrs[i:]
		} else {
			attrs = ""
		}
		// Step 4: split at the first '='.
		var an, aval string
		if i := strings.IndexByte(av, '='); i >= 0 {
			an, aval = av[:i], av[i+1:]
		} else {
			an = av
		}
		// Step 5: trim WSP.
		an, aval = trimWSP(an), trimWSP(aval)
		// Step 6: an attribute value over 1024 octets is ignored.
		if len(aval) > MaxAttributeValueLength {
			continue
		}
		// Step 7: process known attributes; unknown ones are ignored.
		c.setAttribute(an, aval)
	}

	// Section 5.6.3 step 3, for the retained (last) Domain only.
	c.Domain = lowerASCII(c.Domain)
	// Section 5.7 step 8: the retained Domain must be CHAR (%x01-7F); CTLs
	// were rejected by step 1 already.
	for i := 0; i < len(c.Domain); i++ {
		if c.Domain[i] >= 0x80 {
			return nil, fmt.Errorf("%w: %q", ErrDomainNotASCII, c.Domain)
		}
	}
	return c, nil
}

// indexCTL returns the offset of the first %x00-08 / %x0A-1F / %x7F octet
// of s, or -1. It tests eight octets at a time: a word with no octet below
// 0x20 and none equal to 0x7F is skipped whole; otherwise its octets are
// checked one by one (HTAB is allowed).
func indexCTL(s string) int {
	const (
		ones  = 0x0101010101010101
		highs = 0x8080808080808080
	)
	i := 0
	for ; i+8 <= len(s); i += 8 {
		x := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		// Some octet is < 0x20 (exact as an "any" test), or some octet is 0x7F.
		y := x ^ (0x7F * ones)
		if ((x-0x20*ones)&^x|(y-ones)&^y)&highs == 0 {
			continue
		}
		for j := i; j < i+8; j++ {
			if isCTL(s[j]) {
				return j
			}
		}
	}
	for ; i < len(s); i++ {
		if isCTL(s[i]) {
			return i
		}
	}
	return -1
}

// isCTL reports a CTL other than HTAB: %x00-08 / %x0A-1F / %x7F.
func isCTL(c byte) bool { return (c < 0x20 && c != '\t') || c == 0x7F }

// setAttribute applies one cookie-av (RFC 6265bis sections 5.6.1 to 5.6.7 and
// the Partitioned attribute of the CHIPS draft). A later call for the same
// attribute overrides an earlier one: the storage model (section 5.7 steps 6,
// 7 and 11) uses the last attribute of each name in the cookie-attribute-list.
func (c *Cookie) setAttribute(name, value string) {
	switch len(name) {
	case 4:
		if equalFoldASCII(name, "path") {
			// Section 5.6.4: a value that is empty or does not begin with
			// '/' means the default-path, which the jar computes: Path "".
			if value != "" && value[0] == '/' {
				c.Path = value
			} else {
				c.Path = ""
			}
		}
	case 6:
		if equalFoldASCII(name, "domain") {
			// Section 5.6.3: drop one leading '.', lower-case. An empty
			// value is appended too, so it overrides an earlier Domain and
			// the cookie becomes host-only (section 5.7 step 7).
			// ParseSetCookie lower-cases the retained Domain once, at
			// the end, so that overridden ones cost no allocation.
			if value != "" && value[0] == '.' {
				value = value[1:]
			}
			c.Domain = value
		} else if equalFoldASCII(name, "secure") {
			c.Secure = true // section 5.6.5
		}
	case 7:
		if equalFoldASCII(name, "expires") {
			// Section 5.6.1: an unparsable date ignores the cookie-av. The
			// 400-day cap needs the clock: see ExpiryTime.
			if t, _, f := parseDate(value); f == dateOK {
				c.Expires = t
			}
		} else if equalFoldASCII(name, "max-age") {
			// Section 5.6.2.
			if v, ok := parseMaxAge(value); ok {
				c.MaxAge, c.HasMaxAge = v, true
			}
		}
	case 8:
		if equalFoldASCII(name, "httponly") {
			c.HttpOnly = true // section 5.6.6
		} else if equalFoldASCII(name, "samesite") {
			c.SameSite = parseSameSite(value) // section 5.6.7
		}
	case 11:
		if equalFoldASCII(name, "partitioned") {
			// draft-cutler-httpbis-partitioned-cookies: a flag attribute.
			c.Partitioned = true
		}
	}
}

// parseMaxAge implements steps 1 to 4 of RFC 6265bis section 5.6.2: a DIGIT
// or a '-' followed by a DIGIT, then only DIGITs. Values beyond int64
// saturate; the 400-day cap applies in ExpiryTime.
func parseMaxAge(s string) (int64, bool) {
	neg := false
	if s != "" && s[0] == '-' {
		neg, s = true, s[1:]
	}
	if s == "" {
		return 0, false
	}
	var v int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isDigit(c) {
			return 0, false
		}
		d := int64(c - '0')
		if v > (math.MaxInt64-d)/10 {
			v = math.MaxInt64 // saturate, keep checking the digits
			continue
		}
		v = v*10 + d
	}
	if neg {
		return -v, true
	}
	return v, true
}

// parseSameSite implements RFC 6265bis section 5.6.7 steps 1 to 4.
func parseSameSite(v string) SameSite {
	switch {
	case equalFoldASCII(v, "none"):
		return SameSiteNone
	case equalFoldASCII(v, "strict"):
		return SameSiteStrict
	case equalFoldASCII(v, "lax"):
		return SameSiteLax
	}
	return SameSiteDefault
}

// equalFoldASCII reports whether s equals the lower-case ASCII string lowerT
// ignoring ASCII case. Unlike strings.EqualFold it does not fold non-ASCII
// characters, so "ſecure" (U+017F) is not "secure".
func equalFoldASCII(s, lowerT string) bool {
	if len(s) != len(lowerT) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if lower(s[i]) != lowerT[i] {
			return false
		}
	}
	return true
}

// lowerASCII lower-cases the ASCII letters of s, allocating only when s has
// an upper-case letter.
func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				b[j] = lower(b[j])
			}
			return string(b)
		}
	}
	return s
}

// trimWSP removes leading and trailing WSP (SP and HTAB).
func trimWSP(s string) string {
	i, j := 0, len(s)
	for i < j && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	for j > i && (s[j-1] == ' ' || s[j-1] == '\t') {
		j--
	}
	return s[i:j]
}
