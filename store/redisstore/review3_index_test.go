package redisstore_test

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestPlaceholderOutlivesSet: a Create whose late principal entries fail
// reports the session made because preIndex's placeholder lists it; the
// placeholder must then live as long as the session. It went into the
// principal's existing set, whose TTL (set by older sessions, here an hour
// of it gone) ended before the new session's deadline: from then on "log
// out everywhere" missed a session Create had reported made.
func TestPlaceholderOutlivesSet(t *testing.T) {
	for _, cluster := range []bool{false, true} {
		t.Run(map[bool]string{false: "one server", true: "cluster"}[cluster], func(t *testing.T) {
			c := newClient(t, cluster)
			s, clock, logs := newLoggedStore(t, c)
			bg := context.Background()
			createAll(t, s, "alice", clock.Now(), "a")
			// An hour later: the set has an hour less to live (and
			// half an hour less, so that the test does not hang on
			// milliseconds).
			clock.Advance(time.Hour)
			const pk = "t:p:{alice}"
			left := c.PTTL(bg, pk).Val() - 90*time.Minute
			if err := c.PExpire(bg, pk, left).Err(); err != nil {
				t.Fatal(err)
			}
			h := &indexFaultHook{key: "t:expiry"} // the late pipeline: every entry fails
			c.AddHook(h)
			r := record("k", "alice", clock.Now())
			if err := s.Create(bg, r); err != nil {
				t.Fatal(err)
			}
			if !h.fired.Load() || !strings.Contains(logs.String(), "index") {
				t.Fatalf("the late entries did not fail (log %q): the test proves nothing", logs.String())
			}
			need := r.Deadline.Sub(clock.Now()) // and the grace
			if got := c.PTTL(bg, pk).Val(); got < need {
				t.Errorf("alice's index lives %v more, k until its deadline %v from now: ByPrincipal would miss it", got, need)
			}
			// a is idle for an hour by now: k alone is live.
			if ms := principalMetas(t, s, "alice"); len(ms) != 1 || ms[0].Key != "k" {
				t.Errorf("ByPrincipal = %v, want k", ms)
			}
		})
	}
}
