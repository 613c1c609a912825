package csrf

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/httpstate/httpstate/session"
)

// SecretSource supplies the secret a client's tokens are masked from and
// checked against. Implementations must be safe for concurrent use.
type SecretSource interface {
	// Secret returns the SecretLen-byte secret of r's client. When the
	// client has none (or an invalid one) and create is true, it makes a
	// new random secret and persists it (in the session, or as a cookie on
	// w); with create false it returns an error wrapping ErrNoSecret.
	Secret(w http.ResponseWriter, r *http.Request, create bool) ([]byte, error)
}

// Rotator is a SecretSource that can replace a client's secret (see Rotate).
type Rotator interface {
	SecretSource
	// Rotate replaces the secret of r's client with a new random one and
	// returns it.
	Rotate(w http.ResponseWriter, r *http.Request) ([]byte, error)
}

// SessionAttr is the session attribute holding the session-bound secret.
const SessionAttr = "csrf.secret"

// SessionSecret returns the session-bound SecretSource: a 32-byte random
// secret stored as the session attribute SessionAttr, so a token is valid
// only in the session it was issued to. Requests must reach the Protector
// through session.Manager.Handler (session outside, csrf inside).
//
// The secret survives session.Session.Renew; call Rotate at login or
// privilege change if tokens issued before must stop working.
func SessionSecret() SecretSource { return sessionSecret{} }

type sessionSecret struct{}

var errNoSession = errors.New("csrf: no session on the request (wrap Protector.Handler in session.Manager.Handler)")

// Secret implements SecretSource with the session attribute SessionAttr.
func (sessionSecret) Secret(w http.ResponseWriter, r *http.Request, create bool) ([]byte, error) {
	s := session.FromRequest(r)
	if s == nil {
		return nil, errNoSession
	}
	var b []byte
	ok, err := s.Get(SessionAttr, &b)
	if err != nil && !create {
		return nil, fmt.Errorf("%w: reading the session: %w", ErrNoSecret, err)
	}
	if ok && err == nil && len(b) == SecretLen {
		return b, nil
	}
	if !create {
		return nil, ErrNoSecret
	}
	// Update, not Set: two first requests of one session racing here must
	// agree on one secret, or the loser's page would carry dead tokens.
	// The raw attribute, decoded in fn: a value that is no []byte at all
	// is an invalid secret to replace, not an error that would leave the
	// session without tokens for good.
	fresh := newSecret()
	freshJSON, err := json.Marshal(fresh)
	if err != nil {
		return nil, fmt.Errorf("csrf: encoding the secret: %w", err)
	}
	raw, err := session.Update(s, SessionAttr, func(old json.RawMessage, ok bool) (json.RawMessage, error) {
		var cur []byte
		if ok && json.Unmarshal(old, &cur) == nil && len(cur) == SecretLen {
			return old, nil
		}
		return freshJSON, nil
	})
	if err != nil {
		return nil, fmt.Errorf("csrf: storing the secret in the session: %w", err)
	}
	if err := json.Unmarshal(raw, &b); err != nil || len(b) != SecretLen {
		return nil, fmt.Errorf("csrf: the session's secret is invalid after the update")
	}
	return b, nil
}

// Rotate implements Rotator: it replaces the session's secret.
func (sessionSecret) Rotate(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	s := session.FromRequest(r)
	if s == nil {
		return nil, errNoSession
	}
	b := newSecret()
	if err := s.Set(SessionAttr, b); err != nil {
		return nil, fmt.Errorf("csrf: storing the secret in the session: %w", err)
	}
	return b, nil
}
