// Package jar is a client cookie store that behaves like a browser's: the
// storage and retrieval models of RFC 6265bis
// (draft-ietf-httpbis-rfc6265bis), with the public suffix list, SameSite,
// cookie name prefixes, Secure-cookie protection, per-domain limits and
// cookie files curl can read.
//
// # Basics
//
// New returns an empty Jar; nil options are browser defaults. A *Jar is an
// http.CookieJar, so it plugs into an http.Client:
//
//	j, err := jar.New(nil)
//	client := &http.Client{Jar: j}
//
// That interface only receives the cookies net/http has already parsed and
// sanitised (it drops or rewrites some values and loses unparseable
// attributes) and Cookies returns name and value only, which net/http
// sanitises again. A client that wants browser-exact behaviour passes the
// raw header values instead:
//
//	j.SetCookieLines(u, resp.Header.Values("Set-Cookie"))
//	if h := j.CookieHeader(u); h != "" {
//		req.Header.Set("Cookie", h)
//	}
//
// # SameSite and request context
//
// http.CookieJar carries no request context, so SetCookies, Cookies,
// SetCookieLines and CookieHeader treat every request as a same-site,
// top-level GET made through HTTP (not a script API). SetCookieLinesFor,
// CookieHeaderFor and CookiesFor take a Request with the site for
// cookies, method, navigation type and API type, and apply the SameSite
// rules of RFC 6265bis sections 5.2, 5.7 step 18 and 5.8.3.
// Options.LaxAllowingUnsafe opts in to the "Lax-allowing-unsafe" mode of
// section 5.6.7.2: recently created cookies without a SameSite attribute
// also go with cross-site top-level POSTs.
//
// # Partitioned cookies (CHIPS)
//
// A cookie with the Partitioned attribute
// (draft-cutler-httpbis-partitioned-cookies) is stored only if Secure, in
// the partition of the request's top-level site, schemeful ("https://" and
// the registrable domain): the site of Request.SiteForCookies, or of
// Request.URL for a top-level navigation (the document it loads becomes
// the top-level one) and when SiteForCookies is nil. It is sent only on
// requests with the same top-level site. A name may exist once per
// partition and once unpartitioned; each is replaced, expired and evicted
// on its own. The http.CookieJar and other context-free methods act as a
// top-level request, so their partition is the URL's own site. Limits
// count cookies per registrable domain and partition, and
// Limits.PartitionBytes caps the bytes of each domain's partitioned
// cookies per partition (10 KiB by default, as in Chromium). JSON files
// keep the partition key; cookies.txt, which curl reads, gets only the
// partitioned cookies whose partition is their own site.
//
// # Limits and editing
//
// Options.Limits bounds the jar (DefaultLimits: Chromium's 180 cookies per
// registrable domain and 3300 in total; Netscape: 20 and 300). Excess
// cookies are evicted in the order of RFC 6265bis section 5.7: expired
// ones, then the least recently accessed non-secure and then any cookies
// of a domain over its limit (or, over Limits.PartitionBytes, any of its
// partition), then the least recently accessed overall; ties in
// last-access-time go to the cookie stored first (one a Set-Cookie replaced keeps
// its place), and the cookie just stored goes only if nothing else can.
// Eviction is one cookie at a time, down to the limit: Chromium's batch
// purges (30 more per domain, 300 more in total) are not modelled.
// All, Domain, Add, Remove, ClearDomain, Clear and EndSession inspect and
// edit the store; an Entry holds every field of the storage model.
//
// # Files
//
// Save and Load write and read the Netscape cookies.txt format of curl and
// wget or a JSON format holding every Entry field; saves are atomic, and
// SaveWithReport lists the cookies cookies.txt cannot hold. Read
// errors are *ParseError values naming the line; Load and Import leave
// out a malformed cookies.txt line instead, as curl does, and list it
// (LoadWithReport), unless no line of the file is a cookie (it is no
// cookies.txt file), and ReadEntriesSkipping reads a file so without a
// Jar; a file over 64 MiB is
// refused with one, so Save refuses to write one (ErrFileTooLarge) and
// keeps the old file. Cookies passed to Add or read from a file obey the
// cookie name prefix rules, Limits.MaxCookieBytes and the 400-day lifetime
// limit as received ones do: Add refuses a cookie breaking a prefix rule
// (ErrPrefix) or the size limit, Import and Load leave it out and load the
// rest (ImportWithReport and LoadWithReport list it), and an expiry-time
// more than 400 days ahead is reduced to that limit. A cookie whose Domain has
// a Fake A-label, which the jar stored before it checked A-labels, or a
// ':' without being an IPv6 address ("example.com:8080"), or an RFC 2965
// Port outside 1-65535, or a name or value no Cookie header can carry (a
// ';' in the value, which curl loads and writes), is left out and listed
// the same way.
//
// # Layout
//
// One concept per file: match.go (RFC 6265bis 5.1.2-5.1.4), samesite.go
// (5.2, 5.6.7.2, and the CHIPS partition key), prefix.go (5.4), storage.go (5.7), retrieval.go (5.8), limits.go
// (5.7 eviction, 6.1), index.go (the per-registrable-domain index),
// cookiestxt.go, jsonfile.go and persist.go (files), rfc2965.go
// (Set-Cookie2).
//
// # Conformance
//
// The tests run the http-state parser suite (Adam Barth's 222 vectors,
// ../shared/conformance/http-state) against a loopback server with raw
// bytes on the wire, on a fixed clock (April 2011, when the vectors were
// written) so that their Expires dates of 2019 and 2027 are still in the
// future: every vector passes except those whose RFC 6265 expectation
// RFC 6265bis changed (nameless cookies, CTL handling, empty Domain), each listed with
// its section in conformance_test.go, and disabled-path0029, which the
// suite itself disabled: it expects the request path percent-decoded before
// path-match, which neither RFC 6265 nor 6265bis section 5.1.4 does.
//
// # Deviations
//
// Loopback hosts (127.0.0.0/8, ::1, localhost) count as secure origins, as
// in browsers. A received cookie whose path is longer than 1024 octets (a
// default-path, section 5.1.4, which unlike the Path attribute has no
// limit, or a Set-Cookie2 Path) is ignored, as in Firefox, so that a
// server cannot make the jar hold megabytes per cookie by redirecting to a
// long URL; a Path or Domain that long in a net/http cookie given to
// SetCookies is ignored as in a Set-Cookie line (section 5.6 step 6).
// Cookies whose host is an IP address are always host-only.
// A host is read as a browser's URL parser reads it: one whose last label
// is a number is an IPv4 address ("10.0.1" is 10.0.0.1, "0x7f.1" is
// 127.0.0.1) or, if it is none ("example.123"), gets no cookies; an IPv6
// address is one host in whatever form the URL spells it ("[0:0::1]" is
// "::1", "[::ffff:127.0.0.1]" is "::ffff:7f00:1"), and a host with any
// other ':' is none. IDNA is
// UTS #46 as a browser's URL parser runs it (STD3 rules off, so "_" is
// fine in any label), and a host or cookie Domain with a Fake A-label, an
// "xn--" label that is not a valid A-label ("xn--", "xn--a"), fails to
// canonicalize (section 5.1.2 step 4): it gets no cookies.
// The partition key is the top-level site only: Chromium's newer
// "cross-site ancestor chain" bit is not modelled (Request has no frame
// ancestry). RFC 2965 cookies are
// sent back with $Path always (the jar does not record whether Path was
// explicit). A Set-Cookie2 Comment or CommentURL over 1024 octets is
// dropped from the cookie, as RFC 6265bis section 5.6 step 6 drops any
// attribute value that long; a Port list that long refuses the cookie
// instead, since dropping it would let the cookie go to every port.
//
// # Concurrency
//
// A Jar is safe for concurrent use by multiple goroutines; one mutex
// guards its store, so a retrieval (which updates last-access-times) and a
// store never interleave.
package jar
