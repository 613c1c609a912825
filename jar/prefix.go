package jar

import "strings"

// Cookie name prefixes, RFC 6265bis (draft-ietf-httpbis-rfc6265bis)
// sections 4.1.3 and 5.4, enforced by the storage model's steps 20 to 22.
// User agents match the prefixes case-insensitively (section 5.4).

// hasPrefixFold reports whether s begins with prefix, ignoring ASCII case.
func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// checkPrefixes applies RFC 6265bis section 5.7 steps 20-22 to a cookie
// about to be stored. pathAttr is the Path attribute as received ("" if
// absent).
func checkPrefixes(name, value string, secure, hostOnly bool, pathAttr, path string) error {
	// Step 20: "__Secure-" requires the secure-only-flag.
	if hasPrefixFold(name, "__Secure-") && !secure {
		return errSecurePrefix
	}
	// Step 21: "__Host-" requires secure-only, host-only and an explicit
	// Path of "/".
	if hasPrefixFold(name, "__Host-") && (!secure || !hostOnly || pathAttr == "" || path != "/") {
		return errHostPrefix
	}
	// Step 22: a nameless cookie must not look like a prefixed one (it
	// would be sent as "__Host-x=y" and read by servers as that name).
	if name == "" && (hasPrefixFold(value, "__Secure-") || hasPrefixFold(value, "__Host-")) {
		return errNamelessPrefix
	}
	return nil
}

// checkEntryPrefixes applies RFC 6265bis section 5.7 steps 20-22 to an
// entry added without a Set-Cookie header (Add, Import): the rules hold for
// every cookie in the store, however it got there, as they do in a
// browser, which drops a stored cookie that breaks them when it loads its
// cookie database. An entry has no attribute list; its Path counts as the
// explicit Path attribute step 21 asks for, and its HostOnly as the
// host-only-flag.
func checkEntryPrefixes(e *Entry) error {
	return checkPrefixes(e.Name, e.Value, e.Secure, e.HostOnly, e.Path, e.Path)
}
