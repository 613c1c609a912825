package boltstore_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/httpstate/httpstate/session"
	"github.com/httpstate/httpstate/store/boltstore"
	"github.com/httpstate/httpstate/store/storetest"
)

// TestMain doubles as the child process of TestCrashKill9.
func TestMain(m *testing.M) {
	if path := os.Getenv(crashChildEnv); path != "" {
		crashChild(path)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// openStore opens a store in a fresh file, closed at the end of the test.
func openStore(t testing.TB, o *boltstore.Options) *boltstore.Store {
	t.Helper()
	s, err := boltstore.Open(filepath.Join(t.TempDir(), "sessions.db"), o)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T, now func() time.Time) session.Store {
		return openStore(t, &boltstore.Options{Now: now})
	})
}

func TestFileMode(t *testing.T) {
	s := openStore(t, nil)
	fi, err := os.Stat(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != 0o600 {
		t.Fatalf("file mode = %v, want 0600", got)
	}
}

func TestOpenOptions(t *testing.T) {
	dir := t.TempDir()
	for _, o := range []*boltstore.Options{{MaxBatchDelay: -1}, {MaxBatchSize: -1}} {
		if s, err := boltstore.Open(filepath.Join(dir, "x.db"), o); err == nil {
			s.Close()
			t.Errorf("Open(%+v) = nil error, want one", *o)
		}
	}
	if _, err := boltstore.Open(filepath.Join(dir, "missing-dir", "x.db"), nil); err == nil {
		t.Errorf("Open in a missing directory = nil error, want one")
	}
	// A file that is not a bbolt database is refused.
	junk := filepath.Join(dir, "junk.db")
	if err := os.WriteFile(junk, []byte(strings.Repeat("not a database ", 1000)), 0o600); err != nil {
		t.Fatal(err)
	}
	if s, err := boltstore.Open(junk, nil); err == nil {
		s.Close()
		t.Errorf("Open of a junk file = nil error, want one")
	}
	// A second handle on a locked file gives up after Timeout.
	path := filepath.Join(dir, "locked.db")
	s, err := boltstore.Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s2, err := boltstore.Open(path, &boltstore.Options{Timeout: 50 * time.Millisecond}); !errors.Is(err, boltstore.ErrLocked) {
		if err == nil {
			s2.Close()
		}
		t.Errorf("second Open of a locked file: err = %v, want one wrapping ErrLocked", err)
	}
	// Other failures are not ErrLocked.
	if _, err := boltstore.Open(junk, nil); errors.Is(err, boltstore.ErrLocked) {
		t.Errorf("Open of a junk file: err = %v, wraps ErrLocked", err)
	}
}

var tNow = time.Date(2026, 5, 6, 7, 8, 9, 123456789, time.UTC)

// TestReopen checks that records, indexes and every field survive Close and
// Open, at nanosecond precision.
func TestReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sessions.db")
	now := func() time.Time { return tNow }
	ctx := context.Background()
	s, err := boltstore.Open(path, &boltstore.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	want := storetest.NewRecord("k1", "alice", tNow)
	want.IdleTimeout = 90*time.Minute + 7
	if err := s.Create(ctx, want); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = boltstore.Open(path, &boltstore.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, found, err := s.Load(ctx, "k1")
	if err != nil || !found {
		t.Fatalf("Load after reopen = %v, %v", found, err)
	}
	if got.Principal != want.Principal || !got.Created.Equal(want.Created) ||
		!got.LastAccess.Equal(want.LastAccess) || !got.Deadline.Equal(want.Deadline) ||
		got.IdleTimeout != want.IdleTimeout || len(got.Attrs) != len(want.Attrs) ||
		string(got.Attrs["a"]) != string(want.Attrs["a"]) {
		t.Fatalf("after reopen got %+v, want %+v", got, want)
	}
	metas, err := s.ByPrincipal(ctx, "alice")
	if err != nil || len(metas) != 1 || metas[0].Key != "k1" {
		t.Fatalf("ByPrincipal after reopen = %v, %v; want [k1]", metas, err)
	}
}

// TestReadsWriteNothing checks that a burst of read-only calls starts no
// write transaction and leaves the file untouched.
func TestReadsWriteNothing(t *testing.T) {
	clock := storetest.NewClock(tNow)
	s := openStore(t, &boltstore.Options{Now: clock.Now})
	var mu sync.Mutex
	writes := 0
	boltstore.SetOnWrite(s, func(int) { mu.Lock(); writes++; mu.Unlock() })
	ctx := context.Background()
	for i := range 20 {
		r := storetest.NewRecord("k"+strconv.Itoa(i), "alice", clock.Now())
		if err := s.Create(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	clock.Advance(time.Minute)
	fi0, err := os.Stat(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	stats0 := boltstore.DB(s).Stats()
	mu.Lock()
	writes0 := writes
	mu.Unlock()

	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 100 {
				key := "k" + strconv.Itoa((g+i)%25) // some absent
				if _, _, err := s.Load(ctx, key); err != nil {
					t.Error(err)
				}
				if i%10 == 0 {
					s.ByPrincipal(ctx, "alice")
					s.Iterate(ctx, func(session.Meta) bool { return true })
					s.Save(ctx, key, session.Delta{}) // empty delta: existence check only
					s.Delete(ctx, "absent")
					s.Sweep(ctx) // nothing has expired
				}
			}
		}()
	}
	wg.Wait()

	mu.Lock()
	if writes != writes0 {
		t.Errorf("read-only calls ran %d write transactions, want 0", writes-writes0)
	}
	mu.Unlock()
	stats1 := boltstore.DB(s).Stats()
	if d := stats1.TxStats.GetWrite() - stats0.TxStats.GetWrite(); d != 0 {
		t.Errorf("bbolt counted %d page writes during read-only calls, want 0", d)
	}
	if stats1.TxN <= stats0.TxN {
		t.Errorf("bbolt counted no read transactions (%d → %d): the test did not run", stats0.TxN, stats1.TxN)
	}
	fi1, err := os.Stat(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	if fi1.Size() != fi0.Size() || !fi1.ModTime().Equal(fi0.ModTime()) {
		t.Errorf("file changed during read-only calls: size %d → %d, mtime %v → %v",
			fi0.Size(), fi1.Size(), fi0.ModTime(), fi1.ModTime())
	}
}

// TestGroupCommit checks that concurrent writers share transactions, and so
// fsyncs: 8 writers making 400 saves use far fewer than 400 commits.
func TestGroupCommit(t *testing.T) {
	s := openStore(t, nil)
	var mu sync.Mutex
	txs := make(map[int]bool)
	boltstore.SetOnWrite(s, func(id int) { mu.Lock(); txs[id] = true; mu.Unlock() })
	ctx := context.Background()
	const writers, saves = 8, 50
	for w := range writers {
		if err := s.Create(ctx, storetest.NewRecord("w"+strconv.Itoa(w), "", time.Now())); err != nil {
			t.Fatal(err)
		}
	}
	mu.Lock()
	clear(txs)
	mu.Unlock()
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			key := "w" + strconv.Itoa(w)
			for i := range saves {
				err := s.Save(ctx, key, session.Delta{Set: map[string][]byte{"n": []byte(strconv.Itoa(i))}})
				if err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	mu.Lock()
	n := len(txs)
	mu.Unlock()
	t.Logf("%d saves by %d writers committed in %d transactions", writers*saves, writers, n)
	if n > writers*saves/2 {
		t.Errorf("%d saves took %d transactions, want at most %d: writers do not share commits", writers*saves, n, writers*saves/2)
	}
	for w := range writers {
		r, found, err := s.Load(ctx, "w"+strconv.Itoa(w))
		if err != nil || !found || string(r.Attrs["n"]) != strconv.Itoa(saves-1) {
			t.Errorf("w%d: n = %q (%v, %v), want %d", w, r.Attrs["n"], found, err, saves-1)
		}
	}
}

// TestUpdateInBatchWithFailures mixes Updates whose fn fails, Saves on
// absent keys and successful Updates in shared batches: the failures must
// neither write nor disturb the successes.
func TestUpdateInBatchWithFailures(t *testing.T) {
	s := openStore(t, nil)
	ctx := context.Background()
	if err := s.Create(ctx, storetest.NewRecord("k", "", time.Now())); err != nil {
		t.Fatal(err)
	}
	const n = 40
	work := func(i int) {
		switch i % 4 {
		case 0, 1: // succeed: add attribute i
			v, err := s.Update(ctx, "k", "a"+strconv.Itoa(i), func(old []byte, ok bool) ([]byte, error) {
				return []byte(strconv.Itoa(i)), nil
			})
			if err != nil || string(v) != strconv.Itoa(i) {
				t.Errorf("Update %d = %q, %v", i, v, err)
			}
		case 2: // fn fails
			_, err := s.Update(ctx, "k", "bad"+strconv.Itoa(i), func(old []byte, ok bool) ([]byte, error) {
				return []byte("1"), os.ErrInvalid
			})
			if err != os.ErrInvalid {
				t.Errorf("failing Update = %v, want os.ErrInvalid", err)
			}
		case 3: // absent key
			err := s.Save(ctx, "absent", session.Delta{Set: map[string][]byte{"x": []byte("1")}})
			if err == nil {
				t.Errorf("Save on an absent key = nil")
			}
		}
	}
	// The first write holds its commit until the others have queued: they
	// all share the next one.
	batched(t, s, n-1, func() { work(0) }, func(i int) { work(i + 1) })
	r, _, err := s.Load(ctx, "k")
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		v, ok := r.Attrs["a"+strconv.Itoa(i)]
		if want := i%4 < 2; ok != want || (ok && string(v) != strconv.Itoa(i)) {
			t.Errorf("attribute a%d = %q, %v; want present=%v", i, v, ok, want)
		}
		if _, ok := r.Attrs["bad"+strconv.Itoa(i)]; ok {
			t.Errorf("attribute bad%d written by a failed Update", i)
		}
	}
	if _, found, _ := s.Load(ctx, "absent"); found {
		t.Errorf("Save on an absent key created it")
	}
}

// TestSweepLarge sweeps more expired sessions than one transaction takes.
func TestSweepLarge(t *testing.T) {
	clock := storetest.NewClock(tNow)
	s := openStore(t, &boltstore.Options{Now: clock.Now})
	ctx := context.Background()
	const n = 2500
	var wg sync.WaitGroup
	for g := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := g; i < n; i += 10 {
				r := storetest.NewRecord("k"+strconv.Itoa(i), "p"+strconv.Itoa(i%7), clock.Now())
				r.IdleTimeout = time.Minute
				if err := s.Create(ctx, r); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	if err := s.Create(ctx, storetest.NewRecord("live", "p1", clock.Now().Add(time.Hour))); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Minute)
	got, err := s.Sweep(ctx)
	if err != nil || len(got) != n {
		t.Fatalf("Sweep = %d sessions, %v; want %d", len(got), err, n)
	}
	if got, _ := s.Sweep(ctx); len(got) != 0 {
		t.Fatalf("second Sweep = %d sessions, want 0", len(got))
	}
	metas, err := s.ByPrincipal(ctx, "p1")
	if err != nil || len(metas) != 1 || metas[0].Key != "live" {
		t.Fatalf("ByPrincipal(p1) = %v, %v; want [live]", metas, err)
	}
}
