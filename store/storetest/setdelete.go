package storetest

import (
	"testing"

	"github.com/httpstate/httpstate/session"
)

// testSaveSetAndDelete: an attribute a Delta both sets and deletes ends up
// set to its Set value, whether the record had it or not (session.Delta:
// Delete applies first), and the metadata's Size counts it once. Delete
// may name an attribute twice, or one the record lacks.
func testSaveSetAndDelete(t *testing.T, e *Env) {
	now := e.Clock.Now()
	r := NewRecord("k1", "alice", now)
	r.Attrs["gone"] = []byte(`"bye"`)
	mustCreate(t, e, r)
	want := cloneRecord(r)

	mustSave(t, e, "k1", session.Delta{
		Set:    map[string][]byte{"a": []byte(`"both, had it"`), "fresh": []byte(`"both, new"`)},
		Delete: []string{"a", "fresh", "gone", "gone", "never-there", "a"},
	})
	want.Attrs["a"] = []byte(`"both, had it"`)
	want.Attrs["fresh"] = []byte(`"both, new"`)
	delete(want.Attrs, "gone")
	sameRecord(t, mustLoad(t, e, "k1"), want)
	checkMeta(t, e, want)

	// The same with a nil value (stored empty, see NilValue) and a
	// single attribute, the shape of the commonest Save.
	mustSave(t, e, "k1", session.Delta{
		Set:    map[string][]byte{"n": nil},
		Delete: []string{"n"},
	})
	want.Attrs["n"] = []byte{}
	sameRecord(t, mustLoad(t, e, "k1"), want)
	checkMeta(t, e, want)
	if v, ok := mustLoad(t, e, "k1").Attrs["n"]; !ok || v == nil {
		t.Errorf("n, set to nil and deleted by one Save, loads as %q, %v; want present, empty and non-nil", v, ok)
	}
}
