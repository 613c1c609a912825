package token_test

import (
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"strconv"
	"testing"

	"github.com/httpstate/httpstate/token"
)

// smallOrderEd25519 are encodings of Ed25519 points of small order (the
// identity and the torsion points of order 2, 4 and 8), with the x sign
// bit clear and set, and y = p (a non-canonical 0).
var smallOrderEd25519 = []string{
	"0000000000000000000000000000000000000000000000000000000000000000", // order 4: a zeroed key
	"0000000000000000000000000000000000000000000000000000000000000080",
	"0100000000000000000000000000000000000000000000000000000000000000", // the identity
	"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // order 2 (y = -1)
	"edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // y = p, that is 0
	"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a", // order 8
	"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
	"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
	"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
}

// TestNewKeySetSmallOrderEd25519: with a public key of small order, the
// signature R = identity, S = 0 verifies for about one message in eight,
// so anyone forges tokens for its kid by varying a claim. A zeroed
// 32-byte key is one. NewKeySet accepted them as verify-only keys.
func TestNewKeySetSmallOrderEd25519(t *testing.T) {
	hs := signingKey(t, "h", token.HS256)
	forged := make([]byte, ed25519.SignatureSize)
	forged[0] = 1 // R = the identity, S = 0
	for _, h := range smallOrderEd25519 {
		b, err := hex.DecodeString(h)
		if err != nil {
			t.Fatal(err)
		}
		pub := ed25519.PublicKey(b)
		n := 0
		for i := range 256 {
			if ed25519.Verify(pub, []byte("claims "+strconv.Itoa(i)), forged) {
				n++
			}
		}
		if n == 0 && h[:2] != "ed" { // y = p is not even decoded
			t.Errorf("%s: no forged signature verified; is it of small order?", h)
		}
		if _, err := token.NewKeySet(hs, token.SigningKey{ID: "e", Alg: token.EdDSA, Public: pub}); !errors.Is(err, token.ErrBadKey) {
			t.Errorf("NewKeySet(hs, Ed25519 public key %s): err = %v, want ErrBadKey", h, err)
		}
	}
	// Real keys, and their public halves, are accepted.
	for range 50 {
		k := signingKey(t, "e", token.EdDSA)
		if _, err := token.NewKeySet(k, token.SigningKey{ID: "p", Alg: token.EdDSA, Public: k.Private.Public()}); err != nil {
			t.Fatalf("NewKeySet(Ed25519 key, its public half): %v", err)
		}
	}
}
