package storetest

import (
	"testing"

	"github.com/httpstate/httpstate/session"
)

// testNilValue: a nil value is a value, not a deletion. Given in a created
// record's Attrs or in a Delta's Set, it is stored as an empty value: Load
// returns the attribute as present, with a non-nil, empty slice, as for
// []byte{}. nil is what Update's fn receives for an absent attribute and
// returns to delete one, so a present attribute never reads as nil, and an
// Update whose fn returns the value it was given changes nothing on every
// store. (The session layer never writes an empty value, every value being
// JSON; a Store serves other callers too.)
func testNilValue(t *testing.T, e *Env) {
	r := NewRecord("k1", "alice", e.Clock.Now())
	r.Attrs["nil"] = nil
	r.Attrs["empty"] = []byte{}
	mustCreate(t, e, r)
	emptyValues(t, "after Create", mustLoad(t, e, "k1").Attrs, "nil", "empty")

	mustSave(t, e, "k1", session.Delta{Set: map[string][]byte{"a": nil, "new": nil, "new-empty": {}}})
	got := mustLoad(t, e, "k1")
	emptyValues(t, "after Save", got.Attrs, "nil", "empty", "a", "new", "new-empty")
	if len(got.Attrs) != 6 {
		t.Errorf("after Save: Attrs = %s, want a, empty, n, new, new-empty and nil", fmtAttrs(got.Attrs))
	}

	v, err := e.Store.Update(e.Ctx, "k1", "nil", func(old []byte, ok bool) ([]byte, error) {
		if !ok || old == nil || len(old) != 0 {
			t.Errorf("Update's fn got %q (nil: %v), ok=%v for an empty value; want an empty non-nil slice, true", old, old == nil, ok)
		}
		return old, nil
	})
	if err != nil || v == nil || len(v) != 0 {
		t.Errorf("Update returning the empty value it got = %q (nil: %v), %v; want an empty non-nil slice, nil", v, v == nil, err)
	}
	emptyValues(t, "after an Update that returned the value", mustLoad(t, e, "k1").Attrs, "nil")
}

// emptyValues fails the test unless each named attribute is present with
// an empty, non-nil value.
func emptyValues(t testing.TB, when string, attrs map[string][]byte, names ...string) {
	t.Helper()
	for _, name := range names {
		v, ok := attrs[name]
		if !ok || v == nil || len(v) != 0 {
			t.Errorf("%s: attribute %q = %q (present: %v, nil: %v); want present, empty and non-nil", when, name, v, ok, v == nil)
		}
	}
}
