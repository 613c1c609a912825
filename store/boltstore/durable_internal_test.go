package boltstore

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/httpstate/httpstate/session"
)

// TestAnswersFromDiskOnly: a read-only transaction can see a commit whose
// meta page bbolt has written but not yet fsync'd. Delete's "absent" and an
// empty Save's "present" are acknowledged answers, so they must not come
// from such a commit (a crash could bring back the record Delete called
// absent), and the read cache must not be filled from it. The test makes
// the last commit look not yet on disk, as it is during its fsync: then
// Delete and Save ask a write transaction, and Load does not fill the cache.
func TestAnswersFromDiskOnly(t *testing.T) {
	now := time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)
	s, err := Open(filepath.Join(t.TempDir(), "s.db"), &Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	rec := func(key string) *session.Record {
		return &session.Record{Key: key, Created: now, LastAccess: now, IdleTimeout: time.Hour,
			Attrs: map[string][]byte{"v": []byte(`1`)}}
	}
	for _, k := range []string{"gone", "here"} {
		if err := s.Create(ctx, rec(k)); err != nil {
			t.Fatal(err)
		}
	}
	if found, err := s.Delete(ctx, "gone"); err != nil || !found {
		t.Fatalf("Delete(gone) = %v, %v", found, err)
	}

	// The fallback's write transaction finds nothing to write, so it is
	// rolled back: never a commit (an fsync) per replayed Delete.
	writes, commits := 0, 0
	s.onWrite = func(int) { writes++ }
	s.onCommit = func(int, int) { commits++ }
	check := func(what string, want int) {
		t.Helper()
		if writes != want || commits != 0 {
			t.Errorf("%s: %d write transactions, %d commits; want %d, 0", what, writes, commits, want)
		}
		writes, commits = 0, 0
	}
	// On disk: every answer may come from a read-only look.
	if found, err := s.Delete(ctx, "gone"); err != nil || found {
		t.Fatalf("Delete(gone) again = %v, %v", found, err)
	}
	check("Delete of an absent key, all on disk", 0)
	if err := s.Save(ctx, "here", session.Delta{}); err != nil {
		t.Fatal(err)
	}
	check("empty Save, all on disk", 0)

	// The last commit (Delete(gone)) is not known to be on disk.
	s.durable.Add(-1)
	if found, err := s.Delete(ctx, "gone"); err != nil || found {
		t.Fatalf("Delete(gone) during the fsync = %v, %v", found, err)
	}
	check("Delete of a key whose removal is not yet on disk", 1)
	s.durable.Add(-1)
	s.cache.set("here", nil) // uncached: the look goes to the file
	if err := s.Save(ctx, "here", session.Delta{}); err != nil {
		t.Fatal(err)
	}
	check("empty Save during an fsync", 1)
	if _, _, err := s.Load(ctx, "here"); err != nil {
		t.Fatal(err)
	}
	if r, _ := s.cache.get("here"); r != nil {
		t.Errorf("Load filled the cache from a commit not yet on disk")
	}
}

// TestEmptySaveReadAllocs: the write-transaction fallback of an empty Save
// (for a look at a commit not yet fsync'd) costs nothing on its usual
// read-only path: an uncached empty Save allocates no more than its own
// read-only look done directly. A record variable captured by the batched
// closure moved to the heap on every empty Save.
func TestEmptySaveReadAllocs(t *testing.T) {
	now := time.Now()
	s, err := Open(filepath.Join(t.TempDir(), "s.db"), &Options{CacheSize: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	if err := s.Create(ctx, &session.Record{Key: "k", Created: now, LastAccess: now,
		IdleTimeout: time.Hour, Attrs: map[string][]byte{"v": []byte(`1`)}}); err != nil {
		t.Fatal(err)
	}
	var saveErr error
	save := testing.AllocsPerRun(200, func() { saveErr = s.Save(ctx, "k", session.Delta{}) })
	if saveErr != nil {
		t.Fatal(saveErr)
	}
	var r *session.Record
	look := testing.AllocsPerRun(200, func() {
		r = nil
		_ = s.view("save", func(tx *bolt.Tx) error {
			var err error
			r, err = getLive(bucketsOf(tx), "k", s.now())
			return err
		})
	})
	if r == nil {
		t.Fatal("the direct look found no record")
	}
	if save > look {
		t.Errorf("empty Save: %v allocations, its read-only look alone %v", save, look)
	}
}

// TestSweepNothingFromDisk: the package doc says a Sweep that found nothing
// answers from what is on disk, as Delete does. Its read-only look that
// saw a commit not yet fsync'd (here: made to look so) asks a write
// transaction, which, finding nothing either, rolls back: no commit.
func TestSweepNothingFromDisk(t *testing.T) {
	now := time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)
	s, err := Open(filepath.Join(t.TempDir(), "s.db"), &Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	r := &session.Record{Key: "k", Created: now, LastAccess: now, IdleTimeout: time.Hour}
	if err := s.Create(ctx, r); err != nil {
		t.Fatal(err)
	}
	writes, commits := 0, 0
	s.onWrite = func(int) { writes++ }
	s.onCommit = func(int, int) { commits++ }
	if got, err := s.Sweep(ctx); err != nil || len(got) != 0 {
		t.Fatalf("Sweep = %v, %v", got, err)
	}
	if writes != 0 || commits != 0 {
		t.Errorf("Sweep of nothing, all on disk: %d write transactions, %d commits; want 0, 0", writes, commits)
	}
	s.durable.Add(-1) // the Create is not known to be on disk
	if got, err := s.Sweep(ctx); err != nil || len(got) != 0 {
		t.Fatalf("Sweep during an fsync = %v, %v", got, err)
	}
	if writes != 1 || commits != 0 {
		t.Errorf("Sweep of nothing during an fsync: %d write transactions, %d commits; want 1, 0", writes, commits)
	}
}

// TestReadsUnderWrites: while writers commit without pause, so that reads
// keep meeting commits whose fsync has not returned, every Load still
// answers (no retry loop), a Delete of a dead key answers false, and no
// commit is made of such fallbacks alone (each commit has a write that
// wrote: a replayed dead ID never costs an fsync). The on-disk mark only
// grows, and once the writers are done it is the file's last transaction.
func TestReadsUnderWrites(t *testing.T) {
	now := time.Now()
	s, err := Open(filepath.Join(t.TempDir(), "s.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	for _, k := range []string{"w", "r"} {
		if err := s.Create(ctx, &session.Record{Key: k, Created: now, LastAccess: now,
			IdleTimeout: time.Hour, Attrs: map[string][]byte{"v": []byte(`1`)}}); err != nil {
			t.Fatal(err)
		}
	}
	var (
		mu          sync.Mutex
		last        int64
		bad         []string
		emptyCommit int
	)
	s.onCommit = func(wrote, _ int) {
		mu.Lock()
		defer mu.Unlock()
		d := s.durable.Load()
		if d <= last {
			bad = append(bad, fmt.Sprintf("on-disk mark went from %d to %d", last, d))
		}
		last = d
		if wrote == 0 {
			emptyCommit++
		}
	}
	var wtx atomic.Int64
	s.onWrite = func(int) { wtx.Add(1) }
	const writers, saves = 2, 40
	var wg sync.WaitGroup
	done := make(chan struct{})
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range saves {
				d := session.Delta{Set: map[string][]byte{"v": fmt.Appendf(nil, "%d-%d", w, i)}}
				if err := s.Save(ctx, "w", d); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	go func() { wg.Wait(); close(done) }()
	reads := 0
	for running := true; running; reads++ {
		select {
		case <-done:
			running = false
		default:
		}
		s.cache.set("r", nil) // make Load read the file
		if _, found, err := s.Load(ctx, "r"); err != nil || !found {
			t.Fatalf("Load(r) during writes = %v, %v", found, err)
		}
		if found, err := s.Delete(ctx, "dead"); err != nil || found {
			t.Fatalf("Delete(dead) during writes = %v, %v", found, err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	for _, b := range bad {
		t.Error(b)
	}
	if emptyCommit > 0 {
		t.Errorf("%d commits held only writes that wrote nothing", emptyCommit)
	}
	var txid int
	s.db.View(func(tx *bolt.Tx) error { txid = tx.ID(); return nil })
	if got := s.durable.Load(); got != int64(txid) {
		t.Errorf("after the writes the on-disk mark is %d, the file's last transaction %d", got, txid)
	}
	t.Logf("%d reads, %d write transactions, last %d", reads, wtx.Load(), last)
}
