package token

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/httpstate/httpstate/internal/testutil"
)

// liveSize is how many families s.live indexes, and under how many
// subjects; it fails t if the lists are broken or link a family that is
// revoked, of another subject, or no longer in s.families.
func liveSize(t *testing.T, s *MemoryRefreshStore) (families, subjects int) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	for subject, f := range s.live {
		if f.prev != nil {
			t.Fatalf("head of %s's list has a prev", subject)
		}
		for ; f != nil; f = f.next {
			if f.subject != subject || f.revoked || s.families[f.id] != f {
				t.Fatalf("family %s (subject %s, revoked %v) wrongly in %s's list", f.id, f.subject, f.revoked, subject)
			}
			if f.next != nil && f.next.prev != f {
				t.Fatalf("broken links in %s's list", subject)
			}
			families++
		}
	}
	return families, len(s.live)
}

func visits(s *MemoryRefreshStore) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.subjectVisits
}

// TestRevokeSubjectVisitsOnlyItsFamilies: RevokeSubject scanned every
// family in the store under its lock, so a user logging out everywhere
// again and again on a big store stalled every refresh; it now visits
// only the subject's families not yet revoked, through a per-subject
// index. Failed before (RevokeSubject visited all 1003 families, and 1003
// again on the second call).
func TestRevokeSubjectVisitsOnlyItsFamilies(t *testing.T) {
	s := NewMemoryRefreshStore()
	ctx := t.Context()
	add := func(id, subject string) {
		t.Helper()
		rec := RefreshRecord{ID: id, Family: id, Subject: subject, IssuedAt: pruneStart, Expiry: pruneStart.Add(time.Hour)}
		if err := s.Add(ctx, rec); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 1000 {
		add(fmt.Sprintf("bob%d", i), fmt.Sprintf("bob%d", i%10))
	}
	for i := range 3 {
		add(fmt.Sprintf("alice%d", i), "alice")
	}
	if err := s.RevokeSubject(ctx, "alice", pruneStart); err != nil {
		t.Fatal(err)
	}
	if n := visits(s); n != 3 {
		t.Errorf("RevokeSubject visited %d families, want alice's 3", n)
	}
	for i := range 3 {
		if _, err := s.Use(ctx, fmt.Sprintf("alice%d", i), pruneStart); !errors.Is(err, ErrRevoked) {
			t.Errorf("alice%d after RevokeSubject: err = %v, want ErrRevoked", i, err)
		}
		if ok, _ := s.RevokedInFamily(ctx, "access", "carol", fmt.Sprintf("alice%d", i), pruneStart); !ok {
			t.Errorf("family alice%d not on the deny list after RevokeSubject", i)
		}
	}
	if _, err := s.Use(ctx, "bob7", pruneStart); err != nil {
		t.Errorf("another subject's token after RevokeSubject(alice): %v", err)
	}
	// Again: alice's families are revoked already, nothing to visit.
	if err := s.RevokeSubject(ctx, "alice", pruneStart.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	if n := visits(s); n != 3 {
		t.Errorf("a second RevokeSubject visited %d families more, want 0", n-3)
	}
	// A family alice starts afterwards is indexed and revoked by the next one.
	later := RefreshRecord{ID: "alice-new", Family: "alice-new", Subject: "alice", IssuedAt: pruneStart.Add(time.Minute), Expiry: pruneStart.Add(time.Hour)}
	if err := s.Add(ctx, later); err != nil {
		t.Fatal(err)
	}
	if err := s.RevokeSubject(ctx, "alice", pruneStart.Add(2*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if n := visits(s); n != 4 {
		t.Errorf("a third RevokeSubject visited %d families more, want 1", n-3)
	}
	if _, err := s.Use(ctx, "alice-new", pruneStart.Add(2*time.Minute)); !errors.Is(err, ErrRevoked) {
		t.Errorf("alice-new after RevokeSubject: err = %v, want ErrRevoked", err)
	}
	if fams, subjects := liveSize(t, s); fams != 1000 || subjects != 10 {
		t.Errorf("index holds %d families of %d subjects, want bob's 1000 of 10", fams, subjects)
	}
}

// TestSubjectIndexLeavesOnRevokeAndPrune: a family leaves the per-subject
// index when it is revoked (by Revoke, by reuse) and when it is pruned,
// so the index holds no more than the store's families do.
func TestSubjectIndexLeavesOnRevokeAndPrune(t *testing.T) {
	clock := testutil.NewClock(pruneStart)
	s := NewMemoryRefreshStoreWithClock(clock.Now)
	ctx := t.Context()
	add := func(id, family, subject string, ttl time.Duration) {
		t.Helper()
		now := clock.Now()
		rec := RefreshRecord{ID: id, Family: family, Subject: subject, IssuedAt: now, Expiry: now.Add(ttl)}
		if err := s.Add(ctx, rec); err != nil {
			t.Fatal(err)
		}
	}
	add("a1", "a1", "alice", time.Minute)
	add("a2", "a1", "alice", time.Minute) // same family
	add("b1", "b1", "bob", time.Minute)
	add("c1", "c1", "carol", time.Minute)
	add("d1", "d1", "dave", 10*time.Minute)
	if fams, subjects := liveSize(t, s); fams != 4 || subjects != 4 {
		t.Fatalf("index holds %d families of %d subjects, want 4 of 4", fams, subjects)
	}
	if err := s.Revoke(ctx, "b1", clock.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Use(ctx, "c1", clock.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Use(ctx, "c1", clock.Now()); !errors.Is(err, ErrReused) {
		t.Fatalf("reuse: err = %v, want ErrReused", err)
	}
	if fams, subjects := liveSize(t, s); fams != 2 || subjects != 2 {
		t.Errorf("after Revoke and reuse the index holds %d families of %d subjects, want alice's and dave's", fams, subjects)
	}
	// alice's family expires; it is pruned memPruneSlack later, at the
	// first call once memPruneInterval passed since the last prune.
	clock.Advance(time.Minute + memPruneSlack + memPruneInterval)
	if _, err := s.Revoked(ctx, "x", "x", clock.Now()); err != nil {
		t.Fatal(err)
	}
	if fams, subjects := liveSize(t, s); fams != 1 || subjects != 1 {
		t.Errorf("after the prune the index holds %d families of %d subjects, want dave's 1", fams, subjects)
	}
	clock.Advance(10 * time.Minute)
	if _, err := s.Revoked(ctx, "x", "x", clock.Now()); err != nil {
		t.Fatal(err)
	}
	if fams, subjects := liveSize(t, s); fams != 0 || subjects != 0 {
		t.Errorf("after every family expired and was pruned the index holds %d families of %d subjects, want none", fams, subjects)
	}
	if n := storeSize(s); n != 0 {
		t.Errorf("store holds %d entries after everything expired, want 0", n)
	}
	if err := s.RevokeSubject(ctx, "dave", clock.Now()); err != nil {
		t.Fatal(err)
	}
	if n := visits(s); n != 0 {
		t.Errorf("RevokeSubject of a subject whose families were pruned visited %d, want 0", n)
	}
}

// BenchmarkRevokeSubjectBigStore: one subject logging out everywhere, again
// and again, on a store of 100 000 families of other subjects.
func BenchmarkRevokeSubjectBigStore(b *testing.B) {
	s := NewMemoryRefreshStore()
	ctx := b.Context()
	for i := range 100_000 {
		id := fmt.Sprintf("f%d", i)
		rec := RefreshRecord{ID: id, Family: id, Subject: fmt.Sprintf("u%d", i), IssuedAt: pruneStart, Expiry: pruneStart.Add(time.Hour)}
		if err := s.Add(ctx, rec); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for b.Loop() {
		if err := s.RevokeSubject(ctx, "u7", pruneStart); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAddFamily: recording the first token of a new family, which
// now also indexes the family by subject.
func BenchmarkAddFamily(b *testing.B) {
	s := NewMemoryRefreshStore()
	ctx := b.Context()
	ids := make([]string, 0, 1024)
	for i := range cap(ids) {
		ids = append(ids, fmt.Sprintf("f%d", i))
	}
	i := 0
	for b.Loop() {
		id := ids[i%len(ids)]
		rec := RefreshRecord{ID: id, Family: id, Subject: id, IssuedAt: pruneStart, Expiry: pruneStart.Add(time.Hour)}
		if i%len(ids) == 0 { // start over on an empty store
			s = NewMemoryRefreshStore()
		}
		i++
		if err := s.Add(ctx, rec); err != nil {
			b.Fatal(err)
		}
	}
}

// TestSubjectIndexMatchesFamilies: after any sequence of the store's
// calls (seeded, so the same every run), the index links exactly the
// families not revoked, each under its subject (liveSize checks the links).
func TestSubjectIndexMatchesFamilies(t *testing.T) {
	clock := testutil.NewClock(pruneStart)
	s := NewMemoryRefreshStoreWithClock(clock.Now)
	ctx := t.Context()
	rng := rand.New(rand.NewPCG(1, 2))
	var ids []string
	pick := func() string {
		if len(ids) == 0 {
			return "none"
		}
		return ids[rng.IntN(len(ids))]
	}
	subject := func() string { return fmt.Sprintf("u%d", rng.IntN(5)) }
	for i := range 5000 {
		now := clock.Now()
		id := fmt.Sprintf("t%d", i)
		ttl := time.Duration(1+rng.IntN(5)) * time.Minute
		switch op := rng.IntN(10); {
		case op < 3: // a new family
			if err := s.Add(ctx, RefreshRecord{ID: id, Family: id, Subject: subject(), IssuedAt: now, Expiry: now.Add(ttl)}); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, id)
		case op < 5: // a rotation
			prev := pick()
			s.mu.Lock()
			old := s.tokens[prev]
			s.mu.Unlock()
			if old == nil {
				continue
			}
			next := RefreshRecord{ID: id, Family: old.rec.Family, Subject: old.rec.Subject, IssuedAt: now, Expiry: now.Add(ttl)}
			s.Rotate(ctx, prev, now, next) // may fail: reused, revoked
			ids = append(ids, id)
		case op < 6:
			s.Use(ctx, pick(), now) // a second use revokes the family
		case op < 7:
			if err := s.Revoke(ctx, pick(), now.Add(ttl)); err != nil {
				t.Fatal(err)
			}
		case op < 8:
			if err := s.RevokeSubject(ctx, subject(), now); err != nil {
				t.Fatal(err)
			}
		default:
			clock.Advance(time.Duration(rng.IntN(90)) * time.Second)
			if _, err := s.Revoked(ctx, "x", "x", clock.Now()); err != nil { // may prune
				t.Fatal(err)
			}
		}
		linked, _ := liveSize(t, s)
		s.mu.Lock()
		live := 0
		for _, f := range s.families {
			if !f.revoked {
				live++
			}
		}
		s.mu.Unlock()
		if linked != live {
			t.Fatalf("after step %d the index links %d families, the store has %d not revoked", i, linked, live)
		}
	}
	clock.Advance(time.Hour)
	if _, err := s.Revoked(ctx, "x", "x", clock.Now()); err != nil {
		t.Fatal(err)
	}
	if fams, subjects := liveSize(t, s); fams != 0 || subjects != 0 || storeSize(s) != 0 {
		t.Errorf("after everything expired: index %d families of %d subjects, store %d entries; want none", fams, subjects, storeSize(s))
	}
}
