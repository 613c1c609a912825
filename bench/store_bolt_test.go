package bench

import (
	"context"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/httpstate/httpstate/session"
	"github.com/httpstate/httpstate/store/boltstore"
)

// naiveBolt is the baseline boltstore is measured against: one bbolt
// Update (one commit, one fsync) per save, the way a store without group
// commit (scs's boltstore, for one) writes. It stores the blob whole.
type naiveBolt struct{ db *bolt.DB }

func openNaiveBolt(b *testing.B) *naiveBolt {
	db, err := bolt.Open(filepath.Join(b.TempDir(), "naive.db"), 0o600, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	err = db.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("s")); return err })
	if err != nil {
		b.Fatal(err)
	}
	return &naiveBolt{db}
}

func (n *naiveBolt) save(key string, v []byte) error {
	return n.db.Update(func(tx *bolt.Tx) error { return tx.Bucket([]byte("s")).Put([]byte(key), v) })
}

func (n *naiveBolt) load(key string) ([]byte, bool) {
	var out []byte
	n.db.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket([]byte("s")).Get([]byte(key)); v != nil {
			out = append([]byte{}, v...)
		}
		return nil
	})
	return out, out != nil
}

func openBoltstore(b *testing.B) *boltstore.Store {
	s, err := boltstore.Open(filepath.Join(b.TempDir(), "sessions.db"), nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

// BenchmarkStoreBolt compares boltstore with one-commit-per-save bbolt:
// Load (boltstore's served from its record cache), a lone Save (both fsync
// once; boltstore commits at once, with no delay), and 8 concurrent writers,
// where boltstore's group commit shares fsyncs. See README.md ("stores").
func BenchmarkStoreBolt(b *testing.B) {
	ctx := context.Background()
	now := time.Now()
	d := session.Delta{Set: map[string][]byte{"theme": []byte(`"light"`)}, LastAccess: now}
	b.Run("load/httpstate-boltstore", func(b *testing.B) {
		s := openBoltstore(b)
		if err := s.Create(ctx, benchRecord("k", now)); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if _, ok, err := s.Load(ctx, "k"); !ok || err != nil {
				b.Fatal(ok, err)
			}
		}
	})
	b.Run("load/naive-bbolt", func(b *testing.B) {
		s := openNaiveBolt(b)
		if err := s.save("k", benchBlob); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if _, ok := s.load("k"); !ok {
				b.Fatal("not found")
			}
		}
	})
	b.Run("save/httpstate-boltstore", func(b *testing.B) {
		s := openBoltstore(b)
		if err := s.Create(ctx, benchRecord("k", now)); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if err := s.Save(ctx, "k", d); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("save/naive-bbolt", func(b *testing.B) {
		s := openNaiveBolt(b)
		b.ReportAllocs()
		for b.Loop() {
			if err := s.save("k", benchBlob); err != nil {
				b.Fatal(err)
			}
		}
	})
	// 8 writers, each saving its own session: ns/op is per save.
	const writers = 8
	b.Run("save-8-writers/httpstate-boltstore", func(b *testing.B) {
		s := openBoltstore(b)
		for w := range writers {
			if err := s.Create(ctx, benchRecord("w"+strconv.Itoa(w), now)); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportAllocs()
		runWriters(b, writers, func(w int) error { return s.Save(ctx, "w"+strconv.Itoa(w), d) })
	})
	b.Run("save-8-writers/naive-bbolt", func(b *testing.B) {
		s := openNaiveBolt(b)
		b.ReportAllocs()
		runWriters(b, writers, func(w int) error { return s.save("w"+strconv.Itoa(w), benchBlob) })
	})
}

// runWriters shares b.N calls of save among n goroutines.
func runWriters(b *testing.B, n int, save func(w int) error) {
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		left = b.N
	)
	b.ResetTimer()
	for w := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				if left == 0 {
					mu.Unlock()
					return
				}
				left--
				mu.Unlock()
				if err := save(w); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
}
