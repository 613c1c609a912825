package boltstore_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/httpstate/httpstate/session"
	"github.com/httpstate/httpstate/store/boltstore"
	"github.com/httpstate/httpstate/store/storetest"
)

// diskState is what the file has seen of the Store's commits: the ID of the
// last committed transaction (bbolt's meta page; every commit writes it and
// fdatasyncs) and bbolt's count of page writes.
type diskState struct {
	txid   int
	writes int64
}

func diskStateOf(t *testing.T, s *boltstore.Store) diskState {
	t.Helper()
	var d diskState
	if err := boltstore.DB(s).View(func(tx *bolt.Tx) error { d.txid = tx.ID(); return nil }); err != nil {
		t.Fatal(err)
	}
	stats := boltstore.DB(s).Stats()
	d.writes = stats.TxStats.GetWrite()
	return d
}

// expectedFailures are writes that fail as expected (ErrNotFound,
// ErrExists, an error from Update's fn, nothing to delete) against a store
// holding the live records "live" and "taken" and the expired one "old".
func expectedFailures(ctx context.Context, s *boltstore.Store) map[string]func() error {
	errFn := errors.New("fn refuses")
	set := session.Delta{Set: map[string][]byte{"x": []byte(`1`)}}
	update := func(key string, fn func([]byte, bool) ([]byte, error)) error {
		_, err := s.Update(ctx, key, "x", fn)
		return err
	}
	one := func([]byte, bool) ([]byte, error) { return []byte(`1`), nil }
	return map[string]func() error{
		"save absent":   func() error { return want(s.Save(ctx, "absent", set), session.ErrNotFound) },
		"save expired":  func() error { return want(s.Save(ctx, "old", set), session.ErrNotFound) },
		"update absent": func() error { return want(update("absent", one), session.ErrNotFound) },
		"update expired": func() error {
			return want(update("old", one), session.ErrNotFound)
		},
		"update fn error": func() error {
			return want(update("live", func([]byte, bool) ([]byte, error) { return nil, errFn }), errFn)
		},
		"update deletes nothing": func() error {
			_, err := s.Update(ctx, "live", "missing", func([]byte, bool) ([]byte, error) { return nil, nil })
			return err
		},
		"create taken":     func() error { return want(s.Create(ctx, storetest.NewRecord("live", "", tNow)), session.ErrExists) },
		"rename absent":    func() error { return want(s.Rename(ctx, "absent", "new"), session.ErrNotFound) },
		"rename expired":   func() error { return want(s.Rename(ctx, "old", "new"), session.ErrNotFound) },
		"rename to taken":  func() error { return want(s.Rename(ctx, "live", "taken"), session.ErrExists) },
		"rename to itself": func() error { return want(s.Rename(ctx, "live", "live"), session.ErrExists) },
	}
}

// want returns nil when err wraps target, and an error saying so otherwise.
func want(err, target error) error {
	if !errors.Is(err, target) {
		return errors.New("err = " + errString(err) + ", want one wrapping " + target.Error())
	}
	return nil
}

func errString(err error) string {
	if err == nil {
		return "nil"
	}
	return err.Error()
}

// setupFailures creates the records expectedFailures works on.
func setupFailures(t *testing.T, s *boltstore.Store, clock *storetest.Clock) {
	t.Helper()
	ctx := context.Background()
	old := storetest.NewRecord("old", "alice", clock.Now())
	old.IdleTimeout = time.Minute
	for _, r := range []*session.Record{old, storetest.NewRecord("live", "alice", clock.Now()), storetest.NewRecord("taken", "", clock.Now())} {
		if err := s.Create(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	clock.Advance(time.Minute) // "old" expires; the others live on
}

// TestFailedWriteCommitsNothing: a write that fails as expected and runs
// alone in its commit costs no commit: bbolt's last committed transaction
// and its page-write count stay as they were, so no fsync was paid. (A
// client replaying dead session IDs must not make the server fsync per
// request.) A successful write still commits.
func TestFailedWriteCommitsNothing(t *testing.T) {
	clock := storetest.NewClock(tNow)
	s := openStore(t, &boltstore.Options{Now: clock.Now})
	ctx := context.Background()
	setupFailures(t, s, clock)
	for name, write := range expectedFailures(ctx, s) {
		before := diskStateOf(t, s)
		if err := write(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if after := diskStateOf(t, s); after != before {
			t.Errorf("%s: committed transaction %d → %d, page writes %d → %d; want no commit",
				name, before.txid, after.txid, before.writes, after.writes)
		}
	}
	// The records are as they were: the failures wrote nothing.
	r, found, err := s.Load(ctx, "live")
	if err != nil || !found || len(r.Attrs) != 2 {
		t.Fatalf("Load(live) = %v, %v, %v; want the record as created", r, found, err)
	}
	// The counters do see a commit.
	before := diskStateOf(t, s)
	if err := s.Save(ctx, "live", session.Delta{Set: map[string][]byte{"x": []byte(`1`)}}); err != nil {
		t.Fatal(err)
	}
	after := diskStateOf(t, s)
	if after.txid != before.txid+1 || after.writes <= before.writes {
		t.Errorf("a successful Save: committed transaction %d → %d, page writes %d → %d; want one commit",
			before.txid, after.txid, before.writes, after.writes)
	}
}

// TestFailedWritesShareCommit: expected failures queued with successful
// writes still share one commit with them (group commit), and a batch of
// failures alone commits nothing.
func TestFailedWritesShareCommit(t *testing.T) {
	clock := storetest.NewClock(tNow)
	s := openStore(t, &boltstore.Options{Now: clock.Now})
	ctx := context.Background()
	setupFailures(t, s, clock)
	var writes []func() error
	for _, w := range expectedFailures(ctx, s) {
		writes = append(writes, w)
	}
	save := func(i int) error {
		return s.Save(ctx, "taken", session.Delta{Set: map[string][]byte{"s" + strconv.Itoa(i): []byte(`1`)}})
	}
	run := func(i int) {
		if err := writes[i](); err != nil {
			t.Errorf("write %d: %v", i, err)
		}
	}

	// The held first Save commits alone; the failures and two Saves queued
	// behind it share the next commit.
	before := diskStateOf(t, s)
	n := len(writes)
	batched(t, s, n+2, func() { run(0) /* fails: commits nothing */ }, func(i int) {
		if i >= n {
			if err := save(i); err != nil {
				t.Errorf("Save %d: %v", i, err)
			}
			return
		}
		run(i)
	})
	after := diskStateOf(t, s)
	if after.txid != before.txid+1 {
		t.Errorf("a lone failure, then failures with two Saves in one batch: %d commits, want 1", after.txid-before.txid)
	}
	r, _, err := s.Load(ctx, "taken")
	if err != nil || string(r.Attrs["s"+strconv.Itoa(n)]) != `1` || string(r.Attrs["s"+strconv.Itoa(n+1)]) != `1` {
		t.Fatalf("Load(taken) = %v, %v; want both Saves applied", r, err)
	}

	// A batch of failures only commits nothing.
	clock2 := storetest.NewClock(tNow)
	s2 := openStore(t, &boltstore.Options{Now: clock2.Now})
	setupFailures(t, s2, clock2)
	writes = writes[:0]
	for _, w := range expectedFailures(ctx, s2) {
		writes = append(writes, w)
	}
	before = diskStateOf(t, s2)
	batched(t, s2, len(writes)-1, func() { run(0) }, func(i int) { run(i + 1) })
	if after := diskStateOf(t, s2); after != before {
		t.Errorf("a batch of %d failures: committed transaction %d → %d, page writes %d → %d; want no commit",
			len(writes), before.txid, after.txid, before.writes, after.writes)
	}
}

// TestPanicAndFailuresInBatch: one commit queue holds a panicking Update, a
// Save of a corrupt record (a real failure), expected failures that write
// nothing and successful Saves. The panic and the real failure roll the
// transaction back; the reruns, some of whose ops write nothing, must still
// commit every successful Save, which a reopened file (no cache) holds, and
// nothing else.
func TestPanicAndFailuresInBatch(t *testing.T) {
	clock := storetest.NewClock(tNow)
	path := filepath.Join(t.TempDir(), "s.db")
	s, err := boltstore.Open(path, &boltstore.Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { s.Close() }()
	ctx := context.Background()
	setupFailures(t, s, clock)
	err = boltstore.DB(s).Update(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte("sessions")).Put([]byte("junk"), []byte{1, 0xff, 0xff})
	})
	if err != nil {
		t.Fatal(err)
	}
	var failures []func() error
	for _, w := range expectedFailures(ctx, s) {
		failures = append(failures, w)
	}
	const saves = 4
	n := len(failures) + saves + 2
	save := func(i int) {
		if err := s.Save(ctx, "taken", session.Delta{Set: map[string][]byte{"s" + strconv.Itoa(i): []byte(`1`)}}); err != nil {
			t.Errorf("Save %d: %v", i, err)
		}
	}
	batched(t, s, n, func() { save(-1) }, func(i int) {
		switch {
		case i < len(failures):
			if err := failures[i](); err != nil {
				t.Errorf("failure %d: %v", i, err)
			}
		case i < len(failures)+saves:
			save(i)
		case i == len(failures)+saves:
			defer func() {
				if recover() == nil {
					t.Errorf("the panicking Update did not panic in its caller")
				}
			}()
			s.Update(ctx, "taken", "boom", func([]byte, bool) ([]byte, error) { panic("boom") })
		default:
			if err := s.Save(ctx, "junk", session.Delta{Set: map[string][]byte{"x": []byte(`1`)}}); err == nil {
				t.Errorf("Save of a corrupt record succeeded")
			}
		}
	})
	s.Close()
	s, err = boltstore.Open(path, &boltstore.Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	r, found, err := s.Load(ctx, "taken")
	if err != nil || !found {
		t.Fatalf("Load(taken) after reopen = %v, %v", found, err)
	}
	want := map[string]bool{"a": true, "n": true, "s-1": true}
	for i := len(failures); i < len(failures)+saves; i++ {
		want["s"+strconv.Itoa(i)] = true
	}
	for k := range r.Attrs {
		if !want[k] {
			t.Errorf("after reopen, taken holds %q, which no successful write set", k)
		}
		delete(want, k)
	}
	for k := range want {
		t.Errorf("after reopen, taken lacks %q, set by an acknowledged Save", k)
	}
	live, found, err := s.Load(ctx, "live")
	if err != nil || !found || len(live.Attrs) != 2 {
		t.Errorf("Load(live) after reopen = %v, %v, %v; want it as created", live, found, err)
	}
	if _, found, _ := s.Load(ctx, "new"); found {
		t.Errorf("a failed Rename created its target")
	}
}

// TestCancelWhileQueued: a write whose context ends while it waits for a
// commit is not abandoned half-way: it takes part in the commit and
// returns that outcome (here nil, and the write is on disk), so an error
// never stands for a write that was made. A context already ended before
// the call writes nothing.
func TestCancelWhileQueued(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sessions.db")
	s, err := boltstore.Open(path, &boltstore.Options{Now: storetest.NewClock(tNow).Now})
	if err != nil {
		t.Fatal(err)
	}
	bg := context.Background()
	if err := s.Create(bg, storetest.NewRecord("k", "", tNow)); err != nil {
		t.Fatal(err)
	}
	const n = 4
	ctx, cancel := context.WithCancel(bg)
	started, hold := make(chan struct{}), make(chan struct{})
	var once sync.Once
	boltstore.SetOnWrite(s, func(int) { once.Do(func() { close(started); <-hold }) })
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := s.Save(bg, "k", session.Delta{Set: map[string][]byte{"first": []byte(`1`)}}); err != nil {
			t.Errorf("held Save = %v", err)
		}
	}()
	<-started
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.Save(ctx, "k", session.Delta{Set: map[string][]byte{"q" + strconv.Itoa(i): []byte(`1`)}})
		}()
	}
	for deadline := time.Now().Add(10 * time.Second); boltstore.QueueLen(s) < n && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	if q := boltstore.QueueLen(s); q != n {
		t.Fatalf("%d writes queued behind the held commit, want %d", q, n)
	}
	cancel() // while they wait in the queue
	close(hold)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("queued Save %d = %v, want nil (its commit's outcome)", i, err)
		}
	}
	if err := s.Save(ctx, "k", session.Delta{Set: map[string][]byte{"late": []byte(`1`)}}); !errors.Is(err, context.Canceled) {
		t.Errorf("Save with an ended context = %v, want context.Canceled", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = boltstore.Open(path, &boltstore.Options{Now: storetest.NewClock(tNow).Now})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	r, found, err := s.Load(bg, "k")
	if err != nil || !found {
		t.Fatalf("Load after reopen = %v, %v", found, err)
	}
	for i := range n {
		if _, ok := r.Attrs["q"+strconv.Itoa(i)]; !ok {
			t.Errorf("queued Save %d acknowledged but not on disk", i)
		}
	}
	if _, ok := r.Attrs["late"]; ok {
		t.Errorf("the Save with an ended context was written")
	}
}

// TestCloseDuringWrites closes the store under writers (Creates, Sweeps):
// every Create that returned nil is in the reopened file, and every one
// that failed, with ErrClosed, is not.
func TestCloseDuringWrites(t *testing.T) {
	for round := range 8 {
		path := filepath.Join(t.TempDir(), "s.db")
		s, err := boltstore.Open(path, nil)
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		var mu sync.Mutex
		acked := map[string]bool{}
		var wg sync.WaitGroup
		for g := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; ; i++ {
					k := fmt.Sprintf("g%d-%d", g, i)
					err := s.Create(ctx, storetest.NewRecord(k, "p", time.Now()))
					mu.Lock()
					acked[k] = err == nil
					mu.Unlock()
					if err != nil {
						if !errors.Is(err, session.ErrClosed) {
							t.Errorf("Create after close: %v", err)
						}
						return
					}
					if i%3 == 0 {
						s.Sweep(ctx)
					}
				}
			}()
		}
		time.Sleep(time.Duration(round) * 2 * time.Millisecond)
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		wg.Wait()
		s, err = boltstore.Open(path, nil)
		if err != nil {
			t.Fatal(err)
		}
		for k, ok := range acked {
			_, found, err := s.Load(ctx, k)
			if err != nil || found != ok {
				t.Errorf("round %d %s: acked=%v found=%v err=%v", round, k, ok, found, err)
			}
		}
		s.Close()
	}
}
