package token

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
)

// JWK is one public key in JSON Web Key form (RFC 7517 section 4; members of
// RFC 7518 section 6.2 and 6.3 and RFC 8037 section 2).
type JWK struct {
	Kty string `json:"kty"`           // "OKP", "RSA" or "EC"
	Use string `json:"use,omitempty"` // "sig"
	Alg string `json:"alg,omitempty"`
	Kid string `json:"kid,omitempty"`
	Crv string `json:"crv,omitempty"` // "Ed25519" (OKP), "P-256" (EC)
	X   string `json:"x,omitempty"`   // OKP public key; EC x coordinate
	Y   string `json:"y,omitempty"`   // EC y coordinate
	N   string `json:"n,omitempty"`   // RSA modulus
	E   string `json:"e,omitempty"`   // RSA public exponent
}

// JWKSet is a JWK Set (RFC 7517 section 5).
type JWKSet struct {
	Keys []JWK `json:"keys"`
}

var b64 = base64.RawURLEncoding

// PublicJWKs returns the set's public keys as a JWK Set, in key order. HMAC
// keys are secret and never listed.
func (ks *KeySet) PublicJWKs() JWKSet {
	set := JWKSet{Keys: []JWK{}}
	for _, k := range ks.keys {
		j := JWK{Use: "sig", Alg: k.alg, Kid: k.id}
		switch p := k.verify.(type) {
		case ed25519.PublicKey:
			j.Kty, j.Crv, j.X = "OKP", "Ed25519", b64.EncodeToString(p)
		case *rsa.PublicKey:
			j.Kty = "RSA"
			j.N = b64.EncodeToString(p.N.Bytes())
			j.E = b64.EncodeToString(big.NewInt(int64(p.E)).Bytes())
		case *ecdsa.PublicKey:
			pt, err := p.Bytes() // 0x04 || X || Y, 32 bytes each on P-256
			if err != nil || len(pt) != 65 {
				continue
			}
			j.Kty, j.Crv = "EC", "P-256"
			j.X, j.Y = b64.EncodeToString(pt[1:33]), b64.EncodeToString(pt[33:])
		default: // HMAC
			continue
		}
		set.Keys = append(set.Keys, j)
	}
	return set
}

// JWKS returns a handler serving PublicJWKs as application/jwk-set+json
// (RFC 7517 section 8.5.1), cacheable for five minutes.
func (ks *KeySet) JWKS() http.Handler {
	body, _ := json.Marshal(ks.PublicJWKs())
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		w.Header().Set("Content-Type", "application/jwk-set+json")
		w.Header().Set("Cache-Control", "public, max-age=300")
		w.Write(body)
	})
}
