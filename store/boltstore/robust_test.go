package boltstore_test

import (
	"context"
	"strconv"
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
