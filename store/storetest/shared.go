package storetest

import (
	"sync"
	"testing"
	"time"

	"github.com/httpstate/httpstate/session"
)

// SharedHandles is the number of Store values the SweepSharedBackend case
// sweeps one backend through (e.Store and the handles e.Handle opens).
const SharedHandles = 3

// testSweepSharedBackend: several Store values on one backend (processes
// sharing a Redis, see RunShared) see each other's sessions, and sweeping
// at once, two goroutines each, then each once more, they report every
// expired session exactly once between them; the live one stays, for
// each.
func testSweepSharedBackend(t *testing.T, e *Env) {
	handles := []session.Store{e.Store}
	for len(handles) < SharedHandles {
		if e.Handle == nil {
			handles = append(handles, e.Store)
			continue
		}
		handles = append(handles, e.Handle(t))
	}
	now := e.Clock.Now()
	const expired = SweepRecords / 2
	for i := range expired {
		r := NewRecord(keyN("s", i), "p", now)
		r.IdleTimeout = time.Minute
		if err := handles[i%len(handles)].Create(e.Ctx, r); err != nil {
			t.Fatalf("Create(%q) through handle %d = %v, want nil", r.Key, i%len(handles), err)
		}
	}
	if err := handles[len(handles)-1].Create(e.Ctx, NewRecord("live", "p", now)); err != nil {
		t.Fatalf("Create(live) = %v, want nil", err)
	}
	// Each handle sees the sessions the others made.
	for h, s := range handles {
		for _, k := range []string{keyN("s", 0), keyN("s", 1), keyN("s", 2), "live"} {
			if _, found, err := s.Load(e.Ctx, k); err != nil || !found {
				t.Fatalf("handle %d: Load(%q) = %v, %v; want the record another handle made (do the handles share one backend?)", h, k, found, err)
			}
		}
	}

	e.Clock.Advance(time.Minute)
	const perHandle = 2
	var wg sync.WaitGroup
	results := make([][]session.Meta, len(handles)*perHandle)
	errs := make([]error, len(results))
	for g := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[g], errs[g] = handles[g%len(handles)].Sweep(e.Ctx)
		}()
	}
	wg.Wait()
	for g, err := range errs {
		if err != nil {
			t.Fatalf("concurrent Sweep through handle %d = %v, want nil", g%len(handles), err)
		}
	}
	// Then each handle sweeps once more: a handle that reports again what
	// another reported is caught whatever the interleaving above.
	for h, s := range handles {
		got, err := s.Sweep(e.Ctx)
		if err != nil {
			t.Fatalf("later Sweep through handle %d = %v, want nil", h, err)
		}
		results = append(results, got)
	}
	seen := make(map[string]int)
	for _, metas := range results {
		for _, m := range metas {
			seen[m.Key]++
		}
	}
	for i := range expired {
		if n := seen[keyN("s", i)]; n != 1 {
			t.Errorf("%s reported %d times, want once", keyN("s", i), n)
		}
	}
	if len(seen) != expired {
		t.Errorf("the sweeps reported %d distinct keys, want %d", len(seen), expired)
	}
	for h, s := range handles {
		if _, found, err := s.Load(e.Ctx, "live"); err != nil || !found {
			t.Errorf("handle %d: Load(live) after the sweeps = %v, %v; want the record", h, found, err)
		}
	}
}
