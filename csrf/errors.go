package csrf

import (
	"errors"
	"net/http"
)

// Errors describing why a request was rejected; [Options.ErrorHandler]
// receives them, possibly wrapped.
var (
	// ErrCrossOrigin reports a cross-origin browser request rejected by
	// http.CrossOriginProtection (Sec-Fetch-Site or Origin).
	ErrCrossOrigin = errors.New("csrf: cross-origin request")
	// ErrNoToken reports an unsafe request without a token.
	ErrNoToken = errors.New("csrf: token missing")
	// ErrBadToken reports a token that is malformed or does not match the
	// request's secret.
	ErrBadToken = errors.New("csrf: token invalid")
	// ErrNoSecret reports an unsafe request for which the SecretSource has no
	// secret (no session attribute, no or invalid cookie): no token issued to
	// this client can be valid.
	ErrNoSecret = errors.New("csrf: no secret for this client")
)

func defaultErrorHandler(w http.ResponseWriter, r *http.Request, err error) {
	http.Error(w, "Forbidden - CSRF check failed", http.StatusForbidden)
}
