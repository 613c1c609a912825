package token

import (
	"context"
	"errors"
	"net/http"
	"strings"
)

type claimsKey struct{}

// ClaimsFromContext returns the access-token claims Middleware validated, or
// nil.
func ClaimsFromContext(ctx context.Context) *Claims {
	c, _ := ctx.Value(claimsKey{}).(*Claims)
	return c
}

// Middleware requires a valid access token in "Authorization: Bearer"
// (RFC 6750 section 2.1) and passes its claims to next in the request
// context (ClaimsFromContext). Otherwise it answers 401 with a
// WWW-Authenticate challenge (RFC 6750 section 3): `Bearer
// error="invalid_token"` for a token that fails Verify, and a bare `Bearer`
// when the request carries no bearer credentials at all, as section 3.1
// asks. A token Verify cannot judge because the RefreshStore fails (an
// error wrapping neither ErrInvalid nor ErrRevoked) is not called invalid:
// the answer is 503 Service Unavailable, so that clients keep their token
// and retry rather than discard it. next never runs for a rejected request.
func (a *Authority) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, ok := bearer(r.Header.Get("Authorization"))
		if !ok {
			unauthorized(w, `Bearer`)
			return
		}
		c, err := a.Verify(r.Context(), tok)
		if err != nil {
			if !errors.Is(err, ErrInvalid) && !errors.Is(err, ErrRevoked) {
				w.Header().Set("Cache-Control", "no-store")
				http.Error(w, "service unavailable", http.StatusServiceUnavailable)
				return
			}
			unauthorized(w, `Bearer error="invalid_token"`)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), claimsKey{}, c)))
	})
}

// bearer extracts the token of an Authorization header value; the scheme is
// case-insensitive (RFC 9110 section 11.1).
func bearer(h string) (string, bool) {
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	tok = strings.TrimSpace(tok)
	return tok, tok != ""
}

func unauthorized(w http.ResponseWriter, challenge string) {
	w.Header().Set("WWW-Authenticate", challenge)
	w.Header().Set("Cache-Control", "no-store")
	http.Error(w, "unauthorized", http.StatusUnauthorized)
}
