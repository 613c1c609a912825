package session

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// Manager serves sessions to HTTP handlers through its middleware (Handler)
// and administers them (ByPrincipal, InvalidatePrincipal, Revoke, Iterate,
// Sweep). It is safe for concurrent use. Create one with New and stop its
// sweeper with Close.
type Manager struct {
	c *config

	closed    atomic.Bool
	closeOnce sync.Once
	stop      context.CancelFunc // cancels the sweeper's context
	done      chan struct{}      // closed when the sweeper has returned; nil without one

	// pend recycles the small maps that hold a request's pending attribute
	// changes (Session.pendSet): see Session.release.
	pend sync.Pool

	// capLocks serialise the MaxPerPrincipal checks of one principal (by
	// hash, under capSeed): concurrent logins of one user each listed all
	// of them and evicted the others, leaving none.
	capLocks [capShards]sync.Mutex
	capSeed  maphash.Seed
}

// capShards is the number of capLocks.
const capShards = 32

// capLock returns the lock serialising principal p's MaxPerPrincipal checks.
func (m *Manager) capLock(p string) *sync.Mutex {
	return &m.capLocks[maphash.String(m.capSeed, p)%capShards]
}

// New returns a Manager configured by o. o must name a Store or a Codec. With
// a Store and a positive SweepInterval, New starts a sweeper goroutine that
// Close stops.
func New(o *Options) (*Manager, error) {
	c, err := o.normalize()
	if err != nil {
		return nil, err
	}
	m := &Manager{c: c, capSeed: maphash.MakeSeed()}
	if c.Store != nil && c.SweepInterval > 0 {
		ctx, cancel := context.WithCancel(context.Background())
		m.stop = cancel
		m.done = make(chan struct{})
		go m.sweeper(ctx, c.SweepInterval)
	}
	return m, nil
}

// Close stops the sweeper and waits for it to return. Sessions used after
// Close fail with ErrClosed. Close does not close the Store, which the caller
// owns. It is safe to call more than once.
func (m *Manager) Close() error {
	m.closeOnce.Do(func() {
		m.closed.Store(true)
		if m.stop != nil {
			m.stop()
			<-m.done
		}
	})
	return nil
}

func (m *Manager) sweeper(ctx context.Context, every time.Duration) {
	defer close(m.done)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := m.Sweep(ctx); err != nil && ctx.Err() == nil && !m.closed.Load() {
				m.c.log.LogAttrs(ctx, slog.LevelError, "session sweep failed", slog.String("error", err.Error()))
			}
		}
	}
}

// errUnsupported is returned by admin methods of a Codec-mode Manager.
func errUnsupported(op string) error {
	return fmt.Errorf("session: %s: cookie-held sessions have no server-side store: %w", op, errors.ErrUnsupported)
}

func (m *Manager) admin(op string) error {
	if m.c.Store == nil {
		return errUnsupported(op)
	}
	if m.closed.Load() {
		return fmt.Errorf("session: %s: %w", op, ErrClosed)
	}
	return nil
}

// ByPrincipal lists the live sessions of principal, oldest first. "" is no
// principal: anonymous sessions are not listed.
func (m *Manager) ByPrincipal(ctx context.Context, principal string) ([]Meta, error) {
	if err := m.admin("ByPrincipal"); err != nil {
		return nil, err
	}
	if principal == "" {
		return nil, nil
	}
	ms, err := m.c.Store.ByPrincipal(ctx, principal)
	if err != nil {
		return nil, fmt.Errorf("session: ByPrincipal: %w", err)
	}
	return ms, nil
}

// InvalidatePrincipal ends every session of principal ("log out
// everywhere") and returns how many it ended. Each emits EventInvalidated.
// A session renewed (Session.Renew) while it runs, under a key the listing
// did not hold, ends too: a listed session found gone is a reason to list
// again. "" is no principal: it ends nothing (never every anonymous
// session).
func (m *Manager) InvalidatePrincipal(ctx context.Context, principal string) (int, error) {
	if err := m.admin("InvalidatePrincipal"); err != nil {
		return 0, err
	}
	if principal == "" {
		return 0, nil
	}
	n := 0
	// A pass in which every listed session was deleted leaves none of them
	// alive: a Rename of one of them after its Delete fails. A pass that
	// found one gone may have lost it to a Rename, so list again; bounded,
	// as sessions can keep vanishing for other reasons (expiry, Revoke).
	for pass := 0; pass < maxInvalidatePasses; pass++ {
		ms, err := m.c.Store.ByPrincipal(ctx, principal)
		if err != nil {
			return n, fmt.Errorf("session: InvalidatePrincipal: %w", err)
		}
		missed := false
		for _, meta := range ms {
			ok, err := m.revoke(ctx, meta.Key, meta.Principal, "principal invalidated")
			if err != nil {
				return n, fmt.Errorf("session: InvalidatePrincipal: %w", err)
			}
			if ok {
				n++
			} else {
				missed = true
			}
		}
		if !missed {
			break
		}
	}
	return n, nil
}

// maxInvalidatePasses bounds InvalidatePrincipal's listings.
const maxInvalidatePasses = 8

// Revoke ends the session stored under key (a store key, the hash of an ID,
// as Meta.Key and Event.Key give it) and reports whether one existed.
func (m *Manager) Revoke(ctx context.Context, key string) (bool, error) {
	if err := m.admin("Revoke"); err != nil {
		return false, err
	}
	ok, err := m.revoke(ctx, key, "", "revoked")
	if err != nil {
		return false, fmt.Errorf("session: Revoke: %w", err)
	}
	return ok, nil
}

func (m *Manager) revoke(ctx context.Context, key, principal, why string) (bool, error) {
	ok, err := m.c.Store.Delete(ctx, key)
	if err != nil || !ok {
		return false, err
	}
	m.emit(ctx, Event{Kind: EventInvalidated, Key: key, Principal: principal, Time: m.c.Now()})
	m.c.log.LogAttrs(ctx, slog.LevelInfo, "session "+why, slog.String("session", shortKey(key)))
	return true, nil
}

// Iterate calls fn for every live session, without loading attributes, until
// fn returns false.
func (m *Manager) Iterate(ctx context.Context, fn func(Meta) bool) error {
	if err := m.admin("Iterate"); err != nil {
		return err
	}
	if err := m.c.Store.Iterate(ctx, fn); err != nil {
		return fmt.Errorf("session: Iterate: %w", err)
	}
	return nil
}

// Sweep asks the store to remove expired sessions now, emits EventExpired for
// each and returns how many there were. After Close it fails with ErrClosed. The sweeper calls it every
// SweepInterval. When the store fails part-way, the sessions it had already
// removed are still reported and counted, along with the error.
func (m *Manager) Sweep(ctx context.Context) (int, error) {
	if err := m.admin("Sweep"); err != nil {
		return 0, err
	}
	// A store that fails part-way returns what it already removed with
	// its error: report those too, since no later Sweep will.
	ms, err := m.c.Store.Sweep(ctx)
	now := m.c.Now()
	for _, meta := range ms {
		m.emit(ctx, Event{Kind: EventExpired, Key: meta.Key, Principal: meta.Principal, Time: now})
		m.c.log.LogAttrs(ctx, slog.LevelInfo, "session expired", slog.String("session", shortKey(meta.Key)))
	}
	if err != nil {
		return len(ms), fmt.Errorf("session: Sweep: %w", err)
	}
	return len(ms), nil
}

// emit delivers e to the listeners in order.
func (m *Manager) emit(ctx context.Context, e Event) {
	for _, l := range m.c.Listeners {
		m.deliver(ctx, l, e)
	}
}

// deliver calls l, recovering a panic: the other listeners still receive
// the event, a Sweep still reports the sessions it removed (no later one
// will), and the sweeper's goroutine (where a panic would end the process)
// keeps running. The panic is logged with the event's kind.
func (m *Manager) deliver(ctx context.Context, l Listener, e Event) {
	defer func() {
		if v := recover(); v != nil {
			m.c.log.LogAttrs(ctx, slog.LevelError, "session listener panicked",
				slog.String("event", e.Kind.String()), slog.String("session", shortKey(e.Key)),
				slog.String("panic", fmt.Sprint(v)))
		}
	}()
	l(ctx, e)
}
