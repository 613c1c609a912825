package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/httpstate/httpstate/session"
)

// testCreateLoad: a created record loads back field for field.
func testCreateLoad(t *testing.T, e *Env) {
	now := e.Clock.Now()
	want := NewRecord("k1", "alice", now)
	want.Created = now.Add(-time.Minute)
	want.IdleTimeout = 17 * time.Minute
	want.Attrs["empty"] = []byte{}
	want.Attrs["big"] = make([]byte, 10000)
	for i := range want.Attrs["big"] {
		want.Attrs["big"][i] = 'a' + byte(i%26)
	}
	mustCreate(t, e, want)
	got := mustLoad(t, e, "k1")
	sameRecord(t, got, cloneRecord(want))
	// A second Load sees the same.
	sameRecord(t, mustLoad(t, e, "k1"), want)
}

// cloneRecord returns a deep copy of r.
func cloneRecord(r *session.Record) *session.Record {
	c := *r
	c.Attrs = make(map[string][]byte, len(r.Attrs))
	for k, v := range r.Attrs {
		c.Attrs[k] = append([]byte{}, v...)
	}
	return &c
}

// testCreateExists: Create on a taken key fails with ErrExists and leaves the
// first record alone.
func testCreateExists(t *testing.T, e *Env) {
	now := e.Clock.Now()
	first := NewRecord("k1", "alice", now)
	mustCreate(t, e, first)
	second := NewRecord("k1", "bob", now)
	second.Attrs = map[string][]byte{"other": []byte(`true`)}
	wantErr(t, "Create on a taken key", e.Store.Create(e.Ctx, second), session.ErrExists)
	sameRecord(t, mustLoad(t, e, "k1"), first)
	if got := byPrincipal(t, e, "bob"); len(got) != 0 {
		t.Errorf("ByPrincipal(bob) after a failed Create = %v, want none", got)
	}
}

// testCreateOverExpired: an expired record does not hold its key: Create
// may reuse it, and the new record carries nothing of the old one.
func testCreateOverExpired(t *testing.T, e *Env) {
	old := NewRecord("k1", "alice", e.Clock.Now())
	old.IdleTimeout = time.Minute
	old.Attrs["stale"] = []byte(`true`)
	mustCreate(t, e, old)
	e.Clock.Advance(time.Minute)
	fresh := NewRecord("k1", "bob", e.Clock.Now())
	mustCreate(t, e, fresh)
	sameRecord(t, mustLoad(t, e, "k1"), fresh)
	checkTakeover(t, e, "k1", fresh)
}

// checkTakeover checks the indexes and Sweep after want, bob's live record
// under key, took the place of alice's expired one: alice has no session,
// bob has just key, and whatever Sweep reports of the expired record, it
// leaves want as it is.
func checkTakeover(t *testing.T, e *Env, key string, want *session.Record) {
	t.Helper()
	if got := byPrincipal(t, e, "alice"); len(got) != 0 {
		t.Errorf("ByPrincipal(alice) = %v, want none", metaKeys(got))
	}
	if got := keysInOrder(byPrincipal(t, e, "bob")); !equalStrings(got, []string{key}) {
		t.Errorf("ByPrincipal(bob) = %v, want [%s]", got, key)
	}
	for _, m := range sweep(t, e) {
		if m.Principal == "bob" {
			t.Errorf("Sweep reported the live record %+v", m)
		}
	}
	sameRecord(t, mustLoad(t, e, key), want)
}

// testCreateNoAttrs: a record without attributes round-trips, and can then
// gain some.
func testCreateNoAttrs(t *testing.T, e *Env) {
	now := e.Clock.Now()
	r := NewRecord("k1", "", now)
	r.Attrs = nil
	mustCreate(t, e, r)
	got := mustLoad(t, e, "k1")
	sameRecord(t, got, r)
	mustSave(t, e, "k1", session.Delta{Set: map[string][]byte{"a": []byte(`1`)}})
	if got := mustLoad(t, e, "k1").Attrs["a"]; string(got) != "1" {
		t.Errorf("after Save, a = %q, want 1", got)
	}
}

// testLoadAbsent: absence is found=false with a nil error.
func testLoadAbsent(t *testing.T, e *Env) {
	mustBeAbsent(t, e, "never-created")
	mustCreate(t, e, NewRecord("k1", "", e.Clock.Now()))
	mustBeAbsent(t, e, "k2")
}

// testLoadSnapshot: the store keeps nothing of its caller's (changing the
// record given to Create, or a delta's values, afterwards does not change
// the stored one), and a loaded record is a snapshot: later writes leave it
// as it was. (A loaded record may be shared with other callers, so the
// suite never modifies one; see session.Store.)
func testLoadSnapshot(t *testing.T, e *Env) {
	now := e.Clock.Now()
	in := NewRecord("k1", "alice", now)
	want := cloneRecord(in)
	mustCreate(t, e, in)
	in.Attrs["a"][1] = 'Z'
	in.Attrs["added"] = []byte(`1`)
	in.Principal = "mallory"
	got := mustLoad(t, e, "k1")
	sameRecord(t, got, want)

	v := []byte(`"y"`)
	bob := "bob"
	e.Clock.Advance(time.Second)
	mustSave(t, e, "k1", session.Delta{
		Set:        map[string][]byte{"a": v, "new": []byte(`2`)},
		Delete:     []string{"n"},
		LastAccess: e.Clock.Now(),
		Principal:  &bob,
	})
	v[1] = 'Z'
	// The record loaded before the Save still reads as it did.
	sameRecord(t, got, want)
	after := mustLoad(t, e, "k1")
	if a := after.Attrs["a"]; string(a) != `"y"` {
		t.Errorf("after changing the saved slice, a = %s, want \"y\"", a)
	}
	if _, ok := after.Attrs["n"]; ok || after.Principal != "bob" || string(after.Attrs["new"]) != `2` {
		t.Errorf("after the save: %+v, want n deleted, new=2, principal bob", after)
	}

	if _, err := e.Store.Update(e.Ctx, "k1", "a", func(old []byte, ok bool) ([]byte, error) {
		return []byte(`"u"`), nil
	}); err != nil {
		t.Fatalf("Update: %v", err)
	}
	if a := after.Attrs["a"]; string(a) != `"y"` {
		t.Errorf("a record loaded before an Update changed: a = %s, want \"y\"", a)
	}
	if err := e.Store.Rename(e.Ctx, "k1", "k2"); err != nil {
		t.Fatalf("Rename: %v", err)
	}
	if after.Key != "k1" {
		t.Errorf("a record loaded before a Rename changed: Key = %q, want k1", after.Key)
	}
}

// testSaveDelta: Save applies each part of a delta and leaves everything else
// alone.
func testSaveDelta(t *testing.T, e *Env) {
	now := e.Clock.Now()
	r := NewRecord("k1", "alice", now)
	r.Attrs["keep"] = []byte(`{"k":true}`)
	r.Attrs["gone"] = []byte(`"bye"`)
	mustCreate(t, e, r)
	want := cloneRecord(r)

	e.Clock.Advance(time.Minute)
	later := e.Clock.Now()
	mustSave(t, e, "k1", session.Delta{
		Set:         map[string][]byte{"a": []byte(`"replaced"`), "new": []byte(`[1]`)},
		Delete:      []string{"gone", "never-there"},
		LastAccess:  later,
		IdleTimeout: 45 * time.Minute,
		Principal:   ptr("bob"),
	})
	want.Attrs["a"] = []byte(`"replaced"`)
	want.Attrs["new"] = []byte(`[1]`)
	delete(want.Attrs, "gone")
	want.LastAccess = later
	want.IdleTimeout = 45 * time.Minute
	want.Principal = "bob"
	sameRecord(t, mustLoad(t, e, "k1"), want)

	checkMeta(t, e, want)

	// Zero fields change nothing; one part alone changes only that part.
	mustSave(t, e, "k1", session.Delta{Delete: []string{"new"}})
	delete(want.Attrs, "new")
	sameRecord(t, mustLoad(t, e, "k1"), want)
	checkMeta(t, e, want)

	mustSave(t, e, "k1", session.Delta{Principal: ptr("")})
	want.Principal = ""
	sameRecord(t, mustLoad(t, e, "k1"), want)
	checkMeta(t, e, want)
}

// checkMeta fails the test unless Iterate reports want's metadata, and want
// alone.
func checkMeta(t *testing.T, e *Env, want *session.Record) {
	t.Helper()
	got := iterateAll(t, e)
	if len(got) != 1 {
		t.Fatalf("Iterate = %v, want %s alone", metaKeys(got), want.Key)
	}
	sameMeta(t, got[0], wantMeta(want))
}

// testSaveEmptyDelta: an empty delta succeeds on a live record and changes
// nothing; on an absent one it reports ErrNotFound.
func testSaveEmptyDelta(t *testing.T, e *Env) {
	r := NewRecord("k1", "alice", e.Clock.Now())
	mustCreate(t, e, r)
	mustSave(t, e, "k1", session.Delta{})
	sameRecord(t, mustLoad(t, e, "k1"), r)
	wantErr(t, "Save(empty delta) on an absent key", e.Store.Save(e.Ctx, "k2", session.Delta{}), session.ErrNotFound)
}

// failWrites runs every writing method except Create and Delete on key and
// checks each reports ErrNotFound; Rename targets newKey.
func failWrites(t *testing.T, e *Env, key, newKey string) {
	t.Helper()
	now := e.Clock.Now()
	err := e.Store.Save(e.Ctx, key, session.Delta{
		Set: map[string][]byte{"late": []byte(`1`)}, LastAccess: now, Principal: ptr("late"),
	})
	wantErr(t, "Save", err, session.ErrNotFound)
	wantErr(t, "Save(LastAccess only)", e.Store.Save(e.Ctx, key, session.Delta{LastAccess: now}), session.ErrNotFound)
	v, err := e.Store.Update(e.Ctx, key, "late", func(old []byte, ok bool) ([]byte, error) {
		return []byte(`2`), nil
	})
	wantErr(t, "Update", err, session.ErrNotFound)
	if v != nil {
		t.Errorf("Update on an absent record returned %q, want nil", v)
	}
	wantErr(t, "Rename", e.Store.Rename(e.Ctx, key, newKey), session.ErrNotFound)
	mustBeAbsent(t, e, key)
	mustBeAbsent(t, e, newKey)
	if got := byPrincipal(t, e, "late"); len(got) != 0 {
		t.Errorf("ByPrincipal(late) = %v, want none: a failed Save indexed the session", got)
	}
}

// testWritesOnAbsent: writes to a key that never existed report ErrNotFound
// and create nothing.
func testWritesOnAbsent(t *testing.T, e *Env) {
	failWrites(t, e, "never-created", "new-key")
	if got := iterateAll(t, e); len(got) != 0 {
		t.Errorf("Iterate after failed writes = %v, want nothing", got)
	}
}

// testWritesOnExpired: a late save never resurrects an expired session, and
// Sweep still reports it.
func testWritesOnExpired(t *testing.T, e *Env) {
	r := NewRecord("k1", "alice", e.Clock.Now())
	mustCreate(t, e, r)
	e.Clock.Advance(r.IdleTimeout)
	failWrites(t, e, "k1", "k2")
	if got := byPrincipal(t, e, "alice"); len(got) != 0 {
		t.Errorf("ByPrincipal(alice) = %v, want none", got)
	}
	got := sweep(t, e)
	if len(got) != 1 {
		t.Fatalf("Sweep = %v, want k1 alone", got)
	}
	sameMeta(t, got[0], wantMeta(r))
}

// testWritesAfterDelete: a save that arrives after Delete reports ErrNotFound.
func testWritesAfterDelete(t *testing.T, e *Env) {
	mustCreate(t, e, NewRecord("k1", "alice", e.Clock.Now()))
	if found, err := e.Store.Delete(e.Ctx, "k1"); err != nil || !found {
		t.Fatalf("Delete = %v, %v; want true, nil", found, err)
	}
	failWrites(t, e, "k1", "k2")
	if got := sweep(t, e); len(got) != 0 {
		t.Errorf("Sweep after Delete = %v, want nothing", got)
	}
}

// testRename: Rename moves every field and attribute; the old key is dead.
func testRename(t *testing.T, e *Env) {
	r := NewRecord("old", "alice", e.Clock.Now())
	mustCreate(t, e, r)
	if err := e.Store.Rename(e.Ctx, "old", "new"); err != nil {
		t.Fatalf("Rename = %v, want nil", err)
	}
	want := cloneRecord(r)
	want.Key = "new"
	sameRecord(t, mustLoad(t, e, "new"), want)
	mustBeAbsent(t, e, "old")
	wantErr(t, "Save on the old key", e.Store.Save(e.Ctx, "old", session.Delta{LastAccess: e.Clock.Now()}), session.ErrNotFound)
	wantErr(t, "Rename of the old key again", e.Store.Rename(e.Ctx, "old", "newer"), session.ErrNotFound)
	mustBeAbsent(t, e, "old")
	// The renamed record is fully live.
	mustSave(t, e, "new", session.Delta{Set: map[string][]byte{"b": []byte(`2`)}})
	if got := mustLoad(t, e, "new").Attrs["b"]; string(got) != "2" {
		t.Errorf("after Save on the new key, b = %s, want 2", got)
	}
	if got := iterateAll(t, e); len(got) != 1 || got[0].Key != "new" {
		t.Errorf("Iterate after Rename = %v, want the new key alone", got)
	}
	// The old key is free again, for a record that has nothing of the
	// moved one.
	other := NewRecord("old", "bob", e.Clock.Now())
	mustCreate(t, e, other)
	sameRecord(t, mustLoad(t, e, "old"), other)
	if got := mustLoad(t, e, "new").Attrs["b"]; string(got) != "2" {
		t.Errorf("after re-creating the old key, new's b = %s, want 2", got)
	}
}

// testRenameExists: Rename onto a taken key fails with ErrExists and changes
// neither record.
func testRenameExists(t *testing.T, e *Env) {
	now := e.Clock.Now()
	a := NewRecord("a", "alice", now)
	b := NewRecord("b", "bob", now)
	b.Attrs = map[string][]byte{"b": []byte(`true`)}
	mustCreate(t, e, a)
	mustCreate(t, e, b)
	wantErr(t, "Rename onto a taken key", e.Store.Rename(e.Ctx, "a", "b"), session.ErrExists)
	sameRecord(t, mustLoad(t, e, "a"), a)
	sameRecord(t, mustLoad(t, e, "b"), b)
}

// testDelete: Delete reports whether a record existed and removes it.
func testDelete(t *testing.T, e *Env) {
	now := e.Clock.Now()
	mustCreate(t, e, NewRecord("k1", "alice", now))
	mustCreate(t, e, NewRecord("k2", "alice", now))
	found, err := e.Store.Delete(e.Ctx, "k1")
	if err != nil || !found {
		t.Fatalf("Delete(k1) = %v, %v; want true, nil", found, err)
	}
	mustBeAbsent(t, e, "k1")
	mustLoad(t, e, "k2")
	found, err = e.Store.Delete(e.Ctx, "k1")
	if err != nil || found {
		t.Fatalf("second Delete(k1) = %v, %v; want false, nil", found, err)
	}
	found, err = e.Store.Delete(e.Ctx, "never-created")
	if err != nil || found {
		t.Fatalf("Delete(never-created) = %v, %v; want false, nil", found, err)
	}
	// The key can be used again.
	mustCreate(t, e, NewRecord("k1", "bob", now))
	if got := mustLoad(t, e, "k1").Principal; got != "bob" {
		t.Errorf("re-created k1 has principal %q, want bob", got)
	}
}

// testClose: every method reports ErrClosed after Close.
func testClose(t *testing.T, e *Env) {
	mustCreate(t, e, NewRecord("k1", "alice", e.Clock.Now()))
	if err := e.Store.Close(); err != nil {
		t.Fatalf("Close = %v, want nil", err)
	}
	s, ctx := e.Store, e.Ctx
	fn := func(old []byte, ok bool) ([]byte, error) { return []byte(`1`), nil }
	checks := []struct {
		name string
		err  error
	}{
		{"Create", s.Create(ctx, NewRecord("k2", "", e.Clock.Now()))},
		{"Load", func() error { _, _, err := s.Load(ctx, "k1"); return err }()},
		{"Save", s.Save(ctx, "k1", session.Delta{LastAccess: e.Clock.Now()})},
		{"Update", func() error { _, err := s.Update(ctx, "k1", "a", fn); return err }()},
		{"Rename", s.Rename(ctx, "k1", "k3")},
		{"Delete", func() error { _, err := s.Delete(ctx, "k1"); return err }()},
		{"ByPrincipal", func() error { _, err := s.ByPrincipal(ctx, "alice"); return err }()},
		{"Iterate", s.Iterate(ctx, func(session.Meta) bool { return true })},
		{"Sweep", func() error { _, err := s.Sweep(ctx); return err }()},
	}
	for _, c := range checks {
		if !errors.Is(c.err, session.ErrClosed) {
			t.Errorf("%s after Close: err = %v, want one wrapping ErrClosed", c.name, c.err)
		}
	}
}

// testRenameOverExpired: an expired record does not hold its key (as for
// Create): Rename may move a live record onto it, and the moved record
// carries nothing of the expired one, in Load, ByPrincipal or Sweep.
func testRenameOverExpired(t *testing.T, e *Env) {
	now := e.Clock.Now()
	old := NewRecord("k2", "alice", now)
	old.IdleTimeout = time.Minute
	old.Attrs["stale"] = []byte(`true`)
	mustCreate(t, e, old)
	e.Clock.Advance(time.Minute)
	live := NewRecord("k1", "bob", e.Clock.Now())
	mustCreate(t, e, live)
	if err := e.Store.Rename(e.Ctx, "k1", "k2"); err != nil {
		t.Fatalf("Rename onto an expired record's key = %v, want nil", err)
	}
	want := cloneRecord(live)
	want.Key = "k2"
	sameRecord(t, mustLoad(t, e, "k2"), want)
	mustBeAbsent(t, e, "k1")
	checkTakeover(t, e, "k2", want)
}

// testZeroDeadline: a record without an absolute deadline (a zero Deadline)
// round-trips with a zero Deadline and lives until its idle deadline, which
// each recorded access pushes, however long it lives.
func testZeroDeadline(t *testing.T, e *Env) {
	r := NewRecord("k1", "alice", e.Clock.Now())
	r.Deadline = time.Time{}
	r.IdleTimeout = 20 * time.Hour
	mustCreate(t, e, r)
	got := mustLoad(t, e, "k1")
	if !got.Deadline.IsZero() {
		t.Errorf("Deadline = %v, want the zero time", got.Deadline)
	}
	sameRecord(t, got, r)
	want := cloneRecord(r)
	for range 3 { // 57 hours: no deadline ends it
		e.Clock.Advance(19 * time.Hour)
		mustSave(t, e, "k1", session.Delta{LastAccess: e.Clock.Now()})
		want.LastAccess = e.Clock.Now()
	}
	sameRecord(t, mustLoad(t, e, "k1"), want)
	checkMeta(t, e, want)
	if got := sweep(t, e); len(got) != 0 {
		t.Errorf("Sweep = %v, want none", metaKeys(got))
	}
	e.Clock.Advance(r.IdleTimeout - time.Second)
	mustLoad(t, e, "k1")
	e.Clock.Advance(time.Second)
	mustBeAbsent(t, e, "k1")
	if got := sweep(t, e); len(got) != 1 || got[0].Key != "k1" {
		t.Errorf("Sweep after the idle timeout = %v, want [k1]", metaKeys(got))
	}
}

// testSaveKeepsNothing: the delta given to Save belongs to the caller again
// once Save returns (the Manager reuses its maps for later requests):
// changing its Set map or its Delete slice afterwards changes nothing
// stored.
func testSaveKeepsNothing(t *testing.T, e *Env) {
	r := NewRecord("k1", "alice", e.Clock.Now())
	mustCreate(t, e, r)
	d := session.Delta{
		Set:    map[string][]byte{"x": []byte(`"set"`)},
		Delete: []string{"n"},
	}
	mustSave(t, e, "k1", d)
	want := cloneRecord(r)
	want.Attrs["x"] = []byte(`"set"`)
	delete(want.Attrs, "n")

	// The Manager clears and refills the map and the slice for its next
	// request.
	clear(d.Set)
	d.Set["y"] = []byte(`"later"`)
	d.Delete[0] = "a"
	d.Delete = append(d.Delete, "x")
	sameRecord(t, mustLoad(t, e, "k1"), want)
	checkMeta(t, e, want)
}
