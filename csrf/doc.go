// Package csrf protects state-changing HTTP requests against cross-site request
// forgery (CSRF) with two independent layers.
//
// # Layers
//
// The first layer is the standard library's [http.CrossOriginProtection]: a
// browser request whose Sec-Fetch-Site header is anything but "same-origin"
// or "none" ("cross-site", and "same-site" too: a sibling subdomain is
// another origin), or, in older browsers that send no Sec-Fetch-Site,
// whose Origin header names another host, is rejected before anything else
// runs. [Options.TrustedOrigins] are passed to
// [http.CrossOriginProtection.AddTrustedOrigin].
//
// The second layer is a synchronizer token. It exists for what the first
// layer cannot judge (browsers that send neither header, non-browser
// clients), but as defence in depth it is required of every unsafe request
// (any method but GET, HEAD, OPTIONS and TRACE): each must carry a token, as the form field
// "csrf_token" or the header "X-CSRF-Token", that matches the per-client
// secret supplied by a [SecretSource]:
//
//   - [SessionSecret] keeps a 32-byte random secret in the server session (the
//     attribute "csrf.secret" of [session.FromRequest]), so a token issued to
//     one session is worthless in another. Use it whenever the app has
//     sessions; [Protector.Handler] must then run inside the session
//     middleware.
//   - [DoubleSubmitCookie] is for apps without server sessions: the secret
//     travels in a cookie ("__Host-csrf" over HTTPS, "csrf" over plain HTTP)
//     and the request must repeat it in the token. The cookie value is signed
//     with HMAC-SHA256 under a server key (and, optionally, bound to the
//     authenticated user). A naive double-submit cookie is defeated by anyone
//     who can write a cookie for the site (a sibling subdomain, a network
//     attacker injecting Set-Cookie into a plain-HTTP response): they set the
//     cookie to a value they know and submit the same value. With a signed
//     cookie they cannot mint a value the server accepts, and with a binding
//     they cannot replay a value the server issued to themselves. The
//     cookie is HttpOnly and SameSite=Lax unless [CookieOptions.SameSite]
//     asks for Strict or None (an unset, default-mode or unknown value
//     means Lax, as for the session cookie).
//
// # Tokens and BREACH
//
// The secret never appears in a page as is. [Token] returns a fresh random
// one-time pad P and P XOR secret, base64url-encoded (86 characters), on every
// call, so the bytes of the token differ in every response and a compression
// side channel (BREACH) cannot recover the secret byte by byte. Any masked
// value of the current secret is accepted, including one from an older
// response. Tokens are compared in constant time.
//
// # Failures
//
// A rejected request (cross-origin, missing, malformed or wrong token) goes to
// [Options.ErrorHandler] (default: 403 Forbidden with a short text) and the
// protected handler never runs. The error handler receives the
// reason as an error wrapping one of the package's ErrX values, or the
// SecretSource's own failure (for SessionSecret: no session on the request,
// the middleware order being wrong).
//
// # Concurrency
//
// A [Protector] is safe for concurrent use; its configuration is frozen by
// [New].
package csrf
