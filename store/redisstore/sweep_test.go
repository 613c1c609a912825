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
