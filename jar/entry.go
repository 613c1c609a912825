package jar

import (
	"time"

	"github.com/httpstate/httpstate/cookie"
)

// Entry is one stored cookie with every field of the RFC 6265bis storage
// model (draft-ietf-httpbis-rfc6265bis section 5.7) plus the RFC 2965
// fields a Set-Cookie2 cookie carries. Entries returned by the Jar are
// copies: changing one does not change the jar.
type Entry struct {
	// Name and Value are the cookie's name and value exactly as received
	// (a quoted value keeps its quotes). Name is empty for a nameless
	// cookie (RFC 6265bis section 5.6 step 5).
	Name  string
	Value string

	// Domain is the canonicalized host (HostOnly) or the Domain attribute
	// (without a leading dot) the cookie is scoped to.
	Domain string
	// HostOnly is the host-only-flag: the cookie goes back to exactly
	// Domain and not to its subdomains (RFC 6265bis section 5.7 step 10).
	HostOnly bool
	// Path is the cookie's path (RFC 6265bis section 5.7 step 11).
	Path string

	// Expires is the expiry-time of a persistent cookie; the zero Time for
	// a session cookie.
	Expires time.Time
	// Persistent is the persistent-flag: false for a session cookie, which
	// is removed when the session ends (RFC 6265bis section 5.7).
	Persistent bool

	// Secure is the secure-only-flag.
	Secure bool
	// HttpOnly is the http-only-flag: non-HTTP retrievals exclude it.
	HttpOnly bool
	// SameSite is the same-site-flag (RFC 6265bis section 5.7 step 17).
	SameSite cookie.SameSite
	// Partitioned is the Partitioned attribute of CHIPS
	// (draft-cutler-httpbis-partitioned-cookies): the cookie lives in the
	// partition PartitionKey and is sent only on requests whose top-level
	// site is that key. A partitioned cookie is always Secure.
	Partitioned bool
	// PartitionKey is the partition of a Partitioned cookie: the top-level
	// site of the request that set it, written as scheme "://" registrable
	// domain ("https://example.com"), an origin without port, so an IPv6
	// address is in brackets ("https://[::1]"); "" for an unpartitioned
	// cookie. Add
	// gives a Partitioned entry without one the site of its own Domain
	// over https (what files written before partitions were enforced
	// read back as).
	PartitionKey string

	// Created is the creation-time; a replaced cookie keeps the creation
	// time of the cookie it replaced (RFC 6265bis section 5.7 step 23).
	Created time.Time
	// CreatedUnknown reports that the cookie's creation-time is unknown:
	// it was added without one (a cookies.txt file has none) and Created
	// is the time it was added, which orders it but does not make it
	// recent, so "Lax-allowing-unsafe" does not apply to it (RFC 6265bis
	// section 5.6.7.2). Add sets it for an entry with a zero Created.
	CreatedUnknown bool
	// LastAccess is the last-access-time, updated on every retrieval that
	// includes the cookie (RFC 6265bis section 5.8.3 step 5).
	LastAccess time.Time

	// Version is the RFC 2965 Version attribute; 0 for RFC 6265 cookies.
	Version int
	// Port is the RFC 2965 port list; nil means any port. A Port attribute
	// without a value is stored as the port of the request that set it.
	Port []int
	// PortBare reports that Port came from a Port attribute without a
	// value: Port holds just the request port (RFC 2965 section 3.3.1),
	// and the Cookie header sends a bare $Port, mirroring the attribute
	// (section 3.3.4).
	PortBare bool
	// Comment and CommentURL are the RFC 2965 attributes of the same name.
	Comment    string
	CommentURL string
}

// clone returns a copy of e that shares no memory with it.
func (e Entry) clone() Entry {
	if e.Port != nil {
		e.Port = append([]int(nil), e.Port...)
	}
	return e
}

// expired reports whether e has an expiry-time at or before now
// (RFC 6265bis section 5.7: "A cookie is expired if the cookie has an
// expiry date in the past").
func (e *Entry) expired(now time.Time) bool {
	return e.Persistent && !e.Expires.After(now)
}

// sameKey reports whether e and o are the same cookie in the sense of RFC
// 6265bis section 5.7 step 23: same name, domain, host-only-flag and path,
// and (CHIPS) the same partition: a name may exist once per partition and
// once unpartitioned, each replaced and deleted on its own.
func (e *Entry) sameKey(o *Entry) bool {
	return e.Name == o.Name && e.Domain == o.Domain && e.HostOnly == o.HostOnly && e.Path == o.Path &&
		e.PartitionKey == o.PartitionKey
}

// item is an Entry as the jar stores it.
type item struct {
	Entry
	// seq orders cookies with equal path length and creation time by
	// insertion, so a coarse or fixed clock still gives a stable order.
	seq uint64
	// suffixDomain caches that a domain cookie's Domain is a public suffix
	// under the jar's list, possible only for cookies added from files
	// (received ones are refused by RFC 6265bis section 5.7 step 9):
	// retrieval skips such cookies (section 5.8.3 step 3).
	suffixDomain bool
}

// before reports whether a is sent before b, RFC 6265bis section 5.8.3
// step 4: longer paths first, then earlier creation-times.
func (a *item) before(b *item) bool {
	if len(a.Path) != len(b.Path) {
		return len(a.Path) > len(b.Path)
	}
	if !a.Created.Equal(b.Created) {
		return a.Created.Before(b.Created)
	}
	return a.seq < b.seq
}
