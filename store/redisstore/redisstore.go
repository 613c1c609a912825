package redisstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/httpstate/httpstate/session"
)

// DefaultPrefix is the key prefix used when Options.Prefix is empty.
const DefaultPrefix = "httpstate:"

// DefaultGrace is how long Redis keeps an expired session when
// Options.Grace is zero.
const DefaultGrace = time.Hour

// Options configures a Store. A nil *Options means all defaults.
type Options struct {
	// Prefix starts every key the store writes, so that several
	// applications can share one Redis. Default DefaultPrefix. A key is
	// the prefix, then "s:{", "c:{", "p:{" or "expiry", so a prefix that
	// begins another ("app" and "app2") keeps to its own keys; not one
	// that another store's prefix begins with its own "s:{" ("app:" and
	// "app:s:{eu}:"): the first store's Iterate would list the second's
	// sessions (under keys such as "eu}:s:{KEY"), and calls on those keys
	// would reach them; likewise with its own "p:{" or "c:{" (the second
	// store's keys could be the first's principal indexes or tokens).
	// Never pair such prefixes. A prefix with
	// a "{...}" hash tag would put every key in one cluster slot. On a
	// cluster, New refuses a prefix with a "{" that opens no tag of its own
	// (no "}" after it in the prefix, or "{}"): the tag would reach into
	// the rest of the key and split a session's keys over two slots.
	Prefix string
	// Grace is how long Redis keeps a session after it expired, so that
	// Sweep can report its metadata. Expired sessions are absent at once
	// whatever the grace. Default DefaultGrace.
	Grace time.Duration
	// SweepBatch is the number of expiry-index entries Sweep handles per
	// round trip. Default 500.
	SweepBatch int
	// Now is the store's clock for expiry. Default time.Now.
	Now func() time.Time
	// Logger receives warnings: corrupt records skipped by ByPrincipal and
	// Iterate, or dropped from the expiry index by Sweep, and writes
	// made whose index update failed (their session key, never an ID).
	// Default: discard.
	Logger *slog.Logger
}

// Store is a session.Store on Redis. It is safe for concurrent use, also by
// many processes sharing one Redis. Create it with New.
type Store struct {
	c      redis.UniversalClient
	prefix string
	grace  time.Duration
	// graceMS is grace in ms, boxed once for the Save script's arguments.
	graceMS any
	batch   int
	// maxArg is the longest argument sent (see limits.go).
	maxArg int
	// tokenMS is the token life in ms (see tokenLife), boxed once.
	tokenMS any
	now     func() time.Time
	log     *slog.Logger
	expiry  string // the expiry index key
	// ordered is true when a pipeline runs its commands in order (one
	// server); a cluster or ring pipeline runs per node concurrently.
	ordered bool
	closed  atomic.Bool
	// owned is true when the Store made its client (Dial): Close closes it.
	owned bool
	// closeMu guards held and heldDone, and orders Close's setting of
	// closed with hold.
	closeMu sync.Mutex
	// held counts the calls Close waits for (see hold): the Sweep
	// batches holding claims, from before their ZREMs are sent to after
	// the reaps and put-backs, the Creates and Renames, and the Saves
	// that change the principal or the idle timeout.
	held int
	// heldDone, made by a Close that waits, is closed when held drops
	// to zero.
	heldDone chan struct{}
	// replicaReads is true for a cluster client that sends reads to
	// replicas: the reads a write depends on go to the master (hmget).
	replicaReads bool
	// detachLimit bounds the work a call completes after its context
	// ended (see detach).
	detachLimit time.Duration
	// lastRepair is when Sweep last began an index repair (store clock,
	// Unix ms; 0: never), see repairDue.
	lastRepair atomic.Int64
}

var _ session.Store = (*Store)(nil)

// errPrefix prefixes the package's error messages.
const errPrefix = "redisstore: "

// ErrCorrupt reports a session hash that does not decode: a field this
// package never writes, or a malformed number.
var ErrCorrupt = errors.New("redisstore: corrupt session record")

// New returns a Store on c. c may be a *redis.Client, a Sentinel failover
// client, a *redis.ClusterClient or a *redis.Ring. The Store does not own c:
// close it after the Store.
func New(c redis.UniversalClient, o *Options) (*Store, error) {
	if c == nil {
		return nil, errors.New(errPrefix + "nil client")
	}
	var opts Options
	if o != nil {
		opts = *o
	}
	if opts.Prefix == "" {
		opts.Prefix = DefaultPrefix
	}
	if opts.Grace < 0 {
		return nil, fmt.Errorf(errPrefix+"negative Grace %v", opts.Grace)
	}
	if opts.Grace == 0 {
		opts.Grace = DefaultGrace
	}
	if opts.SweepBatch <= 0 {
		opts.SweepBatch = 500
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	_, cluster := c.(*redis.ClusterClient)
	_, ring := c.(*redis.Ring)
	if cluster && splitsSlots(opts.Prefix) {
		return nil, fmt.Errorf(errPrefix+"prefix %q has a \"{\" without a hash tag of its own: a session's keys would be in different cluster slots", opts.Prefix)
	}
	return &Store{
		replicaReads: readsReplicas(c),
		ordered:      !cluster && !ring,
		c:            c,
		prefix:       opts.Prefix,
		grace:        opts.Grace,
		graceMS:      opts.Grace.Milliseconds(),
		batch:        opts.SweepBatch,
		tokenMS:      tokenLife(c).Milliseconds(),
		maxArg:       maxArgDefault,
		now:          opts.Now,
		log:          opts.Logger,
		expiry:       opts.Prefix + "expiry",
		detachLimit:  detachLimit,
	}, nil
}

// Close marks the store closed: later calls return session.ErrClosed. It
// closes the client only if the Store made it (Dial); a client passed to
// New stays open for its owner to close. Closing twice does nothing.
//
// Close first waits for the Sweeps that have claimed expired sessions to
// reap them, or put their entries back, and for the Creates, Renames and
// index-changing Saves (a new principal or idle timeout) in flight to end,
// so that closing the client then (its own, or the owner's after Close)
// leaves no claimed session unreported, no session made or written
// without its index entries, and no session marked as moving, hence lost,
// by a Rename cut short; it waits at most a minute
// (the bound of that work, see the package doc), then goes on all the
// same. Other calls in flight when it
// closes its own client fail with an error wrapping session.ErrClosed.
func (s *Store) Close() error {
	s.closeMu.Lock()
	if s.closed.Swap(true) {
		s.closeMu.Unlock()
		return nil
	}
	var wait chan struct{}
	if s.held > 0 {
		wait = make(chan struct{})
		s.heldDone = wait
	}
	s.closeMu.Unlock()
	if wait != nil {
		t := time.NewTimer(s.detachLimit)
		select {
		case <-wait:
		case <-t.C:
		}
		t.Stop()
	}
	if !s.owned {
		return nil
	}
	if err := s.c.Close(); err != nil {
		return fmt.Errorf(errPrefix+"close: %w", err)
	}
	return nil
}

// hold registers a call that Close waits for before it closes the store's
// own client: a Sweep batch about to claim entries (under its reaps and
// put-backs, the claimed sessions would go unreported, out of the index),
// a Create (a session made without its expiry-index entry is never
// reported by Sweep), a Save changing the principal or the idle timeout
// (its index entries likewise), or a Rename (cut short after its first step, it
// would leave the session marked, hence lost). It returns false once the store is closed; else
// the caller must call release when done.
func (s *Store) hold() bool {
	s.closeMu.Lock()
	defer s.closeMu.Unlock()
	if s.closed.Load() {
		return false
	}
	s.held++
	return true
}

// release ends what hold began.
func (s *Store) release() {
	s.closeMu.Lock()
	defer s.closeMu.Unlock()
	if s.held--; s.held == 0 && s.heldDone != nil {
		close(s.heldDone)
		s.heldDone = nil
	}
}

// Client returns the store's go-redis client, e.g. for health checks. A
// Store made by Dial owns it: Close closes it, callers must not.
func (s *Store) Client() redis.UniversalClient { return s.c }

// check returns session.ErrClosed after Close.
func (s *Store) check() error {
	if s.closed.Load() {
		return fmt.Errorf(errPrefix+"%w", session.ErrClosed)
	}
	return nil
}

// hashKey returns the Redis key of the session hash for key.
func (s *Store) hashKey(key string) string { return s.prefix + "s:{" + key + "}" }

// tokenKey returns the Redis key of the token of the last call on the
// session hash for key that needs one (see token.go): same hash tag, so
// same cluster slot.
func (s *Store) tokenKey(key string) string { return s.prefix + "c:{" + key + "}" }

// principalKey returns the Redis key of principal's index.
func (s *Store) principalKey(principal string) string { return s.prefix + "p:{" + principal + "}" }

// keyOf returns the session key of a session hash's Redis key, and false if
// rk is not one.
func (s *Store) keyOf(rk string) (string, bool) {
	head := s.prefix + "s:{"
	if !strings.HasPrefix(rk, head) || !strings.HasSuffix(rk, "}") || len(rk) < len(head)+1 {
		return "", false
	}
	return rk[len(head) : len(rk)-1], true
}

// readsReplicas reports whether c is a cluster client whose options send
// read-only commands to replicas.
func readsReplicas(c redis.UniversalClient) (replicas bool) {
	defer func() {
		if recover() != nil { // a client without options, as in tokenLife
			replicas = false
		}
	}()
	cc, ok := c.(*redis.ClusterClient)
	if !ok || cc == nil {
		return false
	}
	o := cc.Options()
	return o != nil && (o.ReadOnly || o.RouteByLatency || o.RouteRandomly)
}

// splitsSlots reports whether a key prefix would give a session's hash
// and token keys (prefix+"s:{KEY}", prefix+"c:{KEY}") different cluster
// slots: when its first "{" is not closed, in the prefix, by a "}" after
// at least one byte, Redis hashes "s:{"/"c:{" too (or the whole key).
func splitsSlots(prefix string) bool {
	i := strings.IndexByte(prefix, '{')
	return i >= 0 && strings.IndexByte(prefix[i+1:], '}') <= 0
}

// ms returns t in Unix milliseconds.
func ms(t time.Time) int64 { return t.UnixMilli() }

// ttl returns the PEXPIRE argument for a session expiring at exp (Unix ms)
// judged at now (Unix ms): the time left, never negative, plus the grace.
func (s *Store) ttl(exp, now int64) int64 {
	return max(exp-now, 0) + s.grace.Milliseconds()
}

// wrap prefixes err with the operation, keeping it testable with errors.Is.
func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf(errPrefix+"%s: %w", op, err)
}

// wrap is wrap for the Store's calls: an error of a call in flight when
// Close closed the store's own client (go-redis's redis.ErrClosed) also
// wraps session.ErrClosed, as the calls after Close do.
func (s *Store) wrap(op string, err error) error {
	if err != nil && s.closed.Load() && errors.Is(err, redis.ErrClosed) && !errors.Is(err, session.ErrClosed) {
		return fmt.Errorf(errPrefix+"%s: %w: %w", op, session.ErrClosed, err)
	}
	return wrap(op, err)
}

// globEscape escapes the glob metacharacters of SCAN MATCH in s.
func globEscape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '*', '?', '[', ']', '\\':
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// deadlineScore returns the principal-index score for a session deadline
// (Unix ms, 0 = none).
func deadlineScore(d int64) float64 {
	if d == 0 {
		return inf
	}
	return float64(d)
}

// detachLimit is how long the work a call completes after its context
// ended may take (see detach).
const detachLimit = time.Minute

// detachedKey marks a context made by detach.
type detachedKey struct{}

// detach returns the context for work that must run to its end once begun,
// even when ctx ends meanwhile (an applied write's index entries, the
// put-back of removed entries, the reaps of a Sweep's claims, the end of a
// Rename): it keeps ctx's values, not its cancellation, and ends
// s.detachLimit from now, so that a Redis that stops answering does not
// hold the call for ever when the client leaves every bound to the
// context (ContextTimeoutEnabled without read or write timeouts). A
// context detach made is returned as it is: nested work shares its bound.
func (s *Store) detach(ctx context.Context) (context.Context, context.CancelFunc) {
	if ctx.Value(detachedKey{}) != nil {
		return ctx, func() {}
	}
	return context.WithTimeout(context.WithValue(context.WithoutCancel(ctx), detachedKey{}, true), s.detachLimit)
}

// ctxOK returns ctx's error, wrapped, if it is done.
func ctxOK(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return wrap("context", err)
	}
	return nil
}
