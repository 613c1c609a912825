package token

import (
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
// and time.Minute passed since its last prune.
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
	clock.Advance(time.Minute + memPruneInterval)
	fresh, _, err := a.IssueAccess("bob", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Verify(ctx, fresh); err != nil {
		t.Fatal(err)
	}
	if n := storeSize(s); n != 0 {
		t.Errorf("a quiet Authority's store still holds %d expired entries after %v", n, time.Minute+memPruneInterval)
	}
}

// TestMemoryRefreshStorePruneInterval: with a clock, a call prunes what has
// expired once memPruneInterval has passed since the last prune, and not
// before (a prune scans everything); nothing unexpired goes.
func TestMemoryRefreshStorePruneInterval(t *testing.T) {
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
	if n := storeSize(s); n != 4 { // short, long, r and its family
		t.Fatalf("store holds %d entries, want 4", n)
	}
	clock.Advance(memPruneInterval - time.Second) // all but long expired, no prune due
	if _, err := s.Revoked(ctx, "x", "bob", pruneStart); err != nil {
		t.Fatal(err)
	}
	if n := storeSize(s); n != 4 {
		t.Errorf("store pruned before memPruneInterval passed: %d entries, want 4", n)
	}
	clock.Advance(time.Second)
	if _, err := s.Revoked(ctx, "x", "bob", pruneStart); err != nil {
		t.Fatal(err)
	}
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
