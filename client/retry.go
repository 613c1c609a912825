package client

import (
	"context"
	"errors"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Retry defaults.
const (
	DefaultMaxAttempts = 4
	DefaultBaseDelay   = 100 * time.Millisecond
	DefaultMaxDelay    = 10 * time.Second
	DefaultMaxElapsed  = 60 * time.Second
)

// RetryPolicy says when and how often a failed request is sent again.
//
// A request is retried only when its method is idempotent (GET, HEAD,
// OPTIONS, TRACE, PUT, DELETE; RFC 9110 section 9.2.2) and its body can be
// replayed (no body, or GetBody set), after a connection error (not a TLS
// certificate error, not the context ending) or a 429, 502, 503 or 504
// response. The wait before attempt n+1 is the response's Retry-After
// (seconds or HTTP-date, RFC 9110 section 10.2.3) when present, and otherwise
// a random duration in [0, min(MaxDelay, BaseDelay·2ⁿ)) ("full jitter").
// Retrying stops after MaxAttempts attempts, or when the next wait would end
// more than MaxElapsed after the first attempt began or after the request
// context's deadline; the last response is then returned as is, or the last
// error wrapped with ErrRetriesExhausted.
type RetryPolicy struct {
	// MaxAttempts is the number of attempts, the first included; 0 means
	// DefaultMaxAttempts, 1 disables retries.
	MaxAttempts int
	// BaseDelay is the first backoff ceiling; 0 means DefaultBaseDelay.
	BaseDelay time.Duration
	// MaxDelay caps every backoff ceiling; 0 means DefaultMaxDelay.
	MaxDelay time.Duration
	// MaxElapsed bounds the total time spent; 0 means DefaultMaxElapsed.
	MaxElapsed time.Duration
	// Rand draws the jitter; nil means an unseeded source. Seed it for
	// reproducible waits. The client serialises its use.
	Rand *rand.Rand
	// Sleep waits d or until ctx ends, returning ctx.Err() then; nil means a
	// timer. Tests inject one that records d and returns at once.
	Sleep func(ctx context.Context, d time.Duration) error
}

// retrier is a normalised RetryPolicy.
type retrier struct {
	RetryPolicy
	mu sync.Mutex // protects Rand
}

func newRetrier(p *RetryPolicy) *retrier {
	r := &retrier{}
	if p != nil {
		r.RetryPolicy = *p
	}
	if r.MaxAttempts <= 0 {
		r.MaxAttempts = DefaultMaxAttempts
	}
	if r.BaseDelay <= 0 {
		r.BaseDelay = DefaultBaseDelay
	}
	if r.MaxDelay <= 0 {
		r.MaxDelay = DefaultMaxDelay
	}
	if r.MaxElapsed <= 0 {
		r.MaxElapsed = DefaultMaxElapsed
	}
	if r.Rand == nil {
		r.Rand = rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	}
	if r.Sleep == nil {
		r.Sleep = sleepCtx
	}
	return r
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// backoff returns the full-jitter wait after the attempt-th failure (0-based).
func (r *retrier) backoff(attempt int) time.Duration {
	ceil := r.MaxDelay
	if attempt < 62 {
		if c := r.BaseDelay << attempt; c > 0 && c < ceil && c>>attempt == r.BaseDelay {
			ceil = c
		}
	}
	r.mu.Lock()
	d := time.Duration(r.Rand.Int64N(int64(ceil)))
	r.mu.Unlock()
	return d
}

// idempotent reports whether method is idempotent (RFC 9110 section 9.2.2).
func idempotent(method string) bool {
	switch method {
	case "", http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace,
		http.MethodPut, http.MethodDelete:
		return true
	}
	return false
}

// retryableStatus reports the statuses worth another attempt.
func retryableStatus(code int) bool {
	switch code {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable,
		http.StatusGatewayTimeout:
		return true
	}
	return false
}

// retryableErr reports transport errors worth another attempt: connection
// failures, resets and timeouts, but not TLS failures (a bad certificate
// stays bad) nor the caller's context ending.
func retryableErr(ctx context.Context, err error) bool {
	if ctx.Err() != nil || errors.Is(err, context.Canceled) {
		return false
	}
	if kindOf(err) == ErrTLS {
		return false
	}
	var netErr net.Error
	return errors.As(err, &netErr) || errors.Is(err, io.EOF) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.ECONNREFUSED)
}

// retryAfter parses a Retry-After value, delay-seconds or an HTTP-date
// (RFC 9110 section 10.2.3), relative to now.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseUint(v, 10, 32); err == nil {
		return time.Duration(n) * time.Second, true
	} else if errors.Is(err, strconv.ErrRange) {
		// delay-seconds is 1*DIGIT: a valid value too long for 32 bits
		// asks for a wait of 136 years or more, not for none.
		return math.MaxInt64, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	d := t.Sub(now)
	if d < 0 {
		d = 0
	}
	return d, true
}
