package cookie

// This file reads and writes the Cookie request header field as a server sees
// it: RFC 6265bis (draft-ietf-httpbis-rfc6265bis) section 4.2, in the shape the
// user agent produces by section 5.8.3.

import "strings"

// Pair is one cookie-pair of a Cookie header field (RFC 6265bis section 4.2.1).
type Pair struct {
	Name string
	// Value is the cookie-value without surrounding DQUOTEs.
	Value string
	// Quoted reports that Value was (or is to be) wrapped in DQUOTEs.
	Quoted bool
}

// ParseCookie parses a Cookie header field value the way a server reads it
// (RFC 6265bis section 4.2.1). It never fails and never panics: what it
// cannot read is skipped. Precisely:
//
//   - the field is split on ';' (a server that received several Cookie
//     fields may join them with "; " first, section 4.2.1);
//   - each piece is trimmed of SP and HTAB, and empty pieces are skipped;
//   - a piece without '=' is skipped (this includes the nameless cookies a
//     user agent sends as a bare value, section 5.8.3);
//   - the name is the text before the first '=' and the value the text after
//     it, each trimmed of SP and HTAB (the BWS of section 4.1.1);
//   - the name must be a token (RFC 9110 section 5.6.2), else the pair is
//     skipped;
//   - a value of at least two octets that begins and ends with DQUOTE is
//     unwrapped and the pair marked Quoted;
//   - the (unwrapped) value must be *cookie-octet (section 4.1.1): no
//     whitespace, DQUOTE, ',', ';', '\' or CTL, else the pair is skipped.
//
// Order and duplicate names are kept (section 4.2.2: servers should not rely
// on either). Names and values share memory with header. At most
// MaxCookiesPerHeader pairs are returned, the first ones; the rest of the
// header is not read.
func ParseCookie(header string) []Pair {
	// Size the result by the pieces, but no further than a typical header:
	// pieces that are not cookie-pairs (a flood of ';') must not cost memory.
	n := min(strings.Count(header, ";")+1, maxPreallocPairs)
	pairs := make([]Pair, 0, n)
	for header != "" && len(pairs) < MaxCookiesPerHeader {
		var part string
		if i := strings.IndexByte(header, ';'); i >= 0 {
			part, header = header[:i], header[i+1:]
		} else {
			part, header = header, ""
		}
		if p, ok := parsePair(part); ok {
			pairs = append(pairs, p)
		}
	}
	return pairs
}

// MaxCookiesPerHeader is the most cookies ParseCookie, ParseLegacyCookie and
// ParseSetCookie2 return from one header. User agents keep 50 cookies per
// domain at least and 3000 in all (RFC 6265bis section 6.1), and send a
// site no more than those; a header with more is hostile, and each cookie
// parsed costs many times its octets in the header.
const MaxCookiesPerHeader = 3000

// maxPreallocPairs bounds the capacity ParseCookie reserves before it knows
// how many pieces are cookie-pairs; more pairs grow the slice by append.
const maxPreallocPairs = 32

// parsePair reads one cookie-pair by the rules listed on ParseCookie.
func parsePair(part string) (Pair, bool) {
	i := strings.IndexByte(part, '=')
	if i < 0 {
		return Pair{}, false
	}
	name, value := trimWSP(part[:i]), trimWSP(part[i+1:])
	if !isToken(name) {
		return Pair{}, false
	}
	quoted := false
	if len(value) >= 2 && value[0] == '"' && value[len(value)-1] == '"' {
		value, quoted = value[1:len(value)-1], true
	}
	for j := 0; j < len(value); j++ {
		if !isCookieOctet(value[j]) {
			return Pair{}, false
		}
	}
	return Pair{Name: name, Value: value, Quoted: quoted}, true
}

// FormatCookie writes pairs as a Cookie header field value, "name=value"
// joined by "; " (RFC 6265bis section 4.2.1), a Quoted value wrapped in
// DQUOTEs. Pairs that ParseCookie would skip (a name that is not a token, a
// value that is not *cookie-octet) are left out, so ParseCookie of the result
// returns exactly the pairs written (the first MaxCookiesPerHeader of them).
func FormatCookie(pairs []Pair) string {
	var b strings.Builder
	for _, p := range pairs {
		if !validPair(p) {
			continue
		}
		if b.Len() > 0 {
			b.WriteString("; ")
		}
		b.WriteString(p.Name)
		b.WriteByte('=')
		if p.Quoted {
			b.WriteByte('"')
			b.WriteString(p.Value)
			b.WriteByte('"')
		} else {
			b.WriteString(p.Value)
		}
	}
	return b.String()
}

// validPair reports whether p can be written so that ParseCookie reads it back.
func validPair(p Pair) bool {
	if !isToken(p.Name) {
		return false
	}
	for i := 0; i < len(p.Value); i++ {
		if !isCookieOctet(p.Value[i]) {
			return false
		}
	}
	return true
}
