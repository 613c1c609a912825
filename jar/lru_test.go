package jar

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// TestLRUVictimMatchesWalk runs one random history of stores, retrievals,
// Adds (with old and future last-access-times), removals and clock steps
// (backwards too) on two jars with small limits: one evicting over the
// total limit through the remembered list (lruVictim), one walking the
// jar each time (scanVictim, what the jar always did). Their cookies must
// stay identical after every step: the list is a cache, never a policy.
func TestLRUVictimMatchesWalk(t *testing.T) {
	for seed := uint64(1); seed <= 8; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) { lruHistory(t, seed) })
	}
}

func lruHistory(t *testing.T, seed uint64) {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	lim := Limits{PerDomain: 4, Total: 12}
	a, _ := New(&Options{Limits: &lim, Now: clock})
	b, _ := New(&Options{Limits: &lim, Now: clock})
	b.lruOff = true
	r := rand.New(rand.NewPCG(seed, 7))
	host := func() string { return fmt.Sprintf("h%d.example%d.com", r.IntN(3), r.IntN(20)) }
	for step := 0; step < 2000; step++ {
		var op string
		switch n := r.IntN(100); {
		case n < 45:
			h, line := host(), fmt.Sprintf("c%d=%d", r.IntN(6), step)
			switch r.IntN(4) {
			case 0:
				line += fmt.Sprintf("; Max-Age=%d", r.IntN(5))
			case 1:
				line += "; Domain=" + h[3:]
			}
			op = "set " + h + " " + line
			for _, j := range []*Jar{a, b} {
				j.SetCookieLines(mustURL("http://"+h+"/"), []string{line})
			}
		case n < 75:
			h := host()
			op = "get " + h
			ha, hb := a.CookieHeader(mustURL("http://"+h+"/")), b.CookieHeader(mustURL("http://"+h+"/"))
			if ha != hb {
				t.Fatalf("step %d %s: Cookie %q vs %q", step, op, ha, hb)
			}
		case n < 85:
			e := Entry{Name: fmt.Sprintf("a%d", r.IntN(4)), Value: "v", Domain: host(), HostOnly: true, Path: "/",
				LastAccess: now.Add(time.Duration(r.IntN(200)-100) * time.Second)}
			if r.IntN(2) == 0 {
				e.Persistent, e.Expires = true, now.Add(time.Duration(r.IntN(10)+1)*time.Second)
			}
			op = fmt.Sprintf("add %+v", e)
			for _, j := range []*Jar{a, b} {
				if err := j.Add(e); err != nil {
					t.Fatal(err)
				}
			}
		case n < 97:
			d := time.Duration(r.IntN(4)) * time.Second
			if r.IntN(10) == 0 {
				d = -d
			}
			now = now.Add(d)
			op = fmt.Sprint("clock ", d)
		case n < 99:
			h := host()
			op = "remove " + h
			a.Remove(h, "/", "c1")
			b.Remove(h, "/", "c1")
		default:
			op = "clear"
			a.Clear()
			b.Clear()
		}
		if a.Len() != b.Len() || step%7 == 0 {
			if ea, eb := a.All(), b.All(); !sameEntries(ea, eb) {
				t.Fatalf("step %d (%s): jars differ:\n%+v\n%+v", step, op, ea, eb)
			}
		}
		if step%10 == 0 {
			checkInvariants(t, a)
		}
	}
}

// TestLRUVictimAfterReplace: on a fixed clock, a replaced cookie keeps its
// insertion position (RFC 6265bis section 5.7 step 23) and so its place in
// the eviction order among cookies accessed at the same instant; the
// remembered list must not skip it.
func TestLRUVictimAfterReplace(t *testing.T) {
	for _, off := range []bool{false, true} {
		j, _ := limitJar(t, Limits{PerDomain: 10, Total: 3})
		j.lruOff = off
		for _, h := range []string{"a", "b", "c", "d"} { // d evicts a
			j.SetCookieLines(mustURL("http://"+h+".example/"), []string{"x=1"})
		}
		j.SetCookieLines(mustURL("http://b.example/"), []string{"x=2"}) // replaced: still before c
		j.SetCookieLines(mustURL("http://e.example/"), []string{"x=1"}) // evicts b
		var got []string
		for _, e := range j.All() {
			got = append(got, e.Domain)
		}
		if fmt.Sprint(got) != "[c.example d.example e.example]" {
			t.Errorf("lruOff %v: kept %v, want c, d and e", off, got)
		}
	}
}

// TestLRUForgetsDeleted: the remembered eviction list holds no cookie
// that Clear, ClearDomain, EndSession or Remove deleted (it kept them,
// names and values included, alive until the next eviction), and
// eviction order stays right after each.
func TestLRUForgetsDeleted(t *testing.T) {
	listed := func(j *Jar) []*item {
		j.mu.Lock()
		defer j.mu.Unlock()
		var its []*item
		for _, e := range j.lru[:cap(j.lru)] {
			if e.it != nil {
				its = append(its, e.it)
			}
		}
		return its
	}
	stored := func(j *Jar, it *item) bool {
		j.mu.Lock()
		defer j.mu.Unlock()
		b := j.buckets[j.keyOf(it.Domain)]
		return b != nil && indexOf(b, it) >= 0
	}
	fill := func() *Jar {
		j, _ := limitJar(t, Limits{PerDomain: 10, Total: 4})
		for i := range 6 { // two evictions through the list
			j.SetCookieLines(mustURL(fmt.Sprintf("http://h%d.example/", i)), []string{"x=1"})
		}
		if len(listed(j)) == 0 {
			t.Fatal("no eviction list built")
		}
		return j
	}
	for name, del := range map[string]func(*Jar){
		"Clear":       func(j *Jar) { j.Clear() },
		"ClearDomain": func(j *Jar) { j.ClearDomain("h2.example") },
		"EndSession":  func(j *Jar) { j.EndSession() },
		"Remove":      func(j *Jar) { j.Remove("h3.example", "/", "x") },
	} {
		j := fill()
		del(j)
		for _, it := range listed(j) {
			if !stored(j, it) {
				t.Errorf("%s: the eviction list still holds deleted cookie %s %s", name, it.Domain, it.Name)
			}
		}
		checkInvariants(t, j)
	}
}

// TestLRUOldLastAccessNoRewalk: cookies stored with last-access-times
// older than every stored one (a file whose entries get older line by
// line, a clock set back) join the remembered eviction list instead of
// dropping it. Dropping it made every eviction of such an import walk and
// sort the whole jar, several times the cost of the plain walk the list
// replaced. The list never grows past lruSize.
func TestLRUOldLastAccessNoRewalk(t *testing.T) {
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, desc := range []bool{true, false} {
		j, err := New(&Options{Limits: &Limits{Total: 100}, Now: func() time.Time { return base }})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := New(&Options{Limits: &Limits{Total: 100}, Now: func() time.Time { return base }})
		b.lruOff = true
		const n = 2000
		for i := range n {
			d := time.Duration(i) * time.Second
			if desc {
				d = -d
			}
			e := Entry{Name: "a", Value: "b", Domain: fmt.Sprintf("s%d.example", i), HostOnly: true, Path: "/", LastAccess: base.Add(d)}
			for _, x := range []*Jar{j, b} {
				if err := x.Add(e); err != nil {
					t.Fatal(err)
				}
			}
			if len(j.lru) > lruSize {
				t.Fatalf("eviction list of %d entries, over %d", len(j.lru), lruSize)
			}
		}
		if !sameEntries(j.All(), b.All()) {
			t.Fatalf("descending %v: the list kept other cookies than the walk", desc)
		}
		if max := (n-100)/lruSize + 2; j.lruBuilds > max {
			t.Errorf("descending %v: %d walks of the jar for %d evictions, want at most %d", desc, j.lruBuilds, n-100, max)
		}
	}
}
