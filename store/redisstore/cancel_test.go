package redisstore_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/httpstate/httpstate/internal/testutil"
	"github.com/httpstate/httpstate/session"
	"github.com/httpstate/httpstate/store/redisstore"
)

// TestCancelledBeforeSend: a never-resent script (Delete, Update's
// compare-and-set) whose context is done before it is sent reports the
// context's error, not ErrOutcomeUnknown: nothing reached Redis, and the
// session is untouched. (A request whose client went away reaches the store
// this way.)
func TestCancelledBeforeSend(t *testing.T) {
	e := newLossEnv(t)
	bg := context.Background()
	if err := e.store.Create(bg, e.record("k", "", map[string][]byte{"n": []byte("0")})); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(bg)
	cancel()
	_, err := e.store.Delete(ctx, "k")
	if !errors.Is(err, context.Canceled) || errors.Is(err, redisstore.ErrOutcomeUnknown) {
		t.Errorf("Delete with a cancelled context: err = %v, want context.Canceled and not ErrOutcomeUnknown", err)
	}
	if _, ok, err := e.store.Load(bg, "k"); err != nil || !ok {
		t.Fatalf("Load after the cancelled Delete = %v, %v, want the session", ok, err)
	}
	if n, _ := e.proxy.lost(); n != 0 {
		t.Fatalf("proxy lost %d replies, want 0", n)
	}
}

// cancelHook cancels a context once a command (alone or in a pipeline)
// with an argument for which match is true has been processed.
type cancelHook struct {
	match  func(arg string) bool
	cancel context.CancelFunc
}

func (h *cancelHook) after(cmds []redis.Cmder) {
	for _, c := range cmds {
		for _, a := range c.Args() {
			if s, ok := a.(string); ok && h.match(s) {
				h.cancel()
				return
			}
		}
	}
}

func (h *cancelHook) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h *cancelHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		err := next(ctx, cmd)
		h.after([]redis.Cmder{cmd})
		return err
	}
}

func (h *cancelHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		err := next(ctx, cmds)
		h.after(cmds)
		return err
	}
}

// cancelAfter returns a context that c's cancelHook ends once a command
// with the argument arg has been processed; the test's end ends it too.
func cancelAfter(t *testing.T, c redis.UniversalClient, arg string) context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	c.AddHook(&cancelHook{cancel: cancel, match: func(a string) bool { return a == arg }})
	return ctx
}

// mustHaveCancelled fails the test unless ctx, which a hook was to end,
// has ended.
func mustHaveCancelled(t *testing.T, ctx context.Context) {
	t.Helper()
	if ctx.Err() == nil {
		t.Fatal("the hook never cancelled the context")
	}
}

// TestRenameCancelledMidway: a Rename whose context ends between its steps
// (a login request whose client went away) either did not happen or
// completed, and never loses the session. Cancelled once the old hash is
// marked, it unmarks it and returns the context's error: it left the old
// session marked, hence dead, though nothing more had been sent. Cancelled
// once the new hash exists, it completes (the old key is dead already):
// it returned the context's error with the new session live.
func TestRenameCancelledMidway(t *testing.T) {
	for _, step := range []string{"mark", "create"} {
		t.Run(step, func(t *testing.T) {
			s, clock, c := newIndexStore(t)
			now := clock.Now()
			bg := context.Background()
			rec := record("old", "alice", now)
			rec.Attrs = map[string][]byte{"cart": []byte(`"3 items"`)}
			if err := s.Create(bg, rec); err != nil {
				t.Fatal(err)
			}
			// Load the scripts, so that the cancelled one is not a NOSCRIPT.
			if err := s.Create(bg, record("warm", "", now)); err != nil {
				t.Fatal(err)
			}
			if err := s.Rename(bg, "warm", "warm2"); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(bg)
			defer cancel()
			h := &cancelHook{cancel: cancel, match: func(a string) bool {
				if step == "mark" {
					return strings.HasPrefix(a, "t:s:{new} ") // the mark
				}
				return a == "t:s:{new}" // the create script's key
			}}
			c.AddHook(h)
			err := s.Rename(ctx, "old", "new")
			mustHaveCancelled(t, ctx)
			_, okOld, errOld := s.Load(bg, "old")
			got, okNew, errNew := s.Load(bg, "new")
			if errOld != nil || errNew != nil {
				t.Fatal(errOld, errNew)
			}
			keys := principalKeys(t, s, "alice")
			switch step {
			case "mark":
				if !errors.Is(err, context.Canceled) || !okOld || okNew || !slices.Equal(keys, []string{"old"}) {
					t.Fatalf("Rename cancelled after the mark = %v; old live %v, new live %v, alice's %v; want context.Canceled, the old session only", err, okOld, okNew, keys)
				}
			case "create":
				if err != nil || okOld || !okNew || string(got.Attrs["cart"]) != `"3 items"` || !slices.Equal(keys, []string{"new"}) {
					t.Fatalf("Rename cancelled after the create = %v; old live %v, new live %v, alice's %v; want nil, the new session only", err, okOld, okNew, keys)
				}
			}
		})
	}
}

func principalMetas(t *testing.T, s *redisstore.Store, principal string) []session.Meta {
	t.Helper()
	ms, err := s.ByPrincipal(context.Background(), principal)
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

// TestIndexesAfterCancel: a write whose script has run keeps its index
// entries when its context ends before the index round trip: a Create
// naming a principal, and a Save shortening the idle timeout, returned the
// context's error for a write that was applied, without the expiry-index
// entry Sweep needs to report the session when it expires (never, for the
// Create; at the old expiry, if Redis still had the hash, for the Save).
func TestIndexesAfterCancel(t *testing.T) {
	for _, op := range []string{"create", "save"} {
		t.Run(op, func(t *testing.T) {
			s, clock, c := newIndexStore(t)
			bg := context.Background()
			// Load the scripts, so that the cancelled one is not a NOSCRIPT.
			if err := s.Create(bg, record("warm", "", clock.Now())); err != nil {
				t.Fatal(err)
			}
			if err := s.Save(bg, "warm", session.Delta{IdleTimeout: time.Hour}); err != nil {
				t.Fatal(err)
			}
			if op == "save" {
				if err := s.Create(bg, record("k", "alice", clock.Now())); err != nil {
					t.Fatal(err)
				}
			}
			ctx := cancelAfter(t, c, "t:s:{k}")
			var err error
			if op == "create" {
				err = s.Create(ctx, record("k", "alice", clock.Now()))
			} else {
				err = s.Save(ctx, "k", session.Delta{IdleTimeout: time.Minute})
			}
			mustHaveCancelled(t, ctx)
			if err != nil {
				t.Fatalf("%s cancelled after its script = %v, want nil (it was applied)", op, err)
			}
			want := time.Minute
			if op == "create" {
				want = 30 * time.Minute
			}
			clock.Advance(want)
			got, err := s.Sweep(bg)
			if err != nil || len(got) != 1 || got[0].Key != "k" {
				t.Fatalf("Sweep at the expiry = %v, %v; want k", got, err)
			}
		})
	}
}

// TestDeleteCancelledAfterScript: a Delete whose context ends once its
// script has deleted the session reports it deleted and still clears the
// index entries: it returned (true, the context's error), which the
// Manager's Invalidate took for a failed logout, and left the principal's
// entry behind.
func TestDeleteCancelledAfterScript(t *testing.T) {
	s, clock, c := newIndexStore(t)
	bg := context.Background()
	createAll(t, s, "alice", clock.Now(), "warm", "k")
	if _, err := s.Delete(bg, "warm"); err != nil { // loads the script
		t.Fatal(err)
	}
	ctx := cancelAfter(t, c, "t:s:{k}")
	ok, err := s.Delete(ctx, "k")
	mustHaveCancelled(t, ctx)
	if !ok || err != nil {
		t.Fatalf("Delete cancelled after its script = %v, %v; want true, nil", ok, err)
	}
	if n := c.Exists(bg, "t:s:{k}", "t:p:{alice}", "t:expiry").Val(); n != 0 {
		t.Errorf("%d of the hash and its index keys left, want none", n)
	}
}

// gateHook holds the first command (or pipeline) until release is closed,
// after telling started.
type gateHook struct {
	once             sync.Once
	started, release chan struct{}
}

func (h *gateHook) wait() {
	h.once.Do(func() {
		close(h.started)
		<-h.release
	})
}

func (h *gateHook) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h *gateHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		h.wait()
		return next(ctx, cmd)
	}
}

func (h *gateHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		h.wait()
		return next(ctx, cmds)
	}
}

// TestClosedDuringCall: a call in flight when Close closes the store's own
// client (Dial) fails with an error wrapping session.ErrClosed, as calls
// after Close do: it was go-redis's "client is closed" alone.
func TestClosedDuringCall(t *testing.T) {
	srv := testutil.StartRedis(t, nil)
	ctx := context.Background()
	for _, op := range []string{"load", "delete", "sweep"} {
		t.Run(op, func(t *testing.T) {
			s, err := redisstore.Dial(ctx, "redis://"+srv.Addr(), nil)
			if err != nil {
				t.Fatal(err)
			}
			h := &gateHook{started: make(chan struct{}), release: make(chan struct{})}
			s.Client().AddHook(h)
			done := make(chan error, 1)
			go func() {
				var err error
				switch op {
				case "load":
					_, _, err = s.Load(ctx, "k")
				case "delete":
					_, err = s.Delete(ctx, "k")
				case "sweep":
					_, err = s.Sweep(ctx)
				}
				done <- err
			}()
			<-h.started
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			close(h.release)
			err = <-done
			if !errors.Is(err, session.ErrClosed) || errors.Is(err, redisstore.ErrOutcomeUnknown) {
				t.Fatalf("%s in flight at Close = %v, want session.ErrClosed (and not ErrOutcomeUnknown)", op, err)
			}
		})
	}
}

// TestSweepCancelledAfterClaim: a Sweep whose context ends once it has
// claimed expired sessions (its ZREMs) still reaps and reports them (with
// the context's error): the reaps and the put-back of the entries failed
// on the done context, and the claimed sessions were never reported, by
// any Sweep.
func TestSweepCancelledAfterClaim(t *testing.T) {
	s, clock, c := newIndexStore(t)
	bg := context.Background()
	createAll(t, s, "alice", clock.Now(), "a", "b")
	clock.Advance(time.Hour)
	ctx := cancelAfter(t, c, "zrem")
	first, err := s.Sweep(ctx)
	mustHaveCancelled(t, ctx)
	t.Logf("Sweep cancelled after its claims: %v, %v", first, err)
	again, err := s.Sweep(bg)
	if err != nil {
		t.Fatal(err)
	}
	keys := sortedKeys(append(first, again...))
	if !slices.Equal(keys, []string{"a", "b"}) {
		t.Fatalf("two Sweeps, the first cancelled after its claims, reported %v; want a and b once", keys)
	}
	if n := c.Exists(bg, "t:s:{a}", "t:s:{b}", "t:expiry", "t:p:{alice}").Val(); n != 0 {
		t.Errorf("%d of the hashes and index keys left, want none", n)
	}
}

// TestPruneCancelledKeepsLiveEntry: ByPrincipal prunes an entry whose
// session looked absent; the session is created meanwhile (the entry was
// its Create's placeholder), and the context ends once the pruning ZREM
// has run. The re-read sees the live session and puts its entry back all
// the same: the put-back failed on the done context, and the live session
// was missing from its principal's index for good ("log out everywhere"
// never saw it).
func TestPruneCancelledKeepsLiveEntry(t *testing.T) {
	s, clock, c := newIndexStore(t)
	bg := context.Background()
	rec := record("k", "alice", clock.Now())
	if err := s.Create(bg, rec); err != nil {
		t.Fatal(err)
	}
	hash := c.HGetAll(bg, "t:s:{k}").Val()
	c.Del(bg, "t:s:{k}") // the hash not written yet, the placeholder there
	ctx, cancel := context.WithCancel(bg)
	defer cancel()
	var once sync.Once
	c.AddHook(&cancelHook{match: func(a string) bool { return a == "hmget" }, cancel: func() {
		once.Do(func() { // ByPrincipal has read the hash absent: now it is written
			direct := redis.NewClient(c.Options())
			defer direct.Close()
			direct.HSet(bg, "t:s:{k}", hash)
		})
	}})
	c.AddHook(&cancelHook{cancel: cancel, match: func(a string) bool { return a == "zrem" }})
	if _, err := s.ByPrincipal(ctx, "alice"); ctx.Err() == nil {
		t.Fatalf("the hook never cancelled the context (ByPrincipal: %v)", err)
	}
	if got := principalMetas(t, s, "alice"); len(got) != 1 || got[0].Key != "k" {
		t.Fatalf("ByPrincipal after the cancelled pruning = %v, want k", got)
	}
}

// newUnboundedStore is newIndexStore with a client that leaves every bound
// to the context (ContextTimeoutEnabled, no read or write timeout, no
// retries), and the Redis server, to pause or kill.
func newUnboundedStore(t *testing.T) (*testutil.RedisServer, *redisstore.Store, *testutil.Clock, *redis.Client) {
	t.Helper()
	srv := testutil.StartRedis(t, nil)
	c := redis.NewClient(&redis.Options{Addr: srv.Addr(), ReadTimeout: -1, WriteTimeout: -1,
		ContextTimeoutEnabled: true, MaxRetries: -1})
	s, clock := newClockedStore(t, c)
	return srv, s, clock, c
}

// TestDetachedWorkBounded: the work a call completes after its context
// ended (an applied write's index entries, a Delete's unindexing, the
// reaps of a Sweep's claims, the end of a Rename) is bounded in time even
// when the client leaves every bound to the context (ContextTimeoutEnabled,
// no read or write timeout) and Redis stops answering: it ran without any
// deadline and hung until Redis answered again, holding the caller. Cut
// short, it fails a Sweep; the other calls' writes were applied, and they
// report them (see TestCreateIndexFailure, TestIndexFailureAfterWrite).
func TestDetachedWorkBounded(t *testing.T) {
	for _, op := range []string{"create", "save", "delete", "rename", "sweep"} {
		t.Run(op, func(t *testing.T) {
			srv, s, clock, c := newUnboundedStore(t)
			redisstore.SetDetachLimit(s, 200*time.Millisecond)
			bg := context.Background()
			// Load every script, and make the sessions the call needs.
			createAll(t, s, "alice", clock.Now(), "w1", "k", "old")
			if err := s.Save(bg, "w1", session.Delta{IdleTimeout: time.Minute}); err != nil {
				t.Fatal(err)
			}
			if err := s.Rename(bg, "w1", "w2"); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Delete(bg, "w2"); err != nil {
				t.Fatal(err)
			}
			if op == "create" {
				if _, err := s.Delete(bg, "k"); err != nil {
					t.Fatal(err)
				}
			}
			if op == "sweep" {
				clock.Advance(time.Hour)
			}
			// The caller bounds its calls with a deadline; once the
			// script has run, Redis stops answering and the caller is
			// cancelled.
			ctx, cancel := context.WithTimeout(bg, time.Minute)
			defer cancel()
			var once sync.Once
			match := map[string]string{"create": "t:s:{k}", "save": "t:s:{k}", "delete": "t:s:{k}",
				"rename": "t:s:{new}", "sweep": "zrem"}[op]
			c.AddHook(&cancelHook{match: func(a string) bool { return a == match }, cancel: func() {
				once.Do(func() {
					if _, err := srv.Do("CLIENT", "PAUSE", "60000", "ALL"); err != nil {
						t.Error(err)
					}
					cancel()
				})
			}})
			done := make(chan error, 1)
			go func() {
				var err error
				switch op {
				case "create":
					err = s.Create(ctx, record("k", "alice", clock.Now()))
				case "save":
					err = s.Save(ctx, "k", session.Delta{IdleTimeout: time.Minute})
				case "delete":
					var ok bool
					if ok, err = s.Delete(ctx, "k"); !ok {
						err = errors.Join(errors.New("Delete reported nothing deleted"), err)
					}
				case "rename":
					err = s.Rename(ctx, "old", "new")
				case "sweep":
					_, err = s.Sweep(ctx)
				}
				done <- err
			}()
			select {
			case err := <-done:
				mustHaveCancelled(t, ctx)
				// A Create, Save, Delete or Rename whose script was
				// applied reports it (its unfinished index work a
				// warning, the placeholder in place): the caller must
				// take it. A Sweep's reaps cut short are an error.
				made := op != "sweep"
				if (err == nil) != made || (err != nil && strings.Contains(err.Error(), "reported nothing")) {
					t.Fatalf("%s with Redis not answering after its script = %v, want an error of the unfinished index work: %v", op, err, !made)
				}
				t.Logf("%s: %v", op, err)
			case <-time.After(20 * time.Second):
				srv.Kill() // let the call end
				t.Fatalf("%s still waiting 20 s after its context ended, on a Redis that does not answer", op)
			}
			srv.Kill()
		})
	}
}

// TestPlaceholderDroppedAfterCancel: a Create onto a taken key whose
// context ends once its script has answered "taken" still takes back the
// +inf placeholder it put in its principal's index: the take-back was
// skipped on the done context, and the placeholder stayed in a set
// without a TTL.
func TestPlaceholderDroppedAfterCancel(t *testing.T) {
	s, clock, c := newIndexStore(t)
	bg := context.Background()
	if err := s.Create(bg, record("k", "alice", clock.Now())); err != nil {
		t.Fatal(err)
	}
	ctx := cancelAfter(t, c, "t:s:{k}")
	if err := s.Create(ctx, record("k", "bob", clock.Now())); !errors.Is(err, session.ErrExists) {
		t.Fatalf("Create onto alice's key = %v, want ErrExists", err)
	}
	mustHaveCancelled(t, ctx)
	if n := c.Exists(bg, "t:p:{bob}").Val(); n != 0 {
		t.Errorf("bob's index after the failed Create: %v (PTTL %v), want none",
			c.ZRangeWithScores(bg, "t:p:{bob}", 0, -1).Val(), c.PTTL(bg, "t:p:{bob}").Val())
	}
}

// TestRenameCancelledDropsPlaceholder: on a cluster, where Rename adds the
// new key's +inf placeholder to the principal's index before its create
// step, a Rename whose context ends right after that placeholder unmarks
// the old session and takes the placeholder back: it stayed, an entry for
// a key that holds no session, kept past its principal's deadlines.
func TestRenameCancelledDropsPlaceholder(t *testing.T) {
	s, clock, c := newClusterIndexStore(t)
	bg := context.Background()
	if err := s.Create(bg, record("old", "alice", clock.Now())); err != nil {
		t.Fatal(err)
	}
	ctx := cancelAfter(t, c, "t:p:{alice}")
	if err := s.Rename(ctx, "old", "new"); !errors.Is(err, context.Canceled) {
		t.Fatalf("Rename cancelled after the placeholder = %v, want context.Canceled", err)
	}
	if _, ok, err := s.Load(bg, "old"); err != nil || !ok {
		t.Fatalf("Load(old) after the cancelled Rename = %v, %v; want the session", ok, err)
	}
	if got := c.ZRange(bg, "t:p:{alice}", 0, -1).Val(); !slices.Equal(got, []string{"old"}) {
		t.Errorf("alice's index after the cancelled Rename = %v, want [old]", got)
	}
}

// cancelBeforeHook cancels a context just before a command (alone or in a
// pipeline) with an argument for which match is true is processed.
type cancelBeforeHook struct{ cancelHook }

func (h *cancelBeforeHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		h.after([]redis.Cmder{cmd})
		return next(ctx, cmd)
	}
}

func (h *cancelBeforeHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		h.after(cmds)
		return next(ctx, cmds)
	}
}

// TestRenameCancelledWhileSending: a Rename whose context ends as its
// create step is being sent (after the check that unmarks on a done
// context) never loses the session: go-redis gave up on the done context
// without sending it, and Rename left the old hash marked, hence dead, and
// no new one. Now the create is run again, detached (its token makes that
// safe whether the first one ran or not), and the move completes.
func TestRenameCancelledWhileSending(t *testing.T) {
	s, clock, c := newIndexStore(t)
	bg := context.Background()
	rec := record("old", "alice", clock.Now())
	rec.Attrs = map[string][]byte{"cart": []byte(`"3 items"`)}
	if err := s.Create(bg, rec); err != nil {
		t.Fatal(err)
	}
	// Load the scripts, so that the cancelled one is not a NOSCRIPT.
	if err := s.Rename(bg, "old", "warm"); err != nil {
		t.Fatal(err)
	}
	if err := s.Rename(bg, "warm", "old"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(bg)
	defer cancel()
	c.AddHook(&cancelBeforeHook{cancelHook{cancel: cancel, match: func(a string) bool { return a == "t:s:{new}" }}})
	err := s.Rename(ctx, "old", "new")
	mustHaveCancelled(t, ctx)
	_, okOld, errOld := s.Load(bg, "old")
	got, okNew, errNew := s.Load(bg, "new")
	if errOld != nil || errNew != nil {
		t.Fatal(errOld, errNew)
	}
	keys := principalKeys(t, s, "alice")
	if err != nil || okOld || !okNew || string(got.Attrs["cart"]) != `"3 items"` || !slices.Equal(keys, []string{"new"}) {
		t.Fatalf("Rename cancelled while sending its create = %v; old live %v, new live %v, alice's %v; want nil, the new session only", err, okOld, okNew, keys)
	}
	clock.Advance(3 * time.Hour)
	if got, err := s.Sweep(bg); err != nil || len(got) != 1 || got[0].Key != "new" {
		t.Fatalf("Sweep after the expiry = %v, %v; want new, once", got, err)
	}
}

// TestCloseDuringSweep: a Close of a store that owns its client (Dial),
// called once a Sweep has claimed expired sessions (its ZREMs), waits for
// the reaps before it closes the client, and the Sweep reports them: it
// closed the client under the reaps and put-backs, which failed, and the
// claimed sessions, out of the index, were never reported by any Sweep.
func TestCloseDuringSweep(t *testing.T) {
	srv, s, clock := dialStore(t)
	bg := context.Background()
	createAll(t, s, "alice", clock.Now(), "a", "b")
	clock.Advance(time.Hour)
	closed := make(chan error, 1)
	early := false
	var once sync.Once
	s.Client().AddHook(&cancelHook{match: func(a string) bool { return a == "zrem" }, cancel: func() {
		once.Do(func() {
			go func() { closed <- s.Close() }()
			for { // until Close has marked the store closed
				if _, _, err := s.Load(bg, "x"); errors.Is(err, session.ErrClosed) {
					break
				}
				time.Sleep(time.Millisecond)
			}
			select { // give a Close that does not wait the time to close the client
			case err := <-closed:
				closed <- err
				early = true
			case <-time.After(200 * time.Millisecond):
			}
		})
	}})
	got, err := s.Sweep(bg)
	if cerr := <-closed; cerr != nil {
		t.Fatal(cerr)
	}
	keys := sortedKeys(got)
	// Its next batch finds the store closed: an error wrapping ErrClosed.
	if early || (err != nil && !errors.Is(err, session.ErrClosed)) || !slices.Equal(keys, []string{"a", "b"}) {
		t.Fatalf("Sweep with Close called after its claims = %v, %v (Close returned before the Sweep: %v); want a and b, no error but ErrClosed", keys, err, early)
	}
	direct := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	defer direct.Close()
	if n := direct.Exists(bg, "t:s:{a}", "t:s:{b}", "t:expiry").Val(); n != 0 {
		t.Errorf("%d of the hashes and the expiry index left, want none", n)
	}
}

// TestCloseDuringSweepBounded: Close's wait for a Sweep holding claims is
// bounded: with Redis no longer answering and a client that leaves every
// bound to the context (ContextTimeoutEnabled, no read or write timeout),
// Close returns after the detached-work bound, not when Redis answers.
func TestCloseDuringSweepBounded(t *testing.T) {
	srv, s, clock, c := newUnboundedStore(t)
	redisstore.SetDetachLimit(s, 300*time.Millisecond)
	bg := context.Background()
	if err := s.Create(bg, record("k", "", clock.Now())); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Hour)
	closed := make(chan time.Duration, 1)
	var once sync.Once
	c.AddHook(&cancelHook{match: func(a string) bool { return a == "zrem" }, cancel: func() {
		once.Do(func() {
			if _, err := srv.Do("CLIENT", "PAUSE", "60000", "ALL"); err != nil {
				t.Error(err)
			}
			go func() {
				start := time.Now()
				_ = s.Close()
				closed <- time.Since(start)
			}()
		})
	}})
	done := make(chan error, 1)
	go func() {
		_, err := s.Sweep(bg)
		done <- err
	}()
	select {
	case d := <-closed:
		t.Logf("Close returned after %v", d)
	case <-time.After(20 * time.Second):
		srv.Kill()
		t.Fatal("Close still waiting 20 s after the Sweep's claims, on a Redis that does not answer")
	}
	if err := <-done; err == nil {
		t.Error("Sweep with its reaps cut short returned no error")
	}
	srv.Kill()
}
