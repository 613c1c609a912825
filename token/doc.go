// Package token makes and checks the tokens httpstate hands to clients:
// encrypted values under a rotating key set (Keyring), used by cookie-held
// sessions (store/cookiestore) and available to applications, and
// JSON Web Tokens (RFC 7519) for access and refresh tokens, built on
// github.com/golang-jwt/jwt/v5.
//
// # Keyring
//
// A [Keyring] seals values with AES-256-GCM (crypto/cipher). Every value names
// the key that sealed it, so any key of the ring opens it while only the
// first (current) key seals. Associated data binds a value to its context
// (for example a cookie name), so a value cannot be moved elsewhere.
//
// Random 96-bit nonces are safe for about 2^32 encryptions per key (NIST SP
// 800-38D section 8.3); rotate long before that.
//
// # Rotating keys
//
// Keyring keys and JWT signing keys rotate the same way, in three steps, so
// that no instance ever meets a value it cannot open:
//
//  1. Generate a new key (GenerateKey, or ed25519/rsa/ecdsa.GenerateKey with
//     a fresh kid) and deploy it to every instance at the END of the key
//     list: every instance now accepts it, none issues with it yet.
//  2. Once every instance runs with it, move the new key to the FRONT: it now
//     encrypts/signs. Values made under the old key still open. Where other
//     services verify JWTs from [KeySet.JWKS], which caches for five
//     minutes, wait that long after step 1 too, so none of them meets a
//     kid it has not fetched yet.
//  3. After the longest lifetime of anything issued under the old key
//     (cookie session lifetime, refresh-token TTL) remove the old key. Values
//     still carrying it now fail (ErrUnknownKey, ErrUnknownKID), that is,
//     as expired.
//
// To retire a compromised key, skip the wait in step 3: every value it made
// becomes invalid at once (sessions end, users sign in again); verifiers
// that cached the JWK Set still accept it until their copy expires (up to
// five minutes).
//
// # JSON Web Tokens
//
// A [KeySet] holds JWT keys for HS256, EdDSA, RS256 and ES256, each with a kid
// and the one algorithm it may be used with; the first key signs. A token is
// verified with the key its kid names and only if the token's alg is that
// key's algorithm, so "alg":"none" and algorithm confusion (an HS256 token
// MACed with an RSA public key's bytes) are rejected, as is any token with a
// "crit" header (no JWS extension is supported; RFC 7515 section 4.1.11).
// A token longer than [MaxTokenSize] (16 KiB) is neither signed nor parsed.
// [NewKeySet] refuses, with an error wrapping [ErrBadKey], a key it could
// not use or that would let anyone forge tokens: an HMAC secret under 32
// bytes, RSA under 2048 bits or with an unusable exponent, an ECDSA point
// off P-256, an Ed25519 public key of small order, a private key whose
// signatures do not verify with its public half.
// [KeySet.JWKS] serves the public keys as an RFC 7517 JWK Set.
//
// An [Authority] issues and validates access tokens and refresh tokens
// (exp, nbf, iat, iss and aud checked, with a small leeway). Refresh tokens
// are recorded in a [RefreshStore] and rotated on each use; a refresh token
// used twice revokes its whole family (reuse detection: a replayed refresh
// token means a copy was stolen), and with it the access tokens already
// issued in the family (RFC 9700 section 4.14.2). There is no grace period:
// a client that retries a refresh or runs two at once with the same token is
// signed out like a thief (see [Authority.Refresh]). A store that implements
// [RotatingRefreshStore] (MemoryRefreshStore does) consumes a refresh token
// and records its successor in one step, so that a store failure in the
// middle of a refresh does not sign the client out. Tokens are revoked by
// ID (jti) or per subject ("log out everywhere"). [Authority.Middleware] checks
// "Authorization: Bearer" (RFC 6750) and puts the claims in the request
// context; a token it cannot judge because the RefreshStore fails gets 503,
// not 401, so that clients keep it.
//
// # Concurrency
//
// Keyring, KeySet and Authority are safe for concurrent use; MemoryRefreshStore
// too.
package token
