package storetest

import (
	"errors"
	"strconv"
	"testing"

	"github.com/httpstate/httpstate/session"
)

// ManyAttrs is the number of attributes the ManyAttrs case puts in one
// record: one more than store/boltstore's record format holds
// (boltstore.MaxAttrs), so that a store with such a limit must refuse the
// write rather than store what it cannot read back.
const ManyAttrs = 1<<16 + 1

// testManyAttrs: a write the store acknowledges loads back whole. A record
// of ManyAttrs attributes, given to Create or reached by a Save, is either
// stored and loaded back intact, or refused with an error that wraps
// session.ErrTooLarge and writes nothing. (Stores may limit what a record
// holds; none may accept a record it then fails to load. The Manager
// answers ErrTooLarge as the application's error, 500, and any other store
// error as an unavailable store, 503.)
func testManyAttrs(t *testing.T, e *Env) {
	now := e.Clock.Now()
	big := NewRecord("k1", "alice", now)
	for i := len(big.Attrs); i < ManyAttrs; i++ {
		big.Attrs["m"+strconv.Itoa(i)] = []byte(strconv.Itoa(i))
	}
	if err := e.Store.Create(e.Ctx, big); err != nil {
		t.Logf("Create of %d attributes refused: %v", len(big.Attrs), err)
		if !errors.Is(err, session.ErrTooLarge) {
			t.Errorf("Create of %d attributes refused with %v, want an error wrapping session.ErrTooLarge", len(big.Attrs), err)
		}
		mustBeAbsent(t, e, "k1")
		if got := byPrincipal(t, e, "alice"); len(got) != 0 {
			t.Errorf("ByPrincipal(alice) after a refused Create = %v, want none", metaKeys(got))
		}
	} else {
		sameRecord(t, mustLoad(t, e, "k1"), big)
	}

	small := NewRecord("k2", "bob", now)
	mustCreate(t, e, small)
	d := session.Delta{Set: make(map[string][]byte, ManyAttrs)}
	for i := range ManyAttrs - 1 {
		d.Set["s"+strconv.Itoa(i)] = []byte(strconv.Itoa(i))
	}
	want := cloneRecord(small)
	if err := e.Store.Save(e.Ctx, "k2", d); err != nil {
		t.Logf("Save taking a record to %d attributes refused: %v", len(small.Attrs)+len(d.Set), err)
		if !errors.Is(err, session.ErrTooLarge) {
			t.Errorf("Save taking a record to %d attributes refused with %v, want an error wrapping session.ErrTooLarge", len(small.Attrs)+len(d.Set), err)
		}
	} else {
		for k, v := range d.Set {
			want.Attrs[k] = v
		}
	}
	sameRecord(t, mustLoad(t, e, "k2"), want)
}
