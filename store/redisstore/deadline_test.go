package redisstore_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/httpstate/httpstate/internal/testutil"
	"github.com/httpstate/httpstate/session"
	"github.com/httpstate/httpstate/store/redisstore"
)

// newDeadlineEnv returns a store whose client bounds every command by its
// context (ContextTimeoutEnabled) and reaches Redis through a lossProxy
// that holds the lost reply until the client gives up, and the store's
// clock.
func newDeadlineEnv(t *testing.T) (*redisstore.Store, *lossProxy, *testutil.Clock) {
	t.Helper()
	rs := testutil.StartRedis(t, nil)
	p := startLossProxy(t, rs.Addr())
	p.mu.Lock()
	p.hold = true
	p.mu.Unlock()
	c := redis.NewClient(&redis.Options{Addr: p.Addr(), ContextTimeoutEnabled: true, MaxRetries: 3})
	s, clock := newClockedStore(t, c)
	return s, p, clock
}

// sweptKeys returns the sorted keys a Sweep reports.
func sweptKeys(t *testing.T, s *redisstore.Store) []string {
	t.Helper()
	got, err := s.Sweep(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return sortedKeys(got)
}

// sortedKeys returns the sorted keys of ms.
func sortedKeys(ms []session.Meta) []string {
	var keys []string
	for _, m := range ms {
		keys = append(keys, m.Key)
	}
	slices.Sort(keys)
	return keys
}

// TestCreateDeadlineAfterScript: a Create whose context deadline passes
// after its script ran in Redis, before the reply came back (a client with
// ContextTimeoutEnabled), reports the session it made and indexes it: it
// returned the timeout, for a session that exists (the Manager would
// issue another ID while this one lived on), and left it out of the
// expiry index (it names a principal, so its entries wait for the
// script's reply), so that no Sweep ever reported it.
func TestCreateDeadlineAfterScript(t *testing.T) {
	s, p, clock := newDeadlineEnv(t)
	bg := context.Background()
	// Load the script, so that the held one is not a NOSCRIPT.
	if err := s.Create(bg, record("warm", "", clock.Now())); err != nil {
		t.Fatal(err)
	}
	p.arm(0)
	ctx, cancel := context.WithTimeout(bg, time.Second)
	defer cancel()
	err := s.Create(ctx, record("k", "alice", clock.Now()))
	if n, armed := p.lost(); n != 1 || armed {
		t.Fatalf("proxy lost %d replies (still armed: %v), want 1", n, armed)
	}
	if ctx.Err() == nil {
		t.Fatal("the context did not end")
	}
	if _, ok, lerr := s.Load(bg, "k"); lerr != nil || !ok {
		t.Fatalf("Load after the Create = %v, %v; want the session (its script ran)", ok, lerr)
	}
	if err != nil {
		t.Errorf("Create cut off by its deadline after its script ran = %v, want nil: the session exists", err)
	}
	if got := principalKeys(t, s, "alice"); !slices.Equal(got, []string{"k"}) {
		t.Errorf("ByPrincipal(alice) = %v, want [k]", got)
	}
	clock.Advance(30 * time.Minute)
	if got := sweptKeys(t, s); !slices.Equal(got, []string{"k", "warm"}) {
		t.Errorf("Sweep at the expiry reported %v, want k and warm", got)
	}
}

// TestSaveDeadlineAfterScript: a Save that shortens the idle timeout and
// moves the session to another principal, whose context deadline passes
// after its script ran, before the reply came back, completes the index
// work: it returned the timeout with the write applied, and left the
// expiry index at the old, later expiry, so that Sweep reported the
// session only then (or never, had Redis dropped the hash by then).
func TestSaveDeadlineAfterScript(t *testing.T) {
	s, p, clock := newDeadlineEnv(t)
	bg := context.Background()
	if err := s.Create(bg, record("k", "alice", clock.Now())); err != nil {
		t.Fatal(err)
	}
	// Load the script, so that the held one is not a NOSCRIPT.
	if err := s.Save(bg, "k", session.Delta{IdleTimeout: 30 * time.Minute}); err != nil {
		t.Fatal(err)
	}
	p.arm(0)
	ctx, cancel := context.WithTimeout(bg, time.Second)
	defer cancel()
	bob := "bob"
	err := s.Save(ctx, "k", session.Delta{IdleTimeout: time.Minute, Principal: &bob})
	if n, armed := p.lost(); n != 1 || armed {
		t.Fatalf("proxy lost %d replies (still armed: %v), want 1", n, armed)
	}
	if ctx.Err() == nil {
		t.Fatal("the context did not end")
	}
	if err != nil {
		t.Errorf("Save cut off by its deadline after its script ran = %v, want nil: it was applied", err)
	}
	if got := principalKeys(t, s, "bob"); !slices.Equal(got, []string{"k"}) {
		t.Errorf("ByPrincipal(bob) = %v, want [k]", got)
	}
	// A plain Save (no index work) cut off the same way reports its
	// write: it returned the context's error for an applied write, which
	// the contract reserves for writes not made (or ErrOutcomeUnknown).
	p.arm(0)
	ctx2, cancel2 := context.WithTimeout(bg, time.Second)
	defer cancel2()
	err = s.Save(ctx2, "k", session.Delta{Set: map[string][]byte{"cart": []byte("3")}})
	if n, armed := p.lost(); n != 2 || armed {
		t.Fatalf("proxy lost %d replies (still armed: %v), want 2", n, armed)
	}
	if err != nil {
		t.Errorf("plain Save cut off by its deadline after its script ran = %v, want nil: it was applied", err)
	}
	if r, ok, err := s.Load(bg, "k"); err != nil || !ok || string(r.Attrs["cart"]) != "3" {
		t.Fatalf("Load after the plain Save = %v, %v; want cart=3", ok, err)
	}
	clock.Advance(2 * time.Minute)
	if got := sweptKeys(t, s); !slices.Equal(got, []string{"k"}) {
		t.Errorf("Sweep after the shortened idle timeout ran out reported %v, want k", got)
	}
}

// TestCreateCancelledBeforeSend: a Create whose context is done before it
// is called (a request whose client went away) writes nothing and returns
// the context's error; the detached rerun of a Create cut off mid-way is
// not for it. Checked on one server and on a cluster (whose placeholder
// goes out first, and is taken back).
func TestCreateCancelledBeforeSend(t *testing.T) {
	srv := testutil.StartRedis(t, nil)
	cl := testutil.StartRedisCluster(t, 3)
	clients := map[string]redis.UniversalClient{
		"standalone": redis.NewClient(&redis.Options{Addr: srv.Addr()}),
		"cluster":    redis.NewClusterClient(&redis.ClusterOptions{Addrs: cl.Addrs()}),
	}
	for name, c := range clients {
		t.Run(name, func(t *testing.T) {
			t.Cleanup(func() { c.Close() })
			s, err := redisstore.New(c, &redisstore.Options{Prefix: "t:"})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			if err := s.Create(ctx, record("k", "alice", time.Now())); !errors.Is(err, context.Canceled) {
				t.Fatalf("Create on a done context = %v, want context.Canceled", err)
			}
			bg := context.Background()
			if n := c.Exists(bg, "t:s:{k}").Val() + c.Exists(bg, "t:p:{alice}").Val() + c.Exists(bg, "t:expiry").Val(); n != 0 {
				t.Errorf("%d of the hash and its index keys written, want none", n)
			}
		})
	}
}

// lostReplyHook makes the first command (alone or in a pipeline) with an
// argument for which match is true run in Redis, then end the caller's
// context and fail as a reply cut off by it would.
type lostReplyHook struct {
	cancelHook
	mu    sync.Mutex
	fired bool
}

func (h *lostReplyHook) lose(cmds []redis.Cmder) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.fired {
		return nil
	}
	for _, c := range cmds {
		for _, a := range c.Args() {
			if s, ok := a.(string); ok && h.match(s) {
				h.fired = true
			}
		}
	}
	if !h.fired {
		return nil
	}
	h.cancel()
	for _, c := range cmds {
		c.SetErr(context.Canceled)
	}
	return context.Canceled
}

func (h *lostReplyHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if err := next(ctx, cmd); err != nil {
			return err
		}
		return h.lose([]redis.Cmder{cmd})
	}
}

func (h *lostReplyHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		if err := next(ctx, cmds); err != nil {
			return err
		}
		return h.lose(cmds)
	}
}

// TestCreateCutOffCluster: on a cluster, where every Create adds its index
// entries after the script's reply, a Create whose context ends once its
// script ran, before the reply is read, reports the session and indexes
// it: it returned the context's error for a session that existed, out of
// the expiry index (never reported by Sweep), anonymous or not.
func TestCreateCutOffCluster(t *testing.T) {
	s, clock, c := newClusterIndexStore(t)
	bg := context.Background()
	// Load the script on every master, so that the cut one is not a NOSCRIPT.
	if err := c.ForEachMaster(bg, func(ctx context.Context, n *redis.Client) error {
		return n.ScriptLoad(ctx, redisstore.CreateScriptSource()).Err()
	}); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"anon", "named"} {
		principal := map[string]string{"anon": "", "named": "alice"}[k]
		ctx, cancel := context.WithCancel(bg)
		c.AddHook(&lostReplyHook{cancelHook: cancelHook{cancel: cancel, match: func(a string) bool { return a == "t:s:{"+k+"}" }}})
		err := s.Create(ctx, record(k, principal, clock.Now()))
		mustHaveCancelled(t, ctx) // by the hook, before cancel below
		cancel()
		if _, ok, lerr := s.Load(bg, k); lerr != nil || !ok {
			t.Fatalf("Load(%s) after the Create = %v, %v; want the session (its script ran)", k, ok, lerr)
		}
		if err != nil {
			t.Errorf("Create(%s) cut off after its script ran = %v, want nil: the session exists", k, err)
		}
	}
	if got := principalKeys(t, s, "alice"); !slices.Equal(got, []string{"named"}) {
		t.Errorf("ByPrincipal(alice) = %v, want [named]", got)
	}
	clock.Advance(30 * time.Minute)
	if got := sweptKeys(t, s); !slices.Equal(got, []string{"anon", "named"}) {
		t.Errorf("Sweep at the expiry reported %v, want anon and named", got)
	}
}
