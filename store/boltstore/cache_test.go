package boltstore_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"

	bolt "go.etcd.io/bbolt"

	"github.com/httpstate/httpstate/session"
	"github.com/httpstate/httpstate/store/boltstore"
	"github.com/httpstate/httpstate/store/storetest"
)

// reopened creates the records in a store at a fresh path, closes it and
// opens it again, so that its read cache starts empty.
func reopened(t *testing.T, o *boltstore.Options, recs ...*session.Record) *boltstore.Store {
	t.Helper()
	path := filepath.Join(t.TempDir(), "sessions.db")
	s, err := boltstore.Open(path, o)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if err := s.Create(context.Background(), r); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = boltstore.Open(path, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestCacheStaleInsert stops a Load between its read of the file and its
// filling of the cache, commits a write to the same key meanwhile, and
// checks that the Load's older record does not land in the cache over the
// write's.
func TestCacheStaleInsert(t *testing.T) {
	for _, tc := range []struct {
		name  string
		write func(s *boltstore.Store) error
		check func(t *testing.T, r *session.Record, found bool)
	}{
		{"save", func(s *boltstore.Store) error {
			return s.Save(context.Background(), "k", session.Delta{Set: map[string][]byte{"a": []byte(`"new"`)}})
		}, func(t *testing.T, r *session.Record, found bool) {
			if !found || string(r.Attrs["a"]) != `"new"` {
				t.Errorf("Load after the Save = %v, a=%s; want the saved value", found, r.Attrs["a"])
			}
		}},
		{"delete", func(s *boltstore.Store) error {
			_, err := s.Delete(context.Background(), "k")
			return err
		}, func(t *testing.T, r *session.Record, found bool) {
			if found {
				t.Errorf("Load after the Delete found the record")
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clock := storetest.NewClock(tNow)
			s := reopened(t, &boltstore.Options{Now: clock.Now}, storetest.NewRecord("k", "alice", clock.Now()))
			reached, proceed := make(chan struct{}), make(chan struct{})
			var once sync.Once
			boltstore.SetOnLoadRead(s, func(string) {
				once.Do(func() {
					close(reached)
					<-proceed
				})
			})
			ctx := context.Background()
			done := make(chan error)
			go func() {
				r, found, err := s.Load(ctx, "k")
				if err == nil && (!found || string(r.Attrs["a"]) != `"x"`) {
					err = errors.New("the racing Load did not return the record as first stored")
				}
				done <- err
			}()
			<-reached
			if err := tc.write(s); err != nil {
				t.Fatal(err)
			}
			close(proceed)
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			r, found, err := s.Load(ctx, "k")
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, r, found)
			// The cache is still filled by Loads that no write overtakes.
			if _, _, err := s.Load(ctx, "k"); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestCacheStress runs Updates, Loads, Deletes and Creates of a few keys at
// once on a cache smaller than the key set (so Loads miss and fill all the
// time), and checks that a Load never returns a value older than one
// already acknowledged before it started. Run it with -race.
func TestCacheStress(t *testing.T) {
	const keys, writers, updates, readers, loads = 4, 4, 40, 4, 400
	s := openStore(t, &boltstore.Options{CacheSize: 2})
	ctx := context.Background()
	var acked [keys]atomic.Int64 // highest acknowledged counter per key
	for k := range keys {
		if err := s.Create(ctx, storetest.NewRecord("k"+strconv.Itoa(k), "", time.Now())); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range updates {
				k := (w + i) % keys
				v, err := s.Update(ctx, "k"+strconv.Itoa(k), "n", func(old []byte, ok bool) ([]byte, error) {
					n := 0
					if ok {
						n, _ = strconv.Atoi(string(old))
					}
					return []byte(strconv.Itoa(n + 1)), nil
				})
				if err != nil {
					t.Error(err)
					return
				}
				n, _ := strconv.Atoi(string(v))
				for {
					cur := acked[k].Load()
					if int64(n) <= cur || acked[k].CompareAndSwap(cur, int64(n)) {
						break
					}
				}
			}
		}()
	}
	// A churn key, created and deleted again and again: a Load made wholly
	// between an acknowledged Create and the next Delete must find it, one
	// made wholly between an acknowledged Delete and the next Create must
	// not. churn counts state changes; churn%4 is 0 when deleted, 1 while
	// being created, 2 when created, 3 while being deleted.
	var churn atomic.Int64
	wg.Add(1)
	go func() {
		defer wg.Done()
		for range updates {
			churn.Add(1)
			if err := s.Create(ctx, storetest.NewRecord("churn", "", time.Now())); err != nil {
				t.Error(err)
				return
			}
			churn.Add(1) // created
			churn.Add(1) // deleting
			if found, err := s.Delete(ctx, "churn"); err != nil || !found {
				t.Errorf("Delete(churn) = %v, %v", found, err)
				return
			}
			churn.Add(1)
		}
	}()
	for g := range readers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range loads {
				k := (g + i) % keys
				want := acked[k].Load()
				r, found, err := s.Load(ctx, "k"+strconv.Itoa(k))
				if err != nil || !found {
					t.Errorf("Load(k%d) = %v, %v", k, found, err)
					return
				}
				n, _ := strconv.Atoi(string(r.Attrs["n"]))
				if int64(n) < want {
					t.Errorf("Load(k%d) returned n=%d after n=%d was acknowledged", k, n, want)
					return
				}
				before := churn.Load()
				_, found, err = s.Load(ctx, "churn")
				if err != nil {
					t.Error(err)
					return
				}
				if before%2 == 0 && churn.Load() == before && found != (before%4 == 2) {
					t.Errorf("Load(churn) found=%v in churn state %d", found, before%4)
					return
				}
			}
		}()
	}
	wg.Wait()
	for k := range keys {
		r, _, err := s.Load(ctx, "k"+strconv.Itoa(k))
		if err != nil {
			t.Fatal(err)
		}
		if got := string(r.Attrs["n"]); got != strconv.FormatInt(acked[k].Load(), 10) {
			t.Errorf("k%d: n = %s, want %d", k, got, acked[k].Load())
		}
	}
	if n := boltstore.CacheLen(s); n > 2 {
		t.Errorf("cache holds %d records, want at most CacheSize=2", n)
	}
}

// TestCacheBound loads more records than the cache holds: every Load is
// right and the cache stays within Options.CacheSize.
func TestCacheBound(t *testing.T) {
	for _, size := range []int{1, 8, 100} {
		t.Run(strconv.Itoa(size), func(t *testing.T) {
			s := openStore(t, &boltstore.Options{CacheSize: size})
			ctx := context.Background()
			const n = 300
			for i := range n {
				r := storetest.NewRecord("k"+strconv.Itoa(i), "", time.Now())
				r.Attrs["i"] = []byte(strconv.Itoa(i))
				if err := s.Create(ctx, r); err != nil {
					t.Fatal(err)
				}
				if got := boltstore.CacheLen(s); got > size {
					t.Fatalf("after %d Creates the cache holds %d records, want at most %d", i+1, got, size)
				}
			}
			for round := range 2 {
				for i := range n {
					r, found, err := s.Load(ctx, "k"+strconv.Itoa(i))
					if err != nil || !found || string(r.Attrs["i"]) != strconv.Itoa(i) {
						t.Fatalf("round %d: Load(k%d) = %v, %v, i=%s", round, i, found, err, r.Attrs["i"])
					}
				}
				if got := boltstore.CacheLen(s); got > size || got == 0 {
					t.Fatalf("the cache holds %d records, want 1 to %d", got, size)
				}
			}
		})
	}
}

// TestCachedLoadNoTransaction checks that a Load of a cached record opens
// no transaction at all, that expiry is still judged by the clock, and
// that with the cache off every Load reads the file.
func TestCachedLoadNoTransaction(t *testing.T) {
	clock := storetest.NewClock(tNow)
	s := openStore(t, &boltstore.Options{Now: clock.Now})
	ctx := context.Background()
	r := storetest.NewRecord("k", "alice", clock.Now())
	r.IdleTimeout = time.Minute
	if err := s.Create(ctx, r); err != nil {
		t.Fatal(err)
	}
	tx0 := boltstore.DB(s).Stats().TxN
	for range 50 {
		got, found, err := s.Load(ctx, "k")
		if err != nil || !found || got.Principal != "alice" {
			t.Fatalf("Load = %v, %v", found, err)
		}
	}
	if d := boltstore.DB(s).Stats().TxN - tx0; d != 0 {
		t.Errorf("50 Loads of a record written through the cache opened %d read transactions, want 0", d)
	}
	clock.Advance(time.Minute)
	if _, found, err := s.Load(ctx, "k"); err != nil || found {
		t.Errorf("Load of an expired cached record = %v, %v; want not found", found, err)
	}

	off := openStore(t, &boltstore.Options{CacheSize: -1})
	if err := off.Create(ctx, storetest.NewRecord("k", "", time.Now())); err != nil {
		t.Fatal(err)
	}
	tx0 = boltstore.DB(off).Stats().TxN
	for range 5 {
		if _, found, err := off.Load(ctx, "k"); err != nil || !found {
			t.Fatalf("Load with the cache off = %v, %v", found, err)
		}
	}
	if d := boltstore.DB(off).Stats().TxN - tx0; d != 5 || boltstore.CacheLen(off) != 0 {
		t.Errorf("with the cache off, 5 Loads opened %d read transactions and cached %d records; want 5 and 0", d, boltstore.CacheLen(off))
	}
}

// TestCacheFollowsWrites checks that Sweep, Delete and Rename drop what they
// remove from the cache and that a Load sees every committed write.
func TestCacheFollowsWrites(t *testing.T) {
	clock := storetest.NewClock(tNow)
	s := openStore(t, &boltstore.Options{Now: clock.Now})
	ctx := context.Background()
	for i := range 5 {
		r := storetest.NewRecord("e"+strconv.Itoa(i), "", clock.Now())
		r.IdleTimeout = time.Minute
		if err := s.Create(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if got := boltstore.CacheLen(s); got != 5 {
		t.Fatalf("after 5 Creates the cache holds %d records, want 5", got)
	}
	clock.Advance(time.Minute)
	if swept, err := s.Sweep(ctx); err != nil || len(swept) != 5 {
		t.Fatalf("Sweep = %d, %v; want 5", len(swept), err)
	}
	if got := boltstore.CacheLen(s); got != 0 {
		t.Errorf("after Sweep the cache holds %d records, want 0", got)
	}

	if err := s.Create(ctx, storetest.NewRecord("a", "alice", clock.Now())); err != nil {
		t.Fatal(err)
	}
	if err := s.Rename(ctx, "a", "b"); err != nil {
		t.Fatal(err)
	}
	if _, found, _ := s.Load(ctx, "a"); found {
		t.Errorf("Load of a renamed key found it")
	}
	if r, found, err := s.Load(ctx, "b"); err != nil || !found || r.Key != "b" || r.Principal != "alice" {
		t.Errorf("Load of the new key = %+v, %v, %v", r, found, err)
	}
	if _, err := s.Update(ctx, "b", "u", func([]byte, bool) ([]byte, error) { return []byte(`1`), nil }); err != nil {
		t.Fatal(err)
	}
	if r, _, _ := s.Load(ctx, "b"); string(r.Attrs["u"]) != `1` {
		t.Errorf("Load after Update: u = %s, want 1", r.Attrs["u"])
	}
	if found, err := s.Delete(ctx, "b"); err != nil || !found {
		t.Fatalf("Delete = %v, %v", found, err)
	}
	if _, found, _ := s.Load(ctx, "b"); found || boltstore.CacheLen(s) != 0 {
		t.Errorf("after Delete: found=%v, cache holds %d records", found, boltstore.CacheLen(s))
	}
}

// TestFailedOpAlone puts Saves of a corrupt record into one commit with
// good Saves: the corrupt ones fail alone, the good ones commit.
func TestFailedOpAlone(t *testing.T) {
	s := openStore(t, nil)
	ctx := context.Background()
	err := boltstore.DB(s).Update(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte("sessions")).Put([]byte("junk"), []byte{1, 0xff, 0xff})
	})
	if err != nil {
		t.Fatal(err)
	}
	const good = 6
	for i := range good {
		if err := s.Create(ctx, storetest.NewRecord("g"+strconv.Itoa(i), "", time.Now())); err != nil {
			t.Fatal(err)
		}
	}
	save := func(key string, fail bool) {
		err := s.Save(ctx, key, session.Delta{Set: map[string][]byte{"x": []byte(`1`)}})
		if (err != nil) != fail {
			t.Errorf("Save(%s) = %v, want failure=%v", key, err, fail)
		}
	}
	// Saves of g1... and of junk, alternating, share one commit.
	batched(t, s, 2*(good-1), func() { save("g0", false) }, func(i int) {
		if i%2 == 0 {
			save("g"+strconv.Itoa(1+i/2), false)
		} else {
			save("junk", true)
		}
	})
	for i := range good {
		r, found, err := s.Load(ctx, "g"+strconv.Itoa(i))
		if err != nil || !found || string(r.Attrs["x"]) != `1` {
			t.Errorf("g%d after its Save: found=%v err=%v x=%s", i, found, err, r.Attrs["x"])
		}
	}
}

// batched runs first, a write, and holds its commit until the n writes
// that rest(0), ..., rest(n-1) start meanwhile have all queued, so that
// they share the next commit. It returns when all are done.
func batched(t *testing.T, s *boltstore.Store, n int, first func(), rest func(i int)) {
	t.Helper()
	started, hold := make(chan struct{}), make(chan struct{})
	var once sync.Once
	boltstore.SetOnWrite(s, func(int) { once.Do(func() { close(started); <-hold }) })
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); first() }()
	<-started
	for i := range n {
		wg.Add(1)
		go func() { defer wg.Done(); rest(i) }()
	}
	for deadline := time.Now().Add(10 * time.Second); boltstore.QueueLen(s) < n && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	if q := boltstore.QueueLen(s); q != n {
		t.Errorf("%d writes queued behind the held commit, want %d", q, n)
	}
	close(hold)
	wg.Wait()
}

// TestCacheKeepsNoCallerKey: the read cache, and the records it hands out,
// hold their own copies of keys, never a caller's string. A Store keeps
// nothing its caller passes in beyond the call (see session.Store), and
// session.Session passes Load a key over a buffer inside itself: a cached
// reference would keep the whole Session, and its request, alive.
func TestCacheKeepsNoCallerKey(t *testing.T) {
	ctx := context.Background()
	clock := storetest.NewClock(tNow)
	s := reopened(t, &boltstore.Options{Now: clock.Now},
		storetest.NewRecord("k1", "alice", clock.Now()), storetest.NewRecord("k2", "bob", clock.Now()))
	var callers []string
	caller := func(k string) string {
		k = strings.Clone(k)
		callers = append(callers, k)
		return k
	}
	aliased := func(what, k string) {
		t.Helper()
		for _, c := range callers {
			if unsafe.StringData(k) == unsafe.StringData(c) {
				t.Errorf("%s %q shares the memory of a key a caller passed in", what, k)
			}
		}
	}
	load := func(k string) {
		t.Helper()
		r, found, err := s.Load(ctx, caller(k))
		if err != nil || !found {
			t.Fatalf("Load(%s) = %v, %v", k, found, err)
		}
		aliased("loaded record's Key", r.Key)
	}
	load("k1") // a miss, filling the cache
	load("k1") // a hit
	if err := s.Save(ctx, caller("k2"), session.Delta{Set: map[string][]byte{"a": []byte(`"v"`)}}); err != nil {
		t.Fatal(err)
	}
	load("k2")
	if _, err := s.Update(ctx, caller("k2"), "b", func([]byte, bool) ([]byte, error) { return []byte("1"), nil }); err != nil {
		t.Fatal(err)
	}
	load("k2")
	if err := s.Rename(ctx, caller("k2"), caller("k3")); err != nil {
		t.Fatal(err)
	}
	load("k3")
	r := storetest.NewRecord("k4", "carol", clock.Now())
	r.Key = caller(r.Key)
	if err := s.Create(ctx, r); err != nil {
		t.Fatal(err)
	}
	load("k4")
	keys := boltstore.CacheKeys(s)
	if len(keys) != 3 {
		t.Errorf("cache keys %q, want k1, k3 and k4", keys)
	}
	for _, k := range keys {
		aliased("cache key", k)
	}
}

// TestTransactionPanic: a panic in a write transaction outside every op's
// work (the test hook stands in for one of bbolt's own, in Commit) fails
// that commit's writes with an error, and the next write still commits:
// no writer waits forever for a leader that is gone.
func TestTransactionPanic(t *testing.T) {
	s := openStore(t, nil)
	ctx := context.Background()
	if err := s.Create(ctx, storetest.NewRecord("k", "", time.Now())); err != nil {
		t.Fatal(err)
	}
	var boom atomic.Bool
	boom.Store(true)
	boltstore.SetOnWrite(s, func(int) {
		if boom.Swap(false) {
			panic("a panic in bbolt")
		}
	})
	save := func(v string) error {
		done := make(chan error, 1)
		go func() {
			defer func() {
				if p := recover(); p != nil {
					done <- fmt.Errorf("Save panicked: %v", p)
				}
			}()
			done <- s.Save(ctx, "k", session.Delta{Set: map[string][]byte{"x": []byte(v)}})
		}()
		select {
		case err := <-done:
			return err
		case <-time.After(10 * time.Second):
			t.Fatalf("Save(x=%s) still waits after 10s", v)
			return nil
		}
	}
	if err := save("1"); err == nil || strings.Contains(err.Error(), "Save panicked") {
		t.Errorf("Save in a panicking transaction = %v, want an error", err)
	}
	if err := save("2"); err != nil {
		t.Fatalf("the next Save = %v", err)
	}
	if r, found, err := s.Load(ctx, "k"); err != nil || !found || string(r.Attrs["x"]) != "2" {
		t.Errorf("Load = %v, %v, x=%s; want x=2", found, err, r.Attrs["x"])
	}
}

// TestUpdateFnGoexit: an Update whose fn ends its goroutine with
// runtime.Goexit (t.FailNow in a test's callback does) kills the goroutine
// leading the commit, which no recover can stop. Leadership must still pass
// on: the writes sharing that commit fail with an error instead of waiting
// forever, and later writes work.
func TestUpdateFnGoexit(t *testing.T) {
	s := openStore(t, nil)
	ctx := context.Background()
	if err := s.Create(ctx, storetest.NewRecord("k", "", time.Now())); err != nil {
		t.Fatal(err)
	}
	// Hold the leader's transaction until a second write has queued, so the
	// two share the commit the Goexit aborts.
	release := make(chan struct{})
	var held atomic.Bool
	boltstore.SetOnWrite(s, func(int) {
		if held.CompareAndSwap(false, true) {
			<-release
		}
	})
	exited := make(chan struct{})
	go func() {
		defer close(exited)
		s.Update(ctx, "k", "x", func([]byte, bool) ([]byte, error) {
			runtime.Goexit()
			return nil, nil
		})
		t.Error("Update returned although its fn called Goexit")
	}()
	for !held.Load() {
		time.Sleep(time.Millisecond)
	}
	second := make(chan error, 1)
	go func() { second <- s.Save(ctx, "k", session.Delta{Set: map[string][]byte{"y": []byte(`1`)}}) }()
	time.Sleep(50 * time.Millisecond) // let the Save queue behind the held commit
	close(release)
	<-exited
	select {
	case err := <-second:
		// It shared the aborted commit (an error) or ran in the next one.
		if err == nil {
			if r, found, _ := s.Load(ctx, "k"); !found || string(r.Attrs["y"]) != "1" {
				t.Errorf("the Save reported success but y = %q", r.Attrs["y"])
			}
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a Save queued behind a commit whose leader called Goexit still waits after 10s")
	}
	done := make(chan error, 1)
	go func() { done <- s.Save(ctx, "k", session.Delta{Set: map[string][]byte{"z": []byte(`2`)}}) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("a later Save = %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a later Save still waits after 10s")
	}
}
