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

// TestMetricsScrapesShareScansDespiteEvents: anyone can make a session
// event (a GET / without a cookie creates a session). A scrape after an
// event must still join the walk in progress rather than start its own, or
// alternating new sessions and scrapes would run as many walks at once as
// there are scrapes, as before /metrics shared the scans.
func TestMetricsScrapesShareScansDespiteEvents(t *testing.T) {
	clock := &testClock{calls: make(chan int64, 100)}
	a, cs, srv := newScanApp(t, time.Hour, clock, nil)
	release := cs.block()
	defer release()
	before := cs.iterates.Load()

	const scrapers = 10
	var wg sync.WaitGroup
	statuses := make([]int, scrapers)
	for i := range scrapers {
		gen := a.hub.generation()
		if r := newClient(t, srv.URL).get("/"); r.status != http.StatusOK {
			t.Fatalf("GET /: status %d", r.status)
		}
		if a.hub.generation() == gen {
			t.Fatal("GET / without a cookie made no session event")
		}
		wg.Go(func() { statuses[i] = newClient(t, srv.URL).get("/metrics").status })
		waitCalls(t, clock, 1) // this scrape has asked the scan cache
	}
	walks := cs.iterates.Load() - before
	release()
	wg.Wait()
	if walks > 1 {
		t.Errorf("%d scrapes, each after a new session, started %d walks of the store at once, want them to share one", scrapers, walks)
	}
	for i, s := range statuses {
		if s != http.StatusOK {
			t.Errorf("scrape %d: status %d, want 200", i, s)
		}
	}
}
