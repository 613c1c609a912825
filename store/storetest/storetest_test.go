package storetest_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/httpstate/httpstate/session"
	"github.com/httpstate/httpstate/store/memstore"
	"github.com/httpstate/httpstate/store/storetest"
)

// brokenEnv names a deliberately broken store for TestMemstore to run the
// suite against; TestSuiteCatchesBrokenStores sets it in a child process.
const brokenEnv = "STORETEST_BROKEN"

// TestMemstore runs the suite against the reference in-memory store, so the
// suite itself is checked whenever it changes.
func TestMemstore(t *testing.T) {
	wrap := func(s session.Store) session.Store { return s }
	wrapNow := func(s session.Store, now func() time.Time) session.Store { return wrap(s) }
	lag := time.Duration(0)
	handle := func(s session.Store) session.Store { return s } // one memstore: no other handle
	if name := os.Getenv(brokenEnv); name != "" {
		i := slices.IndexFunc(brokenStores, func(b brokenStore) bool { return b.name == name })
		if i < 0 {
			t.Fatalf("%s=%q names no broken store", brokenEnv, name)
		}
		wrap, lag = brokenStores[i].wrap, brokenStores[i].clockLag
		if w := brokenStores[i].wrapNow; w != nil {
			wrapNow = w
		}
		if h := brokenStores[i].handle; h != nil {
			handle = h
		}
	}
	newHandle := func(t *testing.T, s session.Store, now func() time.Time) session.Store { return handle(s) }
	storetest.RunShared(t, func(t *testing.T, now func() time.Time) session.Store {
		s, err := memstore.New(&memstore.Options{Now: func() time.Time { return now().Add(-lag) }, Shards: 4})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return wrapNow(s, now)
	}, newHandle)
}

// A brokenStore breaks one promise of the contract; the suite must notice.
type brokenStore struct {
	name     string
	wrap     func(session.Store) session.Store
	wrapNow  func(s session.Store, now func() time.Time) session.Store // instead of wrap, for a store that needs the clock
	handle   func(session.Store) session.Store                         // another handle on the backend of a store wrap returned
	clockLag time.Duration                                             // the store's clock runs this far behind the suite's
	wantFail string                                                    // a case that must fail
}

var brokenStores = []brokenStore{
	{name: "resurrect", wrap: func(s session.Store) session.Store { return resurrect{s} }, wantFail: "WritesOnAbsent"},
	{name: "racy-update", wrap: func(s session.Store) session.Store { return racyUpdate{s} }, wantFail: "UpdateConcurrent"},
	{name: "sweep-twice", wrap: func(s session.Store) session.Store { return &sweepTwice{Store: s} }, wantFail: "Sweep"},
	{name: "unordered", wrap: func(s session.Store) session.Store { return reversed{s} }, wantFail: "ByPrincipalOrder"},
	{name: "shared-load", wrap: func(s session.Store) session.Store { return &sharedLoad{Store: s} }, wantFail: "LoadSnapshot"},
	{name: "mutates-loaded", wrap: func(s session.Store) session.Store { return &mutatesLoaded{Store: s} }, wantFail: "LoadSnapshot"},
	{name: "close-noop", wrap: func(s session.Store) session.Store { return closeNoop{s} }, wantFail: "Close"},
	{name: "rename-copies", wrap: func(s session.Store) session.Store { return renameCopies{s} }, wantFail: "Rename"},
	{name: "unreadable-large", wrap: func(s session.Store) session.Store { return unreadableLarge{s} }, wantFail: "ManyAttrs"},
	{name: "vague-refusal", wrap: func(s session.Store) session.Store { return vagueRefusal{s} }, wantFail: "ManyAttrs"},
	{name: "vague-principal", wrap: func(s session.Store) session.Store { return vaguePrincipal{s} }, wantFail: "LongPrincipal"},
	{name: "iterate-by-expiry", wrap: func(s session.Store) session.Store { return iterateByExpiry{s} }, wantFail: "IterateWhileWriting"},
	// Its writes start late (a backend slow to answer at first): the
	// waits of IterateWhileWriting must still let them in mid-iteration.
	{name: "iterate-by-expiry-slow-start", wrap: func(s session.Store) session.Store {
		return slowFirstCreate{iterateByExpiry{s}}
	}, wantFail: "IterateWhileWriting"},
	{name: "nil-empty", wrap: func(s session.Store) session.Store { return nilEmpty{s} }, wantFail: "NilValue"},
	{name: "sweep-stale", wrapNow: func(s session.Store, now func() time.Time) session.Store {
		return &sweepStale{Store: s, now: now, expiry: make(map[string]time.Time)}
	}, wantFail: "SweepFollowsExpiry"},
	{name: "rename-blocked-by-expired", wrap: func(s session.Store) session.Store {
		return &renameBlockedByExpired{Store: s, created: make(map[string]bool)}
	}, wantFail: "RenameOverExpired"},
	{name: "zero-deadline-epoch", wrap: func(s session.Store) session.Store { return zeroDeadlineEpoch{s} }, wantFail: "ZeroDeadline"},
	{name: "keeps-delta", wrap: func(s session.Store) session.Store {
		return &keepsDelta{Store: s, pending: make(map[string]session.Delta)}
	}, wantFail: "SaveKeepsNothing"},
	{name: "rename-tombstone", wrap: func(s session.Store) session.Store {
		return &renameTombstone{Store: s, dead: make(map[string]bool)}
	}, wantFail: "Rename"},
	{name: "index-misses-update", wrap: func(s session.Store) session.Store {
		return &indexMissesUpdate{Store: s, size: make(map[string]int)}
	}, wantFail: "UpdateSetsAndReturns"},
	{name: "indexes-anonymous", wrap: func(s session.Store) session.Store { return indexesAnonymous{s} }, wantFail: "ByPrincipalOrder"},
	{name: "ctx-not-found", wrap: func(s session.Store) session.Store { return ctxNotFound{s} }, wantFail: "ContextDone"},
	{name: "save-piecemeal", wrap: func(s session.Store) session.Store { return savePiecemeal{s} }, wantFail: "SaveConcurrent"},
	{name: "delete-wins", wrap: func(s session.Store) session.Store { return deleteWins{s} }, wantFail: "SaveSetAndDelete"},
	{name: "sweep-broadcast", wrap: func(s session.Store) session.Store { return &sweepBroadcast{Store: s, log: new(expiryLog)} },
		handle: func(s session.Store) session.Store {
			b := s.(*sweepBroadcast)
			return &sweepBroadcast{Store: b.Store, log: b.log}
		}, wantFail: "SweepSharedBackend"},
	{name: "sweep-drops-on-error", wrap: func(s session.Store) session.Store { return sweepDropsOnError{s} }, wantFail: "SweepCutShort"},
	{name: "slow-clock", wrap: func(s session.Store) session.Store { return s }, clockLag: time.Hour, wantFail: "ExpiryIdle"},
}

// TestSuiteCatchesBrokenStores runs the suite, in a child process, against
// each broken store and checks the case that should fail does.
func TestSuiteCatchesBrokenStores(t *testing.T) {
	for _, b := range brokenStores {
		t.Run(b.name, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestMemstore$", "-test.count=1")
			cmd.Env = append(os.Environ(), brokenEnv+"="+b.name)
			out, err := cmd.CombinedOutput()
			if err == nil {
				t.Fatalf("the suite passed a store that is %s", b.name)
			}
			if want := "--- FAIL: TestMemstore/" + b.wantFail + " "; !strings.Contains(string(out), want) {
				t.Fatalf("output lacks %q:\n%s", want, out)
			}
		})
	}
}

// resurrect lets a late save create the session it cannot find.
type resurrect struct{ session.Store }

func (s resurrect) Save(ctx context.Context, key string, d session.Delta) error {
	err := s.Store.Save(ctx, key, d)
	if errors.Is(err, session.ErrNotFound) {
		now := d.LastAccess
		if now.IsZero() {
			now = storetest.Epoch
		}
		r := storetest.NewRecord(key, "", now)
		r.Attrs = d.Set
		return s.Store.Create(ctx, r)
	}
	return err
}

// racyUpdate updates by Load, fn, Save: concurrent updates lose each other.
type racyUpdate struct{ session.Store }

func (s racyUpdate) Update(ctx context.Context, key, attr string, fn func([]byte, bool) ([]byte, error)) ([]byte, error) {
	r, found, err := s.Load(ctx, key)
	if err != nil || !found {
		return nil, errors.Join(err, session.ErrNotFound)
	}
	old, ok := r.Attrs[attr]
	runtime.Gosched()
	nv, err := fn(old, ok)
	if err != nil {
		return nil, err
	}
	d := session.Delta{Set: map[string][]byte{attr: nv}}
	if nv == nil {
		d = session.Delta{Delete: []string{attr}}
	}
	return nv, s.Save(ctx, key, d)
}

// sweepTwice reports every swept session again on the next Sweep.
type sweepTwice struct {
	session.Store
	mu   sync.Mutex
	last []session.Meta
}

func (s *sweepTwice) Sweep(ctx context.Context) ([]session.Meta, error) {
	got, err := s.Store.Sweep(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	out := append(got, s.last...)
	s.last = got
	return out, err
}

// reversed lists a principal's sessions newest first.
type reversed struct{ session.Store }

func (s reversed) ByPrincipal(ctx context.Context, p string) ([]session.Meta, error) {
	m, err := s.Store.ByPrincipal(ctx, p)
	slices.Reverse(m)
	return m, err
}

// sharedLoad hands every caller the same record.
type sharedLoad struct {
	session.Store
	mu    sync.Mutex
	cache map[string]*session.Record
}

func (s *sharedLoad) Load(ctx context.Context, key string) (*session.Record, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, ok := s.cache[key]; ok {
		return r, true, nil
	}
	r, found, err := s.Store.Load(ctx, key)
	if found {
		if s.cache == nil {
			s.cache = make(map[string]*session.Record)
		}
		s.cache[key] = r
	}
	return r, found, err
}

// mutatesLoaded changes the records it handed out when it saves: a loaded
// record is not a snapshot.
type mutatesLoaded struct {
	session.Store
	mu     sync.Mutex
	loaded map[string]*session.Record
}

func (s *mutatesLoaded) Load(ctx context.Context, key string) (*session.Record, bool, error) {
	r, found, err := s.Store.Load(ctx, key)
	if found {
		c := *r
		c.Attrs = make(map[string][]byte, len(r.Attrs))
		for k, v := range r.Attrs {
			c.Attrs[k] = v
		}
		s.mu.Lock()
		if s.loaded == nil {
			s.loaded = make(map[string]*session.Record)
		}
		s.loaded[key] = &c
		s.mu.Unlock()
		r = &c
	}
	return r, found, err
}

func (s *mutatesLoaded) Save(ctx context.Context, key string, d session.Delta) error {
	s.mu.Lock()
	if r := s.loaded[key]; r != nil {
		for k, v := range d.Set {
			r.Attrs[k] = v
		}
	}
	s.mu.Unlock()
	return s.Store.Save(ctx, key, d)
}

// deleteWins applies a Delta's deletions after its sets: an attribute
// named in both ends up deleted.
type deleteWins struct{ session.Store }

func (s deleteWins) Save(ctx context.Context, key string, d session.Delta) error {
	if err := s.Store.Save(ctx, key, d); err != nil {
		return err
	}
	var both []string
	for _, name := range d.Delete {
		if _, ok := d.Set[name]; ok {
			both = append(both, name)
		}
	}
	if len(both) == 0 {
		return nil
	}
	return s.Store.Save(ctx, key, session.Delta{Delete: both})
}

// sweepBroadcast reports expiries as a store fed by its backend's expiry
// events would (Redis keyspace notifications): every handle gets every
// event, so one handle reports each expired session once, several handles
// each report it.
type sweepBroadcast struct {
	session.Store
	log    *expiryLog // shared by the handles of one backend
	cursor int        // the events this handle has reported; log.mu
}

// expiryLog holds the expiry events of one backend.
type expiryLog struct {
	mu     sync.Mutex
	events []session.Meta
}

func (s *sweepBroadcast) Sweep(ctx context.Context) ([]session.Meta, error) {
	s.log.mu.Lock()
	defer s.log.mu.Unlock()
	got, err := s.Store.Sweep(ctx)
	s.log.events = append(s.log.events, got...)
	out := slices.Clone(s.log.events[s.cursor:])
	s.cursor = len(s.log.events)
	return out, err
}

// sweepDropsOnError checks its context once it has swept, and when it has
// ended returns the error alone: the sessions it removed are reported by
// no Sweep.
type sweepDropsOnError struct{ session.Store }

func (s sweepDropsOnError) Sweep(ctx context.Context) ([]session.Meta, error) {
	got, err := s.Store.Sweep(ctx)
	if err == nil {
		err = ctx.Err()
	}
	if err != nil {
		return nil, err
	}
	return got, nil
}

// closeNoop ignores Close.
type closeNoop struct{ session.Store }

func (closeNoop) Close() error { return nil }

// renameCopies copies the record to the new key and leaves the old one.
type renameCopies struct{ session.Store }

func (s renameCopies) Rename(ctx context.Context, oldKey, newKey string) error {
	r, found, err := s.Load(ctx, oldKey)
	if err != nil || !found {
		return errors.Join(err, session.ErrNotFound)
	}
	c := *r // a loaded record is read-only
	c.Key = newKey
	return s.Create(ctx, &c)
}

// unreadableLarge accepts records of any size but fails to load one of more
// than 65536 attributes, as boltstore's format once did.
type unreadableLarge struct{ session.Store }

func (s unreadableLarge) Load(ctx context.Context, key string) (*session.Record, bool, error) {
	r, found, err := s.Store.Load(ctx, key)
	if found && len(r.Attrs) > 1<<16 {
		return nil, false, errors.New("corrupt record: too many attributes")
	}
	return r, found, err
}

// nilEmpty loads empty values as nil, as memstore once did for a nil value.
type nilEmpty struct{ session.Store }

func (s nilEmpty) Load(ctx context.Context, key string) (*session.Record, bool, error) {
	r, found, err := s.Store.Load(ctx, key)
	if found {
		c := *r // a loaded record is read-only
		c.Attrs = make(map[string][]byte, len(r.Attrs))
		for k, v := range r.Attrs {
			if len(v) == 0 {
				v = nil
			}
			c.Attrs[k] = v
		}
		r = &c
	}
	return r, found, err
}

// vagueRefusal refuses records of more than 65536 attributes, writing
// nothing, with an error that does not wrap session.ErrTooLarge: the
// Manager would answer 503 (store unavailable) for the application's error.
type vagueRefusal struct{ session.Store }

var errVague = errors.New("record refused")

func (s vagueRefusal) Create(ctx context.Context, r *session.Record) error {
	if len(r.Attrs) > 1<<16 {
		return errVague
	}
	return s.Store.Create(ctx, r)
}

func (s vagueRefusal) Save(ctx context.Context, key string, d session.Delta) error {
	if r, found, err := s.Load(ctx, key); err == nil && found && len(r.Attrs)+len(d.Set) > 1<<16 {
		return errVague
	}
	return s.Store.Save(ctx, key, d)
}

// slowFirstCreate takes 4 s over the first Create of IterateWhileWriting's
// writer (key c-0), a backend slow to answer at first.
type slowFirstCreate struct{ session.Store }

func (s slowFirstCreate) Create(ctx context.Context, r *session.Record) error {
	if r.Key == "c-0" {
		time.Sleep(4 * time.Second)
	}
	return s.Store.Create(ctx, r)
}

// iterateByExpiry iterates in pages ordered by expiry, each read afresh
// after the last (expiry, key) visited, as a store walking its expiry index
// would: a session a Save moves past the cursor is visited twice, one
// moved before it is skipped.
type iterateByExpiry struct{ session.Store }

func (s iterateByExpiry) Iterate(ctx context.Context, fn func(session.Meta) bool) error {
	const page = 50
	var last *session.Meta
	after := func(m session.Meta) bool {
		return last == nil || m.Expiry.After(last.Expiry) || m.Expiry.Equal(last.Expiry) && m.Key > last.Key
	}
	for {
		var all []session.Meta
		if err := s.Store.Iterate(ctx, func(m session.Meta) bool {
			if after(m) {
				all = append(all, m)
			}
			return true
		}); err != nil {
			return err
		}
		slices.SortFunc(all, func(a, b session.Meta) int {
			if c := a.Expiry.Compare(b.Expiry); c != 0 {
				return c
			}
			return strings.Compare(a.Key, b.Key)
		})
		if len(all) == 0 {
			return nil
		}
		for _, m := range all[:min(page, len(all))] {
			if !fn(m) {
				return nil
			}
			last = &m
		}
	}
}

// vaguePrincipal refuses a principal over 4096 bytes, writing nothing,
// with an error that does not wrap session.ErrTooLarge, as boltstore once
// did.
type vaguePrincipal struct{ session.Store }

func (s vaguePrincipal) Create(ctx context.Context, r *session.Record) error {
	if len(r.Principal) > 4096 {
		return errVague
	}
	return s.Store.Create(ctx, r)
}

func (s vaguePrincipal) Save(ctx context.Context, key string, d session.Delta) error {
	if d.Principal != nil && len(*d.Principal) > 4096 {
		return errVague
	}
	return s.Store.Save(ctx, key, d)
}

// sweepStale sweeps by the expiry each record had when it was created, as a
// store whose expiry index Save does not update would: it removes a record
// whose access or idle timeout a Save extended.
type sweepStale struct {
	session.Store
	now    func() time.Time
	mu     sync.Mutex
	expiry map[string]time.Time
}

func (s *sweepStale) Create(ctx context.Context, r *session.Record) error {
	err := s.Store.Create(ctx, r)
	if err == nil {
		s.mu.Lock()
		s.expiry[r.Key] = r.Expiry()
		s.mu.Unlock()
	}
	return err
}

func (s *sweepStale) Sweep(ctx context.Context) ([]session.Meta, error) {
	var out []session.Meta
	s.mu.Lock()
	for k, exp := range s.expiry {
		if exp.After(s.now()) {
			continue
		}
		delete(s.expiry, k)
		r, found, err := s.Store.Load(ctx, k)
		if err != nil || !found {
			continue
		}
		if _, err := s.Store.Delete(ctx, k); err == nil {
			out = append(out, session.Meta{Key: r.Key, Principal: r.Principal, Created: r.Created,
				LastAccess: r.LastAccess, Expiry: r.Expiry(), Size: len(r.Attrs)})
		}
	}
	s.mu.Unlock()
	swept, err := s.Store.Sweep(ctx)
	return append(out, swept...), err
}

// renameBlockedByExpired refuses to rename onto any key it holds a record
// under, expired or not: an expired record still holds its key.
type renameBlockedByExpired struct {
	session.Store
	mu      sync.Mutex
	created map[string]bool
}

func (s *renameBlockedByExpired) Create(ctx context.Context, r *session.Record) error {
	err := s.Store.Create(ctx, r)
	if err == nil {
		s.mu.Lock()
		s.created[r.Key] = true
		s.mu.Unlock()
	}
	return err
}

func (s *renameBlockedByExpired) Rename(ctx context.Context, oldKey, newKey string) error {
	s.mu.Lock()
	taken := s.created[newKey]
	s.mu.Unlock()
	if taken {
		return session.ErrExists
	}
	return s.Store.Rename(ctx, oldKey, newKey)
}

// zeroDeadlineEpoch stores a zero Deadline as the Unix epoch, as a store
// that keeps times as Unix nanoseconds without a zero case would: the
// record has expired before it was created.
type zeroDeadlineEpoch struct{ session.Store }

func (s zeroDeadlineEpoch) Create(ctx context.Context, r *session.Record) error {
	if r.Deadline.IsZero() {
		c := *r
		c.Deadline = time.Unix(0, 0)
		r = &c
	}
	return s.Store.Create(ctx, r)
}

// keepsDelta keeps the caller's delta after Save (its Set map and Delete
// slice, not copies; it copies the values into that map, so changing a
// value slice afterwards is harmless) and applies it again when loading, as
// a write-behind cache would: a caller that reuses the map or the slice for
// its next request changes the session.
type keepsDelta struct {
	session.Store
	mu      sync.Mutex
	pending map[string]session.Delta
}

func (s *keepsDelta) Save(ctx context.Context, key string, d session.Delta) error {
	if err := s.Store.Save(ctx, key, d); err != nil {
		return err
	}
	for k, v := range d.Set {
		d.Set[k] = append([]byte{}, v...)
	}
	s.mu.Lock()
	s.pending[key] = d
	s.mu.Unlock()
	return nil
}

// forget drops what is kept for key, which a Create, Delete or Rename
// replaces.
func (s *keepsDelta) forget(key string) {
	s.mu.Lock()
	delete(s.pending, key)
	s.mu.Unlock()
}

func (s *keepsDelta) Create(ctx context.Context, r *session.Record) error {
	err := s.Store.Create(ctx, r)
	if err == nil {
		s.forget(r.Key)
	}
	return err
}

func (s *keepsDelta) Delete(ctx context.Context, key string) (bool, error) {
	s.forget(key)
	return s.Store.Delete(ctx, key)
}

func (s *keepsDelta) Rename(ctx context.Context, oldKey, newKey string) error {
	s.forget(oldKey)
	s.forget(newKey)
	return s.Store.Rename(ctx, oldKey, newKey)
}

func (s *keepsDelta) Load(ctx context.Context, key string) (*session.Record, bool, error) {
	r, found, err := s.Store.Load(ctx, key)
	s.mu.Lock()
	d, ok := s.pending[key]
	s.mu.Unlock()
	if found && ok {
		c := *r // a loaded record is read-only
		c.Attrs = make(map[string][]byte, len(r.Attrs)+len(d.Set))
		maps.Copy(c.Attrs, r.Attrs)
		for _, k := range d.Delete {
			delete(c.Attrs, k)
		}
		maps.Copy(c.Attrs, d.Set)
		r = &c
	}
	return r, found, err
}

// renameTombstone keeps a renamed record's old key taken for good.
type renameTombstone struct {
	session.Store
	mu   sync.Mutex
	dead map[string]bool
}

func (s *renameTombstone) Rename(ctx context.Context, oldKey, newKey string) error {
	err := s.Store.Rename(ctx, oldKey, newKey)
	if err == nil {
		s.mu.Lock()
		s.dead[oldKey] = true
		s.mu.Unlock()
	}
	return err
}

func (s *renameTombstone) Create(ctx context.Context, r *session.Record) error {
	s.mu.Lock()
	dead := s.dead[r.Key]
	s.mu.Unlock()
	if dead {
		return session.ErrExists
	}
	return s.Store.Create(ctx, r)
}

// indexMissesUpdate keeps the Size ByPrincipal reports in an index of its
// own that Create and Save update and Update does not.
type indexMissesUpdate struct {
	session.Store
	mu   sync.Mutex
	size map[string]int
}

func (s *indexMissesUpdate) index(ctx context.Context, key string) {
	r, found, err := s.Store.Load(ctx, key)
	if err != nil || !found {
		return
	}
	n := 0
	for _, v := range r.Attrs {
		n += len(v)
	}
	s.mu.Lock()
	s.size[key] = n
	s.mu.Unlock()
}

func (s *indexMissesUpdate) Create(ctx context.Context, r *session.Record) error {
	err := s.Store.Create(ctx, r)
	s.index(ctx, r.Key)
	return err
}

func (s *indexMissesUpdate) Save(ctx context.Context, key string, d session.Delta) error {
	err := s.Store.Save(ctx, key, d)
	s.index(ctx, key)
	return err
}

func (s *indexMissesUpdate) ByPrincipal(ctx context.Context, p string) ([]session.Meta, error) {
	metas, err := s.Store.ByPrincipal(ctx, p)
	s.mu.Lock()
	for i := range metas {
		if n, ok := s.size[metas[i].Key]; ok {
			metas[i].Size = n
		}
	}
	s.mu.Unlock()
	return metas, err
}

// indexesAnonymous lists the anonymous sessions for ByPrincipal("").
type indexesAnonymous struct{ session.Store }

func (s indexesAnonymous) ByPrincipal(ctx context.Context, principal string) ([]session.Meta, error) {
	if principal != "" {
		return s.Store.ByPrincipal(ctx, principal)
	}
	var out []session.Meta
	err := s.Iterate(ctx, func(m session.Meta) bool {
		if m.Principal == "" {
			out = append(out, m)
		}
		return true
	})
	return out, err
}

// ctxNotFound takes a failed read for an absent record: a Save whose
// context has ended reports ErrNotFound.
type ctxNotFound struct{ session.Store }

func (s ctxNotFound) Save(ctx context.Context, key string, d session.Delta) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("save: record unreadable (%v): %w", err, session.ErrNotFound)
	}
	return s.Store.Save(ctx, key, d)
}

// savePiecemeal applies a delta one attribute at a time, as a store
// without transactions might: a Load between two writes sees part of it.
type savePiecemeal struct{ session.Store }

func (s savePiecemeal) Save(ctx context.Context, key string, d session.Delta) error {
	if len(d.Set) > 8 { // ManyAttrs's deltas: one write each would take hours
		return s.Store.Save(ctx, key, d)
	}
	for name, v := range d.Set {
		if err := s.Store.Save(ctx, key, session.Delta{Set: map[string][]byte{name: v}}); err != nil {
			return err
		}
		runtime.Gosched()
	}
	rest := d
	rest.Set = nil
	return s.Store.Save(ctx, key, rest)
}

// lookingSweeper is a correct store whose Sweep looks at its context many
// times before it sweeps (a store checking it between backend calls).
type lookingSweeper struct {
	session.Store
	looks int
}

func (s lookingSweeper) Sweep(ctx context.Context) ([]session.Meta, error) {
	for range s.looks {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
	return s.Store.Sweep(ctx)
}

// TestSweepCutShortManyLooks: the SweepCutShort case passes a correct store
// whose Sweep looks at its context more times than a session of the case
// lives idle (its clock advances a minute a round): the case's live
// sessions must outlive all its rounds.
func TestSweepCutShortManyLooks(t *testing.T) {
	i := slices.IndexFunc(storetest.Cases(), func(c storetest.Case) bool { return c.Name == "SweepCutShort" })
	if i < 0 {
		t.Fatal("no SweepCutShort case")
	}
	c := storetest.Cases()[i]
	clock := storetest.NewClock(storetest.Epoch)
	s, err := memstore.New(&memstore.Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	store := lookingSweeper{Store: s, looks: 45}
	c.Run(t, &storetest.Env{Store: store, Clock: clock, Ctx: context.Background(),
		Handle: func(*testing.T) session.Store { return store }})
}
