package session

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/httpstate/httpstate/cookie"
)

// isSecure reports whether the Manager treats r as an HTTPS request: it
// arrived over TLS, or the configuration says every request is HTTPS
// (CookieOptions.Secure, or a "__Host-" or "__Secure-" cookie name). It is
// the one predicate behind the cookie's name and Secure attribute, in both
// modes, and EncodeURL's refusal to put the ID in an http:// URL. No request
// header is trusted.
func (c *config) isSecure(r *http.Request) bool {
	return c.alwaysSecure || r.TLS != nil
}

// cookieName returns the session cookie's name for r: Options.Cookie.Name, or
// "__Host-sid" for a secure request (isSecure) and "sid" otherwise.
func (m *Manager) cookieName(r *http.Request) string {
	if m.c.Cookie.Name != "" {
		return m.c.Cookie.Name
	}
	if m.c.isSecure(r) {
		return "__Host-sid"
	}
	return "sid"
}

// cookieSlots receives, from one pass over a request's Cookie header lines
// (readCookies), the values of the cookies name (vals[0]) and, when vals
// has room for them, name.1 (vals[1]), name.2… (the chunks of a cookie-held
// session, see chunkName): the first maxTries values of each, in the order
// sent, n[i] of them. The arrays behind vals and n are the caller's (on its
// stack), so that reading a request's cookies allocates nothing.
type cookieSlots struct {
	name string
	vals [][maxTries]string
	n    []uint8
}

// index returns which of s's cookies k names (0 for s.name, i for
// chunkName(s.name, i)), or -1.
func (s *cookieSlots) index(k string) int {
	if len(k) < len(s.name) || k[:len(s.name)] != s.name {
		return -1
	}
	rest := k[len(s.name):]
	if rest == "" {
		return 0
	}
	// ".i", i from 1 with no leading zero, as chunkName spells it; two
	// digits at most (MaxCookieChunks is less than 100).
	if len(s.vals) == 1 || len(rest) < 2 || len(rest) > 3 || rest[0] != '.' || rest[1] == '0' {
		return -1
	}
	i := 0
	for _, c := range []byte(rest[1:]) {
		if c < '0' || c > '9' {
			return -1
		}
		i = i*10 + int(c-'0')
	}
	if i >= len(s.vals) {
		return -1
	}
	return i
}

// readCookies makes one pass over the request's Cookie header lines and
// stores in a and, if b is not nil, b the values of the cookies they name
// (see cookieSlots). It is the only reader of a request's cookies, and
// runs at most once per request (at load), so that repeated or oversize
// cookies cost one pass, however many candidates are then tried. It
// follows the Cookie header syntax of RFC 6265bis section 4.2.1
// ("name=value" pairs separated by ";" and optional spaces) and, like
// net/http, trims spaces around names and values, takes a pair without "="
// as an empty value and drops the double quotes around a quoted value. It
// allocates nothing: it runs on every request that uses its session.
func (c *config) readCookies(h http.Header, a, b *cookieSlots) {
	if c.testHookReadCookies != nil {
		c.testHookReadCookies()
	}
	for _, line := range h["Cookie"] {
		for line != "" {
			var part string
			part, line, _ = strings.Cut(line, ";")
			k, v, _ := strings.Cut(part, "=")
			k = trimOWS(k)
			s := a
			i := a.index(k)
			if i < 0 && b != nil {
				s, i = b, b.index(k)
			}
			if i < 0 || s.n[i] == maxTries {
				continue
			}
			v = trimOWS(v)
			if len(v) > 1 && v[0] == '"' && v[len(v)-1] == '"' {
				v = v[1 : len(v)-1]
			}
			s.vals[i][s.n[i]] = v
			s.n[i]++
		}
	}
}

// trimOWS removes leading and trailing ASCII white space (space, tab, CR,
// LF), as net/textproto.TrimString does.
func trimOWS(s string) string {
	for s != "" && isASCIISpace(s[0]) {
		s = s[1:]
	}
	for s != "" && isASCIISpace(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	return s
}

func isASCIISpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n'
}

// chunkName returns the name of the i-th cookie of a chunked session: name,
// name.1, name.2…
func chunkName(name string, i int) string {
	if i == 0 {
		return name
	}
	return name + "." + strconv.Itoa(i)
}

// formatSetCookie serialises a session cookie with cookie.FormatSetCookie
// (RFC 6265bis section 4.1.1): Path=/ and no Domain (host-only, as the
// __Host- prefix requires, section 4.1.3.2), Secure when secure, HttpOnly,
// SameSite. maxAge < 0 omits Max-Age (a session cookie); 0 expires the cookie
// at once. It fails for a cookie user agents would reject, such as a
// "__Host-" name, or SameSite=None, without Secure. (isSecure holds for
// every request of a Manager with a prefixed name, so of these only
// SameSite=None on an insecure request fails at run time.)
func formatSetCookie(name, value string, maxAge int, secure bool, sameSite http.SameSite) (string, error) {
	c := cookie.Cookie{
		Name:     name,
		Value:    value,
		Path:     "/",
		Secure:   secure,
		HttpOnly: true,
		SameSite: cookie.SameSiteLax,
	}
	switch sameSite {
	case http.SameSiteStrictMode:
		c.SameSite = cookie.SameSiteStrict
	case http.SameSiteNoneMode:
		c.SameSite = cookie.SameSiteNone
	}
	if maxAge >= 0 {
		c.MaxAge, c.HasMaxAge = int64(maxAge), true
	}
	v, err := cookie.FormatSetCookie(&c)
	if err != nil {
		return "", fmt.Errorf("session: cookie: %w", err)
	}
	return v, nil
}

// validCookieValue reports whether v consists of cookie-octets (RFC 6265bis
// section 4.1.1), the alphabet a Codec must produce.
func validCookieValue(v string) bool {
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c < 0x21 || c > 0x7e || c == '"' || c == ',' || c == ';' || c == '\\' {
			return false
		}
	}
	return true
}

// addVary adds v to the Vary header unless it is listed already (or the
// header is "*", which varies on everything; RFC 9110 section 12.5.5).
func addVary(h http.Header, v string) {
	for _, have := range h["Vary"] {
		for have != "" {
			f := have
			if i := strings.IndexByte(have, ','); i >= 0 {
				f, have = have[:i], have[i+1:]
			} else {
				have = ""
			}
			f = strings.TrimSpace(f)
			if f == "*" || strings.EqualFold(f, v) {
				return
			}
		}
	}
	h.Add("Vary", v)
}

// varyOnTransports adds to Vary the request headers that carry the session
// ID (Cookie, and the ID header when that transport is on): a response
// made by a request that used its session depends on them, and a shared
// cache must not hand it to another client (RFC 9110 section 12.5.5). The
// URL transport needs nothing: the ID is in the URL, which a cache keys on.
func (s *Session) varyOnTransports(h http.Header) {
	c := s.m.c
	if !c.Cookie.Disabled {
		addVary(h, "Cookie")
	}
	if c.Header != "" {
		addVary(h, c.Header)
	}
}

// markNoStore keeps responses that set the session cookie out of shared
// caches.
func markNoStore(h http.Header) {
	h.Set("Cache-Control", "no-store")
	addVary(h, "Cookie")
}

// stripPathParam removes every path parameter started by marker (";sid=",
// config.paramMarker) from the escaped path p. It returns the new path, the
// first value and whether any was found. A value runs to the next '/' or
// ';'.
func stripPathParam(p, marker string) (string, string, bool) {
	i := strings.Index(p, marker)
	if i < 0 {
		return p, "", false
	}
	var b strings.Builder
	first, found := "", false
	for i >= 0 {
		b.WriteString(p[:i])
		rest := p[i+len(marker):]
		end := strings.IndexAny(rest, "/;")
		if end < 0 {
			end = len(rest)
		}
		if !found {
			first, found = rest[:end], true
		}
		p = rest[end:]
		i = strings.Index(p, marker)
	}
	b.WriteString(p)
	return b.String(), first, true
}

// stripURL returns r's URL without the path parameters started by marker
// (";sid=", config.paramMarker) and the first value,
// or nil when the path carries none or cannot be rewritten (stripping would
// make a dot segment: see makesDotSegment; the path then goes on as sent,
// and its ID is not read). It works on
// the path as the client sent it (sentPath), so an escaped ';' ("%3B") stays
// part of its segment, and gives the result a RawPath that EscapedPath keeps
// (escapeRest): re-encoded from Path, that escape would turn into a
// parameter separator.
func stripURL(u *url.URL, marker string) (*url.URL, string) {
	raw := sentPath(u)
	np, id, found := stripPathParam(raw, marker)
	if !found && !strings.Contains(u.EscapedPath(), marker) {
		return nil, ""
	}
	if makesDotSegment(raw, np) {
		return nil, ""
	}
	path, err := url.PathUnescape(np)
	if err != nil {
		return nil, ""
	}
	nu := *u
	nu.Path, nu.RawPath = path, escapeRest(np)
	if (&url.URL{Path: path}).EscapedPath() == nu.RawPath {
		nu.RawPath = ""
	}
	return &nu, id
}

// makesDotSegment reports whether stripping turned a segment of the escaped
// path orig into a dot segment ("." or "..", in any %2e spelling) in
// stripped (RFC 3986 section 3.3). "..;sid=x" is an ordinary segment to
// everything in front of the middleware (a proxy's path rules included);
// made "..", it would climb out of the directory a handler that cleans paths
// (http.FileServer) serves. Stripping removes no '/', so both paths have the
// same segments in the same places.
func makesDotSegment(orig, stripped string) bool {
	for orig != "" || stripped != "" {
		var o, s string
		o, orig, _ = strings.Cut(orig, "/")
		s, stripped, _ = strings.Cut(stripped, "/")
		if o != s && dotSegment(s) {
			return true
		}
	}
	return false
}

// sentPath returns u's path as it was written: RawPath when it is the
// escaped form of Path, even one that EscapedPath would re-encode (such as
// "/a%3Bb/c|d"). EscapedPath would then encode Path afresh and turn an
// escaped ';' ("%3B", part of a segment) into a path-parameter separator.
func sentPath(u *url.URL) string {
	if u.RawPath != "" {
		if p, err := url.PathUnescape(u.RawPath); err == nil && p == u.Path {
			return u.RawPath
		}
	}
	return u.EscapedPath()
}

// escapeRest percent-encodes the octets of the escaped path p that
// url.URL would not keep in a RawPath (such as '|' or '"'), leaving the
// escapes already there alone. EscapedPath would otherwise drop the RawPath
// and encode the path afresh, turning an escaped ';' ("%3B") into a
// separator.
func escapeRest(p string) string {
	const hex = "0123456789ABCDEF"
	var b []byte
	for i := 0; i < len(p); i++ {
		c := p[i]
		if keepInPath(c) {
			if b != nil {
				b = append(b, c)
			}
			continue
		}
		if b == nil {
			b = append(make([]byte, 0, len(p)+8), p[:i]...)
		}
		b = append(b, '%', hex[c>>4], hex[c&15])
	}
	if b == nil {
		return p
	}
	return string(b)
}

// keepInPath reports whether c may stay unescaped in a URL's RawPath: an
// unreserved character, a sub-delimiter, ':', '@', '/', '[', ']' or the '%'
// of an escape.
func keepInPath(c byte) bool {
	if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
		return true
	}
	return strings.IndexByte("-._~!$&'()*+,;=:@/[]%", c) >= 0
}

// EncodeURL returns u with the path parameter ";sid=ID" (named after
// CookieOptions.Name when one is set: see Options.URLRewriting) added, in
// place of one of that name u already has, for clients
// that do not keep cookies, when URL rewriting is on, the session has an ID
// and the request did not arrive with the session cookie or the session
// header of Options.Header (whatever its value: such a client keeps the ID
// itself, so a renewed or replacing ID goes in the cookie or header only);
// otherwise u unchanged. URLs to another host (including the
// "///host" and backslash spellings browsers read as one), and http:// URLs
// given over HTTPS (r.TLS set, CookieOptions.Secure, or a "__Host-" or
// "__Secure-" cookie name), are never rewritten, and removing an old ";sid="
// parameter never turns a path into a link to another host, so the ID does
// not leak to other sites or travel in clear text. Nor does it make a dot
// segment ("/a/.;sid=x"): such a link is left unchanged, as the middleware
// leaves such a path. A query-only reference
// ("?page=2") gets the last segment of the request's path ("./list;sid=ID?page=2"),
// so that it does not lead back to the ID the request's URL held (stale for
// a new or renewed session); "" and "#fragment" stay as they are.
func (s *Session) EncodeURL(u string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.m
	if !m.c.URLRewriting || m.c.Codec != nil || s.load() != nil || s.dead || s.id == "" {
		return u
	}
	if s.hadCookie || s.hadHeader {
		// The client keeps cookies (or the header): the ID travels there,
		// even after Renew or for a session replacing a stale one, and
		// never in a URL, where it would leak into logs, history and
		// Referer.
		return u
	}
	if u != "" && (u[0] == ' ' || u[len(u)-1] == ' ') {
		// Browsers drop the spaces around a URL (Go's url.Parse rejects
		// the other C0 controls they drop): encoded, they would become
		// part of the path ("%20/a") and the link would lead elsewhere.
		return u
	}
	pu, err := url.Parse(u)
	if err != nil || pu.Opaque != "" || pu.User != nil {
		return u
	}
	if pu.Scheme != "" && pu.Scheme != "http" && pu.Scheme != "https" {
		return u
	}
	if pu.Scheme == "http" && m.c.isSecure(s.req) {
		return u // from HTTPS to plain HTTP: the ID would travel in clear text
	}
	if pu.Scheme != "" || pu.Host != "" {
		if pu.Host == "" || !strings.EqualFold(pu.Host, s.req.Host) {
			return u
		}
	} else if networkPath(u) {
		return u // "///host/p" or "/\\host/p": browsers read another host
	}
	esc := sentPath(pu)
	if esc == "" {
		switch {
		case pu.Host != "":
			esc = "/"
		case pu.RawQuery == "" && !pu.ForceQuery:
			return u // "" or "#f": the current document itself
		default:
			// "?q" leads to the current path (RFC 3986 section 5.2.2) as
			// the browser has it: with the ID the request came with, if
			// any, which is stale when the session is new or renewed.
			// Spell out its last segment, so the link carries the
			// current ID: "./seg", relative, since the browser's path
			// may not be the handler's (a router or proxy in front may
			// have stripped a prefix such as "/app").
			esc = sentPath(s.req.URL)
			i := strings.LastIndexByte(esc, '/')
			if i < 0 {
				return u
			}
			esc = "./" + esc[i+1:]
		}
	}
	rel := !strings.HasPrefix(esc, "/")
	orig := esc
	esc, _, _ = stripPathParam(esc, m.c.paramMarker)
	if makesDotSegment(orig, esc) {
		// "/a/.;sid=x": the middleware leaves such a path as sent (no
		// dot segment made by stripping), so the link leads there only
		// as it is, without the session.
		return u
	}
	if rel && strings.HasPrefix(esc, "/") {
		// A relative path stays one: ";sid=x/b" leads to "./;sid=x/b",
		// which the middleware strips to "./" + "/b", not to "/b".
		esc = "./" + esc
	}
	if pu.Host == "" && strings.HasPrefix(esc, "//") {
		// Without an authority a path must not begin with "//" (RFC 3986
		// section 3.3): "/;sid=x//evil.example/p" stripped would name the
		// host evil.example, and the ID would go there. "/." keeps the
		// path (a dot segment, section 5.2.4), as the WHATWG URL
		// serializer writes such a path.
		esc = "/." + esc
	}
	if dotSegment(esc[strings.LastIndexByte(esc, '/')+1:]) {
		// "..;sid=ID" would be no dot segment but a file of that name:
		// "../;sid=ID" leads where ".." does.
		esc += "/"
	}
	esc = escapeRest(esc) + m.c.paramMarker + s.id
	path, err := url.PathUnescape(esc)
	if err != nil {
		return u
	}
	pu.Path, pu.RawPath = path, esc
	return pu.String()
}

// networkPath reports whether browsers read the reference u, which has no
// scheme and no authority by url.Parse, as naming a host: the WHATWG URL
// parser drops leading spaces and, for http(s), takes '\\' for '/' and any
// run of slashes after the first two, so "///host/p" and "/\\host/p" lead to
// host.
func networkPath(u string) bool {
	u = strings.TrimLeft(u, " ")
	return len(u) >= 2 && (u[0] == '/' || u[0] == '\\') && (u[1] == '/' || u[1] == '\\')
}

// dotSegment reports whether the escaped path segment seg is "." or ".."
// (RFC 3986 section 5.2.4), in any spelling the WHATWG URL parser accepts
// ("%2e", "%2E", ".%2e"…).
func dotSegment(seg string) bool {
	switch strings.ToLower(seg) {
	case ".", "..", "%2e", ".%2e", "%2e.", "%2e%2e":
		return true
	}
	return false
}

// EncodeRedirectURL is EncodeURL for a URL given to http.Redirect.
func (s *Session) EncodeRedirectURL(u string) string {
	return s.EncodeURL(u)
}
