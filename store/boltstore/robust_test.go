package boltstore_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
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

// TestCorruptRecord plants junk in the sessions bucket: Load reports an
// error instead of panicking or inventing a session, Iterate skips it (as
// redisstore's does), and Delete still removes it.
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
	if err := s.Iterate(ctx, func(m session.Meta) bool {
		t.Errorf("Iterate visited %q", m.Key)
		return true
	}); err != nil {
		t.Errorf("Iterate over a corrupt record = %v, want it skipped", err)
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

// TestCorruptPages overwrites the header of every other leaf page of the
// sessions bucket (bbolt keeps no checksum of its data pages; the
// freelist, the meta pages and the buckets' roots are left sound, so the
// file opens): every call then returns, with an error or not, but never
// panics; bbolt panics on a page that is not what it expects, and before,
// that panic reached the caller (the Manager's sweeper goroutine, so the
// whole process, died on each Sweep). A recovered panic leaves no
// transaction open (a leaked read transaction would hold the lock a write
// that grows the file's mapping needs, and Close's); writes on sound pages
// that share a commit with writes that panic are committed and
// acknowledged, and the failed ones are not; every acknowledged write is
// in the reopened file.
func TestCorruptPages(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sessions.db")
	s, err := boltstore.Open(path, &boltstore.Options{Now: storetest.NewClock(tNow).Now})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	const n = 300
	key := func(i int) string { return "key-" + strconv.Itoa(i) }
	for i := range n {
		if err := s.Create(ctx, storetest.NewRecord(key(i), "p"+strconv.Itoa(i%10), tNow)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	corruptLeaves(t, path)

	clock := storetest.NewClock(tNow)
	s, err = boltstore.Open(path, &boltstore.Options{Now: clock.Now, CacheSize: -1})
	if err != nil {
		t.Fatalf("Open of a file with corrupt leaf pages (sound meta and freelist) = %v, want nil", err)
	}
	leaked := false
	defer func() {
		if !leaked { // Close would wait for a leaked transaction for ever
			s.Close()
		}
	}()
	call := func(what string, f func() error) (err error) {
		t.Helper()
		defer func() {
			if v := recover(); v != nil {
				t.Errorf("%s panicked: %v", what, v)
				err = errors.New("panicked")
			}
		}()
		return f()
	}
	// noOpenTx fails at once if a call left a read transaction open: the
	// next write that grows the file's mapping would wait for it for ever.
	noOpenTx := func(what string) {
		t.Helper()
		if st := boltstore.DB(s).Stats(); st.OpenTxN != 0 {
			leaked = true
			t.Fatalf("after %s, %d read transactions are still open", what, st.OpenTxN)
		}
	}
	// What each key holds: the LastAccess and "a" of its last acknowledged
	// writes.
	type want struct {
		last time.Time
		a    string
	}
	wants := make([]want, n)
	failed, good := 0, []int(nil)
	for i := range n {
		k := key(i)
		wants[i] = want{tNow, `"x"`}
		if i == 7 || i == 8 {
			continue // renamed and deleted below
		}
		call("Load", func() error { _, _, err := s.Load(ctx, k); return err })
		noOpenTx("Load")
		call("empty Save", func() error { return s.Save(ctx, k, session.Delta{}) })
		noOpenTx("empty Save")
		last := tNow.Add(time.Second)
		if err := call("Save", func() error { return s.Save(ctx, k, session.Delta{LastAccess: last}) }); err != nil {
			failed++
		} else {
			wants[i].last = last
		}
		err := call("Update", func() error {
			_, err := s.Update(ctx, k, "a", func([]byte, bool) ([]byte, error) { return []byte(`1`), nil })
			return err
		})
		if err == nil {
			wants[i].a = `1`
			if wants[i].last.Equal(last) {
				good = append(good, i)
			}
		}
	}
	call("ByPrincipal", func() error { _, err := s.ByPrincipal(ctx, "p3"); return err })
	call("Iterate", func() error { return s.Iterate(ctx, func(session.Meta) bool { return true }) })
	call("Rename", func() error { return s.Rename(ctx, "key-7", "key-7b") })
	call("Delete", func() error { _, err := s.Delete(ctx, "key-8"); return err })
	if failed == 0 {
		t.Fatalf("no Save noticed the corrupt pages")
	}
	if len(good) < 10 {
		t.Fatalf("only %d keys were writable; the test needs sound pages too", len(good))
	}
	noOpenTx("ByPrincipal, Iterate, Rename and Delete")

	// One commit queue of Saves on sound pages and on corrupt ones: the
	// first holds the commit while the others queue behind it.
	var bad []int
	for i := range n {
		if !wants[i].last.Equal(tNow.Add(time.Second)) && i != 7 && i != 8 {
			bad = append(bad, i)
		}
	}
	started, hold := make(chan struct{}), make(chan struct{})
	var once sync.Once
	boltstore.SetOnWrite(s, func(int) { once.Do(func() { close(started); <-hold }) })
	last2 := tNow.Add(2 * time.Second)
	gateErr := make(chan error, 1)
	go func() { gateErr <- s.Save(ctx, key(good[0]), session.Delta{LastAccess: last2}) }()
	<-started
	batch := append(append([]int(nil), good[1:]...), bad...)
	errs := make([]error, len(batch))
	var wg sync.WaitGroup
	for j, i := range batch {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[j] = call("batched Save", func() error { return s.Save(ctx, key(i), session.Delta{LastAccess: last2}) })
		}()
	}
	for boltstore.QueueLen(s) < len(batch) {
		time.Sleep(time.Millisecond)
	}
	close(hold)
	wg.Wait()
	if err := <-gateErr; err != nil {
		t.Fatalf("Save(%s) on a sound page = %v", key(good[0]), err)
	}
	wants[good[0]].last = last2
	for j, i := range batch {
		switch {
		case j < len(good)-1 && errs[j] != nil:
			t.Errorf("Save(%s) on a sound page, batched with Saves on corrupt ones = %v, want nil", key(i), errs[j])
		case errs[j] == nil:
			wants[i].last = last2
		}
	}
	// A write that outgrows the file's mapping remaps it, which waits for
	// every read transaction: none must have leaked.
	big := bytes.Repeat([]byte("b"), 8<<20)
	if err := s.Save(ctx, key(good[1]), session.Delta{Set: map[string][]byte{"big": big}}); err != nil {
		t.Fatalf("Save of 8 MiB on a sound page = %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s, err = boltstore.Open(path, &boltstore.Options{Now: clock.Now, CacheSize: -1})
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s.Close()
	for i := range n {
		if i == 7 || i == 8 {
			continue
		}
		r, found, err := s.Load(ctx, key(i))
		if err != nil {
			continue // on a corrupt page
		}
		switch {
		case !found:
			t.Errorf("after reopen, %s is absent", key(i))
		case !r.LastAccess.Equal(wants[i].last) || string(r.Attrs["a"]) != wants[i].a:
			t.Errorf("after reopen, %s has LastAccess %v and a=%s; its acknowledged writes left %v and a=%s",
				key(i), r.LastAccess, r.Attrs["a"], wants[i].last, wants[i].a)
		}
		if i == good[1] && !bytes.Equal(r.Attrs["big"], big) {
			t.Errorf("after reopen, %s lacks its 8 MiB attribute", key(i))
		}
	}
	for _, i := range good {
		if _, found, err := s.Load(ctx, key(i)); err != nil || !found {
			t.Errorf("after reopen, Load(%s), on a sound page = %v, %v", key(i), found, err)
		}
	}
	clock.Advance(48 * time.Hour)
	call("Sweep", func() error { _, err := s.Sweep(ctx); return err })
}

// corruptLeaves overwrites the header of every other leaf page of the
// sessions bucket in the bbolt file at path, sparing the meta pages, the
// freelist, branch pages, the index buckets and every bucket's root page.
func corruptLeaves(t *testing.T, path string) {
	t.Helper()
	b, page, leaves := sessionLeaves(t, path)
	for i, l := range leaves {
		if i%2 == 0 {
			copy(b[l.id*page:l.id*page+16], strings.Repeat("\xa5", 16))
		}
	}
	if len(leaves) < 4 {
		t.Fatalf("only %d leaf pages hold session keys; want more to corrupt some and spare others", len(leaves))
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// leaf is a leaf page of the sessions bucket and the keys it holds.
type leaf struct {
	id   int
	keys []string
}

// sessionLeaves returns the bytes of the bbolt file at path, its page size
// and the leaf pages of its sessions bucket (those not a bucket's root), in
// key order.
func sessionLeaves(t *testing.T, path string) ([]byte, int, []leaf) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int
	page := db.Info().PageSize
	err = db.Update(func(tx *bolt.Tx) error { // Page needs the freelist: a writable tx
		roots := map[int]bool{}
		for _, name := range []string{"sessions", "principals", "expiry", "meta"} {
			roots[int(tx.Bucket([]byte(name)).Root())] = true
		}
		for id := 2; ; id++ {
			info, err := tx.Page(id)
			if err != nil {
				return err
			}
			if info == nil {
				return nil
			}
			if info.Type == "leaf" && !roots[id] {
				ids = append(ids, id)
			}
			id += info.OverflowCount
		}
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var leaves []leaf
	for _, id := range ids {
		p := b[id*page : (id+1)*page]
		// Element i's header, at 16+16i, holds flags, pos (from the
		// element), ksize and vsize.
		var keys []string
		for i := range int(binary.NativeEndian.Uint16(p[10:])) {
			e := 16 + 16*i
			pos, ksize := int(binary.NativeEndian.Uint32(p[e+4:])), int(binary.NativeEndian.Uint32(p[e+8:]))
			if e+pos+ksize > len(p) {
				break
			}
			keys = append(keys, string(p[e+pos:e+pos+ksize]))
		}
		// The index buckets' keys start with a length or a time.
		if len(keys) > 0 && strings.HasPrefix(keys[0], "key-") {
			leaves = append(leaves, leaf{id, keys})
		}
	}
	sort.Slice(leaves, func(i, j int) bool { return leaves[i].keys[0] < leaves[j].keys[0] })
	return b, page, leaves
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
	sound := bytes.Clone(b)
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
	// The failed Open released the file and its lock: once the file is
	// repaired (here, its sound bytes put back), the next Open succeeds,
	// and does not report the file locked by another process.
	if err := os.WriteFile(path, sound, 0o600); err != nil {
		t.Fatal(err)
	}
	s, err = boltstore.Open(path, &boltstore.Options{Now: func() time.Time { return tNow }, Timeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatalf("Open of the repaired file after a failed Open = %v, want nil", err)
	}
	if _, found, err := s.Load(context.Background(), "key-1"); err != nil || !found {
		t.Errorf("Load(key-1) in the repaired file = %v, %v; want found", found, err)
	}
	s.Close()
}

// TestCommitPanicInBatch: bbolt can panic in a commit, not in any write's
// work (here: deletions leave a leaf under a quarter full, and the commit
// merges it into its corrupt neighbour). The writes of that commit that
// touch no damage must not fail with it: each runs again alone, so only
// the ones whose own commit panics fail, and nothing is acknowledged that
// is not on disk.
func TestCommitPanicInBatch(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sessions.db")
	o := &boltstore.Options{Now: func() time.Time { return tNow }, CacheSize: -1}
	s, err := boltstore.Open(path, o)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for i := range 300 {
		if err := s.Create(ctx, storetest.NewRecord(fmt.Sprintf("key-%03d", i), "", tNow)); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	b, page, leaves := sessionLeaves(t, path)
	if len(leaves) < 3 {
		t.Fatalf("%d leaves in the sessions bucket, want 3 or more", len(leaves))
	}
	// The second leaf merges into the first, its previous sibling, when it
	// runs low: corrupt the first.
	copy(b[leaves[0].id*page:leaves[0].id*page+16], strings.Repeat("\xa5", 16))
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if s, err = boltstore.Open(path, o); err != nil {
		t.Fatal(err)
	}
	defer func() { s.Close() }()

	low, sound := leaves[1].keys, leaves[2].keys
	started, hold := make(chan struct{}), make(chan struct{})
	var once sync.Once
	boltstore.SetOnWrite(s, func(int) { once.Do(func() { close(started); <-hold }) })
	last := tNow.Add(time.Second)
	gateErr := make(chan error, 1)
	go func() { gateErr <- s.Save(ctx, sound[0], session.Delta{LastAccess: last}) }()
	<-started
	var wg sync.WaitGroup
	saveErr := make(chan error, 1)
	wg.Add(1)
	go func() {
		defer wg.Done()
		saveErr <- s.Save(ctx, sound[1], session.Delta{LastAccess: last})
	}()
	deleted := make([]bool, len(low)-1)
	delErrs := make([]error, len(low)-1)
	for i, k := range low[1:] {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				if v := recover(); v != nil {
					delErrs[i] = fmt.Errorf("panicked: %v", v)
				}
			}()
			deleted[i], delErrs[i] = s.Delete(ctx, k)
		}()
	}
	for boltstore.QueueLen(s) < len(low) {
		time.Sleep(time.Millisecond)
	}
	close(hold)
	wg.Wait()
	if err := <-gateErr; err != nil {
		t.Fatalf("held Save = %v", err)
	}
	if err := <-saveErr; err != nil {
		t.Errorf("Save(%s), on a sound leaf, in a commit that panicked = %v, want nil", sound[1], err)
	}
	failed := 0
	for i, err := range delErrs {
		switch {
		case err != nil && strings.Contains(err.Error(), "panicked:"):
			t.Errorf("Delete(%s) panicked: %v", low[1+i], err)
		case err != nil:
			failed++
		case !deleted[i]:
			t.Errorf("Delete(%s) = false, nil; want found", low[1+i])
		}
	}
	if failed == 0 {
		t.Fatalf("no Delete failed: the commit that emptied the leaf did not panic, the test tests nothing")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if s, err = boltstore.Open(path, o); err != nil {
		t.Fatal(err)
	}
	for _, k := range sound[:2] {
		r, found, err := s.Load(ctx, k)
		if err != nil || !found || !r.LastAccess.Equal(last) {
			t.Errorf("after reopen, Load(%s) = %v, %v, %v; want its acknowledged Save", k, r, found, err)
		}
	}
	for i, k := range low[1:] {
		_, found, err := s.Load(ctx, k)
		if err != nil || found != (delErrs[i] != nil) {
			t.Errorf("after reopen, Load(%s) = %v, %v; its Delete answered %v", k, found, err, delErrs[i])
		}
	}
}
