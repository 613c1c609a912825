package storetest

import (
	"errors"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/httpstate/httpstate/session"
)

// testExpiryIdle: a record lives until LastAccess+IdleTimeout, exclusive.
func testExpiryIdle(t *testing.T, e *Env) {
	r := NewRecord("k1", "alice", e.Clock.Now())
	mustCreate(t, e, r)
	e.Clock.Advance(r.IdleTimeout - time.Second)
	mustLoad(t, e, "k1")
	e.Clock.Advance(time.Second)
	mustBeAbsent(t, e, "k1")
}

// testExpiryDeadline: the absolute deadline ends a session however recently
// it was used.
func testExpiryDeadline(t *testing.T, e *Env) {
	now := e.Clock.Now()
	r := NewRecord("k1", "alice", now)
	r.Deadline = now.Add(time.Hour)
	mustCreate(t, e, r)
	for range 3 {
		e.Clock.Advance(19 * time.Minute)
		mustSave(t, e, "k1", session.Delta{LastAccess: e.Clock.Now()})
	}
	// 57 minutes in, last used just now: still alive.
	mustLoad(t, e, "k1")
	e.Clock.Advance(3 * time.Minute)
	mustBeAbsent(t, e, "k1")
	wantErr(t, "Save past the deadline", e.Store.Save(e.Ctx, "k1", session.Delta{LastAccess: e.Clock.Now()}), session.ErrNotFound)
}

// testLastAccessExtends: recording an access pushes the idle deadline.
func testLastAccessExtends(t *testing.T, e *Env) {
	r := NewRecord("k1", "alice", e.Clock.Now())
	mustCreate(t, e, r)
	e.Clock.Advance(20 * time.Minute)
	touched := e.Clock.Now()
	mustSave(t, e, "k1", session.Delta{LastAccess: touched})
	e.Clock.Advance(20 * time.Minute) // 40 minutes after creation, 20 after the access
	got := mustLoad(t, e, "k1")
	sameTime(t, "LastAccess", got.LastAccess, touched)
	metas := iterateAll(t, e)
	if len(metas) != 1 {
		t.Fatalf("Iterate = %v, want k1 alone", metas)
	}
	sameTime(t, "Meta.Expiry", metas[0].Expiry, touched.Add(r.IdleTimeout))
	e.Clock.Advance(10 * time.Minute)
	mustBeAbsent(t, e, "k1")
}

// testLastAccessNeverBack: a Save carrying an older LastAccess than the
// record's (a slow request committing after a newer one touched the
// session) leaves the later time, so the session does not expire early.
func testLastAccessNeverBack(t *testing.T, e *Env) {
	r := NewRecord("k1", "alice", e.Clock.Now())
	mustCreate(t, e, r)
	e.Clock.Advance(time.Minute)
	slow := e.Clock.Now() // a slow request's access
	e.Clock.Advance(time.Minute)
	fast := e.Clock.Now() // a later request's, committed first
	mustSave(t, e, "k1", session.Delta{LastAccess: fast})
	mustSave(t, e, "k1", session.Delta{LastAccess: slow, Set: map[string][]byte{"a": []byte(`"late"`)}})
	got := mustLoad(t, e, "k1")
	sameTime(t, "LastAccess", got.LastAccess, fast)
	if string(got.Attrs["a"]) != `"late"` {
		t.Errorf("the late Save's attribute: %q, want %q", got.Attrs["a"], `"late"`)
	}
	metas := iterateAll(t, e)
	if len(metas) != 1 {
		t.Fatalf("Iterate = %v, want k1 alone", metas)
	}
	sameTime(t, "Meta.Expiry", metas[0].Expiry, fast.Add(r.IdleTimeout))
}

// testIdleTimeoutDelta: a new idle timeout applies at once.
func testIdleTimeoutDelta(t *testing.T, e *Env) {
	r := NewRecord("k1", "alice", e.Clock.Now())
	mustCreate(t, e, r)
	mustSave(t, e, "k1", session.Delta{IdleTimeout: 2 * time.Hour})
	e.Clock.Advance(time.Hour)
	mustLoad(t, e, "k1")
	mustSave(t, e, "k1", session.Delta{IdleTimeout: time.Minute})
	mustBeAbsent(t, e, "k1") // last access an hour ago, timeout now one minute
}

// testExpiredInvisible: before any sweep, an expired record is absent from
// Load, ByPrincipal and Iterate, while its live neighbours are not.
func testExpiredInvisible(t *testing.T, e *Env) {
	now := e.Clock.Now()
	short := NewRecord("short", "alice", now)
	short.IdleTimeout = time.Minute
	long := NewRecord("long", "alice", now)
	mustCreate(t, e, short)
	mustCreate(t, e, long)
	e.Clock.Advance(time.Minute)
	mustBeAbsent(t, e, "short")
	mustLoad(t, e, "long")
	if got := metaKeys(byPrincipal(t, e, "alice")); len(got) != 1 || got[0] != "long" {
		t.Errorf("ByPrincipal(alice) = %v, want [long]", got)
	}
	if got := metaKeys(iterateAll(t, e)); len(got) != 1 || got[0] != "long" {
		t.Errorf("Iterate = %v, want [long]", got)
	}
}

// testSweep: Sweep removes exactly the expired records, reports their
// metadata, and reports each only once.
func testSweep(t *testing.T, e *Env) {
	now := e.Clock.Now()
	var expired []*session.Record
	for i, d := range []time.Duration{time.Minute, 2 * time.Minute, time.Hour, 3 * time.Minute} {
		r := NewRecord(string(rune('a'+i)), "p", now)
		r.IdleTimeout = d
		r.Attrs["i"] = []byte{'1' + byte(i)}
		mustCreate(t, e, r)
		if d < time.Hour {
			expired = append(expired, r)
		}
	}
	dead := NewRecord("deadline", "", now)
	dead.Deadline = now.Add(5 * time.Minute)
	mustCreate(t, e, dead)
	expired = append(expired, dead)

	if got := sweep(t, e); len(got) != 0 {
		t.Fatalf("Sweep before anything expired = %v, want none", got)
	}
	e.Clock.Advance(10 * time.Minute)
	got := sweep(t, e)
	want := make(map[string]session.Meta)
	for _, r := range expired {
		want[r.Key] = wantMeta(r)
	}
	if len(got) != len(want) {
		t.Fatalf("Sweep reported %v, want %v", metaKeys(got), len(want))
	}
	for _, m := range got {
		w, ok := want[m.Key]
		if !ok {
			t.Fatalf("Sweep reported %q, which had not expired or was reported twice", m.Key)
		}
		sameMeta(t, m, w)
		delete(want, m.Key)
	}
	if got := sweep(t, e); len(got) != 0 {
		t.Fatalf("second Sweep = %v, want none", metaKeys(got))
	}
	mustLoad(t, e, "c")
	if got := metaKeys(iterateAll(t, e)); len(got) != 1 || got[0] != "c" {
		t.Errorf("Iterate after Sweep = %v, want [c]", got)
	}
	// A swept key is free again.
	mustCreate(t, e, NewRecord("a", "", e.Clock.Now()))
}

// SweepRecords is the number of expired records the SweepConcurrent case
// has several goroutines sweep at once.
const SweepRecords = 200

// testSweepConcurrent: concurrent sweeps report every expired session
// exactly once between them.
func testSweepConcurrent(t *testing.T, e *Env) {
	now := e.Clock.Now()
	for i := range SweepRecords {
		r := NewRecord(keyN("s", i), "p", now)
		r.IdleTimeout = time.Minute
		mustCreate(t, e, r)
	}
	mustCreate(t, e, NewRecord("live", "p", now))
	e.Clock.Advance(time.Minute)
	const sweepers = 4
	var wg sync.WaitGroup
	results := make([][]session.Meta, sweepers)
	errs := make([]error, sweepers)
	for g := range sweepers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[g], errs[g] = e.Store.Sweep(e.Ctx)
		}()
	}
	wg.Wait()
	seen := make(map[string]int)
	for g := range sweepers {
		if errs[g] != nil {
			t.Fatalf("concurrent Sweep = %v, want nil", errs[g])
		}
		for _, m := range results[g] {
			seen[m.Key]++
		}
	}
	for i := range SweepRecords {
		if n := seen[keyN("s", i)]; n != 1 {
			t.Errorf("%s reported %d times, want once", keyN("s", i), n)
		}
	}
	if len(seen) != SweepRecords {
		t.Errorf("sweeps reported %d distinct keys, want %d", len(seen), SweepRecords)
	}
	if got := sweep(t, e); len(got) != 0 {
		t.Errorf("a later Sweep = %v, want none", metaKeys(got))
	}
	mustLoad(t, e, "live")
}

// keyN returns a key made of prefix and n.
func keyN(prefix string, n int) string { return prefix + "-" + strconv.Itoa(n) }

// testSweepFollowsExpiry: Sweep judges each record by its expiry now, not
// the one it had when created: a recorded access or a longer idle timeout
// keeps a record from Sweep, a shorter one hands it to the next Sweep, and
// a renamed record is reported once, under its new key.
func testSweepFollowsExpiry(t *testing.T, e *Env) {
	start := e.Clock.Now()
	recs := make(map[string]*session.Record)
	for _, k := range []string{"plain", "touched", "longer", "shorter", "old"} {
		r := NewRecord(k, "p", start)
		mustCreate(t, e, r)
		recs[k] = cloneRecord(r)
	}
	mustSave(t, e, "longer", session.Delta{IdleTimeout: 2 * time.Hour})
	recs["longer"].IdleTimeout = 2 * time.Hour
	mustSave(t, e, "shorter", session.Delta{IdleTimeout: 5 * time.Minute})
	recs["shorter"].IdleTimeout = 5 * time.Minute
	if err := e.Store.Rename(e.Ctx, "old", "renamed"); err != nil {
		t.Fatalf("Rename = %v, want nil", err)
	}
	recs["renamed"] = recs["old"]
	recs["renamed"].Key = "renamed"
	delete(recs, "old")

	// check sweeps and wants exactly the named records, with their metadata.
	check := func(when string, keys ...string) {
		t.Helper()
		got := sweep(t, e)
		if g := metaKeys(got); !equalStrings(g, keys) {
			t.Fatalf("Sweep %s = %v, want %v", when, g, keys)
		}
		for _, m := range got {
			sameMeta(t, m, wantMeta(recs[m.Key]))
		}
	}

	e.Clock.Advance(20 * time.Minute)
	mustSave(t, e, "touched", session.Delta{LastAccess: e.Clock.Now()})
	recs["touched"].LastAccess = e.Clock.Now()
	check("20 minutes in", "shorter")

	e.Clock.Advance(10 * time.Minute) // the idle timeout of those left alone
	check("30 minutes in", "plain", "renamed")
	mustLoad(t, e, "touched")
	mustLoad(t, e, "longer")

	e.Clock.Advance(20 * time.Minute) // 30 minutes after the access
	check("50 minutes in", "touched")
	mustLoad(t, e, "longer")

	e.Clock.Advance(70 * time.Minute)
	check("2 hours in", "longer")
	check("after everything expired")
}

// SweepRaceRecords is the number of records the SweepRacingTouch case
// touches while the clock passes their expiry and sweeps run.
const SweepRaceRecords = 100

// testSweepRacingTouch: a Save that records an access races the clock
// passing the record's idle deadline and concurrent Sweeps. A Save that
// succeeded extended the record, so no Sweep may remove it; a record whose
// Save came too late (ErrNotFound) had expired and is reported by exactly
// one Sweep. No acknowledged access is lost. (Half the records are touched
// before the race, so that some Save surely succeeds.)
func testSweepRacingTouch(t *testing.T, e *Env) {
	start := e.Clock.Now()
	for i := range SweepRaceRecords {
		r := NewRecord(keyN("r", i), "p", start)
		r.IdleTimeout = time.Minute
		mustCreate(t, e, r)
	}
	e.Clock.Advance(time.Minute - time.Second)
	saved := make([]bool, SweepRaceRecords)
	errs := make([]error, SweepRaceRecords)
	var swept [2][]session.Meta
	var sweepErrs [2]error
	touch := func(i int) {
		err := e.Store.Save(e.Ctx, keyN("r", i), session.Delta{LastAccess: e.Clock.Now()})
		saved[i] = err == nil
		if err != nil && !errors.Is(err, session.ErrNotFound) {
			errs[i] = err
		}
	}
	// The first half is touched in time; the second races the clock.
	for i := range SweepRaceRecords / 2 {
		touch(i)
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		for i := SweepRaceRecords / 2; i < SweepRaceRecords; i++ {
			touch(i)
		}
	}()
	go func() {
		defer wg.Done()
		e.Clock.Advance(time.Second) // the untouched records expire now
		for g := range swept {
			swept[g], sweepErrs[g] = e.Store.Sweep(e.Ctx)
		}
	}()
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("Save(%s) = %v, want nil or ErrNotFound", keyN("r", i), err)
		}
	}
	reported := make(map[string]int)
	for g := range swept {
		if sweepErrs[g] != nil {
			t.Fatalf("Sweep = %v, want nil", sweepErrs[g])
		}
		for _, m := range swept[g] {
			reported[m.Key]++
		}
	}
	for _, m := range sweep(t, e) {
		reported[m.Key]++
	}
	for i := range SweepRaceRecords {
		k := keyN("r", i)
		switch {
		case saved[i] && reported[k] != 0:
			t.Errorf("%s: its access was recorded, yet Sweep removed it", k)
		case saved[i]:
			mustLoad(t, e, k)
		case reported[k] != 1:
			t.Errorf("%s: expired (its Save found nothing), reported by %d Sweeps, want 1", k, reported[k])
		}
	}
}

// testDeleteExpired: an expired record is absent to Delete as to every
// other call (found=false), and its end is still reported, by exactly one
// Sweep: a Delete that arrives after the expiry (a logout at that moment,
// a Revoke of a listed key) must not take the expiry's report with it.
func testDeleteExpired(t *testing.T, e *Env) {
	r := NewRecord("k1", "alice", e.Clock.Now())
	r.IdleTimeout = time.Minute
	mustCreate(t, e, r)
	e.Clock.Advance(time.Minute)
	if found, err := e.Store.Delete(e.Ctx, "k1"); err != nil || found {
		t.Fatalf("Delete of an expired record = %v, %v; want false, nil", found, err)
	}
	mustBeAbsent(t, e, "k1")
	if got := byPrincipal(t, e, "alice"); len(got) != 0 {
		t.Errorf("ByPrincipal(alice) = %v, want none", metaKeys(got))
	}
	got := sweep(t, e)
	if len(got) != 1 {
		t.Fatalf("Sweep after Delete of the expired record = %v, want [k1]", metaKeys(got))
	}
	sameMeta(t, got[0], wantMeta(r))
	if got := sweep(t, e); len(got) != 0 {
		t.Errorf("second Sweep = %v, want none", metaKeys(got))
	}
	if found, err := e.Store.Delete(e.Ctx, "k1"); err != nil || found {
		t.Errorf("Delete after the Sweep = %v, %v; want false, nil", found, err)
	}
}

// testDeleteExpiredConcurrent: Deletes and Sweeps racing over expired and
// live sessions. Every Delete of an expired session answers found=false
// and each expired session is reported by exactly one Sweep, whichever
// call reaches it first; each live session is found by exactly one of its
// Deletes and reported by no Sweep. (The clock stands still: the outcome
// does not depend on timing, only the interleaving does.)
func testDeleteExpiredConcurrent(t *testing.T, e *Env) {
	const expired, live = 100, 50
	now := e.Clock.Now()
	for i := range expired {
		r := NewRecord(keyN("x", i), "p", now)
		r.IdleTimeout = time.Minute
		mustCreate(t, e, r)
	}
	for i := range live {
		mustCreate(t, e, NewRecord(keyN("l", i), "p", now))
	}
	e.Clock.Advance(time.Minute)
	const deleters, sweepers = 4, 2
	var wg, dwg sync.WaitGroup
	found := make([]map[string]bool, deleters)
	derrs := make([]error, deleters)
	started, done := make(chan struct{}), make(chan struct{})
	var once sync.Once
	for g := range deleters {
		found[g] = make(map[string]bool)
		dwg.Add(1)
		go func() {
			defer dwg.Done()
			defer once.Do(func() { close(started) }) // on an early return too
			// Each deleter deletes every key once, starting elsewhere,
			// expired and live keys interleaved.
			keys := make([]string, 0, expired+live)
			for i := range expired {
				keys = append(keys, keyN("x", (i+g*7)%expired))
				if i < live {
					keys = append(keys, keyN("l", (i+g*7)%live))
				}
			}
			for _, k := range keys {
				f, err := e.Store.Delete(e.Ctx, k)
				if err != nil {
					derrs[g] = err
					return
				}
				found[g][k] = f
				once.Do(func() { close(started) })
			}
		}()
	}
	// The sweepers start once the deletes have, and sweep again and again
	// until the deleters are done.
	reports := make([][]session.Meta, sweepers)
	serrs := make([]error, sweepers)
	for g := range sweepers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-started
			for {
				select {
				case <-done:
					return
				default:
				}
				got, err := e.Store.Sweep(e.Ctx)
				reports[g] = append(reports[g], got...)
				if err != nil {
					serrs[g] = err
					return
				}
				runtime.Gosched()
			}
		}()
	}
	dwg.Wait()
	close(done)
	wg.Wait()
	for _, err := range append(derrs, serrs...) {
		if err != nil {
			t.Fatalf("Delete or Sweep = %v, want nil", err)
		}
	}
	reported := make(map[string]int)
	for _, rs := range append(reports, sweep(t, e)) {
		for _, m := range rs {
			reported[m.Key]++
		}
	}
	for i := range expired {
		k := keyN("x", i)
		if reported[k] != 1 {
			t.Errorf("%s, expired, reported by %d Sweeps, want 1", k, reported[k])
		}
		for g := range deleters {
			if found[g][k] {
				t.Errorf("Delete(%s), expired, = true, want false", k)
			}
		}
	}
	for i := range live {
		k := keyN("l", i)
		if reported[k] != 0 {
			t.Errorf("%s, live until deleted, reported by %d Sweeps, want 0", k, reported[k])
		}
		n := 0
		for g := range deleters {
			if found[g][k] {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%s, live, found by %d of its %d Deletes, want 1", k, n, deleters)
		}
		mustBeAbsent(t, e, k)
	}
	if got := byPrincipal(t, e, "p"); len(got) != 0 {
		t.Errorf("ByPrincipal(p) afterwards = %v, want none", metaKeys(got))
	}
}
