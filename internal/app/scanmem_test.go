package app

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"sort"
	"testing"
	"time"

	"github.com/httpstate/httpstate/session"
)

// TestScanMemoryBounded: anyone can create anonymous sessions (a GET / makes
// one), so a scan keeps what it needs of them and no more: about 2*maxRows
// rows while walking, and only the keys of signed-in sessions (a dashboard's
// viewer is always signed in as an admin). The rows are still the maxRows
// most recently used, in order, and the counts still include every session.
func TestScanMemoryBounded(t *testing.T) {
	const anon, signed = 5000, 30
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var metas []session.Meta
	for i := range anon + signed {
		m := session.Meta{
			Key:        fmt.Sprintf("k%06d", (i*7919)%(anon+signed)),
			LastAccess: base.Add(time.Duration((i*104729)%997) * time.Second),
		}
		if i%((anon+signed)/signed) == 0 {
			m.Principal = fmt.Sprintf("user%d", i%5)
		}
		metas = append(metas, m)
	}
	c := newScanCache(func(ctx context.Context, fn func(session.Meta) bool) error {
		for _, m := range metas {
			if !fn(m) {
				return nil
			}
		}
		return nil
	}, func() uint64 { return 0 }, time.Second)
	defer c.close()
	// TotalAlloc counts every goroutine's allocations, and goroutines of
	// the package's earlier tests may still be winding down: the least of
	// five walks (each allocates the same) is the walk's own.
	var s *scan
	alloc := uint64(math.MaxUint64)
	for range 5 {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		var err error
		s, err = c.walk(t.Context())
		runtime.ReadMemStats(&after)
		if err != nil {
			t.Fatal(err)
		}
		alloc = min(alloc, after.TotalAlloc-before.TotalAlloc)
	}
	t.Logf("walk allocated %d bytes", alloc)
	// A row is about 200 bytes: all of them would be over 1 MB.
	if alloc > anon*64 {
		t.Errorf("a walk of %d sessions allocated %d bytes, want under %d (about 4*maxRows rows)", anon+signed, alloc, anon*64)
	}
	if s.active != anon+signed || s.users != 5 || !s.truncated || len(s.rows) != maxRows {
		t.Fatalf("active %d users %d truncated %v rows %d", s.active, s.users, s.truncated, len(s.rows))
	}
	want := append([]session.Meta(nil), metas...)
	sort.Slice(want, func(i, j int) bool {
		x, y := want[i], want[j]
		if !x.LastAccess.Equal(y.LastAccess) {
			return x.LastAccess.After(y.LastAccess)
		}
		return x.Key < y.Key
	})
	for i, r := range s.rows {
		if r.Key != want[i].Key {
			t.Fatalf("row %d is %s, want %s", i, r.Key, want[i].Key)
		}
	}
	nSigned := 0
	for _, m := range metas {
		if m.Principal != "" {
			nSigned++
			if _, ok := s.keys[m.Key]; !ok {
				t.Errorf("signed-in session %s missing from the scan's keys", m.Key)
			}
		}
	}
	if len(s.keys) != nSigned {
		t.Errorf("the cached scan keeps %d keys, want the %d signed-in ones", len(s.keys), nSigned)
	}
}
