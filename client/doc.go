// Package client is a session-aware HTTP client: what requests.Session and
// httpx.Client are to Python, on top of net/http.
//
// # Basics
//
// One *Client holds, for all its requests, a cookie jar, default headers and
// query parameters (with a base URL, for its origin only: see
// Options.Query), a base URL that relative URLs resolve against (its query
// string kept: see Options.BaseURL), authentication, request hooks (run
// once per attempt) and response hooks (run on every response of a
// redirect chain), a retry policy, timeouts and a pooled transport:
//
//	c, err := client.New(&client.Options{
//		BaseURL: "https://api.example.com/v1/",
//		Header:  http.Header{"Accept": {"application/json"}},
//		Auth:    client.Bearer(token),
//	})
//	resp, err := c.Get(ctx, "users/7")
//
// Per-request settings live on the *http.Request given to Do: its own
// headers, query parameters and Authorization header win over the defaults,
// and never change them.
//
// # Cookies
//
// The client does not set http.Client.Jar, which only sees cookies net/http
// has parsed (and drops nameless cookies and non-ASCII values). A RoundTripper
// layer instead hands the jar the raw Set-Cookie lines of every response of a
// redirect chain, with that hop's URL, and sets every hop's Cookie header from
// the jar ([Jar]; by default a browser-grade *jar.Jar).
//
// # Connections
//
// The default transport keeps DefaultMaxIdleConnsPerHost idle connections per
// host (net/http keeps 2, so concurrent clients re-dial and redo TLS
// handshakes) and negotiates HTTP/2 over TLS when the server offers it. For
// https, while a dial to an address for an origin is in progress, a new one
// waits for it (at most DialTimeout + TLSHandshakeTimeout) and is dropped if
// its request got a connection meanwhile, so a pool warming up under
// concurrency opens about as many connections as there are concurrent
// requests (net/http alone keeps dialing for requests already served); the
// price is that a cold pool dials its connections one at a time (plain
// http dials, being cheap, are never held). Options.MaxConnsPerHost caps
// the connections.
//
// # Authentication
//
// [Basic] and [Bearer] set fixed credentials; [TokenAuth] takes a
// [TokenSource] and, when a request gets 401, refreshes the token once and
// replays the request if its body can be replayed. Concurrent requests that
// fail with the same stale token share one refresh, and a request whose 401
// arrives after a refresh it was sent before just replays with the new
// token (or the answer of a refresh still in flight). A 401 that a token
// just refreshed for it does not cure is about the request, not the token:
// for 30 seconds after, a 401 to that token is returned without a refresh,
// so a resource the server always refuses costs no refresh per request.
// Credentials (the
// Authorization header, and a Cookie or Proxy-Authorization header the
// request set) do not follow a redirect to another host (a subdomain
// included), another port, or from https to http; an upgrade from http on
// port 80 to https on 443 keeps them. On a redirect to another origin,
// the Referer net/http adds names the previous hop's origin only, not its
// path and query; it never holds a fragment.
//
// # Retries
//
// Idempotent requests are retried after connection errors and 429, 502, 503
// and 504 responses, with full-jitter exponential backoff or the server's
// Retry-After, bounded by attempts and total time; see [RetryPolicy].
//
// # Errors
//
// Failures are an *[Error] wrapping ErrDial, ErrTLS or ErrTimeout, the cause
// and, after retrying, ErrRetriesExhausted; hooks' errors wrap ErrHook. With
// Options.CheckStatus, error statuses are a *[StatusError].
//
// # Sessions and security
//
// [Client.Save] and [Client.Load] keep cookies (every field), default headers
// and Basic or Bearer auth in a JSON file, written 0600 and atomically; Save
// refuses, writing nothing, what Load could not bring back as it was, and
// Load refuses a file over 64 MiB. The file holds secrets. String, GoString
// (%#v) and LogValue on the client and the auth types redact passwords and
// tokens and list header names only.
//
// # Concurrency
//
// A Client is safe for concurrent use; share one per process or per
// identity.
package client
