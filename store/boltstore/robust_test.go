package boltstore_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/httpstate/httpstate/session"
	"github.com/httpstate/httpstate/store/boltstore"
	"github.com/httpstate/httpstate/store/storetest"
)

// TestCorruptRecord plants junk in the sessions bucket: reads report an
// error instead of panicking or inventing a session, and Delete still
// removes it.
func TestCorruptRecord(t *testing.T) {
	clock := storetest.NewClock(tNow)
	s := openStore(t, &boltstore.Options{Now: clock.Now})
	ctx := context.Background()
	err := boltstore.DB(s).Update(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte("sessions")).Put([]byte("junk"), []byte{1, 0xff, 0xff})
	})
	if err != nil {
		t.Fatal(err)
	}
	if r, found, err := s.Load(ctx, "junk"); err == nil || found || r != nil {
		t.Errorf("Load(junk) = %v, %v, %v; want an error", r, found, err)
	}
	if err := s.Iterate(ctx, func(session.Meta) bool { return true }); err == nil {
		t.Errorf("Iterate over a corrupt record = nil error, want one")
	}
	if err := s.Save(ctx, "junk", session.Delta{LastAccess: clock.Now()}); err == nil {
		t.Errorf("Save(junk) = nil error, want one")
	}
	found, err := s.Delete(ctx, "junk")
	if err != nil || found {
		t.Errorf("Delete(junk) = %v, %v; want false, nil", found, err)
	}
	if _, found, err := s.Load(ctx, "junk"); err != nil || found {
		t.Errorf("Load(junk) after Delete = %v, %v; want false, nil", found, err)
	}
}

// TestIterateCallsStore deletes every session from inside Iterate's fn,
// across several read chunks: fn runs outside any transaction, so this
// neither deadlocks nor skips sessions.
func TestIterateCallsStore(t *testing.T) {
	s := openStore(t, nil)
	ctx := context.Background()
	const n = 300 // more than one chunk
	var wg sync.WaitGroup
	for g := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := g; i < n; i += 10 {
				if err := s.Create(ctx, storetest.NewRecord("k"+strconv.Itoa(i), "", time.Now())); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	visited := 0
	err := s.Iterate(ctx, func(m session.Meta) bool {
		visited++
		if found, err := s.Delete(ctx, m.Key); err != nil || !found {
			t.Errorf("Delete(%s) inside Iterate = %v, %v", m.Key, found, err)
		}
		return true
	})
	if err != nil || visited != n {
		t.Fatalf("Iterate visited %d sessions (%v), want %d", visited, err, n)
	}
	left := 0
	s.Iterate(ctx, func(session.Meta) bool { left++; return true })
	if left != 0 {
		t.Fatalf("%d sessions left after deleting all, want 0", left)
	}
}

// TestBatchRerun puts a panicking Update in a batch with others. The batch
// rolls back and the others run again: their results must still be
// written exactly once and returned correctly, and the panic must reach the
// panicking caller alone.
func TestBatchRerun(t *testing.T) {
	s := openStore(t, nil)
	ctx := context.Background()
	if err := s.Create(ctx, storetest.NewRecord("k", "", time.Now())); err != nil {
		t.Fatal(err)
	}
	const n = 12
	var (
		mu    sync.Mutex
		calls int
	)
	work := func(i int) {
		if i == n/2 {
			defer func() {
				if recover() == nil {
					t.Errorf("the panicking Update did not panic in its caller")
				}
			}()
			s.Update(ctx, "k", "boom", func([]byte, bool) ([]byte, error) { panic("boom") })
			return
		}
		v, err := s.Update(ctx, "k", "list", func(old []byte, ok bool) ([]byte, error) {
			mu.Lock()
			calls++
			mu.Unlock()
			if !ok {
				old = []byte{}
			}
			return append(append([]byte{}, old...), byte('a'+i)), nil
		})
		if err != nil || len(v) == 0 || v[len(v)-1] != byte('a'+i) {
			t.Errorf("Update %d = %q, %v; want a value ending in %c", i, v, err, 'a'+i)
		}
	}
	// The first write holds its commit until the others have queued: they
	// all share the next one.
	batched(t, s, n-1, func() { work(0) }, func(i int) { work(i + 1) })
	r, _, err := s.Load(ctx, "k")
	if err != nil {
		t.Fatal(err)
	}
	list := r.Attrs["list"]
	if len(list) != n-1 {
		t.Fatalf("list = %q, want %d entries, one per successful Update", list, n-1)
	}
	for i := range n {
		if want := i != n/2; strings.Count(string(list), string(rune('a'+i))) != map[bool]int{true: 1, false: 0}[want] {
			t.Errorf("list = %q: entry %c appears wrongly", list, 'a'+i)
		}
	}
	if _, ok := r.Attrs["boom"]; ok {
		t.Errorf("the panicking Update wrote its attribute")
	}
	t.Logf("%d successful Updates called fn %d times", n-1, calls)
	// The store still works after the panic.
	if _, err := s.Update(ctx, "k", "after", func([]byte, bool) ([]byte, error) { return []byte("1"), nil }); err != nil {
		t.Fatalf("Update after the panic = %v", err)
	}
}

// TestSweepPastShortIndexKey plants an expiry index key too short to hold a
// time in front of every real entry: Sweep still removes and reports the
// expired session behind it, and drops the junk key, instead of stopping at
// it for good.
func TestSweepPastShortIndexKey(t *testing.T) {
	clock := storetest.NewClock(tNow)
	s := openStore(t, &boltstore.Options{Now: clock.Now})
	ctx := context.Background()
	r := storetest.NewRecord("k", "alice", clock.Now())
	if err := s.Create(ctx, r); err != nil {
		t.Fatal(err)
	}
	junk := []byte{0x01} // sorts before every time key of this era
	err := boltstore.DB(s).Update(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte("expiry")).Put(junk, nil)
	})
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(r.Expiry().Sub(clock.Now()) + time.Second)
	got, err := s.Sweep(ctx)
	if err != nil || len(got) != 1 || got[0].Key != "k" {
		t.Fatalf("Sweep = %v, %v; want the expired session k", got, err)
	}
	err = boltstore.DB(s).View(func(tx *bolt.Tx) error {
		if tx.Bucket([]byte("expiry")).Get(junk) != nil {
			t.Errorf("the short expiry key is still there after Sweep")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestOpenForeignFile: Open refuses, and leaves untouched, a bbolt file of
// another application (buckets, but not this package's meta bucket), as
// one a misconfigured path may name; it would otherwise add its buckets
// to it. An empty bbolt file (no bucket) is still adopted.
func TestOpenForeignFile(t *testing.T) {
	dir := t.TempDir()
	foreign := filepath.Join(dir, "other.db")
	db, err := bolt.Open(foreign, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket([]byte("orders"))
		if err != nil {
			return err
		}
		return b.Put([]byte("1"), []byte("x"))
	}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if s, err := boltstore.Open(foreign, nil); err == nil {
		s.Close()
		t.Errorf("Open of another application's bbolt file = nil error, want one")
	}
	db, err = bolt.Open(foreign, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, _ *bolt.Bucket) error {
			names = append(names, string(name))
			return nil
		})
	})
	db.Close()
	if len(names) != 1 || names[0] != "orders" {
		t.Errorf("after the refused Open the file holds buckets %v, want [orders]", names)
	}

	empty := filepath.Join(dir, "empty.db")
	db, err = bolt.Open(empty, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	s, err := boltstore.Open(empty, nil)
	if err != nil {
		t.Fatalf("Open of an empty bbolt file = %v, want nil", err)
	}
	s.Close()
}

// TestCorruptPages overwrites the start of every third page of a file with
// junk (bbolt keeps no checksum of its data pages): every call then
// returns, with an error or not, but never panics. bbolt panics on a page
// that is not what it expects; before, that panic reached the caller: the
// Manager's sweeper goroutine, so the whole process, died on each Sweep.
func TestCorruptPages(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sessions.db")
	s, err := boltstore.Open(path, &boltstore.Options{Now: storetest.NewClock(tNow).Now})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	const n = 300
	for i := range n {
		if err := s.Create(ctx, storetest.NewRecord("key-"+strconv.Itoa(i), "p"+strconv.Itoa(i%10), tNow)); err != nil {
			t.Fatal(err)
		}
	}
	page := boltstore.DB(s).Info().PageSize
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for off := 4 * page; off+16 <= len(b); off += 3 * page {
		copy(b[off:off+16], strings.Repeat("\xa5", 16))
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	clock := storetest.NewClock(tNow)
	s, err = boltstore.Open(path, &boltstore.Options{Now: clock.Now, CacheSize: -1})
	if err != nil {
		t.Logf("Open of the corrupt file: %v", err)
		return
	}
	defer s.Close()
	failed := 0
	call := func(what string, f func() error) {
		t.Helper()
		defer func() {
			if v := recover(); v != nil {
				t.Errorf("%s panicked: %v", what, v)
			}
		}()
		if err := f(); err != nil {
			failed++
		}
	}
	for i := range n {
		key := "key-" + strconv.Itoa(i)
		call("Load", func() error { _, _, err := s.Load(ctx, key); return err })
		call("Save", func() error { return s.Save(ctx, key, session.Delta{LastAccess: tNow.Add(time.Second)}) })
		call("empty Save", func() error { return s.Save(ctx, key, session.Delta{}) })
		call("Update", func() error {
			_, err := s.Update(ctx, key, "a", func([]byte, bool) ([]byte, error) { return []byte(`1`), nil })
			return err
		})
	}
	call("ByPrincipal", func() error { _, err := s.ByPrincipal(ctx, "p3"); return err })
	call("Iterate", func() error { return s.Iterate(ctx, func(session.Meta) bool { return true }) })
	call("Create", func() error { return s.Create(ctx, storetest.NewRecord("new", "p1", tNow)) })
	call("Rename", func() error { return s.Rename(ctx, "key-7", "key-7b") })
	call("Delete", func() error { _, err := s.Delete(ctx, "key-8"); return err })
	clock.Advance(48 * time.Hour)
	call("Sweep", func() error { _, err := s.Sweep(ctx); return err })
	if failed == 0 {
		t.Errorf("no call noticed the corrupt pages")
	}
}

// TestOpenCorruptFile: Open of a file whose meta pages are sound but whose
// other pages are junk (the freelist, which bbolt reads in Open, among
// them) fails with an error instead of panicking: bbolt panics on a
// freelist page that is not one, and before, Open let it through.
func TestOpenCorruptFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sessions.db")
	s, err := boltstore.Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 300 {
		if err := s.Create(context.Background(), storetest.NewRecord("key-"+strconv.Itoa(i), "p", tNow)); err != nil {
			t.Fatal(err)
		}
	}
	page := boltstore.DB(s).Info().PageSize
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for off := 2 * page; off+16 <= len(b); off += page { // pages 0 and 1 are the metas
		copy(b[off:off+16], strings.Repeat("\xa5", 16))
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	func() {
		defer func() {
			if v := recover(); v != nil {
				t.Errorf("Open of a file with junk pages panicked: %v", v)
			}
		}()
		s, err := boltstore.Open(path, &boltstore.Options{Timeout: 100 * time.Millisecond})
		if err == nil {
			s.Close()
			t.Errorf("Open of a file with junk pages = nil error, want one")
		}
	}()
}
