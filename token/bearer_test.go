package token_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/httpstate/httpstate/token"
)

func TestMiddleware(t *testing.T) {
	a, _ := newAuthority(t, mustKeySet(t, signingKey(t, "k", token.EdDSA)))
	var got *token.Claims
	ran := 0
	h := a.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ran++
		got = token.ClaimsFromContext(r.Context())
		io.WriteString(w, got.Subject)
	}))
	access, _, err := a.IssueAccess("alice", nil)
	if err != nil {
		t.Fatal(err)
	}
	pair, _ := a.Issue(t.Context(), "bob", nil)
	cases := []struct {
		name       string
		auth       string
		status     int
		challenge  string
		wantCalled bool
	}{
		{"valid", "Bearer " + access, 200, "", true},
		{"scheme case-insensitive", "bearer " + access, 200, "", true},
		{"missing", "", 401, `Bearer`, false},
		{"basic", "Basic YWxpY2U6cHc=", 401, `Bearer`, false},
		{"empty bearer", "Bearer ", 401, `Bearer`, false},
		{"garbage", "Bearer abc.def.ghi", 401, `Bearer error="invalid_token"`, false},
		{"truncated", "Bearer " + access[:len(access)-3], 401, `Bearer error="invalid_token"`, false},
		{"refresh token", "Bearer " + pair.Refresh, 401, `Bearer error="invalid_token"`, false},
	}
	for _, tt := range cases {
		ran, got = 0, nil
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		if tt.auth != "" {
			req.Header.Set("Authorization", tt.auth)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != tt.status {
			t.Errorf("%s: status %d, want %d", tt.name, rec.Code, tt.status)
		}
		if c := rec.Header().Get("WWW-Authenticate"); c != tt.challenge {
			t.Errorf("%s: WWW-Authenticate %q, want %q", tt.name, c, tt.challenge)
		}
		if (ran == 1) != tt.wantCalled {
			t.Errorf("%s: handler ran %d times, want called=%v", tt.name, ran, tt.wantCalled)
		}
		if tt.wantCalled && (got == nil || got.Subject != "alice") {
			t.Errorf("%s: claims in context = %+v, want subject alice", tt.name, got)
		}
	}
	if c := token.ClaimsFromContext(t.Context()); c != nil {
		t.Errorf("ClaimsFromContext(empty) = %+v, want nil", c)
	}
}
