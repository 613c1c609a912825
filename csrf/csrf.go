package csrf

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"
)

// FieldName is the form field that carries the token.
const FieldName = "csrf_token"

// HeaderName is the request header that carries the token (for JavaScript
// clients and APIs).
const HeaderName = "X-CSRF-Token"

// Options configures a Protector. A nil *Options means all defaults.
type Options struct {
	// Secret supplies the per-client secret the tokens are checked against.
	// nil means SessionSecret(): the secret lives in the server session, and
	// the Protector's Handler must run inside session.Manager.Handler.
	Secret SecretSource
	// ErrorHandler answers rejected requests; err wraps ErrCrossOrigin,
	// ErrNoToken, ErrBadToken, ErrNoSecret or a SecretSource failure. The
	// protected handler never runs for a rejected request. nil means 403
	// Forbidden with a short plain-text body.
	ErrorHandler func(w http.ResponseWriter, r *http.Request, err error)
	// TrustedOrigins are origins ("scheme://host[:port]") whose cross-origin
	// requests the first layer accepts (http.CrossOriginProtection's
	// AddTrustedOrigin). Such requests still need a valid token.
	TrustedOrigins []string
	// Now is the clock; nil means time.Now. It is passed to sources that
	// track time (DoubleSubmitCookie's cookie age) through the request, in
	// Handler and TokenHandler. A SecretSource called directly, outside
	// both, reads time.Now instead: a cookie it is given that was issued
	// on another clock is judged by the wall clock (tests on a fake clock
	// must not mix the two).
	Now func() time.Time
}

// Protector is CSRF middleware. It is safe for concurrent use; its
// configuration is frozen by New.
type Protector struct {
	cop     *http.CrossOriginProtection
	secret  SecretSource
	onError func(w http.ResponseWriter, r *http.Request, err error)
	now     func() time.Time
}

// New returns a Protector configured by o (nil means defaults). It fails if a
// trusted origin is malformed.
func New(o *Options) (*Protector, error) {
	if o == nil {
		o = &Options{}
	}
	p := &Protector{
		cop:     http.NewCrossOriginProtection(),
		secret:  o.Secret,
		onError: o.ErrorHandler,
		now:     o.Now,
	}
	if p.secret == nil {
		p.secret = SessionSecret()
	}
	if p.onError == nil {
		p.onError = defaultErrorHandler
	}
	if p.now == nil {
		p.now = time.Now
	}
	for _, origin := range o.TrustedOrigins {
		if err := p.cop.AddTrustedOrigin(origin); err != nil {
			return nil, fmt.Errorf("csrf: trusted origin %q: %w", origin, err)
		}
	}
	return p, nil
}

// isSafe reports whether method is exempt from checks: the safe methods of
// RFC 9110 section 9.2.1, which must not change state.
func isSafe(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return true
	}
	return false
}

// Handler returns middleware that rejects forged unsafe requests and lets
// Token, TemplateField and TokenHandler issue tokens for the responses of
// next. Safe methods (GET, HEAD, OPTIONS, TRACE) pass unchecked.
//
// An unsafe request without the X-CSRF-Token header has its body parsed
// for the form field (r.PostFormValue) before next runs: up to 10 MB of a
// urlencoded form, and a multipart form of any size (32 MB in memory, the
// rest in temporary files). Bound request bodies outside the Protector
// (http.MaxBytesHandler) where that matters; a limit set inside next comes
// too late. Temporary files of a multipart form parsed on the request next
// receives are removed when Handler returns.
func (p *Protector) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st := &reqState{p: p, w: w}
		in := r
		r = r.WithContext(context.WithValue(r.Context(), stateKey{}, st))
		// The server removes the temporary files of its own request's
		// MultipartForm only; one parsed on this copy (here, or by next)
		// would stay on disk for good.
		defer func() {
			if r.MultipartForm != nil && in.MultipartForm == nil {
				r.MultipartForm.RemoveAll()
			}
		}()
		if !isSafe(r.Method) {
			if err := p.check(w, r); err != nil {
				p.onError(w, r, err)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// check applies both layers to an unsafe request.
func (p *Protector) check(w http.ResponseWriter, r *http.Request) error {
	if err := p.cop.Check(r); err != nil {
		return fmt.Errorf("%w: %v", ErrCrossOrigin, err)
	}
	tok := r.Header.Get(HeaderName)
	if tok == "" {
		tok = r.PostFormValue(FieldName)
	}
	if tok == "" {
		return ErrNoToken
	}
	secret, err := p.secret.Secret(w, r, false)
	if err != nil {
		return err
	}
	return verify(tok, secret)
}

type stateKey struct{}

// reqState is what Handler stores in the request context.
type reqState struct {
	p *Protector
	w http.ResponseWriter

	// mu protects secret and varied.
	mu     sync.Mutex
	secret []byte
	varied bool
}

// token returns a fresh masked token, creating the client's secret if needed.
func (st *reqState) token(r *http.Request) (string, error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.secret == nil {
		s, err := st.p.secret.Secret(st.w, r, true)
		if err != nil {
			return "", err
		}
		st.secret = s
	}
	if !st.varied {
		// The body now depends on the client's cookies.
		st.w.Header().Add("Vary", "Cookie")
		st.varied = true
	}
	return mask(st.secret), nil
}

func stateOf(r *http.Request) *reqState {
	st, _ := r.Context().Value(stateKey{}).(*reqState)
	return st
}

// errNoMiddleware reports Token used outside Protector.Handler.
var errNoMiddleware = errors.New("csrf: request did not pass through Protector.Handler")

// Token returns a freshly masked token for the client of r, to be embedded in
// this response (each call returns different bytes for the same secret). It
// creates the client's secret on first use, so call it before the response
// header is written. It returns "" when r did not pass through
// Protector.Handler or the secret cannot be obtained (the form's submission
// will then be rejected).
func Token(r *http.Request) string {
	st := stateOf(r)
	if st == nil {
		return ""
	}
	tok, err := st.token(r)
	if err != nil {
		return ""
	}
	return tok
}

// Rotate replaces the secret of r's client, so that every token issued
// before stops working; call it at sign-in and privilege changes (the
// session ID is renewed then too) and before writing the response. Tokens
// that Token returns afterwards in this request carry the new secret. It
// fails when r did not pass through Protector.Handler or the SecretSource
// is not a Rotator.
func Rotate(r *http.Request) error {
	st := stateOf(r)
	if st == nil {
		return errNoMiddleware
	}
	rot, ok := st.p.secret.(Rotator)
	if !ok {
		return fmt.Errorf("csrf: the SecretSource %T cannot rotate", st.p.secret)
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	s, err := rot.Rotate(st.w, r)
	if err != nil {
		return err
	}
	st.secret = s
	return nil
}

// now returns the Protector's clock reading; sources use it via nowOf.
func nowOf(r *http.Request) time.Time {
	if st := stateOf(r); st != nil {
		return st.p.now()
	}
	return time.Now()
}
