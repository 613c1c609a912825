package token_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/httpstate/httpstate/token"
)

// flakyStore is a MemoryRefreshStore whose writes of new refresh tokens
// (Add, Rotate) fail while fail is set, as a store across the network does
// in an outage; Rotate then changes nothing, as its contract requires.
type flakyStore struct {
	*token.MemoryRefreshStore
	fail bool
}

func (s *flakyStore) Add(ctx context.Context, rec token.RefreshRecord) error {
	if s.fail {
		return errDown
	}
	return s.MemoryRefreshStore.Add(ctx, rec)
}

func (s *flakyStore) Rotate(ctx context.Context, id string, now time.Time, next token.RefreshRecord) (token.RefreshRecord, error) {
	if s.fail {
		return token.RefreshRecord{}, errDown
	}
	return s.MemoryRefreshStore.Rotate(ctx, id, now, next)
}

// TestRefreshStoreFailureKeepsToken: Refresh consumed the presented token
// (Use) before recording the new one (Add), so when Add failed the client,
// holding no new token, retried with the old one and was signed out for
// reuse. With a RotatingRefreshStore both are one step, and a failed
// Refresh leaves the presented token usable.
func TestRefreshStoreFailureKeepsToken(t *testing.T) {
	st := &flakyStore{MemoryRefreshStore: token.NewMemoryRefreshStore()}
	a, clock := familyAuthority(t, st, 10*time.Minute, 24*time.Hour)
	ctx := t.Context()
	p1, err := a.Issue(ctx, "alice", nil)
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Minute)
	st.fail = true
	if _, err := a.Refresh(ctx, p1.Refresh, nil); !errors.Is(err, errDown) || errors.Is(err, token.ErrReused) {
		t.Fatalf("Refresh during the outage: %v, want the store's error", err)
	}
	st.fail = false
	p2, err := a.Refresh(ctx, p1.Refresh, nil)
	if err != nil {
		t.Fatalf("retry of the refresh after the outage: %v (the client was signed out)", err)
	}
	if _, err := a.Verify(ctx, p2.Access); err != nil {
		t.Errorf("access token of the retried refresh: %v", err)
	}
	clock.Advance(time.Minute)
	p3, err := a.Refresh(ctx, p2.Refresh, nil)
	if err != nil {
		t.Fatalf("refresh token of the retried refresh: %v", err)
	}
	// Rotation and reuse detection still work after the failure.
	if _, err := a.Refresh(ctx, p1.Refresh, nil); !errors.Is(err, token.ErrReused) {
		t.Errorf("replay of the rotated token: %v, want ErrReused", err)
	}
	if _, err := a.Verify(ctx, p3.Access); !errors.Is(err, token.ErrRevoked) {
		t.Errorf("family's access token after the replay: %v, want ErrRevoked", err)
	}
}

// TestMemoryRefreshStoreRotate: Rotate is Use and Add in one step; when the
// Use part fails nothing is recorded, and a cancelled call changes nothing.
func TestMemoryRefreshStoreRotate(t *testing.T) {
	ctx := t.Context()
	s := token.NewMemoryRefreshStore()
	rec := func(id, family string) token.RefreshRecord {
		return token.RefreshRecord{ID: id, Family: family, Subject: "alice", IssuedAt: tNow, Expiry: tNow.Add(time.Hour)}
	}
	now := tNow.Add(time.Minute)
	unknown := func(id string) {
		t.Helper()
		if _, err := s.Use(ctx, id, now); !errors.Is(err, token.ErrUnknownRefresh) {
			t.Errorf("Use(%s) = %v, want ErrUnknownRefresh (recorded although Rotate failed)", id, err)
		}
	}
	if err := s.Add(ctx, rec("f1", "f")); err != nil {
		t.Fatal(err)
	}

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := s.Rotate(cancelled, "f1", now, rec("f0", "f")); !errors.Is(err, context.Canceled) {
		t.Fatalf("Rotate on a cancelled context: %v", err)
	}
	unknown("f0")
	got, err := s.Rotate(ctx, "f1", now, rec("f2", "f"))
	if err != nil || got != rec("f1", "f") {
		t.Fatalf("Rotate(f1) = %+v, %v; want f1's record", got, err)
	}
	if _, err := s.Rotate(ctx, "f1", now, rec("f3", "f")); !errors.Is(err, token.ErrReused) {
		t.Fatalf("second Rotate(f1) = %v, want ErrReused", err)
	}
	unknown("f3")
	if _, err := s.Use(ctx, "f2", now); !errors.Is(err, token.ErrRevoked) {
		t.Errorf("Use(f2) after f1's reuse = %v, want ErrRevoked (family revoked)", err)
	}

	if err := s.Add(ctx, rec("g1", "g")); err != nil {
		t.Fatal(err)
	}
	if err := s.Revoke(ctx, "g1", tNow.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Rotate(ctx, "g1", now, rec("g2", "g")); !errors.Is(err, token.ErrRevoked) {
		t.Errorf("Rotate of a revoked token = %v, want ErrRevoked", err)
	}
	unknown("g2")
	if _, err := s.Rotate(ctx, "nope", now, rec("h2", "h")); !errors.Is(err, token.ErrUnknownRefresh) {
		t.Errorf("Rotate of an unknown token = %v, want ErrUnknownRefresh", err)
	}
	unknown("h2")
}

// TestMemoryRefreshStoreRotateConcurrent: of concurrent Rotate calls for one
// token exactly one wins, and only its successor is recorded.
func TestMemoryRefreshStoreRotateConcurrent(t *testing.T) {
	ctx := t.Context()
	s := token.NewMemoryRefreshStore()
	rec := func(id string) token.RefreshRecord {
		return token.RefreshRecord{ID: id, Family: "f", Subject: "alice", IssuedAt: tNow, Expiry: tNow.Add(time.Hour)}
	}
	if err := s.Add(ctx, rec("f1")); err != nil {
		t.Fatal(err)
	}
	const n = 8
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			_, errs[i] = s.Rotate(ctx, "f1", tNow, rec(string(rune('a'+i))))
		})
	}
	wg.Wait()
	won := 0
	for i, err := range errs {
		next := string(rune('a' + i))
		_, useErr := s.Use(ctx, next, tNow)
		switch {
		case err == nil:
			won++
			if !errors.Is(useErr, token.ErrRevoked) { // recorded, in the family revoked by the losers
				t.Errorf("winner's successor: Use = %v, want ErrRevoked", useErr)
			}
		case errors.Is(err, token.ErrReused) || errors.Is(err, token.ErrRevoked): // the family died with the first loser
			if !errors.Is(useErr, token.ErrUnknownRefresh) {
				t.Errorf("loser %d's successor: Use = %v, want ErrUnknownRefresh", i, useErr)
			}
		default:
			t.Errorf("Rotate %d: %v", i, err)
		}
	}
	if won != 1 {
		t.Errorf("%d concurrent Rotate calls succeeded, want 1", won)
	}
}
