package bench

import (
	"context"
	"strconv"
	"testing"
	"time"

	scsmem "github.com/alexedwards/scs/v2/memstore"

	"github.com/httpstate/httpstate/session"
	"github.com/httpstate/httpstate/store/memstore"
)

// benchAttrs is the session the store benchmarks keep: four attributes,
// about 200 bytes, as a logged-in user with a cart might have.
var benchAttrs = map[string][]byte{
	"user":  []byte(`{"id":4711,"name":"Alice Example","roles":["customer"]}`),
	"cart":  []byte(`[{"sku":"BOOK-123","qty":1},{"sku":"PEN-9","qty":3}]`),
	"theme": []byte(`"dark"`),
	"csrf":  []byte(`"q2JhY2tncm91bmQtdG9rZW4tdmFsdWUtMzI"`),
}

// benchBlob is benchAttrs as one encoded blob, the form scs stores.
var benchBlob = func() []byte {
	var b []byte
	for k, v := range benchAttrs {
		b = append(b, k...)
		b = append(b, v...)
	}
	return b
}()

func benchRecord(key string, now time.Time) *session.Record {
	return &session.Record{
		Key: key, Principal: "alice", Created: now, LastAccess: now,
		IdleTimeout: time.Hour, Deadline: now.Add(24 * time.Hour), Attrs: benchAttrs,
	}
}

// BenchmarkStoreMem compares the in-memory stores on the two calls a request
// makes: loading its session and saving a one-attribute change. httpstate's
// memstore deep-copies the record into a fresh map on Load and applies a
// delta on Save; scs's memstore hands out and replaces one shared blob.
// See README.md ("stores").
func BenchmarkStoreMem(b *testing.B) {
	ctx := context.Background()
	now := time.Now()
	b.Run("load/httpstate-memstore", func(b *testing.B) {
		s, _ := memstore.New(nil)
		defer s.Close()
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
	b.Run("load/scs-memstore", func(b *testing.B) {
		s := scsmem.NewWithCleanupInterval(0)
		if err := s.Commit("k", benchBlob, now.Add(time.Hour)); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if _, ok, err := s.Find("k"); !ok || err != nil {
				b.Fatal(ok, err)
			}
		}
	})
	d := session.Delta{Set: map[string][]byte{"theme": []byte(`"light"`)}, LastAccess: now}
	b.Run("save/httpstate-memstore", func(b *testing.B) {
		s, _ := memstore.New(nil)
		defer s.Close()
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
	b.Run("save/scs-memstore", func(b *testing.B) {
		s := scsmem.NewWithCleanupInterval(0)
		b.ReportAllocs()
		for b.Loop() {
			if err := s.Commit("k", benchBlob, now.Add(time.Hour)); err != nil {
				b.Fatal(err)
			}
		}
	})
	// Many sessions, many goroutines: the sharded locks against scs's one.
	const keys = 1024
	b.Run("parallel-load-save/httpstate-memstore", func(b *testing.B) {
		s, _ := memstore.New(nil)
		defer s.Close()
		for i := range keys {
			if err := s.Create(ctx, benchRecord("k"+strconv.Itoa(i), now)); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportAllocs()
		b.SetParallelism(4)
		b.RunParallel(func(pb *testing.PB) {
			i := 0
			for pb.Next() {
				k := "k" + strconv.Itoa(i%keys)
				if _, ok, err := s.Load(ctx, k); !ok || err != nil {
					b.Fatal(ok, err)
				}
				if i%4 == 0 {
					if err := s.Save(ctx, k, d); err != nil {
						b.Fatal(err)
					}
				}
				i += 7
			}
		})
	})
	b.Run("parallel-load-save/scs-memstore", func(b *testing.B) {
		s := scsmem.NewWithCleanupInterval(0)
		for i := range keys {
			if err := s.Commit("k"+strconv.Itoa(i), benchBlob, now.Add(time.Hour)); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportAllocs()
		b.SetParallelism(4)
		b.RunParallel(func(pb *testing.PB) {
			i := 0
			for pb.Next() {
				k := "k" + strconv.Itoa(i%keys)
				if _, ok, err := s.Find(k); !ok || err != nil {
					b.Fatal(ok, err)
				}
				if i%4 == 0 {
					if err := s.Commit(k, benchBlob, now.Add(time.Hour)); err != nil {
						b.Fatal(err)
					}
				}
				i += 7
			}
		})
	})
}

// BenchmarkStoreMemInterleaved times both in-memory stores inside every
// iteration (100 calls each, alternating), so that load swings on a shared
// machine hit both alike; the httpstate/scs metric is the ratio of their
// total times.
func BenchmarkStoreMemInterleaved(b *testing.B) {
	ctx := context.Background()
	now := time.Now()
	d := session.Delta{Set: map[string][]byte{"theme": []byte(`"light"`)}, LastAccess: now}
	ours, _ := memstore.New(nil)
	defer ours.Close()
	if err := ours.Create(ctx, benchRecord("k", now)); err != nil {
		b.Fatal(err)
	}
	theirs := scsmem.NewWithCleanupInterval(0)
	if err := theirs.Commit("k", benchBlob, now.Add(time.Hour)); err != nil {
		b.Fatal(err)
	}
	ops := []struct {
		name         string
		ours, theirs func()
	}{
		{"load", func() { ours.Load(ctx, "k") }, func() { theirs.Find("k") }},
		{"save", func() { ours.Save(ctx, "k", d) }, func() { theirs.Commit("k", benchBlob, now.Add(time.Hour)) }},
	}
	for _, op := range ops {
		b.Run(op.name, func(b *testing.B) {
			var tOurs, tTheirs time.Duration
			for b.Loop() {
				t0 := time.Now()
				for range 100 {
					op.ours()
				}
				t1 := time.Now()
				for range 100 {
					op.theirs()
				}
				tOurs += t1.Sub(t0)
				tTheirs += time.Since(t1)
			}
			b.ReportMetric(float64(tOurs)/float64(tTheirs), "httpstate/scs")
		})
	}
}
