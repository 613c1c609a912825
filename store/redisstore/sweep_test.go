package redisstore_test

import (
	"context"
	"log/slog"
	"slices"
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

// TestSweepAcrossProcesses: stores with their own clients (as separate
// processes would have) sweep one Redis at once, in small batches; every
// expired session is reported exactly once between them, the live ones
// stay.
func TestSweepAcrossProcesses(t *testing.T) {
	srv := testutil.StartRedis(t, nil)
	clock := testutil.NewClock(time.Now().Truncate(time.Second))
	ctx := context.Background()
	const procs, expired, live = 3, 120, 10
	stores := make([]*redisstore.Store, procs)
	for i := range stores {
		c := redis.NewClient(&redis.Options{Addr: srv.Addr()})
		t.Cleanup(func() { c.Close() })
		s, err := redisstore.New(c, &redisstore.Options{Now: clock.Now, SweepBatch: 7})
		if err != nil {
			t.Fatal(err)
		}
		stores[i] = s
	}
	now := clock.Now()
	for i := range expired + live {
		r := &session.Record{Key: "k" + strconv.Itoa(i), Principal: "p" + strconv.Itoa(i%4), Created: now,
			LastAccess: now, IdleTimeout: time.Minute, Deadline: now.Add(time.Hour)}
		if i >= expired {
			r.IdleTimeout = 2 * time.Hour
		}
		if err := stores[i%procs].Create(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	clock.Advance(2 * time.Minute)
	var wg sync.WaitGroup
	results := make([][]session.Meta, procs)
	errs := make([]error, procs)
	for i, s := range stores {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = s.Sweep(ctx)
		}()
	}
	wg.Wait()
	seen := make(map[string]int)
	for i := range stores {
		if errs[i] != nil {
			t.Fatalf("Sweep %d: %v", i, errs[i])
		}
		for _, m := range results[i] {
			seen[m.Key]++
			if m.Principal == "" || m.Created.IsZero() {
				t.Errorf("swept %q without its metadata: %+v", m.Key, m)
			}
		}
	}
	for i := range expired {
		if n := seen["k"+strconv.Itoa(i)]; n != 1 {
			t.Errorf("k%d reported %d times, want once", i, n)
		}
	}
	if len(seen) != expired {
		t.Errorf("%d sessions reported, want %d", len(seen), expired)
	}
	n := 0
	if err := stores[0].Iterate(ctx, func(session.Meta) bool { n++; return true }); err != nil || n != live {
		t.Errorf("Iterate after the sweeps: %d sessions (%v), want %d", n, err, live)
	}
	for p := range 4 {
		metas, err := stores[1].ByPrincipal(ctx, "p"+strconv.Itoa(p))
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range metas {
			if k, _ := strconv.Atoi(m.Key[1:]); k < expired {
				t.Errorf("ByPrincipal lists swept %s", m.Key)
			}
		}
	}
}

// TestSweepSkipsCorrupt: a session hash whose expiry fields do not parse
// is dropped from the expiry index with a warning, as Options.Logger says,
// and Sweep goes on: it was an error for every later Sweep (the reap
// script failed on it and the entry was put back at the front of the
// index), and the expired sessions behind it in the index were never
// reached.
func TestSweepSkipsCorrupt(t *testing.T) {
	srv := testutil.StartRedis(t, nil)
	c := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	t.Cleanup(func() { c.Close() })
	clock := testutil.NewClock(time.Now().Truncate(time.Second))
	var logs strings.Builder
	s, err := redisstore.New(c, &redisstore.Options{Prefix: "t:", Now: clock.Now, SweepBatch: 2,
		Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	now := clock.Now()
	for i, k := range []string{"bad", "k1", "k2", "k3"} {
		r := record(k, "", now)
		r.IdleTimeout = time.Duration(i+1) * time.Minute // "bad" first in the index
		if err := s.Create(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	c.HSet(ctx, "t:s:{bad}", "a", "x")
	clock.Advance(time.Hour)
	for i := range 2 {
		got, err := s.Sweep(ctx)
		if err != nil {
			t.Fatalf("Sweep %d: %v", i+1, err)
		}
		keys := sortedKeys(got)
		if want := map[int][]string{0: {"k1", "k2", "k3"}, 1: nil}[i]; !slices.Equal(keys, want) {
			t.Fatalf("Sweep %d reported %v, want %v", i+1, keys, want)
		}
	}
	if n := c.ZCard(ctx, "t:expiry").Val(); n != 0 {
		t.Errorf("expiry index keeps %d entries, want 0", n)
	}
	if !strings.Contains(logs.String(), "corrupt") {
		t.Errorf("no warning logged for the corrupt session; log: %q", logs.String())
	}
}

// TestSweepEndsOnDisagreement: a hash that this package reads as corrupt
// but whose reap finds it alive (Lua's tonumber takes the leading space
// Go's ParseInt refuses) is put back in the expiry index past now, so
// Sweep ends: at now, the same Sweep read it again, and spun on it until
// its context ended.
func TestSweepEndsOnDisagreement(t *testing.T) {
	s, clock, c := newIndexStore(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.Create(ctx, record("k", "", clock.Now())); err != nil {
		t.Fatal(err)
	}
	later := clock.Now().Add(10 * time.Hour).UnixMilli()
	c.HSet(ctx, "t:s:{k}", "d", "0", "a", " "+strconv.FormatInt(later, 10))
	clock.Advance(3 * time.Hour)
	got, err := s.Sweep(ctx)
	if err != nil || len(got) != 0 {
		t.Fatalf("Sweep = %v, %v; want nothing reported, no error", got, err)
	}
	if score, err := c.ZScore(ctx, "t:expiry", "k").Result(); err != nil || score <= float64(clock.Now().UnixMilli()) {
		t.Errorf("expiry entry = %v, %v; want one after now", score, err)
	}
}

// TestSweepWarnsOnlyWhenDropped: a hash this package reads as corrupt but
// whose reap finds it alive goes back into the expiry index, and Sweep
// logs no "dropping" warning for it: the warning was logged when the
// entry was claimed, before the reap decided, for an entry that stayed.
// One that is dropped still gets its warning.
func TestSweepWarnsOnlyWhenDropped(t *testing.T) {
	srv := testutil.StartRedis(t, nil)
	c := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	t.Cleanup(func() { c.Close() })
	clock := testutil.NewClock(time.Now().Truncate(time.Second))
	var logs strings.Builder
	s, err := redisstore.New(c, &redisstore.Options{Prefix: "t:", Now: clock.Now,
		Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := s.Create(ctx, record("k", "", clock.Now())); err != nil {
		t.Fatal(err)
	}
	later := clock.Now().Add(10 * time.Hour).UnixMilli()
	c.HSet(ctx, "t:s:{k}", "d", "0", "a", " "+strconv.FormatInt(later, 10))
	clock.Advance(3 * time.Hour)
	if got, err := s.Sweep(ctx); err != nil || len(got) != 0 {
		t.Fatalf("Sweep = %v, %v; want nothing reported, no error", got, err)
	}
	if _, err := c.ZScore(ctx, "t:expiry", "k").Result(); err != nil {
		t.Fatalf("expiry entry of the live hash: %v, want it kept", err)
	}
	if strings.Contains(logs.String(), "dropping") {
		t.Errorf("Sweep logged a drop for an entry it kept: %q", logs.String())
	}
	// Now truly corrupt for the reap too: dropped, with the warning.
	c.HSet(ctx, "t:s:{k}", "a", "x")
	clock.Advance(8 * time.Hour) // past later
	if got, err := s.Sweep(ctx); err != nil || len(got) != 0 {
		t.Fatalf("Sweep = %v, %v; want nothing reported, no error", got, err)
	}
	if n := c.ZCard(ctx, "t:expiry").Val(); n != 0 {
		t.Errorf("expiry index keeps %d entries, want 0", n)
	}
	if n := strings.Count(logs.String(), "dropping"); n != 1 {
		t.Errorf("%d drop warnings logged, want 1: %q", n, logs.String())
	}
}

// TestSweepServerStopsMidway: redis-server stops (gracefully, its AOF
// kept) in the middle of a Sweep of several batches: after a batch's
// claims, before their reaps, or after a batch's reaps (once it prunes
// the principal's index), before the next batch. The Sweep fails, returning the sessions it reaped; once the server
// is back, the sessions still indexed are reported by the next Sweep, and
// the ones whose claims ran but whose reaps and put-backs could not (out
// of the index, hashes intact) by the Sweep that repairs the index next
// (Options.Grace/2 later, see Sweep). Each expired session is reported
// once between them, and nothing is left in Redis.
func TestSweepServerStopsMidway(t *testing.T) {
	// The claims are ZREMs, and once a batch's reaps are done Sweep prunes
	// the principal's index (ZREMRANGEBYSCORE).
	for _, at := range []string{"zrem", "zremrangebyscore"} {
		t.Run("after first "+at, func(t *testing.T) {
			srv := testutil.StartRedis(t, &testutil.RedisOptions{AppendOnly: true})
			c := redis.NewClient(&redis.Options{Addr: srv.Addr(), MaxRetries: -1})
			t.Cleanup(func() { c.Close() })
			clock := testutil.NewClock(time.Now().Truncate(time.Second))
			s, err := redisstore.New(c, &redisstore.Options{Prefix: "t:", Now: clock.Now, SweepBatch: 2})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			bg := context.Background()
			keys := []string{"a", "b", "c", "d", "e"}
			now := clock.Now()
			for _, k := range keys {
				r := record(k, "alice", now)
				r.IdleTimeout = time.Minute
				if err := s.Create(bg, r); err != nil {
					t.Fatal(err)
				}
			}
			live := record("live", "alice", now)
			live.IdleTimeout = 2 * time.Hour
			if err := s.Create(bg, live); err != nil {
				t.Fatal(err)
			}
			clock.Advance(2 * time.Minute)
			var once sync.Once
			stopped := false
			c.AddHook(&cancelHook{match: func(a string) bool { return a == at }, cancel: func() {
				once.Do(func() { srv.Stop(); stopped = true })
			}})
			first, err := s.Sweep(bg)
			if !stopped {
				t.Fatalf("the hook never stopped the server (Sweep = %v, %v)", sortedKeys(first), err)
			}
			if err == nil {
				t.Fatalf("Sweep with the server stopped midway = %v, nil; want an error", sortedKeys(first))
			}
			t.Logf("Sweep cut by the stop: %v, %v", sortedKeys(first), err)
			srv.Start()
			second, err := s.Sweep(bg)
			if err != nil {
				t.Fatalf("Sweep after the restart = %v", err)
			}
			clock.Advance(redisstore.DefaultGrace/2 + time.Second)
			third, err := s.Sweep(bg) // repairs the index first
			if err != nil {
				t.Fatalf("Sweep a half grace later = %v", err)
			}
			t.Logf("then %v, then %v", sortedKeys(second), sortedKeys(third))
			all := slices.Concat(first, second, third)
			if got := sortedKeys(all); !slices.Equal(got, keys) {
				t.Fatalf("the three Sweeps reported %v, want %v once each", got, keys)
			}
			for _, k := range keys {
				if n := c.Exists(bg, "t:s:{"+k+"}").Val(); n != 0 {
					t.Errorf("the hash of swept %s is left", k)
				}
			}
			if got := c.ZRange(bg, "t:expiry", 0, -1).Val(); !slices.Equal(got, []string{"live"}) {
				t.Errorf("expiry index after the sweeps = %v, want [live]", got)
			}
		})
	}
}
