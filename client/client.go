package client

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// DefaultUserAgent is the User-Agent header sent unless Options.Header or
// the request sets one.
const DefaultUserAgent = "httpstate-client/1"

// DefaultMaxRedirects is the length of the redirect chain the client follows.
const DefaultMaxRedirects = 10

// Options configures a Client. The zero value, and a nil *Options, give the
// defaults documented on each field.
type Options struct {
	// BaseURL is the URL relative request URLs resolve against (RFC 3986
	// section 5.2; a path without a leading "/" keeps the base's path, whose
	// trailing "/" the client adds). "" means requests need absolute URLs.
	//
	// Its query string (say "?api-version=2024-10") is kept: every request
	// URL resolved against BaseURL gets each base parameter it does not
	// name itself, as written in BaseURL (encoding and order kept), after
	// its own. A parameter of the request's own query wins over the base's,
	// which wins over Query. Absolute request URLs and network-path
	// references ("//host/path") get nothing from the base query (they
	// may name another host). A BaseURL whose query does not
	// parse (url.ParseQuery: a ";" or a bad escape) is an error of New.
	// The client's errors show the values of its parameters as REDACTED.
	// Its fragment is ignored, as resolution ignores it.
	BaseURL string
	// Header holds the default headers of every request; a header the
	// request sets itself wins. The default adds User-Agent: DefaultUserAgent.
	Header http.Header
	// Query holds default query parameters, added to requests whose URL
	// lacks that parameter. With a BaseURL, only URLs of its origin
	// (scheme, host and port: relative ones, and absolute ones naming
	// it) get them, so that an API key here does not go to another host
	// a request names (a link to a CDN, another service); without one,
	// every request does. The client's errors show their values as
	// REDACTED.
	Query url.Values
	// Auth sets credentials on every request without an Authorization
	// header of its own; nil means none. See Basic, Bearer, TokenAuth. A
	// default Authorization header (in Header, or set by SetHeader or
	// Load) counts as the request's own: Auth, a TokenAuth's refresh
	// included, then does nothing.
	Auth Auth
	// Jar stores the cookies, run on every hop of a redirect chain; nil
	// means a new *jar.Jar with browser defaults (jar.New(nil)). A nil
	// pointer (a typed nil, such as a nil *jar.Jar) is an error of New.
	Jar Jar

	// Transport sends the requests; nil means the client's own pooled
	// *http.Transport built from the fields below, which are then ignored.
	// A nil pointer (a typed nil) is an error of New.
	Transport http.RoundTripper
	// TLSConfig is the TLS client configuration (e.g. RootCAs); nil means
	// the system roots.
	TLSConfig *tls.Config
	// MaxIdleConnsPerHost is how many keep-alive connections per host the
	// pool keeps; 0 means DefaultMaxIdleConnsPerHost.
	MaxIdleConnsPerHost int
	// MaxConnsPerHost caps the connections per host, dialing and idle
	// included; requests beyond it wait for a free connection. 0 means no
	// cap. (net/http may dial more connections than there are concurrent
	// requests while a pool warms up; a cap bounds that.)
	MaxConnsPerHost int
	// DialTimeout bounds connecting; 0 means DefaultDialTimeout.
	DialTimeout time.Duration
	// TLSHandshakeTimeout bounds the TLS handshake; 0 means
	// DefaultTLSHandshakeTimeout.
	TLSHandshakeTimeout time.Duration
	// ResponseHeaderTimeout bounds the wait for response headers after the
	// request is written; 0 means no limit.
	ResponseHeaderTimeout time.Duration
	// Timeout bounds each attempt, redirects and reading the body included
	// (as http.Client.Timeout); 0 means no limit. Use the context for an
	// overall deadline.
	Timeout time.Duration
	// MaxRedirects is how many redirects are followed; 0 means
	// DefaultMaxRedirects, a negative value means none: the 3xx response
	// is returned.
	MaxRedirects int

	// Retry is the retry policy; nil means the RetryPolicy defaults. Set
	// MaxAttempts to 1 to disable retries.
	Retry *RetryPolicy
	// CheckStatus makes Do return a *StatusError, with the response (body
	// closed), for status codes 400 and above.
	CheckStatus bool
	// OnRequest hooks run, in order, on every attempt just before it is
	// sent, after headers and auth are set (for signing, logging,
	// metrics); each attempt starts from the request as prepared
	// (headers, URL), so what a hook adds is not sent twice. An error
	// aborts the request; Do wraps it with ErrHook. A nil hook is an
	// error of New.
	OnRequest []func(*http.Request) error
	// OnResponse hooks run, in order, on every response received, before
	// the retry decision, the intermediate responses of a redirect chain
	// included (as requests' and httpx's response hooks run): each comes
	// with its hop's request as resp.Request and its body open, which the
	// client drains and closes after the hooks. A hook tells such a
	// response by its 3xx status and Location header (as requests'
	// Response.is_redirect), unless MaxRedirects is negative: then no
	// redirect is followed and the 3xx is the response Do returns. An
	// error closes the body and aborts the request (no later hop is
	// sent); Do wraps it with ErrHook. Requests sent with HTTPClient run
	// no hooks. A nil hook is an error of New.
	OnResponse []func(*http.Response) error
	// Now is the clock for Retry-After dates, the retry time budget and
	// TokenAuth's refresh cooldown; nil means time.Now.
	Now func() time.Time
}

// Client is a session-aware HTTP client: a cookie jar run on every redirect
// hop, default headers and query parameters, a base URL, authentication with
// token refresh, hooks, retries with backoff and a pooled transport, shared by
// all its requests. It is safe for concurrent use; create one and reuse it.
//
// Configuration is fixed by New. The session state (cookies, default
// headers, auth) can change through Load, SetHeader and SetAuth.
type Client struct {
	base        *url.URL    // without its query: see baseQuery
	baseQuery   []queryPair // BaseURL's query, for relative URLs
	query       url.Values
	jar         Jar
	transport   http.RoundTripper
	hc          *http.Client
	retry       *retrier
	onRequest   []func(*http.Request) error
	onResponse  []func(*http.Response) error
	checkStatus bool
	now         func() time.Time

	// saveLimit, if positive, replaces the session file size limit Save
	// checks (the 64 MiB Load reads), for tests.
	saveLimit int

	// mu protects header and auth.
	mu     sync.RWMutex
	header http.Header
	auth   Auth
}

// normalize replaces zero fields with their defaults.
func (o *Options) normalize() {
	if o.MaxIdleConnsPerHost <= 0 {
		o.MaxIdleConnsPerHost = DefaultMaxIdleConnsPerHost
	}
	if o.DialTimeout <= 0 {
		o.DialTimeout = DefaultDialTimeout
	}
	if o.TLSHandshakeTimeout <= 0 {
		o.TLSHandshakeTimeout = DefaultTLSHandshakeTimeout
	}
	if o.MaxRedirects == 0 {
		o.MaxRedirects = DefaultMaxRedirects
	}
	if o.Now == nil {
		o.Now = time.Now
	}
}

// New returns a Client configured by o; nil means defaults.
func New(o *Options) (*Client, error) {
	if o == nil {
		o = &Options{}
	}
	oc := *o
	oc.normalize()
	// An interface holding a nil pointer is not nil: as the client's own,
	// it would panic in the first request.
	if oc.Jar != nil && isNil(oc.Jar) {
		return nil, fmt.Errorf("client: Options.Jar is a nil %T (leave it nil for the default jar)", oc.Jar)
	}
	if oc.Transport != nil && isNil(oc.Transport) {
		return nil, fmt.Errorf("client: Options.Transport is a nil %T (leave it nil for the default transport)", oc.Transport)
	}
	for i, h := range oc.OnRequest {
		if h == nil {
			return nil, fmt.Errorf("client: Options.OnRequest[%d] is nil", i)
		}
	}
	for i, h := range oc.OnResponse {
		if h == nil {
			return nil, fmt.Errorf("client: Options.OnResponse[%d] is nil", i)
		}
	}
	c := &Client{
		query:       cloneValues(oc.Query),
		retry:       newRetrier(oc.Retry),
		onRequest:   slices.Clone(oc.OnRequest),
		onResponse:  slices.Clone(oc.OnResponse),
		checkStatus: oc.CheckStatus,
		now:         oc.Now,
		header:      canonicalHeader(oc.Header),
		auth:        oc.Auth,
		jar:         oc.Jar,
		transport:   oc.Transport,
	}
	if _, ok := c.header["User-Agent"]; !ok {
		c.header.Set("User-Agent", DefaultUserAgent)
	}
	if oc.BaseURL != "" {
		// Errors name BaseURL without its password, query or fragment
		// (which may hold an API key or a token): url.Error would quote
		// it whole.
		u, err := url.Parse(oc.BaseURL)
		if err != nil {
			var ue *url.Error
			if errors.As(err, &ue) {
				err = ue.Err
			}
			return nil, fmt.Errorf("client: BaseURL: %w", err)
		}
		if !u.IsAbs() || u.Host == "" {
			shown := *u
			shown.RawQuery, shown.ForceQuery = "", false
			shown.Fragment, shown.RawFragment = "", ""
			return nil, fmt.Errorf("client: BaseURL %q is not an absolute URL", shown.Redacted())
		}
		if !strings.HasSuffix(u.Path, "/") {
			u.Path += "/"
			if u.RawPath != "" {
				u.RawPath += "/"
			}
		}
		q, err := splitQuery(u.RawQuery)
		if err != nil {
			return nil, fmt.Errorf("client: BaseURL query: %w", err)
		}
		c.baseQuery = q
		// Resolution would keep the base query for an empty reference
		// only (RFC 3986 section 5.2.2); prepare adds it to every one.
		u.RawQuery, u.ForceQuery = "", false
		// Resolution never keeps the base fragment either; dropping it
		// keeps it out of String and LogValue.
		u.Fragment, u.RawFragment = "", ""
		c.base = u
	}
	if c.jar == nil {
		j, err := newDefaultJar()
		if err != nil {
			return nil, fmt.Errorf("client: cookie jar: %w", err)
		}
		c.jar = j
	}
	if c.transport == nil {
		c.transport = NewTransport(&oc)
	}
	c.hc = &http.Client{
		Transport:     &cookieTransport{jar: c.jar, next: c.transport},
		CheckRedirect: checkRedirect(oc.MaxRedirects),
		Timeout:       oc.Timeout,
	}
	return c, nil
}

// hooksKey is the context key under which Do hands its response hooks to
// the redirect policy, which runs them on every intermediate response, as
// a *hookRun.
type hooksKey struct{}

// hookRun is Do's response hooks and the request it is sending with them.
// The redirect policy runs the hooks only for a chain that request starts:
// a request sent with HTTPClient whose context derives from Do's (a
// resp.Request.Context()) runs none.
type hookRun struct {
	hooks []func(*http.Response) error
	first atomic.Pointer[http.Request]
}

// hookError is a response hook's error on an intermediate response, on its
// way out of http.Client's redirect loop.
type hookError struct{ err error }

func (e *hookError) Error() string { return e.err.Error() }

func checkRedirect(max int) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if max < 0 {
			return http.ErrUseLastResponse
		}
		// req.Response is the redirect that led to req, its body still
		// open: http.Client drains and closes it after this (also when
		// this fails).
		if hr, ok := req.Context().Value(hooksKey{}).(*hookRun); ok && req.Response != nil && hr.first.Load() == via[0] {
			if err := runResponseHooks(hr.hooks, req.Response); err != nil {
				return &hookError{err}
			}
		}
		if len(via) > max {
			return fmt.Errorf("stopped after %d redirects", max)
		}
		// net/http drops credentials on a redirect to another host name
		// only, and keeps them for a subdomain of the first host; a hop
		// to any other host, to another port (another service) or from
		// https to http (in the clear) must not carry them either.
		for _, hop := range append(via[1:len(via):len(via)], req) {
			if !sameCredentialScope(via[0].URL, hop.URL) {
				// In any case: net/http copies a key written
				// otherwise ("authorization") to every hop as is.
				for k := range req.Header {
					if slices.Contains(sensitiveHeaders, http.CanonicalHeaderKey(k)) {
						delete(req.Header, k)
					}
				}
				break
			}
		}
		// net/http's Referer is the previous hop's whole URL, whose
		// query (BaseURL's: an API key) must not go to another origin:
		// there it names the origin only, as a browser's default policy
		// (strict-origin-when-cross-origin) does. Nor does it keep the
		// fragment (RFC 9110 section 10.1.3), which may hold a token. A
		// Referer the caller set is left alone.
		prev := via[len(via)-1].URL
		if via[0].Header.Get("Referer") != "" || req.Header.Get("Referer") == "" {
			return nil
		}
		if headerValue(via[0].Header, "Referer") != "" {
			// The caller's, under a key in another case (sent as
			// written): net/http, not seeing it, added its own.
			delete(req.Header, "Referer")
			return nil
		}
		if !sameOrigin(prev, req.URL) {
			req.Header.Set("Referer", (&url.URL{Scheme: prev.Scheme, Host: prev.Host, Path: "/"}).String())
		} else if prev.Fragment != "" || prev.RawFragment != "" {
			ref := *prev
			ref.User, ref.Fragment, ref.RawFragment = nil, "", ""
			req.Header.Set("Referer", ref.String())
		}
		return nil
	}
}

// sameOrigin reports whether a and b have the same scheme, host and port
// (RFC 6454 section 5).
func sameOrigin(a, b *url.URL) bool {
	as, bs := strings.ToLower(a.Scheme), strings.ToLower(b.Scheme)
	return as == bs && sameHost(a, b) &&
		effectivePort(as, a) == effectivePort(bs, b)
}

// sameHost reports whether a and b name one host, in any case, a name in
// Unicode and its punycode (A-label) form alike: net/http dials the latter
// for both.
func sameHost(a, b *url.URL) bool {
	ah, bh := a.Hostname(), b.Hostname()
	if strings.EqualFold(ah, bh) {
		return true
	}
	return asciiHost(ah) == asciiHost(bh)
}

// asciiHost is h lower-cased, a name with non-ASCII characters in its
// punycode form as net/http dials it (h itself if it has none).
func asciiHost(h string) string {
	for i := 0; i < len(h); i++ {
		if h[i] >= utf8.RuneSelf {
			if a, err := idna.Lookup.ToASCII(h); err == nil {
				h = a
			}
			break
		}
	}
	return strings.ToLower(h)
}

// sensitiveHeaders are the headers net/http drops on a redirect to another
// domain. Proxy-Authorization is among them: a proxy may be chosen per
// scheme and host (HTTPS_PROXY, NO_PROXY), and net/http writes a request's
// own Proxy-Authorization to the origin server when there is no proxy or
// the request is https (inside the CONNECT tunnel).
var sensitiveHeaders = []string{"Authorization", "Www-Authenticate", "Cookie", "Cookie2",
	"Proxy-Authorization", "Proxy-Authenticate"}

// sameCredentialScope reports whether credentials sent to from may follow a
// redirect to to: the same host name (net/http also lets them go to its
// subdomains, which are other hosts, as requests and curl do not), and the
// same scheme and port, or http on port 80 to https on 443 (an upgrade, as
// in Python's requests).
func sameCredentialScope(from, to *url.URL) bool {
	if !sameHost(from, to) {
		return false
	}
	fs, ts := strings.ToLower(from.Scheme), strings.ToLower(to.Scheme)
	fp, tp := effectivePort(fs, from), effectivePort(ts, to)
	if fs == ts {
		return fp == tp
	}
	return fs == "http" && ts == "https" && fp == "80" && tp == "443"
}

// effectivePort returns u's port, or the scheme's default.
func effectivePort(scheme string, u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	switch scheme {
	case "http":
		return "80"
	case "https":
		return "443"
	}
	return ""
}

// HTTPClient returns the *http.Client under the client, for code that takes
// one. It shares the connection pool, the cookie jar (run on every redirect
// hop), the redirect limit and Timeout. Default headers and query, the base
// URL, auth, hooks and retries apply only to requests sent with Do, Get and
// Post. The caller must not modify it.
func (c *Client) HTTPClient() *http.Client { return c.hc }

// Jar returns the client's cookie jar.
func (c *Client) Jar() Jar { return c.jar }

// CloseIdleConnections closes the pool's idle connections.
func (c *Client) CloseIdleConnections() { c.hc.CloseIdleConnections() }

// SetHeader sets a default header (replacing its values) for later requests;
// an empty value deletes it.
func (c *Client) SetHeader(key, value string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if value == "" {
		c.header.Del(key)
		return
	}
	c.header.Set(key, value)
}

// Header returns a copy of the default headers.
func (c *Client) Header() http.Header {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.header.Clone()
}

// SetAuth replaces the authentication for later requests; nil removes it.
func (c *Client) SetAuth(a Auth) {
	c.mu.Lock()
	c.auth = a
	c.mu.Unlock()
}

// Auth returns the client's authentication, nil if none.
func (c *Client) Auth() Auth {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.auth
}

// NewRequest returns a request for Do; rawURL may be relative to
// Options.BaseURL.
func (c *Client) NewRequest(ctx context.Context, method, rawURL string, body io.Reader) (*http.Request, error) {
	r, err := http.NewRequestWithContext(ctx, method, rawURL, body)
	if err != nil {
		return nil, fmt.Errorf("client: %w", err)
	}
	return r, nil
}

// Get sends a GET request for rawURL, which may be relative to
// Options.BaseURL.
func (c *Client) Get(ctx context.Context, rawURL string) (*http.Response, error) {
	r, err := c.NewRequest(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, err
	}
	return c.do(ctx, r, true)
}

// Post sends a POST request with the body and its content type. A body of
// type *bytes.Buffer, *bytes.Reader or *strings.Reader can be replayed after
// a 401 token refresh; POST, not idempotent, is never retried (see
// RetryPolicy).
func (c *Client) Post(ctx context.Context, rawURL, contentType string, body io.Reader) (*http.Response, error) {
	r, err := c.NewRequest(ctx, http.MethodPost, rawURL, body)
	if err != nil {
		return nil, err
	}
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	return c.do(ctx, r, true)
}

// Do sends req with ctx, applying the client's base URL, default headers and
// query, auth, hooks and retry policy, and returns the response. req itself is
// never modified, but its body, if any, is closed, even on errors (as
// http.Client.Do closes it). The caller must close the response body.
//
// On error the response is nil, except with Options.CheckStatus, where a
// *StatusError comes with its response, body already closed. Errors are an
// *Error or a *StatusError; see the package's sentinels.
func (c *Client) Do(ctx context.Context, req *http.Request) (*http.Response, error) {
	return c.do(ctx, req, false)
}

// do is Do; owned means the client made req and may change it in place.
func (c *Client) do(ctx context.Context, req *http.Request, owned bool) (*http.Response, error) {
	if ctx == nil && req != nil {
		ctx = req.Context()
	}
	var hr *hookRun
	if len(c.onResponse) > 0 && ctx != nil {
		// For the redirect policy, which runs them on each intermediate
		// response of the chain.
		hr = &hookRun{hooks: c.onResponse}
		ctx = context.WithValue(ctx, hooksKey{}, hr)
	}
	r, auth, err := c.prepare(ctx, req, owned)
	if err != nil {
		if req != nil && req.Body != nil {
			req.Body.Close()
		}
		return nil, err
	}
	replayable := r.Body == nil || r.Body == http.NoBody || r.GetBody != nil
	retryOK := replayable && idempotent(r.Method)
	ownAuth := headerValue(r.Header, "Authorization") != ""
	fail := func(attempts int, kind, err error, exhausted bool) (*http.Response, error) {
		return nil, &Error{Method: r.Method, URL: c.shownURL(r.URL), Attempts: attempts,
			Kind: kind, Exhausted: exhausted, Err: err}
	}
	// Hooks and a custom Auth may change the request they get (add a
	// header, sign the query): they get a copy on every attempt, so the
	// next one starts from the request as prepared (the built-in auths
	// only set Authorization, which the next attempt sets again).
	isolate := len(c.onRequest) > 0 || (auth != nil && !ownAuth && !builtinAuth(auth))
	start := c.now()
	refreshed := false
	fresh := false // the refresh got a token renewed for this request
	sent := 0
	var gen uint64 // the generation of a refresher's credentials on ar
	for {
		ar := r
		if sent > 0 || isolate {
			ar = r.Clone(ctx)
			if sent > 0 && r.GetBody != nil {
				b, err := r.GetBody()
				if err != nil {
					return fail(sent, nil, fmt.Errorf("replay body: %w", err), false)
				}
				ar.Body = b
			}
		}
		if auth != nil && !ownAuth || len(c.onRequest) > 0 {
			g, kind, err := c.beforeSend(ctx, ar, auth, ownAuth)
			if err != nil {
				return fail(sent, kind, err, false)
			}
			gen = g
		}
		sent++
		if hr != nil {
			hr.first.Store(ar)
		}
		resp, err := c.hc.Do(ar)
		if err != nil {
			// A response with the error (the redirect policy stopped
			// the chain) has its body closed already by http.Client:
			// closing it again would be a second Close.
			err = c.unwrapURLError(err)
			var he *hookError
			if errors.As(err, &he) {
				// A hook's error on a redirect: the response was
				// drained and closed by http.Client.
				return fail(sent, ErrHook, he.err, false)
			}
			retryable := retryOK && retryableErr(ctx, err)
			if retryable && sent < c.retry.MaxAttempts {
				d := c.retry.backoff(sent - 1)
				if c.waitFits(ctx, start, d) {
					if serr := c.retry.Sleep(ctx, d); serr != nil {
						return fail(sent, kindOf(serr), serr, false)
					}
					continue
				}
			}
			return fail(sent, kindOf(err), err, retryable && sent > 1)
		}
		if len(c.onResponse) > 0 {
			if err := runResponseHooks(c.onResponse, resp); err != nil {
				drain(resp)
				return fail(sent, ErrHook, err, false)
			}
		}
		if resp.StatusCode == http.StatusUnauthorized && !ownAuth && replayable &&
			replayAfter401(ar, resp) {
			if rf, ok := auth.(refresher); ok {
				if refreshed {
					// The replay was rejected too: with a fresh
					// token, the 401 is not about the token.
					if fresh {
						rf.rejected(gen, c.now())
					}
				} else if !rf.futile(gen, c.now()) {
					refreshed = true
					stale := ar.Header.Get("Authorization")
					drain(resp)
					f, err := rf.refresh(ctx, stale, gen)
					if err != nil {
						return fail(sent, kindOf(err), err, false)
					}
					fresh = f
					continue
				}
			}
		}
		if retryOK && retryableStatus(resp.StatusCode) && sent < c.retry.MaxAttempts {
			d, ok := retryAfter(resp.Header.Get("Retry-After"), c.now())
			if !ok {
				d = c.retry.backoff(sent - 1)
			}
			if c.waitFits(ctx, start, d) {
				drain(resp)
				if serr := c.retry.Sleep(ctx, d); serr != nil {
					return fail(sent, kindOf(serr), serr, false)
				}
				continue
			}
		}
		if c.checkStatus {
			if se := CheckStatus(resp); se != nil {
				if e, ok := se.(*StatusError); ok && resp.Request != nil {
					e.URL = c.shownURL(resp.Request.URL)
				}
				drain(resp)
				return resp, se
			}
		}
		return resp, nil
	}
}

// waitFits reports whether a wait of d before another attempt fits the
// retry budget: it ends within MaxElapsed of start and before ctx's
// deadline (a wait past it would only end in a timeout error, and lose the
// last response).
func (c *Client) waitFits(ctx context.Context, start time.Time, d time.Duration) bool {
	if c.now().Add(d).Sub(start) > c.retry.MaxElapsed {
		return false
	}
	dl, ok := ctx.Deadline()
	return !ok || d < time.Until(dl)
}

// beforeSend runs auth (unless the request has its own Authorization) and
// the request hooks on ar, returning the generation of a refresher's
// credentials, and on failure the error and its kind. On an error, or
// should one panic (the panic goes on up), ar's body is closed: Do closes
// the request body in every case, and nobody else would (an io.Pipe's
// writer would block for ever).
func (c *Client) beforeSend(ctx context.Context, ar *http.Request, auth Auth, ownAuth bool) (gen uint64, kind, err error) {
	ok := false
	defer func() {
		if !ok {
			closeBody(ar)
		}
	}()
	if auth != nil && !ownAuth {
		if rf, isRf := auth.(refresher); isRf {
			gen, err = rf.authorize(ctx, ar)
		} else {
			err = auth.Authorize(ctx, ar)
		}
		if err != nil {
			return 0, nil, err
		}
	}
	for i, h := range c.onRequest {
		if err := h(ar); err != nil {
			return 0, ErrHook, fmt.Errorf("request hook %d: %w", i, err)
		}
	}
	ok = true
	return gen, nil, nil
}

// runResponseHooks runs the response hooks on resp. Should one panic, the
// panic goes on up, but resp's body is closed first: nobody else will, and
// it would hold its connection for ever.
func runResponseHooks(hooks []func(*http.Response) error, resp *http.Response) error {
	ok := false
	defer func() {
		if !ok {
			resp.Body.Close()
		}
	}()
	for i, h := range hooks {
		if err := h(resp); err != nil {
			ok = true
			return fmt.Errorf("response hook %d: %w", i, err)
		}
	}
	ok = true
	return nil
}

// builtinAuth reports whether a is one of the package's Auth kinds, which
// only set the Authorization header.
func builtinAuth(a Auth) bool {
	switch a.(type) {
	case *BasicAuth, *BearerAuth, *tokenAuth:
		return true
	}
	return false
}

// replayAfter401 reports whether the 401 resp to ar calls for a token
// refresh and a replay of ar: the hop that got the 401 carried ar's
// credentials (not a redirect target they were dropped for), and when a
// redirect came first (the server processed ar), ar's method is idempotent.
func replayAfter401(ar *http.Request, resp *http.Response) bool {
	last := resp.Request
	if last == nil || last == ar {
		return true
	}
	if last.Header.Get("Authorization") != ar.Header.Get("Authorization") {
		return false
	}
	return last.Response == nil || idempotent(ar.Method)
}

// prepare returns the request to send: a copy of req with ctx (req itself
// when owned), its URL
// resolved against the base URL, the default query and headers added, and
// the auth to apply.
func (c *Client) prepare(ctx context.Context, req *http.Request, owned bool) (*http.Request, Auth, error) {
	if req == nil || req.URL == nil {
		return nil, nil, errors.New("client: nil request or URL")
	}
	r := req
	if !owned {
		r = req.Clone(ctx)
	} else if len(c.onResponse) > 0 {
		r = req.WithContext(ctx) // with the hooks for redirects
	}
	if r.Header == nil {
		r.Header = make(http.Header)
	}
	if !r.URL.IsAbs() {
		if c.base == nil {
			return nil, nil, fmt.Errorf("client: %s %s: relative URL without Options.BaseURL", r.Method, c.shownURL(r.URL))
		}
		// A network-path reference ("//host/path") names its own host,
		// as an absolute URL does: the base query stays with the base.
		ownHost := r.URL.Host != "" || r.URL.User != nil
		r.URL = c.base.ResolveReference(r.URL)
		if !ownHost {
			r.URL.RawQuery = addBaseQuery(r.URL.RawQuery, c.baseQuery)
		}
		// r.Host stays: "" unless the request set it (a virtual host),
		// or a network-path reference's host.
	}
	if len(c.query) > 0 && (c.base == nil || sameOrigin(c.base, r.URL)) {
		q := r.URL.Query()
		extra := url.Values{}
		for k, vs := range c.query {
			if _, ok := q[k]; !ok {
				extra[k] = vs
			}
		}
		if len(extra) > 0 {
			if r.URL.RawQuery != "" {
				r.URL.RawQuery += "&"
			}
			r.URL.RawQuery += extra.Encode()
		}
	}
	// A key in another case (written into the map directly, and sent as
	// written) is the request's own header of that name too.
	odd := nonCanonicalKeys(r.Header)
	if odd["Cookie"] {
		mergeCookieKeys(r.Header)
	}
	c.mu.RLock()
	for k, vs := range c.header {
		if _, ok := r.Header[k]; !ok && !odd[k] {
			r.Header[k] = slices.Clone(vs)
		}
	}
	auth := c.auth
	c.mu.RUnlock()
	return r, auth, nil
}

// nonCanonicalKeys returns the canonical forms of h's keys that are written
// otherwise, nil if there are none (the usual case).
func nonCanonicalKeys(h http.Header) map[string]bool {
	var m map[string]bool
	for k := range h {
		if ck := http.CanonicalHeaderKey(k); ck != k {
			if m == nil {
				m = make(map[string]bool)
			}
			m[ck] = true
		}
	}
	return m
}

// mergeCookieKeys moves the values of h's keys that spell "Cookie" in
// another case (sent as written, each a Cookie header of its own) under
// the canonical key, after its own values, in the keys' byte order: the
// cookie layer then makes one Cookie header of them and the jar's cookies.
func mergeCookieKeys(h http.Header) {
	for _, k := range slices.Sorted(maps.Keys(h)) {
		if k != "Cookie" && http.CanonicalHeaderKey(k) == "Cookie" {
			h["Cookie"] = append(h["Cookie"], h[k]...)
			delete(h, k)
		}
	}
}

// headerValue is h.Get(key), key canonical, also finding the header under
// a key written in another case.
func headerValue(h http.Header, key string) string {
	if v := h.Get(key); v != "" {
		return v
	}
	for k, vs := range h {
		if len(vs) > 0 && vs[0] != "" && strings.EqualFold(k, key) {
			return vs[0]
		}
	}
	return ""
}

// queryPair is one "key=value" of a query string, as written, and its
// decoded key.
type queryPair struct {
	key, raw string
}

// splitQuery splits a raw query into its pairs, as written; it fails where
// url.ParseQuery fails.
func splitQuery(raw string) ([]queryPair, error) {
	if _, err := url.ParseQuery(raw); err != nil {
		return nil, err
	}
	var pairs []queryPair
	for p := range strings.SplitSeq(raw, "&") {
		if p == "" {
			continue
		}
		k, _, _ := strings.Cut(p, "=")
		k, err := url.QueryUnescape(k)
		if err != nil {
			return nil, err
		}
		pairs = append(pairs, queryPair{key: k, raw: p})
	}
	return pairs, nil
}

// addBaseQuery appends to the raw query own the base pairs whose key own
// does not have.
func addBaseQuery(own string, base []queryPair) string {
	if len(base) == 0 {
		return own
	}
	have, _ := url.ParseQuery(own) // what parses; the request's own query is sent as is
	var b strings.Builder
	b.WriteString(own)
	for _, p := range base {
		if _, ok := have[p.key]; ok {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(p.raw)
	}
	return b.String()
}

// unwrapURLError drops the *url.Error http.Client adds: *Error names the
// request itself.
func (c *Client) unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) && ue.Err != nil {
		if ue.Timeout() && kindOf(ue.Err) != ErrTimeout {
			// http.Client's own Timeout: keep the timeout visible,
			// with the URL as *Error shows it.
			if u, perr := url.Parse(ue.URL); perr == nil && ue == err {
				shown := *ue
				shown.URL = c.shownURL(u)
				return &shown
			}
			return err
		}
		return ue.Err
	}
	return err
}

// shownURL returns u as the client's errors show it: its password
// redacted (url.URL.Redacted), the value of each parameter of BaseURL's
// query and of Options.Query (which may hold an API key) as REDACTED, and
// without its fragment (never sent; it may hold a token).
func (c *Client) shownURL(u *url.URL) string {
	if u.Fragment != "" || u.RawFragment != "" {
		nf := *u
		nf.Fragment, nf.RawFragment = "", ""
		u = &nf
	}
	if (len(c.baseQuery) == 0 && len(c.query) == 0) || u.RawQuery == "" {
		return u.Redacted()
	}
	pairs := strings.Split(u.RawQuery, "&")
	changed := false
	for i, p := range pairs {
		if k, ok := c.defaultPair(p); ok {
			pairs[i] = k + "=REDACTED"
			changed = true
		}
	}
	if !changed {
		return u.Redacted()
	}
	shown := *u
	shown.RawQuery = strings.Join(pairs, "&")
	return shown.Redacted()
}

// defaultPair reports whether the raw query pair p ("key=value") is one
// the client adds to requests, a pair of BaseURL's query as written or a
// value of Options.Query, and returns its raw key.
func (c *Client) defaultPair(p string) (string, bool) {
	k, v, ok := strings.Cut(p, "=")
	if !ok {
		return "", false
	}
	for _, b := range c.baseQuery {
		if p == b.raw {
			return k, true
		}
	}
	if len(c.query) == 0 {
		return "", false
	}
	dk, err := url.QueryUnescape(k)
	if err != nil {
		return "", false
	}
	vs, found := c.query[dk]
	if !found {
		return "", false
	}
	dv, err := url.QueryUnescape(v)
	return k, err == nil && slices.Contains(vs, dv)
}

// closeBody closes the body of a request that will not be sent, as the
// transport would have: Do closes the request body even on errors.
func closeBody(r *http.Request) {
	if r.Body != nil {
		r.Body.Close()
	}
}

// drain reads a little of an unwanted body so its connection can be reused,
// then closes it.
func drain(resp *http.Response) {
	io.CopyN(io.Discard, resp.Body, 64<<10)
	resp.Body.Close()
}

// canonicalHeader returns a copy of h with canonical keys (the values of
// keys that differ in case only are merged, in the keys' byte order), so
// that a default header yields to the request's own one of that name and
// is never sent twice.
func canonicalHeader(h http.Header) http.Header {
	out := make(http.Header, len(h)+1)
	for _, k := range slices.Sorted(maps.Keys(h)) {
		ck := http.CanonicalHeaderKey(k)
		out[ck] = append(out[ck], h[k]...)
	}
	return out
}

func cloneValues(v url.Values) url.Values {
	if v == nil {
		return nil
	}
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = slices.Clone(vs)
	}
	return out
}

// String describes the client without secrets: the base URL without its
// password or query (which may hold an API key), header names only, and the
// auth kind with its secret redacted.
func (c *Client) String() string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	base := ""
	if c.base != nil {
		base = c.base.Redacted()
	}
	auth := "none"
	if c.auth != nil {
		auth = authString(c.auth)
	}
	return fmt.Sprintf("client.Client{BaseURL: %q, Header: %v, Auth: %s}", base, headerNames(c.header), auth)
}

// GoString implements fmt.GoStringer (%#v) as String, with the same
// redaction (the fields themselves hold secrets).
func (c *Client) GoString() string { return c.String() }

// LogValue implements slog.LogValuer with the same redaction as String.
func (c *Client) LogValue() slog.Value {
	c.mu.RLock()
	defer c.mu.RUnlock()
	base := ""
	if c.base != nil {
		base = c.base.Redacted()
	}
	attrs := []slog.Attr{slog.String("base_url", base), slog.Any("headers", headerNames(c.header))}
	if c.auth != nil {
		attrs = append(attrs, slog.String("auth", authString(c.auth)))
	}
	return slog.GroupValue(attrs...)
}

func authString(a Auth) string {
	if _, ok := a.(fmt.Stringer); ok {
		return fmt.Sprint(a) // a nil pointer prints "<nil>", not a panic
	}
	return fmt.Sprintf("%T(REDACTED)", a)
}

func headerNames(h http.Header) []string {
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}
