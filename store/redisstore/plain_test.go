package redisstore_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/httpstate/httpstate/session"
)

// TestOrphanIsAbsent: a hash of attributes without metadata (what a plain
// Save leaves for a moment when it loses a race with Delete or Rename) is
// absent for every reader and writer, and Create and Rename reuse its key
// without inheriting its attributes.
func TestOrphanIsAbsent(t *testing.T) {
	s, clock, c := newIndexStore(t)
	ctx := context.Background()
	orphan := func(key string) {
		t.Helper()
		if err := c.HSet(ctx, "t:s:{"+key+"}", ".n", `7`, ".o", `"orphan"`).Err(); err != nil {
			t.Fatal(err)
		}
	}
	orphan("k")
	if _, found, err := s.Load(ctx, "k"); found || err != nil {
		t.Errorf("Load(orphan) = %v, %v; want absent, no error", found, err)
	}
	if err := s.Save(ctx, "k", session.Delta{LastAccess: clock.Now()}); !errors.Is(err, session.ErrNotFound) {
		t.Errorf("Save(orphan, touch) = %v, want ErrNotFound", err)
	}
	if _, err := s.Update(ctx, "k", "n", func([]byte, bool) ([]byte, error) { return []byte(`1`), nil }); !errors.Is(err, session.ErrNotFound) {
		t.Errorf("Update(orphan) = %v, want ErrNotFound", err)
	}
	if ok, err := s.Delete(ctx, "k"); ok || err != nil {
		t.Errorf("Delete(orphan) = %v, %v; want false, nil", ok, err)
	}
	if err := s.Rename(ctx, "k", "k2"); !errors.Is(err, session.ErrNotFound) {
		t.Errorf("Rename(orphan) = %v, want ErrNotFound", err)
	}
	n := 0
	if err := s.Iterate(ctx, func(session.Meta) bool { n++; return true }); err != nil || n != 0 {
		t.Errorf("Iterate over an orphan = %d sessions, %v; want 0, nil", n, err)
	}
	if metas, err := s.Sweep(ctx); err != nil || len(metas) != 0 {
		t.Errorf("Sweep with an orphan = %v, %v; want nothing", metas, err)
	}
	// Create reuses the key and does not inherit the orphan's attributes.
	r := record("k", "alice", clock.Now())
	r.Attrs = map[string][]byte{"a": []byte(`1`)}
	if err := s.Create(ctx, r); err != nil {
		t.Fatalf("Create over an orphan = %v", err)
	}
	got, found, err := s.Load(ctx, "k")
	if !found || err != nil || len(got.Attrs) != 1 || string(got.Attrs["a"]) != `1` {
		t.Fatalf("Load after Create over an orphan = %+v, %v, %v; want only a=1", got, found, err)
	}
	if metas, err := s.ByPrincipal(ctx, "alice"); err != nil || len(metas) != 1 || metas[0].Size != 1 {
		t.Errorf("ByPrincipal(alice) = %+v, %v; want k with size 1", metas, err)
	}
	// Rename onto an orphan's key: the same.
	orphan("k3")
	if err := s.Rename(ctx, "k", "k3"); err != nil {
		t.Fatalf("Rename onto an orphan = %v", err)
	}
	got, found, err = s.Load(ctx, "k3")
	if !found || err != nil || len(got.Attrs) != 1 || string(got.Attrs["a"]) != `1` {
		t.Fatalf("Load after Rename onto an orphan = %+v, %v, %v; want only a=1", got, found, err)
	}
}

// TestPlainSaveRemovesOrphan: a plain Save on a deleted session returns
// ErrNotFound and leaves no key behind; its PEXPIRE NX never shortens a
// live session's TTL.
func TestPlainSaveRemovesOrphan(t *testing.T) {
	s, clock, c := newIndexStore(t)
	ctx := context.Background()
	if err := s.Create(ctx, record("k", "", clock.Now())); err != nil {
		t.Fatal(err)
	}
	before, err := c.PTTL(ctx, "t:s:{k}").Result()
	if err != nil {
		t.Fatal(err)
	}
	one := session.Delta{Set: map[string][]byte{"n": []byte(`1`)}}
	if err := s.Save(ctx, "k", one); err != nil {
		t.Fatal(err)
	}
	if after, err := c.PTTL(ctx, "t:s:{k}").Result(); err != nil || after > before || after < before-time.Minute {
		t.Errorf("PTTL after a plain Save = %v, %v; want about %v", after, err, before)
	}
	if _, err := s.Delete(ctx, "k"); err != nil {
		t.Fatal(err)
	}
	if err := s.Save(ctx, "k", one); !errors.Is(err, session.ErrNotFound) {
		t.Errorf("Save after Delete = %v, want ErrNotFound", err)
	}
	if n, err := c.Exists(ctx, "t:s:{k}").Result(); err != nil || n != 0 {
		t.Errorf("EXISTS after a late plain Save = %d, %v; want 0 (no orphan)", n, err)
	}
}

// TestPlainSaveRacingDelete: plain Saves racing a Delete either succeed
// before it or report ErrNotFound; afterwards the session is absent and no
// orphan is left.
func TestPlainSaveRacingDelete(t *testing.T) {
	s, clock, c := newIndexStore(t)
	ctx := context.Background()
	for round := range 20 {
		key := fmt.Sprintf("k%d", round)
		if err := s.Create(ctx, record(key, "", clock.Now())); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errs := make(chan error, 40)
		for g := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 10 {
					d := session.Delta{Set: map[string][]byte{fmt.Sprint("a", g): []byte(fmt.Sprint(i))}}
					if err := s.Save(ctx, key, d); err != nil && !errors.Is(err, session.ErrNotFound) {
						errs <- err
					}
				}
			}()
		}
		if _, err := s.Delete(ctx, key); err != nil {
			t.Fatal(err)
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("Save racing Delete: %v", err)
		}
		if _, found, err := s.Load(ctx, key); found || err != nil {
			t.Errorf("Load after Delete = %v, %v; want absent", found, err)
		}
		if n, err := c.Exists(ctx, "t:s:{"+key+"}").Result(); err != nil || n != 0 {
			t.Errorf("round %d: EXISTS after Delete and late Saves = %d, %v; want 0 (no orphan)", round, n, err)
		}
	}
}

// TestPlainSaveRacingRename: every plain Save that a concurrent Rename lets
// succeed (nil) is in the renamed session: no acknowledged write is lost.
// The old key ends absent, with no orphan.
func TestPlainSaveRacingRename(t *testing.T) {
	s, clock, c := newIndexStore(t)
	ctx := context.Background()
	for round := range 20 {
		oldKey, newKey := fmt.Sprintf("old%d", round), fmt.Sprintf("new%d", round)
		if err := s.Create(ctx, record(oldKey, "", clock.Now())); err != nil {
			t.Fatal(err)
		}
		var (
			wg    sync.WaitGroup
			mu    sync.Mutex
			acked []string
		)
		for g := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 10 {
					name := fmt.Sprintf("a%d-%d", g, i)
					err := s.Save(ctx, oldKey, session.Delta{Set: map[string][]byte{name: []byte(`1`)}})
					switch {
					case err == nil:
						mu.Lock()
						acked = append(acked, name)
						mu.Unlock()
					case !errors.Is(err, session.ErrNotFound):
						t.Errorf("Save racing Rename: %v", err)
					}
				}
			}()
		}
		if err := s.Rename(ctx, oldKey, newKey); err != nil {
			t.Fatal(err)
		}
		wg.Wait()
		got, found, err := s.Load(ctx, newKey)
		if !found || err != nil {
			t.Fatalf("Load(new) = %v, %v", found, err)
		}
		for _, name := range acked {
			if _, ok := got.Attrs[name]; !ok {
				t.Errorf("round %d: acknowledged attribute %q is missing after Rename", round, name)
			}
		}
		if n, err := c.Exists(ctx, "t:s:{"+oldKey+"}").Result(); err != nil || n != 0 {
			t.Errorf("round %d: EXISTS(old) after Rename and late Saves = %d, %v; want 0", round, n, err)
		}
	}
}

// TestPlainSaveSizeUnderContention: concurrent plain Saves of one attribute
// with values of different lengths keep Meta.Size equal to the attributes'
// total length.
func TestPlainSaveSizeUnderContention(t *testing.T) {
	s, clock, _ := newIndexStore(t)
	ctx := context.Background()
	if err := s.Create(ctx, record("k", "alice", clock.Now())); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 25 {
				v := make([]byte, 1+(g*7+i*3)%40)
				for j := range v {
					v[j] = 'x'
				}
				if err := s.Save(ctx, "k", session.Delta{Set: map[string][]byte{"shared": v}}); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	got, _, err := s.Load(ctx, "k")
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	for _, v := range got.Attrs {
		want += len(v)
	}
	metas, err := s.ByPrincipal(ctx, "alice")
	if err != nil || len(metas) != 1 || metas[0].Size != want {
		t.Errorf("ByPrincipal = %+v, %v; want size %d", metas, err, want)
	}
}
