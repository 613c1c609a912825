package redisstore_test

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/httpstate/httpstate/internal/testutil"
	"github.com/httpstate/httpstate/session"
	"github.com/httpstate/httpstate/store/redisstore"
)

// newIndexStore returns a store with prefix "t:" on a fresh Redis, its
// clock and a raw client to inspect the keys.
func newIndexStore(t *testing.T) (*redisstore.Store, *testutil.Clock, *redis.Client) {
	t.Helper()
	srv := testutil.StartRedis(t, nil)
	c := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	s, clock := newClockedStore(t, c)
	return s, clock, c
}

// newClusterIndexStore is newIndexStore on a three-master Redis Cluster.
func newClusterIndexStore(t *testing.T) (*redisstore.Store, *testutil.Clock, *redis.ClusterClient) {
	t.Helper()
	cl := testutil.StartRedisCluster(t, 3)
	c := redis.NewClusterClient(&redis.ClusterOptions{Addrs: cl.Addrs()})
	s, clock := newClockedStore(t, c)
	return s, clock, c
}

// newClockedStore returns a store with prefix "t:" on c, which the test's
// end closes, and the test clock it reads.
func newClockedStore(t *testing.T, c redis.UniversalClient) (*redisstore.Store, *testutil.Clock) {
	t.Helper()
	t.Cleanup(func() { c.Close() })
	clock := testutil.NewClock(time.Now().Truncate(time.Second))
	s, err := redisstore.New(c, &redisstore.Options{Prefix: "t:", Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	return s, clock
}

// newLoggedStore is newClockedStore with an Options.Logger that writes
// to the returned buffer.
func newLoggedStore(t *testing.T, c redis.UniversalClient) (*redisstore.Store, *testutil.Clock, *syncBuffer) {
	t.Helper()
	t.Cleanup(func() { c.Close() })
	clock := testutil.NewClock(time.Now().Truncate(time.Second))
	logs := new(syncBuffer)
	s, err := redisstore.New(c, &redisstore.Options{Prefix: "t:", Now: clock.Now,
		Logger: slog.New(slog.NewTextHandler(logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	return s, clock, logs
}

// newClient returns a client of a fresh three-master Redis Cluster
// (cluster) or of a fresh Redis server. The caller closes it (through
// newClockedStore or newLoggedStore).
func newClient(t *testing.T, cluster bool) redis.UniversalClient {
	t.Helper()
	if cluster {
		cl := testutil.StartRedisCluster(t, 3)
		return redis.NewClusterClient(&redis.ClusterOptions{Addrs: cl.Addrs()})
	}
	return redis.NewClient(&redis.Options{Addr: testutil.StartRedis(t, nil).Addr()})
}

// dialStore returns a fresh Redis server and a store with prefix "t:" that
// owns its client (Dial) on it, with the test clock it reads. The test
// closes the store.
func dialStore(t *testing.T) (*testutil.RedisServer, *redisstore.Store, *testutil.Clock) {
	t.Helper()
	srv := testutil.StartRedis(t, nil)
	clock := testutil.NewClock(time.Now().Truncate(time.Second))
	s, err := redisstore.Dial(context.Background(), "redis://"+srv.Addr(), &redisstore.Options{Prefix: "t:", Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	return srv, s, clock
}

// createAll creates a session for principal under each of keys, all made
// at now.
func createAll(t *testing.T, s *redisstore.Store, principal string, now time.Time, keys ...string) {
	t.Helper()
	for _, k := range keys {
		if err := s.Create(context.Background(), record(k, principal, now)); err != nil {
			t.Fatal(err)
		}
	}
}

func record(key, principal string, now time.Time) *session.Record {
	return &session.Record{Key: key, Principal: principal, Created: now, LastAccess: now,
		IdleTimeout: 30 * time.Minute, Deadline: now.Add(2 * time.Hour)}
}

// TestPrincipalIndexNoLeak: the index holds the deadline as score, the set
// expires after its latest deadline, and Sweep empties it.
func TestPrincipalIndexNoLeak(t *testing.T) {
	s, clock, c := newIndexStore(t)
	ctx := context.Background()
	now := clock.Now()
	createAll(t, s, "alice", now, "a", "b")
	z, err := c.ZRangeWithScores(ctx, "t:p:{alice}", 0, -1).Result()
	if err != nil || len(z) != 2 {
		t.Fatalf("alice's index = %v, %v; want a and b", z, err)
	}
	for _, e := range z {
		if want := float64(now.Add(2 * time.Hour).UnixMilli()); e.Score != want {
			t.Errorf("score of %v = %v, want the deadline %v", e.Member, e.Score, want)
		}
	}
	if ttl := c.PTTL(ctx, "t:p:{alice}").Val(); ttl <= 2*time.Hour || ttl > 2*time.Hour+redisstore.DefaultGrace {
		t.Errorf("PTTL of alice's index = %v, want the deadline plus the grace", ttl)
	}
	clock.Advance(31 * time.Minute)
	swept, err := s.Sweep(ctx)
	if err != nil || len(swept) != 2 {
		t.Fatalf("Sweep = %v, %v; want a and b", swept, err)
	}
	if n := c.Exists(ctx, "t:p:{alice}", "t:s:{a}", "t:s:{b}").Val(); n != 0 {
		t.Errorf("%d keys left after Sweep, want none", n)
	}
	if n := c.ZCard(ctx, "t:expiry").Val(); n != 0 {
		t.Errorf("expiry index holds %d entries after Sweep, want none", n)
	}
}

// TestPrincipalMove: a session moved to another principal leaves the old
// index at the next ByPrincipal, and is listed by the new one.
func TestPrincipalMove(t *testing.T) {
	s, clock, c := newIndexStore(t)
	ctx := context.Background()
	if err := s.Create(ctx, record("k", "alice", clock.Now())); err != nil {
		t.Fatal(err)
	}
	bob := "bob"
	if err := s.Save(ctx, "k", session.Delta{Principal: &bob}); err != nil {
		t.Fatal(err)
	}
	if got, err := s.ByPrincipal(ctx, "alice"); err != nil || len(got) != 0 {
		t.Errorf("ByPrincipal(alice) = %v, %v; want none", got, err)
	}
	if n := c.ZCard(ctx, "t:p:{alice}").Val(); n != 0 {
		t.Errorf("alice's index keeps %d entries after ByPrincipal, want 0", n)
	}
	got, err := s.ByPrincipal(ctx, "bob")
	if err != nil || len(got) != 1 || got[0].Key != "k" {
		t.Fatalf("ByPrincipal(bob) = %v, %v; want k", got, err)
	}
	if score := c.ZScore(ctx, "t:p:{bob}", "k").Val(); score != float64(clock.Now().Add(2*time.Hour).UnixMilli()) {
		t.Errorf("bob's score for k = %v, want the deadline (the +inf placeholder replaced)", score)
	}
}

// TestRenameMarkedIsDead: a hash marked as moving (a rename that died
// half-way) is absent and refuses writes.
func TestRenameMarkedIsDead(t *testing.T) {
	s, clock, c := newIndexStore(t)
	ctx := context.Background()
	if err := s.Create(ctx, record("k", "alice", clock.Now())); err != nil {
		t.Fatal(err)
	}
	c.HSet(ctx, "t:s:{k}", "m", "t:s:{elsewhere}")
	if _, found, err := s.Load(ctx, "k"); found || err != nil {
		t.Errorf("Load of a moving hash = %v, %v; want absent", found, err)
	}
	if err := s.Save(ctx, "k", session.Delta{LastAccess: clock.Now()}); err == nil {
		t.Errorf("Save on a moving hash = nil, want ErrNotFound")
	}
	if got, _ := s.ByPrincipal(ctx, "alice"); len(got) != 0 {
		t.Errorf("ByPrincipal lists a moving hash: %v", got)
	}
}

// TestCorruptRecord: a hash with a foreign field is an error for Load, and
// is skipped by Iterate.
func TestCorruptRecord(t *testing.T) {
	s, clock, c := newIndexStore(t)
	ctx := context.Background()
	if err := s.Create(ctx, record("k", "", clock.Now())); err != nil {
		t.Fatal(err)
	}
	c.HSet(ctx, "t:s:{k}", "junk", "1")
	if _, _, err := s.Load(ctx, "k"); err == nil {
		t.Errorf("Load of a corrupt hash: nil error")
	}
	c.HSet(ctx, "t:s:{bad}", "c", "x")
	n := 0
	if err := s.Iterate(ctx, func(session.Meta) bool { n++; return true }); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("Iterate visited %d sessions, want 1 (k; bad skipped)", n)
	}
}

// TestSaveSizeAccounting: the size field follows every kind of delta,
// including a name both deleted and set, and repeated deletions.
func TestSaveSizeAccounting(t *testing.T) {
	s, clock, _ := newIndexStore(t)
	ctx := context.Background()
	r := record("k", "", clock.Now())
	r.Attrs = map[string][]byte{"a": []byte(`"aaaa"`), "b": []byte(`1`)}
	if err := s.Create(ctx, r); err != nil {
		t.Fatal(err)
	}
	for _, d := range []session.Delta{
		{Set: map[string][]byte{"a": []byte(`"x"`)}, Delete: []string{"a", "a", "b", "nope"}},
		{Set: map[string][]byte{"c": []byte(`[1,2,3]`)}},
		{Set: map[string][]byte{"c": []byte(`[1,2,4]`)}}, // same size
		{Set: map[string][]byte{"c": []byte(`[1]`)}},     // shrinks
		{Delete: []string{"c", "c"}},
		{Set: map[string][]byte{"a": []byte(`""`), "d": []byte(`true`)}, Delete: []string{"d"}},
	} {
		if err := s.Save(ctx, "k", d); err != nil {
			t.Fatal(err)
		}
		got, _, err := s.Load(ctx, "k")
		if err != nil {
			t.Fatal(err)
		}
		want := 0
		for _, v := range got.Attrs {
			want += len(v)
		}
		var size int
		s.Iterate(ctx, func(m session.Meta) bool { size = m.Size; return true })
		if size != want {
			t.Fatalf("after %+v: Meta.Size = %d, want %d (attrs %q)", d, size, want, got.Attrs)
		}
	}
}

// TestIteratePrefixIsolation: Iterate sees only its own prefix, even when
// the prefix holds glob characters that would match another application's.
func TestIteratePrefixIsolation(t *testing.T) {
	srv := testutil.StartRedis(t, nil)
	c := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	t.Cleanup(func() { c.Close() })
	ctx := context.Background()
	now := time.Now()
	for _, p := range []string{"a*[b]?\\:", "aX[b]Y\\:", "ab:", "a*[b]?\\:more"} {
		s, err := redisstore.New(c, &redisstore.Options{Prefix: p})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Create(ctx, record("k-"+p, "", now)); err != nil {
			t.Fatal(err)
		}
	}
	s, _ := redisstore.New(c, &redisstore.Options{Prefix: "a*[b]?\\:"})
	var keys []string
	if err := s.Iterate(ctx, func(m session.Meta) bool { keys = append(keys, m.Key); return true }); err != nil {
		t.Fatal(err)
	}
	if len(keys) != 1 || keys[0] != "k-a*[b]?\\:" {
		t.Errorf("Iterate = %q, want only its own session", keys)
	}
}

// TestClusterPrefixBraces: on a cluster, a session's hash and token key
// share a slot whatever the prefix: New refuses a prefix whose "{" opens
// no hash tag of its own (no "}" after it, or "{}"), with which the tag
// ran into the "s:{"/"c:{" part of the key and every Create failed with
// CROSSSLOT; a prefix with a whole tag, or with a lone "}", works.
func TestClusterPrefixBraces(t *testing.T) {
	cl := testutil.StartRedisCluster(t, 3)
	c := redis.NewClusterClient(&redis.ClusterOptions{Addrs: cl.Addrs()})
	t.Cleanup(func() { c.Close() })
	ctx := context.Background()
	for _, p := range []string{"a{:", "a{}:", "{", "x{}{y}:"} {
		if _, err := redisstore.New(c, &redisstore.Options{Prefix: p}); err == nil {
			t.Errorf("New on a cluster with prefix %q: nil error, want a refusal", p)
		}
	}
	for _, p := range []string{"{app}:", "a}:", "a}{b}:"} {
		s, err := redisstore.New(c, &redisstore.Options{Prefix: p})
		if err != nil {
			t.Fatalf("New with prefix %q: %v", p, err)
		}
		now := time.Now()
		if err := s.Create(ctx, record("k", "bob", now)); err != nil {
			t.Errorf("prefix %q: Create: %v", p, err)
		}
		if err := s.Save(ctx, "k", session.Delta{IdleTimeout: time.Minute}); err != nil {
			t.Errorf("prefix %q: Save: %v", p, err)
		}
	}
	// A standalone server has no slots: any prefix works.
	srv := testutil.StartRedis(t, nil)
	one := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	t.Cleanup(func() { one.Close() })
	s, err := redisstore.New(one, &redisstore.Options{Prefix: "a{:"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Create(ctx, record("k", "bob", time.Now())); err != nil {
		t.Errorf("standalone, prefix %q: Create: %v", "a{:", err)
	}
}

// TestPlaceholderRemovedOnFailure: the +inf placeholder a write puts in the
// principal's index before its script runs is taken back when the script
// writes nothing: a Save naming a principal on a missing session left it
// in a set without a TTL (kept for ever unless ByPrincipal was called for
// that principal), and a Create or Rename onto a taken key re-scored the
// live session's entry to +inf (never pruned by score after its deadline).
func TestPlaceholderRemovedOnFailure(t *testing.T) {
	s, clock, c := newIndexStore(t)
	ctx := context.Background()
	now := clock.Now()
	bob := "bob"
	if err := s.Save(ctx, "gone", session.Delta{Principal: &bob}); !errors.Is(err, session.ErrNotFound) {
		t.Fatalf("Save on a missing session = %v, want ErrNotFound", err)
	}
	if n := c.Exists(ctx, "t:p:{bob}").Val(); n != 0 {
		t.Errorf("bob's index after the failed Save: %v (PTTL %v), want none",
			c.ZRangeWithScores(ctx, "t:p:{bob}", 0, -1).Val(), c.PTTL(ctx, "t:p:{bob}").Val())
	}
	createAll(t, s, "alice", now, "k", "other")
	if err := s.Create(ctx, record("k", "alice", now)); !errors.Is(err, session.ErrExists) {
		t.Fatalf("second Create = %v, want ErrExists", err)
	}
	if err := s.Rename(ctx, "other", "k"); !errors.Is(err, session.ErrExists) {
		t.Fatalf("Rename onto a taken key = %v, want ErrExists", err)
	}
	want := float64(now.Add(2 * time.Hour).UnixMilli())
	for _, k := range []string{"k", "other"} {
		if score, err := c.ZScore(ctx, "t:p:{alice}", k).Result(); err != nil || score != want {
			t.Errorf("alice's score for %s = %v, %v; want the deadline %v", k, score, err, want)
		}
	}
	// The taken key belongs to another principal: no entry for it in bob's index.
	if err := s.Create(ctx, record("k", "bob", now)); !errors.Is(err, session.ErrExists) {
		t.Fatalf("Create over alice's session = %v, want ErrExists", err)
	}
	if n := c.Exists(ctx, "t:p:{bob}").Val(); n != 0 {
		t.Errorf("bob's index after the failed Create: %v, want none", c.ZRange(ctx, "t:p:{bob}", 0, -1).Val())
	}
}

// TestReplicaReadsKeepIndex: a cluster client that reads from replicas
// (here ReadOnly, with a "replica" that never gets the writes: a replica
// lagging for ever) may miss fresh sessions in reads, but the writes that
// depend on a read read the master: ByPrincipal's pruning no longer drops
// a live session from its principal's index ("log out everywhere" then
// never saw it), and Update no longer answers ErrNotFound for it.
func TestReplicaReadsKeepIndex(t *testing.T) {
	master := testutil.StartRedis(t, nil)
	stale := testutil.StartRedis(t, nil)
	c := redis.NewClusterClient(&redis.ClusterOptions{
		ClusterSlots: func(context.Context) ([]redis.ClusterSlot, error) {
			return []redis.ClusterSlot{{Start: 0, End: 16383,
				Nodes: []redis.ClusterNode{{Addr: master.Addr()}, {Addr: stale.Addr()}}}}, nil
		},
		ReadOnly: true,
	})
	t.Cleanup(func() { c.Close() })
	direct := redis.NewClient(&redis.Options{Addr: master.Addr()})
	t.Cleanup(func() { direct.Close() })
	s, err := redisstore.New(c, &redisstore.Options{Prefix: "t:"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := s.Create(ctx, record("k", "alice", time.Now())); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ByPrincipal(ctx, "alice"); err != nil {
		t.Fatal(err)
	}
	if got := direct.ZRange(ctx, "t:p:{alice}", 0, -1).Val(); !slices.Equal(got, []string{"k"}) {
		t.Errorf("alice's index on the master after ByPrincipal = %v, want [k]", got)
	}
	v, err := s.Update(ctx, "k", "n", func([]byte, bool) ([]byte, error) { return []byte("1"), nil })
	if err != nil || string(v) != "1" {
		t.Errorf("Update of the live session = %q, %v; want 1", v, err)
	}
}
