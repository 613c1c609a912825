package memstore

import (
	"context"
	"testing"

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
