package token

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// ErrInvalid reports a JWT that fails verification: malformed, tampered
// with, badly signed, expired, not yet valid, for another issuer or
// audience, or of the wrong use. Errors from Verify and Refresh wrap it
// together with the cause (jwt.ErrTokenExpired, ErrUnknownKID, ...).
var ErrInvalid = errors.New("token: invalid")

// Options configures an Authority. A nil *Options is invalid (Keys is
// required).
type Options struct {
	// Keys signs and verifies tokens. Required.
	Keys *KeySet
	// Issuer is the iss claim written and required. Required.
	Issuer string
	// Audience is the aud claim written and required. Required.
	Audience string
	// AccessTTL is the lifetime of access tokens; 0 means 15 minutes.
	AccessTTL time.Duration
	// RefreshTTL is the lifetime of refresh tokens; 0 means 30 days.
	RefreshTTL time.Duration
	// Leeway is the clock skew tolerated on exp, nbf and iat; 0 means 30
	// seconds, negative means none.
	Leeway time.Duration
	// Refresh keeps refresh tokens and revocations; nil means a new
	// MemoryRefreshStore on the clock Now.
	Refresh RefreshStore
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Authority issues, verifies, rotates and revokes access and refresh tokens.
// It is safe for concurrent use.
type Authority struct {
	keys       *KeySet
	issuer     string
	audience   string
	accessTTL  time.Duration
	refreshTTL time.Duration
	leeway     time.Duration
	store      RefreshStore
	now        func() time.Time
	// revokeTimeout bounds the family revocation Refresh makes when it
	// detects reuse (see Refresh); tests shorten it.
	revokeTimeout time.Duration
}

// reuseRevokeTimeout is how long Refresh lets the store take to put a
// reused family on the deny list: the write outlives the request's
// context (a thief hanging up must not skip it), so it needs a bound of
// its own.
const reuseRevokeTimeout = 10 * time.Second

// New returns an Authority configured by o.
func New(o *Options) (*Authority, error) {
	if o == nil || o.Keys == nil {
		return nil, errors.New("token: Options.Keys is required")
	}
	if o.Issuer == "" || o.Audience == "" {
		return nil, errors.New("token: Options.Issuer and Options.Audience are required")
	}
	a := &Authority{
		keys: o.Keys, issuer: o.Issuer, audience: o.Audience,
		accessTTL: o.AccessTTL, refreshTTL: o.RefreshTTL, leeway: o.Leeway,
		store: o.Refresh, now: o.Now, revokeTimeout: reuseRevokeTimeout,
	}
	if a.accessTTL <= 0 {
		a.accessTTL = 15 * time.Minute
	}
	if a.refreshTTL <= 0 {
		a.refreshTTL = 30 * 24 * time.Hour
	}
	switch {
	case a.leeway == 0:
		a.leeway = 30 * time.Second
	case a.leeway < 0:
		a.leeway = 0
	}
	if a.now == nil {
		a.now = time.Now
	}
	if a.store == nil {
		a.store = NewMemoryRefreshStoreWithClock(a.now)
	}
	return a, nil
}

// Pair is what a sign-in or a refresh returns.
type Pair struct {
	Access        string
	AccessExpiry  time.Time
	Refresh       string
	RefreshExpiry time.Time
}

// newJTI returns a random 128-bit token ID.
func newJTI() string {
	b := make([]byte, 16)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// claims builds the claims of a new token issued at now (whole seconds, as
// NumericDate carries).
func (a *Authority) claims(use, subject, family string, ttl time.Duration, now time.Time, extra map[string]any) *Claims {
	now = now.Truncate(time.Second)
	return &Claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    a.issuer,
			Subject:   subject,
			Audience:  jwt.ClaimStrings{a.audience},
			ExpiresAt: jwt.NewNumericDate(now.Add(ttl)),
			NotBefore: jwt.NewNumericDate(now),
			IssuedAt:  jwt.NewNumericDate(now),
			ID:        newJTI(),
		},
		Use:    use,
		Family: family,
		Extra:  extra,
	}
}

// IssueAccess returns an access token for subject carrying extra (may be
// nil) and its expiry. Access tokens are not recorded: they are revoked by
// ID or subject through the RefreshStore's deny list.
func (a *Authority) IssueAccess(subject string, extra map[string]any) (string, time.Time, error) {
	if subject == "" {
		return "", time.Time{}, errors.New("token: empty subject")
	}
	c := a.claims(UseAccess, subject, "", a.accessTTL, a.now(), extra)
	s, err := a.keys.Sign(c)
	return s, c.ExpiresAt.Time, err
}

// Issue starts a new refresh family for subject (a sign-in) and returns an
// access token and its first refresh token.
func (a *Authority) Issue(ctx context.Context, subject string, extra map[string]any) (*Pair, error) {
	return a.issuePair(ctx, subject, "", extra)
}

func (a *Authority) issuePair(ctx context.Context, subject, family string, extra map[string]any) (*Pair, error) {
	pair, rec, err := a.mintPair(subject, family, a.now(), extra)
	if err != nil {
		return nil, err
	}
	if err := a.store.Add(ctx, rec); err != nil {
		return nil, fmt.Errorf("token: recording the refresh token: %w", err)
	}
	return pair, nil
}

// mintPair signs a new pair issued at now, continuing family (a new family
// if empty), and returns it with the record of its refresh token, which it
// does not store.
func (a *Authority) mintPair(subject, family string, now time.Time, extra map[string]any) (*Pair, RefreshRecord, error) {
	if subject == "" {
		return nil, RefreshRecord{}, errors.New("token: empty subject")
	}
	rc := a.claims(UseRefresh, subject, family, a.refreshTTL, now, extra)
	if rc.Family == "" {
		rc.Family = rc.ID
	}
	ac := a.claims(UseAccess, subject, rc.Family, a.accessTTL, now, extra)
	access, err := a.keys.Sign(ac)
	if err != nil {
		return nil, RefreshRecord{}, err
	}
	refresh, err := a.keys.Sign(rc)
	if err != nil {
		return nil, RefreshRecord{}, err
	}
	rec := RefreshRecord{ID: rc.ID, Family: rc.Family, Subject: subject,
		IssuedAt: rc.IssuedAt.Time, Expiry: rc.ExpiresAt.Time}
	return &Pair{Access: access, AccessExpiry: ac.ExpiresAt.Time, Refresh: refresh, RefreshExpiry: rc.ExpiresAt.Time}, rec, nil
}

// parse verifies tok's signature and registered claims and its use.
func (a *Authority) parse(tok, use string) (*Claims, error) {
	c := &Claims{}
	_, err := a.keys.Parse(tok, c,
		jwt.WithIssuer(a.issuer),
		jwt.WithAudience(a.audience),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(a.leeway),
		jwt.WithTimeFunc(a.now),
	)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	if c.Use != use {
		return nil, fmt.Errorf("%w: a %q token where %q is required", ErrInvalid, c.Use, use)
	}
	if c.ID == "" || c.Subject == "" || c.IssuedAt == nil {
		return nil, fmt.Errorf("%w: jti, sub and iat are required", ErrInvalid)
	}
	return c, nil
}

// Verify checks an access token: signature (kid and alg pinned), exp, nbf,
// iat, iss, aud (with the leeway), use, and revocation by ID, by subject and
// by refresh family: an access token issued with a refresh token (by Issue
// or Refresh) dies with its family, so a refresh token replay (ErrReused)
// also ends the access tokens the family already holds, as RFC 9700 section
// 4.14.2 intends, and so does Revoke of one of its refresh tokens (RFC 7009
// section 2.1) when the store implements FamilyRevocationStore.
// Errors wrap ErrInvalid or ErrRevoked; a failing store is returned as is.
//
// Cost: Verify consults the RefreshStore on every call. With a
// FamilyRevocationStore (MemoryRefreshStore is one) that is a single
// RevokedInFamily call, as it was a single Revoked call before families
// were checked; with a plain RefreshStore an access token of a family costs
// two Revoked calls (its ID, then its family ID), which matters for a store
// across the network.
func (a *Authority) Verify(ctx context.Context, tok string) (*Claims, error) {
	c, err := a.parse(tok, UseAccess)
	if err != nil {
		return nil, err
	}
	revoked, err := a.revoked(ctx, c)
	if err != nil {
		return nil, fmt.Errorf("token: checking revocation: %w", err)
	}
	if revoked {
		return nil, fmt.Errorf("%w: access token %s", ErrRevoked, c.ID)
	}
	return c, nil
}

// revoked reports whether the access token c is revoked by ID, by subject
// or by its refresh family.
func (a *Authority) revoked(ctx context.Context, c *Claims) (bool, error) {
	iat := c.IssuedAt.Time
	if fs, ok := a.store.(FamilyRevocationStore); ok {
		return fs.RevokedInFamily(ctx, c.ID, c.Subject, c.Family, iat)
	}
	revoked, err := a.store.Revoked(ctx, c.ID, c.Subject, iat)
	if err != nil || revoked || c.Family == "" {
		return revoked, err
	}
	// Refresh puts the ID of a family caught reusing on the deny list.
	return a.store.Revoked(ctx, c.Family, c.Subject, iat)
}

// Refresh exchanges a refresh token for a new pair, rotating it: the
// presented token is consumed and the new one continues its family. A token
// presented a second time revokes the family (ErrReused), so a thief and the
// victim both lose it at the next rotation, and the access tokens issued in
// the family stop verifying at once (see Verify). The new access token
// carries extra (may be nil).
//
// On reuse, Refresh also puts the family ID on the store's deny list
// (RefreshStore.Revoke, for the longer of the two TTLs plus the leeway), so
// that Verify can reject the family's access tokens with any RefreshStore;
// that write is made even if ctx has ended (a thief hanging up must not
// undo it). Should it fail, the error wraps both ErrReused and the store's
// error.
//
// Refresh is not idempotent, and there is no grace period: a legitimate
// client that presents the same refresh token twice (a retry after a lost
// response, two tabs or two goroutines refreshing at once) looks exactly
// like a thief replaying a stolen copy, and is signed out at once, the
// pair the first call returned included; so is the victim when a thief
// replays a token the victim already rotated. Clients must send one
// refresh at a time per family and share its result (client.TokenAuth
// does, within one process), and treat ErrReused as "sign in again".
//
// With a plain RefreshStore, Refresh consumes the presented token (Use)
// before it records the new one (Add): should Add fail, the presented token
// is spent and no new one exists, so the client's retry is taken for reuse
// and signs it out. A store that implements RotatingRefreshStore (as
// MemoryRefreshStore does) makes both one atomic step instead: a Refresh
// that fails for a store error leaves the presented token unused, and the
// client may retry it.
func (a *Authority) Refresh(ctx context.Context, refresh string, extra map[string]any) (*Pair, error) {
	c, err := a.parse(refresh, UseRefresh)
	if err != nil {
		return nil, err
	}
	rs, atomic := a.store.(RotatingRefreshStore)
	if !atomic {
		rec, err := a.store.Use(ctx, c.ID, a.now())
		if err := a.used(ctx, c, rec, err); err != nil {
			return nil, err
		}
		return a.issuePair(ctx, c.Subject, c.Family, extra)
	}
	now := a.now()
	pair, next, err := a.mintPair(c.Subject, c.Family, now, extra)
	if err != nil {
		return nil, err
	}
	rec, err := rs.Rotate(ctx, c.ID, now, next)
	if err := a.used(ctx, c, rec, err); err != nil {
		return nil, err
	}
	return pair, nil
}

// used handles the outcome of consuming the refresh token c (rec and err of
// RefreshStore.Use or RotatingRefreshStore.Rotate): on reuse it puts the
// family on the deny list (see Refresh), and it checks that the record is
// c's.
func (a *Authority) used(ctx context.Context, c *Claims, rec RefreshRecord, err error) error {
	if errors.Is(err, ErrReused) && c.Family != "" {
		until := a.now().Add(max(a.accessTTL, a.refreshTTL) + a.leeway)
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), a.revokeTimeout)
		rerr := a.store.Revoke(rctx, c.Family, until)
		cancel()
		if rerr != nil {
			return fmt.Errorf("token: refresh: %w (and revoking the family's access tokens: %w)", err, rerr)
		}
	}
	if err != nil {
		return fmt.Errorf("token: refresh: %w", err)
	}
	if rec.Family != c.Family || rec.Subject != c.Subject {
		return fmt.Errorf("%w: refresh token does not match its record", ErrInvalid)
	}
	return nil
}

// Revoke revokes one token (access or refresh) by its jti; exp bounds how
// long the store remembers it (the token's expiry, to which the leeway is
// added, since Verify accepts a token that long past its exp; zero means the
// longer of the two TTLs from now). Revoking a refresh token revokes its
// family, and with a FamilyRevocationStore the family's access tokens too;
// so that they stay revoked as long as Verify could accept one (an access
// token issued now lives AccessTTL plus the leeway, which may outlast the
// refresh token), the store is given at least AccessTTL plus the leeway
// from now.
func (a *Authority) Revoke(ctx context.Context, jti string, exp time.Time) error {
	now := a.now()
	if exp.IsZero() {
		exp = now.Add(max(a.accessTTL, a.refreshTTL))
	}
	exp = later(exp, now.Add(a.accessTTL))
	return a.store.Revoke(ctx, jti, exp.Add(a.leeway))
}

// RevokeSubject revokes every token of subject issued up to now, access and
// refresh ("log out everywhere"). The cut-off has the one-second resolution
// of the iat claim: tokens issued in the same second are revoked too.
func (a *Authority) RevokeSubject(ctx context.Context, subject string) error {
	return a.store.RevokeSubject(ctx, subject, a.now())
}

// Keys returns the Authority's KeySet (for its JWKS handler).
func (a *Authority) Keys() *KeySet { return a.keys }
