package memstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/httpstate/httpstate/session"
)

var tNow = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// newTestStore returns a Store whose clock reads *now.
func newTestStore(t testing.TB, now *time.Time, shards int) *Store {
	t.Helper()
	s, err := New(&Options{Now: func() time.Time { return *now }, Shards: shards})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func testRecord(key, principal string, now time.Time) *session.Record {
	return &session.Record{
		Key: key, Principal: principal, Created: now, LastAccess: now,
		IdleTimeout: time.Hour, Deadline: now.Add(24 * time.Hour),
		Attrs: map[string][]byte{"a": []byte(`"x"`), "b": []byte(`[1,2]`)},
	}
}

func TestNoAliasing(t *testing.T) {
	now := tNow
	s := newTestStore(t, &now, 4)
	ctx := context.Background()
	in := testRecord("k", "alice", now)
	if err := s.Create(ctx, in); err != nil {
		t.Fatal(err)
	}
	in.Attrs["a"][1] = 'Z'
	in.Attrs["c"] = []byte("1")
	r1, _, _ := s.Load(ctx, "k")
	if got := string(r1.Attrs["a"]); got != `"x"` {
		t.Fatalf("after mutating the created record: a = %s, want \"x\"", got)
	}
	if _, ok := r1.Attrs["c"]; ok {
		t.Fatalf("attribute added to the caller's map leaked into the store")
	}
	// Load hands out the stored record itself, without a copy.
	if r2, _, _ := s.Load(ctx, "k"); r2 != r1 {
		t.Fatalf("two Loads with no write between returned different records")
	}
	// The values share one buffer, each capped at its own length, so that
	// appending to one (to a copy of the slice) never clobbers another.
	if cap(r1.Attrs["a"]) != len(r1.Attrs["a"]) || cap(r1.Attrs["b"]) != len(r1.Attrs["b"]) {
		t.Fatalf("stored values are not capped at their length")
	}
	set := []byte(`"y"`)
	if err := s.Save(ctx, "k", session.Delta{Set: map[string][]byte{"a": set}}); err != nil {
		t.Fatal(err)
	}
	set[1] = 'Q'
	r4, _, _ := s.Load(ctx, "k")
	if r4 == r1 {
		t.Fatalf("a Save changed the stored record in place")
	}
	if got := string(r1.Attrs["a"]); got != `"x"` {
		t.Fatalf("a Save changed a record loaded before it: a = %s, want \"x\"", got)
	}
	if got := string(r4.Attrs["a"]); got != `"y"` {
		t.Fatalf("after mutating a saved value: a = %s, want \"y\"", got)
	}
}

func TestIndexNoLeaks(t *testing.T) {
	now := tNow
	s := newTestStore(t, &now, 8)
	ctx := context.Background()
	for i, k := range []string{"k1", "k2", "k3", "k4"} {
		r := testRecord(k, "alice", now)
		r.IdleTimeout = time.Duration(i+1) * time.Minute
		if err := s.Create(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	bob := "bob"
	if err := s.Save(ctx, "k1", session.Delta{Principal: &bob}); err != nil {
		t.Fatal(err)
	}
	if err := s.Rename(ctx, "k2", "k2b"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Delete(ctx, "k3"); err != nil {
		t.Fatal(err)
	}
	if p, k := s.indexedKeys(); p != 2 || k != 3 {
		t.Fatalf("index holds %d principals, %d keys; want 2, 3", p, k)
	}
	now = now.Add(time.Hour)
	got, err := s.Sweep(ctx)
	if err != nil || len(got) != 3 {
		t.Fatalf("Sweep = %d metas, %v; want 3, nil", len(got), err)
	}
	if p, k := s.indexedKeys(); p != 0 || k != 0 {
		t.Fatalf("after Sweep the index holds %d principals, %d keys; want 0, 0", p, k)
	}
	if n := s.Len(); n != 0 {
		t.Fatalf("after Sweep Len = %d, want 0", n)
	}
}

func TestNewOptions(t *testing.T) {
	if _, err := New(&Options{Shards: -1}); err == nil {
		t.Fatalf("New(Shards: -1) = nil error, want one")
	}
	s, err := New(nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.shards) != DefaultShards {
		t.Fatalf("default shards = %d, want %d", len(s.shards), DefaultShards)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Load(context.Background(), "k"); !errors.Is(err, session.ErrClosed) {
		t.Fatalf("Load after Close: err = %v, want ErrClosed", err)
	}
}

// TestLoadAllocs pins Load's allocation count: the record together with the
// bytes of its values, and the map (its header and its one group of slots).
func TestLoadAllocs(t *testing.T) {
	now := tNow
	s := newTestStore(t, &now, 4)
	ctx := context.Background()
	if err := s.Create(ctx, testRecord("k", "", now)); err != nil {
		t.Fatal(err)
	}
	n := testing.AllocsPerRun(100, func() {
		if _, ok, _ := s.Load(ctx, "k"); !ok {
			t.Fatal("not found")
		}
	})
	t.Logf("Load allocs/op = %v", n)
	if n > 3 {
		t.Fatalf("Load allocs/op = %v, want <= 3", n)
	}
	n = testing.AllocsPerRun(100, func() { s.Load(ctx, "absent") })
	if n != 0 {
		t.Fatalf("Load of an absent key allocs/op = %v, want 0", n)
	}
}

// loadSizes are total attribute sizes around each inline buffer of
// newRecord, and past the largest.
var loadSizes = []int{0, 1, 40, 41, 136, 137, 392, 393, 904, 905, 5000}

// TestLoadSizes checks that Load returns every value intact, non-nil and
// capped at its length, whichever buffer newRecord picks.
func TestLoadSizes(t *testing.T) {
	now := tNow
	s := newTestStore(t, &now, 1)
	ctx := context.Background()
	for _, n := range loadSizes {
		r := testRecord(fmt.Sprint("k", n), "", now)
		r.Attrs = map[string][]byte{"empty": {}, "nil": nil}
		if n > 0 {
			r.Attrs["a"] = bytes.Repeat([]byte("a"), n/2)
			r.Attrs["b"] = bytes.Repeat([]byte("b"), n-n/2)
		}
		if err := s.Create(ctx, r); err != nil {
			t.Fatal(err)
		}
		got, ok, err := s.Load(ctx, r.Key)
		if !ok || err != nil {
			t.Fatalf("size %d: Load = %v, %v", n, ok, err)
		}
		if len(got.Attrs) != len(r.Attrs) {
			t.Fatalf("size %d: got %d attributes, want %d", n, len(got.Attrs), len(r.Attrs))
		}
		for k, want := range r.Attrs {
			v := got.Attrs[k]
			// A nil value is stored empty: a present attribute is never nil.
			if !bytes.Equal(v, want) || v == nil || cap(v) != len(v) {
				t.Errorf("size %d: %s = %q (cap %d, nil %v), want %q, not nil", n, k, v, cap(v), v == nil, want)
			}
		}
	}
}
