package token_test

import (
	"errors"
	"testing"

	"github.com/httpstate/httpstate/token"
)

// TestCritHeaderRejected: RFC 7515 section 4.1.11: a JWS whose "crit"
// header lists extensions the recipient does not understand is invalid,
// and a KeySet understands none (nor may crit list registered parameters
// or be empty). Tokens with crit used to verify like any other, so an
// extension a co-issuer relies on ("b64":false of RFC 7797, an expiry of
// its own) was silently ignored.
func TestCritHeaderRejected(t *testing.T) {
	k := signingKey(t, "h1", token.HS256)
	a, _ := newAuthority(t, mustKeySet(t, k))
	if _, err := a.Verify(t.Context(), forge(`{"alg":"HS256","typ":"JWT","kid":"h1"}`, validClaimsJSON(tNow), k.Secret)); err != nil {
		t.Fatalf("control token without crit: %v", err)
	}
	for _, hdr := range []string{
		`{"alg":"HS256","kid":"h1","crit":["x-ext"],"x-ext":1}`,
		`{"alg":"HS256","kid":"h1","b64":false,"crit":["b64"]}`,
		`{"alg":"HS256","kid":"h1","crit":["exp"]}`,
		`{"alg":"HS256","kid":"h1","crit":[]}`,
		`{"alg":"HS256","kid":"h1","crit":null}`,
	} {
		tok := forge(hdr, validClaimsJSON(tNow), k.Secret)
		if _, err := a.Verify(t.Context(), tok); !errors.Is(err, token.ErrInvalid) {
			t.Errorf("header %s: Verify err = %v, want ErrInvalid", hdr, err)
		}
	}
}
