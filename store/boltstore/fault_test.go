package boltstore_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/httpstate/httpstate/session"
	"github.com/httpstate/httpstate/store/boltstore"
	"github.com/httpstate/httpstate/store/storetest"
)

// freelistPage returns the page size of the bbolt file at path and the
// page its current meta names as the freelist (the meta with the higher
// transaction ID; both must be sound here).
func freelistPage(t *testing.T, path string) (page, freelist int) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ne := binary.NativeEndian
	page = int(ne.Uint32(b[16+8:]))
	// A meta page's body, at 16: ..., freelist page at 32, txid at 48.
	m0, m1 := b[16:], b[page+16:]
	m := m0
	if ne.Uint64(m1[48:]) > ne.Uint64(m0[48:]) {
		m = m1
	}
	return page, int(ne.Uint64(m[32:]))
}

// within runs f and returns its error, failing the test if f panics or has
// not returned after 10s (a hang, not a timing assertion).
func within(t *testing.T, what string, f func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		defer func() {
			if v := recover(); v != nil {
				done <- fmt.Errorf("%s panicked: %v", what, v)
			}
		}()
		done <- f()
	}()
	select {
	case err := <-done:
		return err
	case <-time.After(10 * time.Second):
		t.Fatalf("%s still waits after 10s", what)
		return nil
	}
}

// openWithK opens a store at a new path with o and creates session "k"
// of principal p in it. The test closes the store itself: some check what
// Close returns.
func openWithK(t *testing.T, o *boltstore.Options, p string) (*boltstore.Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "sessions.db")
	s, err := boltstore.Open(path, o)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Create(context.Background(), storetest.NewRecord("k", p, tNow)); err != nil {
		t.Fatal(err)
	}
	return s, path
}

// zeroAt writes n zero bytes at each offset of the file at path, under
// the running store: the mapping is shared, so bbolt sees them at once.
func zeroAt(t *testing.T, path string, n int, offs ...int) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, off := range offs {
		if _, err := f.WriteAt(make([]byte, n), int64(off)); err != nil {
			t.Fatal(err)
		}
	}
}

// junkFreelistStore opens a store holding session "k" whose current
// freelist page's header is junk (zeros).
func junkFreelistStore(t *testing.T) *boltstore.Store {
	t.Helper()
	s, path := openWithK(t, &boltstore.Options{Now: func() time.Time { return tNow }}, "")
	page, fl := freelistPage(t, path)
	zeroAt(t, path, 16, fl*page)
	return s
}

// savesFail saves to "k" three times and fails the test unless each Save
// returns an error (not a panic, not a hang); what describes the store in
// the failure message.
func savesFail(t *testing.T, s *boltstore.Store, what string) {
	t.Helper()
	for i := range 3 {
		err := within(t, "Save", func() error {
			return s.Save(context.Background(), "k", session.Delta{Set: map[string][]byte{"x": []byte("1")}})
		})
		if err == nil || strings.HasPrefix(err.Error(), "Save panicked") {
			t.Errorf("Save #%d%s = %v, want an error", i, what, err)
		}
	}
}

// corruptRecord overwrites the stored record of key with bytes that do not
// decode, behind the store's back (its read cache is not told).
func corruptRecord(t *testing.T, s *boltstore.Store, key string) {
	t.Helper()
	err := boltstore.DB(s).Update(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte("sessions")).Put([]byte(key), []byte{1, 0xff, 0xff})
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestRollbackPanic: a commit in which bbolt panics (here freeing the old
// freelist page, whose header is junk) rolls back, and bbolt's rollback
// itself panics (reloading that freelist) before releasing its writer
// lock. Before, the lock stayed held: the next write, and Close, waited
// forever. Now every later write fails with an error or commits, and
// Close returns.
func TestRollbackPanic(t *testing.T) {
	s := junkFreelistStore(t)
	ctx := context.Background()
	savesFail(t, s, " with a junk freelist page")
	if r, found, err := s.Load(ctx, "k"); err != nil || !found || r.Attrs["x"] != nil {
		t.Errorf("Load(k) = %v, %v, %v; want found, without the failed Saves' x", r, found, err)
	}
	if err := within(t, "Close", s.Close); err != nil {
		t.Errorf("Close = %v", err)
	}
}

// TestRollbackPanicStuck: when the transaction whose rollback panicked
// cannot be rolled back at all (here a panic in the transaction's own
// function, outside the writes' work, where bbolt forbids a second
// rollback), its writer lock stays held for good. Later writes then fail
// at once with an error, and Close returns an error, instead of waiting
// forever for the lock.
func TestRollbackPanicStuck(t *testing.T) {
	s := junkFreelistStore(t)
	boltstore.SetOnWrite(s, func(int) { panic("a panic in the write transaction") })
	savesFail(t, s, "")
	if err := within(t, "Close", s.Close); err == nil {
		t.Errorf("Close of a store whose writer lock is held for good = nil, want an error")
	}
}

// errFsync stands in for the error of a failed fsync.
var errFsync = errors.New("fdatasync: input/output error")

// TestCommitFailsAfterMeta: a commit that fails after bbolt wrote its meta
// page (the meta's fsync failed) may or may not be on disk, and this
// process already reads it: the write's error wraps ErrOutcomeUnknown. A
// commit that fails before (bbolt rolled it back) wrote nothing, and its
// error does not. Before, both were the same plain error.
func TestCommitFailsAfterMeta(t *testing.T) {
	s := openStore(t, &boltstore.Options{Now: func() time.Time { return tNow }})
	ctx := context.Background()
	if err := s.Create(ctx, storetest.NewRecord("k", "", tNow)); err != nil {
		t.Fatal(err)
	}
	var mode atomic.Int32 // 1: fail after the commit, 2: fail before it
	boltstore.SetUpdateDB(s, func(db *bolt.DB, fn func(*bolt.Tx) error) error {
		switch mode.Load() {
		case 1:
			if err := db.Update(fn); err != nil {
				return err
			}
			return errFsync
		case 2:
			return db.Update(func(tx *bolt.Tx) error {
				if err := fn(tx); err != nil {
					return err
				}
				return errFsync
			})
		}
		return db.Update(fn)
	})
	mode.Store(2)
	err := s.Save(ctx, "k", session.Delta{Set: map[string][]byte{"x": []byte("1")}})
	if !errors.Is(err, errFsync) || errors.Is(err, boltstore.ErrOutcomeUnknown) {
		t.Errorf("Save whose commit failed before its meta page = %v, want the error, not ErrOutcomeUnknown", err)
	}
	if r, _, err := s.Load(ctx, "k"); err != nil || r.Attrs["x"] != nil {
		t.Errorf("after a commit failed before its meta: Load = %v, %v; want no x", r, err)
	}
	mode.Store(1)
	err = s.Save(ctx, "k", session.Delta{Set: map[string][]byte{"x": []byte("2")}})
	if !errors.Is(err, boltstore.ErrOutcomeUnknown) || !errors.Is(err, errFsync) {
		t.Errorf("Save whose commit failed after its meta page = %v, want ErrOutcomeUnknown wrapping the error", err)
	}
	// The outcome is unknown indeed: this process reads the write.
	if r, _, err := s.Load(ctx, "k"); err != nil || string(r.Attrs["x"]) != "2" {
		t.Errorf("after a commit failed after its meta: Load = %v, %v; want x=2", r, err)
	}
	// An expected outcome still wins, once a commit (here this Save's own,
	// which writes nothing but makes the unknown one durable) succeeds.
	mode.Store(0)
	if err := s.Save(ctx, "absent", session.Delta{LastAccess: tNow}); !errors.Is(err, session.ErrNotFound) {
		t.Errorf("Save(absent) = %v, want ErrNotFound", err)
	}
	if err := s.Save(ctx, "k", session.Delta{Set: map[string][]byte{"x": []byte("3")}}); err != nil {
		t.Errorf("Save after the failures = %v", err)
	}
}

// TestCommitPanicsAfterMeta: Creates sharing a commit in which a panic
// comes after bbolt wrote the meta page. Before, each ran again alone, as
// after a commit panic that wrote nothing, found its own record and
// answered ErrExists, which says the write was not made. Now each answers
// ErrOutcomeUnknown, and none runs again.
func TestCommitPanicsAfterMeta(t *testing.T) {
	s := openStore(t, &boltstore.Options{Now: func() time.Time { return tNow }})
	ctx := context.Background()
	var boom atomic.Bool
	boltstore.SetUpdateDB(s, func(db *bolt.DB, fn func(*bolt.Tx) error) error {
		err := db.Update(fn)
		if err == nil && boom.Load() {
			panic("a panic after the meta page")
		}
		return err
	})
	started, hold := make(chan struct{}), make(chan struct{})
	var once sync.Once
	boltstore.SetOnWrite(s, func(int) { once.Do(func() { close(started); <-hold }) })
	boom.Store(true)
	const n = 4
	errs := make([]error, n+1)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		errs[n] = s.Create(ctx, storetest.NewRecord("gate", "", tNow))
	}()
	<-started
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.Create(ctx, storetest.NewRecord(fmt.Sprintf("k%d", i), "", tNow))
		}()
	}
	for boltstore.QueueLen(s) < n {
		time.Sleep(time.Millisecond)
	}
	close(hold)
	wg.Wait()
	for i, err := range errs {
		if !errors.Is(err, boltstore.ErrOutcomeUnknown) || errors.Is(err, session.ErrExists) {
			t.Errorf("Create #%d in a commit that panicked after its meta = %v, want ErrOutcomeUnknown", i, err)
		}
	}
}

// TestCorruptRecordSkipped: a record that does not decode, among sound
// ones, is skipped by Iterate and ByPrincipal, which list the others, and
// reported to Options.Logger, as redisstore does; Load of it still fails
// with an error (not found=false), and Sweep, which removes it once its
// expiry entry is due, reports it to the Logger too. Before, one corrupt
// record failed every listing.
func TestCorruptRecordSkipped(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sessions.db")
	clock := storetest.NewClock(tNow)
	var logs strings.Builder
	o := &boltstore.Options{Now: clock.Now, Logger: slog.New(slog.NewTextHandler(&logs, nil))}
	s, err := boltstore.Open(path, o)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	// More than one Iterate chunk (256 records), the junk in the middle.
	const n = 600
	for i := range n {
		if err := s.Create(ctx, storetest.NewRecord(fmt.Sprintf("key-%03d", i), "p", tNow)); err != nil {
			t.Fatal(err)
		}
	}
	corruptRecord(t, s, "key-300")
	s.Close()
	if s, err = boltstore.Open(path, o); err != nil { // an empty read cache
		t.Fatal(err)
	}
	defer s.Close()
	if r, found, err := s.Load(ctx, "key-300"); err == nil || found || r != nil {
		t.Errorf("Load(key-300), corrupt = %v, %v, %v; want an error", r, found, err)
	}
	visited := 0
	err = s.Iterate(ctx, func(m session.Meta) bool {
		if m.Key == "key-300" {
			t.Errorf("Iterate visited the corrupt record")
		}
		visited++
		return true
	})
	if err != nil || visited != n-1 {
		t.Errorf("Iterate = %v after %d sessions; want nil after %d", err, visited, n-1)
	}
	metas, err := s.ByPrincipal(ctx, "p")
	if err != nil || len(metas) != n-1 {
		t.Errorf("ByPrincipal(p) = %d sessions, %v; want %d, nil", len(metas), err, n-1)
	}
	for _, m := range metas {
		if m.Key == "key-300" {
			t.Errorf("ByPrincipal listed the corrupt record")
		}
	}
	// One line per listing (each line says "corrupt" twice: the message
	// and the error).
	if c := strings.Count(logs.String(), "skipping corrupt session"); c != 2 {
		t.Errorf("Logger got %d warnings of a corrupt record, want one per listing:\n%s", c, logs.String())
	}
	logs.Reset()
	clock.Advance(48 * time.Hour)
	swept, err := s.Sweep(ctx)
	if err != nil || len(swept) != n-1 {
		t.Errorf("Sweep = %d sessions, %v; want %d, nil", len(swept), err, n-1)
	}
	if !strings.Contains(logs.String(), "corrupt") {
		t.Errorf("Sweep removed the corrupt record without a warning")
	}
}

// TestMetaPagesJunk: both meta pages turn to junk under a running store.
// bbolt's Begin then panics while it holds its meta lock (and, for a
// write, its writer lock), which nothing releases. Before, the first call
// failed with an error and every later one, Close included, waited
// forever; now every later call fails at once with an error, and Close
// returns one.
func TestMetaPagesJunk(t *testing.T) {
	s, path := openWithK(t, &boltstore.Options{Now: func() time.Time { return tNow }, CacheSize: -1}, "p")
	ctx := context.Background()
	page, _ := freelistPage(t, path)
	zeroAt(t, path, 64, 16, page+16) // each meta's body
	calls := map[string]func() error{
		"Load":   func() error { _, _, err := s.Load(ctx, "k"); return err },
		"Save":   func() error { return s.Save(ctx, "k", session.Delta{LastAccess: tNow}) },
		"Create": func() error { return s.Create(ctx, storetest.NewRecord("k2", "", tNow)) },
		"Delete": func() error { _, err := s.Delete(ctx, "k"); return err },
		"ByPrincipal": func() error {
			_, err := s.ByPrincipal(ctx, "p")
			return err
		},
		"Iterate": func() error { return s.Iterate(ctx, func(session.Meta) bool { return true }) },
		"Sweep":   func() error { _, err := s.Sweep(ctx); return err },
	}
	for range 2 {
		for name, call := range calls {
			if err := within(t, name, call); err == nil || strings.HasPrefix(err.Error(), name+" panicked") {
				t.Errorf("%s with junk meta pages = %v, want an error", name, err)
			}
		}
	}
	if err := within(t, "Close", s.Close); err == nil {
		t.Errorf("Close with bbolt's meta lock held for good = nil, want an error")
	}
}

// TestAnswerAfterOutcomeUnknown: after a commit whose outcome is unknown
// (its meta page written, its fsync failed), this process reads the write
// while the disk may not hold it. A later write that writes nothing (a
// Delete finding the key gone, a Save finding it absent) must not answer
// from that state with a rolled-back transaction: it commits, so that its
// answer is on disk. Before, the second Delete answered found=false from
// the unknown commit, with no commit: after a crash the revoked session
// could be back.
func TestAnswerAfterOutcomeUnknown(t *testing.T) {
	s := openStore(t, &boltstore.Options{Now: func() time.Time { return tNow }})
	ctx := context.Background()
	if err := s.Create(ctx, storetest.NewRecord("k", "", tNow)); err != nil {
		t.Fatal(err)
	}
	var fail atomic.Bool
	boltstore.SetUpdateDB(s, func(db *bolt.DB, fn func(*bolt.Tx) error) error {
		if err := db.Update(fn); err != nil {
			return err
		}
		if fail.Swap(false) {
			return errFsync // written, meta page included; the fsync "failed"
		}
		return nil
	})
	commits := 0
	boltstore.SetOnCommit(s, func(int, int) { commits++ })
	fail.Store(true)
	if _, err := s.Delete(ctx, "k"); !errors.Is(err, boltstore.ErrOutcomeUnknown) {
		t.Fatalf("Delete whose fsync failed = %v, want ErrOutcomeUnknown", err)
	}
	found, err := s.Delete(ctx, "k")
	if err != nil || found {
		t.Errorf("Delete(k) again = %v, %v; want false, nil", found, err)
	}
	if commits != 1 {
		t.Errorf("Delete(k) again answered from the unknown commit with %d commits, want 1 (making it durable)", commits)
	}
	// Once a commit has made it durable, answers need no commit again.
	if found, err := s.Delete(ctx, "k"); err != nil || found || commits != 1 {
		t.Errorf("Delete(k) a third time = %v, %v after %d commits; want false, nil, no new commit", found, err, commits)
	}
}

// TestCorruptRecordNotServedFromCache: ByPrincipal skips a record that does
// not decode, on the ground that Load of it fails, so that the session it
// was cannot be used; InvalidatePrincipal then leaves it alone. A copy of
// it in the read cache (the bytes damaged under the running store) must
// not keep it usable: once a listing skipped it, Load reads the file and
// fails. Before, Load answered from the cache: a session that "log out
// everywhere" did not list stayed logged in.
func TestCorruptRecordNotServedFromCache(t *testing.T) {
	s := openStore(t, &boltstore.Options{Now: func() time.Time { return tNow }})
	ctx := context.Background()
	if err := s.Create(ctx, storetest.NewRecord("k", "p", tNow)); err != nil {
		t.Fatal(err)
	}
	if _, found, err := s.Load(ctx, "k"); err != nil || !found {
		t.Fatalf("Load(k) = %v, %v", found, err)
	}
	corruptRecord(t, s, "k")
	if metas, err := s.ByPrincipal(ctx, "p"); err != nil || len(metas) != 0 {
		t.Fatalf("ByPrincipal(p) = %v, %v; want none (k is corrupt)", metas, err)
	}
	if r, found, err := s.Load(ctx, "k"); err == nil || found {
		t.Errorf("Load(k) after ByPrincipal skipped it as corrupt = %v, %v, %v; want an error", r, found, err)
	}
	// Iterate likewise.
	if err := s.Create(ctx, storetest.NewRecord("k2", "", tNow)); err != nil {
		t.Fatal(err)
	}
	if _, found, err := s.Load(ctx, "k2"); err != nil || !found {
		t.Fatalf("Load(k2) = %v, %v", found, err)
	}
	corruptRecord(t, s, "k2")
	if err := s.Iterate(ctx, func(session.Meta) bool { return true }); err != nil {
		t.Fatal(err)
	}
	if r, found, err := s.Load(ctx, "k2"); err == nil || found {
		t.Errorf("Load(k2) after Iterate skipped it as corrupt = %v, %v, %v; want an error", r, found, err)
	}
}
