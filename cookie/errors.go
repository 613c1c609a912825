package cookie

import "errors"

// ErrIgnored is matched (with errors.Is) by every error ParseSetCookie
// returns: each one means a user agent following RFC 6265bis must ignore the
// Set-Cookie line entirely. The specific reason is one of the ErrX sentinels
// below, which all wrap ErrIgnored.
var ErrIgnored = errors.New("cookie: Set-Cookie ignored")

// ignoredError is a sentinel that unwraps to ErrIgnored, so that
// errors.Is(err, ErrControlCharacter) and errors.Is(err, ErrIgnored) both hold.
type ignoredError struct{ msg string }

func (e *ignoredError) Error() string { return e.msg }
func (e *ignoredError) Unwrap() error { return ErrIgnored }

// Reasons a Set-Cookie line is ignored (RFC 6265bis sections 5.6 and 5.7).
// Each satisfies errors.Is(err, ErrIgnored).
var (
	// ErrControlCharacter: the line holds a %x00-08 / %x0A-1F / %x7F octet
	// (RFC 6265bis section 5.6, step 1; section 5.7 step 3).
	ErrControlCharacter error = &ignoredError{"cookie: control character in Set-Cookie"}
	// ErrNameValueTooLong: name and value together exceed 4096 octets
	// (RFC 6265bis section 5.6, step 5; section 5.7 step 4).
	ErrNameValueTooLong error = &ignoredError{"cookie: name and value longer than 4096 octets"}
	// ErrEmptyCookie: both the name and the value are empty
	// (RFC 6265bis section 5.7, step 2).
	ErrEmptyCookie error = &ignoredError{"cookie: empty name and empty value"}
	// ErrDomainNotASCII: the retained Domain attribute holds an octet outside
	// CHAR (%x01-7F) (RFC 6265bis section 5.7, step 8).
	ErrDomainNotASCII error = &ignoredError{"cookie: Domain attribute is not ASCII"}
)

// Errors of the writers (FormatSetCookie, FormatSetCookie2). Each is wrapped
// with the offending field.
var (
	// ErrInvalidName: the name is not an RFC 9110 token (RFC 6265bis section 4.1.1).
	ErrInvalidName = errors.New("cookie: invalid cookie name")
	// ErrInvalidValue: the value is not *cookie-octet, optionally in DQUOTEs
	// (RFC 6265bis section 4.1.1).
	ErrInvalidValue = errors.New("cookie: invalid cookie value")
	// ErrInvalidDomain: the Domain is not an RFC 1034 subdomain (RFC 6265bis section 4.1.1).
	ErrInvalidDomain = errors.New("cookie: invalid Domain attribute")
	// ErrInvalidPath: the Path holds a CTL or ';', or does not begin with '/'
	// (RFC 6265bis sections 4.1.1 and 5.6.4).
	ErrInvalidPath = errors.New("cookie: invalid Path attribute")
	// ErrInvalidExpires: the Expires time cannot be written as an IMF-fixdate
	// a user agent accepts (year 1601 to 9999; RFC 6265bis sections 4.1.1, 5.1.1).
	ErrInvalidExpires = errors.New("cookie: invalid Expires attribute")
	// ErrInvalidAttribute: another attribute cannot be written (a SameSite
	// value that is not one of the constants, a negative RFC 2965 Max-Age,
	// a port out of range, a CTL in a Comment, ...).
	ErrInvalidAttribute = errors.New("cookie: invalid attribute")
	// ErrPrefix: a "__Secure-" or "__Host-" name lacks the attributes the
	// prefix requires (RFC 6265bis sections 4.1.3 and 5.4).
	ErrPrefix = errors.New("cookie: cookie name prefix requirements not met")
	// ErrInsecureSameSiteNone: SameSite=None without Secure, which browsers reject.
	ErrInsecureSameSiteNone = errors.New("cookie: SameSite=None requires Secure")
	// ErrInsecurePartitioned: Partitioned without Secure, which the CHIPS
	// draft (draft-cutler-httpbis-partitioned-cookies) makes the user agent reject.
	ErrInsecurePartitioned = errors.New("cookie: Partitioned requires Secure")
)

// ErrInvalidDate is returned by ParseDate for a string that is not a
// cookie-date (RFC 6265bis section 5.1.1).
var ErrInvalidDate = errors.New("cookie: invalid cookie-date")

// ErrSyntax is returned (wrapped) by the RFC 2965 parsers for a malformed
// Set-Cookie2 or $Version-style Cookie header.
var ErrSyntax = errors.New("cookie: RFC 2965 syntax error")
