package session

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/httpstate/httpstate/cookie"
)

// Defaults of Options.
const (
	// DefaultIdleTimeout is Options.IdleTimeout's default.
	DefaultIdleTimeout = 30 * time.Minute
	// DefaultLifetime is Options.Lifetime's default.
	DefaultLifetime = 24 * time.Hour
	// DefaultTouchInterval is Options.TouchInterval's default.
	DefaultTouchInterval = time.Minute
	// DefaultSweepInterval is Options.SweepInterval's default.
	DefaultSweepInterval = time.Minute
	// MaxCookieChunks is the largest Options.CookieChunks accepted.
	MaxCookieChunks = 8
)

// maxCookieSize is the most octets a cookie's name plus value may hold: user
// agents ignore larger ones (RFC 6265bis section 5.6, step 4 of the
// Set-Cookie algorithm, and section 5.7 limits).
const maxCookieSize = 4096

// urlParam is the default name of the path parameter URL rewriting uses:
// ";sid=ID" (see urlParamName).
const urlParam = "sid"

// Options configures a Manager. A nil *Options is an error (a Store or Codec
// is required); every other zero field means its default. The Manager copies
// the Options: changing them after New has no effect.
type Options struct {
	// Store is where sessions live; required unless Codec is set. The
	// Manager does not close it.
	Store Store
	// Codec makes sessions cookie-held: the whole session travels in the
	// cookie, encoded by Codec. Store must be nil. Admin methods then return
	// errors wrapping errors.ErrUnsupported.
	Codec Codec
	// IdleTimeout ends a session not used for this long; default 30m.
	IdleTimeout time.Duration
	// Lifetime is the absolute lifetime of a session from its creation;
	// default 24h.
	Lifetime time.Duration
	// TouchInterval throttles last-access writes: a request within this
	// interval of the recorded last access writes nothing unless it changes
	// the session, so the idle deadline is exact within TouchInterval.
	// Default 1m, or IdleTimeout/10 when that is shorter; a value over
	// IdleTimeout/2 is capped there, so a session in use never expires between
	// two recorded accesses; the same cap applies per session to a timeout
	// set with SetIdleTimeout. Negative means every access writes.
	TouchInterval time.Duration
	// Cookie configures the cookie transport.
	Cookie CookieOptions
	// CookieChunks lets a cookie-held (Codec) session span up to this many
	// cookies, named "sid", "sid.1", "sid.2"…; 0 or 1 means one cookie. At
	// most MaxCookieChunks. Ignored with a Store.
	CookieChunks int
	// Header, when not "", names a request/response header carrying the
	// session ID (e.g. "X-Session-Id"; not Cookie or Set-Cookie) for API
	// and mobile clients. A response
	// carries it when the ID is issued or changes, empty when the session
	// ends. Not used in Codec mode.
	//
	// The header hands the ID to whatever reads the response, by design:
	// API and mobile clients keep it themselves. Unlike the HttpOnly
	// cookie, it is readable by scripts: fetch and XMLHttpRequest expose a
	// same-origin response's headers (a cross-origin one's only if CORS
	// lists the header in Access-Control-Expose-Headers), so a script
	// injected into the site (XSS) can read the ID and use the session from
	// elsewhere. The Manager sends it to every client, browsers included,
	// whenever it issues an ID: leave Header off for browser applications
	// that rely on HttpOnly, or serve the API from a separate Manager.
	Header string
	// URLRewriting turns on the ";sid=ID" path parameter for clients without
	// cookies: Session.EncodeURL adds it and the middleware strips it from
	// the path before routing. With a CookieOptions.Name (even with the
	// cookie transport disabled) the parameter is named after it, without a
	// "__Host-" or "__Secure-" prefix (";app=ID" for "__Host-app"), so that
	// two Managers of one application, which need different cookie names
	// (different without the prefix, too), never strip, read or replace
	// each other's parameter; the name must then be one a path can carry
	// as it is (none of '#', '%', '^', '`', '|'), or New fails. Off by
	// default: URLs leak into logs and Referer headers. Not used in Codec
	// mode.
	URLRewriting bool
	// MaxPerPrincipal caps the live sessions of one principal; 0 means
	// unlimited. When SetPrincipal takes a principal over the cap, its oldest
	// other sessions are invalidated. Concurrent logins of one principal
	// through one Manager are capped one at a time; Managers in several
	// processes sharing a store do not coordinate: two simultaneous logins
	// through different processes may evict each other's new session.
	// The check runs after the login's session is stored: if the store
	// fails during it, the failure is logged (the login stands) and the
	// principal stays over the cap until its next SetPrincipal.
	// Not allowed with a Codec: cookie-held sessions cannot be revoked.
	MaxPerPrincipal int
	// ErrorHandler writes the response when the session layer fails (a store
	// error, ErrTooLarge, ErrClosed, a cookie the configuration cannot send
	// over this connection). Default: 500 for ErrTooLarge and configuration
	// errors, 503 otherwise, with a generic text and Cache-Control: no-store
	// (the handler's ETag and Last-Modified dropped); the
	// error itself is logged, never sent.
	ErrorHandler func(w http.ResponseWriter, r *http.Request, err error)
	// Listeners receive Events synchronously, in order.
	Listeners []Listener
	// Logger receives lifecycle logs, which carry a short prefix of the
	// store key, never an ID. nil discards them.
	Logger *slog.Logger
	// SweepInterval is how often the Manager's sweeper asks the store for
	// expired sessions (emitting EventExpired for each); default 1m;
	// negative turns the sweeper off (call Manager.Sweep yourself).
	SweepInterval time.Duration
	// Now is the clock; nil means the wall clock: time.Now without its
	// monotonic reading (time.Time.Round(0)), so that expiry is judged by
	// wall time in every store, as stores that serialise times must. A
	// monotonic reading stops while the machine is suspended, and a session
	// would outlive its idle timeout by the length of the suspend. Give the
	// store the same clock.
	Now func() time.Time
}

// CookieOptions configures the session cookie.
type CookieOptions struct {
	// Name is the cookie name. Default "__Host-sid" for a secure request
	// (r.TLS != nil, or Secure set) and "sid" otherwise: the __Host- prefix
	// (RFC 6265bis section 4.1.3.2) pins the cookie to this host, path "/"
	// and Secure. A name starting with "__Host-" or "__Secure-" (section
	// 4.1.3; in any case, as user agents match the prefixes
	// case-insensitively, section 5.4) makes every request secure, as Secure
	// does: the cookie always carries the Secure attribute, without which
	// user agents ignore it. Behind a proxy that terminates TLS, r.TLS is
	// nil: set Secure, or such a Name. A Name also names URL rewriting's
	// path parameter, without its prefix (see Options.URLRewriting).
	Name string
	// Secure treats every request as HTTPS, whatever r.TLS says: the session
	// cookie always carries the Secure attribute and defaults to the name
	// "__Host-sid", and Session.EncodeURL never puts the ID in an http://
	// URL. Set it when a proxy or load balancer in front of the server
	// terminates TLS (r.TLS is then nil) and the site is reached over HTTPS
	// only: user agents ignore a Secure cookie sent over plain http://
	// (localhost aside), so redirect HTTP to HTTPS at the proxy. The Manager
	// reads no request header to decide this (X-Forwarded-Proto, Forwarded):
	// a client can send any header, and the proxy may not strip it. Default
	// false: Secure over TLS only (or for a prefixed Name).
	//
	// Turning Secure on with the default Name renames the cookie of
	// plain-HTTP requests from "sid" to "__Host-sid": their sessions are
	// not carried over (users sign in once more; a cookie without Secure is
	// never adopted, since anyone on the network path can plant one), and
	// a response to a request that uses its session and still carries this
	// Manager's old "sid" cookie (a well-formed ID, or in Codec mode a value
	// the Codec reads, with its chunks) expires it, so browsers stop sending
	// it. Switch every instance at once: during a rolling deployment, an
	// instance without the option loses its session to every response of
	// one with it. With an explicit Name, turning Secure on keeps the name
	// and the sessions.
	Secure bool
	// Persistent sends Max-Age (the time left until the session's expiry),
	// refreshed whenever the last access is recorded. Default: a session
	// cookie, forgotten when the browser closes.
	Persistent bool
	// SameSite is the SameSite attribute; default Lax
	// (http.SameSiteDefaultMode also means Lax).
	SameSite http.SameSite
	// Disabled turns the cookie transport off (header and/or URL rewriting
	// only). Not allowed with a Codec.
	Disabled bool
}

// config is Options normalised.
type config struct {
	Options
	log *slog.Logger
	// alwaysSecure: every request is secure (isSecure), by Cookie.Secure or
	// by a "__Host-" or "__Secure-" Cookie.Name.
	alwaysSecure bool
	// expireLegacy: the default name with Cookie.Secure, so a request's
	// "sid" cookie, this Manager's name before the option was turned on, is
	// expired (expireLegacyCookie).
	expireLegacy bool
	// testHookReadCookies, if set (by tests, before the Manager serves),
	// is called on each pass over a request's Cookie header (readCookies).
	testHookReadCookies func()
	// cookieTmpl is the session cookie's Set-Cookie template for an insecure
	// ([0]) and a secure ([1]) request (isSecure).
	cookieTmpl [2]cookieTemplate
	// paramMarker starts the URL-rewriting path parameter: ";" +
	// urlParamName(Cookie.Name) + "=".
	paramMarker string
}

func (o *Options) normalize() (*config, error) {
	if o == nil {
		return nil, errors.New("session: Options required (a Store or a Codec)")
	}
	c := &config{Options: *o}
	c.Listeners = append([]Listener(nil), o.Listeners...)
	switch {
	case c.Store == nil && c.Codec == nil:
		return nil, errors.New("session: Options.Store or Options.Codec required")
	case c.Store != nil && c.Codec != nil:
		return nil, errors.New("session: Options.Store and Options.Codec are exclusive")
	case c.Codec != nil && c.Cookie.Disabled:
		return nil, errors.New("session: Options.Codec needs the cookie transport")
	case c.Codec != nil && c.MaxPerPrincipal != 0:
		// Cookie-held sessions cannot be listed or revoked: the cap would
		// be accepted and never applied.
		return nil, errors.New("session: Options.MaxPerPrincipal needs a Store (cookie-held sessions cannot be revoked)")
	case c.Cookie.Disabled && c.Header == "" && !c.URLRewriting:
		return nil, errors.New("session: no transport: cookie disabled, no Header, no URLRewriting")
	}
	if c.IdleTimeout < 0 || c.Lifetime < 0 {
		return nil, fmt.Errorf("session: negative IdleTimeout %v or Lifetime %v", c.IdleTimeout, c.Lifetime)
	}
	if c.IdleTimeout == 0 {
		c.IdleTimeout = DefaultIdleTimeout
	}
	if c.Lifetime == 0 {
		c.Lifetime = DefaultLifetime
	}
	// A touch interval near the idle timeout would let a session in steady
	// use expire between two recorded accesses: the default shrinks to a
	// tenth of a short IdleTimeout, and any value is capped at half of it.
	if c.TouchInterval == 0 {
		c.TouchInterval = min(DefaultTouchInterval, c.IdleTimeout/10)
	} else if c.TouchInterval < 0 {
		c.TouchInterval = 0
	}
	c.TouchInterval = min(c.TouchInterval, c.IdleTimeout/2)
	if c.SweepInterval == 0 {
		c.SweepInterval = DefaultSweepInterval
	}
	if c.CookieChunks < 0 || c.CookieChunks > MaxCookieChunks {
		return nil, fmt.Errorf("session: CookieChunks %d out of range 0..%d", c.CookieChunks, MaxCookieChunks)
	}
	if c.CookieChunks == 0 {
		c.CookieChunks = 1
	}
	if c.MaxPerPrincipal < 0 {
		return nil, fmt.Errorf("session: negative MaxPerPrincipal %d", c.MaxPerPrincipal)
	}
	if c.Cookie.Name != "" && !validCookieName(c.Cookie.Name) {
		return nil, fmt.Errorf("session: invalid cookie name %q", c.Cookie.Name)
	}
	c.paramMarker = ";" + urlParamName(c.Cookie.Name) + "="
	if c.URLRewriting && c.Codec == nil && !pathParamName(urlParamName(c.Cookie.Name)) {
		return nil, fmt.Errorf("session: cookie name %q cannot name the URL-rewriting path parameter: a path cannot carry '#', '%%', '^', '`' or '|' as they are", c.Cookie.Name)
	}
	if c.Header != "" && !validCookieName(c.Header) {
		return nil, fmt.Errorf("session: invalid header name %q", c.Header)
	}
	switch http.CanonicalHeaderKey(c.Header) {
	case "Cookie", "Set-Cookie", "Set-Cookie2":
		// Setting the ID would replace the response's cookies.
		return nil, fmt.Errorf("session: header name %q is a cookie header", c.Header)
	}
	if c.Cookie.SameSite == 0 || c.Cookie.SameSite == http.SameSiteDefaultMode {
		c.Cookie.SameSite = http.SameSiteLaxMode
	}
	if c.ErrorHandler == nil {
		c.ErrorHandler = defaultErrorHandler
	}
	if c.Now == nil {
		c.Now = wallNow
	}
	c.alwaysSecure = c.Cookie.Secure || cookie.NeedsSecure(c.Cookie.Name)
	c.expireLegacy = c.Cookie.Secure && c.Cookie.Name == "" && !c.Cookie.Disabled
	if c.Codec == nil && !c.Cookie.Disabled {
		for i, secure := range [2]bool{false, true} {
			name := c.Cookie.Name
			if name == "" {
				name = "sid"
				if secure {
					name = "__Host-sid"
				}
			}
			c.cookieTmpl[i] = newCookieTemplate(name, secure, c.Cookie.SameSite)
		}
	}
	c.log = c.Logger
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	return c, nil
}

// validCookieName reports whether s is a token (RFC 9110 section 5.6.2), the
// syntax of both cookie names (RFC 6265bis section 4.1.1) and header names.
func validCookieName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || isSeparator(c) {
			return false
		}
	}
	return true
}

// urlParamName returns the name of the URL-rewriting path parameter for
// the cookie name name: urlParam for "", else name without a "__Host-" or
// "__Secure-" prefix (in any case, as cookie.NeedsSecure matches them),
// unless that leaves nothing. The defaults, "sid" and "__Host-sid", both give
// urlParam.
func urlParamName(name string) string {
	if name == "" {
		return urlParam
	}
	for _, prefix := range [2]string{"__Host-", "__Secure-"} {
		if len(name) > len(prefix) && strings.EqualFold(name[:len(prefix)], prefix) {
			return name[len(prefix):]
		}
	}
	return name
}

// pathParamName reports whether the cookie name (a token) n can name a path
// parameter as it is: every octet is one a path segment carries unescaped
// (RFC 3986 section 3.3: pchar, and not the '%' of an escape). The token
// characters outside that set are '#', '%', '^', '`' and '|'.
func pathParamName(n string) bool {
	for i := 0; i < len(n); i++ {
		if c := n[i]; c == '%' || !keepInPath(c) {
			return false
		}
	}
	return true
}

func isSeparator(c byte) bool {
	switch c {
	case '(', ')', '<', '>', '@', ',', ';', ':', '\\', '"', '/', '[', ']', '?', '=', '{', '}':
		return true
	}
	return false
}

// defaultErrorHandler answers 500 for ErrTooLarge and for a cookie the
// configuration cannot send (application bugs), and 503 for everything else
// (the store is failing): the details are logged, not sent. The answer
// replaces the handler's response, so, as net/http's ServeContent does for
// its errors, it drops the headers the handler set to validate and cache
// that response (Cache-Control, ETag, Last-Modified) and is never stored by
// a cache: a brief outage must not be served from one. Content-Encoding
// stays, as http.Error leaves it: a compressing middleware in front may
// have set it (go.dev/issue/66343).
func defaultErrorHandler(w http.ResponseWriter, r *http.Request, err error) {
	h := w.Header()
	h.Del("Etag")
	h.Del("Last-Modified")
	h.Set("Cache-Control", "no-store")
	var ce *configError
	if errors.Is(err, ErrTooLarge) || errors.As(err, &ce) {
		http.Error(w, "500 internal server error", http.StatusInternalServerError)
		return
	}
	http.Error(w, "503 session service unavailable", http.StatusServiceUnavailable)
}

// wallNow is the default clock: the current time without its monotonic
// reading.
func wallNow() time.Time { return time.Now().Round(0) }
