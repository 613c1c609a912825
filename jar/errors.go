package jar

import (
	"errors"
	"fmt"
)

// ErrSyntax is matched (with errors.Is) by every error reading a cookie
// file that is malformed, as opposed to an I/O failure.
var ErrSyntax = errors.New("jar: malformed cookie file")

// ErrPrefix is matched (with errors.Is) by the error for a cookie that
// breaks a cookie name prefix rule, RFC 6265bis section 5.4 and section 5.7
// steps 20 to 22: a "__Secure-" name without Secure, a "__Host-" name
// without Secure, host-only and Path "/", or a nameless cookie whose value
// starts with either prefix. The storage model ignores such a cookie; Add
// refuses it and Import leaves it out (see ImportReport).
var ErrPrefix = errors.New("jar: cookie name prefix rule not met")

// ErrTooLarge is matched (with errors.Is) by the error for a cookie whose
// name and value together exceed Limits.MaxCookieBytes (RFC 6265bis section
// 5.7 step 4): the storage model ignores such a cookie; Add refuses it and
// Import leaves it out (see ImportReport).
var ErrTooLarge = errors.New("jar: cookie name and value exceed the size limit")

// errFakeALabel is matched by the error for a cookie whose Domain has a
// Fake A-label (RFC 6265bis section 5.1.2 step 4), a host no browser
// sends cookies to. The jar stored cookies for such hosts before it
// checked A-labels, so Import leaves them out of a file rather than
// failing it; the exported readers report them as a *ParseError.
var errFakeALabel = errors.New("jar: host name with a Fake A-label (an xn-- label that is not a valid A-label)")

// errColonHost is matched by the error for a cookie whose Domain holds a
// ':' but is no IPv6 address ("example.com:8080", a host with its port),
// a host no request has. The jar took such names for hosts before it
// canonicalized IPv6 addresses, so, as for errFakeALabel, Import leaves
// them out of a file rather than failing it.
var errColonHost = errors.New("jar: host name with a ':' that is no IPv6 address")

// errPortRange is matched by the error for a cookie whose RFC 2965 Port
// list holds a number outside 1-65535. The jar stored a bare Port set on a
// URL with port 0 (or more than 65535, which url.Parse takes) that way
// before it refused such cookies, so, as for errFakeALabel, Import leaves
// them out of a file rather than failing it.
var errPortRange = errors.New("jar: RFC 2965 port out of range")

// errUnsendable is matched by the error for a cookie whose name holds a
// '=' or ';', whose value holds a ';' (an RFC 6265 one; an RFC 2965 value
// may, see checkEntry) or either a control character: no Set-Cookie header
// can create it (RFC 6265bis section 5.6) and no Cookie header can carry it
// (section 5.8.3 step 6: the ';' would end the pair and add another
// cookie). curl loads and writes such cookies.txt lines, so, as for
// errFakeALabel, Import leaves them out of a file rather than failing it.
var errUnsendable = errors.New("jar: cookie name or value that no Cookie header can carry")

// refusedHost reports whether err is a well-formed file cookie the jar
// refuses (errFakeALabel, errColonHost, errPortRange, errUnsendable, or
// ErrTooLarge past the 4096 octets no Limits.MaxCookieBytes exceeds), one
// it, curl or a hand edit may have written: Import skips it.
func refusedHost(err error) bool {
	return errors.Is(err, errFakeALabel) || errors.Is(err, errColonHost) || errors.Is(err, errPortRange) ||
		errors.Is(err, errUnsendable) || errors.Is(err, ErrTooLarge)
}

// ParseError is the error reading a cookie file returns for a malformed
// line or JSON value. It matches ErrSyntax.
type ParseError struct {
	// Format is the file format being read.
	Format Format
	// Line is the 1-based line number the problem is on.
	Line int
	// Err describes the problem.
	Err error
}

// Error implements error.
func (e *ParseError) Error() string {
	return fmt.Sprintf("jar: %s line %d: %v", e.Format, e.Line, e.Err)
}

// Unwrap returns the underlying problem.
func (e *ParseError) Unwrap() error { return e.Err }

// Is makes a ParseError match ErrSyntax.
func (e *ParseError) Is(target error) bool { return target == ErrSyntax }
