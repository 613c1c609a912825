package token_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/httpstate/httpstate/token"
)

// downStore is a RefreshStore whose revocation lookups fail (an outage).
type downStore struct{ *token.MemoryRefreshStore }

var errDown = errors.New("store unavailable")

func (downStore) Revoked(context.Context, string, string, time.Time) (bool, error) {
	return false, errDown
}

func (downStore) RevokedInFamily(context.Context, string, string, string, time.Time) (bool, error) {
	return false, errDown
}

// TestMiddlewareStoreOutage: a valid token checked while the store is down
// is not an invalid token. Middleware answered 401 with error="invalid_token",
// telling the client (RFC 6750 section 3.1) that its token is expired,
// revoked or malformed, so clients threw away a good token and refreshed
// (rotating the refresh token for nothing) on every outage. It now answers
// 503 without the invalid_token challenge, and next still never runs.
func TestMiddlewareStoreOutage(t *testing.T) {
	ks := mustKeySet(t, signingKey(t, "k", token.EdDSA))
	a, err := token.New(&token.Options{
		Keys: ks, Issuer: "https://auth.example", Audience: "api",
		Refresh: downStore{token.NewMemoryRefreshStore()},
	})
	if err != nil {
		t.Fatal(err)
	}
	access, _, err := a.IssueAccess("alice", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Verify(t.Context(), access); !errors.Is(err, errDown) || errors.Is(err, token.ErrInvalid) || errors.Is(err, token.ErrRevoked) {
		t.Fatalf("Verify during the outage: %v, want the store's error alone", err)
	}
	ran := false
	h := a.Middleware(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { ran = true }))
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set("Authorization", "Bearer "+access)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if ran {
		t.Fatal("next ran although the token could not be checked")
	}
	if rec.Code != http.StatusServiceUnavailable {
		t.Errorf("status %d, want 503", rec.Code)
	}
	if c := rec.Header().Get("WWW-Authenticate"); strings.Contains(c, "invalid_token") {
		t.Errorf("WWW-Authenticate %q tells the client its valid token is invalid", c)
	}
	if strings.Contains(rec.Body.String(), errDown.Error()) {
		t.Errorf("body %q leaks the store's error", rec.Body.String())
	}
}
