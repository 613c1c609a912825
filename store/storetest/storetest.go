// Package storetest is the conformance suite for session.Store
// implementations. Every store in httpstate runs it, and third-party stores
// can too:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T, now func() time.Time) session.Store {
//			s, err := mystore.Open(..., &mystore.Options{Now: now})
//			if err != nil {
//				t.Fatal(err)
//			}
//			t.Cleanup(func() { s.Close() })
//			return s
//		})
//	}
//
// Like testing/slogtest, Run runs one sub-test per behaviour of the contract,
// each against a fresh store. The store must judge expiry by the clock it is
// given; the suite advances that clock instead of sleeping, so the suite is
// fast and deterministic. A store whose backend several Store values can
// share (processes on one Redis) runs RunShared instead, so that the suite
// also sweeps one backend through several of them.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/httpstate/httpstate/internal/testutil"
	"github.com/httpstate/httpstate/session"
)

// Epoch is the time the suite's clocks start at. It is a whole second, and
// the suite only moves clocks and sets times by whole seconds, so a store
// that keeps times at second, millisecond or nanosecond precision passes.
var Epoch = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// Clock is a manually advanced clock, safe for concurrent use: Now reads it
// and Advance(d) moves it forward by d. The zero value is not usable; use
// NewClock. It is the clock httpstate's own tests use (internal/testutil).
type Clock = testutil.Clock

// NewClock returns a Clock reading t.
func NewClock(t time.Time) *Clock { return testutil.NewClock(t) }

// NewRecord returns a record for key and principal created at now, with an
// idle timeout of 30 minutes, a 24-hour absolute deadline and two
// attributes, "a" = "x" and "n" = 1 (JSON-encoded).
func NewRecord(key, principal string, now time.Time) *session.Record {
	return &session.Record{
		Key:         key,
		Principal:   principal,
		Created:     now,
		LastAccess:  now,
		IdleTimeout: 30 * time.Minute,
		Deadline:    now.Add(24 * time.Hour),
		Attrs:       map[string][]byte{"a": []byte(`"x"`), "n": []byte(`1`)},
	}
}

// Env is what a case runs against: a fresh store and the clock it judges
// expiry by.
type Env struct {
	Store session.Store   // fresh and empty when the case starts
	Clock *Clock          // the clock Store judges expiry by; starts at Epoch
	Ctx   context.Context // passed to every Store call
	// Handle returns another Store on Store's backend, judging expiry by
	// Clock, as another process would open it (see RunShared); under Run,
	// where the suite has no way to open one, it returns Store itself. The
	// cases take a nil Handle (an Env built by hand to run Cases) as one
	// returning Store.
	Handle func(t *testing.T) session.Store
}

// Case is one behaviour of the session.Store contract.
type Case struct {
	Name string                     // the sub-test's name
	Run  func(t *testing.T, e *Env) // checks the behaviour against e
}

// Cases returns the suite's cases in the order Run runs them, so that a store
// with a documented deviation can run the rest. Prefer Run.
func Cases() []Case { return slices.Clone(cases) }

// Run runs every case of the suite as a sub-test of t. newStore must return a
// fresh, empty store whose clock is now (usually passed as Options.Now), and
// should release it with t.Cleanup; the Close case closes the store itself,
// so that cleanup must tolerate a store that is already closed.
func Run(t *testing.T, newStore func(t *testing.T, now func() time.Time) session.Store) {
	t.Helper()
	RunShared(t, newStore, nil)
}

// RunShared is Run for a store whose backend several Store values can
// share at once, as processes share one Redis: newHandle returns another
// Store on the backend of s (a store newStore returned), judging expiry by
// now, and should release it with t.Cleanup (closing a handle must leave
// the others working). The cases that check several processes at once
// (SweepSharedBackend) sweep through such handles; with a nil newHandle,
// as under Run, they use the one store.
func RunShared(t *testing.T, newStore func(t *testing.T, now func() time.Time) session.Store,
	newHandle func(t *testing.T, s session.Store, now func() time.Time) session.Store) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			clock := NewClock(Epoch)
			s := newStore(t, clock.Now)
			if s == nil {
				t.Fatal("newStore returned nil")
			}
			handle := func(t *testing.T) session.Store { return s }
			if newHandle != nil {
				handle = func(t *testing.T) session.Store {
					t.Helper()
					h := newHandle(t, s, clock.Now)
					if h == nil {
						t.Fatal("newHandle returned nil")
					}
					return h
				}
			}
			c.Run(t, &Env{Store: s, Clock: clock, Ctx: context.Background(), Handle: handle})
		})
	}
}

// cases is the suite. Each file of this package adds the cases for one part
// of the contract.
var cases = []Case{
	{"CreateLoad", testCreateLoad},
	{"CreateExists", testCreateExists},
	{"CreateOverExpired", testCreateOverExpired},
	{"CreateNoAttrs", testCreateNoAttrs},
	{"LoadAbsent", testLoadAbsent},
	{"LoadSnapshot", testLoadSnapshot},
	{"SaveDelta", testSaveDelta},
	{"SaveEmptyDelta", testSaveEmptyDelta},
	{"SaveSetAndDelete", testSaveSetAndDelete},
	{"SaveKeepsNothing", testSaveKeepsNothing},
	{"SaveConcurrent", testSaveConcurrent},
	{"WritesOnAbsent", testWritesOnAbsent},
	{"WritesOnExpired", testWritesOnExpired},
	{"WritesAfterDelete", testWritesAfterDelete},
	{"UpdateSetsAndReturns", testUpdateSetsAndReturns},
	{"UpdateError", testUpdateError},
	{"UpdateNilDeletes", testUpdateNilDeletes},
	{"UpdateConcurrent", testUpdateConcurrent},
	{"ManyAttrs", testManyAttrs},
	{"LongPrincipal", testLongPrincipal},
	{"NilValue", testNilValue},
	{"Rename", testRename},
	{"RenameExists", testRenameExists},
	{"RenameOverExpired", testRenameOverExpired},
	{"Delete", testDelete},
	{"ExpiryIdle", testExpiryIdle},
	{"ExpiryDeadline", testExpiryDeadline},
	{"ZeroDeadline", testZeroDeadline},
	{"LastAccessExtends", testLastAccessExtends},
	{"LastAccessNeverBack", testLastAccessNeverBack},
	{"IdleTimeoutDelta", testIdleTimeoutDelta},
	{"ExpiredInvisible", testExpiredInvisible},
	{"Sweep", testSweep},
	{"SweepConcurrent", testSweepConcurrent},
	{"SweepSharedBackend", testSweepSharedBackend},
	{"SweepCutShort", testSweepCutShort},
	{"SweepFollowsExpiry", testSweepFollowsExpiry},
	{"SweepRacingTouch", testSweepRacingTouch},
	{"DeleteExpired", testDeleteExpired},
	{"DeleteExpiredConcurrent", testDeleteExpiredConcurrent},
	{"ByPrincipalOrder", testByPrincipalOrder},
	{"ByPrincipalFollows", testByPrincipalFollows},
	{"ByPrincipalAfterSweep", testByPrincipalAfterSweep},
	{"Iterate", testIterate},
	{"IterateStops", testIterateStops},
	{"IterateWhileWriting", testIterateWhileWriting},
	{"ConcurrentMixed", testConcurrentMixed},
	{"ContextDone", testContextDone},
	{"Close", testClose},
}

// mustCreate creates r or fails the test.
func mustCreate(t testing.TB, e *Env, r *session.Record) {
	t.Helper()
	if err := e.Store.Create(e.Ctx, r); err != nil {
		t.Fatalf("Create(%q) = %v, want nil", r.Key, err)
	}
}

// mustLoad loads the live record under key or fails the test.
func mustLoad(t testing.TB, e *Env, key string) *session.Record {
	t.Helper()
	r, found, err := e.Store.Load(e.Ctx, key)
	if err != nil || !found || r == nil {
		t.Fatalf("Load(%q) = %v, %v, %v; want a record, true, nil", key, r, found, err)
	}
	return r
}

// mustBeAbsent fails the test unless key holds no live record.
func mustBeAbsent(t testing.TB, e *Env, key string) {
	t.Helper()
	r, found, err := e.Store.Load(e.Ctx, key)
	if err != nil || found {
		t.Fatalf("Load(%q) = %v, %v, %v; want nil, false, nil", key, r, found, err)
	}
}

// mustSave applies d to key or fails the test.
func mustSave(t testing.TB, e *Env, key string, d session.Delta) {
	t.Helper()
	if err := e.Store.Save(e.Ctx, key, d); err != nil {
		t.Fatalf("Save(%q) = %v, want nil", key, err)
	}
}

// wantErr fails the test unless errors.Is(err, want).
func wantErr(t testing.TB, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("%s: err = %v, want one wrapping %v", what, err, want)
	}
}

// sameRecord fails the test unless got matches want field by field (times
// compared with Equal, a nil and an empty attribute map alike).
func sameRecord(t testing.TB, got, want *session.Record) {
	t.Helper()
	if got.Key != want.Key {
		t.Errorf("Key = %q, want %q", got.Key, want.Key)
	}
	if got.Principal != want.Principal {
		t.Errorf("Principal = %q, want %q", got.Principal, want.Principal)
	}
	sameTime(t, "Created", got.Created, want.Created)
	sameTime(t, "LastAccess", got.LastAccess, want.LastAccess)
	sameTime(t, "Deadline", got.Deadline, want.Deadline)
	if got.IdleTimeout != want.IdleTimeout {
		t.Errorf("IdleTimeout = %v, want %v", got.IdleTimeout, want.IdleTimeout)
	}
	sameAttrs(t, got.Attrs, want.Attrs)
}

// sameAttrs fails the test unless the attribute maps hold the same values.
func sameAttrs(t testing.TB, got, want map[string][]byte) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("Attrs = %s, want %s", fmtAttrs(got), fmtAttrs(want))
		return
	}
	for k, w := range want {
		if g, ok := got[k]; !ok || string(g) != string(w) {
			t.Errorf("Attrs = %s, want %s", fmtAttrs(got), fmtAttrs(want))
			return
		}
	}
}

// fmtAttrs formats attributes in key order.
func fmtAttrs(m map[string][]byte) string {
	s := "{"
	for i, k := range slices.Sorted(maps.Keys(m)) {
		if i > 0 {
			s += " "
		}
		s += fmt.Sprintf("%s:%s", k, m[k])
	}
	return s + "}"
}

// sameTime fails the test unless got and want are the same instant.
func sameTime(t testing.TB, what string, got, want time.Time) {
	t.Helper()
	if !got.Equal(want) {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

// wantMeta returns the Meta a store must report for r.
func wantMeta(r *session.Record) session.Meta {
	size := 0
	for _, v := range r.Attrs {
		size += len(v)
	}
	return session.Meta{
		Key: r.Key, Principal: r.Principal, Created: r.Created,
		LastAccess: r.LastAccess, Expiry: r.Expiry(), Size: size,
	}
}

// sameMeta fails the test unless got matches want field by field.
func sameMeta(t testing.TB, got, want session.Meta) {
	t.Helper()
	if got.Key != want.Key || got.Principal != want.Principal || got.Size != want.Size ||
		!got.Created.Equal(want.Created) || !got.LastAccess.Equal(want.LastAccess) ||
		!got.Expiry.Equal(want.Expiry) {
		t.Errorf("Meta = %+v,\nwant %+v", got, want)
	}
}

// metaKeys returns the keys of metas, sorted.
func metaKeys(metas []session.Meta) []string {
	keys := make([]string, len(metas))
	for i, m := range metas {
		keys[i] = m.Key
	}
	sort.Strings(keys)
	return keys
}

// iterateAll collects the metadata Iterate reports, failing the test on an
// error.
func iterateAll(t testing.TB, e *Env) []session.Meta {
	t.Helper()
	var out []session.Meta
	err := e.Store.Iterate(e.Ctx, func(m session.Meta) bool {
		out = append(out, m)
		return true
	})
	if err != nil {
		t.Fatalf("Iterate = %v, want nil", err)
	}
	return out
}

// byPrincipal calls ByPrincipal, failing the test on an error.
func byPrincipal(t testing.TB, e *Env, principal string) []session.Meta {
	t.Helper()
	metas, err := e.Store.ByPrincipal(e.Ctx, principal)
	if err != nil {
		t.Fatalf("ByPrincipal(%q) = %v, want nil", principal, err)
	}
	return metas
}

// sweep calls Sweep, failing the test on an error.
func sweep(t testing.TB, e *Env) []session.Meta {
	t.Helper()
	metas, err := e.Store.Sweep(e.Ctx)
	if err != nil {
		t.Fatalf("Sweep = %v, want nil", err)
	}
	return metas
}

// ptr returns a pointer to s.
func ptr(s string) *string { return &s }
