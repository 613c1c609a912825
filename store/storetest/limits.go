package storetest

import (
	"errors"
	"strconv"
	"strings"
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

// LongPrincipal is the length of the principal the LongPrincipal case
// gives a session: longer than store/boltstore's index keys hold
// (boltstore.MaxPrincipalLen).
const LongPrincipal = 1 << 16

// testLongPrincipal: a principal is stored whole, or refused as a format
// limit. A Create, or a Save of a principal, of LongPrincipal bytes either
// succeeds, and the session loads back and is listed under that principal,
// or fails with an error that wraps session.ErrTooLarge and writes
// nothing. (The application picks the principal; a store that refuses one
// with any other error makes the Manager answer 503, an unavailable store,
// for the application's mistake.)
func testLongPrincipal(t *testing.T, e *Env) {
	now := e.Clock.Now()
	long := strings.Repeat("p", LongPrincipal)
	for i := range 2 {
		// First a Create, then a Save of alice's session to the principal.
		key := "k" + strconv.Itoa(i)
		var err error
		if i == 0 {
			err = e.Store.Create(e.Ctx, NewRecord(key, long, now))
		} else {
			mustCreate(t, e, NewRecord(key, "alice", now))
			err = e.Store.Save(e.Ctx, key, session.Delta{Principal: &long})
		}
		what := [2]string{"Create", "Save"}[i]
		if err != nil {
			t.Logf("%s of a %d-byte principal refused: %v", what, len(long), err)
			if !errors.Is(err, session.ErrTooLarge) {
				t.Errorf("%s of a %d-byte principal refused with %v, want an error wrapping session.ErrTooLarge", what, len(long), err)
			}
			if i == 0 {
				mustBeAbsent(t, e, key)
			} else if p := mustLoad(t, e, key).Principal; p != "alice" {
				t.Errorf("after a refused Save, principal is %d bytes, want alice", len(p))
			}
			continue
		}
		if p := mustLoad(t, e, key).Principal; p != long {
			t.Errorf("after %s, principal is %d bytes, want the %d given", what, len(p), len(long))
		}
	}
	// ByPrincipal lists exactly the sessions the writes that succeeded gave
	// the long principal, and alice keeps hers if the Save was refused.
	var want, wantAlice []string
	for _, key := range []string{"k0", "k1"} {
		r, found, err := e.Store.Load(e.Ctx, key)
		switch {
		case err != nil:
			t.Fatalf("Load(%s) = %v", key, err)
		case found && r.Principal == long:
			want = append(want, key)
		case found && r.Principal == "alice":
			wantAlice = append(wantAlice, key)
		}
	}
	if got := keysInOrder(byPrincipal(t, e, long)); !equalStrings(got, want) {
		t.Errorf("ByPrincipal(long) = %v, want %v", got, want)
	}
	if got := keysInOrder(byPrincipal(t, e, "alice")); !equalStrings(got, wantAlice) {
		t.Errorf("ByPrincipal(alice) = %v, want %v", got, wantAlice)
	}
}
