package memstore

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/httpstate/httpstate/session"
)

// TestUpdateFnMayReadStore: Update's fn runs without a store lock held, so
// a fn that reads the store (a Manager.Update callback that lists the
// user's sessions, say) cannot deadlock on the shard of the key it updates.
// With one shard every call shares that shard.
func TestUpdateFnMayReadStore(t *testing.T) {
	now := tNow
	// Not newTestStore: a deadlocked store must not block the test's
	// cleanup in Close.
	s, err := New(&Options{Now: func() time.Time { return now }, Shards: 1})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := s.Create(ctx, testRecord("k1", "alice", now)); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := s.Update(ctx, "k1", "a", func(old []byte, ok bool) ([]byte, error) {
			if _, _, err := s.Load(ctx, "k1"); err != nil {
				return nil, err
			}
			if _, err := s.ByPrincipal(ctx, "alice"); err != nil {
				return nil, err
			}
			return []byte(`"y"`), nil
		})
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Update = %v, want nil", err)
		}
	case <-time.After(10 * time.Second): // a deadlock guard, not a timing
		t.Fatal("Update whose fn reads the store did not return: deadlock")
	}
	r, _, _ := s.Load(ctx, "k1")
	if got := string(r.Attrs["a"]); got != `"y"` {
		t.Fatalf("a = %s, want \"y\"", got)
	}
}

// TestUpdateRetriesOnChange: a write that lands between the read Update
// gave fn and Update's own write makes Update call fn again with the new
// value, so that write is never lost.
func TestUpdateRetriesOnChange(t *testing.T) {
	now := tNow
	s := newTestStore(t, &now, 4)
	ctx := context.Background()
	if err := s.Create(ctx, testRecord("k1", "alice", now)); err != nil {
		t.Fatal(err)
	}
	var calls []string
	got, err := s.Update(ctx, "k1", "a", func(old []byte, ok bool) ([]byte, error) {
		calls = append(calls, string(old))
		if len(calls) == 1 {
			// Another request writes the attribute meanwhile (here, from fn).
			if err := s.Save(ctx, "k1", session.Delta{Set: map[string][]byte{"a": []byte(`"other"`), "c": []byte(`1`)}}); err != nil {
				return nil, err
			}
		}
		return append(old, '!'), nil
	})
	if err != nil || string(got) != `"other"!` {
		t.Fatalf("Update = %q, %v; want \"other\"!, nil", got, err)
	}
	if len(calls) != 2 || calls[0] != `"x"` || calls[1] != `"other"` {
		t.Fatalf("fn saw %q, want [\"x\" \"other\"]", calls)
	}
	r, _, _ := s.Load(ctx, "k1")
	if string(r.Attrs["a"]) != `"other"!` || string(r.Attrs["c"]) != `1` {
		t.Fatalf("after Update: a = %s, c = %s; want \"other\"! and 1", r.Attrs["a"], r.Attrs["c"])
	}

	// A record deleted meanwhile is not written back.
	_, err = s.Update(ctx, "k1", "a", func(old []byte, ok bool) ([]byte, error) {
		if _, err := s.Delete(ctx, "k1"); err != nil {
			return nil, err
		}
		return []byte(`1`), nil
	})
	if !errors.Is(err, session.ErrNotFound) {
		t.Fatalf("Update of a record deleted during fn = %v, want ErrNotFound", err)
	}
	if n := s.Len(); n != 0 {
		t.Fatalf("Len = %d after the record was deleted, want 0", n)
	}
}

// TestIterateFnMayCallStore: as documented, Iterate's fn runs without a
// store lock held, so it may write to the store (here: delete every
// session it visits, on a single shard).
func TestIterateFnMayCallStore(t *testing.T) {
	now := tNow
	// Not newTestStore: a deadlocked store must not block the test's
	// cleanup in Close.
	s, err := New(&Options{Now: func() time.Time { return now }, Shards: 1})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, k := range []string{"k1", "k2", "k3"} {
		if err := s.Create(ctx, testRecord(k, "alice", now)); err != nil {
			t.Fatal(err)
		}
	}
	done := make(chan error, 1)
	visited := 0
	go func() {
		done <- s.Iterate(ctx, func(m session.Meta) bool {
			visited++
			if _, err := s.Delete(ctx, m.Key); err != nil {
				t.Errorf("Delete(%s) from Iterate's fn = %v", m.Key, err)
			}
			return true
		})
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Iterate = %v, want nil", err)
		}
	case <-time.After(10 * time.Second): // a deadlock guard, not a timing
		t.Fatal("Iterate whose fn deletes did not return: deadlock")
	}
	if visited != 3 || s.Len() != 0 {
		t.Fatalf("Iterate visited %d sessions and left %d; want 3 and 0", visited, s.Len())
	}
}
