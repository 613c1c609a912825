package token_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/httpstate/httpstate/token"
)

// Two clients racing with one refresh token: exactly one wins, and the
// loser's reuse revokes the family, the winner's new token included.
func TestRefreshConcurrentUse(t *testing.T) {
	a, _ := newAuthority(t, mustKeySet(t, signingKey(t, "k", token.HS256)))
	ctx := t.Context()
	p, err := a.Issue(ctx, "alice", nil)
	if err != nil {
		t.Fatal(err)
	}
	const n = 8
	var wg sync.WaitGroup
	results := make([]error, n)
	pairs := make([]*token.Pair, n)
	for i := range n {
		wg.Go(func() { pairs[i], results[i] = a.Refresh(ctx, p.Refresh, nil) })
	}
	wg.Wait()
	wins, reused := 0, 0
	var winner *token.Pair
	for i, err := range results {
		switch {
		case err == nil:
			wins++
			winner = pairs[i]
		case errors.Is(err, token.ErrReused), errors.Is(err, token.ErrRevoked):
			reused++
		default:
			t.Errorf("refresh %d: unexpected error %v", i, err)
		}
	}
	if wins != 1 || reused != n-1 {
		t.Fatalf("wins %d, reuse rejections %d; want 1 and %d", wins, reused, n-1)
	}
	if _, err := a.Refresh(ctx, winner.Refresh, nil); !errors.Is(err, token.ErrRevoked) {
		t.Errorf("winner's token after the family was revoked: err = %v, want ErrRevoked", err)
	}
}

func TestMemoryRefreshStore(t *testing.T) {
	s := token.NewMemoryRefreshStore()
	ctx := t.Context()
	rec := token.RefreshRecord{ID: "a", Family: "a", Subject: "alice", IssuedAt: tNow, Expiry: tNow.Add(time.Hour)}
	if err := s.Add(ctx, rec); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Use(ctx, "missing", tNow); !errors.Is(err, token.ErrUnknownRefresh) {
		t.Errorf("Use(missing): err = %v, want ErrUnknownRefresh", err)
	}
	if _, err := s.Use(ctx, "a", tNow.Add(time.Hour)); !errors.Is(err, token.ErrUnknownRefresh) {
		t.Errorf("Use at expiry: err = %v, want ErrUnknownRefresh", err)
	}
	got, err := s.Use(ctx, "a", tNow)
	if err != nil || got != rec {
		t.Errorf("Use = %+v, %v; want %+v, nil", got, err, rec)
	}
	if ok, _ := s.Revoked(ctx, "x", "alice", tNow); ok {
		t.Errorf("Revoked(x) before any revocation = true")
	}
	s.Revoke(ctx, "x", tNow.Add(time.Minute))
	if ok, _ := s.Revoked(ctx, "x", "bob", tNow); !ok {
		t.Errorf("Revoked(x) after Revoke = false")
	}
	s.RevokeSubject(ctx, "alice", tNow)
	if ok, _ := s.Revoked(ctx, "y", "alice", tNow.Add(-time.Second)); !ok {
		t.Errorf("token issued before the subject cut-off not revoked")
	}
	if ok, _ := s.Revoked(ctx, "y", "alice", tNow.Add(time.Second)); ok {
		t.Errorf("token issued after the subject cut-off revoked")
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if err := s.Add(cancelled, rec); !errors.Is(err, context.Canceled) {
		t.Errorf("Add with a cancelled context: err = %v, want context.Canceled", err)
	}
}

func TestNewRejects(t *testing.T) {
	ks := mustKeySet(t, signingKey(t, "k", token.HS256))
	for _, o := range []*token.Options{nil, {}, {Keys: ks}, {Keys: ks, Issuer: "i"}, {Keys: ks, Audience: "a"}} {
		if _, err := token.New(o); err == nil {
			t.Errorf("New(%+v) succeeded, want an error", o)
		}
	}
}
