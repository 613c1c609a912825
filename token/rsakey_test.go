package token_test

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"errors"
	"math/big"
	"testing"

	"github.com/httpstate/httpstate/token"
)

// TestNewKeySetUnusableRSAKeys: an RSA key crypto/rsa refuses at every
// Sign or Verify (public exponent below 2, even or past 2^31-1, an even
// modulus, a private key whose halves do not match) or that is too short
// must be refused by NewKeySet, with an error wrapping ErrBadKey, not
// accepted only to fail every token naming its kid.
func TestNewKeySetUnusableRSAKeys(t *testing.T) {
	good := testRSAKey(t)
	pub := func(e int) *rsa.PublicKey { return &rsa.PublicKey{N: good.N, E: e} }
	priv := func(e int, d *big.Int) *rsa.PrivateKey {
		return &rsa.PrivateKey{PublicKey: *pub(e), D: d, Primes: good.Primes}
	}
	short := new(big.Int).Rsh(good.N, 1024) // 1024 bits, odd or not
	short.SetBit(short, 0, 1)
	even := new(big.Int).SetBit(new(big.Int).Set(good.N), 0, 0)
	cases := []struct {
		name string
		key  token.SigningKey
	}{
		{"public E = 1", token.SigningKey{ID: "r", Alg: token.RS256, Public: pub(1)}},
		{"public E = 0", token.SigningKey{ID: "r", Alg: token.RS256, Public: pub(0)}},
		{"public E = -65537", token.SigningKey{ID: "r", Alg: token.RS256, Public: pub(-65537)}},
		{"public E = 65536 (even)", token.SigningKey{ID: "r", Alg: token.RS256, Public: pub(65536)}},
		{"public E = 2^31+1", token.SigningKey{ID: "r", Alg: token.RS256, Public: pub(1<<31 + 1)}},
		{"public even modulus", token.SigningKey{ID: "r", Alg: token.RS256, Public: &rsa.PublicKey{N: even, E: 65537}}},
		{"public negative modulus", token.SigningKey{ID: "r", Alg: token.RS256, Public: &rsa.PublicKey{N: new(big.Int).Neg(good.N), E: 65537}}},
		{"public 1024-bit modulus", token.SigningKey{ID: "r", Alg: token.RS256, Public: &rsa.PublicKey{N: short, E: 65537}}},
		{"private E = 1", token.SigningKey{ID: "r", Alg: token.RS256, Private: priv(1, good.D)}},
		{"private without D", token.SigningKey{ID: "r", Alg: token.RS256, Private: priv(good.E, nil)}},
		{"private with a wrong D", token.SigningKey{ID: "r", Alg: token.RS256, Private: priv(good.E, new(big.Int).Add(good.D, big.NewInt(2)))}},
	}
	hs := signingKey(t, "h", token.HS256)
	for _, tt := range cases {
		func() {
			defer func() {
				if p := recover(); p != nil {
					t.Errorf("%s: panic: %v", tt.name, p)
				}
			}()
			if _, err := token.NewKeySet(hs, tt.key); !errors.Is(err, token.ErrBadKey) {
				t.Errorf("NewKeySet(hs, %s): err = %v, want ErrBadKey", tt.name, err)
			}
			if tt.key.Private != nil {
				if _, err := token.NewKeySet(tt.key); !errors.Is(err, token.ErrBadKey) {
					t.Errorf("NewKeySet(%s): err = %v, want ErrBadKey", tt.name, err)
				}
			}
		}()
	}
	// The good key, whole and as its public half, is still accepted.
	if _, err := token.NewKeySet(token.SigningKey{ID: "r", Alg: token.RS256, Private: good}); err != nil {
		t.Errorf("NewKeySet(good RSA key): %v", err)
	}
	if _, err := token.NewKeySet(hs, token.SigningKey{ID: "r", Alg: token.RS256, Public: &good.PublicKey}); err != nil {
		t.Errorf("NewKeySet(hs, good RSA public key): %v", err)
	}
}

// TestNewKeySetMismatchedPrivateKeys: an ECDSA or Ed25519 private key whose
// public half is another key's signs, but no signature it makes verifies
// (with the KeySet itself or with the JWK Set it publishes), so every
// token failed; NewKeySet signs once with each private key and refuses it.
func TestNewKeySetMismatchedPrivateKeys(t *testing.T) {
	ea, eb := signingKey(t, "a", token.ES256).Private.(*ecdsa.PrivateKey), signingKey(t, "b", token.ES256).Private.(*ecdsa.PrivateKey)
	da, db := signingKey(t, "a", token.EdDSA).Private.(ed25519.PrivateKey), signingKey(t, "b", token.EdDSA).Private.(ed25519.PrivateKey)
	ed := append(append(ed25519.PrivateKey{}, da[:32]...), db[32:]...)
	for _, tt := range []struct {
		name string
		key  token.SigningKey
	}{
		{"ECDSA D of one key, point of another", token.SigningKey{ID: "c", Alg: token.ES256, Private: &ecdsa.PrivateKey{PublicKey: eb.PublicKey, D: ea.D}}},
		{"Ed25519 seed of one key, public half of another", token.SigningKey{ID: "e", Alg: token.EdDSA, Private: ed}},
	} {
		if _, err := token.NewKeySet(tt.key); !errors.Is(err, token.ErrBadKey) {
			t.Errorf("NewKeySet(%s): err = %v, want ErrBadKey", tt.name, err)
		}
	}
}
