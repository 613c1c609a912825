package jar

import (
	"fmt"
	"path/filepath"
	"sync"
	"testing"
)

// TestConcurrentUse runs setters, getters, saves, loads and removals in
// parallel; run with -race. Afterwards the jar's index must be consistent.
func TestConcurrentUse(t *testing.T) {
	j := newTestJar(t, &Options{Limits: &Limits{PerDomain: 30, Total: 100, PartitionBytes: 20}})
	dir := t.TempDir()
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			u := mustURL(fmt.Sprintf("https://h%d.example.com/p/%d", g%3, g))
			for i := 0; i < 200; i++ {
				switch i % 7 {
				case 0, 1:
					j.SetCookieLines(u, []string{fmt.Sprintf("c%d=%d; Max-Age=60", i%40, i), "d=1; Domain=example.com"})
					top := mustURL(fmt.Sprintf("https://top%d.example/", i%3))
					j.SetCookieLinesFor(Request{URL: u, SiteForCookies: top, HTTP: true},
						[]string{fmt.Sprintf("p%d=%d; Secure; SameSite=None; Partitioned", i%5, i)})
				case 2:
					j.CookieHeader(u)
				case 3:
					j.Cookies(u)
				case 4:
					j.Remove(u.Hostname(), "/p", fmt.Sprintf("c%d", i%40))
				case 5:
					if i%35 == 5 {
						// Alternately JSON and cookies.txt, whose writer
						// judges partitioned cookies under j.mu
						// (ownSitePartition) while others store.
						ext := [2]string{"json", "txt"}[i/35%2]
						path := filepath.Join(dir, fmt.Sprintf("g%d.%s", g, ext))
						if err := j.Save(path, nil); err != nil {
							t.Error(err)
							return
						}
						if _, err := j.Load(path); err != nil {
							t.Error(err)
							return
						}
					}
				case 6:
					j.All()
					j.CookiesFor(Request{URL: u, HTTP: false})
				}
			}
		}(g)
	}
	wg.Wait()
	checkInvariants(t, j)
}

// checkInvariants verifies the index: count matches the buckets, every
// cookie sits in its key's bucket in retrieval order, no duplicate keys,
// limits hold.
func checkInvariants(tb testing.TB, j *Jar) {
	tb.Helper()
	j.mu.Lock()
	defer j.mu.Unlock()
	n := 0
	for key, b := range j.buckets {
		if len(b.items) == 0 {
			tb.Errorf("bucket %q is empty but present", key)
		}
		n += len(b.items)
		parts := map[string]bool{}
		for _, it := range b.items {
			parts[it.PartitionKey] = true
			if it.Partitioned != (it.PartitionKey != "") || (it.Partitioned && !it.Secure) {
				tb.Errorf("cookie %q: Partitioned %v, Secure %v, partition key %q", it.Name, it.Partitioned, it.Secure, it.PartitionKey)
			}
			if it.PortBare && len(it.Port) != 1 {
				tb.Errorf("cookie %q: PortBare with Port %v, want the one request port", it.Name, it.Port)
			}
			if len(it.Name)+len(it.Value) > 4096 {
				tb.Errorf("cookie %q: %d octets of name and value", it.Name, len(it.Name)+len(it.Value))
			}
		}
		for part := range parts {
			if l := j.limits.PerDomain; l > 0 && partCount(b, part) > l {
				tb.Errorf("bucket %q partition %q holds %d cookies, limit %d", key, part, partCount(b, part), l)
			}
			if l := j.limits.PartitionBytes; l > 0 && part != "" && partBytes(b, part) > l {
				tb.Errorf("bucket %q partition %q holds %d bytes, limit %d", key, part, partBytes(b, part), l)
			}
		}
		for i, it := range b.items {
			if k := j.keyOf(it.Domain); k != key {
				tb.Errorf("cookie %q of %q in bucket %q, want %q", it.Name, it.Domain, key, k)
			}
			if i > 0 && it.before(b.items[i-1]) {
				tb.Errorf("bucket %q out of retrieval order at %d", key, i)
			}
			for _, o := range b.items[:i] {
				if o.sameKey(&it.Entry) {
					tb.Errorf("duplicate cookie %q %q %q", it.Name, it.Domain, it.Path)
				}
			}
			if it.Path == "" || it.Path[0] != '/' {
				tb.Errorf("cookie %q has path %q", it.Name, it.Path)
			}
			if it.Name == "" && it.Value == "" {
				tb.Error("cookie with empty name and value")
			}
		}
	}
	if n != j.count {
		tb.Errorf("count %d, buckets hold %d", j.count, n)
	}
	if l := j.limits.Total; l > 0 && n > l {
		tb.Errorf("jar holds %d cookies, limit %d", n, l)
	}
	checkLRUInvariants(tb, j)
}

// checkLRUInvariants verifies the remembered eviction list (lruVictim): at
// most lruSize entries, in eviction order, none after its bound, and
// every stored cookie without a current entry has a key after the bound,
// so the list's first current entry is the jar's least recently accessed
// cookie. The caller holds j.mu.
func checkLRUInvariants(tb testing.TB, j *Jar) {
	tb.Helper()
	if len(j.lru) > lruSize {
		tb.Errorf("eviction list of %d entries, over %d", len(j.lru), lruSize)
	}
	if !j.lruValid {
		return
	}
	current := map[*item]bool{}
	for i, e := range j.lru {
		// Equal keys are possible: a replacement keeps the replaced
		// cookie's insertion place, and a clock may stand still.
		if i > 0 && keyBefore(e.at, e.seq, j.lru[i-1].at, j.lru[i-1].seq) {
			tb.Errorf("eviction list out of order at %d", i)
		}
		if keyBefore(j.lruMaxAt, j.lruMaxSeq, e.at, e.seq) {
			tb.Errorf("eviction list entry %d after the list's bound", i)
		}
		if e.it.LastAccess.Equal(e.at) {
			current[e.it] = true
		}
	}
	for _, b := range j.buckets {
		for _, it := range b.items {
			if !current[it] && !keyBefore(j.lruMaxAt, j.lruMaxSeq, it.LastAccess, it.seq) {
				tb.Errorf("cookie %q of %q is not in the eviction list but not after its bound", it.Name, it.Domain)
			}
		}
	}
}
