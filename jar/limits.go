package jar

import (
	"slices"
	"time"
)

// Limits bounds what a Jar stores (RFC 6265bis section 6.1 "Limits", and
// the "remove excess cookies" rules of section 5.7).
type Limits struct {
	// PerDomain is the most cookies kept per registrable domain (eTLD+1,
	// as Chromium counts them) and partition: the unpartitioned cookies of
	// a domain count apart from its partitioned (CHIPS) cookies of each
	// top-level site, as in Chromium. Zero or negative means no limit.
	PerDomain int
	// Total is the most cookies kept in the jar. Zero or negative means no
	// limit.
	Total int
	// MaxCookieBytes is the largest accepted len(name)+len(value). Zero
	// means 4096, the ceiling RFC 6265bis section 5.7 step 4 mandates;
	// larger values are lowered to 4096.
	MaxCookieBytes int
	// PartitionBytes is the most bytes (len(name)+len(value), summed) of
	// partitioned cookies kept per registrable domain and partition, the
	// per-partition limit of CHIPS (Chromium's is 10 KiB); the least
	// recently accessed go first. Zero or negative means no limit.
	PartitionBytes int
}

// DefaultLimits are Chromium's limits, well above RFC 6265bis section 6.1's
// minimum capabilities (50 per domain, 3000 in total): 180 cookies per
// registrable domain (and partition), 3300 in total, 4096 bytes per cookie
// and 10 KiB of partitioned cookies per registrable domain and partition.
// Options with a nil Limits use them. Do not modify it; copy it.
var DefaultLimits = Limits{PerDomain: 180, Total: 3300, MaxCookieBytes: 4096, PartitionBytes: 10240}

// Netscape are the limits of the original Netscape cookie specification
// and RFC 2109: 20 cookies per domain, 300 in total, 4096 bytes per
// cookie. Use it as Options{Limits: &jar.Netscape}. Do not modify it; copy
// it.
var Netscape = Limits{PerDomain: 20, Total: 300, MaxCookieBytes: 4096}

// maxCookieBytes is the effective per-cookie size limit.
func (l *Limits) maxCookieBytes() int {
	if l.MaxCookieBytes <= 0 || l.MaxCookieBytes > 4096 {
		return 4096
	}
	return l.MaxCookieBytes
}

// purgeExpiredLocked removes the expired cookies of bucket key and reports
// how many it removed (RFC 6265bis section 5.7: expired cookies are
// evicted).
func (j *Jar) purgeExpiredLocked(key string, now time.Time) int {
	b := j.buckets[key]
	if b == nil {
		return 0
	}
	n := 0
	kept := b.items[:0]
	for _, it := range b.items {
		if it.expired(now) {
			n++
			continue
		}
		kept = append(kept, it)
	}
	for i := len(kept); i < len(b.items); i++ {
		b.items[i] = nil
	}
	b.items = kept
	j.count -= n
	if len(b.items) == 0 {
		delete(j.buckets, key)
	}
	return n
}

// evictLocked removes excess cookies after fresh was stored in bucket key,
// in the priority order of RFC 6265bis section 5.7: expired cookies; then,
// in a domain over the per-domain limit (counted within fresh's partition),
// cookies whose secure-only-flag is false, then any cookie of that domain
// and partition; then, for a partitioned cookie, over the CHIPS
// per-partition byte limit, the domain's expired cookies and then any
// cookie of that domain and partition; then,
// over the total limit, any cookie. Within one priority the cookie with
// the earliest last-access-time goes first. The cookie just stored is
// evicted only if nothing else is left to evict.
func (j *Jar) evictLocked(key string, fresh *item, now time.Time) {
	part := fresh.PartitionKey
	if l := j.limits.PerDomain; l > 0 {
		if b := j.buckets[key]; b != nil && len(b.items) > l && partCount(b, part) > l {
			j.purgeExpiredLocked(key, now)
			for {
				b := j.buckets[key]
				if b == nil || partCount(b, part) <= l {
					break
				}
				i := oldestIn(b, fresh, true, part)
				if i < 0 {
					i = oldestIn(b, fresh, false, part)
				}
				if i < 0 {
					i = indexOf(b, fresh)
				}
				j.removeAtLocked(key, b, i)
			}
		}
	}
	if l := j.limits.PartitionBytes; l > 0 && part != "" {
		if b := j.buckets[key]; b != nil && partBytes(b, part) > l {
			// Expired cookies first, as for the per-domain limit.
			j.purgeExpiredLocked(key, now)
		}
		for {
			b := j.buckets[key]
			if b == nil || partBytes(b, part) <= l || indexOf(b, fresh) < 0 {
				break
			}
			i := oldestIn(b, fresh, false, part)
			if i < 0 {
				i = indexOf(b, fresh)
			}
			j.removeAtLocked(key, b, i)
		}
	}
	if l := j.limits.Total; l > 0 && j.count > l {
		// Expired cookies first, from every bucket; unless none can have
		// expired yet (every expiry-time is at or after expiryFloor), which
		// spares a full jar this walk on every new cookie.
		if !j.expiryFloor.IsZero() && !j.expiryFloor.After(now) {
			j.expiryFloor = time.Time{}
			for k, b := range j.buckets {
				if j.purgeExpiredLocked(k, now) > 0 && j.buckets[k] == nil {
					continue
				}
				for _, it := range b.items {
					j.noteExpiry(it)
				}
			}
		}
		for j.count > l {
			var (
				bk string
				bb *bucket
				bi = -1
			)
			if j.lruOff {
				bk, bb, bi = j.scanVictim(fresh)
			} else {
				bk, bb, bi = j.lruVictim(fresh)
			}
			if bi < 0 {
				bk = key
				bb = j.buckets[key]
				bi = indexOf(bb, fresh)
			}
			j.removeAtLocked(bk, bb, bi)
		}
	}
}

// scanVictim returns the bucket and position of the least recently
// accessed cookie of the jar other than fresh (bi -1 if none), by a walk
// of every bucket.
func (j *Jar) scanVictim(fresh *item) (bk string, bb *bucket, bi int) {
	bi = -1
	var best *item
	for k, b := range j.buckets {
		i := oldestIn(b, fresh, false, anyPartition)
		if i >= 0 && (best == nil || olderAccess(b.items[i], best)) {
			bk, bb, bi, best = k, b, i, b.items[i]
		}
	}
	return bk, bb, bi
}

// lruEntry is a cookie in j.lru with its eviction key (last-access-time,
// insertion) when the list was built.
type lruEntry struct {
	it  *item
	at  time.Time
	seq uint64
}

// lruSize is how many of the least recently accessed cookies a walk of
// the jar remembers for the evictions that follow.
const lruSize = 64

// lruVictim is scanVictim without the walk for most calls: a walk keeps
// the lruSize least recently accessed cookies (j.lru, in eviction order),
// and later evictions take the first that is still stored and unaccessed.
// That is the jar's least recently accessed cookie as long as every cookie
// outside the list comes after the list's last key (lruMaxAt, lruMaxSeq),
// which noteAccess keeps true: a cookie stored or accessed with an earlier
// key joins the list. A full jar thus pays one walk per lruSize new
// cookies, not one each, whatever the order of their last-access-times.
func (j *Jar) lruVictim(fresh *item) (bk string, bb *bucket, bi int) {
	for pass := 0; pass < 2; pass++ {
		if !j.lruValid {
			j.buildLRU()
		}
		for n := 0; n < len(j.lru); {
			e := j.lru[n]
			k := j.keyOf(e.it.Domain)
			b := j.buckets[k]
			i := -1
			if b != nil {
				i = indexOf(b, e.it)
			}
			if i < 0 || !e.it.LastAccess.Equal(e.at) {
				j.lru = slices.Delete(j.lru, n, n+1) // gone or accessed since
				continue
			}
			if e.it == fresh {
				n++
				continue
			}
			j.lru = slices.Delete(j.lru, n, n+1)
			return k, b, i
		}
		j.lruValid = false // used up: walk again
	}
	return "", nil, -1
}

// buildLRU walks the jar and keeps its lruSize least recently accessed
// cookies (fresh ones included) in j.lru: one pass, no allocation beyond
// the list, so a rebuild costs what one walk for the victim did.
func (j *Jar) buildLRU() {
	j.forgetLRU()
	for _, b := range j.buckets {
		for _, it := range b.items {
			j.lruInsert(lruEntry{it, it.LastAccess, it.seq})
		}
	}
	j.lruValid = true
	j.lruBuilds++
}

// lruInsert puts e at its place in j.lru, dropping the list's last entry
// when it would exceed lruSize, and makes the last entry's key the
// list's bound (a lower bound only shrinks: every cookie outside the
// list still comes after it).
func (j *Jar) lruInsert(e lruEntry) {
	n := len(j.lru)
	if n == lruSize && !keyBefore(e.at, e.seq, j.lru[n-1].at, j.lru[n-1].seq) {
		return
	}
	i, _ := slices.BinarySearchFunc(j.lru, e, func(x, e lruEntry) int {
		if keyBefore(x.at, x.seq, e.at, e.seq) {
			return -1
		}
		return 1
	})
	if n == lruSize {
		j.lru[n-1] = lruEntry{}
		j.lru = j.lru[:n-1]
	}
	j.lru = slices.Insert(j.lru, i, e)
	last := j.lru[len(j.lru)-1]
	j.lruMaxAt, j.lruMaxSeq = last.at, last.seq
}

// forgetLRU empties j.lru after a bulk deletion (Clear, ClearDomain,
// EndSession), so that the list keeps no deleted cookie, name and value
// included, alive; the next eviction walks the jar again.
func (j *Jar) forgetLRU() {
	clear(j.lru)
	j.lru = j.lru[:0]
	j.lruValid = false
}

// dropFromLRU removes the deleted cookie it from j.lru, if there.
func (j *Jar) dropFromLRU(it *item) {
	for n, e := range j.lru {
		if e.it == it {
			j.lru = slices.Delete(j.lru, n, n+1)
			return
		}
	}
}

// noteAccess adds it to j.lru when its eviction key (last-access-time,
// insertion) is not after the list's bound: the list would otherwise no
// longer hold the least recently accessed cookies (a cookie imported
// with an old last-access-time, a clock set back, a replacement on a
// fixed clock). Call it for every cookie stored and every
// last-access-time set. An entry the cookie had with an older key is
// stale and skipped.
func (j *Jar) noteAccess(it *item) {
	if j.lruValid && !keyBefore(j.lruMaxAt, j.lruMaxSeq, it.LastAccess, it.seq) {
		j.lruInsert(lruEntry{it, it.LastAccess, it.seq})
	}
}

// keyBefore orders eviction keys as olderAccess does.
func keyBefore(at1 time.Time, seq1 uint64, at2 time.Time, seq2 uint64) bool {
	if !at1.Equal(at2) {
		return at1.Before(at2)
	}
	return seq1 < seq2
}

// olderAccess orders eviction candidates: earliest last-access-time, then
// earliest insertion.
func olderAccess(a, b *item) bool {
	if !a.LastAccess.Equal(b.LastAccess) {
		return a.LastAccess.Before(b.LastAccess)
	}
	return a.seq < b.seq
}

// anyPartition is the oldestIn partition argument that matches every
// cookie; it is not a valid partition key.
const anyPartition = "\x00any"

// oldestIn returns the position of the least recently accessed cookie of b
// other than skip, only among non-secure cookies if nonSecure and only in
// partition part (PartitionKey, "" for unpartitioned cookies) unless part
// is anyPartition; -1 if none.
func oldestIn(b *bucket, skip *item, nonSecure bool, part string) int {
	best := -1
	for i, it := range b.items {
		if it == skip || (nonSecure && it.Secure) || (part != anyPartition && it.PartitionKey != part) {
			continue
		}
		if best < 0 || olderAccess(it, b.items[best]) {
			best = i
		}
	}
	return best
}

// indexOf returns the position of it in b.
func indexOf(b *bucket, it *item) int {
	for i, x := range b.items {
		if x == it {
			return i
		}
	}
	return -1
}

// partCount returns the number of cookies of b in partition part.
func partCount(b *bucket, part string) int {
	n := 0
	for _, it := range b.items {
		if it.PartitionKey == part {
			n++
		}
	}
	return n
}

// partBytes returns the summed len(name)+len(value) of the cookies of b in
// partition part.
func partBytes(b *bucket, part string) int {
	n := 0
	for _, it := range b.items {
		if it.PartitionKey == part {
			n += len(it.Name) + len(it.Value)
		}
	}
	return n
}
