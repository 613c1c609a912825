package redisstore_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/httpstate/httpstate/internal/testutil"
	"github.com/httpstate/httpstate/session"
	"github.com/httpstate/httpstate/store/redisstore"
)

// lossProxy is a loopback TCP proxy in front of a Redis server that can
// lose one script reply: armed, it lets a number of scripts through, then
// forwards the next EVAL/EVALSHA to Redis, reads Redis's reply and closes
// the client's connection instead of passing the reply on. The script has
// run; the client sees EOF, and go-redis would retry it.
type lossProxy struct {
	ln     net.Listener
	target string

	mu     sync.Mutex
	skip   int  // scripts still to let through before the lost one
	armed  bool // a reply is to be lost
	fired  int  // replies lost so far
	refuse int  // scripts still to answer LOADING without running them
	// dropName, when set, is the command whose reply arm loses instead of
	// a script's (say "ZREM").
	dropName string
	// hold, when set, makes the lost reply one that never comes: the
	// proxy keeps the connection open, silent, until the client closes it
	// (a deadline ends its wait), instead of closing it at once.
	hold  bool
	conns map[net.Conn]bool
	wg    sync.WaitGroup
}

func startLossProxy(t *testing.T, target string) *lossProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &lossProxy{ln: ln, target: target, conns: map[net.Conn]bool{}}
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(p.close)
	return p
}

func (p *lossProxy) Addr() string { return p.ln.Addr().String() }

// arm makes the proxy lose the reply of the script run after skip others.
func (p *lossProxy) arm(skip int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.skip, p.armed = skip, true
}

// lost returns how many replies the proxy has lost, and whether it is still
// armed.
func (p *lossProxy) lost() (int, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.fired, p.armed
}

func (p *lossProxy) close() {
	p.ln.Close()
	p.mu.Lock()
	for c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

func (p *lossProxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.conns == nil {
		return false
	}
	p.conns[c] = true
	return true
}

func (p *lossProxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			p.serve(c)
		}()
	}
}

// serve relays one client connection, one command and one reply at a time.
func (p *lossProxy) serve(c net.Conn) {
	defer c.Close()
	s, err := net.DialTimeout("tcp", p.target, 2*time.Second)
	if err != nil {
		return
	}
	defer s.Close()
	if !p.track(c) || !p.track(s) {
		return
	}
	defer func() {
		p.mu.Lock()
		delete(p.conns, c)
		delete(p.conns, s)
		p.mu.Unlock()
	}()
	cr, sr := bufio.NewReader(c), bufio.NewReader(s)
	for {
		cmd, err := readRESP(cr)
		if err != nil {
			return
		}
		if p.refused(cmd) {
			if _, err := c.Write([]byte("-LOADING Redis is loading the dataset in memory\r\n")); err != nil {
				return
			}
			continue
		}
		if _, err := s.Write(cmd); err != nil {
			return
		}
		reply, err := readRESP(sr)
		if err != nil {
			return
		}
		if p.drop(cmd, reply) {
			p.mu.Lock()
			hold := p.hold
			p.mu.Unlock()
			if hold {
				_, _ = io.Copy(io.Discard, c) // until the client gives up
			}
			return // the deferred Close is the lost reply
		}
		if _, err := c.Write(reply); err != nil {
			return
		}
	}
}

// refused reports whether cmd is a script to answer LOADING (not run).
func (p *lossProxy) refused(cmd []byte) bool {
	name := strings.ToUpper(commandName(cmd))
	if name != "EVAL" && name != "EVALSHA" {
		return false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.refuse == 0 {
		return false
	}
	p.refuse--
	return true
}

// drop reports whether the reply to cmd is the one to lose. Only a script
// that ran counts: a NOSCRIPT reply passes.
func (p *lossProxy) drop(cmd, reply []byte) bool {
	name := strings.ToUpper(commandName(cmd))
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.dropName != "" {
		if name != p.dropName {
			return false
		}
	} else if name != "EVAL" && name != "EVALSHA" || strings.HasPrefix(string(reply), "-NOSCRIPT") {
		return false
	}
	if !p.armed {
		return false
	}
	if p.skip > 0 {
		p.skip--
		return false
	}
	p.armed = false
	p.fired++
	return true
}

// readRESP reads one RESP2/RESP3 value and returns its bytes as read.
func readRESP(r *bufio.Reader) ([]byte, error) {
	line, err := r.ReadBytes('\n')
	if err != nil {
		return nil, err
	}
	if len(line) < 3 {
		return nil, fmt.Errorf("short RESP line %q", line)
	}
	n := func() (int, error) { return strconv.Atoi(string(line[1 : len(line)-2])) }
	out := line
	elems := 0
	switch line[0] {
	case '$', '=', '!':
		k, err := n()
		if err != nil {
			return nil, err
		}
		if k >= 0 {
			b := make([]byte, k+2)
			if _, err := io.ReadFull(r, b); err != nil {
				return nil, err
			}
			out = append(out, b...)
		}
		return out, nil
	case '*', '~', '>':
		if elems, err = n(); err != nil {
			return nil, err
		}
	case '%':
		if elems, err = n(); err != nil {
			return nil, err
		}
		elems *= 2
	case '|':
		// Attributes, then the value they describe.
		if elems, err = n(); err != nil {
			return nil, err
		}
		elems = 2*elems + 1
	}
	for range max(elems, 0) {
		v, err := readRESP(r)
		if err != nil {
			return nil, err
		}
		out = append(out, v...)
	}
	return out, nil
}

// commandName returns the first word of a command as go-redis writes it
// (an array of bulk strings).
func commandName(cmd []byte) string {
	parts := strings.SplitN(string(cmd), "\r\n", 4)
	if len(parts) < 3 || !strings.HasPrefix(parts[0], "*") {
		return ""
	}
	return parts[2]
}

// lossEnv is a store whose client reaches Redis through a lossProxy, with
// go-redis's default retries, and a direct client for checks.
type lossEnv struct {
	proxy  *lossProxy
	store  *redisstore.Store
	direct *redis.Client
	now    time.Time
	prefix string
}

func newLossEnv(t *testing.T) *lossEnv {
	t.Helper()
	rs := testutil.StartRedis(t, nil)
	p := startLossProxy(t, rs.Addr())
	c := redis.NewClient(&redis.Options{Addr: p.Addr(), MaxRetries: 3})
	t.Cleanup(func() { c.Close() })
	direct := redis.NewClient(&redis.Options{Addr: rs.Addr()})
	t.Cleanup(func() { direct.Close() })
	e := &lossEnv{proxy: p, direct: direct, now: time.UnixMilli(1_700_000_000_000), prefix: "lost:"}
	s, err := redisstore.New(c, &redisstore.Options{Prefix: e.prefix, Now: func() time.Time { return e.now }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	e.store = s
	return e
}

func (e *lossEnv) record(key, principal string, attrs map[string][]byte) *session.Record {
	return &session.Record{
		Key: key, Principal: principal, Attrs: attrs,
		Created: e.now, LastAccess: e.now, IdleTimeout: 30 * time.Minute,
		Deadline: e.now.Add(24 * time.Hour),
	}
}

// mustLose checks that the proxy lost exactly one reply.
func (e *lossEnv) mustLose(t *testing.T) {
	t.Helper()
	if n, armed := e.proxy.lost(); n != 1 || armed {
		t.Fatalf("proxy lost %d replies (still armed: %v), want exactly 1", n, armed)
	}
}

func principalKeys(t *testing.T, s *redisstore.Store, principal string) []string {
	t.Helper()
	var keys []string
	for _, m := range principalMetas(t, s, principal) {
		keys = append(keys, m.Key)
	}
	return keys
}

// TestLostReplyUpdate: the compare-and-set of an Update whose reply is lost
// is never run again, so an increment is applied exactly once; Update
// reports that it cannot tell (ErrOutcomeUnknown).
func TestLostReplyUpdate(t *testing.T) {
	e := newLossEnv(t)
	ctx := context.Background()
	if err := e.store.Create(ctx, e.record("k", "", map[string][]byte{"n": []byte("0")})); err != nil {
		t.Fatal(err)
	}
	incr := func(old []byte, _ bool) ([]byte, error) {
		n, err := strconv.Atoi(string(old))
		if err != nil {
			return nil, err
		}
		return []byte(strconv.Itoa(n + 1)), nil
	}
	e.proxy.arm(0)
	_, uerr := e.store.Update(ctx, "k", "n", incr)
	e.mustLose(t)
	r, ok, err := e.store.Load(ctx, "k")
	if err != nil || !ok {
		t.Fatalf("Load = %v, %v", ok, err)
	}
	if got := string(r.Attrs["n"]); got != "1" {
		t.Fatalf("counter after one Update = %s, want 1 (applied exactly once)", got)
	}
	if !errors.Is(uerr, redisstore.ErrOutcomeUnknown) {
		t.Fatalf("Update with its reply lost: err = %v, want ErrOutcomeUnknown", uerr)
	}
	// The connection is replaced and the next Update works.
	if v, err := e.store.Update(ctx, "k", "n", incr); err != nil || string(v) != "2" {
		t.Fatalf("next Update = %s, %v, want 2", v, err)
	}
}

// TestLostReplyCreate: a Create whose script reply is lost is retried and
// recognises the hash it made: no ErrExists, no orphan, indexed once.
func TestLostReplyCreate(t *testing.T) {
	e := newLossEnv(t)
	ctx := context.Background()
	e.proxy.arm(0)
	if err := e.store.Create(ctx, e.record("k", "alice", map[string][]byte{"a": []byte("1")})); err != nil {
		t.Fatalf("Create with its reply lost: %v", err)
	}
	e.mustLose(t)
	r, ok, err := e.store.Load(ctx, "k")
	if err != nil || !ok || string(r.Attrs["a"]) != "1" || r.Principal != "alice" {
		t.Fatalf("Load = %+v, %v, %v", r, ok, err)
	}
	if got := principalKeys(t, e.store, "alice"); len(got) != 1 || got[0] != "k" {
		t.Fatalf("ByPrincipal(alice) = %v, want [k]", got)
	}
	// Another Create of the key, even of the same record, is still refused.
	if err := e.store.Create(ctx, e.record("k", "alice", map[string][]byte{"a": []byte("1")})); !errors.Is(err, session.ErrExists) {
		t.Fatalf("second Create: %v, want ErrExists", err)
	}
	// One session hash, no orphan.
	keys, err := e.direct.Keys(ctx, e.prefix+"s:*").Result()
	if err != nil || len(keys) != 1 {
		t.Fatalf("session hashes = %v, %v, want one", keys, err)
	}
}

// TestLostReplySave: a Save whose reply is lost is retried and still
// reports what the indexes need: the new principal's entry, and the lower
// expiry of a shortened idle timeout (so Sweep finds the session in time).
func TestLostReplySave(t *testing.T) {
	e := newLossEnv(t)
	ctx := context.Background()
	if err := e.store.Create(ctx, e.record("k", "", nil)); err != nil {
		t.Fatal(err)
	}
	bob := "bob"
	e.proxy.arm(0)
	if err := e.store.Save(ctx, "k", session.Delta{Principal: &bob, Set: map[string][]byte{"x": []byte("1")}}); err != nil {
		t.Fatalf("Save with its reply lost: %v", err)
	}
	e.mustLose(t)
	if got := principalKeys(t, e.store, "bob"); len(got) != 1 || got[0] != "k" {
		t.Fatalf("ByPrincipal(bob) = %v, want [k]", got)
	}

	e.proxy.arm(0)
	if err := e.store.Save(ctx, "k", session.Delta{IdleTimeout: time.Minute}); err != nil {
		t.Fatalf("Save with its reply lost: %v", err)
	}
	if n, _ := e.proxy.lost(); n != 2 {
		t.Fatalf("proxy lost %d replies, want 2", n)
	}
	e.now = e.now.Add(2 * time.Minute)
	got, err := e.store.Sweep(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Key != "k" {
		t.Fatalf("Sweep after the shortened idle timeout ran out = %v, want k", got)
	}
}

// TestLostReplyRename: whichever of Rename's three scripts loses its
// reply, the retry completes the move: the new key holds the session, the
// old one is gone.
func TestLostReplyRename(t *testing.T) {
	for step, name := range []string{"mark", "create", "finish"} {
		t.Run(name, func(t *testing.T) {
			e := newLossEnv(t)
			ctx := context.Background()
			if err := e.store.Create(ctx, e.record("old", "alice", map[string][]byte{"a": []byte("1")})); err != nil {
				t.Fatal(err)
			}
			e.proxy.arm(step)
			if err := e.store.Rename(ctx, "old", "new"); err != nil {
				t.Fatalf("Rename with the %s reply lost: %v", name, err)
			}
			e.mustLose(t)
			if _, ok, err := e.store.Load(ctx, "old"); ok || err != nil {
				t.Fatalf("Load(old) = %v, %v, want absent", ok, err)
			}
			r, ok, err := e.store.Load(ctx, "new")
			if err != nil || !ok || string(r.Attrs["a"]) != "1" || r.Principal != "alice" {
				t.Fatalf("Load(new) = %+v, %v, %v", r, ok, err)
			}
			if got := principalKeys(t, e.store, "alice"); len(got) != 1 || got[0] != "new" {
				t.Fatalf("ByPrincipal(alice) = %v, want [new]", got)
			}
			// The moved session takes writes.
			if err := e.store.Save(ctx, "new", session.Delta{Set: map[string][]byte{"b": []byte("2")}}); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestLostReplyDelete: a Delete whose reply is lost is not run again (it
// would find nothing and answer false): it reports ErrOutcomeUnknown, and
// the session is gone.
func TestLostReplyDelete(t *testing.T) {
	e := newLossEnv(t)
	ctx := context.Background()
	if err := e.store.Create(ctx, e.record("k", "alice", nil)); err != nil {
		t.Fatal(err)
	}
	e.proxy.arm(0)
	ok, err := e.store.Delete(ctx, "k")
	e.mustLose(t)
	if !errors.Is(err, redisstore.ErrOutcomeUnknown) {
		t.Fatalf("Delete with its reply lost = %v, %v, want ErrOutcomeUnknown", ok, err)
	}
	if _, ok, err := e.store.Load(ctx, "k"); ok || err != nil {
		t.Fatalf("Load after Delete = %v, %v, want absent", ok, err)
	}
	if got := principalKeys(t, e.store, "alice"); len(got) != 0 {
		t.Fatalf("ByPrincipal(alice) = %v, want none", got)
	}
}

// TestLostReplySaveExpiring: a Save that shortens the idle timeout so far
// that the session is expired at once writes the delta and answers nil
// (as a Save whose reply arrives does, and as memstore does); resent after
// its reply was lost, it recognises its own write and answers nil again,
// not ErrNotFound. Sweep then reports the session once.
func TestLostReplySaveExpiring(t *testing.T) {
	for _, lose := range []bool{false, true} {
		t.Run("lost="+strconv.FormatBool(lose), func(t *testing.T) {
			e := newLossEnv(t)
			ctx := context.Background()
			if err := e.store.Create(ctx, e.record("k", "", nil)); err != nil {
				t.Fatal(err)
			}
			e.now = e.now.Add(10 * time.Minute)
			if lose {
				e.proxy.arm(0)
			}
			d := session.Delta{IdleTimeout: 5 * time.Minute, Set: map[string][]byte{"x": []byte("1")}}
			if err := e.store.Save(ctx, "k", d); err != nil {
				t.Fatalf("Save expiring the session (reply lost: %v) = %v, want nil", lose, err)
			}
			if lose {
				e.mustLose(t)
			}
			if _, ok, err := e.store.Load(ctx, "k"); ok || err != nil {
				t.Fatalf("Load after the expiring Save = %v, %v, want absent", ok, err)
			}
			got, err := e.store.Sweep(ctx)
			if err != nil || len(got) != 1 || got[0].Key != "k" {
				t.Fatalf("Sweep = %v, %v, want k", got, err)
			}
			// The write happened: the idle timeout is the new one.
			if want := e.now.Add(-10 * time.Minute).Add(5 * time.Minute); !got[0].Expiry.Equal(want) {
				t.Fatalf("reported expiry %v, want %v", got[0].Expiry, want)
			}
			// A later Save on the expired session is still refused.
			if err := e.store.Save(ctx, "k", d); !errors.Is(err, session.ErrNotFound) {
				t.Fatalf("later Save = %v, want ErrNotFound", err)
			}
		})
	}
}

// TestLostReplySweepReports: a reap whose reply is lost is resent and
// recognises its own deletion, so the expired session is still reported,
// once.
func TestLostReplySweepReports(t *testing.T) {
	e := newLossEnv(t)
	ctx := context.Background()
	if err := e.store.Create(ctx, e.record("k", "alice", nil)); err != nil {
		t.Fatal(err)
	}
	e.now = e.now.Add(time.Hour)
	e.proxy.arm(0)
	got, err := e.store.Sweep(ctx)
	e.mustLose(t)
	if err != nil || len(got) != 1 || got[0].Key != "k" || got[0].Principal != "alice" {
		t.Fatalf("Sweep with a reap reply lost = %v, %v, want k reported", got, err)
	}
	if again, err := e.store.Sweep(ctx); err != nil || len(again) != 0 {
		t.Fatalf("second Sweep = %v, %v, want nothing", again, err)
	}
	if n, err := e.direct.Exists(ctx, e.prefix+"s:{k}").Result(); err != nil || n != 0 {
		t.Fatalf("session hash exists = %d, %v, want gone", n, err)
	}
}

// TestLostReplySweepClaim: the reply to Sweep's claim (the ZREM whose 1
// makes one sweeper the owner of an expired session) is lost. go-redis
// resent the claim, whose ZREM then answered 0, as if another sweeper had
// won: the session was never reaped nor reported. Now the claim is never
// resent; its entries go back into the index, and the session is reported
// once, by this Sweep or the next.
func TestLostReplySweepClaim(t *testing.T) {
	e := newLossEnv(t)
	ctx := context.Background()
	if err := e.store.Create(ctx, e.record("k", "alice", nil)); err != nil {
		t.Fatal(err)
	}
	e.now = e.now.Add(time.Hour)
	e.proxy.mu.Lock()
	e.proxy.dropName = "ZREM"
	e.proxy.mu.Unlock()
	e.proxy.arm(0)
	first, err := e.store.Sweep(ctx)
	e.mustLose(t)
	t.Logf("first Sweep: %v, %v", first, err)
	again, err := e.store.Sweep(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got := append(first, again...)
	if len(got) != 1 || got[0].Key != "k" || got[0].Principal != "alice" {
		t.Fatalf("two Sweeps with a claim reply lost reported %v, want k once", got)
	}
	if n, err := e.direct.Exists(ctx, e.prefix+"s:{k}", e.prefix+"expiry").Result(); err != nil || n != 0 {
		t.Fatalf("%d of the hash and the expiry index left (%v), want none", n, err)
	}
}

// movedCounter counts the MOVED replies the node clients of a cluster
// client get.
type movedCounter struct {
	mu sync.Mutex
	n  map[string]int // command name -> MOVED replies
}

func (m *movedCounter) DialHook(next redis.DialHook) redis.DialHook { return next }

func (m *movedCounter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		err := next(ctx, cmd)
		if err != nil && strings.HasPrefix(err.Error(), "MOVED") {
			m.mu.Lock()
			m.n[cmd.Name()]++
			if cmd.NoRetry() {
				m.n["noretry "+cmd.Name()]++
			}
			m.mu.Unlock()
		}
		return err
	}
}

func (m *movedCounter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}

// TestClusterRedirects: on a cluster client that believes one node holds
// every slot, commands on the other nodes' slots come back MOVED, and the
// scripts run never to be resent (casScript, deleteScript, reapScript)
// follow the redirect like the others.
func TestClusterRedirects(t *testing.T) {
	cl := testutil.StartRedisCluster(t, 3)
	addrs := cl.Addrs()
	moved := &movedCounter{n: map[string]int{}}
	c := redis.NewClusterClient(&redis.ClusterOptions{
		Addrs: addrs,
		ClusterSlots: func(context.Context) ([]redis.ClusterSlot, error) {
			return []redis.ClusterSlot{{Start: 0, End: 16383, Nodes: []redis.ClusterNode{{Addr: addrs[0]}}}}, nil
		},
		NewClient: func(o *redis.Options) *redis.Client {
			rdb := redis.NewClient(o)
			rdb.AddHook(moved)
			return rdb
		},
	})
	t.Cleanup(func() { c.Close() })
	runOnceScripts(t, c, 12, "alice", nil)
	moved.mu.Lock()
	defer moved.mu.Unlock()
	t.Logf("MOVED replies by command: %v", moved.n)
	if moved.n["noretry evalsha"]+moved.n["noretry eval"] == 0 {
		t.Errorf("no script run by runOnce was redirected (MOVED replies by command: %v)", moved.n)
	}
}

// TestRingRunOnce: the scripts that are never resent run on a Ring too,
// each on the shard of its key.
func TestRingRunOnce(t *testing.T) {
	a, b := testutil.StartRedis(t, nil), testutil.StartRedis(t, nil)
	c := redis.NewRing(&redis.RingOptions{Addrs: map[string]string{"a": a.Addr(), "b": b.Addr()}})
	t.Cleanup(func() { c.Close() })
	runOnceScripts(t, c, 8, "", func() {
		for _, rs := range []*testutil.RedisServer{a, b} {
			if n, err := rs.Do("DBSIZE"); err != nil || n == "0" {
				t.Fatalf("DBSIZE on a shard = %s, %v; want keys on both shards", n, err)
			}
		}
	})
}

// runOnceScripts runs, through a store on c, the scripts that are never
// resent: n sessions (with principal) are created and each Updated, half
// are Deleted (then check, if not nil, runs), and an hour later Sweep must
// report the other half.
func runOnceScripts(t *testing.T, c redis.UniversalClient, n int, principal string, check func()) {
	t.Helper()
	now := time.UnixMilli(1_700_000_000_000)
	s, err := redisstore.New(c, &redisstore.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	ctx := context.Background()
	for i := range n {
		k := fmt.Sprintf("k%d", i)
		r := &session.Record{Key: k, Principal: principal, Created: now, LastAccess: now, IdleTimeout: time.Minute}
		if err := s.Create(ctx, r); err != nil {
			t.Fatal(err)
		}
		if v, err := s.Update(ctx, k, "n", func([]byte, bool) ([]byte, error) { return []byte("1"), nil }); err != nil || string(v) != "1" {
			t.Fatalf("Update(%s) = %s, %v", k, v, err)
		}
	}
	for i := range n / 2 {
		if ok, err := s.Delete(ctx, fmt.Sprintf("k%d", i)); !ok || err != nil {
			t.Fatalf("Delete(k%d) = %v, %v", i, ok, err)
		}
	}
	if check != nil {
		check()
	}
	now = now.Add(time.Hour)
	got, err := s.Sweep(ctx)
	if err != nil || len(got) != n-n/2 {
		t.Fatalf("Sweep = %d sessions, %v; want %d", len(got), err, n-n/2)
	}
}

// TestRefusedOnceScripts: a script that must not run twice is still run
// again when Redis refused it without running it (LOADING, as during a
// restart or a replica's resync; go-redis resends such commands, but not
// one marked NoRetry), so Update, Delete and Sweep ride it out as before.
func TestRefusedOnceScripts(t *testing.T) {
	e := newLossEnv(t)
	ctx := context.Background()
	for _, k := range []string{"a", "b", "c"} {
		if err := e.store.Create(ctx, e.record(k, "", map[string][]byte{"n": []byte("0")})); err != nil {
			t.Fatal(err)
		}
	}
	refuse := func() {
		e.proxy.mu.Lock()
		e.proxy.refuse = 1
		e.proxy.mu.Unlock()
	}
	refused := func(t *testing.T) {
		t.Helper()
		e.proxy.mu.Lock()
		defer e.proxy.mu.Unlock()
		if e.proxy.refuse != 0 {
			t.Fatalf("the proxy refused no script")
		}
	}
	refuse()
	v, err := e.store.Update(ctx, "a", "n", func([]byte, bool) ([]byte, error) { return []byte("1"), nil })
	refused(t)
	if err != nil || string(v) != "1" {
		t.Fatalf("Update after a LOADING reply = %s, %v; want 1", v, err)
	}
	refuse()
	ok, err := e.store.Delete(ctx, "b")
	refused(t)
	if err != nil || !ok {
		t.Fatalf("Delete after a LOADING reply = %v, %v; want true", ok, err)
	}
	e.now = e.now.Add(time.Hour)
	refuse()
	got, err := e.store.Sweep(ctx)
	refused(t)
	if err != nil || len(got) != 2 {
		t.Fatalf("Sweep after a LOADING reply = %v, %v; want a and c", got, err)
	}
}

// TestUnsentOnceScripts: a script that never left the client (no
// connection could be made) is not reported as ErrOutcomeUnknown: it did
// not run.
func TestUnsentOnceScripts(t *testing.T) {
	c := redis.NewClient(&redis.Options{
		Addr: "127.0.0.1:1", MaxRetries: -1, DialerRetries: 1,
		Dialer: func(context.Context, string, string) (net.Conn, error) {
			return nil, &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("refused")}
		},
	})
	t.Cleanup(func() { c.Close() })
	s, err := redisstore.New(c, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	ctx := context.Background()
	if _, err := s.Delete(ctx, "k"); err == nil || errors.Is(err, redisstore.ErrOutcomeUnknown) {
		t.Fatalf("Delete without a connection = %v, want an error other than ErrOutcomeUnknown", err)
	}
}

// TestSweepReapUnknown: when no resend can recover a reap (here a client
// that never resends), Sweep returns the error and puts the expiry entry
// back: a reap that ran (reply lost: ErrOutcomeUnknown) is not reported
// by a later Sweep either (the documented limit), and a reap that did not
// run (LOADING) is done, and reported, by the next Sweep.
func TestSweepReapUnknown(t *testing.T) {
	for _, ran := range []bool{true, false} {
		t.Run("ran="+strconv.FormatBool(ran), func(t *testing.T) {
			rs := testutil.StartRedis(t, nil)
			p := startLossProxy(t, rs.Addr())
			c := redis.NewClient(&redis.Options{Addr: p.Addr(), MaxRetries: -1})
			t.Cleanup(func() { c.Close() })
			now := time.UnixMilli(1_700_000_000_000)
			s, err := redisstore.New(c, &redisstore.Options{Now: func() time.Time { return now }})
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			if err := s.Create(ctx, &session.Record{Key: "k", Created: now, LastAccess: now, IdleTimeout: time.Minute}); err != nil {
				t.Fatal(err)
			}
			now = now.Add(time.Hour)
			if ran {
				p.arm(0)
			} else {
				p.mu.Lock()
				p.refuse = 1
				p.mu.Unlock()
			}
			got, err := s.Sweep(ctx)
			if err == nil || len(got) != 0 {
				t.Fatalf("Sweep with its reap failed = %v, %v; want an error, nothing reported", got, err)
			}
			if errors.Is(err, redisstore.ErrOutcomeUnknown) != ran {
				t.Fatalf("Sweep error %v: ErrOutcomeUnknown = %v, want %v", err, !ran, ran)
			}
			if score, err := c.ZScore(ctx, "httpstate:expiry", "k").Result(); err != nil || score != float64(now.UnixMilli()) {
				t.Fatalf("expiry entry after the failed reap = %v, %v; want put back at now", score, err)
			}
			again, err := s.Sweep(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if want := map[bool]int{true: 0, false: 1}[ran]; len(again) != want || want == 1 && again[0].Key != "k" {
				t.Fatalf("next Sweep = %v, want %d session(s)", again, want)
			}
			if n, err := c.Exists(ctx, "httpstate:s:{k}", "httpstate:expiry").Result(); err != nil || n != 0 {
				t.Fatalf("keys left = %d, %v; want the hash and the index gone", n, err)
			}
		})
	}
}
