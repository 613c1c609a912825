package redisstore_test

import (
	"context"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/httpstate/httpstate/internal/testutil"
	"github.com/httpstate/httpstate/session"
	"github.com/httpstate/httpstate/store/redisstore"
)

// tripCounter is a go-redis hook counting round trips (a command or a
// pipeline) and the commands they carry.
type tripCounter struct {
	trips, cmds atomic.Int64
}

func (h *tripCounter) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h *tripCounter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		h.trips.Add(1)
		h.cmds.Add(1)
		return next(ctx, cmd)
	}
}

func (h *tripCounter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		h.trips.Add(1)
		h.cmds.Add(int64(len(cmds)))
		return next(ctx, cmds)
	}
}

// commandStats returns INFO commandstats as command → calls, leaving out
// the commands the measurement itself sends (info, config).
func commandStats(t testing.TB, srv *testutil.RedisServer) map[string]int {
	t.Helper()
	out, err := srv.Do("INFO", "commandstats")
	if err != nil {
		t.Fatal(err)
	}
	stats := make(map[string]int)
	for _, line := range strings.Split(out, "\n") {
		line = strings.TrimSpace(line)
		name, rest, ok := strings.Cut(strings.TrimPrefix(line, "cmdstat_"), ":calls=")
		if !ok || strings.HasPrefix(name, "info") || strings.HasPrefix(name, "config") {
			continue
		}
		n, _ := strconv.Atoi(rest[:strings.IndexByte(rest+",", ',')])
		stats[name] = n
	}
	return stats
}

// measure runs fn between two resets of the server's statistics and returns
// the commands the server executed (INFO commandstats) and the round trips
// and commands the client sent (hook).
func measure(t testing.TB, srv *testutil.RedisServer, h *tripCounter, fn func()) (server map[string]int, trips, cmds int64) {
	t.Helper()
	if _, err := srv.Do("CONFIG", "RESETSTAT"); err != nil {
		t.Fatal(err)
	}
	t0, c0 := h.trips.Load(), h.cmds.Load()
	fn()
	return commandStats(t, srv), h.trips.Load() - t0, h.cmds.Load() - c0
}

// roundTripCases are the operations whose cost is fixed: server lists the
// top-level commands (scripts' inner commands are counted by Redis too, and
// listed under inner).
var roundTripCases = []struct {
	name        string
	trips, cmds int64
	server      map[string]int // exact top-level commands
	inner       []string       // commands the script runs inside Redis
	run         func(t *testing.T, ctx context.Context, s *redisstore.Store, now time.Time)
}{
	{
		name: "Load", trips: 1, cmds: 1, server: map[string]int{"hgetall": 1},
		run: func(t *testing.T, ctx context.Context, s *redisstore.Store, now time.Time) {
			if _, found, err := s.Load(ctx, "k"); !found || err != nil {
				t.Fatalf("Load = %v, %v", found, err)
			}
		},
	},
	{
		name: "Save touch", trips: 1, cmds: 1, server: map[string]int{"evalsha": 1},
		inner: []string{"hmget", "hset", "pexpire"},
		run: func(t *testing.T, ctx context.Context, s *redisstore.Store, now time.Time) {
			if err := s.Save(ctx, "k", session.Delta{LastAccess: now}); err != nil {
				t.Fatal(err)
			}
		},
	},
	{
		name: "Save attribute", trips: 1, cmds: 1, server: map[string]int{"evalsha": 1},
		inner: []string{"hmget", "hset", "pexpire"},
		run: func(t *testing.T, ctx context.Context, s *redisstore.Store, now time.Time) {
			d := session.Delta{Set: map[string][]byte{"n": []byte(`2`)}, LastAccess: now}
			if err := s.Save(ctx, "k", d); err != nil {
				t.Fatal(err)
			}
		},
	},
	{
		// The expiry does not move: no PEXPIRE.
		name: "Save attribute only", trips: 1, cmds: 1, server: map[string]int{"evalsha": 1},
		inner: []string{"hmget", "hset"},
		run: func(t *testing.T, ctx context.Context, s *redisstore.Store, now time.Time) {
			d := session.Delta{Set: map[string][]byte{"n": []byte(`4`)}, Delete: []string{"absent"}}
			if err := s.Save(ctx, "k", d); err != nil {
				t.Fatal(err)
			}
		},
	},
	{
		name: "Update", trips: 2, cmds: 2, server: map[string]int{"hmget": 1, "evalsha": 1},
		inner: []string{"hmget", "hset"},
		run: func(t *testing.T, ctx context.Context, s *redisstore.Store, now time.Time) {
			_, err := s.Update(ctx, "k", "n", func(old []byte, ok bool) ([]byte, error) { return []byte(`3`), nil })
			if err != nil {
				t.Fatal(err)
			}
		},
	},
}

// TestRoundTrips checks with INFO commandstats and a client hook that Load
// costs one HGETALL and Save one EVALSHA, writing only what changed.
func TestRoundTrips(t *testing.T) {
	srv := testutil.StartRedis(t, nil)
	h := &tripCounter{}
	c := redis.NewClient(&redis.Options{Addr: srv.Addr(), PoolSize: 1})
	t.Cleanup(func() { c.Close() })
	c.AddHook(h)
	ctx := context.Background()
	now := time.Now().Truncate(time.Millisecond)
	clock := testutil.NewClock(now)
	s, err := redisstore.New(c, &redisstore.Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	r := &session.Record{Key: "k", Created: now, LastAccess: now, IdleTimeout: time.Hour,
		Deadline: now.Add(24 * time.Hour), Attrs: map[string][]byte{"n": []byte(`1`), "big": make([]byte, 1000)}}
	if err := s.Create(ctx, r); err != nil {
		t.Fatal(err)
	}
	// Warm up: the scripts get loaded (EVAL after NOSCRIPT) once.
	// Each write records a later access.
	at := now
	tick := func() time.Time { at = at.Add(time.Second); return at }
	for _, tc := range roundTripCases {
		tc.run(t, ctx, s, tick())
	}
	for _, tc := range roundTripCases {
		server, trips, cmds := measure(t, srv, h, func() { tc.run(t, ctx, s, tick()) })
		if trips != tc.trips || cmds != tc.cmds {
			t.Errorf("%s: client sent %d commands in %d round trips, want %d in %d", tc.name, cmds, trips, tc.cmds, tc.trips)
		}
		want := make(map[string]int)
		for k, v := range tc.server {
			want[k] += v
		}
		for _, k := range tc.inner {
			want[k]++
		}
		if !sameCounts(server, want) {
			t.Errorf("%s: INFO commandstats = %v, want %v", tc.name, server, want)
		}
	}
	// A read+write request (Load, then Save of one attribute) stays within
	// 2 round trips and 3 commands, and never rewrites the untouched "big".
	_, trips, cmds := measure(t, srv, h, func() {
		roundTripCases[0].run(t, ctx, s, tick())
		roundTripCases[2].run(t, ctx, s, tick())
	})
	if trips > 2 || cmds > 3 {
		t.Errorf("read+write: %d commands in %d round trips, want at most 3 in 2", cmds, trips)
	}
}

// sameCounts reports whether got and want hold the same non-zero counts.
func sameCounts(got, want map[string]int) bool {
	for k, v := range got {
		if v != 0 && want[k] != v {
			return false
		}
	}
	for k, v := range want {
		if got[k] != v {
			return false
		}
	}
	return true
}
