package csrf

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/httpstate/httpstate/cookie"
)

// CookieOptions configures DoubleSubmitCookie.
type CookieOptions struct {
	// Keys are the HMAC-SHA256 keys that sign the cookie, newest first: the
	// first signs, any verifies, so a key is rotated by prepending a new one
	// and dropping the oldest once MaxAge has passed. Each key must be at
	// least 32 bytes of random data. Required.
	Keys [][]byte
	// Name is the cookie name. "" means "__Host-csrf" over HTTPS (the
	// __Host- prefix, RFC 6265bis section 4.1.3.2, stops subdomains from
	// overwriting it) and "csrf" over plain HTTP (r.TLS == nil). A name
	// with the __Host- or __Secure- prefix, in any case (browsers match
	// prefixes case-insensitively, section 5.4), always gets the Secure
	// attribute. A name that is not a token (RFC 6265bis section 4.1.1) is
	// an error of DoubleSubmitCookie.
	Name string
	// Secure treats every request as HTTPS, whatever r.TLS says: the cookie
	// gets the Secure attribute and the default name "__Host-csrf". Set it
	// behind a proxy that terminates TLS, where r.TLS is nil. No header
	// (X-Forwarded-Proto, Forwarded) is trusted for this. Browsers ignore a
	// Secure cookie sent over plain HTTP, so the site must be HTTPS only.
	// With the default Name, turning it on renames the plain-HTTP cookie
	// "csrf" to "__Host-csrf": the old cookie is no longer read (a form
	// rendered before the switch fails once; clients get a new secret with
	// the next token) and browsers drop it after its MaxAge.
	Secure bool
	// MaxAge bounds the cookie's life; an older cookie is replaced when a
	// token is next issued, and rejected on unsafe requests. 0 means 24h.
	MaxAge time.Duration
	// Bind, if set, returns a value the cookie is bound to (e.g. the
	// authenticated user's ID): a cookie signed for one binding is rejected
	// under another, so a cookie issued to an attacker cannot be planted in
	// a victim's browser. nil means no binding.
	Bind func(r *http.Request) string
	// SameSite is the cookie's SameSite attribute: http.SameSiteLaxMode,
	// SameSiteStrictMode or SameSiteNoneMode. Anything else (0,
	// http.SameSiteDefaultMode, an unknown value) means Lax, as for the
	// session package's cookie: a cookie without the attribute is left to
	// each browser's default, and some send it on cross-site POSTs.
	// SameSiteNoneMode needs the Secure option or a __Host-/__Secure- name
	// (DoubleSubmitCookie fails otherwise, with an error wrapping
	// cookie.ErrInsecureSameSiteNone): browsers drop a SameSite=None cookie
	// without Secure, so plain-HTTP clients would get no secret and every
	// unsafe request of theirs would fail. Over HTTPS, setting Secure
	// costs nothing; a plain-HTTP client gets no usable cookie either way.
	SameSite http.SameSite
}

// DoubleSubmitCookie returns a SecretSource for apps without server sessions:
// the secret travels in an HttpOnly cookie whose value is the secret, its
// issue time and an HMAC-SHA256 over both (and the binding), and requests
// must repeat the secret in a masked token. See the package doc for why the
// cookie is signed. A response that sets the cookie is marked
// Cache-Control: no-store, replacing any caching the handler chose.
func DoubleSubmitCookie(o *CookieOptions) (SecretSource, error) {
	if o == nil || len(o.Keys) == 0 {
		return nil, errors.New("csrf: DoubleSubmitCookie needs at least one key")
	}
	if o.Name != "" {
		// http.SetCookie would drop a cookie with a bad name silently
		// (and the response would still be marked no-store): every token
		// would then fail for want of its cookie.
		if _, err := cookie.FormatSetCookie(&cookie.Cookie{Name: o.Name, Value: "v", Path: "/", Secure: true}); err != nil {
			return nil, fmt.Errorf("csrf: DoubleSubmitCookie: cookie name: %w", err)
		}
	}
	d := &doubleSubmit{name: o.Name, maxAge: o.MaxAge, bind: o.Bind, sameSite: o.SameSite,
		secure: o.Secure || cookie.NeedsSecure(o.Name)}
	if d.sameSite == http.SameSiteNoneMode && !d.secure {
		// The cookie would be Secure over TLS only; a plain-HTTP response
		// (r.TLS nil) would set one that browsers drop, silently.
		return nil, fmt.Errorf("csrf: DoubleSubmitCookie: SameSite=None without the Secure option (or a __Host-/__Secure- name): %w", cookie.ErrInsecureSameSiteNone)
	}
	for i, k := range o.Keys {
		if len(k) < 32 {
			return nil, fmt.Errorf("csrf: DoubleSubmitCookie key %d is %d bytes, want at least 32", i, len(k))
		}
		d.keys = append(d.keys, append([]byte(nil), k...))
	}
	if d.maxAge <= 0 {
		d.maxAge = 24 * time.Hour
	}
	switch d.sameSite {
	case http.SameSiteLaxMode, http.SameSiteStrictMode, http.SameSiteNoneMode:
	default: // 0, SameSiteDefaultMode (no attribute) or unknown: Lax, as session
		d.sameSite = http.SameSiteLaxMode
	}
	return d, nil
}

type doubleSubmit struct {
	keys     [][]byte
	name     string
	maxAge   time.Duration
	bind     func(r *http.Request) string
	sameSite http.SameSite
	// secure makes every request's cookie Secure: the Secure option or a
	// prefixed name.
	secure bool
}

// isSecure reports whether r's cookie is sent as over HTTPS.
func (d *doubleSubmit) isSecure(r *http.Request) bool { return d.secure || r.TLS != nil }

func (d *doubleSubmit) cookieName(r *http.Request) string {
	if d.name != "" {
		return d.name
	}
	if d.isSecure(r) {
		return "__Host-csrf"
	}
	return "csrf"
}

// payloadLen is the secret plus an 8-byte big-endian Unix issue time.
const payloadLen = SecretLen + 8

var b64 = base64.RawURLEncoding

// sign returns the MAC of payload under key, bound to binding.
func sign(key []byte, binding string, payload []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("httpstate-csrf-v1\x00"))
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(binding)))
	m.Write(n[:])
	m.Write([]byte(binding))
	m.Write(payload)
	return m.Sum(nil)
}

// encodeCookie returns the cookie value for secret issued at now.
func (d *doubleSubmit) encodeCookie(secret []byte, binding string, now time.Time) string {
	payload := make([]byte, payloadLen)
	copy(payload, secret)
	binary.BigEndian.PutUint64(payload[SecretLen:], uint64(now.Unix()))
	return b64.EncodeToString(payload) + "." + b64.EncodeToString(sign(d.keys[0], binding, payload))
}

// decodeCookie checks a cookie value and returns its secret.
func (d *doubleSubmit) decodeCookie(v, binding string, now time.Time) ([]byte, error) {
	p, m, ok := strings.Cut(v, ".")
	if !ok {
		return nil, errors.New("no signature")
	}
	payload, err := b64.Strict().DecodeString(p)
	if err != nil || len(payload) != payloadLen {
		return nil, errors.New("malformed payload")
	}
	mac, err := b64.Strict().DecodeString(m)
	if err != nil || len(mac) != sha256.Size {
		return nil, errors.New("malformed signature")
	}
	valid := false
	for _, k := range d.keys {
		if hmac.Equal(mac, sign(k, binding, payload)) {
			valid = true
		}
	}
	if !valid {
		return nil, errors.New("bad signature")
	}
	issued := time.Unix(int64(binary.BigEndian.Uint64(payload[SecretLen:])), 0)
	if !now.Before(issued.Add(d.maxAge)) || issued.After(now.Add(time.Minute)) {
		return nil, errors.New("expired")
	}
	return payload[:SecretLen], nil
}

// maxSameName bounds the cookies of the name that Secret checks, each check
// costing an HMAC per key: a request header (up to http.Server's
// MaxHeaderBytes, 1 MB by default) holds thousands of well-formed cookies of
// one name. The last ones are checked: the client's own cookie (Path=/) is
// sent after every cookie of the name on a longer path, and only Path=/
// cookies created after it follow it (RFC 6265bis section 5.8.3: longer
// paths first, then earlier creation). Of those, a sibling subdomain can
// plant two for each domain the host is in: "csrf=x" and a nameless cookie
// whose value is "csrf=x", which the browser sends as the same text
// (section 5.8.3 writes a nameless cookie's value alone). Eight covers a
// host with up to three such domains (app.eu.corp.example.com); deeper
// hosts, and Partitioned copies (a separate cookie each), need the __Host-
// prefix, which no other host can set (the default over HTTPS).
const maxSameName = 8

// Secret implements SecretSource: the secret of the first valid, unexpired
// cookie of the name signed for r's binding (other cookies of the same name
// are skipped; of more than eight, only the last eight are checked), or a new
// one set as a cookie on w when create is set.
func (d *doubleSubmit) Secret(w http.ResponseWriter, r *http.Request, create bool) ([]byte, error) {
	now := nowOf(r)
	binding := ""
	if d.bind != nil {
		binding = d.bind(r)
	}
	name := d.cookieName(r)
	var why error = errors.New("no cookie")
	// Every cookie of the name, not only the first: one written by someone
	// else for the site (a sibling subdomain, a plain-HTTP response) on a
	// longer path comes first and must not hide the client's own.
	cs := r.CookiesNamed(name)
	if len(cs) > maxSameName {
		cs = cs[len(cs)-maxSameName:]
	}
	for _, c := range cs {
		secret, err := d.decodeCookie(c.Value, binding, now)
		if err == nil {
			return secret, nil
		}
		why = err
	}
	if !create {
		return nil, fmt.Errorf("%w: cookie %s: %v", ErrNoSecret, name, why)
	}
	return d.issue(w, r, binding, now)
}

// Rotate implements Rotator: it sets a cookie with a new secret.
func (d *doubleSubmit) Rotate(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	binding := ""
	if d.bind != nil {
		binding = d.bind(r)
	}
	return d.issue(w, r, binding, nowOf(r))
}

// issue makes a new secret and sets its cookie on w, marking the response
// Cache-Control: no-store: a shared cache must not hand the cookie (and the
// token in the page) to other clients.
func (d *doubleSubmit) issue(w http.ResponseWriter, r *http.Request, binding string, now time.Time) ([]byte, error) {
	name := d.cookieName(r)
	secret := newSecret()
	w.Header().Set("Cache-Control", "no-store")
	http.SetCookie(w, &http.Cookie{
		Name:     name,
		Value:    d.encodeCookie(secret, binding, now),
		Path:     "/",
		MaxAge:   int(d.maxAge / time.Second),
		Secure:   d.isSecure(r),
		HttpOnly: true,
		SameSite: d.sameSite,
	})
	return secret, nil
}
