package token_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/httpstate/httpstate/internal/testutil"
	"github.com/httpstate/httpstate/token"
)

// plainStore hides MemoryRefreshStore's RevokedInFamily: a RefreshStore
// with only the methods of the interface, as an application's own store
// may be. Revoke fails with revokeErr when it is set.
type plainStore struct {
	m         *token.MemoryRefreshStore
	revokeErr error
}

func (s *plainStore) Add(ctx context.Context, rec token.RefreshRecord) error {
	return s.m.Add(ctx, rec)
}
func (s *plainStore) Use(ctx context.Context, id string, now time.Time) (token.RefreshRecord, error) {
	return s.m.Use(ctx, id, now)
}
func (s *plainStore) Revoke(ctx context.Context, id string, until time.Time) error {
	if s.revokeErr != nil {
		return s.revokeErr
	}
	return s.m.Revoke(ctx, id, until)
}
func (s *plainStore) RevokeSubject(ctx context.Context, subject string, at time.Time) error {
	return s.m.RevokeSubject(ctx, subject, at)
}
func (s *plainStore) Revoked(ctx context.Context, id, subject string, issuedAt time.Time) (bool, error) {
	return s.m.Revoked(ctx, id, subject, issuedAt)
}

// refreshStores are the RefreshStore implementations the family tests run
// on: the package's own, and one without FamilyRevocationStore (Verify's
// two-call path).
var refreshStores = []struct {
	name string
	new  func() token.RefreshStore
}{
	{"MemoryRefreshStore", func() token.RefreshStore { return token.NewMemoryRefreshStore() }},
	{"plain RefreshStore", func() token.RefreshStore { return &plainStore{m: token.NewMemoryRefreshStore()} }},
}

// familyAuthority returns an Authority on store and a fake clock.
func familyAuthority(t testing.TB, store token.RefreshStore, accessTTL, refreshTTL time.Duration) (*token.Authority, *testutil.Clock) {
	t.Helper()
	clock := testutil.NewClock(tNow)
	a, err := token.New(&token.Options{
		Keys: mustKeySet(t, signingKey(t, "k", token.HS256)), Issuer: "https://auth.example", Audience: "api",
		AccessTTL: accessTTL, RefreshTTL: refreshTTL, Leeway: 5 * time.Second,
		Refresh: store, Now: clock.Now,
	})
	if err != nil {
		t.Fatalf("token.New: %v", err)
	}
	return a, clock
}

// TestReuseRevokesFamilyAccessTokens: replaying a rotated refresh token
// (RFC 9700 section 4.14.2) ends the access tokens of its family, the first
// and the rotated one, and nothing else.
func TestReuseRevokesFamilyAccessTokens(t *testing.T) {
	for _, st := range refreshStores {
		t.Run(st.name, func(t *testing.T) {
			a, clock := familyAuthority(t, st.new(), 10*time.Minute, 24*time.Hour)
			ctx := t.Context()
			p1, err := a.Issue(ctx, "alice", nil)
			if err != nil {
				t.Fatal(err)
			}
			other, err := a.Issue(ctx, "alice", nil) // alice on another device
			if err != nil {
				t.Fatal(err)
			}
			bob, err := a.Issue(ctx, "bob", nil)
			if err != nil {
				t.Fatal(err)
			}
			lone, _, err := a.IssueAccess("alice", nil) // no family
			if err != nil {
				t.Fatal(err)
			}
			c1, err := a.Verify(ctx, p1.Access)
			if err != nil {
				t.Fatal(err)
			}
			if c1.Family == "" {
				t.Fatalf("access token of Issue carries no family")
			}
			clock.Advance(time.Minute)
			p2, err := a.Refresh(ctx, p1.Refresh, nil)
			if err != nil {
				t.Fatal(err)
			}
			c2, err := a.Verify(ctx, p2.Access)
			if err != nil {
				t.Fatalf("rotated access token before the replay: %v", err)
			}
			if c2.Family != c1.Family {
				t.Errorf("rotated access token family %q, want %q", c2.Family, c1.Family)
			}
			if _, err := a.Verify(ctx, p1.Access); err != nil {
				t.Fatalf("first access token after a normal rotation: %v", err)
			}

			// The replay: the theft signal.
			if _, err := a.Refresh(ctx, p1.Refresh, nil); !errors.Is(err, token.ErrReused) {
				t.Fatalf("replayed refresh: err = %v, want ErrReused", err)
			}
			for name, tok := range map[string]string{"first": p1.Access, "rotated": p2.Access} {
				if _, err := a.Verify(ctx, tok); !errors.Is(err, token.ErrRevoked) {
					t.Errorf("%s access token of the family after reuse: err = %v, want ErrRevoked", name, err)
				}
			}
			if _, err := a.Refresh(ctx, p2.Refresh, nil); !errors.Is(err, token.ErrRevoked) {
				t.Errorf("rotated refresh token after reuse: err = %v, want ErrRevoked", err)
			}
			// Unrelated families and family-less tokens still verify.
			for name, tok := range map[string]string{"alice's other family": other.Access, "bob": bob.Access, "IssueAccess": lone} {
				if _, err := a.Verify(ctx, tok); err != nil {
					t.Errorf("%s after alice's reuse: %v", name, err)
				}
			}
			next, err := a.Refresh(ctx, other.Refresh, nil)
			if err != nil {
				t.Fatalf("alice's other family after the reuse: %v", err)
			}
			if _, err := a.Verify(ctx, next.Access); err != nil {
				t.Errorf("alice's other family, rotated: %v", err)
			}
		})
	}
}

// TestReuseRevocationOutlivesFamily: the family's access tokens stay
// rejected after the store has pruned the family itself, which happens
// before they expire when AccessTTL is longer than RefreshTTL.
func TestReuseRevocationOutlivesFamily(t *testing.T) {
	for _, st := range refreshStores {
		t.Run(st.name, func(t *testing.T) {
			a, clock := familyAuthority(t, st.new(), 2*time.Hour, time.Hour)
			ctx := t.Context()
			p1, err := a.Issue(ctx, "alice", nil)
			if err != nil {
				t.Fatal(err)
			}
			p2, err := a.Refresh(ctx, p1.Refresh, nil)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := a.Refresh(ctx, p1.Refresh, nil); !errors.Is(err, token.ErrReused) {
				t.Fatalf("replay: err = %v, want ErrReused", err)
			}
			clock.Advance(90 * time.Minute) // refresh tokens expired, access tokens not
			for range 1100 {                // MemoryRefreshStore prunes every 1024 Adds
				if _, err := a.Issue(ctx, "bob", nil); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := a.Verify(ctx, p2.Access); !errors.Is(err, token.ErrRevoked) {
				t.Errorf("access token of a reused family after a prune: err = %v, want ErrRevoked", err)
			}
		})
	}
}

// TestRevokeRefreshRevokesFamilyAccessTokens: with a FamilyRevocationStore,
// revoking a refresh token by jti also ends its family's access tokens
// (RFC 7009 section 2.1).
func TestRevokeRefreshRevokesFamilyAccessTokens(t *testing.T) {
	a, _ := familyAuthority(t, token.NewMemoryRefreshStore(), 10*time.Minute, 24*time.Hour)
	ctx := t.Context()
	p1, _ := a.Issue(ctx, "alice", nil)
	p2, err := a.Refresh(ctx, p1.Refresh, nil)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := a.Issue(ctx, "alice", nil)
	rc := &token.Claims{}
	if _, err := a.Keys().Parse(p2.Refresh, rc, jwt.WithoutClaimsValidation()); err != nil {
		t.Fatal(err)
	}
	if err := a.Revoke(ctx, rc.ID, rc.ExpiresAt.Time); err != nil {
		t.Fatal(err)
	}
	for name, tok := range map[string]string{"first": p1.Access, "rotated": p2.Access} {
		if _, err := a.Verify(ctx, tok); !errors.Is(err, token.ErrRevoked) {
			t.Errorf("%s access token after its family's refresh token was revoked: err = %v, want ErrRevoked", name, err)
		}
	}
	if _, err := a.Verify(ctx, other.Access); err != nil {
		t.Errorf("other family: %v", err)
	}
}

// TestReuseRevokeFailure: when recording the family's revocation fails,
// Refresh says so, and the error still is ErrReused.
func TestReuseRevokeFailure(t *testing.T) {
	broken := errors.New("store down")
	s := &plainStore{m: token.NewMemoryRefreshStore()}
	a, _ := familyAuthority(t, s, 10*time.Minute, 24*time.Hour)
	ctx := t.Context()
	p1, _ := a.Issue(ctx, "alice", nil)
	if _, err := a.Refresh(ctx, p1.Refresh, nil); err != nil {
		t.Fatal(err)
	}
	s.revokeErr = broken
	_, err := a.Refresh(ctx, p1.Refresh, nil)
	if !errors.Is(err, token.ErrReused) || !errors.Is(err, broken) {
		t.Errorf("replay with a failing Revoke: err = %v, want ErrReused and the store's error", err)
	}
}

func TestMemoryRefreshStoreRevokedInFamily(t *testing.T) {
	s := token.NewMemoryRefreshStore()
	ctx := t.Context()
	for _, rec := range []token.RefreshRecord{
		{ID: "f1", Family: "f1", Subject: "alice", IssuedAt: tNow, Expiry: tNow.Add(time.Hour)},
		{ID: "f2", Family: "f2", Subject: "alice", IssuedAt: tNow, Expiry: tNow.Add(time.Hour)},
	} {
		if err := s.Add(ctx, rec); err != nil {
			t.Fatal(err)
		}
	}
	check := func(when, id, family string, want bool) {
		t.Helper()
		got, err := s.RevokedInFamily(ctx, id, "alice", family, tNow)
		if err != nil || got != want {
			t.Errorf("%s: RevokedInFamily(%s, family %q) = %v, %v; want %v", when, id, family, got, err, want)
		}
	}
	check("before any revocation", "a1", "f1", false)
	check("before any revocation", "a0", "", false)
	if _, err := s.Use(ctx, "f1", tNow); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Use(ctx, "f1", tNow); !errors.Is(err, token.ErrReused) {
		t.Fatalf("second Use: err = %v, want ErrReused", err)
	}
	check("after reuse", "a1", "f1", true)
	check("after reuse, other family", "a2", "f2", false)
	check("after reuse, no family", "a0", "", false)
	s.Revoke(ctx, "a2", tNow.Add(time.Minute))
	check("revoked by ID", "a2", "f2", true)
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := s.RevokedInFamily(cancelled, "a2", "alice", "f2", tNow); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: err = %v, want context.Canceled", err)
	}
}

// pruneAt makes s prune (it does every 1024 Adds) as of at.
func pruneAt(t *testing.T, s *token.MemoryRefreshStore, at time.Time) {
	t.Helper()
	for i := range 1024 {
		id := fmt.Sprintf("filler%d", i)
		rec := token.RefreshRecord{ID: id, Family: id, Subject: "filler", IssuedAt: at, Expiry: at.Add(time.Hour)}
		if err := s.Add(t.Context(), rec); err != nil {
			t.Fatal(err)
		}
	}
}

// TestMemoryRefreshStoreFamilyRevocationLasts: a revoked family stays
// revoked for access tokens as long as the family lives, even when a
// rotation that raced with the revocation adds a later token to it, and a
// second, shorter Revoke of a token does not cut the first one short.
func TestMemoryRefreshStoreFamilyRevocationLasts(t *testing.T) {
	s := token.NewMemoryRefreshStore()
	ctx := t.Context()
	add := func(id string, exp time.Duration) {
		t.Helper()
		rec := token.RefreshRecord{ID: id, Family: "f1", Subject: "alice", IssuedAt: tNow, Expiry: tNow.Add(exp)}
		if err := s.Add(ctx, rec); err != nil {
			t.Fatal(err)
		}
	}
	add("f1", time.Hour)
	if _, err := s.Use(ctx, "f1", tNow); err != nil {
		t.Fatal(err)
	}
	add("f1-2", 2*time.Hour)
	if _, err := s.Use(ctx, "f1", tNow); !errors.Is(err, token.ErrReused) {
		t.Fatalf("replay: err = %v, want ErrReused", err)
	}
	add("f1-3", 3*time.Hour) // the rotation that raced with the replay
	s.Revoke(ctx, "access", tNow.Add(3*time.Hour))
	s.Revoke(ctx, "access", tNow.Add(time.Minute))
	pruneAt(t, s, tNow.Add(150*time.Minute))
	at := tNow.Add(150 * time.Minute)
	if ok, err := s.RevokedInFamily(ctx, "a", "alice", "f1", tNow); err != nil || !ok {
		t.Errorf("access token of the family after a prune at %v: revoked = %v, %v; want true", at, ok, err)
	}
	if ok, err := s.Revoked(ctx, "access", "alice", tNow); err != nil || !ok {
		t.Errorf("token revoked for 3h then for 1m, after a prune at 2.5h: revoked = %v, %v; want true", ok, err)
	}
	if _, err := s.Use(ctx, "f1-3", at); !errors.Is(err, token.ErrRevoked) {
		t.Errorf("the raced rotation's token: err = %v, want ErrRevoked", err)
	}
}

// TestMemoryRefreshStoreRevokeFamilyID: revoking a family by its ID
// revokes it, for refresh and access tokens, even after its first token was
// pruned.
func TestMemoryRefreshStoreRevokeFamilyID(t *testing.T) {
	s := token.NewMemoryRefreshStore()
	ctx := t.Context()
	for _, rec := range []token.RefreshRecord{
		{ID: "f1", Family: "f1", Subject: "alice", IssuedAt: tNow, Expiry: tNow.Add(time.Hour)},
		{ID: "f1-2", Family: "f1", Subject: "alice", IssuedAt: tNow, Expiry: tNow.Add(3 * time.Hour)},
	} {
		if err := s.Add(ctx, rec); err != nil {
			t.Fatal(err)
		}
	}
	at := tNow.Add(2 * time.Hour)
	pruneAt(t, s, at) // forgets f1, keeps the family
	if err := s.Revoke(ctx, "f1", tNow.Add(4*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Use(ctx, "f1-2", at); !errors.Is(err, token.ErrRevoked) {
		t.Errorf("refresh token of a family revoked by ID: err = %v, want ErrRevoked", err)
	}
	if ok, err := s.RevokedInFamily(ctx, "a", "alice", "f1", at); err != nil || !ok {
		t.Errorf("access token of a family revoked by ID: revoked = %v, %v; want true", ok, err)
	}
}

// TestRevokeRefreshOutlivesFamilyAccessTokens: after Revoke of a refresh
// token, the family's access tokens stay rejected for as long as Verify
// would accept them (their exp plus the leeway), even when the store has
// pruned the family first: AccessTTL longer than RefreshTTL, or equal to it
// (the leeway alone outlives the family).
func TestRevokeRefreshOutlivesFamilyAccessTokens(t *testing.T) {
	for _, tc := range []struct {
		name                  string
		accessTTL, refreshTTL time.Duration
		advance               time.Duration
	}{
		{"AccessTTL > RefreshTTL", 2 * time.Hour, time.Hour, 90 * time.Minute},
		{"AccessTTL = RefreshTTL, within the leeway", time.Hour, time.Hour, time.Hour + 2*time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, clock := familyAuthority(t, token.NewMemoryRefreshStore(), tc.accessTTL, tc.refreshTTL)
			ctx := t.Context()
			p1, err := a.Issue(ctx, "alice", nil)
			if err != nil {
				t.Fatal(err)
			}
			p, err := a.Refresh(ctx, p1.Refresh, nil) // a token other than the family ID
			if err != nil {
				t.Fatal(err)
			}
			rc := &token.Claims{}
			if _, err := a.Keys().Parse(p.Refresh, rc, jwt.WithoutClaimsValidation()); err != nil {
				t.Fatal(err)
			}
			if err := a.Revoke(ctx, rc.ID, rc.ExpiresAt.Time); err != nil {
				t.Fatal(err)
			}
			clock.Advance(tc.advance)
			for range 1100 { // MemoryRefreshStore prunes every 1024 Adds
				if _, err := a.Issue(ctx, "bob", nil); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := a.Verify(ctx, p.Access); !errors.Is(err, token.ErrRevoked) {
				t.Errorf("access token of a revoked family after a prune: err = %v, want ErrRevoked", err)
			}
		})
	}
}
