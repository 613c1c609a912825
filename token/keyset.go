package token

import (
	"bytes"
	"crypto"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"errors"
	"fmt"
	"math/big"
	"slices"

	"github.com/golang-jwt/jwt/v5"
)

// JWT signature algorithms a KeySet supports (RFC 7518 section 3.1, RFC 8037
// section 3.1).
const (
	HS256 = "HS256"
	EdDSA = "EdDSA"
	RS256 = "RS256"
	ES256 = "ES256"
)

// ErrUnknownKID reports a JWT whose kid header is missing or names no key of
// the KeySet.
var ErrUnknownKID = errors.New("token: unknown kid")

// errCrit reports a JWT with a "crit" header (RFC 7515 section 4.1.11).
var errCrit = errors.New(`token: "crit" header: no JWS extension is supported`)

// MaxTokenSize is the longest JWT, in bytes of its compact serialisation,
// that a KeySet signs or parses. Parse (and so Authority.Verify, Refresh
// and Middleware) refuses a longer one before decoding any of it, with an
// error wrapping jwt.ErrTokenMalformed (and ErrInvalid from Authority):
// decoding comes before the signature check, and a forged megabyte of
// nested JSON claims made it allocate some 30 MB. Keyfunc, handed to
// jwt.Parse directly, applies no limit. Keep Extra claims small;
// Authorization headers past 8 KiB are already refused by many proxies.
const MaxTokenSize = 16 << 10

// ErrBadKey reports a SigningKey NewKeySet refuses: no kid, an unsupported
// algorithm, a key of the wrong type, size or shape for its algorithm, or
// one that crypto/rsa, crypto/ecdsa or crypto/ed25519 would refuse (or
// panic on) at every Sign or Verify, or a private key whose signatures do
// not verify with its public half. Errors from NewKeySet about one key
// wrap it.
var ErrBadKey = errors.New("token: unusable key")

// ErrWrongAlg reports a JWT whose alg is not the algorithm of the key its kid
// names (algorithm confusion, "none").
var ErrWrongAlg = errors.New("token: algorithm not allowed for this key")

// SigningKey is one JWT key. Exactly one of Secret (HS256), Private or Public
// is needed (NewKeySet refuses more); a key with only Public verifies but
// cannot sign.
type SigningKey struct {
	// ID is the key's kid (RFC 7515 section 4.1.4); required and unique.
	ID string
	// Alg is the one algorithm this key is used with: HS256, EdDSA, RS256 or
	// ES256.
	Alg string
	// Secret is the HS256 key: at least 32 random bytes.
	Secret []byte
	// Private is the signing key: ed25519.PrivateKey (EdDSA), *rsa.PrivateKey
	// of at least 2048 bits (RS256) or *ecdsa.PrivateKey on P-256 (ES256).
	Private crypto.Signer
	// Public is the verification key when Private is nil:
	// ed25519.PublicKey, *rsa.PublicKey or *ecdsa.PublicKey.
	Public crypto.PublicKey
}

// key is a validated SigningKey.
type key struct {
	id     string
	alg    string
	method jwt.SigningMethod
	sign   any // []byte, ed25519.PrivateKey, *rsa.PrivateKey, *ecdsa.PrivateKey; nil if verify-only
	verify any // []byte, ed25519.PublicKey, *rsa.PublicKey, *ecdsa.PublicKey
}

// KeySet is a set of JWT keys: the first signs, all verify. It is immutable
// and safe for concurrent use.
type KeySet struct {
	keys  []*key
	byKID map[string]*key
	algs  []string
}

// NewKeySet returns a KeySet over keys; keys[0] is the current key, which
// signs and must therefore have a Secret or Private key. A key it could
// not use is refused with an error wrapping ErrBadKey; each private key
// is checked by signing once with it.
func NewKeySet(keys ...SigningKey) (*KeySet, error) {
	if len(keys) == 0 {
		return nil, errors.New("token: NewKeySet needs at least one key")
	}
	ks := &KeySet{byKID: make(map[string]*key)}
	seen := map[string]bool{}
	for i, sk := range keys {
		k, err := newKey(sk)
		if err != nil {
			return nil, err
		}
		if i == 0 && k.sign == nil {
			return nil, fmt.Errorf("%w %q: the current key cannot sign (no Secret or Private)", ErrBadKey, k.id)
		}
		if _, dup := ks.byKID[k.id]; dup {
			return nil, fmt.Errorf("token: duplicate kid %q", k.id)
		}
		ks.keys = append(ks.keys, k)
		ks.byKID[k.id] = k
		if !seen[k.alg] {
			seen[k.alg] = true
			ks.algs = append(ks.algs, k.alg)
		}
	}
	return ks, nil
}

func newKey(sk SigningKey) (*key, error) {
	if sk.ID == "" {
		return nil, fmt.Errorf("%w: a SigningKey needs an ID (kid)", ErrBadKey)
	}
	k := &key{id: sk.ID, alg: sk.Alg}
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w %q (%s): "+format, append([]any{ErrBadKey, sk.ID, sk.Alg}, a...)...)
	}
	if sk.Private != nil && sk.Public != nil {
		// Public would be ignored (the key verifies with Private's own
		// public half), even if it were another key's.
		return nil, bad("set Private or Public, not both")
	}
	// Refuse unusable keys of the right type before calling Public, which
	// panics on them (as ed25519.Sign would at the first Sign).
	switch p := sk.Private.(type) {
	case ed25519.PrivateKey:
		if len(p) != ed25519.PrivateKeySize {
			return nil, bad("ed25519 private key is %d bytes, want %d", len(p), ed25519.PrivateKeySize)
		}
	case *rsa.PrivateKey:
		if p == nil || p.N == nil {
			return nil, bad("nil or empty RSA private key")
		}
	case *ecdsa.PrivateKey:
		// A nil D passes Public and panics in ecdsa.Sign.
		if p == nil || p.D == nil {
			return nil, bad("nil ECDSA private key or scalar")
		}
	}
	pub := sk.Public
	if sk.Private != nil {
		var err error
		if pub, err = signerPublic(sk.Private); err != nil {
			return nil, bad("%w", err)
		}
	}
	switch sk.Alg {
	case HS256:
		if len(sk.Secret) < 32 {
			return nil, bad("secret is %d bytes, want at least 32", len(sk.Secret))
		}
		if sk.Private != nil || sk.Public != nil {
			return nil, bad("an HMAC key takes only Secret")
		}
		s := append([]byte(nil), sk.Secret...)
		k.method, k.sign, k.verify = jwt.SigningMethodHS256, s, s
		return k, nil
	case EdDSA:
		p, ok := pub.(ed25519.PublicKey)
		if !ok || len(p) != ed25519.PublicKeySize {
			return nil, bad("want an ed25519 key, have %T", pub)
		}
		if ed25519SmallOrder(p) {
			// R = the identity, S = 0 verifies for one message in
			// eight or so: anyone could forge tokens for this kid.
			return nil, bad("ed25519 public key is a point of small order (a zeroed key?)")
		}
		k.method, k.verify = jwt.SigningMethodEdDSA, p
		if sk.Private != nil {
			priv, ok := sk.Private.(ed25519.PrivateKey)
			if !ok {
				return nil, bad("want ed25519.PrivateKey, have %T", sk.Private)
			}
			k.sign = priv
		}
	case RS256:
		p, ok := pub.(*rsa.PublicKey)
		if !ok || p == nil || p.N == nil {
			return nil, bad("want an RSA key, have %T", pub)
		}
		if p.N.BitLen() < 2048 {
			return nil, bad("RSA key is %d bits, want at least 2048", p.N.BitLen())
		}
		// crypto/rsa refuses these at every Sign and Verify.
		if p.N.Sign() <= 0 || p.N.Bit(0) == 0 {
			return nil, bad("RSA modulus is not a positive odd number")
		}
		if p.E < 2 || p.E&1 == 0 || p.E > 1<<31-1 {
			return nil, bad("RSA public exponent %d is unusable (want an odd number from 3 to 2^31-1, usually 65537)", p.E)
		}
		k.method, k.verify = jwt.SigningMethodRS256, p
		if sk.Private != nil {
			priv, ok := sk.Private.(*rsa.PrivateKey)
			if !ok {
				return nil, bad("want *rsa.PrivateKey, have %T", sk.Private)
			}
			k.sign = priv
		}
	case ES256:
		p, ok := pub.(*ecdsa.PublicKey)
		if !ok || p == nil || p.Curve != elliptic.P256() {
			return nil, bad("want an ECDSA P-256 key, have %T", pub)
		}
		// crypto/ecdsa panics verifying with nil coordinates (at every
		// token naming this kid) and fails with a point off the curve.
		if p.X == nil || p.Y == nil {
			return nil, bad("ECDSA public key has no X, Y")
		}
		if _, err := p.ECDH(); err != nil {
			return nil, bad("ECDSA public key is not a point on P-256: %w", err)
		}
		k.method, k.verify = jwt.SigningMethodES256, p
		if sk.Private != nil {
			priv, ok := sk.Private.(*ecdsa.PrivateKey)
			if !ok {
				return nil, bad("want *ecdsa.PrivateKey, have %T", sk.Private)
			}
			// A zero or negative scalar fails at every Sign.
			if _, err := priv.Bytes(); err != nil {
				return nil, bad("unusable ECDSA private key: %w", err)
			}
			k.sign = priv
		}
	default:
		return nil, bad("unsupported algorithm (want HS256, EdDSA, RS256 or ES256)")
	}
	if len(sk.Secret) != 0 {
		return nil, bad("Secret is only for HS256")
	}
	if k.sign != nil {
		if err := k.selfCheck(); err != nil {
			return nil, bad("the private key's signatures do not verify with its public key: %w", err)
		}
	}
	return k, nil
}

// selfCheck signs a fixed message with k and verifies it as Parse would:
// a private key whose parts do not match (an RSA D or primes of another
// modulus, an ECDSA D or an Ed25519 seed next to another key's public
// half) fails every Sign, or makes only signatures that never verify, and
// NewKeySet refuses it. One signature per key, at NewKeySet only.
func (k *key) selfCheck() (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("signing panicked: %v", r)
		}
	}()
	const msg = "httpstate/token: key check"
	sig, err := k.method.Sign(msg, k.sign)
	if err != nil {
		return err
	}
	return k.method.Verify(msg, sig, k.verify)
}

// ed25519SmallOrder reports whether p encodes a point of small order (the
// identity or a torsion point; 0 to 2^255-1 read as y, x's sign ignored).
// It maps y to the Montgomery u = (1+y)/(1-y) of the same point and lets
// crypto/ecdh judge it: an X25519 scalar is a multiple of the cofactor 8,
// so it fails (an all-zero result) exactly for points of small order.
func ed25519SmallOrder(p ed25519.PublicKey) bool {
	le := bytes.Clone(p)
	le[31] &= 0x7f
	slices.Reverse(le)
	y := new(big.Int).SetBytes(le)
	prime := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 255), big.NewInt(19))
	one := big.NewInt(1)
	y.Mod(y, prime)
	den := new(big.Int).Sub(one, y)
	den.Mod(den, prime)
	if den.Sign() == 0 {
		return true // y = 1: the identity (u at infinity)
	}
	u := new(big.Int).Add(one, y)
	u.Mul(u, den.ModInverse(den, prime))
	u.Mod(u, prime)
	ub := u.FillBytes(make([]byte, 32))
	slices.Reverse(ub)
	peer, err := ecdh.X25519().NewPublicKey(ub)
	if err != nil {
		return true
	}
	probe, err := ecdh.X25519().NewPrivateKey(bytes.Repeat([]byte{0x5a}, 32))
	if err != nil {
		return true
	}
	_, err = probe.ECDH(peer)
	return err != nil
}

// signerPublic returns s.Public(), or an error where that panics: a typed
// nil (a nil *ed25519.PrivateKey) or a malformed key behind a pointer.
func signerPublic(s crypto.Signer) (pub crypto.PublicKey, err error) {
	defer func() {
		if r := recover(); r != nil {
			pub, err = nil, fmt.Errorf("unusable private key %T: %v", s, r)
		}
	}()
	return s.Public(), nil
}

// CurrentKID returns the kid of the key that signs.
func (ks *KeySet) CurrentKID() string { return ks.keys[0].id }

// Sign returns the compact serialisation of claims, signed with the current
// key and carrying its kid. It fails for a token longer than MaxTokenSize,
// which Parse would refuse.
func (ks *KeySet) Sign(claims jwt.Claims) (string, error) {
	k := ks.keys[0]
	t := jwt.NewWithClaims(k.method, claims)
	t.Header["kid"] = k.id
	s, err := t.SignedString(k.sign)
	if err != nil {
		return "", fmt.Errorf("token: signing with %q: %w", k.id, err)
	}
	if len(s) > MaxTokenSize {
		return "", fmt.Errorf("token: signed token is %d bytes, more than MaxTokenSize (%d)", len(s), MaxTokenSize)
	}
	return s, nil
}

// Keyfunc is a jwt.Keyfunc that returns the verification key named by the
// token's kid, and only if the token's alg is that key's algorithm. A token
// with a "crit" header is refused: a KeySet understands no JWS extension,
// and RFC 7515 section 4.1.11 makes such a token invalid. Keyfunc runs
// after the token is decoded, so it cannot apply MaxTokenSize: code that
// passes it to jwt.Parse itself must check the length first (or call
// Parse, which does).
func (ks *KeySet) Keyfunc(t *jwt.Token) (any, error) {
	if _, ok := t.Header["crit"]; ok {
		return nil, errCrit
	}
	kid, _ := t.Header["kid"].(string)
	k, ok := ks.byKID[kid]
	if !ok {
		return nil, fmt.Errorf("%w %q", ErrUnknownKID, kid)
	}
	if t.Method == nil || t.Method.Alg() != k.alg {
		alg, _ := t.Header["alg"].(string)
		return nil, fmt.Errorf("%w: kid %q is %s, token says %q", ErrWrongAlg, kid, k.alg, alg)
	}
	return k.verify, nil
}

// Algorithms returns the algorithms of the set's keys, for
// jwt.WithValidMethods.
func (ks *KeySet) Algorithms() []string { return append([]string(nil), ks.algs...) }

// Parse verifies tok's signature with the set (kid lookup, alg pinned per
// key) and decodes its claims into claims, applying opts (validation of
// time and audience claims). It is the building block of Authority.Verify.
// A token longer than MaxTokenSize is refused undecoded, with an error
// wrapping jwt.ErrTokenMalformed.
func (ks *KeySet) Parse(tok string, claims jwt.Claims, opts ...jwt.ParserOption) (*jwt.Token, error) {
	if len(tok) > MaxTokenSize {
		return nil, fmt.Errorf("%w: %d bytes, more than MaxTokenSize (%d)", jwt.ErrTokenMalformed, len(tok), MaxTokenSize)
	}
	opts = append([]jwt.ParserOption{jwt.WithValidMethods(ks.algs), jwt.WithStrictDecoding()}, opts...)
	return jwt.ParseWithClaims(tok, claims, ks.Keyfunc, opts...)
}
