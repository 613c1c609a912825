package cookie

// NeedsSecure reports whether user agents accept a cookie named name only
// with the Secure attribute: its name starts with "__Secure-" or "__Host-",
// matched case-insensitively as user agents do (RFC 6265bis section 5.4;
// steps 20 and 21 of the storage model, section 5.7). FormatSetCookie
// refuses such a cookie without Secure (section 4.1.3); a server that
// names its cookie this way must therefore set Secure on every connection.
func NeedsSecure(name string) bool {
	return hasPrefixFold(name, "__secure-") || hasPrefixFold(name, "__host-")
}
