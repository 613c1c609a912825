package token

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/httpstate/httpstate/internal/testutil"
)

// storeSize is how many entries s holds (tokens, families, revoked IDs).
func storeSize(s *MemoryRefreshStore) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.tokens) + len(s.families) + len(s.revoked)
}

var pruneStart = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// TestMemoryRefreshStoreQuietPrune: an Authority that issues access tokens
// and revokes them (no refresh token recorded) made its store keep the
// revoked jtis for good; its default store now judges expiry by the
// Authority's clock and forgets them at the first call after they expired
// by memPruneSlack and memPruneInterval passed since its last prune.
func TestMemoryRefreshStoreQuietPrune(t *testing.T) {
	clock := testutil.NewClock(pruneStart)
	ks, err := NewKeySet(SigningKey{ID: "k", Alg: HS256, Secret: make([]byte, 32)})
	if err != nil {
		t.Fatal(err)
	}
	a, err := New(&Options{Keys: ks, Issuer: "i", Audience: "a", AccessTTL: time.Minute, Leeway: -1, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	s := a.store.(*MemoryRefreshStore)
	ctx := t.Context()
	tok, _, err := a.IssueAccess("alice", nil)
	if err != nil {
		t.Fatal(err)
	}
	c, err := a.Verify(ctx, tok)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Revoke(ctx, c.ID, c.ExpiresAt.Time); err != nil {
		t.Fatal(err)
	}
	if n := storeSize(s); n != 1 {
		t.Fatalf("after Revoke the store holds %d entries, want 1", n)
	}
	clock.Advance(time.Minute + memPruneInterval + memPruneSlack)
	fresh, _, err := a.IssueAccess("bob", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Verify(ctx, fresh); err != nil {
		t.Fatal(err)
	}
	if n := storeSize(s); n != 0 {
		t.Errorf("a quiet Authority's store still holds %d expired entries after %v", n, time.Minute+memPruneInterval+memPruneSlack)
	}
}

// TestMemoryRefreshStorePruneInterval: with a clock, a call prunes what
// expired memPruneSlack ago once memPruneInterval has passed since the
// last prune, and not before (a prune scans everything); nothing
// unexpired goes.
func TestMemoryRefreshStorePruneInterval(t *testing.T) {
	// short and r expire within 30 s of the start; the second call below
	// comes 2*memPruneInterval-1s after it.
	if 2*memPruneInterval-time.Second-memPruneSlack < 30*time.Second {
		t.Fatal("the test's times assume memPruneSlack < 2*memPruneInterval - 31s")
	}
	clock := testutil.NewClock(pruneStart)
	s := NewMemoryRefreshStoreWithClock(clock.Now)
	ctx := t.Context()
	// The first call prunes (an empty store): the interval starts now.
	if err := s.Revoke(ctx, "short", pruneStart.Add(10*time.Second)); err != nil {
		t.Fatal(err)
	}
	if err := s.Revoke(ctx, "long", pruneStart.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	rec := RefreshRecord{ID: "r", Family: "r", Subject: "alice", IssuedAt: pruneStart, Expiry: pruneStart.Add(30 * time.Second)}
	if err := s.Add(ctx, rec); err != nil {
		t.Fatal(err)
	}
	call := func() {
		t.Helper()
		if _, err := s.Revoked(ctx, "x", "bob", pruneStart); err != nil {
			t.Fatal(err)
		}
	}
	if n := storeSize(s); n != 4 { // short, long, r and its family
		t.Fatalf("store holds %d entries, want 4", n)
	}
	clock.Advance(memPruneInterval)
	call() // a prune is due
	// short and r are now past their expiry by more than memPruneSlack,
	// but the next prune is not due yet.
	clock.Advance(memPruneInterval - time.Second)
	call()
	if n := storeSize(s); n != 4 {
		t.Errorf("store pruned before memPruneInterval passed: %d entries, want 4", n)
	}
	clock.Advance(time.Second)
	call()
	if n := storeSize(s); n != 1 {
		t.Errorf("after memPruneInterval the store holds %d entries, want 1 (long)", n)
	}
	if ok, _ := s.Revoked(ctx, "long", "bob", pruneStart); !ok {
		t.Error("an unexpired revocation was pruned")
	}
}

// TestMemoryRefreshStoreNoClockPrunesByIssueTime: without a clock the
// store's now is the latest issue time it recorded, so the interval
// applies to recorded refresh tokens, not only every 1024 of them, and
// Use at an earlier now still finds an unexpired token.
func TestMemoryRefreshStoreNoClockPrunesByIssueTime(t *testing.T) {
	s := NewMemoryRefreshStore()
	ctx := t.Context()
	add := func(id string, at time.Time) {
		t.Helper()
		if err := s.Add(ctx, RefreshRecord{ID: id, Family: id, Subject: "alice", IssuedAt: at, Expiry: at.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	add("a", pruneStart)
	if err := s.Revoke(ctx, "x", pruneStart.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Use(ctx, "a", pruneStart.Add(2*time.Hour)); err == nil {
		t.Fatal("Use after expiry succeeded")
	}
	if _, err := s.Use(ctx, "a", pruneStart); err != nil {
		t.Fatalf("Use at an earlier now after a later one: %v", err)
	}
	add("b", pruneStart.Add(2*time.Hour))
	if n := storeSize(s); n != 2 { // b and its family
		t.Errorf("after recording a token issued 2 h later the store holds %d entries, want 2", n)
	}
}

// TestPruneKeepsRevocationForAStraddlingVerify: Verify reads the clock to
// check exp, then the store reads it again; a prune at the second reading,
// as of that moment, dropped a revocation that ended between the two, and
// the revoked token, judged unexpired by the first, verified. The store
// now prunes as of memPruneSlack before its now.
func TestPruneKeepsRevocationForAStraddlingVerify(t *testing.T) {
	var mu sync.Mutex
	cur, step := pruneStart, time.Duration(0)
	clock := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		now := cur
		cur = cur.Add(step)
		return now
	}
	ks, err := NewKeySet(SigningKey{ID: "k", Alg: HS256, Secret: make([]byte, 32)})
	if err != nil {
		t.Fatal(err)
	}
	a, err := New(&Options{Keys: ks, Issuer: "i", Audience: "a", AccessTTL: 2 * time.Minute, Leeway: -1, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	tok, exp, err := a.IssueAccess("alice", nil)
	if err != nil {
		t.Fatal(err)
	}
	c, err := a.Verify(ctx, tok) // the store's first call prunes: the interval starts
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Revoke(ctx, c.ID, exp); err != nil { // until exp: Verify accepts it before exp only
		t.Fatal(err)
	}
	mu.Lock()
	cur, step = exp.Add(-time.Second), time.Second // Verify's exp check reads exp-1s, the store exp
	mu.Unlock()
	if _, err := a.Verify(ctx, tok); !errors.Is(err, ErrRevoked) {
		t.Errorf("revoked token whose revocation ended between Verify's two clock readings: err = %v, want ErrRevoked", err)
	}
}
