package jar

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestEvictionMatchesModel checks the eviction order against an oracle
// written from the package doc and RFC 6265bis section 5.7 alone, sharing
// no code with the jar (TestLRUVictimMatchesWalk only compares the jar's
// two victim searches with each other). The model keeps a flat list of
// cookies and, after each store, removes in this order: expired cookies
// (all of them, at once); in the new cookie's registrable domain and
// partition, over Limits.PerDomain, the least recently accessed cookie
// without the secure-only-flag, then any; for a partitioned cookie, over
// Limits.PartitionBytes, the least recently accessed cookie of its domain
// and partition; over Limits.Total, the least recently accessed cookie of
// the jar. Ties in last-access-time go to the earlier insertion (a
// replacement through Set-Cookie keeps the replaced cookie's place, an
// Add does not); the new cookie goes only if nothing else is left. The
// clock often stands still, so ties are common, and only moves forward
// (an expired cookie is then gone for good, in the model as in the RFC).
func TestEvictionMatchesModel(t *testing.T) {
	for _, lim := range []Limits{{PerDomain: 4, Total: 14, PartitionBytes: 12}, {PerDomain: 2, Total: 6, PartitionBytes: 8}} {
		for seed := uint64(1); seed <= 6; seed++ {
			t.Run(fmt.Sprint(lim, seed), func(t *testing.T) { modelHistory(t, lim, seed) })
		}
	}
}

// mCookie is a cookie of the eviction model.
type mCookie struct {
	name, value, domain, part string
	hostOnly, secure, none    bool
	persistent                bool
	expires, access           time.Time
	order                     int
}

type evictModel struct {
	lim   Limits
	cs    []*mCookie
	order int
}

// mSite is the registrable domain of the test's hosts (hN.exM.com and
// exM.com are under exM.com).
func mSite(host string) string {
	l := strings.Split(host, ".")
	return strings.Join(l[len(l)-2:], ".")
}

func (m *evictModel) expire(now time.Time) {
	m.cs = slices.DeleteFunc(m.cs, func(c *mCookie) bool { return c.persistent && !c.expires.After(now) })
}

// lru returns the least recently accessed cookie other than fresh among
// those keep accepts, or nil.
func (m *evictModel) lru(fresh *mCookie, keep func(*mCookie) bool) *mCookie {
	var best *mCookie
	for _, c := range m.cs {
		if c == fresh || !keep(c) {
			continue
		}
		if best == nil || c.access.Before(best.access) || (c.access.Equal(best.access) && c.order < best.order) {
			best = c
		}
	}
	return best
}

func (m *evictModel) remove(c *mCookie) {
	m.cs = slices.DeleteFunc(m.cs, func(x *mCookie) bool { return x == c })
}

// store applies one cookie at now: replace (keepOrder: a Set-Cookie
// replacement keeps the old cookie's insertion place), delete when
// expired, then evict.
func (m *evictModel) store(c *mCookie, keepOrder bool, now time.Time) {
	m.expire(now)
	for _, o := range m.cs {
		if o.name == c.name && o.domain == c.domain && o.hostOnly == c.hostOnly && o.part == c.part {
			m.remove(o)
			if keepOrder {
				c.order = o.order
			}
			break
		}
	}
	if c.persistent && !c.expires.After(now) {
		return
	}
	if c.order == 0 {
		m.order++
		c.order = m.order
	}
	m.cs = append(m.cs, c)
	site := mSite(c.domain)
	inPart := func(x *mCookie) bool { return mSite(x.domain) == site && x.part == c.part }
	count := func(keep func(*mCookie) bool) (n, bytes int) {
		for _, x := range m.cs {
			if keep(x) {
				n++
				bytes += len(x.name) + len(x.value)
			}
		}
		return n, bytes
	}
	has := func(x *mCookie) bool { return slices.Contains(m.cs, x) }
	if l := m.lim.PerDomain; l > 0 {
		for n, _ := count(inPart); n > l; n, _ = count(inPart) {
			v := m.lru(c, func(x *mCookie) bool { return inPart(x) && !x.secure })
			if v == nil {
				v = m.lru(c, inPart)
			}
			if v == nil {
				v = c
			}
			m.remove(v)
		}
	}
	if l := m.lim.PartitionBytes; l > 0 && c.part != "" {
		for _, b := count(inPart); b > l && has(c); _, b = count(inPart) {
			v := m.lru(c, inPart)
			if v == nil {
				v = c
			}
			m.remove(v)
		}
	}
	if l := m.lim.Total; l > 0 {
		for len(m.cs) > l {
			v := m.lru(c, func(*mCookie) bool { return true })
			if v == nil {
				v = c
			}
			m.remove(v)
		}
	}
}

// header returns the sorted name=value pairs the model sends to host
// with partition key part, same-site or not, and marks them accessed.
func (m *evictModel) header(host, part string, same bool, now time.Time) []string {
	m.expire(now)
	var out []string
	for _, c := range m.cs {
		if c.hostOnly && c.domain != host || !c.hostOnly && host != c.domain && !strings.HasSuffix(host, "."+c.domain) {
			continue
		}
		if c.part != "" && c.part != part || !same && !c.none {
			continue
		}
		c.access = now
		out = append(out, c.name+"="+c.value)
	}
	slices.Sort(out)
	return out
}

func headerPairs(h string) []string {
	if h == "" {
		return nil
	}
	s := strings.Split(h, "; ")
	slices.Sort(s)
	return s
}

func modelHistory(t *testing.T, lim Limits, seed uint64) {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	j, err := New(&Options{Limits: &lim, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	m := &evictModel{lim: lim}
	r := rand.New(rand.NewPCG(seed, 11))
	host := func() string { return fmt.Sprintf("h%d.ex%d.com", r.IntN(2), r.IntN(8)) }
	top := func() string { return fmt.Sprintf("top%d.com", r.IntN(3)) }
	for step := 0; step < 3000; step++ {
		var op string
		switch n := r.IntN(100); {
		case n < 50: // Set-Cookie
			h := host()
			c := &mCookie{name: fmt.Sprintf("c%d", r.IntN(5)), value: fmt.Sprint(r.IntN(1000)), domain: h, hostOnly: true, access: now}
			line := c.name + "=" + c.value
			if r.IntN(3) == 0 {
				c.domain, c.hostOnly = mSite(h), false
				line += "; Domain=" + c.domain
			}
			if r.IntN(3) == 0 {
				age := r.IntN(6)
				c.persistent, c.expires = true, now.Add(time.Duration(age)*time.Second)
				line += fmt.Sprintf("; Max-Age=%d", age)
			}
			req := Request{URL: mustURL("https://" + h + "/"), HTTP: true}
			cross := r.IntN(3) == 0
			if cross || r.IntN(2) == 0 {
				c.secure, c.none = true, true
				line += "; Secure; SameSite=None"
			} else if r.IntN(2) == 0 {
				c.secure = true
				line += "; Secure"
			}
			if c.secure && (cross || r.IntN(3) == 0) {
				line += "; Partitioned"
				c.part = "https://" + mSite(h)
				if cross {
					tp := top()
					req.SiteForCookies = mustURL("https://" + tp + "/")
					c.part = "https://" + tp
				}
			}
			op = fmt.Sprintf("set %s (site for cookies %v) %s", h, req.SiteForCookies, line)
			j.SetCookieLinesFor(req, []string{line})
			m.store(c, true, now)
		case n < 78: // retrieval
			h := host()
			req := Request{URL: mustURL("https://" + h + "/"), HTTP: true}
			part, same := "https://"+mSite(h), true
			if r.IntN(3) == 0 {
				tp := top()
				req.SiteForCookies = mustURL("https://" + tp + "/")
				part, same = "https://"+tp, false
			}
			op = fmt.Sprintf("get %s (site for cookies %v)", h, req.SiteForCookies)
			got, want := headerPairs(j.CookieHeaderFor(req)), m.header(h, part, same, now)
			if !slices.Equal(got, want) {
				t.Fatalf("step %d %s: jar sends %q, model %q", step, op, got, want)
			}
		case n < 86: // Add, with a last-access-time in the past or future
			h := host()
			c := &mCookie{name: fmt.Sprintf("a%d", r.IntN(3)), value: "v", domain: h, hostOnly: true,
				access: now.Add(time.Duration(r.IntN(20)-10) * time.Second)}
			if r.IntN(2) == 0 {
				c.persistent, c.expires = true, now.Add(time.Duration(r.IntN(6)+1)*time.Second)
			}
			e := Entry{Name: c.name, Value: c.value, Domain: h, HostOnly: true, Path: "/",
				Persistent: c.persistent, Expires: c.expires, LastAccess: c.access}
			op = fmt.Sprintf("add %s %s last access %v", h, c.name, c.access)
			if err := j.Add(e); err != nil {
				t.Fatal(err)
			}
			m.store(c, false, now)
		default:
			d := time.Duration(r.IntN(3)) * time.Second
			now = now.Add(d)
			op = fmt.Sprint("clock +", d)
		}
		m.expire(now)
		var got, want []string
		for _, e := range j.All() {
			got = append(got, fmt.Sprintf("%s %v %s %s=%s", e.Domain, e.HostOnly, e.PartitionKey, e.Name, e.Value))
		}
		for _, c := range m.cs {
			want = append(want, fmt.Sprintf("%s %v %s %s=%s", c.domain, c.hostOnly, c.part, c.name, c.value))
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Fatalf("step %d (%s): jar holds\n%s\nmodel\n%s", step, op, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
}

// TestPartitionBytesExpiredFirst: over the per-partition byte limit, an
// expired cookie of the partition goes before a live one, as for every
// other limit (RFC 6265bis section 5.7 evicts expired cookies first). The
// live least recently accessed cookie was evicted while the expired one
// still counted.
func TestPartitionBytesExpiredFirst(t *testing.T) {
	j, clock := limitJar(t, Limits{PartitionBytes: 10})
	req := Request{URL: mustURL("https://a.example/"), SiteForCookies: mustURL("https://top.example/"), HTTP: true}
	const attrs = "; Secure; SameSite=None; Partitioned"
	j.SetCookieLinesFor(req, []string{"a=1234567" + attrs})           // least recently accessed, live
	j.SetCookieLinesFor(req, []string{"b=1" + attrs + "; Max-Age=1"}) // expires first
	clock.Advance(2 * time.Second)
	j.SetCookieLinesFor(req, []string{"c=1" + attrs}) // 8+2+2 bytes with b, 10 without
	if got := j.CookieHeaderFor(req); got != "a=1234567; c=1" {
		t.Errorf("got %q, want a=1234567; c=1 (b expired; a fits)", got)
	}
}
