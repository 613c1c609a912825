package jar

import (
	"sort"
	"strings"

	"golang.org/x/net/publicsuffix"
)

// bucket holds the cookies whose domain has one bucket key, sorted in
// retrieval order (RFC 6265bis section 5.8.3 step 4) so that a lookup needs
// no sort.
type bucket struct {
	items []*item
}

// keyOf returns the bucket key of a canonical host or cookie domain: its
// registrable domain (eTLD+1) under the jar's public suffix list, which is
// also the unit the per-domain limit counts. Every host that may receive a
// cookie has the same key as the cookie's domain, because a Domain
// attribute that is a public suffix is refused (RFC 6265bis section 5.7
// step 9). IP addresses and names that are themselves public suffixes are
// their own key. Without a public suffix list the key is the last two
// labels, and lookups also search the top-level-domain bucket (see
// lookupKeys).
func (j *Jar) keyOf(domain string) string {
	if isIP(domain) {
		return domain
	}
	if j.psl != nil {
		if j.stdPSL {
			if k, ok := j.etldPlusOne(domain); ok {
				return k
			}
			return domain
		}
		ps := j.psl.PublicSuffix(domain)
		if ps == domain || len(ps) >= len(domain) || !strings.HasSuffix(domain, "."+ps) {
			return domain
		}
		rest := domain[:len(domain)-len(ps)-1]
		return rest[strings.LastIndexByte(rest, '.')+1:] + "." + ps
	}
	i := strings.LastIndexByte(domain, '.')
	if i <= 0 {
		return domain
	}
	p := strings.LastIndexByte(domain[:i], '.')
	return domain[p+1:]
}

// insertLocked adds it to its bucket at its retrieval-order position.
func (j *Jar) insertLocked(key string, it *item) {
	b := j.buckets[key]
	if b == nil {
		b = &bucket{}
		j.buckets[key] = b
	}
	i := sort.Search(len(b.items), func(i int) bool { return it.before(b.items[i]) })
	b.items = append(b.items, nil)
	copy(b.items[i+1:], b.items[i:])
	b.items[i] = it
	j.count++
	j.noteExpiry(it)
	j.noteAccess(it)
}

// noteExpiry lowers j.expiryFloor to it's expiry-time; call it for every
// cookie put in a bucket.
func (j *Jar) noteExpiry(it *item) {
	if it.Persistent && (j.expiryFloor.IsZero() || it.Expires.Before(j.expiryFloor)) {
		j.expiryFloor = it.Expires
	}
}

// removeAtLocked removes the i-th cookie of bucket key.
func (j *Jar) removeAtLocked(key string, b *bucket, i int) {
	copy(b.items[i:], b.items[i+1:])
	b.items[len(b.items)-1] = nil
	b.items = b.items[:len(b.items)-1]
	j.count--
	if len(b.items) == 0 {
		delete(j.buckets, key)
	}
}

// findLocked returns the bucket position of the cookie with e's name,
// domain, host-only-flag and path, or -1.
func findLocked(b *bucket, e *Entry) int {
	if b == nil {
		return -1
	}
	for i, it := range b.items {
		if it.sameKey(e) {
			return i
		}
	}
	return -1
}

// lookupKeys appends to dst the bucket keys that can hold cookies for the
// canonical host. With the default public suffix list that is the host's
// own key; a host that is itself a public suffix, and any host under a
// custom or absent list, also looks in the buckets of its parent domains
// (a Domain attribute that is not a public suffix for the list may still
// have a different key than the host). Retrieval filters the candidates by
// domain-match, so extra buckets cost time, never correctness.
func (j *Jar) lookupKeys(host string, dst []string) []string {
	if j.stdPSL && !isIP(host) {
		if k, ok := j.etldPlusOne(host); ok {
			return append(dst, k)
		}
	}
	dst = append(dst, j.keyOf(host))
	if isIP(host) {
		return dst
	}
	for s := host; ; {
		i := strings.IndexByte(s, '.')
		if i < 0 {
			break
		}
		s = s[i+1:]
		if s == "" {
			break
		}
		pk := j.keyOf(s)
		dup := false
		for _, d := range dst {
			if d == pk {
				dup = true
				break
			}
		}
		if !dup {
			dst = append(dst, pk)
		}
	}
	return dst
}

// maxSiteCache bounds the registrable-domain cache; it is emptied when
// full.
const maxSiteCache = 4096

// etldPlusOne returns the registrable domain (eTLD+1) of a host name under
// publicsuffix.List, ok false if the name is itself a public suffix. The
// answers are cached: the list lookup costs more than the rest of a
// retrieval. A fully qualified name ("www.example.com.") has the
// registrable domain of the name without its trailing dot, with the dot
// ("example.com."), so it shares its site and bucket with the rest of that
// domain's fully qualified names. The caller holds j.mu.
func (j *Jar) etldPlusOne(host string) (string, bool) {
	if e, hit := j.siteCache[host]; hit {
		return e.key, e.ok
	}
	k, err := stdETLDPlusOne(host)
	if j.siteCache == nil || len(j.siteCache) >= maxSiteCache {
		j.siteCache = make(map[string]siteEntry)
	}
	j.siteCache[host] = siteEntry{k, err == nil}
	return k, err == nil
}

// siteEntry is a cached etldPlusOne answer.
type siteEntry struct {
	key string
	ok  bool
}

// stdETLDPlusOne is publicsuffix.EffectiveTLDPlusOne for a canonical host
// that may be fully qualified: "www.example.com." gives "example.com.".
func stdETLDPlusOne(host string) (string, error) {
	h, fqdn := strings.CutSuffix(host, ".")
	k, err := publicsuffix.EffectiveTLDPlusOne(h)
	if err == nil && fqdn {
		k += "."
	}
	return k, err
}
