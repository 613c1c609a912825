package token_test

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"math/big"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/httpstate/httpstate/token"
)

func TestSignVerifyEachAlg(t *testing.T) {
	for _, alg := range allAlgs {
		t.Run(alg, func(t *testing.T) {
			a, _ := newAuthority(t, mustKeySet(t, signingKey(t, "k-"+alg, alg)))
			tok, _, err := a.IssueAccess("alice", map[string]any{"role": "admin"})
			if err != nil {
				t.Fatalf("IssueAccess: %v", err)
			}
			c, err := a.Verify(t.Context(), tok)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if c.Subject != "alice" || c.Extra["role"] != "admin" || c.Use != token.UseAccess {
				t.Errorf("claims = %+v, want sub alice, role admin, use access", c)
			}
			hdr := decodeSegment(t, tok, 0)
			if !strings.Contains(hdr, `"alg":"`+alg+`"`) || !strings.Contains(hdr, `"kid":"k-`+alg+`"`) {
				t.Errorf("header = %s, want alg %s and kid k-%s", hdr, alg, alg)
			}
		})
	}
}

func decodeSegment(t testing.TB, tok string, i int) string {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("token %q has %d parts", tok, len(parts))
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[i])
	if err != nil {
		t.Fatalf("segment %d: %v", i, err)
	}
	return string(b)
}

// forge builds a token from a raw header and claims, MACed with HS256 under
// key (or unsigned when key is nil).
func forge(header, claims string, key []byte) string {
	enc := base64.RawURLEncoding
	s := enc.EncodeToString([]byte(header)) + "." + enc.EncodeToString([]byte(claims))
	if key == nil {
		return s + "."
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(s))
	return s + "." + enc.EncodeToString(m.Sum(nil))
}

func validClaimsJSON(now time.Time) string {
	return `{"iss":"https://auth.example","aud":["api"],"sub":"mallory","jti":"x","use":"access",` +
		`"iat":` + itoa(now.Unix()) + `,"nbf":` + itoa(now.Unix()) + `,"exp":` + itoa(now.Add(time.Minute).Unix()) + `}`
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestAlgNoneRejected(t *testing.T) {
	a, _ := newAuthority(t, mustKeySet(t, signingKey(t, "h1", token.HS256)))
	for _, hdr := range []string{
		`{"alg":"none","typ":"JWT","kid":"h1"}`,
		`{"alg":"none","typ":"JWT"}`,
		`{"alg":"None","kid":"h1"}`,
	} {
		tok := forge(hdr, validClaimsJSON(tNow), nil)
		if _, err := a.Verify(t.Context(), tok); !errors.Is(err, token.ErrInvalid) {
			t.Errorf("header %s: Verify err = %v, want ErrInvalid", hdr, err)
		}
	}
}

func TestAlgorithmConfusionRejected(t *testing.T) {
	rsaKey := signingKey(t, "r1", token.RS256)
	ks := mustKeySet(t, rsaKey, signingKey(t, "h1", token.HS256))
	a, _ := newAuthority(t, ks)
	der, err := x509.MarshalPKIXPublicKey(testRSAKey(t).Public())
	if err != nil {
		t.Fatal(err)
	}
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	for _, key := range [][]byte{pubPEM, der} {
		// HS256 MACed with the RSA public key's bytes, naming the RSA kid.
		tok := forge(`{"alg":"HS256","typ":"JWT","kid":"r1"}`, validClaimsJSON(tNow), key)
		_, err := a.Verify(t.Context(), tok)
		if !errors.Is(err, token.ErrWrongAlg) {
			t.Errorf("HS256 token under RSA kid: err = %v, want ErrWrongAlg", err)
		}
	}
}

func TestUnknownKIDRejected(t *testing.T) {
	signer := mustKeySet(t, signingKey(t, "other", token.EdDSA))
	verifier := mustKeySet(t, signingKey(t, "mine", token.EdDSA))
	a1, _ := newAuthority(t, signer)
	a2, _ := newAuthority(t, verifier)
	tok, _, err := a1.IssueAccess("alice", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a2.Verify(t.Context(), tok); !errors.Is(err, token.ErrUnknownKID) {
		t.Errorf("unknown kid: err = %v, want ErrUnknownKID", err)
	}
	noKID := forge(`{"alg":"HS256","typ":"JWT"}`, validClaimsJSON(tNow), make([]byte, 32))
	if _, err := a2.Verify(t.Context(), noKID); !errors.Is(err, token.ErrInvalid) {
		t.Errorf("no kid: err = %v, want ErrInvalid", err)
	}
}

func TestKeySetRotation(t *testing.T) {
	oldK, newK := signingKey(t, "2026-10", token.ES256), signingKey(t, "2026-11", token.EdDSA)
	before, _ := newAuthority(t, mustKeySet(t, oldK))
	after, _ := newAuthority(t, mustKeySet(t, newK, oldK))
	oldTok, _, _ := before.IssueAccess("alice", nil)
	newTok, _, _ := after.IssueAccess("alice", nil)
	if _, err := after.Verify(t.Context(), oldTok); err != nil {
		t.Errorf("rotated set rejects a token of the old key: %v", err)
	}
	if hdr := decodeSegment(t, newTok, 0); !strings.Contains(hdr, `"kid":"2026-11"`) {
		t.Errorf("rotated set signs with header %s, want kid 2026-11", hdr)
	}
	retired, _ := newAuthority(t, mustKeySet(t, newK))
	if _, err := retired.Verify(t.Context(), oldTok); !errors.Is(err, token.ErrInvalid) {
		t.Errorf("after removing the old key: err = %v, want ErrInvalid", err)
	}
	// A verify-only key (public half) still verifies.
	pubOnly := token.SigningKey{ID: oldK.ID, Alg: oldK.Alg, Public: oldK.Private.Public()}
	v, _ := newAuthority(t, mustKeySet(t, newK, pubOnly))
	if _, err := v.Verify(t.Context(), oldTok); err != nil {
		t.Errorf("verify-only key: %v", err)
	}
}

var badKeySets = []struct {
	name string
	key  func(t testing.TB) token.SigningKey
}{
	{"no kid", func(t testing.TB) token.SigningKey { k := signingKey(t, "x", token.HS256); k.ID = ""; return k }},
	{"short hmac", func(t testing.TB) token.SigningKey {
		return token.SigningKey{ID: "h", Alg: token.HS256, Secret: []byte("short")}
	}},
	{"alg none", func(t testing.TB) token.SigningKey {
		return token.SigningKey{ID: "n", Alg: "none", Secret: make([]byte, 32)}
	}},
	{"HS384", func(t testing.TB) token.SigningKey {
		return token.SigningKey{ID: "n", Alg: "HS384", Secret: make([]byte, 48)}
	}},
	{"ed key as RS256", func(t testing.TB) token.SigningKey {
		k := signingKey(t, "e", token.EdDSA)
		k.Alg = token.RS256
		return k
	}},
	{"rsa key as ES256", func(t testing.TB) token.SigningKey {
		k := signingKey(t, "r", token.RS256)
		k.Alg = token.ES256
		return k
	}},
	{"verify-only current", func(t testing.TB) token.SigningKey {
		k := signingKey(t, "e", token.EdDSA)
		return token.SigningKey{ID: k.ID, Alg: k.Alg, Public: k.Private.Public()}
	}},
	// SigningKey's doc asks for exactly one of Secret, Private or Public;
	// a Public next to Private was ignored, even another key's.
	{"Private and its Public", func(t testing.TB) token.SigningKey {
		k := signingKey(t, "e", token.EdDSA)
		k.Public = k.Private.Public()
		return k
	}},
	{"Private and another key's Public", func(t testing.TB) token.SigningKey {
		k := signingKey(t, "e", token.ES256)
		k.Public = signingKey(t, "o", token.ES256).Private.Public()
		return k
	}},
}

var shortEd = ed25519.PrivateKey(make([]byte, 10))

// malformedKeys are keys of the right Go type but unusable (wrong length,
// nil pointers): NewKeySet must refuse them with an error, not panic now or
// at the first Sign.
var malformedKeys = []struct {
	name string
	key  token.SigningKey
}{
	{"short ed25519 private key", token.SigningKey{ID: "e", Alg: token.EdDSA, Private: ed25519.PrivateKey(make([]byte, 10))}},
	{"long ed25519 private key", token.SigningKey{ID: "e", Alg: token.EdDSA, Private: ed25519.PrivateKey(make([]byte, 40))}},
	{"nil *rsa.PrivateKey", token.SigningKey{ID: "r", Alg: token.RS256, Private: (*rsa.PrivateKey)(nil)}},
	{"nil *ecdsa.PrivateKey", token.SigningKey{ID: "c", Alg: token.ES256, Private: (*ecdsa.PrivateKey)(nil)}},
	{"nil *rsa.PublicKey", token.SigningKey{ID: "r", Alg: token.RS256, Public: (*rsa.PublicKey)(nil)}},
	{"nil *ecdsa.PublicKey", token.SigningKey{ID: "c", Alg: token.ES256, Public: (*ecdsa.PublicKey)(nil)}},
	{"rsa.PublicKey without modulus", token.SigningKey{ID: "r", Alg: token.RS256, Public: &rsa.PublicKey{E: 65537}}},
	{"ecdsa.PublicKey without curve", token.SigningKey{ID: "c", Alg: token.ES256, Public: &ecdsa.PublicKey{}}},
	// crypto.Signers whose Public panics: NewKeySet panicked.
	{"nil *ed25519.PrivateKey", token.SigningKey{ID: "e", Alg: token.EdDSA, Private: (*ed25519.PrivateKey)(nil)}},
	{"short *ed25519.PrivateKey", token.SigningKey{ID: "e", Alg: token.EdDSA, Private: &shortEd}},
	// Verify of any token naming such a kid panicked in crypto/ecdsa.
	{"P-256 ecdsa.PublicKey without X, Y", token.SigningKey{ID: "c", Alg: token.ES256, Public: &ecdsa.PublicKey{Curve: elliptic.P256()}}},
	{"P-256 ecdsa.PrivateKey with only D", token.SigningKey{ID: "c", Alg: token.ES256, Private: &ecdsa.PrivateKey{PublicKey: ecdsa.PublicKey{Curve: elliptic.P256()}, D: big.NewInt(7)}}},
	{"ecdsa.PublicKey off P-256", token.SigningKey{ID: "c", Alg: token.ES256, Public: &ecdsa.PublicKey{Curve: elliptic.P256(), X: big.NewInt(1), Y: big.NewInt(1)}}},
	// A valid public point without its scalar: the first Sign panicked.
	{"P-256 ecdsa.PrivateKey without D", token.SigningKey{ID: "c", Alg: token.ES256, Private: &ecdsa.PrivateKey{PublicKey: p256G}}},
	// A zero scalar: every Sign failed.
	{"P-256 ecdsa.PrivateKey with D = 0", token.SigningKey{ID: "c", Alg: token.ES256, Private: &ecdsa.PrivateKey{PublicKey: p256G, D: big.NewInt(0)}}},
}

// p256G is the P-256 base point: a valid public key (of the scalar 1).
var p256G = ecdsa.PublicKey{Curve: elliptic.P256(), X: elliptic.P256().Params().Gx, Y: elliptic.P256().Params().Gy}

func TestNewKeySetMalformedKeys(t *testing.T) {
	hs := signingKey(t, "h", token.HS256)
	for _, tt := range malformedKeys {
		func() {
			defer func() {
				if p := recover(); p != nil {
					t.Errorf("%s: panic: %v", tt.name, p)
				}
			}()
			// As the current key and as a verify-only extra key.
			if _, err := token.NewKeySet(tt.key); !errors.Is(err, token.ErrBadKey) {
				t.Errorf("NewKeySet(%s): err = %v, want ErrBadKey", tt.name, err)
			}
			if _, err := token.NewKeySet(hs, tt.key); !errors.Is(err, token.ErrBadKey) {
				t.Errorf("NewKeySet(hs, %s): err = %v, want ErrBadKey", tt.name, err)
			}
		}()
	}
}

func TestNewKeySetRejects(t *testing.T) {
	for _, tt := range badKeySets {
		if _, err := token.NewKeySet(tt.key(t)); !errors.Is(err, token.ErrBadKey) {
			t.Errorf("NewKeySet(%s): err = %v, want ErrBadKey", tt.name, err)
		}
	}
	k := signingKey(t, "dup", token.HS256)
	if _, err := token.NewKeySet(k, k); err == nil {
		t.Errorf("NewKeySet(duplicate kid) succeeded, want an error")
	}
}

// TestOversizeToken: a token past MaxTokenSize is refused before its claims
// are decoded (they are decoded before the signature is checked, so a
// forged one made every request allocate some 30 times its size), and Sign
// does not make one.
func TestOversizeToken(t *testing.T) {
	a, _ := newAuthority(t, mustKeySet(t, signingKey(t, "k", token.HS256)))
	e := base64.RawURLEncoding.EncodeToString
	h := e([]byte(`{"alg":"HS256","kid":"k","typ":"JWT"}`))
	c := e([]byte(`{"ext":{"a":[` + strings.Repeat("[],", 20000) + `0]}}`))
	forged := h + "." + c + "." + e(make([]byte, 32))
	allocs := testing.AllocsPerRun(5, func() {
		if _, err := a.Verify(t.Context(), forged); !errors.Is(err, token.ErrInvalid) || !errors.Is(err, jwt.ErrTokenMalformed) {
			t.Fatalf("Verify(%d-byte token) = %v, want ErrInvalid wrapping jwt.ErrTokenMalformed", len(forged), err)
		}
	})
	if allocs > 20 {
		t.Errorf("Verify of a %d-byte token made %.0f allocations; its claims were decoded", len(forged), allocs)
	}
	big := map[string]any{"blob": strings.Repeat("x", token.MaxTokenSize)}
	if _, _, err := a.IssueAccess("alice", big); err == nil {
		t.Error("IssueAccess signed a token longer than MaxTokenSize")
	}
	if _, _, err := a.IssueAccess("alice", map[string]any{"blob": strings.Repeat("x", 4096)}); err != nil {
		t.Errorf("IssueAccess with a 4 KiB claim: %v", err)
	}
}
