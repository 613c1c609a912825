package boltstore_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/httpstate/httpstate/store/boltstore"
	"github.com/httpstate/httpstate/store/storetest"
)

// TestSweepFailsBetweenChunks: a Sweep of more expired sessions than one
// transaction removes fails after its first chunk, its second commit
// failing (writing nothing) or its context ending once the first chunk is
// committed. As Sweep's doc says, it returns the first chunk's sessions
// with the error, and the next Sweep reports the rest: each expired
// session once between them, the live one kept.
func TestSweepFailsBetweenChunks(t *testing.T) {
	errDisk := errors.New("disk gone")
	for _, how := range []string{"commit fails", "context ends"} {
		t.Run(how, func(t *testing.T) {
			clock := storetest.NewClock(tNow)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var armed atomic.Bool
			var commits atomic.Int32
			s := openStore(t, &boltstore.Options{Now: clock.Now})
			boltstore.SetUpdateDB(s, func(db *bolt.DB, fn func(*bolt.Tx) error) error {
				if !armed.Load() {
					return db.Update(fn)
				}
				n := commits.Add(1)
				if how == "commit fails" && n == 2 {
					return errDisk // nothing written
				}
				err := db.Update(fn)
				if how == "context ends" && n == 1 {
					cancel()
				}
				return err
			})
			bg := context.Background()
			const n = 1500 // sweepChunk is 1000
			var wg sync.WaitGroup
			for g := range 10 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := g; i < n; i += 10 {
						r := storetest.NewRecord("k"+strconv.Itoa(i), "p", clock.Now())
						r.IdleTimeout = time.Minute
						if err := s.Create(bg, r); err != nil {
							t.Error(err)
						}
					}
				}()
			}
			wg.Wait()
			if err := s.Create(bg, storetest.NewRecord("live", "p", clock.Now())); err != nil {
				t.Fatal(err)
			}
			clock.Advance(time.Minute)
			armed.Store(true)
			first, err := s.Sweep(ctx)
			if err == nil || len(first) != 1000 {
				t.Fatalf("Sweep failing after its first chunk = %d sessions, %v; want 1000 and an error", len(first), err)
			}
			if how == "commit fails" && !errors.Is(err, errDisk) || how == "context ends" && !errors.Is(err, context.Canceled) {
				t.Errorf("Sweep's error = %v, want the failure's", err)
			}
			again, err := s.Sweep(bg)
			if err != nil {
				t.Fatalf("the next Sweep = %v", err)
			}
			seen := make(map[string]int)
			for _, m := range slices.Concat(first, again) {
				seen[m.Key]++
			}
			for i := range n {
				if c := seen["k"+strconv.Itoa(i)]; c != 1 {
					t.Fatalf("k%d reported %d times, want once (first Sweep %d, next %d)", i, c, len(first), len(again))
				}
			}
			if len(seen) != n {
				t.Errorf("%d sessions reported, want %d", len(seen), n)
			}
			metas, err := s.ByPrincipal(bg, "p")
			if err != nil || len(metas) != 1 || metas[0].Key != "live" {
				t.Errorf("ByPrincipal after the sweeps = %v, %v; want live alone", metas, err)
			}
		})
	}
}
