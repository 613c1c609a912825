// Package cookie parses and writes the HTTP cookie wire formats: Set-Cookie and
// Cookie as specified by RFC 6265bis (draft-ietf-httpbis-rfc6265bis, the text in
// the project's shared/specs), and the legacy Set-Cookie2 and $Version-style
// Cookie headers of RFC 2965.
//
// The package is pure: it does no I/O and never reads the clock. Functions that
// need the current time take it as an argument. It is safe for concurrent use:
// it has no state.
//
// # Parsing as a user agent
//
// [ParseSetCookie] is the lenient algorithm of RFC 6265bis section 5.6 that
// browsers apply to a Set-Cookie line. It keeps what a user agent keeps:
// malformed attributes are ignored one by one (an unparsable Expires, a
// Max-Age that is not an integer, any attribute value over 1024 octets),
// unknown attributes are ignored, attribute names match case-insensitively and
// the last occurrence of an attribute wins. A Path that is empty or does not
// begin with '/' is not ignored: it stands for the default-path (section
// 5.6.4), so it leaves Path "" even after an earlier valid Path; an empty
// Domain likewise clears an earlier one (section 5.7 step 7). Only when a user agent must ignore the
// whole line does it return an error, and every such error satisfies
// errors.Is(err, [ErrIgnored]); the specific reason is one of
// [ErrControlCharacter], [ErrNameValueTooLong], [ErrEmptyCookie] and
// [ErrDomainNotASCII].
//
// [ParseDate] is the cookie-date algorithm of section 5.1.1, which reads the
// IMF-fixdate and the many historical date forms. [Cookie.ExpiryTime] turns
// Expires and Max-Age into the expiry-time of the storage model (section 5.7):
// Max-Age wins over Expires and both are capped at 400 days ([MaxLifetime],
// section 5.5).
//
// What depends on the request (domain matching, the default-path, secure
// origins, cookie name prefixes, public suffixes) is the cookie jar's work;
// see package github.com/httpstate/httpstate/jar.
//
// # Writing as a server
//
// [FormatSetCookie] is strict where the parser is lenient: it writes only
// what the server grammar of section 4.1 allows and refuses, with an error
// wrapping a sentinel such as [ErrInvalidName], [ErrInvalidValue] or
// [ErrPrefix], a cookie a user agent would reject or misread: a name that is
// not a token, a value outside cookie-octet, a "__Host-" cookie with a Domain,
// SameSite=None or Partitioned without Secure. Whatever FormatSetCookie writes,
// ParseSetCookie reads back to the same cookie, except that a negative Max-Age
// is written (and read back) as 0, Expires is written to the second and
// Domain in lower case; the fuzz targets FuzzParseSetCookie and
// FuzzFormatSetCookie check this round trip.
//
// A server reads the Cookie request header with [ParseCookie], which returns
// the cookie-pairs in order, duplicates included, and skips what is not a
// cookie-pair; [FormatCookie] writes pairs back.
//
// # Limits
//
// A name and value longer than [MaxNameValueLength] (4096) octets together
// make a user agent ignore the line; an attribute value longer than
// [MaxAttributeValueLength] (1024) octets is ignored (section 5.6). Lifetimes
// are capped at [MaxLifetime] (400 days, section 5.5). Max-Age values beyond
// the int64 range saturate. ParseSetCookie allocates only the returned Cookie
// (plus a lower-cased copy of the retained Domain when it had upper-case
// letters): Name, Value, Path and an already lower-case Domain share memory
// with the input line.
//
// # RFC 2965
//
// RFC 2965 (obsoleted by RFC 6265 in 2011) defined Set-Cookie2 and a Cookie
// header carrying $Version, $Path, $Domain and $Port. No current browser
// implements it, but some old servers and clients still speak it.
// [ParseSetCookie2] reads a Set-Cookie2 line, which may carry several
// comma-separated cookies with the attributes Comment, CommentURL, Discard,
// Domain, Max-Age, Path, Port, Secure and the required Version;
// [FormatSetCookie2] writes one. [ParseLegacyCookie] and [FormatLegacyCookie]
// read and write the matching Cookie request header. These cookies have a
// Version of at least 1; Version 0 marks an RFC 6265 cookie. The exception is
// a "$Version=0" Cookie header, which RFC 2109-era clients send before
// Netscape cookies: ParseLegacyCookie returns those with Version 0, as the
// RFC 6265-style cookies they are, rather than refusing the header and
// losing them.
package cookie
