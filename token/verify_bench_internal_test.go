package token

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"testing"
	"time"
)

// verifyBefore is Verify as it was before access tokens were checked
// against their refresh family: parse, then one Revoked call. It is kept
// here only as the baseline of BenchmarkVerifyFamily.
func (a *Authority) verifyBefore(ctx context.Context, tok string) (*Claims, error) {
	c, err := a.parse(tok, UseAccess)
	if err != nil {
		return nil, err
	}
	revoked, err := a.store.Revoked(ctx, c.ID, c.Subject, c.IssuedAt.Time)
	if err != nil {
		return nil, fmt.Errorf("token: checking revocation: %w", err)
	}
	if revoked {
		return nil, fmt.Errorf("%w: access token %s", ErrRevoked, c.ID)
	}
	return c, nil
}

// plainBenchStore hides RevokedInFamily: Verify's two-call path.
type plainBenchStore struct{ *MemoryRefreshStore }

func (plainBenchStore) RevokedInFamily() {} // shadows the method with another signature

// BenchmarkVerifyFamily times the previous Verify (one Revoked call) against
// the new one on a MemoryRefreshStore (one RevokedInFamily call) and on a
// plain RefreshStore (two Revoked calls), for an access token of a refresh
// family, with 1000 other families and 100 revoked IDs in the store. Run it
// several times (-count, or the binary in a loop) and compare medians: the
// three run one after the other within a run.
func BenchmarkVerifyFamily(b *testing.B) {
	seed := make([]byte, 32)
	for i := range seed {
		seed[i] = byte(i)
	}
	keys := []SigningKey{
		{ID: "hs", Alg: HS256, Secret: seed},
		{ID: "ed", Alg: EdDSA, Private: ed25519.NewKeyFromSeed(seed)},
	}
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	ctx := context.Background()
	for _, k := range keys {
		ks, err := NewKeySet(k)
		if err != nil {
			b.Fatal(err)
		}
		mem := NewMemoryRefreshStore()
		var auths = map[string]*Authority{}
		for name, store := range map[string]RefreshStore{"mem": mem, "plain": plainBenchStore{mem}} {
			a, err := New(&Options{Keys: ks, Issuer: "https://auth.example", Audience: "api",
				Refresh: store, Now: func() time.Time { return now }})
			if err != nil {
				b.Fatal(err)
			}
			auths[name] = a
		}
		a := auths["mem"]
		for i := range 1000 {
			if _, err := a.Issue(ctx, fmt.Sprintf("user%d", i), nil); err != nil {
				b.Fatal(err)
			}
		}
		for i := range 100 {
			a.Revoke(ctx, fmt.Sprintf("revoked%d", i), time.Time{})
		}
		p, err := a.Issue(ctx, "alice", nil)
		if err != nil {
			b.Fatal(err)
		}
		contenders := []struct {
			name   string
			verify func(context.Context, string) (*Claims, error)
		}{
			{"before", a.verifyBefore},
			{"after", a.Verify},
			{"after-plain-store", auths["plain"].Verify},
		}
		for _, c := range contenders {
			b.Run(k.Alg+"/"+c.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := c.verify(ctx, p.Access); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkVerifyFamilyInterleaved times the previous and the new Verify
// (HS256, the cheapest signature, where the store's share is largest; 1000
// families and 100 revoked IDs in the store) in every iteration, so that load swings on a shared machine hit both alike,
// and reports each side's ns per Verify and the ratio of the totals as
// "after/before".
func BenchmarkVerifyFamilyInterleaved(b *testing.B) {
	ks, err := NewKeySet(SigningKey{ID: "hs", Alg: HS256, Secret: make([]byte, 32)})
	if err != nil {
		b.Fatal(err)
	}
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	a, err := New(&Options{Keys: ks, Issuer: "https://auth.example", Audience: "api",
		Now: func() time.Time { return now }})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for i := range 1000 {
		if _, err := a.Issue(ctx, fmt.Sprintf("user%d", i), nil); err != nil {
			b.Fatal(err)
		}
	}
	for i := range 100 {
		a.Revoke(ctx, fmt.Sprintf("revoked%d", i), time.Time{})
	}
	p, err := a.Issue(ctx, "alice", nil)
	if err != nil {
		b.Fatal(err)
	}
	var tBefore, tAfter time.Duration
	n := 0
	for b.Loop() {
		t0 := time.Now()
		if _, err := a.verifyBefore(ctx, p.Access); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if _, err := a.Verify(ctx, p.Access); err != nil {
			b.Fatal(err)
		}
		t2 := time.Now()
		tBefore += t1.Sub(t0)
		tAfter += t2.Sub(t1)
		n++
	}
	b.ReportMetric(float64(tBefore.Nanoseconds())/float64(n), "before-ns/verify")
	b.ReportMetric(float64(tAfter.Nanoseconds())/float64(n), "after-ns/verify")
	b.ReportMetric(float64(tAfter)/float64(tBefore), "after/before")
}

// BenchmarkRevocationLookupInterleaved times the store part of Verify
// alone, interleaved in every iteration (batches of 32 calls, so that
// reading the clock does not dominate) on a MemoryRefreshStore with 1000
// families and 100 revoked IDs: the previous Revoked call, the new RevokedInFamily call, and
// the two Revoked calls a plain RefreshStore costs (the contenders run
// through function values, which adds the same few ns to each). It reports
// ns per Verify for each.
func BenchmarkRevocationLookupInterleaved(b *testing.B) {
	s := NewMemoryRefreshStore()
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	ctx := context.Background()
	for i := range 1000 {
		id := fmt.Sprintf("f%d", i)
		s.Add(ctx, RefreshRecord{ID: id, Family: id, Subject: fmt.Sprintf("user%d", i), IssuedAt: now, Expiry: now.Add(time.Hour)})
	}
	for i := range 100 {
		s.Revoke(ctx, fmt.Sprintf("revoked%d", i), now.Add(time.Hour))
	}
	const batch = 32
	contenders := []func(){
		func() { s.Revoked(ctx, "access-jti", "user7", now) },
		func() { s.RevokedInFamily(ctx, "access-jti", "user7", "f7", now) },
		func() {
			s.Revoked(ctx, "access-jti", "user7", now)
			s.Revoked(ctx, "f7", "user7", now)
		},
	}
	var total [3]time.Duration
	n, round := 0, 0
	for b.Loop() {
		// Rotate the order every iteration: no contender always runs
		// right after another.
		for k := range 3 {
			i := (round + k) % 3
			t0 := time.Now()
			for range batch {
				contenders[i]()
			}
			total[i] += time.Since(t0)
		}
		round++
		n += batch
	}
	tBefore, tAfter, tPlain := total[0], total[1], total[2]
	b.ReportMetric(float64(tBefore.Nanoseconds())/float64(n), "revoked-ns")
	b.ReportMetric(float64(tAfter.Nanoseconds())/float64(n), "infamily-ns")
	b.ReportMetric(float64(tPlain.Nanoseconds())/float64(n), "plain2x-ns")
}
