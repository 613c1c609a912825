package boltstore

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/httpstate/httpstate/session"
)

// TestMaxValue: a write whose record would encode to more than bbolt's
// largest value fails with ErrTooLarge, not with bbolt's error as a failed
// transaction, and writes nothing. The limit is lowered here: the real one
// (bolt.MaxValueSize) is about 2 GiB.
func TestMaxValue(t *testing.T) {
	now := time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)
	s, err := Open(filepath.Join(t.TempDir(), "s.db"), &Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.maxValue = 200
	ctx := context.Background()
	rec := func(key string, valueLen int) *session.Record {
		return &session.Record{Key: key, Created: now, LastAccess: now, IdleTimeout: time.Hour,
			Attrs: map[string][]byte{"v": make([]byte, valueLen)}}
	}
	if err := s.Create(ctx, rec("big", 300)); !errors.Is(err, ErrTooLarge) {
		t.Errorf("Create of a 300-byte value = %v, want ErrTooLarge", err)
	}
	if _, found, _ := s.Load(ctx, "big"); found {
		t.Errorf("a refused Create stored its record")
	}
	if err := s.Create(ctx, rec("k", 10)); err != nil {
		t.Fatal(err)
	}
	if err := s.Save(ctx, "k", session.Delta{Set: map[string][]byte{"w": make([]byte, 300)}}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("Save of a 300-byte value = %v, want ErrTooLarge", err)
	}
	_, err = s.Update(ctx, "k", "v", func([]byte, bool) ([]byte, error) { return make([]byte, 300), nil })
	if !errors.Is(err, ErrTooLarge) {
		t.Errorf("Update to a 300-byte value = %v, want ErrTooLarge", err)
	}
	r, found, err := s.Load(ctx, "k")
	if err != nil || !found || len(r.Attrs) != 1 || len(r.Attrs["v"]) != 10 {
		t.Errorf("Load(k) after refused writes = %v, %v, %v; want it as created", r, found, err)
	}
}
