package jar

import (
	"strings"
	"time"

	"github.com/httpstate/httpstate/cookie"
)

// retrieveLocked runs the retrieval algorithm of RFC 6265bis section 5.8.3
// for r at time now: it appends the cookies to send, in order, to dst and
// updates their last-access-time. Expired cookies met on the way are
// evicted.
func (j *Jar) retrieveLocked(r *Request, now time.Time, dst []*item) []*item {
	if r.URL == nil {
		return dst
	}
	// Steps 1 and 2.
	host, ok := canonicalHost(r.URL)
	if !ok {
		return dst
	}
	hostIP := isIP(host)
	path := requestPath(r.URL)
	secure := isSecure(r.URL, host)
	same := j.sameSite(r, host)
	port := -2 // computed on first use by an RFC 2965 cookie
	// The CHIPS partition key, computed on first use by a partitioned
	// cookie.
	var (
		pk           string
		pkDone, pkOK bool
	)
	var kbuf [4]string
	keys := j.lookupKeys(host, kbuf[:0])
	start := len(dst)
	for _, key := range keys {
		b := j.buckets[key]
		if b == nil {
			continue
		}
		expired := false
		for _, it := range b.items {
			// Step 3.
			if it.Persistent && !it.Expires.After(now) {
				expired = true
				continue
			}
			if it.HostOnly {
				if host != it.Domain {
					continue
				}
			} else if !domainMatchName(host, it.Domain, hostIP) || it.suffixDomain {
				continue
			}
			if !pathMatch(path, it.Path) {
				continue
			}
			if it.Secure && !secure {
				continue
			}
			if it.HttpOnly && !r.HTTP {
				continue
			}
			if !j.sendSameSite(it, r, same, now) {
				continue
			}
			// CHIPS: a partitioned cookie goes only to requests whose
			// top-level site is its partition key.
			if it.PartitionKey != "" {
				if !pkDone {
					pk, pkOK = j.partitionKey(r)
					pkDone = true
				}
				if !pkOK || it.PartitionKey != pk {
					continue
				}
			}
			if it.Port != nil {
				if port == -2 {
					port = requestPort(r.URL)
				}
				if !containsPort(it.Port, port) {
					continue
				}
			}
			dst = append(dst, it)
		}
		if expired {
			j.purgeExpiredLocked(key, now)
		}
	}
	// Step 4: each bucket is kept sorted; only several buckets need a merge.
	if len(keys) > 1 {
		sortItems(dst[start:])
	}
	// Step 5.
	for _, it := range dst[start:] {
		it.LastAccess = now
		j.noteAccess(it)
	}
	return dst
}

// CookieHeaderFor returns the Cookie header field value to send in the
// request r ("" means send no Cookie header), RFC 6265bis section 5.8, with
// r's same-site status, method, navigation and API type applied. See
// CookieHeader for the format.
func (j *Jar) CookieHeaderFor(r Request) string {
	now := j.now()
	j.mu.Lock()
	defer j.mu.Unlock()
	var buf [64]*item
	sel := j.retrieveLocked(&r, now, buf[:0])
	return renderHeader(sel)
}

// CookiesFor returns copies of the cookies the request r would carry, in
// the order they are sent, and marks them accessed. It is the non-HTTP
// API's view when r.HTTP is false (HttpOnly cookies are excluded).
func (j *Jar) CookiesFor(r Request) []*Entry {
	now := j.now()
	j.mu.Lock()
	defer j.mu.Unlock()
	var buf [64]*item
	sel := j.retrieveLocked(&r, now, buf[:0])
	if len(sel) == 0 {
		return nil
	}
	es := make([]Entry, len(sel))
	out := make([]*Entry, len(sel))
	for i, it := range sel {
		es[i] = it.Entry.clone()
		out[i] = &es[i]
	}
	return out
}

// renderHeader serializes the cookie-list, RFC 6265bis section 5.8.3 step
// 6: "name=value" (or the value alone for a nameless cookie) joined by
// "; ". A list holding a Set-Cookie2 cookie is written in the RFC 2965 form
// (RFC 2965 section 3.3.4) by cookie.FormatLegacyCookie.
func renderHeader(sel []*item) string {
	if len(sel) == 0 {
		return ""
	}
	for _, it := range sel {
		if it.Version > 0 {
			return renderLegacy(sel)
		}
	}
	n := 2 * (len(sel) - 1)
	for _, it := range sel {
		n += len(it.Name) + 1 + len(it.Value)
	}
	var sb strings.Builder
	sb.Grow(n)
	for i, it := range sel {
		if i > 0 {
			sb.WriteString("; ")
		}
		if it.Name != "" {
			sb.WriteString(it.Name)
			sb.WriteByte('=')
		}
		sb.WriteString(it.Value)
	}
	return sb.String()
}

// renderLegacy writes the RFC 2965 Cookie header for sel.
func renderLegacy(sel []*item) string {
	cs := make([]*cookie.Cookie, len(sel))
	for i, it := range sel {
		c := &cookie.Cookie{Name: it.Name, Value: it.Value, Path: it.Path, Version: it.Version}
		if !it.HostOnly {
			c.Domain = "." + it.Domain
		}
		if it.Port != nil {
			// RFC 2965 section 3.3.4: $Port mirrors the Port
			// attribute, with "the same value, if any".
			c.Port, c.PortSet = it.Port, true
			if it.PortBare {
				c.Port = nil
			}
		}
		cs[i] = c
	}
	return cookie.FormatLegacyCookie(cs)
}

// containsPort reports whether p is in ports.
func containsPort(ports []int, p int) bool {
	for _, x := range ports {
		if x == p {
			return true
		}
	}
	return false
}

// sortItems sorts s into retrieval order with an insertion sort: it is only
// used to merge the few buckets of one lookup, and unlike sort.Slice it
// lets the caller's buffer stay on the stack.
func sortItems(s []*item) {
	for i := 1; i < len(s); i++ {
		for k := i; k > 0 && s[k].before(s[k-1]); k-- {
			s[k], s[k-1] = s[k-1], s[k]
		}
	}
}
