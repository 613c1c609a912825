package storetest

import (
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
)

// testUpdateSetsAndReturns: Update passes the current value (or ok=false),
// writes fn's result, returns it, and leaves the other attributes alone.
func testUpdateSetsAndReturns(t *testing.T, e *Env) {
	r := NewRecord("k1", "alice", e.Clock.Now())
	mustCreate(t, e, r)
	got, err := e.Store.Update(e.Ctx, "k1", "n", func(old []byte, ok bool) ([]byte, error) {
		if !ok || string(old) != "1" {
			return nil, fmt.Errorf("fn got %q, %v; want 1, true", old, ok)
		}
		return []byte(`2`), nil
	})
	if err != nil || string(got) != "2" {
		t.Fatalf("Update(n) = %q, %v; want 2, nil", got, err)
	}
	got, err = e.Store.Update(e.Ctx, "k1", "fresh", func(old []byte, ok bool) ([]byte, error) {
		if ok {
			return nil, fmt.Errorf("fn got %q, true for an absent attribute; want ok=false", old)
		}
		return []byte(`"new"`), nil
	})
	if err != nil || string(got) != `"new"` {
		t.Fatalf("Update(fresh) = %q, %v; want \"new\", nil", got, err)
	}
	want := cloneRecord(r)
	want.Attrs["n"] = []byte(`2`)
	want.Attrs["fresh"] = []byte(`"new"`)
	sameRecord(t, mustLoad(t, e, "k1"), want)
	// The metadata follows: Size counts the new values, in Iterate and in
	// ByPrincipal alike.
	checkMeta(t, e, want)
	if got := byPrincipal(t, e, "alice"); len(got) != 1 {
		t.Errorf("ByPrincipal(alice) = %v, want [k1]", metaKeys(got))
	} else {
		sameMeta(t, got[0], wantMeta(want))
	}
}

// errAbort is the error the suite's Update functions fail with.
var errAbort = errors.New("storetest: fn aborts")

// testUpdateError: an error from fn aborts the update and comes back.
func testUpdateError(t *testing.T, e *Env) {
	r := NewRecord("k1", "alice", e.Clock.Now())
	mustCreate(t, e, r)
	got, err := e.Store.Update(e.Ctx, "k1", "n", func(old []byte, ok bool) ([]byte, error) {
		return []byte(`999`), errAbort
	})
	wantErr(t, "Update with a failing fn", err, errAbort)
	if got != nil {
		t.Errorf("failed Update returned %q, want nil", got)
	}
	sameRecord(t, mustLoad(t, e, "k1"), r)
}

// testUpdateNilDeletes: fn returning nil removes the attribute.
func testUpdateNilDeletes(t *testing.T, e *Env) {
	r := NewRecord("k1", "alice", e.Clock.Now())
	mustCreate(t, e, r)
	got, err := e.Store.Update(e.Ctx, "k1", "a", func(old []byte, ok bool) ([]byte, error) {
		return nil, nil
	})
	if err != nil || got != nil {
		t.Fatalf("Update returning nil = %q, %v; want nil, nil", got, err)
	}
	want := cloneRecord(r)
	delete(want.Attrs, "a")
	sameRecord(t, mustLoad(t, e, "k1"), want)
	// Deleting an absent attribute is fine too.
	if _, err := e.Store.Update(e.Ctx, "k1", "a", func(old []byte, ok bool) ([]byte, error) {
		return nil, nil
	}); err != nil {
		t.Fatalf("Update deleting an absent attribute = %v, want nil", err)
	}
	sameRecord(t, mustLoad(t, e, "k1"), want)
}

// UpdateGoroutines is the number of goroutines the UpdateConcurrent case
// runs against one attribute.
const UpdateGoroutines = 100

// testUpdateConcurrent: 100 goroutines each append their number to one JSON
// list; none is lost.
func testUpdateConcurrent(t *testing.T, e *Env) {
	mustCreate(t, e, NewRecord("k1", "alice", e.Clock.Now()))
	var wg sync.WaitGroup
	errs := make(chan error, UpdateGoroutines)
	for i := range UpdateGoroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := e.Store.Update(e.Ctx, "k1", "list", func(old []byte, ok bool) ([]byte, error) {
				var list []int
				if ok {
					if err := json.Unmarshal(old, &list); err != nil {
						return nil, err
					}
				}
				return json.Marshal(append(list, i))
			})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("concurrent Update = %v, want nil", err)
		}
	}
	var list []int
	if err := json.Unmarshal(mustLoad(t, e, "k1").Attrs["list"], &list); err != nil {
		t.Fatalf("decoding the list: %v", err)
	}
	seen := make(map[int]bool)
	for _, n := range list {
		if seen[n] {
			t.Errorf("%d appended twice", n)
		}
		seen[n] = true
	}
	if len(list) != UpdateGoroutines || len(seen) != UpdateGoroutines {
		t.Fatalf("list has %d entries (%d distinct), want %d", len(list), len(seen), UpdateGoroutines)
	}
	// The other attributes survived.
	if got := mustLoad(t, e, "k1").Attrs["a"]; string(got) != `"x"` {
		t.Errorf("a = %s, want \"x\"", got)
	}
}
