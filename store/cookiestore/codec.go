package cookiestore

import (
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/httpstate/httpstate/session"
	"github.com/httpstate/httpstate/token"
)

// DefaultMaxLen is the default Options.MaxLen: 4096 bytes for the cookie's
// name and value (RFC 6265bis section 5.6) minus the default HTTPS session
// cookie name "__Host-sid".
const DefaultMaxLen = 4096 - len("__Host-sid")

// ErrExpired reports a cookie whose session has expired.
var ErrExpired = errors.New("cookiestore: session expired")

// ErrInvalid reports a cookie value that does not decrypt or decode.
var ErrInvalid = errors.New("cookiestore: invalid cookie")

// Options configures a Codec.
type Options struct {
	// Keyring seals the sessions (AES-256-GCM). Required.
	Keyring *token.Keyring
	// MaxLen is the longest encoded value Encode produces; a longer one is
	// an error wrapping session.ErrTooLarge. 0 means DefaultMaxLen; negative
	// means no limit of the Codec's own beyond the most a Manager can carry
	// (session.MaxCookieChunks cookies of 4096 bytes), which Decode reads no
	// more than. With session.Options.CookieChunks = n, use about n*4080.
	MaxLen int
	// Context is bound to every value as associated data, so a value sealed
	// under one Context cannot be used under another with the same keys.
	// The Codec does not see the cookie name: give every Manager (cookie)
	// that shares a Keyring its own Context, or a session cookie of one is
	// accepted as a session of the other. "" means "httpstate/cookiestore".
	Context string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Codec encrypts whole sessions into cookie values. It implements
// session.Codec, is immutable and is safe for concurrent use.
type Codec struct {
	keys   *token.Keyring
	maxLen int
	ad     []byte
	now    func() time.Time
}

var _ session.Codec = (*Codec)(nil)

// New returns a Codec configured by o; o.Keyring is required.
func New(o *Options) (*Codec, error) {
	if o == nil || o.Keyring == nil {
		return nil, errors.New("cookiestore: Options.Keyring is required")
	}
	c := &Codec{keys: o.Keyring, maxLen: o.MaxLen, ad: []byte(o.Context), now: o.Now}
	if c.maxLen == 0 {
		c.maxLen = DefaultMaxLen
	}
	if len(c.ad) == 0 {
		c.ad = []byte("httpstate/cookiestore")
	}
	if c.now == nil {
		c.now = time.Now
	}
	return c, nil
}

var b64 = base64.RawURLEncoding

// Encode seals r into a cookie value. It fails with an error wrapping
// session.ErrTooLarge if the value would exceed Options.MaxLen, with
// ErrExpired if r has already expired, and on a nil record or an empty key
// (which Decode would refuse).
func (c *Codec) Encode(r *session.Record) (string, error) {
	return c.encode(r, c.now())
}

func (c *Codec) encode(r *session.Record, now time.Time) (string, error) {
	if r == nil || r.Key == "" {
		return "", errors.New("cookiestore: nil record or empty key")
	}
	// Times travel with millisecond precision: judge expiry on the value
	// Decode will see, so that what Encode accepts decodes at the same now.
	exp := time.UnixMilli(r.Expiry().UnixMilli())
	if !now.Before(exp) {
		return "", fmt.Errorf("cookiestore: encoding a session that expired at %v: %w", exp, ErrExpired)
	}
	plain := marshal(r, now, exp)
	n := b64.EncodedLen(len(plain) + token.Overhead)
	if limit := c.limit(); n > limit {
		return "", fmt.Errorf("cookiestore: session encodes to %d bytes, limit %d: %w", n, limit, session.ErrTooLarge)
	}
	return b64.EncodeToString(c.keys.Encrypt(plain, c.ad)), nil
}

// decodeLimit bounds the input Decode looks at: the largest value a Manager
// can reassemble from its cookies.
const decodeLimit = session.MaxCookieChunks * 4096

// limit returns the longest value Encode makes and Decode reads: MaxLen,
// and never more than decodeLimit, so that every value Encode makes
// decodes.
func (c *Codec) limit() int {
	if c.maxLen > 0 {
		return min(c.maxLen, decodeLimit)
	}
	return decodeLimit
}

// Decode opens a value made by Encode with any key of the Keyring. Errors
// wrap ErrInvalid (tampered, truncated, foreign, unknown key) or ErrExpired.
func (c *Codec) Decode(s string) (*session.Record, error) {
	return c.decode(s, c.now())
}

func (c *Codec) decode(s string, now time.Time) (*session.Record, error) {
	if limit := c.limit(); len(s) > limit {
		return nil, fmt.Errorf("%w: %d bytes exceeds %d", ErrInvalid, len(s), limit)
	}
	sealed, err := b64.Strict().DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	plain, err := c.keys.Decrypt(sealed, c.ad)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	r, iat, exp, err := unmarshal(plain)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if !now.Before(exp) {
		return nil, fmt.Errorf("cookiestore: session expired at %v: %w", exp, ErrExpired)
	}
	if iat.After(now.Add(maxSkew)) {
		return nil, fmt.Errorf("%w: issued in the future (%v)", ErrInvalid, iat)
	}
	return r, nil
}

// maxSkew is how far in the future an issue time may lie (clock skew
// between instances).
const maxSkew = 5 * time.Minute
