package app

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/httpstate/httpstate/session"
)

// maxScanAge caps how long a store scan is reused; see freshWindow.
const maxScanAge = 500 * time.Millisecond

// scanTimeout bounds one shared store scan. The scan runs detached from the
// request that started it, so that request's cancellation does not fail the
// other viewers waiting for the same scan.
const scanTimeout = 10 * time.Second

// errScansClosed is returned by scanCache.get after the App has been closed.
var errScansClosed = errors.New("app: closed")

// freshWindow returns how long a scan is reused for an App polling every
// poll: min(poll/2, maxScanAge). Half the poll interval means a viewer that
// polls sees a scan newer than its previous poll, so a change made by another
// instance reaches every dashboard within about 1.5 poll intervals, while N
// viewers cost at most about two scans per poll interval instead of N.
func freshWindow(poll time.Duration) time.Duration {
	return min(poll/2, maxScanAge)
}

// scan is the store-wide part of a dashboard snapshot: the result of one walk
// of the store, shared by every viewer. It is never modified once published;
// the viewer-specific parts of a snapshot are derived from copies.
type scan struct {
	started time.Time // when the walk began, on the cache's clock
	gen     uint64    // the hub generation when the walk began

	rows      []sessionRow        // most recently used first, at most maxRows; Current is never set
	keys      map[string]struct{} // every signed-in session's key, listed or not
	active    int
	users     int // distinct principals
	truncated bool
}

// scanCall is one scan in progress; the callers that want it wait on done.
type scanCall struct {
	started time.Time
	gen     uint64
	done    chan struct{} // closed once res and err are set
	res     *scan
	err     error
}

// scanCache shares store scans between the dashboards of one App: a scan is
// reused while it is younger than fresh and no session event has happened on
// this instance since it began, and concurrent callers wait for the scan in
// progress instead of starting their own (single flight). A failed scan is
// not cached. It is safe for concurrent use.
type scanCache struct {
	iterate func(context.Context, func(session.Meta) bool) error
	gen     func() uint64    // the hub's event generation
	now     func() time.Time // the wall clock, for freshness only
	fresh   time.Duration

	// base is cancelled by close: it stops the scans still running.
	base       context.Context
	cancelBase context.CancelFunc
	running    sync.WaitGroup

	// mu protects last, flight and closed.
	mu     sync.Mutex
	last   *scan     // the newest successful scan
	flight *scanCall // the newest scan in progress, nil if none
	closed bool
}

func newScanCache(iterate func(context.Context, func(session.Meta) bool) error, gen func() uint64, fresh time.Duration) *scanCache {
	base, cancel := context.WithCancel(context.Background())
	return &scanCache{iterate: iterate, gen: gen, now: time.Now, fresh: fresh, base: base, cancelBase: cancel}
}

// get returns a scan that began after the latest session event seen by this
// instance and less than fresh ago, walking the store if there is none. The
// returned scan is shared: the caller must not modify it. If ctx ends first,
// get returns its error; the scan goes on for the other callers.
func (c *scanCache) get(ctx context.Context) (*scan, error) {
	return c.getScan(ctx, false)
}

// getRecent is get for readers that need no scan newer than the latest
// session event, only one less than fresh old: the active-session count of
// /metrics and the chart's sampler. It reuses the newest scan, or joins the
// one in progress, whatever events have happened since it began. /metrics
// needs no login and anyone can make session events (a GET / creates a
// session), so with get, alternating new sessions and scrapes would start
// a walk per scrape, all running at once.
func (c *scanCache) getRecent(ctx context.Context) (*scan, error) {
	return c.getScan(ctx, true)
}

// getScan is get, or getRecent when anyGen is set.
func (c *scanCache) getScan(ctx context.Context, anyGen bool) (*scan, error) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil, errScansClosed
	}
	gen, now := c.gen(), c.now()
	if s := c.last; s != nil && (anyGen || s.gen == gen) && now.Sub(s.started) < c.fresh {
		c.mu.Unlock()
		return s, nil
	}
	// A scan in progress is joined, however long it has run, unless an event
	// happened since it began (and anyGen is not set): it may have missed
	// that event's change.
	call := c.flight
	if call == nil || (!anyGen && call.gen != gen) {
		call = &scanCall{started: now, gen: gen, done: make(chan struct{})}
		c.flight = call
		c.running.Add(1)
		go c.run(context.WithoutCancel(ctx), call)
	}
	c.mu.Unlock()
	select {
	case <-call.done:
		return call.res, call.err
	case <-ctx.Done():
		return nil, context.Cause(ctx)
	}
}

// run walks the store for call and publishes the result.
func (c *scanCache) run(ctx context.Context, call *scanCall) {
	defer c.running.Done()
	ctx, cancel := context.WithTimeout(ctx, scanTimeout)
	defer cancel()
	stop := context.AfterFunc(c.base, cancel)
	defer stop()
	s, err := c.walk(ctx)
	c.mu.Lock()
	if err == nil {
		s.started, s.gen = call.started, call.gen
		if l := c.last; l == nil || s.gen > l.gen || (s.gen == l.gen && !s.started.Before(l.started)) {
			c.last = s
		}
	}
	if c.flight == call {
		c.flight = nil
	}
	c.mu.Unlock()
	call.res, call.err = s, err
	close(call.done)
}

// walk reads every live session from the store. Anyone can create
// anonymous sessions (a GET / makes one), so it keeps no more of them than it
// shows: the rows are cut back to the maxRows most recently used whenever
// twice as many have come, and keys holds only signed-in sessions, since a
// dashboard's viewer is always signed in (as an admin).
func (c *scanCache) walk(ctx context.Context) (*scan, error) {
	s := &scan{keys: make(map[string]struct{})}
	users := make(map[string]struct{})
	var rows []sessionRow
	err := c.iterate(ctx, func(m session.Meta) bool {
		s.active++
		if m.Principal != "" {
			s.keys[m.Key] = struct{}{}
			users[m.Principal] = struct{}{}
		}
		if len(rows) == 2*maxRows {
			sortRows(rows)
			rows, s.truncated = rows[:maxRows], true
		}
		rows = append(rows, sessionRow{
			Key: m.Key, Short: shortKey(m.Key), Principal: m.Principal,
			Created: m.Created, LastAccess: m.LastAccess, Expiry: m.Expiry,
			Size: m.Size,
		})
		return true
	})
	if err != nil {
		return nil, fmt.Errorf("app: listing sessions: %w", err)
	}
	s.users = len(users)
	sortRows(rows)
	if len(rows) > maxRows {
		rows, s.truncated = rows[:maxRows], true
	}
	// Copy, so the cached scan does not pin the rows it does not list.
	s.rows = append([]sessionRow(nil), rows...)
	return s, nil
}

// sortRows sorts rows most recently used first, then by key.
func sortRows(rows []sessionRow) {
	sort.Slice(rows, func(i, j int) bool {
		x, y := rows[i], rows[j]
		if !x.LastAccess.Equal(y.LastAccess) {
			return x.LastAccess.After(y.LastAccess)
		}
		return x.Key < y.Key
	})
}

// close stops the scans in progress and waits for them; get fails afterwards.
// It is idempotent.
func (c *scanCache) close() {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	c.cancelBase()
	c.running.Wait()
}
