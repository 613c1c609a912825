package memstore

import (
	"context"
	"testing"
	"time"
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
