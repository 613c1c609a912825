package app

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestMetricsScrapesShareScans: /metrics needs no login, and each scrape
// counts the sessions of the whole store. Twenty concurrent scrapes must not
// cost twenty walks of the store (an anonymous client could keep the store
// busy with scrapes): they share the scan in progress, as the dashboards do,
// and all report the count.
func TestMetricsScrapesShareScans(t *testing.T) {
	clock := &testClock{tick: true} // no scan is ever fresh: only single flight may share
	_, cs, srv := newScanApp(t, time.Hour, clock, nil)
	alice := newClient(t, srv.URL)
	alice.mustLogin("alice", "alice")
	before, readings := cs.iterates.Load(), clock.n.Load()
	release := cs.block()
	defer release()

	const scrapers = 20
	var wg sync.WaitGroup
	bodies := make([]string, scrapers)
	statuses := make([]int, scrapers)
	for i := range scrapers {
		wg.Go(func() {
			r := newClient(t, srv.URL).get("/metrics")
			statuses[i], bodies[i] = r.status, r.body
		})
	}
	// Wait until every scrape has asked the scan cache (one clock reading
	// each) or walked the store itself.
	deadline := time.Now().Add(10 * time.Second)
	for clock.n.Load()-readings < scrapers && cs.iterates.Load()-before < scrapers {
		if time.Now().After(deadline) {
			t.Fatalf("the scrapes neither asked the scan cache nor walked the store within 10s")
		}
		time.Sleep(time.Millisecond)
	}
	release()
	wg.Wait()
	if n := cs.iterates.Load() - before; n > 2 {
		t.Errorf("%d concurrent scrapes of /metrics walked the store %d times, want them to share one walk", scrapers, n)
	}
	for i := range scrapers {
		if statuses[i] != http.StatusOK || !strings.Contains(bodies[i], "httpstate_sessions_active 1\n") {
			t.Errorf("scrape %d: status %d, want 200 and httpstate_sessions_active 1", i, statuses[i])
		}
	}
}
