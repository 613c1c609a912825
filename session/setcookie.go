package session

import (
	"net/http"
	"strconv"
	"strings"
)

// cookieTemplate is the session cookie's Set-Cookie line split around its
// two variable parts, the value (an ID, or "" to expire) and Max-Age, built
// and validated once by cookie.FormatSetCookie (RFC 6265bis section 4.1.1)
// so that issuing a cookie is a few appends into a stack buffer.
type cookieTemplate struct {
	head string // "name="
	mid  string // "; Path=/"
	tail string // "; Secure; HttpOnly; SameSite=Lax" (as configured)
	ok   bool   // false: the configuration cannot send this cookie over such a connection; formatSetCookie reports why
}

// newCookieTemplate builds the template for the cookie name over a
// connection that is (or is not) secure. The value and Max-Age are the only
// parts that vary; neither can make a cookie FormatSetCookie would refuse
// (IDs are base64url of fixed length, at most idLen octets).
func newCookieTemplate(name string, secure bool, sameSite http.SameSite) cookieTemplate {
	sample := strings.Repeat("A", idLen)
	v, err := formatSetCookie(name, sample, 1, secure, sameSite)
	if err != nil {
		return cookieTemplate{}
	}
	// v is name=sample; Path=/; Max-Age=1<tail>.
	const maxAge1 = "; Max-Age=1"
	rest := v[len(name)+1+len(sample):]
	i := strings.Index(rest, maxAge1)
	if i < 0 {
		return cookieTemplate{} // not the expected layout: the generic path
	}
	return cookieTemplate{head: name + "=", mid: rest[:i], tail: rest[i+len(maxAge1):], ok: true}
}

// format returns the Set-Cookie line for value with maxAge (< 0: none). The
// caller guarantees value is "" or a valid ID (validID).
func (t *cookieTemplate) format(value string, maxAge int) string {
	var buf [192]byte
	b := append(buf[:0], t.head...)
	b = append(b, value...)
	b = append(b, t.mid...)
	if maxAge >= 0 {
		b = append(b, "; Max-Age="...)
		b = strconv.AppendInt(b, int64(maxAge), 10)
	}
	b = append(b, t.tail...)
	return string(b)
}

// setCookie returns the session cookie's Set-Cookie line for this request,
// or the configuration error that forbids it over this connection.
func (s *Session) setCookie(value string, maxAge int) (string, error) {
	c := s.m.c
	secure := c.isSecure(s.req)
	t := &c.cookieTmpl[0]
	if secure {
		t = &c.cookieTmpl[1]
	}
	// Every ID a Session holds is validID (newID's, or a candidate that
	// passed validID before it was looked up); the length check keeps the
	// template's precondition explicit at no cost.
	if t.ok && (value == "" || len(value) == idLen) {
		return t.format(value, maxAge), nil
	}
	return formatSetCookie(s.m.cookieName(s.req), value, maxAge, secure, c.Cookie.SameSite)
}

// addTransportHeaders adds the Set-Cookie line v (unless "") and
// Cache-Control: no-store with Vary: Cookie (markNoStore), taking the header
// values from one allocation when the response has none of them yet.
func addTransportHeaders(h http.Header, v string) {
	_, hasSC := h["Set-Cookie"]
	_, hasCC := h["Cache-Control"]
	_, hasVary := h["Vary"]
	if v == "" || hasSC || hasCC || hasVary {
		if v != "" {
			h.Add("Set-Cookie", v)
		}
		markNoStore(h)
		return
	}
	vals := make([]string, 3)
	vals[0], vals[1], vals[2] = v, "no-store", "Cookie"
	// Full slice expressions: an append by a later handler reallocates
	// instead of overwriting the neighbouring header's value.
	h["Set-Cookie"] = vals[0:1:1]
	h["Cache-Control"] = vals[1:2:2]
	h["Vary"] = vals[2:3:3]
}

// legacyCookieName is the session cookie's default name over plain HTTP,
// which a Manager with CookieOptions.Secure never reads.
const legacyCookieName = "sid"

// readCookies reads the request's cookies of this Manager's name into own
// (readCookies: one pass over the Cookie header per request) and, for a
// Manager with CookieOptions.Secure and the default name, in the same pass
// the plain "sid" cookie (and its chunks in Codec mode) that the request
// may still carry from before the option was turned on: s.legacy is set
// for it to be expired (expireLegacyCookie) when it holds what this Manager
// writes (a well-formed ID; a value the Codec reads), so another
// application's "sid" on the host is left alone. Repeated "sid" cookies
// (another application's, for another path or a parent domain) are read
// as load reads them: the first maxTries values in store mode, the sets
// loadCodec tries in Codec mode; one of this Manager's among them is
// enough, and the expiring line (Path=/, host-only) reaches only the cookie
// this Manager wrote. s.mu is held.
func (s *Session) readCookies(own *cookieSlots) {
	c := s.m.c
	if !c.expireLegacy {
		c.readCookies(s.req.Header, own, nil)
		return
	}
	s.readCookiesLegacy(own)
}

// readCookiesLegacy is readCookies for a Manager that expires the old "sid"
// cookie; its own function, so that other Managers do not clear its arrays.
func (s *Session) readCookiesLegacy(own *cookieSlots) {
	c := s.m.c
	var vals [MaxCookieChunks][maxTries]string
	var n [MaxCookieChunks]uint8
	old := cookieSlots{name: legacyCookieName, vals: vals[:1], n: n[:1]}
	if c.Codec != nil {
		old.vals, old.n = vals[:], n[:]
	}
	c.readCookies(s.req.Header, own, &old)
	if c.Codec == nil {
		for _, id := range vals[0][:n[0]] {
			if validID(id) {
				s.legacy = 1
				return
			}
		}
		return
	}
	// As loadCodec: each set is the chunks up to its first gap; every
	// chunk present is expired.
	if old.chunkSets(MaxCookieChunks, func(value string) bool {
		_, err := c.Codec.Decode(value)
		return err == nil
	}) {
		for i, k := range n {
			if k > 0 {
				s.legacy |= 1 << i
			}
		}
	}
}

// The bits of Session.legacy: one per chunk.
const _ = uint8(1<<MaxCookieChunks - 1)

// expireLegacyCookie expires, for a Manager with CookieOptions.Secure and the
// default name, the old plain "sid" cookie and its chunks that load found
// to be this Manager's (s.legacy, see readCookies). The Manager never
// adopts it (a cookie without Secure can be planted over plain HTTP; that
// is what the __Host- name prevents), and without this the user agent
// would keep sending it, over http:// too, until it expired. The expiring
// lines carry Path=/, no Domain and Secure, and mark the response
// no-store. The caller checks c.expireLegacy; s.mu is held.
func (s *Session) expireLegacyCookie(h http.Header) {
	if s.legacy == 0 {
		return
	}
	for i := 0; i < MaxCookieChunks; i++ {
		if s.legacy&(1<<i) == 0 {
			continue
		}
		line, err := formatSetCookie(chunkName(legacyCookieName, i), "", 0, true, s.m.c.Cookie.SameSite)
		if err != nil {
			return
		}
		h.Add("Set-Cookie", line)
	}
	markNoStore(h)
}
