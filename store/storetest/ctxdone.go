package storetest

import (
	"context"
	"errors"
	"testing"

	"github.com/httpstate/httpstate/session"
)

// testContextDone: a call whose context has ended, before it starts or
// while it runs (Update's fn ends it), returns its real outcome or fails
// with an error, and never one that wraps ErrNotFound or ErrExists, which
// would tell the Manager that a live session is gone or a free key taken
// (session.Store). A nil error must be the truth: the write was made,
// Delete found the record, Load, ByPrincipal and Iterate saw it.
func testContextDone(t *testing.T, e *Env) {
	now := e.Clock.Now()
	for _, k := range []string{"k1", "k2", "k3"} {
		mustCreate(t, e, NewRecord(k, "alice", now))
	}
	ctx, cancel := context.WithCancel(e.Ctx)
	cancel()
	s := e.Store
	lie := func(what string, err error) bool {
		t.Helper()
		if errors.Is(err, session.ErrNotFound) || errors.Is(err, session.ErrExists) {
			t.Errorf("%s with an ended context = %v, want nil or an error wrapping neither ErrNotFound nor ErrExists", what, err)
			return true
		}
		return false
	}

	if err := s.Create(ctx, NewRecord("new", "alice", now)); err == nil {
		mustLoad(t, e, "new")
	} else {
		lie("Create", err)
	}
	if err := s.Save(ctx, "k1", session.Delta{Set: map[string][]byte{"x": []byte(`1`)}}); err == nil {
		if got := mustLoad(t, e, "k1").Attrs["x"]; string(got) != "1" {
			t.Errorf("Save with an ended context returned nil, but x = %q, want 1", got)
		}
	} else {
		lie("Save", err)
	}
	set := func(old []byte, ok bool) ([]byte, error) { return []byte(`"u"`), nil }
	if v, err := s.Update(ctx, "k1", "u", set); err == nil {
		if got := mustLoad(t, e, "k1").Attrs["u"]; string(v) != `"u"` || string(got) != `"u"` {
			t.Errorf("Update with an ended context = %q, nil, but u = %q; want \"u\" both", v, got)
		}
	} else {
		lie("Update", err)
	}
	if err := s.Rename(ctx, "k2", "k2-moved"); err == nil {
		mustBeAbsent(t, e, "k2")
		mustLoad(t, e, "k2-moved")
	} else {
		lie("Rename", err)
	}
	if found, err := s.Delete(ctx, "k3"); err == nil {
		if !found {
			t.Errorf("Delete of a live record with an ended context = false, nil; want true or an error")
		}
		mustBeAbsent(t, e, "k3")
	} else {
		lie("Delete", err)
	}
	if r, found, err := s.Load(ctx, "k1"); err == nil && (!found || r == nil || r.Key != "k1") {
		t.Errorf("Load of a live record with an ended context = %v, %v, nil; want the record or an error", r, found)
	}
	if metas, err := s.ByPrincipal(ctx, "alice"); err == nil && len(metas) == 0 {
		t.Errorf("ByPrincipal(alice) with an ended context = none, nil; want her sessions or an error")
	}
	visited := 0
	if err := s.Iterate(ctx, func(session.Meta) bool { visited++; return true }); err == nil && visited == 0 {
		t.Errorf("Iterate with an ended context visited none and returned nil; want the sessions or an error")
	}

	// The context ends while the write runs: Update's fn cancels it.
	ctx, cancel = context.WithCancel(e.Ctx)
	defer cancel()
	v, err := s.Update(ctx, "k1", "mid", func(old []byte, ok bool) ([]byte, error) {
		cancel()
		return []byte(`2`), nil
	})
	if err == nil {
		if got := mustLoad(t, e, "k1").Attrs["mid"]; string(v) != "2" || string(got) != "2" {
			t.Errorf("Update whose fn ended its context = %q, nil, but mid = %q; want 2 both", v, got)
		}
	} else {
		lie("Update (fn ends the context)", err)
	}
	// Whatever the calls did, the store still works.
	mustLoad(t, e, "k1")
}
