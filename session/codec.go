package session

import "errors"

// Codec keeps a whole session in the client (cookie-held sessions; see
// store/cookiestore). With Options.Codec set the cookie value is
// Codec.Encode(record), decoded again on each request.
type Codec interface {
	// Encode serialises r for a cookie value. The result must consist of
	// cookie-octets (RFC 6265bis section 4.1.1). It returns an error wrapping
	// ErrTooLarge if the record cannot fit.
	Encode(r *Record) (string, error)
	// Decode parses a value Encode returned. Any tampered, expired or
	// undecodable value is an error, and the request gets a fresh session.
	Decode(s string) (*Record, error)
}

// ErrTooLarge reports a session too large to keep: a cookie-held session
// that does not fit in its cookie(s), or a record a Store refuses because it
// could not store and read it back (store errors wrap it). It is the
// application's doing, not an outage: the Manager hands it to
// Options.ErrorHandler (500 by default, not 503), and the change is never
// silently dropped.
var ErrTooLarge = errors.New("session: too large")
