package jar

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestTimesAreWallClock checks that the jar keeps no monotonic clock
// readings in its times. time.Now carries one, and Go compares two times
// that both have one by it alone: the monotonic clock stands still while
// the machine is suspended (and ignores a corrected system clock), so a
// Max-Age=3600 cookie set before a two-hour suspend was still sent after
// it. Expiry is a wall-clock matter (RFC 6265bis section 5.7), as in
// browsers and in the jar's files. It failed before: Created, LastAccess
// and Expires carried "m=+..." readings.
func TestTimesAreWallClock(t *testing.T) {
	j, _ := New(nil) // the system clock, monotonic readings included
	u := mustURL("https://example.com/")
	j.SetCookieLines(u, []string{"a=1; Max-Age=3600"})
	j.SetCookies(u, nil)
	j.CookieHeader(u) // updates LastAccess
	if err := j.Add(Entry{Name: "b", Value: "2", Domain: "example.com", Path: "/"}); err != nil {
		t.Fatal(err)
	}
	checkWallClockOnly(t, j, 2)
}

// TestCallerTimesAreWallClock: times a caller hands in (an Entry's for
// Add, an http.Cookie's Expires for SetCookies) are stored without their
// monotonic reading too; time.Now().Add(time.Hour) has one, and Go
// compares two times that both carry one by it alone.
func TestCallerTimesAreWallClock(t *testing.T) {
	j, _ := New(nil)
	u := mustURL("https://example.com/")
	j.SetCookies(u, []*http.Cookie{{Name: "s", Value: "1", Expires: time.Now().Add(time.Hour)}})
	now := time.Now()
	if err := j.Add(Entry{Name: "b", Value: "2", Domain: "example.com", Path: "/", Persistent: true,
		Expires: now.Add(time.Hour), Created: now, LastAccess: now}); err != nil {
		t.Fatal(err)
	}
	checkWallClockOnly(t, j, 2)
}

// checkWallClockOnly checks that j holds want cookies and that none of
// their Created, LastAccess and Expires carries a monotonic clock reading.
func checkWallClockOnly(t *testing.T, j *Jar, want int) {
	t.Helper()
	es := j.All()
	if len(es) != want {
		t.Fatalf("stored %d cookies, want %d", len(es), want)
	}
	for _, e := range es {
		for what, tm := range map[string]time.Time{"Created": e.Created, "LastAccess": e.LastAccess, "Expires": e.Expires} {
			if strings.Contains(tm.String(), " m=") {
				t.Errorf("cookie %q: %s %v has a monotonic clock reading", e.Name, what, tm)
			}
		}
	}
}
