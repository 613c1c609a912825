package jar

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/httpstate/httpstate/internal/testutil"
)

// limitJar returns a jar with the given limits on a clock the test moves.
func limitJar(tb testing.TB, l Limits) (*Jar, *testutil.Clock) {
	tb.Helper()
	clock := testutil.NewClock(tNow)
	j, err := New(&Options{Limits: &l, Now: clock.Now})
	if err != nil {
		tb.Fatal(err)
	}
	return j, clock
}

// names returns the cookie names of the jar's host h, sorted by All.
func names(j *Jar, h string) string {
	var s []string
	for _, e := range j.All() {
		if e.Domain == h {
			s = append(s, e.Name)
		}
	}
	return strings.Join(s, ",")
}

func TestLimitPerDomainEvictsLeastRecentlyAccessed(t *testing.T) {
	j, clock := limitJar(t, Limits{PerDomain: 3, Total: 100})
	u := mustURL("https://a.example.com/")
	for _, n := range []string{"1", "2", "3"} {
		j.SetCookieLines(u, []string{"c" + n + "=v; Path=/" + n})
		clock.Advance(time.Second)
	}
	j.CookieHeader(mustURL("https://a.example.com/1")) // c2 is now least recently accessed
	clock.Advance(time.Second)
	j.SetCookieLines(u, []string{"c4=v"})
	if got := names(j, "a.example.com"); got != "c1,c3,c4" {
		t.Errorf("after 4th cookie got %s, want c1,c3,c4 (c2 evicted)", got)
	}
	// Another host of the same registrable domain counts against the
	// same limit.
	clock.Advance(time.Second)
	j.SetCookieLines(mustURL("https://b.example.com/"), []string{"b1=v"})
	if got := names(j, "a.example.com") + "|" + names(j, "b.example.com"); got != "c1,c4|b1" {
		t.Errorf("after b1 got %s, want c1,c4|b1 (c3 evicted)", got)
	}
}

func TestLimitEvictsByLastAccessNotCreation(t *testing.T) {
	j, clock := limitJar(t, Limits{PerDomain: 2, Total: 100})
	u := mustURL("http://example.com/")
	j.SetCookieLines(u, []string{"old=1; Path=/a"})
	clock.Advance(time.Second)
	j.SetCookieLines(u, []string{"young=1; Path=/b"})
	clock.Advance(time.Second)
	j.CookieHeader(mustURL("http://example.com/a")) // old is now the most recently used
	clock.Advance(time.Second)
	j.SetCookieLines(u, []string{"new=1"})
	if got := names(j, "example.com"); got != "old,new" {
		t.Errorf("got %s, want old,new (young was least recently accessed)", got)
	}
}

func TestLimitPrefersNonSecure(t *testing.T) {
	// RFC 6265bis section 5.7: over the per-domain limit, cookies whose
	// secure-only-flag is false go first.
	j, clock := limitJar(t, Limits{PerDomain: 2, Total: 100})
	u := mustURL("https://example.com/")
	j.SetCookieLines(u, []string{"sec=1; Secure"})
	clock.Advance(time.Second)
	j.SetCookieLines(u, []string{"plain=1"})
	clock.Advance(time.Second)
	j.SetCookieLines(u, []string{"new=1; Secure"})
	if got := names(j, "example.com"); got != "sec,new" {
		t.Errorf("got %s, want sec,new (the non-secure cookie evicted first)", got)
	}
}

func TestLimitExpiredFirst(t *testing.T) {
	j, clock := limitJar(t, Limits{PerDomain: 2, Total: 100})
	u := mustURL("http://example.com/")
	j.SetCookieLines(u, []string{"keep=1"})
	clock.Advance(time.Second)
	j.SetCookieLines(u, []string{"short=1; Max-Age=5"})
	clock.Advance(10 * time.Second)
	j.SetCookieLines(u, []string{"new=1"})
	if got := names(j, "example.com"); got != "keep,new" {
		t.Errorf("got %s, want keep,new (expired cookie evicted, not the LRU one)", got)
	}
}

func TestLimitTotal(t *testing.T) {
	j, clock := limitJar(t, Limits{PerDomain: 10, Total: 5})
	for i := 0; i < 5; i++ {
		j.SetCookieLines(mustURL(fmt.Sprintf("http://site%d.example/", i)), []string{"c=1"})
		clock.Advance(time.Second)
	}
	// Touch site0 so that site1 is the least recently accessed overall.
	j.CookieHeader(mustURL("http://site0.example/"))
	clock.Advance(time.Second)
	j.SetCookieLines(mustURL("http://site9.example/"), []string{"c=1"})
	if got := j.Len(); got != 5 {
		t.Fatalf("Len got %d, want 5", got)
	}
	if got := j.CookieHeader(mustURL("http://site1.example/")); got != "" {
		t.Errorf("site1 got %q, want evicted", got)
	}
	for _, h := range []string{"site0", "site2", "site9"} {
		if got := j.CookieHeader(mustURL("http://" + h + ".example/")); got != "c=1" {
			t.Errorf("%s got %q, want kept", h, got)
		}
	}
}

func TestLimitTotalExpiredFirst(t *testing.T) {
	j, clock := limitJar(t, Limits{PerDomain: 10, Total: 3})
	j.SetCookieLines(mustURL("http://a.example/"), []string{"c=1"})
	j.SetCookieLines(mustURL("http://b.example/"), []string{"c=1; Max-Age=1"})
	j.SetCookieLines(mustURL("http://c.example/"), []string{"c=1"})
	clock.Advance(2 * time.Second)
	j.SetCookieLines(mustURL("http://d.example/"), []string{"c=1"})
	if got := j.CookieHeader(mustURL("http://a.example/")); got != "c=1" {
		t.Errorf("a got %q, want kept (the expired b goes first)", got)
	}
	if got := j.Len(); got != 3 {
		t.Errorf("Len got %d, want 3", got)
	}
}

func TestNetscapeLimits(t *testing.T) {
	j, clock := limitJar(t, Netscape)
	u := mustURL("http://example.com/")
	for i := 0; i < 25; i++ {
		j.SetCookieLines(u, []string{fmt.Sprintf("c%02d=v", i)})
		clock.Advance(time.Second)
	}
	if got := len(j.Domain("example.com")); got != 20 {
		t.Errorf("Netscape per-domain got %d, want 20", got)
	}
	if got := j.Domain("example.com")[0].Name; got != "c05" {
		t.Errorf("oldest kept got %s, want c05", got)
	}
	for i := 0; i < 20; i++ {
		j.SetCookieLines(mustURL(fmt.Sprintf("http://s%d.example/", i)), []string{"a=1", "b=2", "c=3", "d=4", "e=5", "f=6", "g=7", "h=8", "i=9", "j=10", "k=11", "l=12", "m=13", "n=14", "o=15", "p=16"})
	}
	if got := j.Len(); got != 300 {
		t.Errorf("Netscape total got %d, want 300", got)
	}
	big := strings.Repeat("x", 4096)
	j.SetCookieLines(u, []string{"a=" + big})
	if strings.Contains(j.CookieHeader(u), big) {
		t.Error("a cookie of 4097 bytes (name+value) was stored")
	}
	j.SetCookieLines(u, []string{"a=" + big[1:]})
	if !strings.Contains(j.CookieHeader(u), big[1:]) {
		t.Error("a cookie of 4096 bytes (name+value) was not stored")
	}
}

func TestDefaultLimits(t *testing.T) {
	j, _ := limitJar(t, DefaultLimits)
	u := mustURL("http://example.com/")
	for i := 0; i < 200; i++ {
		j.SetCookieLines(u, []string{fmt.Sprintf("c%03d=v", i)})
	}
	if got := j.Len(); got != 180 {
		t.Errorf("default per-domain got %d, want 180", got)
	}
	if DefaultLimits.Total != 3300 {
		t.Errorf("DefaultLimits.Total got %d, want 3300", DefaultLimits.Total)
	}
	small, _ := limitJar(t, Limits{MaxCookieBytes: 10})
	small.SetCookieLines(u, []string{"abc=1234567", "abc=12345678"})
	if got := small.CookieHeader(u); got != "abc=1234567" {
		t.Errorf("MaxCookieBytes 10 got %q, want abc=1234567", got)
	}
}
