package token_test

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"sync"
	"testing"
	"time"

	"github.com/httpstate/httpstate/internal/testutil"
	"github.com/httpstate/httpstate/token"
)

// tNow is the fixed start of every test clock.
var tNow = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

var (
	rsaOnce sync.Once
	rsaKey  *rsa.PrivateKey
)

// testRSAKey returns one 2048-bit key per test binary (generation is slow).
func testRSAKey(t testing.TB) *rsa.PrivateKey {
	t.Helper()
	rsaOnce.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		rsaKey = k
	})
	return rsaKey
}

// signingKey returns a fresh key of alg named kid.
func signingKey(t testing.TB, kid, alg string) token.SigningKey {
	t.Helper()
	switch alg {
	case token.HS256:
		s := make([]byte, 32)
		rand.Read(s)
		return token.SigningKey{ID: kid, Alg: alg, Secret: s}
	case token.EdDSA:
		_, priv, _ := ed25519.GenerateKey(nil)
		return token.SigningKey{ID: kid, Alg: alg, Private: priv}
	case token.RS256:
		return token.SigningKey{ID: kid, Alg: alg, Private: testRSAKey(t)}
	case token.ES256:
		priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		return token.SigningKey{ID: kid, Alg: alg, Private: priv}
	}
	t.Fatalf("unknown alg %q", alg)
	return token.SigningKey{}
}

func mustKeySet(t testing.TB, keys ...token.SigningKey) *token.KeySet {
	t.Helper()
	ks, err := token.NewKeySet(keys...)
	if err != nil {
		t.Fatalf("NewKeySet: %v", err)
	}
	return ks
}

// newAuthority returns an Authority on a fake clock.
func newAuthority(t testing.TB, ks *token.KeySet) (*token.Authority, *testutil.Clock) {
	t.Helper()
	clock := testutil.NewClock(tNow)
	a, err := token.New(&token.Options{
		Keys: ks, Issuer: "https://auth.example", Audience: "api",
		AccessTTL: 10 * time.Minute, RefreshTTL: 24 * time.Hour, Leeway: 5 * time.Second,
		Now: clock.Now,
	})
	if err != nil {
		t.Fatalf("token.New: %v", err)
	}
	return a, clock
}

var allAlgs = []string{token.HS256, token.EdDSA, token.RS256, token.ES256}
