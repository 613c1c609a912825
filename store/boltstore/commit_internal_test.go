package boltstore

import (
	"path/filepath"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// TestWroteNothingButWrote: an op that claims to have written nothing but
// changed the file all the same is committed, not rolled back: the skip of
// empty commits can never lose a write.
func TestWroteNothingButWrote(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "s.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	err = s.batch("test", func(tx *bolt.Tx, fx *effects) error {
		if err := tx.Bucket(bucketMeta).Put([]byte("probe"), []byte("1")); err != nil {
			return err
		}
		return errWroteNothing
	})
	if err != nil {
		t.Fatalf("batch = %v, want nil", err)
	}
	var got []byte
	s.db.View(func(tx *bolt.Tx) error {
		got = append(got, tx.Bucket(bucketMeta).Get([]byte("probe"))...)
		return nil
	})
	if string(got) != "1" {
		t.Errorf("the write of an op that returned errWroteNothing was rolled back: probe = %q, want 1", got)
	}
}
