package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/httpstate/httpstate/session"
)

// testByPrincipalOrder: ByPrincipal lists a principal's live sessions, oldest
// first, with their metadata, and no one else's.
func testByPrincipalOrder(t *testing.T, e *Env) {
	now := e.Clock.Now()
	// Created out of order: the store must sort by Created, not by insertion
	// or key.
	var want []*session.Record
	for _, c := range []struct {
		key string
		age time.Duration
	}{{"m", 2 * time.Minute}, {"z", 3 * time.Minute}, {"a", time.Minute}} {
		r := NewRecord(c.key, "alice", now.Add(-c.age))
		mustCreate(t, e, r)
		want = append(want, r)
	}
	mustCreate(t, e, NewRecord("b1", "bob", now))
	mustCreate(t, e, NewRecord("anon", "", now))
	got := byPrincipal(t, e, "alice")
	order := []int{1, 0, 2} // z, m, a
	if len(got) != len(order) {
		t.Fatalf("ByPrincipal(alice) = %v, want [z m a]", metaKeys(got))
	}
	for i, j := range order {
		sameMeta(t, got[i], wantMeta(want[j]))
	}
	if got := byPrincipal(t, e, "bob"); len(got) != 1 || got[0].Key != "b1" {
		t.Errorf("ByPrincipal(bob) = %v, want [b1]", metaKeys(got))
	}
	if got := byPrincipal(t, e, "nobody"); len(got) != 0 {
		t.Errorf("ByPrincipal(nobody) = %v, want none", metaKeys(got))
	}
	// Anonymous sessions are not indexed (session.Store): "" lists none,
	// though one exists.
	if got := byPrincipal(t, e, ""); len(got) != 0 {
		t.Errorf("ByPrincipal(\"\") = %v, want none", metaKeys(got))
	}
}

// testByPrincipalFollows: the principal index follows principal changes,
// Rename and Delete.
func testByPrincipalFollows(t *testing.T, e *Env) {
	now := e.Clock.Now()
	mustCreate(t, e, NewRecord("k1", "alice", now))
	mustCreate(t, e, NewRecord("k2", "", now.Add(time.Second))) // anonymous until login
	mustCreate(t, e, NewRecord("k3", "alice", now.Add(2*time.Second)))
	keysOf := func(p string) []string { t.Helper(); return keysInOrder(byPrincipal(t, e, p)) }
	check := func(what, p string, want ...string) {
		t.Helper()
		if got := keysOf(p); !equalStrings(got, want) {
			t.Errorf("%s: ByPrincipal(%s) = %v, want %v", what, p, got, want)
		}
	}
	check("start", "alice", "k1", "k3")

	mustSave(t, e, "k2", session.Delta{Principal: ptr("alice")}) // login
	check("after login", "alice", "k1", "k2", "k3")

	mustSave(t, e, "k1", session.Delta{Principal: ptr("bob")})
	check("after a principal change", "alice", "k2", "k3")
	check("after a principal change", "bob", "k1")

	if err := e.Store.Rename(e.Ctx, "k2", "k2b"); err != nil {
		t.Fatalf("Rename = %v", err)
	}
	check("after Rename", "alice", "k2b", "k3")

	if _, err := e.Store.Delete(e.Ctx, "k3"); err != nil {
		t.Fatalf("Delete = %v", err)
	}
	check("after Delete", "alice", "k2b")

	mustSave(t, e, "k2b", session.Delta{Principal: ptr("")}) // logout
	check("after logout", "alice")
	check("after logout", "bob", "k1")
	// Saving the same principal again changes nothing.
	mustSave(t, e, "k1", session.Delta{Principal: ptr("bob")})
	check("after a no-op principal save", "bob", "k1")
}

// testByPrincipalAfterSweep: after sessions expire and are swept, neither
// ByPrincipal nor Iterate nor a re-created key shows a trace of them.
func testByPrincipalAfterSweep(t *testing.T, e *Env) {
	now := e.Clock.Now()
	for i := range 10 {
		r := NewRecord(keyN("k", i), "alice", now)
		r.IdleTimeout = time.Duration(i+1) * time.Minute
		mustCreate(t, e, r)
	}
	e.Clock.Advance(5 * time.Minute)
	if got := byPrincipal(t, e, "alice"); len(got) != 5 {
		t.Errorf("ByPrincipal(alice) after 5 expired = %v, want 5 sessions", metaKeys(got))
	}
	if got := sweep(t, e); len(got) != 5 {
		t.Errorf("Sweep = %v, want 5 sessions", metaKeys(got))
	}
	e.Clock.Advance(time.Hour)
	if got := sweep(t, e); len(got) != 5 {
		t.Errorf("second Sweep = %v, want 5 sessions", metaKeys(got))
	}
	if got := byPrincipal(t, e, "alice"); len(got) != 0 {
		t.Errorf("ByPrincipal(alice) after Sweep = %v, want none", metaKeys(got))
	}
	// A new session under a swept key, for someone else, is not listed
	// under the old principal.
	mustCreate(t, e, NewRecord(keyN("k", 0), "bob", e.Clock.Now()))
	if got := byPrincipal(t, e, "alice"); len(got) != 0 {
		t.Errorf("ByPrincipal(alice) after re-creating a key for bob = %v, want none", metaKeys(got))
	}
	if got := keysInOrder(byPrincipal(t, e, "bob")); !equalStrings(got, []string{"k-0"}) {
		t.Errorf("ByPrincipal(bob) = %v, want [k-0]", got)
	}
}

// testIterate: Iterate visits every live session once with its metadata.
func testIterate(t *testing.T, e *Env) {
	now := e.Clock.Now()
	want := make(map[string]session.Meta)
	for i := range 25 {
		r := NewRecord(keyN("k", i), keyN("p", i%3), now.Add(time.Duration(i)*time.Second))
		for j := range i % 4 {
			r.Attrs[keyN("x", j)] = make([]byte, i*j)
		}
		mustCreate(t, e, r)
		want[r.Key] = wantMeta(r)
	}
	e.Clock.Advance(time.Minute)
	mustSave(t, e, "k-3", session.Delta{LastAccess: e.Clock.Now(), Set: map[string][]byte{"grow": []byte(`"abc"`)}})
	m := want["k-3"]
	m.LastAccess = e.Clock.Now()
	m.Expiry = m.LastAccess.Add(30 * time.Minute)
	m.Size += 5
	want["k-3"] = m

	got := iterateAll(t, e)
	if len(got) != len(want) {
		t.Fatalf("Iterate visited %d sessions, want %d", len(got), len(want))
	}
	for _, m := range got {
		w, ok := want[m.Key]
		if !ok {
			t.Fatalf("Iterate visited %q twice or unknown", m.Key)
		}
		sameMeta(t, m, w)
		delete(want, m.Key)
	}
}

// testIterateStops: Iterate stops as soon as fn returns false.
func testIterateStops(t *testing.T, e *Env) {
	for i := range 10 {
		mustCreate(t, e, NewRecord(keyN("k", i), "", e.Clock.Now()))
	}
	calls := 0
	err := e.Store.Iterate(e.Ctx, func(session.Meta) bool {
		calls++
		return calls < 3
	})
	if err != nil || calls != 3 {
		t.Fatalf("Iterate stopping at the third session: %d calls, err %v; want 3, nil", calls, err)
	}
}

// keysInOrder returns the keys of metas in their order.
func keysInOrder(metas []session.Meta) []string {
	keys := make([]string, len(metas))
	for i, m := range metas {
		keys[i] = m.Key
	}
	return keys
}

// equalStrings reports whether a and b hold the same strings in order.
func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// IterateRecords is the number of sessions the IterateWhileWriting case
// keeps alive throughout an iteration.
const IterateRecords = 300

const (
	// iterateHandEvery: every so many visits of the IterateWhileWriting
	// case wait for a write round, at most IterateRecords/iterateHandEvery.
	iterateHandEvery = 5
	// iterateWaitLimit bounds the case's waits, all of them together.
	iterateWaitLimit = 10 * time.Second
)

// testIterateWhileWriting: Iterate, while another goroutine creates,
// deletes and saves sessions, visits every session that lives throughout
// the iteration exactly once, and no session twice. (Sessions created or
// deleted meanwhile may or may not be visited.)
func testIterateWhileWriting(t *testing.T, e *Env) {
	now := e.Clock.Now()
	for i := range IterateRecords {
		mustCreate(t, e, NewRecord(keyN("s", i), keyN("p", i%7), now))
	}
	lived := make(map[string]bool, IterateRecords)
	for i := range IterateRecords {
		lived[keyN("s", i)] = true
	}
	stop := make(chan struct{})
	werr := make(chan error, 1)
	wdone := make(chan struct{}) // closed when the writer returns
	// A visit hands a session it just visited to the writer, which moves
	// it to a later expiry (a store iterating an expiry index would meet
	// it again) at the end of its round, and says so on moved.
	visited := make(chan string, 1)
	moved := make(chan struct{}, 1)
	save := func(key string, i int) error {
		d := session.Delta{LastAccess: now.Add(time.Duration(i%60) * time.Second), Set: map[string][]byte{"w": []byte(`1`)}}
		if err := e.Store.Save(e.Ctx, key, d); err != nil {
			return fmt.Errorf("Save %s: %w", key, err)
		}
		return nil
	}
	go func() {
		defer close(wdone)
		werr <- func() error {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return nil
				default:
				}
				if err := e.Store.Create(e.Ctx, NewRecord(keyN("c", i), "", now)); err != nil {
					return fmt.Errorf("Create: %w", err)
				}
				if i > 0 {
					if _, err := e.Store.Delete(e.Ctx, keyN("c", i-1)); err != nil {
						return fmt.Errorf("Delete: %w", err)
					}
				}
				if err := save(keyN("s", i%IterateRecords), i); err != nil {
					return err
				}
				select {
				case k := <-visited:
					if err := save(k, i%59+1); err != nil {
						return err
					}
					moved <- struct{}{} // room: one hand-over at a time
				default:
				}
			}
		}()
	}()
	// Every iterateHandEvery-th visit of a session that lives throughout
	// waits until the writer has moved it, so that write rounds land all
	// through the iteration however the goroutines are scheduled: a yield
	// alone let a loaded machine run the whole iteration before any write,
	// and so did a 3 s bound on the waits when the first round was slower.
	// Only a safety net bounds them, iterateWaitLimit from the start of the
	// iteration, for a store that holds writes back while fn runs: past
	// it, visits no longer wait.
	safety := time.NewTimer(iterateWaitLimit)
	defer safety.Stop()
	waiting, lives := true, 0
	seen := make(map[string]int)
	err := e.Store.Iterate(e.Ctx, func(m session.Meta) bool {
		seen[m.Key]++
		if !waiting || !lived[m.Key] {
			return true
		}
		if lives++; lives%iterateHandEvery != 0 {
			return true
		}
		visited <- m.Key // empty: the last hand-over was acknowledged
		select {
		case <-moved:
		case <-wdone: // failed; reported below
			waiting = false
		case <-safety.C:
			t.Logf("the visits' waits for the writer reached their %v bound; later visits do not wait (does Iterate hold writes back while fn runs?)", iterateWaitLimit)
			waiting = false
		}
		return true
	})
	close(stop)
	if werr := <-werr; werr != nil {
		t.Fatalf("writer: %v", werr)
	}
	if err != nil {
		t.Fatalf("Iterate = %v, want nil", err)
	}
	for k, n := range seen {
		if n > 1 {
			t.Errorf("Iterate visited %s %d times", k, n)
		}
	}
	for i := range IterateRecords {
		if seen[keyN("s", i)] != 1 {
			t.Errorf("Iterate did not visit %s, which lived throughout", keyN("s", i))
		}
	}
}
