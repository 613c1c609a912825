package memstore

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/httpstate/httpstate/session"
)

// BenchmarkLoad measures Load of a live record with two small attributes,
// the manager's per-request read.
func BenchmarkLoad(b *testing.B) {
	now := tNow
	s := newTestStore(b, &now, 0)
	ctx := context.Background()
	if err := s.Create(ctx, testRecord("k", "alice", now)); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, ok, err := s.Load(ctx, "k"); !ok || err != nil {
			b.Fatalf("Load = %v, %v", ok, err)
		}
	}
}

// BenchmarkSaveOne measures the commonest write: one attribute of a record
// with two replaced by a value of the same size.
func BenchmarkSaveOne(b *testing.B) {
	now := tNow
	s := newTestStore(b, &now, 0)
	ctx := context.Background()
	if err := s.Create(ctx, testRecord("k", "alice", now)); err != nil {
		b.Fatal(err)
	}
	d := session.Delta{Set: map[string][]byte{"a": []byte(`"y"`)}}
	b.ReportAllocs()
	for b.Loop() {
		if err := s.Save(ctx, "k", d); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkUpdate is one Update of one attribute, as Manager.Update makes,
// from parallel goroutines over distinct sessions.
func BenchmarkUpdate(b *testing.B) {
	s, err := New(nil)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	now := time.Now()
	const keys = 1024
	for i := range keys {
		r := &session.Record{Key: "k" + strconv.Itoa(i), Created: now, LastAccess: now, IdleTimeout: time.Hour,
			Attrs: map[string][]byte{"n": []byte("1")}}
		if err := s.Create(ctx, r); err != nil {
			b.Fatal(err)
		}
	}
	var next atomic.Int64
	fn := func(old []byte, ok bool) ([]byte, error) { return old, nil }
	b.RunParallel(func(pb *testing.PB) {
		key := "k" + strconv.Itoa(int(next.Add(1)%keys))
		for pb.Next() {
			if _, err := s.Update(ctx, key, "n", fn); err != nil {
				b.Fatal(err)
			}
		}
	})
}
