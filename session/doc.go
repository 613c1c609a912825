// Package session manages HTTP sessions on the server: a middleware that
// finds each request's session lazily, hands it to the handler, and commits
// only what the request changed, before the response headers go out.
//
// # Basics
//
// Create a Manager over a Store (store/memstore, store/boltstore,
// store/redisstore) and wrap the application's handler:
//
//	st, _ := boltstore.Open("sessions.db", nil)
//	m, err := session.New(&session.Options{Store: st})
//	...
//	defer m.Close()
//	http.ListenAndServe(addr, m.Handler(mux))
//
// A handler reads its session with FromRequest. Attributes are values of any
// JSON-encodable type; Get and Update are typed:
//
//	s := session.FromRequest(r)
//	n, _, err := session.Get[int](s, "visits")
//	err = s.Set("visits", n+1)
//
// The session loads on first use: a request that never calls a Session method
// costs no store I/O. A new visitor's session is stored only once something is
// written to it. Set and Delete are buffered and committed as one Delta when
// the handler first writes (WriteHeader, Write, Flush, ReadFrom) or returns.
//
// Sessions end after IdleTimeout without use (default 30 minutes) and at the
// latest Lifetime after creation (default 24 hours); both are enforced by the
// server, whatever the cookie says. The last access is written at most once per
// TouchInterval, so a read-only request within it writes nothing. A session
// is in use from the start of a request: one found close to its idle expiry
// (less than a tenth of its idle timeout, or TouchInterval if longer, left)
// has its access written before the handler runs, so a slow request does
// not see it expire and lose its writes; that write is the request's touch
// (the commit does not repeat it), and LastAccess still reports the access
// before the request.
//
// # Transports
//
// The session ID travels in a cookie by default: "__Host-sid" over HTTPS and
// "sid" over HTTP, HttpOnly, SameSite=Lax, Path=/, Secure over HTTPS, without
// Domain, and without Max-Age unless CookieOptions.Persistent. Options.Header
// adds a request/response header for API and mobile clients; it hands the ID
// to the client's code, page scripts included (it is not HttpOnly), so keep
// it off for browser applications. URLRewriting adds
// the ";sid=ID" path parameter for clients without cookies (named after
// CookieOptions.Name when one is set, so that two Managers of one
// application keep apart: see Options.URLRewriting): Session.EncodeURL
// and EncodeRedirectURL add it when the request did not arrive with the cookie,
// and the middleware strips it from r.URL before routing (a path that
// stripping would turn into a "." or ".." segment, such as "/a/..;sid=x/b",
// goes on as sent, its ID unread). Several transports
// may be on at once; a request's ID is taken from the cookie first, then the
// header, then the URL; a URL's ID only when the request carried no session
// cookie (such a client keeps cookies, so the URL came from someone else). A response that sets the session cookie carries
// "Cache-Control: no-store" and "Vary: Cookie", and at most one Set-Cookie
// for the session (besides one expiring the old "sid" cookie, see below).
// Any response of a request whose handler used its session before the
// response started (ErrorHandler's, or a recovering middleware's after a
// panic, too) carries "Vary: Cookie" (and the ID header's name, with that
// transport), so that a shared cache never serves one client's page to
// another; a request that never touches its session gets no session headers
// at all. A handler that first reads its session after the headers have gone
// out (a streamed response) must set Vary, or Cache-Control, itself: the
// middleware can no longer add them.
//
// # Security
//
// IDs are 256 bits from crypto/rand, base64url-encoded. Stores, events,
// dashboards and logs see only Key(id), the SHA-256 of the ID, so a dump of
// the store holds no usable ID; logs carry a short prefix of the key. An
// unknown, expired, malformed or forged ID is never adopted: the request gets
// a fresh session with a new ID (no session fixation). Call Session.Renew at
// login and at every privilege change: the old ID dies at once. Invalidate
// deletes the session and expires the cookie. Manager.InvalidatePrincipal logs
// a user out everywhere, and Options.MaxPerPrincipal caps a user's sessions.
// Bad input (oversize, repeated or junk cookies, junk ";sid=" parameters)
// never causes a 5xx; a failing store is never mistaken for "no session":
// the request gets ErrorHandler's 503 and the live session is left alone
// (one this request renamed with Renew before the failure gets its new ID
// with the 503, as the old one is dead).
// URL rewriting exposes the ID in logs and Referer headers; it is off by
// default, and EncodeURL never rewrites a URL pointing to another host, nor
// an http:// URL on a page served over HTTPS.
//
// Behind a proxy or load balancer that terminates TLS, r.TLS is nil: set
// CookieOptions.Secure, and the Manager treats every request as HTTPS (the
// Secure attribute, the "__Host-sid" name, no ID in http:// URLs). A cookie
// name starting with "__Host-" or "__Secure-" does the same. No header such
// as X-Forwarded-Proto is trusted: a client can send any. With the default
// name, turning CookieOptions.Secure on renames the plain-HTTP cookie "sid"
// to "__Host-sid": those sessions end (the old cookie is never adopted) and
// the old "sid" cookie is expired, in a Set-Cookie of its own, when it comes
// back.
//
// # Concurrency and lost updates
//
// Requests of one session run concurrently. Each request commits a Delta of
// only the attributes it changed (Store.Save), so two requests setting
// different attributes both win. Update is atomic in the store (Store.Update)
// and reaches it at once: a hundred parallel requests appending to one list
// with Update leave exactly a hundred items. Renew (Store.Rename) and
// Invalidate (Store.Delete) also act at once. A request that started before
// another one invalidated or renamed the session cannot undo that: its late
// Save gets ErrNotFound, its changes are dropped (and logged at Warn level),
// and its response carries no session cookie at all: neither a new one, which
// would resurrect the session, nor an expiring one, which could delete the
// cookie a concurrent Renew (a login) has just sent. An Update or Renew on
// such a session returns an error wrapping ErrNotFound; an Invalidate
// deletes nothing and, for the same reason, does not expire the cookie.
// Changes buffered for the commit (Set, Delete, SetPrincipal,
// SetIdleTimeout) and Renew, made after it (once the response headers are
// out), are refused with ErrCommitted; Update of a stored session and
// Invalidate still reach the store at once, though the response can no
// longer carry a cookie (with a Codec, where the cookie is the session,
// Invalidate is refused too). A Session is safe for concurrent use by the
// goroutines of its request.
//
// # Stores
//
// A Store keeps records under Key(id) and implements atomic Save, Update,
// Rename and Delete, a principal index (ByPrincipal) and Sweep; store/storetest
// is the conformance suite. The Manager's sweeper calls Store.Sweep every
// SweepInterval; Close stops it. With Options.Codec instead of a Store the
// whole session travels in the cookie (store/cookiestore), split over up to
// CookieChunks cookies; a session that does not fit is an error given to the
// ErrorHandler, never dropped silently. Cookie-held sessions cannot be listed
// or revoked server-side: those methods return errors wrapping
// errors.ErrUnsupported, New refuses MaxPerPrincipal with a Codec, and Renew
// or Invalidate only replace or expire the client's cookie: a copy of the
// old cookie stays valid until its own expiry. A cookie-held session that
// expires while a request changing it runs is dropped as a stored one is
// (its changes logged at Warn level, no cookie sent), and one a request
// invalidated has its cookie expired even if that request then fails.
//
// # Events
//
// Listeners receive Events synchronously and in order: created, attribute
// added/replaced/removed, renewed, invalidated and expired (from sweeps). An
// Event carries the store key, never the ID. Options.Logger receives
// lifecycle logs through log/slog.
package session
