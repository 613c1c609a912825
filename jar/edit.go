package jar

import (
	"sort"
	"strings"
	"time"
)

// All returns copies of every unexpired cookie in the jar, sorted by
// domain, then in retrieval order (longer paths first, then earlier
// creation). It does not change last-access-times.
func (j *Jar) All() []Entry {
	now := j.now()
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.collectLocked(func(*item) bool { return true }, now, false)
}

// Domain returns copies of the unexpired cookies whose Domain is d (either
// host-only for host d, or a domain cookie for d), in the order of All.
// d is canonicalized first (case, IDNA) and a leading dot is ignored.
func (j *Jar) Domain(d string) []Entry {
	d = normDomain(d)
	now := j.now()
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.collectLocked(func(it *item) bool { return it.Domain == d }, now, false)
}

// Remove deletes the cookie with the given domain, path and name (any
// host-only-flag, in every partition and unpartitioned) and reports
// whether one existed.
func (j *Jar) Remove(domain, path, name string) bool {
	domain = normDomain(domain)
	j.mu.Lock()
	defer j.mu.Unlock()
	key := j.keyOf(domain)
	b := j.buckets[key]
	if b == nil {
		return false
	}
	found := false
	for i := 0; i < len(b.items); {
		it := b.items[i]
		if it.Domain == domain && it.Path == path && it.Name == name {
			j.removeAtLocked(key, b, i)
			j.dropFromLRU(it)
			found = true
			if j.buckets[key] == nil {
				break
			}
			continue
		}
		i++
	}
	return found
}

// ClearDomain deletes every cookie whose Domain is d or a subdomain of d
// and returns how many it deleted. An empty d (or ".") names no domain
// and deletes nothing; Clear deletes everything.
func (j *Jar) ClearDomain(d string) int {
	d = normDomain(d)
	if d == "" {
		// Not the parent of every fully qualified name ("x.example."
		// ends in "." + "").
		return 0
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	n := 0
	for key, b := range j.buckets {
		kept := b.items[:0]
		for _, it := range b.items {
			if it.Domain == d || strings.HasSuffix(it.Domain, "."+d) {
				n++
				continue
			}
			kept = append(kept, it)
		}
		for i := len(kept); i < len(b.items); i++ {
			b.items[i] = nil
		}
		b.items = kept
		if len(kept) == 0 {
			delete(j.buckets, key)
		}
	}
	j.count -= n
	if n > 0 {
		j.forgetLRU()
	}
	return n
}

// Clear deletes every cookie.
func (j *Jar) Clear() {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.buckets = make(map[string]*bucket)
	j.count = 0
	j.forgetLRU()
}

// Len returns the number of cookies stored, expired ones not yet evicted
// included.
func (j *Jar) Len() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.count
}

// EndSession removes every session cookie (persistent-flag false), as RFC
// 6265bis section 5.7 requires "when the current session is over".
func (j *Jar) EndSession() {
	j.mu.Lock()
	defer j.mu.Unlock()
	for key, b := range j.buckets {
		kept := b.items[:0]
		for _, it := range b.items {
			if it.Persistent {
				kept = append(kept, it)
			}
		}
		if len(kept) < len(b.items) {
			j.forgetLRU()
		}
		j.count -= len(b.items) - len(kept)
		for i := len(kept); i < len(b.items); i++ {
			b.items[i] = nil
		}
		b.items = kept
		if len(kept) == 0 {
			delete(j.buckets, key)
		}
	}
}

// collectLocked returns copies of the unexpired cookies keep accepts,
// sorted by domain and then retrieval order, or, if byCreation, in creation
// order (the order files are written in, so that a reload, which creates
// cookies in file order, keeps the relative order of equal-length paths).
func (j *Jar) collectLocked(keep func(*item) bool, now time.Time, byCreation bool) []Entry {
	var its []*item
	for _, b := range j.buckets {
		for _, it := range b.items {
			if !it.expired(now) && keep(it) {
				its = append(its, it)
			}
		}
	}
	sort.Slice(its, func(a, b int) bool {
		if byCreation {
			if !its[a].Created.Equal(its[b].Created) {
				return its[a].Created.Before(its[b].Created)
			}
			return its[a].seq < its[b].seq
		}
		if its[a].Domain != its[b].Domain {
			return its[a].Domain < its[b].Domain
		}
		return its[a].before(its[b])
	})
	out := make([]Entry, len(its))
	for i, it := range its {
		out[i] = it.Entry.clone()
	}
	return out
}

// normDomain canonicalizes d as a host name (lower case, A-labels) without
// a leading dot.
func normDomain(d string) string {
	d = strings.TrimPrefix(d, ".")
	if h, ok := canonicalHostname(d); ok {
		return h
	}
	return strings.ToLower(d)
}
