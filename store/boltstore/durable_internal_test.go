package boltstore

import (
	"context"
	"path/filepath"
	"testing"
	"time"

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
	for _, k := range []string{"gone", "here", "loaded"} {
		if err := s.Create(ctx, rec(k)); err != nil {
			t.Fatal(err)
		}
	}
	if found, err := s.Delete(ctx, "gone"); err != nil || !found {
		t.Fatalf("Delete(gone) = %v, %v", found, err)
	}
	s.cache.set("loaded", nil) // uncached

	writes := 0
	s.onWrite = func(int) { writes++ }
	check := func(what string, want int) {
		t.Helper()
		if writes != want {
			t.Errorf("%s: %d write transactions, want %d", what, writes, want)
		}
		writes = 0
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
