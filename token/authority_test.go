package token_test

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/httpstate/httpstate/token"
)

// otherAuthority returns an Authority sharing ks with a different issuer or
// audience, to mint tokens meant for someone else.
func otherAuthority(t testing.TB, ks *token.KeySet, iss, aud string) *token.Authority {
	t.Helper()
	a, err := token.New(&token.Options{Keys: ks, Issuer: iss, Audience: aud,
		Now: func() time.Time { return tNow }})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestVerifyRejects(t *testing.T) {
	for _, alg := range allAlgs {
		t.Run(alg, func(t *testing.T) {
			ks := mustKeySet(t, signingKey(t, "k", alg))
			a, clock := newAuthority(t, ks)
			good, _, err := a.IssueAccess("alice", nil)
			if err != nil {
				t.Fatal(err)
			}
			parts := strings.Split(good, ".")
			wrongIss, _, _ := otherAuthority(t, ks, "https://evil.example", "api").IssueAccess("alice", nil)
			wrongAud, _, _ := otherAuthority(t, ks, "https://auth.example", "other-api").IssueAccess("alice", nil)
			pair, err := a.Issue(t.Context(), "alice", nil)
			if err != nil {
				t.Fatal(err)
			}
			// A token with the payload of another (valid) token swapped in.
			swapped := parts[0] + "." + strings.Split(wrongIss, ".")[1] + "." + parts[2]
			// A payload changed by one character ("alice" -> "alicf").
			payload := decodeSegment(t, good, 1)
			tampered := parts[0] + "." + b64(strings.Replace(payload, "alice", "alicf", 1)) + "." + parts[2]
			sig := []byte(parts[2])
			sig[len(sig)/2] ^= 1
			badSig := parts[0] + "." + parts[1] + "." + string(sig)

			cases := []struct {
				name string
				tok  string
			}{
				{"empty", ""},
				{"garbage", "not.a.jwt"},
				{"two parts", parts[0] + "." + parts[1]},
				{"truncated", good[:len(good)-5]},
				{"truncated signature", parts[0] + "." + parts[1] + "."},
				{"tampered payload", tampered},
				{"swapped payload", swapped},
				{"bad signature", badSig},
				{"wrong issuer", wrongIss},
				{"wrong audience", wrongAud},
				{"refresh token as access", pair.Refresh},
			}
			for _, c := range cases {
				if _, err := a.Verify(t.Context(), c.tok); !errors.Is(err, token.ErrInvalid) {
					t.Errorf("%s: Verify err = %v, want ErrInvalid", c.name, err)
				}
			}
			if _, err := a.Verify(t.Context(), good); err != nil {
				t.Fatalf("good token: %v", err)
			}
			// Expiry, with the 5s leeway.
			clock.Advance(10*time.Minute + 4*time.Second)
			if _, err := a.Verify(t.Context(), good); err != nil {
				t.Errorf("within leeway after exp: %v", err)
			}
			clock.Advance(2 * time.Second)
			if _, err := a.Verify(t.Context(), good); !errors.Is(err, jwt.ErrTokenExpired) {
				t.Errorf("expired: err = %v, want jwt.ErrTokenExpired", err)
			}
		})
	}
}

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func TestNotYetValid(t *testing.T) {
	ks := mustKeySet(t, signingKey(t, "k", token.EdDSA))
	a, _ := newAuthority(t, ks)
	clock2 := func() time.Time { return tNow.Add(time.Hour) }
	issuer, err := token.New(&token.Options{Keys: ks, Issuer: "https://auth.example", Audience: "api", Now: clock2})
	if err != nil {
		t.Fatal(err)
	}
	tok, _, _ := issuer.IssueAccess("alice", nil)
	if _, err := a.Verify(t.Context(), tok); !errors.Is(err, jwt.ErrTokenNotValidYet) && !errors.Is(err, jwt.ErrTokenUsedBeforeIssued) {
		t.Errorf("token from the future: err = %v, want not valid yet", err)
	}
	// nbf in the future with iat now, built by hand.
	c := &token.Claims{Use: token.UseAccess, RegisteredClaims: jwt.RegisteredClaims{
		Issuer: "https://auth.example", Audience: jwt.ClaimStrings{"api"}, Subject: "alice", ID: "j1",
		IssuedAt: jwt.NewNumericDate(tNow), NotBefore: jwt.NewNumericDate(tNow.Add(time.Minute)),
		ExpiresAt: jwt.NewNumericDate(tNow.Add(time.Hour)),
	}}
	nbf, err := ks.Sign(c)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Verify(t.Context(), nbf); !errors.Is(err, jwt.ErrTokenNotValidYet) {
		t.Errorf("nbf in a minute: err = %v, want jwt.ErrTokenNotValidYet", err)
	}
	// No exp at all.
	c.NotBefore, c.ExpiresAt = nil, nil
	noExp, _ := ks.Sign(c)
	if _, err := a.Verify(t.Context(), noExp); !errors.Is(err, token.ErrInvalid) {
		t.Errorf("no exp: err = %v, want ErrInvalid", err)
	}
}

func TestRefreshRotation(t *testing.T) {
	a, clock := newAuthority(t, mustKeySet(t, signingKey(t, "k", token.HS256)))
	ctx := t.Context()
	p1, err := a.Issue(ctx, "alice", nil)
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Minute)
	p2, err := a.Refresh(ctx, p1.Refresh, nil)
	if err != nil {
		t.Fatalf("first refresh: %v", err)
	}
	if p2.Refresh == p1.Refresh {
		t.Errorf("refresh token not rotated")
	}
	if _, err := a.Verify(ctx, p2.Access); err != nil {
		t.Errorf("new access token: %v", err)
	}
	clock.Advance(time.Minute)
	p3, err := a.Refresh(ctx, p2.Refresh, nil)
	if err != nil {
		t.Fatalf("second refresh: %v", err)
	}
	// An access token is not a refresh token.
	if _, err := a.Refresh(ctx, p3.Access, nil); !errors.Is(err, token.ErrInvalid) {
		t.Errorf("access token as refresh: err = %v, want ErrInvalid", err)
	}
	// Reuse of p1's token (stolen copy): the family dies, p3 included.
	if _, err := a.Refresh(ctx, p1.Refresh, nil); !errors.Is(err, token.ErrReused) {
		t.Fatalf("reused refresh: err = %v, want ErrReused", err)
	}
	if _, err := a.Refresh(ctx, p3.Refresh, nil); !errors.Is(err, token.ErrRevoked) {
		t.Errorf("latest token after reuse: err = %v, want ErrRevoked", err)
	}
	// Another family of the same subject is untouched.
	other, err := a.Issue(ctx, "alice", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Refresh(ctx, other.Refresh, nil); err != nil {
		t.Errorf("other family: %v", err)
	}
	// An expired refresh token is rejected.
	clock.Advance(25 * time.Hour)
	if _, err := a.Refresh(ctx, other.Refresh, nil); !errors.Is(err, token.ErrInvalid) {
		t.Errorf("expired refresh: err = %v, want ErrInvalid", err)
	}
}

func TestRevoke(t *testing.T) {
	a, clock := newAuthority(t, mustKeySet(t, signingKey(t, "k", token.ES256)))
	ctx := t.Context()
	p, _ := a.Issue(ctx, "alice", nil)
	q, _ := a.Issue(ctx, "alice", nil)
	bob, _ := a.Issue(ctx, "bob", nil)
	c, err := a.Verify(ctx, p.Access)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Revoke(ctx, c.ID, c.ExpiresAt.Time); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Verify(ctx, p.Access); !errors.Is(err, token.ErrRevoked) {
		t.Errorf("revoked access token: err = %v, want ErrRevoked", err)
	}
	if _, err := a.Verify(ctx, q.Access); err != nil {
		t.Errorf("other access token after revoking one: %v", err)
	}
	// Log out everywhere.
	if err := a.RevokeSubject(ctx, "alice"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Verify(ctx, q.Access); !errors.Is(err, token.ErrRevoked) {
		t.Errorf("access after RevokeSubject: err = %v, want ErrRevoked", err)
	}
	if _, err := a.Refresh(ctx, q.Refresh, nil); !errors.Is(err, token.ErrRevoked) {
		t.Errorf("refresh after RevokeSubject: err = %v, want ErrRevoked", err)
	}
	if _, err := a.Verify(ctx, bob.Access); err != nil {
		t.Errorf("bob after alice logged out everywhere: %v", err)
	}
	// A new sign-in after the cut-off works.
	clock.Advance(2 * time.Second)
	fresh, _ := a.Issue(ctx, "alice", nil)
	if _, err := a.Verify(ctx, fresh.Access); err != nil {
		t.Errorf("sign-in after RevokeSubject: %v", err)
	}
	// Revoking a refresh token by jti kills its family.
	rc := &token.Claims{}
	if _, err := a.Keys().Parse(fresh.Refresh, rc, jwt.WithoutClaimsValidation()); err != nil {
		t.Fatal(err)
	}
	next, err := a.Refresh(ctx, fresh.Refresh, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Revoke(ctx, rc.ID, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Refresh(ctx, next.Refresh, nil); !errors.Is(err, token.ErrRevoked) {
		t.Errorf("successor of a revoked refresh token: err = %v, want ErrRevoked", err)
	}
}

func FuzzVerify(f *testing.F) {
	ks := mustKeySet(f, token.SigningKey{ID: "k", Alg: token.HS256, Secret: []byte("0123456789abcdef0123456789abcdef")})
	a, err := token.New(&token.Options{Keys: ks, Issuer: "https://auth.example", Audience: "api",
		Now: func() time.Time { return tNow }})
	if err != nil {
		f.Fatal(err)
	}
	good, _, _ := a.IssueAccess("alice", map[string]any{"n": 1})
	f.Add(good)
	f.Add(forge(`{"alg":"none"}`, validClaimsJSON(tNow), nil))
	f.Add("a.b.c")
	f.Add("")
	f.Fuzz(func(t *testing.T, tok string) {
		c, err := a.Verify(t.Context(), tok)
		if err != nil {
			if !errors.Is(err, token.ErrInvalid) {
				t.Errorf("Verify(%q) err = %v, want ErrInvalid", tok, err)
			}
			return
		}
		if c.Issuer != "https://auth.example" || c.Use != token.UseAccess || c.Subject == "" {
			t.Errorf("Verify(%q) accepted claims %+v", tok, c)
		}
	})
}

// TestRevokeOutlivesLeeway: a token revoked until its expiry must stay
// rejected while Verify's leeway still accepts its exp, even after the store
// has pruned what expired.
func TestRevokeOutlivesLeeway(t *testing.T) {
	a, clock := newAuthority(t, mustKeySet(t, signingKey(t, "k", token.HS256)))
	ctx := t.Context()
	p, err := a.Issue(ctx, "alice", nil)
	if err != nil {
		t.Fatal(err)
	}
	c, err := a.Verify(ctx, p.Access)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Revoke(ctx, c.ID, c.ExpiresAt.Time); err != nil {
		t.Fatal(err)
	}
	// Past exp but inside the 5 s leeway: the token still parses.
	clock.Advance(c.ExpiresAt.Time.Add(2 * time.Second).Sub(clock.Now()))
	// Enough sign-ins to make the MemoryRefreshStore prune (every 1024 Adds).
	for range 1100 {
		if _, err := a.Issue(ctx, "bob", nil); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := a.Verify(ctx, p.Access); !errors.Is(err, token.ErrRevoked) {
		t.Errorf("revoked access token inside the leeway after a prune: err = %v, want ErrRevoked", err)
	}
}
