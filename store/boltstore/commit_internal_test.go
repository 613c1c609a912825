package boltstore

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/httpstate/httpstate/session"
)

// TestWroteNothingButWrote: an op that claims to have written nothing but
// changed the file all the same is committed, not rolled back: the skip of
// empty commits can never lose a write. Every kind of change the Store's
// writes make counts: a Put, a Delete alone (Delete, Sweep's removal of
// stale index entries), a Put in the root bucket.
func TestWroteNothingButWrote(t *testing.T) {
	for _, c := range []struct {
		name  string
		write func(tx *bolt.Tx) error
		check func(tx *bolt.Tx) bool
	}{
		{"put", func(tx *bolt.Tx) error {
			return tx.Bucket(bucketMeta).Put([]byte("probe"), []byte("1"))
		}, func(tx *bolt.Tx) bool { return string(tx.Bucket(bucketMeta).Get([]byte("probe"))) == "1" }},
		{"delete", func(tx *bolt.Tx) error {
			return tx.Bucket(bucketMeta).Delete(keyVersion)
		}, func(tx *bolt.Tx) bool { return tx.Bucket(bucketMeta).Get(keyVersion) == nil }},
		{"create bucket", func(tx *bolt.Tx) error {
			_, err := tx.CreateBucket([]byte("probe"))
			return err
		}, func(tx *bolt.Tx) bool { return tx.Bucket([]byte("probe")) != nil }},
		{"sequence", func(tx *bolt.Tx) error {
			return tx.Bucket(bucketMeta).SetSequence(7)
		}, func(tx *bolt.Tx) bool { return tx.Bucket(bucketMeta).Sequence() == 7 }},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, err := Open(filepath.Join(t.TempDir(), "s.db"), nil)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			err = s.batch("test", func(tx *bolt.Tx, fx *effects) error {
				if err := c.write(tx); err != nil {
					return err
				}
				return errWroteNothing
			})
			if err != nil {
				t.Fatalf("batch = %v, want nil", err)
			}
			done := false
			s.db.View(func(tx *bolt.Tx) error { done = c.check(tx); return nil })
			if !done {
				t.Errorf("the %s of an op that returned errWroteNothing was rolled back", c.name)
			}
		})
	}
}

// TestRolledBackCachesNothing: when a transaction is rolled back because no
// op wrote anything, the read cache learns nothing from it: a key an op
// recorded is dropped, not cached with the record of a write that never
// reached the file (a stale read, as bad as a lost update).
func TestRolledBackCachesNothing(t *testing.T) {
	now := time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)
	s, err := Open(filepath.Join(t.TempDir(), "s.db"), &Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	filed := &session.Record{Key: "k", Created: now, LastAccess: now, IdleTimeout: time.Hour,
		Attrs: map[string][]byte{"v": []byte(`"filed"`)}}
	if err := s.Create(ctx, filed); err != nil {
		t.Fatal(err)
	}
	phantom := &session.Record{Key: "k", Created: now, LastAccess: now, IdleTimeout: time.Hour,
		Attrs: map[string][]byte{"v": []byte(`"phantom"`)}}
	err = s.batch("test", func(tx *bolt.Tx, fx *effects) error {
		fx.set("k", phantom) // claimed, never written
		return errWroteNothing
	})
	if err != nil {
		t.Fatalf("batch = %v, want nil", err)
	}
	r, found, err := s.Load(ctx, "k")
	if err != nil || !found || string(r.Attrs["v"]) != `"filed"` {
		t.Fatalf("Load(k) = %v, %v, %v; want the record in the file, v=\"filed\"", r, found, err)
	}
}
