package app

import (
	"net/http"
	"testing"
	"time"
)

// TestEventStreamBurstOfEvents: every session created on this instance (a
// GET / by anyone, no login needed) wakes the open dashboards, and a woken
// dashboard walks the store again. A stream of new sessions must not make an
// open dashboard walk the store once per event, back to back: a dashboard
// takes at most one snapshot per minSnapshotGap, the events in between
// coalesced into the next.
func TestEventStreamBurstOfEvents(t *testing.T) {
	clock := &testClock{} // scans stay fresh: only events force a walk
	a, cs, srv := newScanApp(t, time.Hour, clock, nil)
	admin := newClient(t, srv.URL)
	admin.mustLogin("admin", "admin")
	events := admin.stream("/dashboard/events")
	nextSnapshot(t, events, func(s *snapshot) bool { return s.Active == 1 })

	before := cs.iterates.Load()
	start := time.Now()
	created := 0
	for time.Since(start) < time.Second {
		// Each GET / of a new visitor creates a session: one event.
		if r := newClient(t, srv.URL).get("/"); r.status != http.StatusOK {
			t.Fatalf("GET /: status %d", r.status)
		}
		created++
	}
	elapsed := time.Since(start)
	walks := cs.iterates.Load() - before
	t.Logf("%d sessions created in %v: %d walks of the store", created, elapsed, walks)
	if limit := int64(elapsed/a.snapshotGap) + 3; walks > limit {
		t.Errorf("%d sessions created in %v made one open dashboard walk the store %d times, want at most %d (one per %v)",
			created, elapsed, walks, limit, a.snapshotGap)
	}
	// The events are coalesced, not lost: the last session shows up.
	nextSnapshot(t, events, func(s *snapshot) bool { return s.Active == created+1 })
}
