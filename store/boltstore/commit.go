package boltstore

import (
	"errors"
	"fmt"
	"sync"

	bolt "go.etcd.io/bbolt"

	"github.com/httpstate/httpstate/session"
)

// Group commit. A write enqueues its op. If no commit is running, the
// writer becomes the leader: it takes the whole queue (up to MaxBatchSize
// ops), runs it in one bbolt transaction, commits (one fsync), updates the
// read cache, hands leadership to the first writer that queued meanwhile
// and wakes its followers. Writes that arrive during a commit form the next
// batch. Nothing waits on a timer: a lone write commits at once, and under
// load each commit takes everything that queued during the previous one.
//
// One op's failure must not fail the others: an op that returns an error
// (a real failure: bbolt's, or a corrupt record) or panics makes the
// transaction roll back; the others run again without it, and a failed op
// of a larger batch runs again alone, so its caller gets the outcome of its
// own transaction. Expected outcomes (ErrNotFound, ErrExists, an error from
// Update's fn) are reported through the op's closure and write nothing.
// Ops may thus run more than once, and each resets its results on every run.
//
// An op that wrote nothing says so by returning errWroteNothing. A
// transaction in which every op wrote nothing is rolled back instead of
// committed: it has nothing to make durable, and a commit would cost a
// meta-page write and an fsync (a client replaying dead session IDs would
// otherwise make the server fsync once per request). An op that writes
// returns nil, so a commit is skipped only when every op has said it wrote
// nothing and bbolt has no changed node either, and the transaction read
// nothing but what is on disk: after a commit that failed with
// ErrOutcomeUnknown, the next transaction commits even when it wrote
// nothing, so that its ops' answers do not rest on a commit the disk may
// not hold.

// op is one write waiting for, or taking part in, a commit.
type op struct {
	fn func(tx *bolt.Tx, fx *effects) error
	fx effects
	// err is the op's outcome: bbolt's error or fn's.
	err error
	// wroteNothing is set when fn returned errWroteNothing.
	wroteNothing bool
	// panicked and pval hold a panic of fn, re-raised in the caller.
	panicked bool
	pval     any
	// wake receives true when the op's writer becomes the leader, false
	// when its op has been committed (or has failed).
	wake chan bool
	// done is set once the op's outcome is final.
	done bool
}

// effects lists the changes a write makes, in order, applied to the read
// cache after its commit: key now holds r (a record nobody else holds), or
// nothing when r is nil.
type effects []effect

type effect struct {
	key string
	r   *session.Record
}

// set records that key holds r after the write; nil means absent.
func (fx *effects) set(key string, r *session.Record) {
	*fx = append(*fx, effect{key, r})
}

// committer is the group commit queue.
type committer struct {
	mu      sync.Mutex
	queue   []*op
	running bool // a leader is committing
	// unsure is set when a commit failed with ErrOutcomeUnknown, and
	// cleared by the next commit that succeeds: until then, the file this
	// process reads may not be on disk. Only the leader uses it.
	unsure bool
}

// errOpFailed makes bbolt roll back a transaction in which an op failed.
var errOpFailed = errors.New("boltstore: op failed")

// errWroteNothing is returned by an op's fn that succeeded without writing
// (an expected outcome it reports through its closure, or nothing to do).
// It is not an error: the op's outcome is nil.
var errWroteNothing = errors.New("boltstore: op wrote nothing")

// errNothingToCommit makes bbolt roll back a transaction in which no op
// wrote anything: no commit, no fsync.
var errNothingToCommit = errors.New("boltstore: nothing to commit")

var opPool = sync.Pool{New: func() any { return &op{wake: make(chan bool, 1)} }}

// batch runs fn in a fsync'd write transaction, shared with concurrent
// writes (group commit). fn may run more than once; it reports expected
// outcomes through its closure, returning nil when it wrote and
// errWroteNothing when it did not, and records in fx what the read cache
// must learn. batch returns bbolt's error or fn's, wrapped with op; a panic
// in fn is re-raised here, in fn's caller.
func (s *Store) batch(opName string, fn func(tx *bolt.Tx, fx *effects) error) error {
	o := opPool.Get().(*op)
	o.fn = fn
	s.commit(o)
	err, panicked, pval := o.err, o.panicked, o.pval
	clear(o.fx[:cap(o.fx)]) // drop the records for the GC
	*o = op{fx: o.fx[:0], wake: o.wake}
	opPool.Put(o)
	if panicked {
		panic(pval)
	}
	if err != nil {
		return wrap(opName, err)
	}
	return nil
}

// commit enqueues o and returns once it has been committed or has failed.
func (s *Store) commit(o *op) {
	c := &s.committer
	c.mu.Lock()
	c.queue = append(c.queue, o)
	lead := !c.running
	c.running = true
	c.mu.Unlock()
	if !lead && !<-o.wake {
		return // a leader committed o
	}
	// o's writer leads: take the queue, which holds o.
	c.mu.Lock()
	ops := c.queue
	if len(ops) > s.maxBatch {
		ops = ops[:s.maxBatch:s.maxBatch]
		c.queue = c.queue[s.maxBatch:]
	} else {
		c.queue = nil
	}
	c.mu.Unlock()

	finished := false
	defer func() {
		if finished {
			return
		}
		// The leader's goroutine is ending inside run without returning: an
		// op's fn called runtime.Goexit (t.FailNow in a test's callback),
		// which no recover stops. The transaction rolled back; every op
		// without an outcome fails, and leadership still passes on, so that
		// no writer waits forever.
		for _, f := range ops {
			if !f.done {
				f.err, f.panicked, f.pval = errLeaderExited, false, nil
				s.apply(f.fx, errLeaderExited)
			}
		}
		s.handOver(ops, o)
	}()
	s.run(ops)
	finished = true
	s.handOver(ops, o)
}

// errLeaderExited is the outcome of the writes of a commit whose leader's
// goroutine ended (runtime.Goexit in a write's function) before committing.
var errLeaderExited = errors.New("boltstore: a write in the same commit ended its goroutine (runtime.Goexit); nothing was written")

// handOver passes leadership to the first writer that queued during the
// commit of ops (led by o's writer), then wakes ops' other writers.
func (s *Store) handOver(ops []*op, o *op) {
	c := &s.committer
	c.mu.Lock()
	if len(c.queue) > 0 {
		c.queue[0].wake <- true
	} else {
		c.running = false
	}
	c.mu.Unlock()
	for _, f := range ops {
		if f != o {
			f.wake <- false
		}
	}
}

// run commits ops, in one transaction when none fails, and sets each op's
// outcome. The cache is updated after each commit, in commit order: only
// one leader runs at a time.
func (s *Store) run(ops []*op) {
	for len(ops) > 0 {
		failed, txid := -1, 0
		err := s.update(func(tx *bolt.Tx) error {
			txid = tx.ID()
			if h := s.onWrite; h != nil {
				h(txid)
			}
			wrote := false
			for i, o := range ops {
				if !o.exec(tx) {
					failed = i
					return errOpFailed
				}
				wrote = wrote || !o.wroteNothing
			}
			// Nothing to make durable: roll back, sparing the fsync. A
			// changed node would mean an op wrote after all; commit it.
			// So is a transaction that read a commit not known to be on
			// disk (one that failed with ErrOutcomeUnknown): its ops'
			// answers (absent, exists) must not come from it, and this
			// commit makes it durable.
			if !wrote && !s.committer.unsure {
				if st := tx.Stats(); st.GetNodeCount() == 0 {
					return errNothingToCommit
				}
			}
			return nil
		})
		// The cache learns of a rolled-back transaction as of a failed
		// one (the keys its ops recorded are dropped; none should have),
		// but its ops succeeded.
		cacheErr := err
		if err == errNothingToCommit {
			err = nil
		}
		if failed < 0 && cacheErr == nil {
			s.durable.Store(int64(txid)) // committed and fsync'd
			s.committer.unsure = false
		} else if errors.Is(err, ErrOutcomeUnknown) {
			s.committer.unsure = true
		}
		if h := s.onCommit; h != nil && failed < 0 && cacheErr == nil {
			nothing := 0
			for _, o := range ops {
				if o.wroteNothing {
					nothing++
				}
			}
			h(len(ops)-nothing, nothing)
		}
		// bbolt panicked in the commit itself (a rebalance reading a
		// corrupt neighbour page), not in one op's work: the culprit is
		// unknown, so each op runs again alone, and only those whose own
		// commit panics fail.
		if failed < 0 && len(ops) > 1 && errors.Is(err, errCommitPanicked) && !errors.Is(err, ErrOutcomeUnknown) {
			for _, o := range ops {
				s.apply(o.fx, err)
				s.run([]*op{o})
			}
			return
		}
		if failed < 0 {
			for _, o := range ops {
				o.err = err
				s.apply(o.fx, cacheErr)
				o.done = true
			}
			return
		}
		// The transaction rolled back. A failed op of a larger batch runs
		// again alone; the others run again without it.
		f := ops[failed]
		if !f.panicked && len(ops) > 1 {
			s.run([]*op{f})
		}
		f.done = true
		ops = append(append(make([]*op, 0, len(ops)-1), ops[:failed]...), ops[failed+1:]...)
	}
}

// update runs fn in a write transaction. A panic outside the ops' work,
// which exec catches (one of bbolt's own, in Commit), becomes the
// transaction's error: the leader must still set every op's outcome, hand
// over and wake its followers, or every later write would wait forever.
// Nor may the panicked transaction keep bbolt's writer lock (see
// releaseWriter): when it cannot be released, the store is stuck, and
// every later write fails at once with errWriterStuck instead of waiting
// for the lock forever.
func (s *Store) update(fn func(tx *bolt.Tx) error) (err error) {
	if s.wedged.Load() {
		return errWedged
	}
	if s.stuck.Load() {
		return errWriterStuck
	}
	var (
		tx         *bolt.Tx
		txid       int  // tx.ID(), which a closed tx no longer tells
		committing bool // fn returned nil: bbolt commits
	)
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("%w: %v", errCommitPanicked, v)
			if !releaseWriter(tx) {
				s.stuck.Store(true)
				err = fmt.Errorf("%w (%w)", errWriterStuck, err)
			}
		}
		if err != nil && committing {
			err = s.commitFailed(txid, err)
		}
	}()
	wrapped := func(t *bolt.Tx) error {
		tx, txid = t, t.ID()
		if err := fn(t); err != nil {
			return err
		}
		committing = true
		return nil
	}
	if s.updateDB != nil {
		return s.updateDB(s.db, wrapped)
	}
	return s.db.Update(wrapped)
}

// commitFailed returns the error of the failed commit of transaction txid,
// wrapped with ErrOutcomeUnknown when bbolt wrote its meta page first. bbolt
// writes the data pages, fsyncs, then writes the meta page and fsyncs
// again; a failure up to the meta page's write leaves the file as it was,
// but once that page is in the OS page cache, this process's readers take
// it as the current meta (and later commits build on it), while the disk
// may or may not hold it (a failed fsync). A read transaction shows which:
// it starts from the current meta, and only txid's writer could have
// written a newer one. When that look fails, the outcome is unknown too.
func (s *Store) commitFailed(txid int, err error) error {
	if errors.Is(err, ErrOutcomeUnknown) {
		return err
	}
	seen := 0
	if verr := s.safeView(func(r *bolt.Tx) error { seen = r.ID(); return nil }); verr != nil || seen >= txid {
		return fmt.Errorf("%w: %w", ErrOutcomeUnknown, err)
	}
	return err
}

// releaseWriter makes sure that tx, a write transaction in which bbolt
// panicked, no longer holds bbolt's writer lock, and reports whether it
// does not. bbolt's Update rolls tx back on a panic, but that rollback
// reloads the freelist page, and panics itself when the page is junk,
// before it releases the lock: tx is then still open, and the next write
// would wait for the lock forever. A rollback without the reload (tx's
// Rollback, as after a write that returned an error) releases it; the
// pages tx's commit had taken from the freelist are then lost to the file
// (a leak, not a corruption). tx is nil when bbolt's Begin panicked, which
// it can do only after taking the lock.
func releaseWriter(tx *bolt.Tx) bool {
	if tx == nil {
		return false
	}
	if tx.DB() != nil {
		_ = safely(tx.Rollback) // panics when tx is still managed: fn panicked
	}
	return tx.DB() == nil
}

// errWriterStuck is the error of every write once a write transaction in
// which bbolt panicked could not be rolled back (see releaseWriter): it
// holds bbolt's writer lock, which nothing can release, so no write can
// run, nor can Close release the file, until the process exits.
var errWriterStuck = fmt.Errorf("a write transaction that panicked could not be rolled back and holds the file's writer lock; no write can run until the process restarts: %w", errPanicked)

// errCommitPanicked is the error of a write transaction in which bbolt
// panicked outside the ops' work (in Commit). It wraps errPanicked.
var errCommitPanicked = fmt.Errorf("panic in the write transaction: %w", errPanicked)

// exec runs o's fn in tx, catching a panic. It reports whether fn
// succeeded; otherwise o.err or o.pval holds why.
func (o *op) exec(tx *bolt.Tx) (ok bool) {
	o.fx = o.fx[:0]
	o.err, o.wroteNothing, o.panicked, o.pval = nil, false, false, nil
	defer func() {
		if !ok {
			v := recover()
			switch fp, isFn := v.(fnPanic); {
			case isFn: // Update's fn: re-raised in its caller
				o.panicked, o.pval = true, fp.v
			case v != nil: // bbolt's (a corrupt page) or the store's own
				o.err = fmt.Errorf("%w: %v", errPanicked, v)
			case o.err == nil: // runtime.Goexit
				o.panicked, o.pval = true, nil
			}
		}
	}()
	o.err = o.fn(tx, &o.fx)
	if o.err == errWroteNothing {
		o.err, o.wroteNothing = nil, true
	}
	return o.err == nil
}

// fnPanic carries a panic of Update's fn out of the write transaction, so
// that exec tells it from bbolt's own panics: the caller's fn panicked, so
// the caller panics (with v); a panic of bbolt is an error.
type fnPanic struct{ v any }

// callFn calls Update's fn, marking its panic as fnPanic. runtime.Goexit
// in fn passes through unmarked (recover sees nothing).
func callFn(fn func(old []byte, ok bool) ([]byte, error), old []byte, ok bool) ([]byte, error) {
	defer func() {
		if v := recover(); v != nil {
			panic(fnPanic{v})
		}
	}()
	return fn(old, ok)
}

// apply tells the cache what a commit changed; when the commit failed,
// the keys it touched are dropped, whatever the file now holds.
func (s *Store) apply(fx effects, commitErr error) {
	if s.cache == nil {
		return
	}
	for _, e := range fx {
		if commitErr != nil {
			s.cache.set(e.key, nil)
		} else {
			s.cache.set(e.key, e.r)
		}
	}
}

// setEncoded records that key holds the record encoded in v, which the
// transaction wrote.
func (fx *effects) setEncoded(key string, v []byte) error {
	r, err := decodeRecord(key, v)
	if err != nil {
		return err
	}
	fx.set(r.Key, r) // r.Key is a copy of key, which the cache must not keep
	return nil
}
