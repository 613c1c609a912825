package cookie

import "time"

// SameSite is the value of a cookie's SameSite attribute (RFC 6265bis section 5.6.7).
type SameSite int

const (
	// SameSiteDefault means the attribute was absent or its value unrecognised
	// ("enforcement mode default" in RFC 6265bis section 5.6.7).
	SameSiteDefault SameSite = iota
	// SameSiteNone is "SameSite=None".
	SameSiteNone
	// SameSiteLax is "SameSite=Lax".
	SameSiteLax
	// SameSiteStrict is "SameSite=Strict".
	SameSiteStrict
)

// Cookie is one cookie with every attribute the wire formats carry.
//
// A Cookie returned by a parser holds the attributes exactly as the user-agent
// algorithm retained them: a field at its zero value means the attribute was
// absent or ignored. The zero Cookie is a nameless, valueless cookie without
// attributes.
//
// The fields are ordered to pack the struct (the flags last), which keeps the
// one allocation of ParseSetCookie small.
type Cookie struct {
	Name  string
	Value string

	// Expires is the Expires attribute; the zero Time means absent.
	Expires time.Time
	// MaxAge is the Max-Age attribute in seconds, meaningful when HasMaxAge is
	// set; zero or negative means "expire now" (RFC 6265bis section 5.6.2).
	MaxAge int64
	// Domain is the Domain attribute, lower-cased, with a leading dot removed;
	// "" means absent (RFC 6265bis section 5.6.3). The RFC 2965 parsers
	// keep it as sent, leading dot and case included (ParseLegacyCookie
	// does so for a "$Version=0" cookie too, whose Version is 0).
	Domain string
	// Path is the Path attribute; "" means absent or not starting with "/"
	// (RFC 6265bis section 5.6.4). The RFC 2965 parsers keep it as sent.
	Path string
	// SameSite is the SameSite attribute (RFC 6265bis section 5.6.7).
	SameSite SameSite

	// RFC 2965 attributes, set only by the Set-Cookie2 and legacy Cookie
	// parsers and used only by their writers.

	// Version is the RFC 2965 Version attribute; 0 means a RFC 6265 cookie.
	Version int
	// Comment and CommentURL describe the cookie to the user (RFC 2965
	// section 3.2.2).
	Comment    string
	CommentURL string
	// Port is the RFC 2965 Port list. PortSet with an empty Port means the
	// attribute was given without a value (the request port applies).
	Port []int

	// HasMaxAge reports that the Max-Age attribute was present and valid.
	HasMaxAge bool
	// Secure is the Secure attribute (RFC 6265bis section 5.6.5).
	Secure bool
	// HttpOnly is the HttpOnly attribute (RFC 6265bis section 5.6.6).
	HttpOnly bool
	// Partitioned is the Partitioned attribute of CHIPS
	// (draft-cutler-httpbis-partitioned-cookies).
	Partitioned bool
	// Discard makes the cookie a session cookie (RFC 2965 section 3.2.2).
	Discard bool
	// PortSet reports that the RFC 2965 Port attribute was present.
	PortSet bool
}
