package jar

import (
	"testing"
	"time"
)

// TestLimitTotalExpiredFirstAfterReplace checks the shortcut that spares a
// full jar its walk for expired cookies on every new cookie (the walk is
// skipped while no stored expiry-time can have passed): a cookie whose
// replacement shortened its life, and a cookie added with Add, are still
// known to the shortcut, so once they expire they go before the least
// recently accessed live cookie, as RFC 6265bis section 5.7 orders.
func TestLimitTotalExpiredFirstAfterReplace(t *testing.T) {
	t.Run("replace", func(t *testing.T) { testExpiredFirstAfterReplace(t, false) })
	t.Run("replace and Add", func(t *testing.T) { testExpiredFirstAfterReplace(t, true) })
}

func testExpiredFirstAfterReplace(t *testing.T, add bool) {
	j, clock := limitJar(t, Limits{PerDomain: 10, Total: 4})
	j.SetCookieLines(mustURL("http://a.example/"), []string{"c=1"})                // least recently accessed
	j.SetCookieLines(mustURL("http://b.example/"), []string{"c=1; Max-Age=10000"}) // then shortened
	want := map[string]string{"a": "c=1", "b": "", "c": "c=1", "d": "c=1", "f": "c=1"}
	if add {
		if err := j.Add(Entry{Name: "c", Value: "1", Domain: "e.example", HostOnly: true, Path: "/",
			Persistent: true, Expires: clock.Now().Add(2 * time.Second)}); err != nil {
			t.Fatal(err)
		}
		want["e"] = ""
	} else {
		j.SetCookieLines(mustURL("http://g.example/"), []string{"c=1; Max-Age=10000"})
		want["a"] = "" // one cookie short of room: the LRU live one goes too
	}
	j.SetCookieLines(mustURL("http://c.example/"), []string{"c=1"})
	clock.Advance(time.Second)
	j.SetCookieLines(mustURL("http://b.example/"), []string{"c=2; Max-Age=1"}) // replaced: expires sooner
	clock.Advance(5 * time.Second)
	j.SetCookieLines(mustURL("http://d.example/"), []string{"c=1"})
	j.SetCookieLines(mustURL("http://f.example/"), []string{"c=1"})
	// b (and e) expired: they made room for d and f first.
	for h, w := range want {
		if got := j.CookieHeader(mustURL("http://" + h + ".example/")); got != w {
			t.Errorf("%s.example got %q, want %q", h, got, w)
		}
	}
	if got := j.Len(); got != 4 {
		t.Errorf("Len %d, want 4", got)
	}
}

// TestExpiryExactlyAtBoundary: a cookie whose expiry-time equals the
// current time is expired (RFC 6265bis section 5.7: "an expiry date in the
// past"; the jar counts the instant itself, as its files' whole seconds
// need): it is not sent, and over the total limit it goes before the
// least recently accessed live cookie, through the expiry-time shortcut
// too.
func TestExpiryExactlyAtBoundary(t *testing.T) {
	j, clock := limitJar(t, Limits{Total: 2})
	j.SetCookieLines(mustURL("http://a.example/"), []string{"c=1"})            // least recently accessed
	j.SetCookieLines(mustURL("http://b.example/"), []string{"c=1; Max-Age=5"}) // expires at +5s
	clock.Advance(5 * time.Second)
	j.SetCookieLines(mustURL("http://c.example/"), []string{"c=1"})
	for h, w := range map[string]string{"a": "c=1", "b": "", "c": "c=1"} {
		if got := j.CookieHeader(mustURL("http://" + h + ".example/")); got != w {
			t.Errorf("%s.example got %q, want %q", h, got, w)
		}
	}
	if got := j.Len(); got != 2 {
		t.Errorf("Len %d, want 2", got)
	}
}
