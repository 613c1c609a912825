package client

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"reflect"
	"sync"
	"time"
)

// Auth sets a request's credentials. The client calls Authorize on every
// attempt of a request that has no Authorization header of its own (a
// default Authorization header counts as its own), on a copy of the request
// it owns. Implementations must be safe for concurrent use.
//
// [Basic], [Bearer] and [TokenAuth] return the built-in kinds; only those can
// be saved with [Client.Save].
type Auth interface {
	Authorize(ctx context.Context, r *http.Request) error
}

// refresher is an Auth that can renew its credentials after a 401. The
// client authorizes requests with authorize, which also returns the
// generation of the credentials it set; refresh is given the Authorization
// header the rejected request carried and that generation, so that a 401 for
// credentials already renewed since renews nothing. refresh reports whether
// the credentials to replay with are fresh: renewed by a call made for
// this 401 (its own or one it waited for), not merely renewed since, and
// not the rejected ones handed back.
//
// A replay with fresh credentials that gets 401 as well tells that the 401
// is not about them: the client reports it with rejected, and for
// refreshCooldown after that, futile tells it not to renew them for a 401.
type refresher interface {
	authorize(ctx context.Context, r *http.Request) (gen uint64, err error)
	refresh(ctx context.Context, stale string, gen uint64) (fresh bool, err error)
	rejected(gen uint64, now time.Time)
	futile(gen uint64, now time.Time) bool
}

// refreshCooldown is how long, after a replay with a token just refreshed
// for its request got 401 again, a 401 to that token refreshes nothing.
const refreshCooldown = 30 * time.Second

// BasicAuth is HTTP Basic authentication (RFC 7617). Its String, GoString
// and LogValue redact the password, on a value too (a field of a config
// struct prints redacted).
type BasicAuth struct {
	Username, Password string
}

// Basic returns HTTP Basic authentication for user and password.
func Basic(user, password string) *BasicAuth { return &BasicAuth{Username: user, Password: password} }

// errNilAuth is Authorize's error on a nil *BasicAuth or *BearerAuth.
var errNilAuth = errors.New("client: nil auth pointer")

// errNilTokenSource is Authorize's error for TokenAuth(nil) or of a typed
// nil.
var errNilTokenSource = errors.New("client: TokenAuth: nil TokenSource")

// Authorize sets the Authorization header.
func (a *BasicAuth) Authorize(_ context.Context, r *http.Request) error {
	if a == nil {
		return fmt.Errorf("%w (*BasicAuth)", errNilAuth)
	}
	r.SetBasicAuth(a.Username, a.Password)
	return nil
}

// String returns "Basic <user>:REDACTED".
func (a BasicAuth) String() string { return "Basic " + a.Username + ":REDACTED" }

// GoString implements fmt.GoStringer (%#v) without the password.
func (a BasicAuth) GoString() string {
	return fmt.Sprintf("client.BasicAuth{Username:%q, Password:\"REDACTED\"}", a.Username)
}

// LogValue implements slog.LogValuer without the password.
func (a BasicAuth) LogValue() slog.Value {
	return slog.GroupValue(slog.String("type", "basic"), slog.String("username", a.Username),
		slog.String("password", "REDACTED"))
}

// BearerAuth is a fixed bearer token (RFC 6750). Its String, GoString and
// LogValue redact the token, on a value too.
type BearerAuth struct {
	Token string
}

// Bearer returns bearer-token authentication with a fixed token.
func Bearer(token string) *BearerAuth { return &BearerAuth{Token: token} }

// Authorize sets the Authorization header.
func (a *BearerAuth) Authorize(_ context.Context, r *http.Request) error {
	if a == nil {
		return fmt.Errorf("%w (*BearerAuth)", errNilAuth)
	}
	r.Header.Set("Authorization", "Bearer "+a.Token)
	return nil
}

// String returns "Bearer REDACTED".
func (a BearerAuth) String() string { return "Bearer REDACTED" }

// GoString implements fmt.GoStringer (%#v) without the token.
func (a BearerAuth) GoString() string { return `client.BearerAuth{Token:"REDACTED"}` }

// LogValue implements slog.LogValuer without the token.
func (a BearerAuth) LogValue() slog.Value {
	return slog.GroupValue(slog.String("type", "bearer"), slog.String("token", "REDACTED"))
}

// TokenSource supplies bearer tokens that expire.
type TokenSource interface {
	// Token returns the current token; it is called once, for the first
	// request.
	Token(ctx context.Context) (string, error)
	// Refresh returns a new token to replace stale, which the server
	// rejected with 401.
	Refresh(ctx context.Context, stale string) (string, error)
}

// TokenAuth returns bearer authentication with tokens from ts; with a nil
// ts, or one holding a nil pointer, func or channel (a typed nil, whose
// methods would panic or block; a nil map or slice is used as any
// value), every request it authorizes fails with an error naming the nil
// TokenSource and its type, unsent. When a request
// gets 401 Unauthorized, the client refreshes the token once and replays the
// request if its body can be replayed (it has none, or GetBody is set). A 401
// from a redirect target the token was not sent to (another host) refreshes
// nothing, and a request that was redirected before its 401 is replayed only
// when its method is idempotent: the server has already processed it.
// Concurrent requests rejected with the same stale token share one call to
// ts.Refresh. A request rejected with a token older than the current one,
// that is, sent before the last call to ts.Token or ts.Refresh ended (a
// late 401), is replayed with the current token and calls the source no
// more, even when that call returned the same token string: the 401s of the
// requests sent with a token are answered by one refresh. If a Refresh of
// the current token is in flight, it waits for that Refresh's answer; should
// that Refresh end with its own caller's context, the request refreshes the
// token itself, with its own context, rather than replay with a rejected one.
//
// A 401 that a fresh token does not cure is taken to be about the request,
// not the token (a server may answer 401 for a resource whatever the
// token): when a request replayed with a token just refreshed for it (a
// new one: not the rejected token handed back by ts.Refresh) gets 401
// again, for the next 30 seconds (by Options.Now; a clock set back ends
// them) a 401 to that token refreshes nothing and is returned as is. Otherwise every such request
// would cost a call to ts.Refresh. After that, a 401 refreshes the token
// again, once; a new token, or a replay that succeeds, is unaffected.
func TokenAuth(ts TokenSource) Auth {
	a := &tokenAuth{ts: ts}
	if ts == nil {
		a.nilErr = errNilTokenSource
	} else if isNil(ts) {
		a.nilErr = fmt.Errorf("%w (%T)", errNilTokenSource, ts)
	}
	return a
}

// isNil reports whether the interface value v (itself not nil) holds a
// nil pointer, func, channel or unsafe pointer: a typed nil whose methods
// dereference it, call it or block on it. A nil map or slice is not one:
// reading it is no panic, so a method on it runs as on an empty one.
func isNil(v any) bool {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Pointer, reflect.Func, reflect.Chan, reflect.UnsafePointer:
		return rv.IsNil()
	}
	return false
}

type tokenAuth struct {
	ts TokenSource
	// nilErr, if not nil, is every request's error: ts is nil or holds a
	// nil value (see TokenAuth).
	nilErr error

	// mu protects the fields below.
	mu      sync.Mutex
	token   string
	have    bool
	gen     uint64     // tokens stored so far: token's generation
	pending *tokenCall // the Token or Refresh call in flight, if any
	// A fresh token of generation futileGen was rejected on a replay at
	// futileAt: for refreshCooldown after, a 401 to it refreshes nothing.
	futileGen uint64
	futileAt  time.Time

	// onShare, if not nil, runs (without mu) when a caller starts waiting
	// for a call another caller made: a test hook.
	onShare func(refresh bool)
}

// tokenCall is one call to the token source that concurrent callers share.
type tokenCall struct {
	refresh bool   // a Refresh call (else Token)
	stale   string // the token Refresh replaces
	done    chan struct{}
	token   string
	gen     uint64 // the generation token was stored as
	err     error
	// canceled: the call failed with its caller's context ended; callers
	// that shared it try again with their own context.
	canceled bool
}

// await waits, without a.mu, for the shared call c to end, or for ctx
// (whose error it returns). refresh tells the test hook which kind of
// request waits.
func (a *tokenAuth) await(ctx context.Context, c *tokenCall, refresh bool) error {
	if a.onShare != nil {
		a.onShare(refresh)
	}
	select {
	case <-c.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (a *tokenAuth) String() string { return "TokenAuth(REDACTED)" }

func (a *tokenAuth) GoString() string { return "client.TokenAuth(REDACTED)" }

func (a *tokenAuth) LogValue() slog.Value {
	return slog.GroupValue(slog.String("type", "token"), slog.String("token", "REDACTED"))
}

func (a *tokenAuth) Authorize(ctx context.Context, r *http.Request) error {
	_, err := a.authorize(ctx, r)
	return err
}

func (a *tokenAuth) authorize(ctx context.Context, r *http.Request) (uint64, error) {
	if a.nilErr != nil {
		return 0, a.nilErr
	}
	tok, gen, _, err := a.get(ctx, "", 0, false)
	if err != nil {
		return 0, err
	}
	r.Header.Set("Authorization", "Bearer "+tok)
	return gen, nil
}

func (a *tokenAuth) refresh(ctx context.Context, stale string, gen uint64) (bool, error) {
	const prefix = "Bearer "
	if len(stale) >= len(prefix) {
		stale = stale[len(prefix):]
	}
	tok, _, fresh, err := a.get(ctx, stale, gen, true)
	// A Refresh that handed back the rejected token renewed nothing: a
	// 401 to the replay says nothing about whether a new one would cure it.
	return fresh && tok != stale, err
}

// rejected records that a replay with the fresh token of generation gen
// got 401 too. A later rejection of the same token does not extend the
// cooldown, so the token is refreshed again once it has passed.
func (a *tokenAuth) rejected(gen uint64, now time.Time) {
	a.mu.Lock()
	if gen == a.gen && gen != a.futileGen {
		a.futileGen, a.futileAt = gen, now
	}
	a.mu.Unlock()
}

// futile reports whether a 401 to the token of generation gen should
// refresh nothing: it is the current token, and a replay with it just
// after its refresh was rejected less than refreshCooldown ago. A clock
// set back since (now before the rejection) ends the cooldown: how long
// ago it was is unknown, and a wait stretched by the step could keep an
// expired token for hours.
func (a *tokenAuth) futile(gen uint64, now time.Time) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.have && gen == a.gen && gen == a.futileGen &&
		!now.Before(a.futileAt) && now.Sub(a.futileAt) < refreshCooldown
}

// get returns the current token and its generation (refresh false), or
// (refresh true) a token to replace stale of generation gen: the current
// one if it is another token or was stored after gen (a refresh has
// answered since) and no Refresh of it is in flight, else the answer of
// the Refresh in flight or of a new one; the bool is true for these (the
// token is fresh). Concurrent callers share one call to the source.
func (a *tokenAuth) get(ctx context.Context, stale string, gen uint64, refresh bool) (string, uint64, bool, error) {
	for {
		a.mu.Lock()
		if a.have && (!refresh || a.token != stale || a.gen != gen) {
			if c := a.pending; refresh && c != nil && c.refresh {
				// A late 401, but the current token is itself being
				// refreshed (a pending Refresh always replaces the
				// current token): a replay with it would fail as well,
				// so take that Refresh's answer.
				cur, curGen := a.token, a.gen
				a.mu.Unlock()
				if err := a.await(ctx, c, refresh); err != nil {
					return "", 0, false, err
				}
				if c.err == nil {
					return c.token, c.gen, true, nil
				}
				if !c.canceled {
					return "", 0, false, c.err
				}
				// That Refresh ended with its caller's context: the
				// token it was replacing is still rejected, so refresh
				// it with this request's context (unless another
				// answer came since) rather than replay with it.
				stale, gen = cur, curGen
				continue
			}
			tok, g := a.token, a.gen
			a.mu.Unlock()
			return tok, g, false, nil
		}
		if c := a.pending; c != nil {
			a.mu.Unlock()
			if err := a.await(ctx, c, refresh); err != nil {
				return "", 0, false, err
			}
			if c.err != nil && !c.canceled {
				return "", 0, false, c.err
			}
			if c.err == nil && (!refresh || c.refresh && c.stale == stale) {
				// The answer to this very question, even when the
				// source handed back the stale token: asking again
				// would call the source once per waiter.
				return c.token, c.gen, true, nil
			}
			// Re-check: the call may have answered another stale token,
			// or ended with its caller's context (then call again).
			continue
		}
		c := &tokenCall{refresh: refresh, stale: stale, done: make(chan struct{})}
		a.pending = c
		a.mu.Unlock()

		a.call(ctx, c)
		if c.err == nil && c.token == "" {
			c.err = errors.New("empty token")
		}
		if c.err != nil {
			c.canceled = ctx.Err() != nil
			op := "token"
			if refresh {
				op = "refresh token"
			}
			c.err = fmt.Errorf("client: %s: %w", op, c.err)
		}
		a.mu.Lock()
		if c.err == nil {
			a.gen++
			a.token, a.have, c.gen = c.token, true, a.gen
		}
		a.pending = nil
		a.mu.Unlock()
		close(c.done)
		return c.token, c.gen, true, c.err
	}
}

// call asks the source for c's token. Should the source panic, the panic
// goes on up, but c first ends with an error, so that the callers sharing it
// and later requests do not wait for it for ever.
func (a *tokenAuth) call(ctx context.Context, c *tokenCall) {
	ok := false
	defer func() {
		if ok {
			return
		}
		c.token, c.err = "", errors.New("client: token source panicked")
		a.mu.Lock()
		a.pending = nil
		a.mu.Unlock()
		close(c.done)
	}()
	if c.refresh {
		c.token, c.err = a.ts.Refresh(ctx, c.stale)
	} else {
		c.token, c.err = a.ts.Token(ctx)
	}
	ok = true
}
