package token_test

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/golang-jwt/jwt/v5"
	"github.com/httpstate/httpstate/token"
)

// keyFromJWK rebuilds a public key from its JWK, independently of the code
// under test.
func keyFromJWK(t testing.TB, j token.JWK) any {
	t.Helper()
	d := func(s string) []byte {
		b, err := base64.RawURLEncoding.DecodeString(s)
		if err != nil {
			t.Fatalf("kid %s: %v", j.Kid, err)
		}
		return b
	}
	switch j.Kty {
	case "OKP":
		if j.Crv != "Ed25519" {
			t.Fatalf("OKP crv %q", j.Crv)
		}
		return ed25519.PublicKey(d(j.X))
	case "RSA":
		return &rsa.PublicKey{N: new(big.Int).SetBytes(d(j.N)), E: int(new(big.Int).SetBytes(d(j.E)).Int64())}
	case "EC":
		if j.Crv != "P-256" {
			t.Fatalf("EC crv %q", j.Crv)
		}
		pt := append(append([]byte{4}, d(j.X)...), d(j.Y)...)
		k, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), pt)
		if err != nil {
			t.Fatalf("EC point: %v", err)
		}
		return k
	}
	t.Fatalf("unexpected kty %q", j.Kty)
	return nil
}

func TestJWKS(t *testing.T) {
	keys := []token.SigningKey{
		signingKey(t, "ed", token.EdDSA), signingKey(t, "rs", token.RS256),
		signingKey(t, "es", token.ES256), signingKey(t, "hs", token.HS256),
	}
	srv := httptest.NewServer(mustKeySet(t, keys...).JWKS())
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "application/jwk-set+json" {
		t.Errorf("Content-Type %q, want application/jwk-set+json", ct)
	}
	var raw map[string][]map[string]any
	var set token.JWKSet
	body := json.NewDecoder(resp.Body)
	if err := body.Decode(&raw); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(raw)
	json.Unmarshal(b, &set)
	if len(set.Keys) != 3 {
		t.Fatalf("JWKS has %d keys, want 3 (no HMAC key): %s", len(set.Keys), b)
	}
	for _, k := range raw["keys"] {
		if _, has := k["d"]; has {
			t.Errorf("JWK %v carries private material", k["kid"])
		}
	}
	wantKty := map[string]string{"ed": "OKP", "rs": "RSA", "es": "EC"}
	for i, j := range set.Keys {
		if j.Kty != wantKty[j.Kid] || j.Use != "sig" || j.Alg != keys[i].Alg {
			t.Errorf("JWK %+v: want kty %s, use sig, alg %s", j, wantKty[j.Kid], keys[i].Alg)
		}
		// A token signed by the key verifies with the key rebuilt from its JWK.
		ks := mustKeySet(t, keys[i])
		tok, err := ks.Sign(jwt.MapClaims{"sub": "alice"})
		if err != nil {
			t.Fatal(err)
		}
		pub := keyFromJWK(t, j)
		if _, err := jwt.Parse(tok, func(*jwt.Token) (any, error) { return pub, nil }, jwt.WithValidMethods([]string{j.Alg})); err != nil {
			t.Errorf("kid %s: token does not verify with the published key: %v", j.Kid, err)
		}
	}
	post, _ := http.Post(srv.URL, "text/plain", nil)
	post.Body.Close()
	if post.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST JWKS: status %d, want 405", post.StatusCode)
	}
}
