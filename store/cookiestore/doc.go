// Package cookiestore keeps whole sessions in the client's cookie: a
// session.Codec for session.Options.Codec, so a Manager needs no server-side
// store.
//
// # Format
//
// A session is encoded in a compact binary form (not gob: no type
// descriptors, a few bytes of overhead per attribute):
//
//	version | iat | exp | key | principal | created | last access | idle timeout | deadline | n | n × (name, value)
//
// with times as zig-zag varints of Unix milliseconds, durations as varints of
// nanoseconds and strings as length-prefixed bytes. It is sealed with
// AES-256-GCM through a token.Keyring (key ID in the header, associated data
// binding it to this use) and base64url-encoded, which consists of
// cookie-octets (RFC 6265bis section 4.1.1). The payload is not compressed:
// compressing attacker-influenced attributes next to secret ones before
// encryption would leak the secrets through the ciphertext length (CRIME).
//
// # Expiry and replay
//
// The issue time (iat) and expiry (the record's idle or absolute deadline,
// whichever comes first) travel inside the authenticated payload, and Decode
// rejects an expired value by the server's clock: a client that keeps or
// replays an old cookie gains nothing past that moment. Before it, a
// cookie-held session cannot be revoked one by one (there is no server
// state); Session.Invalidate only asks the client to drop the cookie. Keep
// idle timeouts short, or rotate the keys to end every session at once.
//
// # Size
//
// Browsers ignore cookies whose name and value exceed 4096 bytes (RFC
// 6265bis section 5.6 and 5.7). Encode refuses, with an error wrapping
// session.ErrTooLarge, a session whose encoding exceeds Options.MaxLen, and
// the Manager reports it through its ErrorHandler instead of losing the
// change silently. session.Options.CookieChunks spreads a larger value over
// several cookies; raise MaxLen to match.
//
// # Key rotation
//
// Keys rotate as described in package token: add the new key at the end of
// the Keyring on every instance, then move it to the front (it now encrypts;
// cookies sealed with the old key still decrypt), and drop the old key after
// session.Options.Lifetime has passed. Dropping it earlier ends every session
// it sealed, which is what to do when a key leaks.
package cookiestore
