package jar

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/httpstate/httpstate/cookie"
)

// RFC 2965 (Set-Cookie2), obsoleted by RFC 6265 and implemented by no
// current browser. With Options.RFC2965 the jar accepts Set-Cookie2 values:
// they go through the RFC 6265bis storage model like any cookie, plus the
// RFC 2965 section 3.3.2 rules for Port and Path below, and cookies that
// came from them are sent back in the RFC 2965 form with $Version.

// SetCookie2Lines stores the cookies of the Set-Cookie2 header field
// values lines received in the response to a request for u (a same-site,
// top-level GET through HTTP). It does nothing unless Options.RFC2965 is
// set. Values the parser rejects are ignored.
func (j *Jar) SetCookie2Lines(u *url.URL, lines []string) {
	if !j.rfc2965 || u == nil || len(lines) == 0 {
		return
	}
	var cs []*cookie.Cookie
	for _, l := range lines {
		// The parser returns the well-formed cookies of a line together
		// with an error for the ones it dropped.
		got, _ := cookie.ParseSetCookie2(l)
		for _, c := range got {
			if c == nil {
				continue
			}
			if c.Version < 1 {
				c.Version = 1 // Set-Cookie2 cookies are RFC 2965 cookies
			}
			// RFC 2965 keeps the Domain's leading dot; the storage model
			// takes the domain without it, lower-cased (RFC 6265bis
			// section 5.6.3).
			c.Domain = strings.ToLower(strings.TrimPrefix(c.Domain, "."))
			cs = append(cs, c)
		}
	}
	r := plainRequest(u)
	now := j.now()
	j.mu.Lock()
	defer j.mu.Unlock()
	for _, c := range cs {
		_ = j.storeLocked(&r, c, now)
	}
}

// portListLen returns the length of ports written as "80,8080".
func portListLen(ports []int) int {
	n := len(ports) - 1
	for _, p := range ports {
		n += len(strconv.Itoa(p))
	}
	return n
}

// apply2965 copies the RFC 2965 attributes of c into e and applies the
// rejection rules of RFC 2965 section 3.3.2 that RFC 6265bis lacks:
//   - the Path attribute must be a prefix of the request-URI's path;
//   - the request port must be in the Port list, and a Port attribute
//     without a value stands for the request port (section 3.3.1), so the
//     cookie is only sent back to ports in the list (section 3.3.4); it
//     goes back with a bare $Port then (Entry.PortBare), mirroring the
//     attribute (section 3.3.4);
//   - a Port list longer than 1024 octets, the most RFC 6265bis section
//     5.6 step 6 lets an attribute value have, refuses the cookie: it is
//     stored an int per element, so the list must be bounded.
func (j *Jar) apply2965(u *url.URL, c *cookie.Cookie, e *Entry) error {
	e.Version = c.Version
	// RFC 6265bis section 5.6 step 6 ignores an attribute value over
	// 1024 octets; a comment is kept with the cookie, so it must be
	// bounded.
	if len(c.Comment) <= cookie.MaxAttributeValueLength {
		e.Comment = c.Comment
	}
	if len(c.CommentURL) <= cookie.MaxAttributeValueLength {
		e.CommentURL = c.CommentURL
	}
	if c.Path != "" && !strings.HasPrefix(requestPath(u), c.Path) {
		return errPath2965
	}
	if c.PortSet {
		p := requestPort(u)
		if p < 1 || p > 65535 {
			// No port a cookie can name (a URL's port is digits of any
			// size): the Port list could not hold it, nor could files.
			return errPort
		}
		if len(c.Port) == 0 {
			e.Port, e.PortBare = []int{p}, true
		} else {
			if portListLen(c.Port) > cookie.MaxAttributeValueLength {
				return errPortList
			}
			if !containsPort(c.Port, p) {
				return errPort
			}
			e.Port = append([]int(nil), c.Port...)
		}
	}
	return nil
}
