package storetest

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/httpstate/httpstate/session"
)

// sweepCutRounds bounds the SweepCutShort case: it ends its context at
// the first, second, ... look a Sweep takes at it, until a Sweep runs to
// its end before its context ends, or after this many rounds.
const sweepCutRounds = 400

// testSweepCutShort: a Sweep whose context ends part-way (at each look it
// takes at the context in turn) loses nothing: every expired session is
// reported either by it, along with its error, or by the next Sweep, and
// by one of them only (session.Store: unless the error wraps
// ErrOutcomeUnknown, when one may go unreported). A store that removed
// sessions and dropped them with the error, or left them where no later
// Sweep finds them, fails.
func testSweepCutShort(t *testing.T, e *Env) {
	const perRound = 4
	for round := range sweepCutRounds {
		now := e.Clock.Now()
		keys := make([]string, perRound)
		for i := range keys {
			keys[i] = fmt.Sprintf("r%d-%d", round, i)
			r := NewRecord(keys[i], "p", now)
			r.IdleTimeout = time.Minute
			mustCreate(t, e, r)
		}
		// Live throughout: the clock advances a minute a round, past
		// NewRecord's 30-minute idle timeout within the rounds.
		live := NewRecord(fmt.Sprintf("live%d", round), "p", now)
		live.IdleTimeout = 2 * sweepCutRounds * time.Minute
		mustCreate(t, e, live)
		e.Clock.Advance(time.Minute)

		ctx := newCutContext(e.Ctx, round)
		first, err := e.Store.Sweep(ctx)
		cut := ctx.wasCut()
		if err != nil && !cut {
			t.Fatalf("round %d: Sweep = %v before its context ended, want nil", round, err)
		}
		again := sweep(t, e)
		seen := make(map[string]int)
		for _, m := range append(first, again...) {
			seen[m.Key]++
		}
		// A removal whose outcome the store cannot tell may go unreported.
		unknown := errors.Is(err, session.ErrOutcomeUnknown)
		for _, k := range keys {
			if n := seen[k]; n != 1 && !(n == 0 && unknown) {
				t.Errorf("round %d (context ended at look %d; Sweep = %d sessions, %v): %s reported %d times by it and the next Sweep, want once",
					round, round, len(first), err, k, n)
			}
		}
		if len(seen) != perRound && !unknown {
			t.Errorf("round %d: the two Sweeps reported %v, want %v", round, slices.Sorted(maps.Keys(seen)), keys)
		}
		if t.Failed() {
			return
		}
		if !cut {
			t.Logf("a Sweep took %d looks at its context; each cut checked", round)
			return // this Sweep ran to its end: later looks are past it
		}
	}
	t.Logf("Sweep still looked at its context after %d looks; the first %d were checked", sweepCutRounds, sweepCutRounds)
}

// cutContext is a context that ends, with context.Canceled, at the look
// after its first limit ones: the calls of Done and Err count, so a store
// that looks at it in a fixed order is cut at the same step every run.
type cutContext struct {
	context.Context
	mu    sync.Mutex
	looks int
	limit int
	cut   bool
	done  chan struct{}
}

func newCutContext(parent context.Context, limit int) *cutContext {
	return &cutContext{Context: parent, limit: limit, done: make(chan struct{})}
}

// look counts a look and ends the context at the limit.
func (c *cutContext) look() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.cut && c.looks >= c.limit {
		c.cut = true
		close(c.done)
	}
	c.looks++
	return c.cut
}

func (c *cutContext) Done() <-chan struct{} {
	c.look()
	return c.done
}

func (c *cutContext) Err() error {
	if c.look() {
		return context.Canceled
	}
	return nil
}

// wasCut reports whether the context has ended.
func (c *cutContext) wasCut() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cut
}
