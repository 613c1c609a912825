package client

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
)

// Auth sets a request's credentials. The client calls Authorize on every
// attempt of a request that has no Authorization header of its own, on a copy
// of the request it owns. Implementations must be safe for concurrent use.
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
// credentials already renewed since renews nothing.
type refresher interface {
	authorize(ctx context.Context, r *http.Request) (gen uint64, err error)
	refresh(ctx context.Context, stale string, gen uint64) error
}

// BasicAuth is HTTP Basic authentication (RFC 7617). Its String, GoString
// and LogValue redact the password, on a value too (a field of a config
// struct prints redacted).
type BasicAuth struct {
	Username, Password string
}

// Basic returns HTTP Basic authentication for user and password.
func Basic(user, password string) *BasicAuth { return &BasicAuth{Username: user, Password: password} }

// Authorize sets the Authorization header.
func (a *BasicAuth) Authorize(_ context.Context, r *http.Request) error {
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

// TokenAuth returns bearer authentication with tokens from ts. When a request
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
func TokenAuth(ts TokenSource) Auth { return &tokenAuth{ts: ts} }

type tokenAuth struct {
	ts TokenSource

	// mu protects the fields below.
	mu      sync.Mutex
	token   string
	have    bool
	gen     uint64     // tokens stored so far: token's generation
	pending *tokenCall // the Token or Refresh call in flight, if any

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
	tok, gen, err := a.get(ctx, "", 0, false)
	if err != nil {
		return 0, err
	}
	r.Header.Set("Authorization", "Bearer "+tok)
	return gen, nil
}

func (a *tokenAuth) refresh(ctx context.Context, stale string, gen uint64) error {
	const prefix = "Bearer "
	if len(stale) >= len(prefix) {
		stale = stale[len(prefix):]
	}
	_, _, err := a.get(ctx, stale, gen, true)
	return err
}

// get returns the current token and its generation (refresh false), or
// (refresh true) a token to replace stale of generation gen: the current
// one if it is another token or was stored after gen (a refresh has
// answered since) and no Refresh of it is in flight, else the answer of
// the Refresh in flight or of a new one. Concurrent callers share one
// call to the source.
func (a *tokenAuth) get(ctx context.Context, stale string, gen uint64, refresh bool) (string, uint64, error) {
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
					return "", 0, err
				}
				if c.err == nil {
					return c.token, c.gen, nil
				}
				if !c.canceled {
					return "", 0, c.err
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
			return tok, g, nil
		}
		if c := a.pending; c != nil {
			a.mu.Unlock()
			if err := a.await(ctx, c, refresh); err != nil {
				return "", 0, err
			}
			if c.err != nil && !c.canceled {
				return "", 0, c.err
			}
			if c.err == nil && (!refresh || c.refresh && c.stale == stale) {
				// The answer to this very question, even when the
				// source handed back the stale token: asking again
				// would call the source once per waiter.
				return c.token, c.gen, nil
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
		return c.token, c.gen, c.err
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
