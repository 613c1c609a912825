package cookie

// This file reads and writes the legacy cookie headers of RFC 2965 (HTTP State
// Management Mechanism, October 2000, obsoleted by RFC 6265): the Set-Cookie2
// response header (section 3.2.2) and the $Version-style Cookie request header
// (section 3.3.4).

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// av2965 is one attribute-value pair of an RFC 2965 header.
type av2965 struct {
	name   string
	value  string
	hasEq  bool // the pair had '='
	quoted bool // the value was a quoted-string
}

// next2965 reads one av-pair from s: attr [ "=" value ], value = token |
// quoted-string (RFC 2965 section 3.1, with RFC 2616's quoted-string and its
// quoted-pair). An unquoted value runs to the next ';' or ',' and is trimmed
// of SP and HTAB (trimLWS). It returns the rest after the separator and the separator
// (';', ',' or 0 at the end). After an error the rest is "" for an
// unterminated quoted-string, and what follows the next separator for text
// after a closing quote or a control character in the value (the pair is
// then to be dropped).
//
// A value holds no CTL but HTAB: token excludes CTLs, and so do qdtext and
// quoted-pair (RFC 2616 section 2.2 as RFC 9110 section 5.6.4 states them);
// the writers refuse them too.
//
// When attr is set (s is a set-cookie-av, not the NAME=VALUE of a cookie) the
// unquoted value of an Expires attribute also takes the ',' after a weekday
// ("Expires=Wed, 09 Jun 2021 10:18:14 GMT"): RFC 2965 has no Expires and
// ignores it (section 3.3.1), but servers send the Netscape one, whose comma
// would otherwise end the cookie and start a bogus one.
func next2965(s string, attr bool) (av av2965, rest string, sep byte, err error) {
	i := 0
	for i < len(s) && s[i] != '=' && s[i] != ';' && s[i] != ',' {
		i++
	}
	av.name = trimLWS(s[:i])
	if i < len(s) && s[i] == '=' {
		av.hasEq = true
		s = trimLeftLWS(s[i+1:])
		if s != "" && s[0] == '"' {
			v, n, ok := unquote(s)
			if !ok {
				return av, "", 0, errUnterminated
			}
			av.value, av.quoted = v, true
			if indexCTL(s[:n]) >= 0 {
				err = errValueCTL
			}
			s = trimLeftLWS(s[n:])
			if s != "" && s[0] != ';' && s[0] != ',' {
				// Skip to the next separator: the pair is bad, the
				// rest of the header may not be.
				err := errAfterQuote
				if j := strings.IndexAny(s, ";,"); j >= 0 {
					return av, s[j+1:], s[j], err
				}
				return av, "", 0, err
			}
			i = 0
		} else {
			i = 0
			for i < len(s) && s[i] != ';' && s[i] != ',' {
				i++
			}
			if attr && i < len(s) && s[i] == ',' && equalFoldASCII(av.name, "expires") && isWeekdayComma(s[:i], s[i+1:]) {
				i++
				for i < len(s) && s[i] != ';' && s[i] != ',' {
					i++
				}
			}
			av.value = trimLWS(s[:i])
			if indexCTL(av.value) >= 0 {
				err = errValueCTL
			}
		}
	}
	if i < len(s) {
		return av, s[i+1:], s[i], err
	}
	return av, "", 0, err
}

// Errors of next2965, made once: a hostile header may hold a bad pair every
// few octets.
var (
	errUnterminated = fmt.Errorf("%w: unterminated quoted-string", ErrSyntax)
	errAfterQuote   = fmt.Errorf("%w: text after a quoted-string", ErrSyntax)
	errValueCTL     = fmt.Errorf("%w: control character in a value", ErrSyntax)
)

// maxErrors is the number of errors the RFC 2965 parsers report; further
// ones are only counted. A header of a megabyte can hold a malformed pair
// every two octets: their errors must not cost memory (or log lines) in
// proportion.
const maxErrors = 16

// errList collects the errors of one parse: the first maxErrors and a count
// of the others.
type errList struct {
	errs []error
	more int
	last error // the parse stopped early (tooMany)
}

// room reports whether another error is to be kept (then the caller builds
// it and calls add); otherwise it counts the error, which is not built.
func (l *errList) room() bool {
	if len(l.errs) < maxErrors {
		return true
	}
	l.more++
	return false
}

// add keeps err; call it only after room reported true.
func (l *errList) add(err error) { l.errs = append(l.errs, err) }

// tooMany records that the parse stopped at offset off, before a cookie
// beyond MaxCookiesPerHeader. The error is always kept (it says the result
// is incomplete), after the others.
func (l *errList) tooMany(off int) {
	l.last = fmt.Errorf("%w: more than %d cookies; the header from offset %d on was not read", ErrSyntax, MaxCookiesPerHeader, off)
}

// err joins the kept errors, followed by one giving the count of the others.
func (l *errList) err() error {
	if l.more > 0 {
		l.errs = append(l.errs, fmt.Errorf("%w: %d more errors not reported", ErrSyntax, l.more))
	}
	if l.last != nil {
		l.errs = append(l.errs, l.last)
	}
	return errors.Join(l.errs...)
}

// clip quotes s for an error message, cut to 32 octets: names and attribute
// values help find the fault, but an error must not grow with hostile input.
// Cookie values and bare words (a cookie value sent without a name) are
// never quoted in errors: they may be session identifiers.
func clip(s string) string {
	if len(s) > 32 {
		return fmt.Sprintf("%q...", s[:32])
	}
	return fmt.Sprintf("%q", s)
}

// isWeekdayComma reports whether before (the text before a ',') is a day
// name of 3 to 9 ASCII letters ("Wed", "Wednesday") and after (the text after
// it) begins with a digit and has no '=' before the next ';' or ',': the
// comma of an RFC 1123 or RFC 850 date. A list element with '=' is the
// NAME=VALUE of the next cookie (RFC 2965 section 3.2.2: cookies = 1#cookie,
// each beginning NAME "=" VALUE), and a NAME may be all digits, so
// "Expires=Mon, 1=x" ends the cookie; a date never holds '='.
func isWeekdayComma(before, after string) bool {
	before, after = trimLWS(before), trimLeftLWS(after)
	if len(before) < 3 || len(before) > 9 || after == "" || !isDigit(after[0]) {
		return false
	}
	if end := strings.IndexAny(after, ";,"); end >= 0 {
		after = after[:end]
	}
	if strings.IndexByte(after, '=') >= 0 {
		return false
	}
	for i := 0; i < len(before); i++ {
		if c := lower(before[i]); c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

// unquote reads the quoted-string at the start of s (s[0] == '"'), resolving
// quoted-pairs, and returns its content and length.
func unquote(s string) (string, int, bool) {
	escaped := false
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			escaped = true
			i++
		case '"':
			if !escaped {
				return s[1:i], i + 1, true
			}
			var b strings.Builder
			for j := 1; j < i; j++ {
				if s[j] == '\\' {
					j++
				}
				b.WriteByte(s[j])
			}
			return b.String(), i + 1, true
		}
	}
	return "", 0, false
}

// quote writes v as a quoted-string, escaping '"' and '\' as quoted-pairs. It
// reports false when v holds a CTL other than HTAB, which TEXT excludes
// (RFC 2616 section 2.2).
func quote(b *strings.Builder, v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; (c < 0x20 && c != '\t') || c == 0x7F {
			return false
		}
	}
	b.WriteByte('"')
	for i := 0; i < len(v); i++ {
		if v[i] == '"' || v[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(v[i])
	}
	b.WriteByte('"')
	return true
}

// trimLWS trims the LWS of RFC 2616 section 2.2 around s. In a field value
// an HTTP parser hands over, that is SP and HTAB only: a conforming parser has
// replaced each line folding (CRLF followed by SP or HTAB) by SP (RFC 9112
// section 5.2). A CR or LF left in the value is a CTL, which token, qdtext
// and quoted-pair exclude: trimming it would accept "a\r=x" as cookie "a".
func trimLWS(s string) string { return strings.Trim(s, " \t") }

// trimLeftLWS is trimLWS on the left only.
func trimLeftLWS(s string) string { return strings.TrimLeft(s, " \t") }

// parseDigits parses 1*DIGIT into a non-negative int no larger than max.
func parseDigits(s string, max int) (int, bool) {
	if s == "" || len(s) > 10 {
		return 0, false
	}
	v := 0
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return 0, false
		}
		v = v*10 + int(s[i]-'0')
	}
	return v, v <= max
}

// parsePortList parses portlist = 1#portnum, portnum = 1*DIGIT (RFC 2965
// section 3.2.2), allowing the empty elements and whitespace of the #rule.
func parsePortList(s string) ([]int, error) {
	var ports []int
	for _, p := range strings.Split(s, ",") {
		p = trimLWS(p)
		if p == "" {
			continue
		}
		n, ok := parseDigits(p, 65535)
		if !ok || n == 0 {
			return nil, fmt.Errorf("%w: port %s", ErrSyntax, clip(p))
		}
		ports = append(ports, n)
	}
	if len(ports) == 0 {
		return nil, fmt.Errorf("%w: empty port list", ErrSyntax)
	}
	return ports, nil
}

// Bits of the attributes already seen, for RFC 2965 section 3.2.2: "If an
// attribute appears more than once in a cookie, the client SHALL use only the
// value associated with the first appearance of the attribute".
const (
	seenComment = 1 << iota
	seenCommentURL
	seenDiscard
	seenDomain
	seenMaxAge
	seenPath
	seenPort
	seenSecure
	seenVersion
)

// ParseSetCookie2 parses an RFC 2965 Set-Cookie2 field value (section 3.2.2):
//
//	cookies       = 1#cookie
//	cookie        = NAME "=" VALUE *(";" set-cookie-av)
//	set-cookie-av = "Comment" "=" value | "CommentURL" "=" <"> http_URL <">
//	              | "Discard" | "Domain" "=" value | "Max-Age" "=" value
//	              | "Path" "=" value | "Port" [ "=" <"> portlist <"> ]
//	              | "Secure" | "Version" "=" 1*DIGIT
//
// A value is a token or a quoted-string; commas inside quoted-strings (such
// as a Port list) do not separate cookies, nor does the comma after the
// weekday of an unquoted Netscape Expires date ("Expires=Wed, 09 Jun 2021
// 10:18:14 GMT"), an attribute RFC 2965 does not define and ignores (a comma
// followed by text with '=', "Expires=Mon, 1=x", still starts a cookie). Attribute names are
// case-insensitive, unknown attributes are ignored (section 3.3.1), and a
// repeated attribute keeps its first value (section 3.2.2). A bare Port=80 is
// accepted. Domain and Path are kept as sent: supplying the leading dot of a
// Domain (section 3.2.2) and the defaults of section 3.3.1 is the jar's work.
// Version is required (section 3.3.2) and must be at least 1.
//
// It returns every well-formed cookie, in order, and an error wrapping
// ErrSyntax that joins the reasons the others were dropped (a missing '=' or
// Version, a NAME that is not a token or begins with '$', a bad Max-Age,
// Port or Version, text after a closing quote, a control character other
// than HTAB in a value; an unterminated quoted-string ends the parse). The errors give offsets into line and, like
// ParseLegacyCookie's, never quote a cookie value and quote names only up to
// 32 octets. Only the first 16 reasons are given, then the number of the
// others, so that the error of a hostile line stays small. At most
// MaxCookiesPerHeader cookies are returned: the parse stops before the next
// one, with an error saying where.
func ParseSetCookie2(line string) ([]*Cookie, error) {
	var (
		cookies []*Cookie
		errs    errList
		cur     *Cookie
		seen    int
		bad     bool // the current cookie is dropped; skip to the next ','
		started bool // an element of the cookie list has begun
	)
	finish := func() {
		if cur != nil && !bad {
			if seen&seenVersion == 0 { // section 3.3.2: rejected without Version
				if errs.room() {
					errs.add(fmt.Errorf("%w: cookie %s has no Version attribute", ErrSyntax, clip(cur.Name)))
				}
			} else {
				cookies = append(cookies, cur)
			}
		}
		cur, seen, bad, started = nil, 0, false, false
	}
	full := func() bool { return len(cookies) >= MaxCookiesPerHeader }
	// fail drops the current cookie and reports whether to build its error.
	fail := func() bool {
		bad = true
		return errs.room()
	}
parse:
	for rest := line; rest != ""; {
		off := len(line) - len(rest)
		av, r, sep, err := next2965(rest, started)
		rest = r
		if err != nil {
			if fail() {
				errs.add(fmt.Errorf("%w in the pair at offset %d", err, off))
			}
			started = true
			if sep != ';' {
				finish()
			}
			continue
		}
		switch {
		case bad:
			// Skip the remaining attributes of a dropped cookie.
		case !started:
			if av.name == "" && !av.hasEq {
				break // an empty list element, allowed by the #rule
			}
			if full() {
				errs.tooMany(off)
				break parse
			}
			started = true
			switch {
			case !av.hasEq:
				if fail() {
					errs.add(fmt.Errorf("%w: the cookie at offset %d lacks '='", ErrSyntax, off))
				}
			case !isToken(av.name) || av.name[0] == '$':
				if fail() {
					errs.add(fmt.Errorf("%w: cookie name %s at offset %d is not a token or begins with '$'", ErrSyntax, clip(av.name), off))
				}
			default:
				cur = &Cookie{Name: av.name, Value: av.value}
			}
		default:
			if err := cur.setAttribute2965(av, &seen); err != nil && fail() {
				errs.add(err)
			}
		}
		if sep != ';' {
			finish()
		}
	}
	finish()
	return cookies, errs.err()
}

// setAttribute2965 applies one set-cookie-av of RFC 2965 section 3.2.2,
// keeping the first occurrence of each attribute.
func (c *Cookie) setAttribute2965(av av2965, seen *int) error {
	bit := 0
	switch {
	case equalFoldASCII(av.name, "comment"):
		bit = seenComment
	case equalFoldASCII(av.name, "commenturl"):
		bit = seenCommentURL
	case equalFoldASCII(av.name, "discard"):
		bit = seenDiscard
	case equalFoldASCII(av.name, "domain"):
		bit = seenDomain
	case equalFoldASCII(av.name, "max-age"):
		bit = seenMaxAge
	case equalFoldASCII(av.name, "path"):
		bit = seenPath
	case equalFoldASCII(av.name, "port"):
		bit = seenPort
	case equalFoldASCII(av.name, "secure"):
		bit = seenSecure
	case equalFoldASCII(av.name, "version"):
		bit = seenVersion
	default:
		return nil // section 3.3.1: unrecognised attributes are ignored
	}
	if *seen&bit != 0 {
		return nil
	}
	*seen |= bit
	switch bit {
	case seenComment:
		c.Comment = av.value
	case seenCommentURL:
		c.CommentURL = av.value
	case seenDiscard:
		c.Discard = true
	case seenDomain:
		c.Domain = av.value
	case seenMaxAge:
		// Max-Age=delta-seconds, 1*DIGIT of any size (RFC 2965 section
		// 3.2.2): no sign; values past int64 saturate, as in ParseSetCookie.
		v, ok := parseMaxAge(av.value)
		if !ok || av.value[0] == '-' {
			return fmt.Errorf("%w: cookie %s: Max-Age %s", ErrSyntax, clip(c.Name), clip(av.value))
		}
		c.MaxAge, c.HasMaxAge = v, true
	case seenPath:
		c.Path = av.value
	case seenPort:
		c.PortSet = true
		if av.hasEq {
			ports, err := parsePortList(av.value)
			if err != nil {
				return fmt.Errorf("cookie %s: %w", clip(c.Name), err)
			}
			c.Port = ports
		}
	case seenSecure:
		c.Secure = true
	case seenVersion:
		v, ok := parseDigits(av.value, maxInt32)
		if !ok || v < 1 {
			return fmt.Errorf("%w: cookie %s: Version %s", ErrSyntax, clip(c.Name), clip(av.value))
		}
		c.Version = v
	}
	return nil
}

// maxInt32 bounds the numbers the RFC 2965 parsers accept.
const maxInt32 = 1<<31 - 1

// FormatSetCookie2 writes c as an RFC 2965 Set-Cookie2 field value (section
// 3.2.2), every value but Discard, Secure and a bare Port as a quoted-string:
//
//	name="value"; Version="1"; Comment="..."; CommentURL="..."; Discard;
//	Domain="..."; Max-Age="N"; Path="..."; Port="80,443"; Secure
//
// Empty Comment, CommentURL, Domain and Path are left out; Max-Age is written
// when HasMaxAge; Port when PortSet (bare when Port is empty). A Version below
// 1 is written as 1, the version RFC 2965 defines. Errors: a name that is not
// a token or begins with '$' (ErrInvalidName), a Version over 2^31-1 (which
// ParseSetCookie2 refuses), a negative Max-Age or a port outside 1 to 65535
// (ErrInvalidAttribute), a CTL in a quoted value
// (ErrInvalidValue, ErrInvalidAttribute).
func FormatSetCookie2(c *Cookie) (string, error) {
	if !isToken(c.Name) || c.Name[0] == '$' {
		return "", fmt.Errorf("%w: %q is not a token or begins with '$'", ErrInvalidName, c.Name)
	}
	if c.Version > maxInt32 { // ParseSetCookie2 would refuse the cookie
		return "", fmt.Errorf("%w: cookie %q: Version %d", ErrInvalidAttribute, c.Name, c.Version)
	}
	if c.HasMaxAge && c.MaxAge < 0 {
		return "", fmt.Errorf("%w: cookie %q: negative Max-Age %d", ErrInvalidAttribute, c.Name, c.MaxAge)
	}
	for _, p := range c.Port {
		if p < 1 || p > 65535 {
			return "", fmt.Errorf("%w: cookie %q: port %d", ErrInvalidAttribute, c.Name, p)
		}
	}
	var b strings.Builder
	b.WriteString(c.Name)
	b.WriteByte('=')
	if !quote(&b, c.Value) { // the error does not quote the value: it may be a session ID
		return "", fmt.Errorf("%w: the value of cookie %q has a control character", ErrInvalidValue, c.Name)
	}
	b.WriteString("; Version=\"")
	b.WriteString(strconv.Itoa(max(c.Version, 1)))
	b.WriteByte('"')
	for _, a := range [...]struct{ name, value string }{
		{"Comment", c.Comment}, {"CommentURL", c.CommentURL},
	} {
		if a.value == "" {
			continue
		}
		b.WriteString("; " + a.name + "=")
		if !quote(&b, a.value) {
			return "", fmt.Errorf("%w: cookie %q: %s has a control character", ErrInvalidAttribute, c.Name, a.name)
		}
	}
	if c.Discard {
		b.WriteString("; Discard")
	}
	if c.Domain != "" {
		b.WriteString("; Domain=")
		if !quote(&b, c.Domain) {
			return "", fmt.Errorf("%w: cookie %q: Domain %q", ErrInvalidDomain, c.Name, c.Domain)
		}
	}
	if c.HasMaxAge {
		b.WriteString("; Max-Age=\"")
		b.WriteString(strconv.FormatInt(c.MaxAge, 10))
		b.WriteByte('"')
	}
	if c.Path != "" {
		b.WriteString("; Path=")
		if !quote(&b, c.Path) {
			return "", fmt.Errorf("%w: cookie %q: Path %q", ErrInvalidPath, c.Name, c.Path)
		}
	}
	if c.PortSet {
		b.WriteString("; Port")
		writePortList(&b, c.Port)
	}
	if c.Secure {
		b.WriteString("; Secure")
	}
	return b.String(), nil
}

// writePortList writes ="p1,p2" for a non-empty list.
func writePortList(b *strings.Builder, ports []int) {
	if len(ports) == 0 {
		return
	}
	b.WriteString("=\"")
	for i, p := range ports {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(p))
	}
	b.WriteByte('"')
}

// ParseLegacyCookie parses an RFC 2965 Cookie request header (section 3.3.4):
//
//	cookie       = "Cookie:" cookie-version 1*((";" | ",") cookie-value)
//	cookie-value = NAME "=" VALUE [";" path] [";" domain] [";" port]
//	cookie-version = "$Version" "=" value
//	path = "$Path" "=" value;  domain = "$Domain" "=" value
//	port = "$Port" [ "=" <"> value <"> ]
//
// Each returned Cookie carries Version from $Version and the Path, Domain
// and Port (PortSet when $Port is present, Port when it has a list) that
// follow it; values are unquoted. A $Version of 0 is accepted: RFC 2109-era
// clients send it before Netscape cookies, and Version 0 marks these as
// RFC 6265-style cookies (FormatLegacyCookie writes them under
// $Version="1"). ';' and ',' both separate pairs (section 3.3.4: servers
// SHOULD accept ',' too). Other $-names are ignored; a repeated $Path,
// $Domain or $Port keeps the first. A header not starting with a numeric
// $Version is an error (nil cookies); a NAME that is not a token, a pair
// without '=', a $-attribute before any cookie, a bad $Port list, text
// after a closing quote or a control character other than HTAB in a value
// drops that pair (a cookie with its attributes, which then report no error
// of their own) with an error wrapping ErrSyntax, and the well-formed
// cookies are still returned; an unterminated quoted-string ends the parse.
// Errors give the offset of the faulty pair and never quote a cookie value,
// which may be a session identifier; names are quoted up to 32 octets. As
// with ParseSetCookie2, only the first 16 errors are given, then the number
// of the others, and at most MaxCookiesPerHeader cookies are returned (the
// parse stops before the next one, with an error saying where).
func ParseLegacyCookie(header string) ([]*Cookie, error) {
	av, rest, _, err := next2965(header, false)
	if err != nil {
		return nil, fmt.Errorf("%w in the pair at offset 0", err)
	}
	if !equalFoldASCII(av.name, "$version") || !av.hasEq {
		return nil, fmt.Errorf("%w: Cookie header does not begin with $Version", ErrSyntax)
	}
	version, ok := parseDigits(av.value, maxInt32)
	if !ok {
		return nil, fmt.Errorf("%w: $Version %s", ErrSyntax, clip(av.value))
	}
	var (
		cookies []*Cookie
		errs    errList
		cur     *Cookie
		seen    int
		dropped bool // the last cookie-value was dropped: skip its $-attributes
	)
	for rest != "" {
		off := len(header) - len(rest)
		av, rest, _, err = next2965(rest, false)
		if err != nil {
			attr := av.name != "" && av.name[0] == '$'
			// A malformed attribute of a dropped cookie goes with it,
			// without an error of its own; but an unterminated
			// quoted-string ends the parse, which the caller must learn
			// (the cookies after it are lost).
			if !(attr && cur == nil && dropped && !errors.Is(err, errUnterminated)) && errs.room() {
				errs.add(fmt.Errorf("%w in the pair at offset %d", err, off))
			}
			if !attr {
				cur, seen, dropped = nil, 0, true // a cookie-value: drop the cookie with its attributes
			}
			continue
		}
		if av.name == "" && !av.hasEq {
			continue // empty element
		}
		if av.name == "" || av.name[0] != '$' {
			cur, seen, dropped = nil, 0, true
			switch {
			case !av.hasEq:
				if errs.room() {
					errs.add(fmt.Errorf("%w: the cookie at offset %d lacks '='", ErrSyntax, off))
				}
			case !isToken(av.name):
				if errs.room() {
					errs.add(fmt.Errorf("%w: cookie name %s at offset %d is not a token", ErrSyntax, clip(av.name), off))
				}
			case len(cookies) >= MaxCookiesPerHeader:
				errs.tooMany(off)
				return cookies, errs.err()
			default:
				cur, dropped = &Cookie{Name: av.name, Value: av.value, Version: version}, false
				cookies = append(cookies, cur)
			}
			continue
		}
		bit := 0
		switch {
		case equalFoldASCII(av.name, "$path"):
			bit = seenPath
		case equalFoldASCII(av.name, "$domain"):
			bit = seenDomain
		case equalFoldASCII(av.name, "$port"):
			bit = seenPort
		default:
			continue // other $-attributes are reserved; ignore them
		}
		if cur == nil {
			if dropped {
				continue // its cookie was dropped with an error already
			}
			if errs.room() {
				errs.add(fmt.Errorf("%w: %s at offset %d without a cookie", ErrSyntax, clip(av.name), off))
			}
			continue
		}
		if seen&bit != 0 {
			continue
		}
		seen |= bit
		switch bit {
		case seenPath:
			cur.Path = av.value
		case seenDomain:
			cur.Domain = av.value
		case seenPort:
			cur.PortSet = true
			if av.hasEq {
				ports, err := parsePortList(av.value)
				if err != nil {
					if errs.room() {
						errs.add(fmt.Errorf("cookie %s: %w", clip(cur.Name), err))
					}
					cur.PortSet = false
					continue
				}
				cur.Port = ports
			}
		}
	}
	return cookies, errs.err()
}

// FormatLegacyCookie writes cs as an RFC 2965 Cookie request header value
// (section 3.3.4), every value quoted:
//
//	$Version="1"; name="value"; $Path="/"; $Domain=".x"; $Port="80"
//
// $Version is the first cookie's Version (1 when below 1 or over 2^31-1,
// which ParseLegacyCookie refuses). $Path, $Domain and
// $Port follow a cookie only when it has them (non-empty Path and Domain,
// PortSet; a bare $Port when Port is empty): section 3.3.4 has them mirror
// the attributes of the Set-Cookie2 header, and omitted when it had none.
// A port list is written without spaces. Cookies that cannot be written (a name that is not a token
// or begins with '$', a CTL in a value, a port out of range) are left out.
// With no writable cookie the result is just the $Version pair.
func FormatLegacyCookie(cs []*Cookie) string {
	version := 1
	if len(cs) > 0 && cs[0].Version > 1 && cs[0].Version <= maxInt32 {
		version = cs[0].Version
	}
	var b strings.Builder
	b.WriteString("$Version=\"")
	b.WriteString(strconv.Itoa(version))
	b.WriteByte('"')
	var one strings.Builder
	for _, c := range cs {
		one.Reset()
		if writeLegacyCookie(&one, c) {
			b.WriteString(one.String())
		}
	}
	return b.String()
}

// writeLegacyCookie writes "; name=value[; $Path=..][; $Domain=..][; $Port..]"
// and reports whether c could be written.
func writeLegacyCookie(b *strings.Builder, c *Cookie) bool {
	if !isToken(c.Name) || c.Name[0] == '$' {
		return false
	}
	for _, p := range c.Port {
		if p < 1 || p > 65535 {
			return false
		}
	}
	b.WriteString("; ")
	b.WriteString(c.Name)
	b.WriteByte('=')
	if !quote(b, c.Value) {
		return false
	}
	if c.Path != "" {
		b.WriteString("; $Path=")
		if !quote(b, c.Path) {
			return false
		}
	}
	if c.Domain != "" {
		b.WriteString("; $Domain=")
		if !quote(b, c.Domain) {
			return false
		}
	}
	if c.PortSet {
		b.WriteString("; $Port")
		writePortList(b, c.Port)
	}
	return true
}
