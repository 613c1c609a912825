// Package memstore is an in-memory session.Store for tests and
// single-process applications.
//
// Records live in a fixed number of shards, each guarded by its own
// read-write lock, so requests for different sessions rarely contend. A
// stored record is immutable: Create copies the caller's record in, every
// write builds a new record (sharing the unchanged values with the old one)
// and swaps it in, and Load hands out the stored record itself, without a
// copy, as session.Store allows: callers treat it as read-only. A principal
// index (principal → keys) answers ByPrincipal without a full scan.
//
// Expired records are invisible to Load, ByPrincipal and Iterate at once, by
// the store's clock; they stay in memory until a Sweep removes them and
// reports each one exactly once. The store runs no goroutine of its own: the
// caller (usually session.Manager) decides when to sweep.
//
// Nothing survives the process: use store/boltstore or store/redisstore for
// sessions that must outlive a restart.
package memstore

import (
	"context"
	"fmt"
	"hash/maphash"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/httpstate/httpstate/session"
)

// DefaultShards is the number of shards a Store has when Options.Shards is 0.
const DefaultShards = 32

// Options configures a Store. A nil *Options means the defaults.
type Options struct {
	// Now is the clock that judges expiry. nil means time.Now.
	Now func() time.Time
	// Shards is the number of independently locked partitions of the key
	// space. 0 means DefaultShards; a negative value is an error.
	Shards int
}

// Store is an in-memory session.Store. It is safe for concurrent use.
// Create one with New.
type Store struct {
	now    func() time.Time
	seed   maphash.Seed
	shards []shard
	closed atomic.Bool

	// pmu protects principals. Lock order: shard locks (in index order),
	// then pmu.
	pmu        sync.Mutex
	principals map[string]map[string]struct{} // principal → set of keys; "" is not indexed
	ppeak      int                            // the most principals indexed since principals was made
}

// shrinkMin is the smallest peak (entries of a shard, or principals) after
// which a Sweep that leaves a quarter of it or less rebuilds the map: a Go
// map never shrinks by deleting, so without that the tables of the busiest
// hour would stay allocated for good.
const shrinkMin = 1024

// shrunk returns m rebuilt at its size when it holds a quarter of peak or
// less and peak is at least shrinkMin, and m itself otherwise; the new peak
// is the returned map's length or peak.
func shrunk[V any](m map[string]V, peak int) (map[string]V, int) {
	if peak < shrinkMin || len(m) > peak/4 {
		return m, peak
	}
	c := make(map[string]V, len(m)) // not maps.Clone, which copies the table
	for k, v := range m {
		c[k] = v
	}
	return c, len(c)
}

// shard is one partition of the key space.
type shard struct {
	// mu protects m and the entries it points to.
	mu   sync.RWMutex
	m    map[string]*entry
	peak int      // the most entries m has held since it was made
	_    [32]byte // keep neighbouring shard locks off one cache line
}

// entry is one stored record. rec is immutable once stored (Load hands it
// out): writes replace it with a new one.
type entry struct {
	rec  *session.Record
	size int // sum of len(v) over rec.Attrs
}

// Compile-time check that Store implements session.Store.
var _ session.Store = (*Store)(nil)

// New returns an empty Store configured by o (nil means the defaults).
func New(o *Options) (*Store, error) {
	var opt Options
	if o != nil {
		opt = *o
	}
	if opt.Shards < 0 {
		return nil, fmt.Errorf("memstore: Options.Shards is negative (%d)", opt.Shards)
	}
	if opt.Shards == 0 {
		opt.Shards = DefaultShards
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	s := &Store{
		now:        opt.Now,
		seed:       maphash.MakeSeed(),
		shards:     make([]shard, opt.Shards),
		principals: make(map[string]map[string]struct{}),
	}
	for i := range s.shards {
		s.shards[i].m = make(map[string]*entry)
	}
	return s, nil
}

// shardIndex returns the index of the shard holding key.
func (s *Store) shardIndex(key string) int {
	return int(maphash.String(s.seed, key) % uint64(len(s.shards)))
}

// check reports ErrClosed or the context's error.
func (s *Store) check(ctx context.Context, op string) error {
	if s.closed.Load() {
		return fmt.Errorf("memstore: %s: %w", op, session.ErrClosed)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memstore: %s: %w", op, err)
	}
	return nil
}

// closedErr returns an error wrapping ErrClosed if the store is closed, else
// nil. A call that found no record asks it once it has looked: Close sets
// closed before it empties the shards, each under its lock, so a record
// the call did not find because Close had discarded it is reported as
// ErrClosed, never as a session gone (which the Manager takes for one
// ended elsewhere). Only the not-found paths pay for it.
func (s *Store) closedErr(op string) error {
	if s.closed.Load() {
		return fmt.Errorf("memstore: %s: %w", op, session.ErrClosed)
	}
	return nil
}

// live reports whether e exists and has not expired at now.
func live(e *entry, now time.Time) bool {
	return e != nil && e.rec.Expiry().After(now)
}

// Create stores a copy of r. It returns an error wrapping session.ErrExists
// if a live record holds r.Key. An expired record under r.Key that no Sweep has
// reported yet is replaced.
func (s *Store) Create(ctx context.Context, r *session.Record) error {
	if err := s.check(ctx, "create"); err != nil {
		return err
	}
	if r == nil || r.Key == "" {
		return fmt.Errorf("memstore: create: nil record or empty key")
	}
	e := &entry{rec: copyRecord(r)}
	e.size = attrSize(r.Attrs)
	sh := &s.shards[s.shardIndex(r.Key)]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if s.closed.Load() {
		return fmt.Errorf("memstore: create: %w", session.ErrClosed)
	}
	old := sh.m[r.Key]
	if old != nil && live(old, s.now()) { // no clock read for a free key
		return fmt.Errorf("memstore: create %.8s: %w", r.Key, session.ErrExists)
	}
	sh.m[r.Key] = e
	sh.peak = max(sh.peak, len(sh.m))
	s.pmu.Lock()
	if old != nil {
		s.unindexLocked(old.rec.Principal, r.Key)
	}
	s.indexLocked(e.rec.Principal, r.Key)
	s.pmu.Unlock()
	return nil
}

// Load returns the live record under key; found is false when there is
// none. The record is the stored one, shared with other callers: it must not
// be modified (see session.Store). Later writes replace it and leave it as
// it was.
func (s *Store) Load(ctx context.Context, key string) (*session.Record, bool, error) {
	if err := s.check(ctx, "load"); err != nil {
		return nil, false, err
	}
	sh := &s.shards[s.shardIndex(key)]
	sh.mu.RLock()
	e := sh.m[key]
	if !live(e, s.now()) {
		sh.mu.RUnlock()
		return nil, false, s.closedErr("load")
	}
	r := e.rec
	sh.mu.RUnlock()
	return r, true, nil
}

// Save applies d to the live record under key. It returns an error wrapping
// session.ErrNotFound, changing nothing, when there is no live record.
func (s *Store) Save(ctx context.Context, key string, d session.Delta) error {
	if err := s.check(ctx, "save"); err != nil {
		return err
	}
	sh := &s.shards[s.shardIndex(key)]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	e := sh.m[key]
	if !live(e, s.now()) {
		if err := s.closedErr("save"); err != nil {
			return err
		}
		return fmt.Errorf("memstore: save %.8s: %w", key, session.ErrNotFound)
	}
	if d.IsEmpty() {
		return nil
	}
	if d.Principal != nil && *d.Principal != e.rec.Principal {
		s.pmu.Lock()
		s.unindexLocked(e.rec.Principal, key)
		s.indexLocked(*d.Principal, key)
		s.pmu.Unlock()
	}
	e.rec, e.size = applyDelta(e.rec, e.size, &d)
	return nil
}

// Update atomically replaces attribute attr of the live record under key
// with fn's result (nil deletes it). fn runs without any store lock held, on
// a copy of the current value, so it may call the Store; Update then swaps
// the new record in only if the record is still the one fn saw (records are
// immutable, so that is one pointer comparison), and calls fn again, with
// the value now stored, if another write came first. Update returns the
// value fn returned, fn's error unchanged, or an error wrapping
// session.ErrNotFound when there is no live record.
func (s *Store) Update(ctx context.Context, key, attr string, fn func(old []byte, ok bool) ([]byte, error)) ([]byte, error) {
	sh := &s.shards[s.shardIndex(key)]
	for {
		if err := s.check(ctx, "update"); err != nil {
			return nil, err
		}
		sh.mu.RLock()
		e := sh.m[key]
		if !live(e, s.now()) {
			sh.mu.RUnlock()
			if err := s.closedErr("update"); err != nil {
				return nil, err
			}
			return nil, fmt.Errorf("memstore: update %.8s: %w", key, session.ErrNotFound)
		}
		rec := e.rec
		sh.mu.RUnlock()

		old, ok := rec.Attrs[attr]
		nv, err := fn(cloneBytes(old), ok)
		if err != nil {
			return nil, err
		}
		if nv == nil && !ok {
			// Nothing to delete; the record need not be the one fn saw.
			return nil, nil
		}
		sh.mu.Lock()
		if sh.m[key] != e || e.rec != rec {
			sh.mu.Unlock()
			continue // written, renamed, deleted or closed meanwhile
		}
		if !live(e, s.now()) {
			sh.mu.Unlock()
			return nil, fmt.Errorf("memstore: update %.8s: %w", key, session.ErrNotFound)
		}
		d := session.Delta{}
		if nv == nil {
			d.Delete = []string{attr}
		} else {
			d.Set = map[string][]byte{attr: nv}
		}
		e.rec, e.size = applyDelta(e.rec, e.size, &d)
		sh.mu.Unlock()
		return nv, nil
	}
}

// Rename moves the live record under oldKey to newKey atomically. It returns
// an error wrapping session.ErrNotFound when oldKey holds no live record and
// one wrapping session.ErrExists when newKey holds one.
func (s *Store) Rename(ctx context.Context, oldKey, newKey string) error {
	if err := s.check(ctx, "rename"); err != nil {
		return err
	}
	if newKey == "" {
		return fmt.Errorf("memstore: rename: empty new key")
	}
	i, j := s.shardIndex(oldKey), s.shardIndex(newKey)
	a, b := &s.shards[i], &s.shards[j]
	switch {
	case i == j:
		a.mu.Lock()
		defer a.mu.Unlock()
	case i < j:
		a.mu.Lock()
		defer a.mu.Unlock()
		b.mu.Lock()
		defer b.mu.Unlock()
	default:
		b.mu.Lock()
		defer b.mu.Unlock()
		a.mu.Lock()
		defer a.mu.Unlock()
	}
	if s.closed.Load() { // as Create: Close may have emptied the shards meanwhile
		return fmt.Errorf("memstore: rename: %w", session.ErrClosed)
	}
	now := s.now()
	e := a.m[oldKey]
	if !live(e, now) {
		return fmt.Errorf("memstore: rename %.8s: %w", oldKey, session.ErrNotFound)
	}
	if oldKey == newKey {
		return fmt.Errorf("memstore: rename %.8s to itself: %w", newKey, session.ErrExists)
	}
	taken := b.m[newKey]
	if live(taken, now) {
		return fmt.Errorf("memstore: rename to %.8s: %w", newKey, session.ErrExists)
	}
	delete(a.m, oldKey)
	moved := *e.rec // the stored record is immutable: a new one, same Attrs
	moved.Key = newKey
	e.rec = &moved
	b.m[newKey] = e
	b.peak = max(b.peak, len(b.m))
	s.pmu.Lock()
	if taken != nil {
		s.unindexLocked(taken.rec.Principal, newKey)
	}
	s.unindexLocked(e.rec.Principal, oldKey)
	s.indexLocked(e.rec.Principal, newKey)
	s.pmu.Unlock()
	return nil
}

// Delete removes the live record under key; found reports whether one
// existed. An expired record is absent to Delete too (found=false): it is
// left for the Sweep that reports it, as every expired session is.
func (s *Store) Delete(ctx context.Context, key string) (bool, error) {
	if err := s.check(ctx, "delete"); err != nil {
		return false, err
	}
	sh := &s.shards[s.shardIndex(key)]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	e := sh.m[key]
	if e == nil {
		return false, s.closedErr("delete")
	}
	if !live(e, s.now()) {
		return false, nil
	}
	delete(sh.m, key)
	s.pmu.Lock()
	s.unindexLocked(e.rec.Principal, key)
	s.pmu.Unlock()
	return true, nil
}

// ByPrincipal lists the live sessions of principal, oldest (by Created)
// first, ties broken by key. Anonymous sessions (principal "") are not
// indexed: ByPrincipal("") returns none.
func (s *Store) ByPrincipal(ctx context.Context, principal string) ([]session.Meta, error) {
	if err := s.check(ctx, "by principal"); err != nil {
		return nil, err
	}
	if principal == "" {
		return nil, nil
	}
	s.pmu.Lock()
	set := s.principals[principal]
	keys := make([]string, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	s.pmu.Unlock()
	now := s.now()
	metas := make([]session.Meta, 0, len(keys))
	for _, k := range keys {
		sh := &s.shards[s.shardIndex(k)]
		sh.mu.RLock()
		e := sh.m[k]
		// The record may have moved on between the index read and now.
		if live(e, now) && e.rec.Principal == principal {
			metas = append(metas, e.meta())
		}
		sh.mu.RUnlock()
	}
	if err := s.closedErr("by principal"); err != nil {
		return nil, err // the index or a shard may have been emptied
	}
	sort.Slice(metas, func(i, j int) bool {
		if !metas[i].Created.Equal(metas[j].Created) {
			return metas[i].Created.Before(metas[j].Created)
		}
		return metas[i].Key < metas[j].Key
	})
	return metas, nil
}

// Iterate calls fn with the metadata of every live session, in no
// particular order, until fn returns false. fn runs without any store lock
// held, so it may call the Store; sessions created or removed during the
// iteration may or may not be visited.
func (s *Store) Iterate(ctx context.Context, fn func(session.Meta) bool) error {
	if err := s.check(ctx, "iterate"); err != nil {
		return err
	}
	var batch []session.Meta
	for i := range s.shards {
		if err := s.check(ctx, "iterate"); err != nil {
			return err
		}
		sh := &s.shards[i]
		now := s.now()
		batch = batch[:0]
		sh.mu.RLock()
		for _, e := range sh.m {
			if live(e, now) {
				batch = append(batch, e.meta())
			}
		}
		sh.mu.RUnlock()
		for _, m := range batch {
			if !fn(m) {
				return nil
			}
		}
	}
	return s.closedErr("iterate") // the last shards may have been emptied
}

// Sweep removes every expired record and returns its metadata. A record is
// removed, and so reported, by exactly one Sweep even when several run at
// once. It scans each shard in turn under that shard's write lock, so its
// cost follows the number of records held; other shards stay available.
func (s *Store) Sweep(ctx context.Context) ([]session.Meta, error) {
	if err := s.check(ctx, "sweep"); err != nil {
		return nil, err
	}
	var out []session.Meta
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		now := s.now()
		start := len(out)
		for k, e := range sh.m {
			if !live(e, now) {
				out = append(out, e.meta())
				delete(sh.m, k)
			}
		}
		if len(out) > start {
			s.pmu.Lock()
			for _, m := range out[start:] {
				s.unindexLocked(m.Principal, m.Key)
			}
			s.pmu.Unlock()
		}
		sh.m, sh.peak = shrunk(sh.m, sh.peak)
		sh.mu.Unlock()
	}
	s.pmu.Lock()
	s.principals, s.ppeak = shrunk(s.principals, s.ppeak)
	s.pmu.Unlock()
	return out, s.closedErr("sweep") // shards may have been emptied
}

// Close discards every record. Calls after Close return an error wrapping
// session.ErrClosed; closing twice is not an error.
func (s *Store) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		sh.m = map[string]*entry{}
		sh.peak = 0
		sh.mu.Unlock()
	}
	s.pmu.Lock()
	s.principals = map[string]map[string]struct{}{}
	s.ppeak = 0
	s.pmu.Unlock()
	return nil
}

// Len reports the number of records held, expired ones not yet swept
// included. It is meant for tests and metrics.
func (s *Store) Len() int {
	n := 0
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.RLock()
		n += len(sh.m)
		sh.mu.RUnlock()
	}
	return n
}

// indexLocked adds key to principal's set. The caller holds s.pmu.
func (s *Store) indexLocked(principal, key string) {
	if principal == "" {
		return
	}
	set := s.principals[principal]
	if set == nil {
		set = make(map[string]struct{}, 1)
		s.principals[principal] = set
		s.ppeak = max(s.ppeak, len(s.principals))
	}
	set[key] = struct{}{}
}

// unindexLocked removes key from principal's set, dropping an emptied set.
// The caller holds s.pmu.
func (s *Store) unindexLocked(principal, key string) {
	if principal == "" {
		return
	}
	set := s.principals[principal]
	delete(set, key)
	if len(set) == 0 {
		delete(s.principals, principal)
	}
}

// indexedKeys reports the number of principals and keys in the principal
// index, for tests.
func (s *Store) indexedKeys() (principals, keys int) {
	s.pmu.Lock()
	defer s.pmu.Unlock()
	for _, set := range s.principals {
		keys += len(set)
	}
	return len(s.principals), keys
}
