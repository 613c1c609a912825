package client

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
)

// Sentinels for the conditions callers branch on. An error returned by
// [Client.Do] wraps at most one of ErrDial, ErrTLS and ErrTimeout (the kind of
// failure), the underlying cause (a *net.OpError, *tls.CertificateVerificationError,
// context error, …) and, when the client gave up after retrying,
// ErrRetriesExhausted; test them with errors.Is and errors.As.
var (
	// ErrDial means the connection could not be established (DNS, refused,
	// unreachable).
	ErrDial = errors.New("dial failed")
	// ErrTLS means the TLS handshake failed or the server's certificate was
	// rejected.
	ErrTLS = errors.New("TLS handshake failed")
	// ErrTimeout means a timeout (Options.Timeout, a transport timeout or the
	// context's deadline) ended the request.
	ErrTimeout = errors.New("timed out")
	// ErrRetriesExhausted means the request failed on every attempt the retry
	// policy allowed; the error also wraps the last attempt's cause.
	ErrRetriesExhausted = errors.New("retries exhausted")
	// ErrHook means a request or response hook returned an error; the error
	// also wraps the hook's error.
	ErrHook = errors.New("hook failed")
	// ErrNotPersistable means Save or Load was asked to store cookies in a jar
	// that has no JSON persistence.
	ErrNotPersistable = errors.New("client: cookie jar cannot be saved")
)

// Error is the error [Client.Do] returns when a request fails before a
// response arrives, or when a hook fails. It names the request and wraps the
// kind of failure (a sentinel above, may be nil) and the cause.
type Error struct {
	Method string
	// URL is the request URL with any password redacted, the value of
	// each parameter of Options.BaseURL's query and of Options.Query as
	// REDACTED, and without its fragment.
	URL string
	// Attempts is how many times the request was sent.
	Attempts int
	// Kind is ErrDial, ErrTLS, ErrTimeout, ErrHook or nil.
	Kind error
	// Exhausted reports that the retry policy allowed no further attempt
	// after a retryable failure (errors.Is(err, ErrRetriesExhausted)).
	Exhausted bool
	// Err is the underlying cause.
	Err error
}

// Error returns "client: METHOD URL: kind: cause", with the attempts when
// retries were exhausted.
func (e *Error) Error() string {
	msg := fmt.Sprintf("client: %s %s", e.Method, e.URL)
	if e.Kind != nil {
		msg += ": " + e.Kind.Error()
	}
	if e.Err != nil { // an Error made by hand may lack one
		msg += ": " + e.Err.Error()
	}
	if e.Exhausted {
		msg += fmt.Sprintf(" (%s after %d attempts)", ErrRetriesExhausted, e.Attempts)
	}
	return msg
}

// Unwrap returns the kind sentinel, ErrRetriesExhausted when set and the cause.
func (e *Error) Unwrap() []error {
	errs := make([]error, 0, 3)
	if e.Kind != nil {
		errs = append(errs, e.Kind)
	}
	if e.Exhausted {
		errs = append(errs, ErrRetriesExhausted)
	}
	if e.Err != nil {
		errs = append(errs, e.Err)
	}
	return errs
}

// StatusError reports a response whose status code is not a success (2xx).
// [Client.Do] returns it, with the response (body closed), when
// Options.CheckStatus is set; [CheckStatus] builds it for any response.
type StatusError struct {
	Method string
	// URL is the request URL with any password redacted (and, from
	// Client.Do, the value of each parameter of Options.BaseURL's query
	// and of Options.Query as REDACTED, and without its fragment).
	URL        string
	StatusCode int
	// Status is the response's status line text, e.g. "404 Not Found".
	Status string
}

// Error returns "client: METHOD URL: status CODE TEXT".
func (e *StatusError) Error() string {
	return fmt.Sprintf("client: %s %s: status %s", e.Method, e.URL, e.Status)
}

// CheckStatus returns a *StatusError when resp's status code is 400 or more,
// and nil otherwise. It does not read or close the body.
func CheckStatus(resp *http.Response) error {
	if resp.StatusCode < 400 {
		return nil
	}
	e := &StatusError{StatusCode: resp.StatusCode, Status: resp.Status}
	if resp.Request != nil {
		e.Method = resp.Request.Method
		e.URL = resp.Request.URL.Redacted()
	}
	return e
}

// kindOf classifies a transport error as ErrDial, ErrTLS, ErrTimeout or nil.
func kindOf(err error) error {
	var (
		opErr   *net.OpError
		certErr *tls.CertificateVerificationError
		recErr  tls.RecordHeaderError
		alert   tls.AlertError
		unknown x509.UnknownAuthorityError
		host    x509.HostnameError
		invalid x509.CertificateInvalidError
		netErr  net.Error
	)
	switch {
	case errors.Is(err, context.DeadlineExceeded),
		errors.As(err, &netErr) && netErr.Timeout():
		return ErrTimeout
	case errors.As(err, &certErr), errors.As(err, &recErr), errors.As(err, &alert),
		errors.As(err, &unknown), errors.As(err, &host), errors.As(err, &invalid):
		return ErrTLS
	case errors.As(err, &opErr) && opErr.Op == "dial":
		return ErrDial
	}
	return nil
}
