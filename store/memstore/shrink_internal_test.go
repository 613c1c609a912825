package memstore

import (
	"context"
	"runtime"
	"strconv"
	"testing"
	"time"
)

// TestSweepFreesMapMemory: after a peak of sessions has expired and been
// swept, the store gives back the memory of its maps too, not only of the
// records: a Go map never shrinks by deleting, so a store that only
// deletes keeps the table of its largest day for good. Each session has
// its own principal, so the principal index's map grows as large.
func TestSweepFreesMapMemory(t *testing.T) {
	const n = 100_000
	ctx := context.Background()
	now := tNow
	s := newTestStore(t, &now, 4)
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	base := heap()
	for i := range n {
		r := testRecord("k"+strconv.Itoa(i), "p"+strconv.Itoa(i), now)
		r.Attrs = nil
		r.IdleTimeout = time.Minute
		if err := s.Create(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	full := heap()
	now = now.Add(time.Hour)
	if got, err := s.Sweep(ctx); err != nil || len(got) != n {
		t.Fatalf("Sweep = %d metas, %v; want %d, nil", len(got), err, n)
	}
	after := heap()
	t.Logf("heap: %d KB empty, %d KB with %d sessions, %d KB after the sweep", base>>10, full>>10, n, after>>10)
	// The records alone are over 10 MB; the maps' tables about 3 MB each.
	if after > base+1<<20 {
		t.Fatalf("after sweeping all %d sessions the heap holds %d KB more than the empty store (%d KB with them)", n, (after-base)>>10, (full-base)>>10)
	}
	runtime.KeepAlive(s)
}
