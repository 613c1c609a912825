package bench

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// redisScenarios are the Redis workloads: an existing session read
// (readonly) or read and incremented (readwrite).
var redisScenarios = []struct {
	name    string
	handler func(h *SessionHandlers) http.Handler
}{
	{"readonly", func(h *SessionHandlers) http.Handler { return h.ReadOnly }},
	{"readwrite", func(h *SessionHandlers) http.Handler { return h.ReadWrite }},
}

// BenchmarkRedis runs the two workloads under every Redis contender against
// one local redis-server, in process, serially: each iteration serves a
// copy of a request carrying the session cookie. Besides ns/op it reports
// srvcmds/req (INFO commandstats delta per request, commands run inside
// scripts included) and, for go-redis clients, cmds/req and rt/req (what
// the client sent: commands and round trips). See README.md ("redis").
func BenchmarkRedis(b *testing.B) { benchRedis(b, false, RedisImpls()) }

// BenchmarkRedisParallel is BenchmarkRedis with 8 goroutines per CPU
// serving at once (b.RunParallel), as a loaded server does.
func BenchmarkRedisParallel(b *testing.B) { benchRedis(b, true, RedisImpls()) }

// BenchmarkRedisProtocol compares go-redis clients speaking RESP2
// (Protocol: 2) and RESP3 (the default) on the commands httpstate's store
// sends for a read+write request: HGETALL of a session hash, and an
// EVALSHA. Each iteration runs redisProtocolBlock commands on each client,
// alternating, and times each block, so that load changes hit both alike.
// It reports each protocol's client CPU and wall time per command and their
// ratios (resp2/resp3).
func BenchmarkRedisProtocol(b *testing.B) {
	srv, err := StartRedisServer()
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	ctx := context.Background()
	var cs [2]*goredis.Client
	for i, p := range []int{2, 3} {
		cs[i] = goredis.NewClient(goRedisOptions(srv.Addr, p))
		defer cs[i].Close()
	}
	if err := cs[0].HSet(ctx, "k", "a", "1", "i", "2", "d", "3", "z", "2", ".n", "42").Err(); err != nil {
		b.Fatal(err)
	}
	script := goredis.NewScript(`return redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])`)
	for _, op := range []struct {
		name string
		do   func(c *goredis.Client) error
	}{
		{"hgetall", func(c *goredis.Client) error { return c.HGetAll(ctx, "k").Err() }},
		{"evalsha", func(c *goredis.Client) error { return script.Run(ctx, c, []string{"k"}, ".n", "43").Err() }},
	} {
		b.Run(op.name, func(b *testing.B) {
			var cpu, wall [2]time.Duration
			for b.Loop() {
				for i, c := range cs {
					c0, w0 := processCPU(), time.Now()
					for range redisProtocolBlock {
						if err := op.do(c); err != nil {
							b.Fatal(err)
						}
					}
					cpu[i] += processCPU() - c0
					wall[i] += time.Since(w0)
				}
			}
			n := float64(b.N * redisProtocolBlock)
			b.ReportMetric(float64(cpu[0])/n, "resp2-cpu-ns/cmd")
			b.ReportMetric(float64(cpu[1])/n, "resp3-cpu-ns/cmd")
			b.ReportMetric(float64(cpu[0])/float64(cpu[1]), "cpu-resp2/resp3")
			b.ReportMetric(float64(wall[0])/float64(wall[1]), "wall-resp2/resp3")
		})
	}
}

// redisProtocolBlock is the number of commands BenchmarkRedisProtocol
// times at a time on one client.
const redisProtocolBlock = 100

func benchRedis(b *testing.B, parallel bool, impls []RedisImpl) {
	srv, err := StartRedisServer()
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	for _, sc := range redisScenarios {
		b.Run(sc.name, func(b *testing.B) {
			for _, impl := range impls {
				b.Run(impl.Name, func(b *testing.B) {
					h, counter, err := impl.New(srv.Addr)
					if err != nil {
						b.Fatal(err)
					}
					defer h.Close()
					base := h.Request(context.Background())
					handler := sc.handler(h)
					serve := func() bool {
						r := new(http.Request)
						*r = *base
						rec := httptest.NewRecorder()
						handler.ServeHTTP(rec, r)
						if rec.Code != http.StatusOK {
							b.Errorf("status %d: %s", rec.Code, rec.Body)
							return false
						}
						return true
					}
					serve() // warm: connections, scripts
					if err := srv.ResetStats(); err != nil {
						b.Fatal(err)
					}
					var t0, c0 int64
					if counter != nil {
						t0, c0 = counter.Trips.Load(), counter.Cmds.Load()
					}
					r0, err := srv.CPU()
					if err != nil {
						b.Fatal(err)
					}
					p0 := processCPU()
					b.ReportAllocs()
					var n atomic.Int64
					if parallel {
						b.SetParallelism(8)
						b.RunParallel(func(pb *testing.PB) {
							for pb.Next() {
								if !serve() {
									return
								}
								n.Add(1)
							}
						})
					} else {
						for b.Loop() {
							if !serve() {
								break
							}
							n.Add(1)
						}
					}
					b.StopTimer()
					cpu := processCPU() - p0
					r1, err := srv.CPU()
					if err != nil {
						b.Fatal(err)
					}
					calls, err := srv.CommandCalls()
					if err != nil {
						b.Fatal(err)
					}
					reqs := float64(n.Load())
					// CPU per request, which the machine's load disturbs less
					// than ns/op: this process (handler, session layer,
					// client) and redis-server.
					b.ReportMetric(float64(cpu)/reqs, "cpu-ns/req")
					b.ReportMetric(float64(r1-r0)/reqs, "redis-cpu-ns/req")
					b.ReportMetric(float64(calls)/reqs, "srvcmds/req")
					if counter != nil {
						b.ReportMetric(float64(counter.Trips.Load()-t0)/reqs, "rt/req")
						b.ReportMetric(float64(counter.Cmds.Load()-c0)/reqs, "cmds/req")
					}
				})
			}
		})
	}
}

// floorCommands are the floors' per-request costs, per redisScenarios
// entry: what the client sends and, exactly, what Redis executes (commands
// run inside a script included).
var floorCommands = map[string][]struct {
	trips, cmds int64
	srv         map[string]int64
}{
	"floor-goredis": {
		{1, 1, map[string]int64{"get": 1}},
		{2, 2, map[string]int64{"get": 1, "set": 1}},
	},
	"floor-cas": {
		{1, 1, map[string]int64{"hgetall": 1}},
		{2, 2, map[string]int64{"hgetall": 1, "evalsha": 1, "exists": 1, "hset": 1}},
	},
}

// commandCounts returns the calls of each command INFO commandstats lists
// (INFO and CONFIG, the harness's own, left out).
func commandCounts(srv *RedisServer) (map[string]int64, error) {
	out, err := srv.Do("INFO", "commandstats")
	if err != nil {
		return nil, err
	}
	counts := map[string]int64{}
	for _, line := range strings.Split(out, "\n") {
		name, rest, ok := strings.Cut(strings.TrimPrefix(strings.TrimSpace(line), "cmdstat_"), ":calls=")
		if !ok || strings.HasPrefix(name, "info") || strings.HasPrefix(name, "config") {
			continue
		}
		rest, _, _ = strings.Cut(rest, ",")
		n, err := strconv.ParseInt(rest, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("commandstats line %q: %w", line, err)
		}
		if n > 0 {
			counts[name] = n
		}
	}
	return counts, nil
}

// The floor-cas write is guarded: on a hash that no longer exists (a
// session another instance ended after the read) it creates nothing, and
// the request fails instead of answering as if it had written.
func TestFloorCASNoResurrection(t *testing.T) {
	srv, err := StartRedisServer()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	c := goredis.NewClient(goRedisOptions(srv.Addr, goRedisProtocol))
	defer c.Close()
	ctx := context.Background()
	if err := floorCASScript.Load(ctx, c).Err(); err != nil {
		t.Fatal(err)
	}
	if err := c.HSet(ctx, "live", ".n", "1").Err(); err != nil {
		t.Fatal(err)
	}
	if err := floorCASWrite(ctx, c, "live", 2); err != nil {
		t.Fatalf("write to a live hash: %v", err)
	}
	if v, err := c.HGet(ctx, "live", ".n").Result(); err != nil || v != "2" {
		t.Fatalf("live hash's .n = %q (%v), want 2", v, err)
	}
	if err := floorCASWrite(ctx, c, "ended", 2); err == nil {
		t.Fatal("write to an ended session reported done")
	}
	if n, err := c.Exists(ctx, "ended").Result(); err != nil || n != 0 {
		t.Fatalf("write to an ended session made it again (EXISTS %d, %v)", n, err)
	}
}

// redisCommandTargets are httpstate's per-request costs: what the client
// sends (round trips, commands) and what Redis executes.
var redisCommandTargets = []struct {
	scenario           string
	trips, cmds, srvGE int64
}{
	{"readonly", 1, 1, 1},  // one HGETALL
	{"readwrite", 2, 2, 2}, // HGETALL, then one EVALSHA writing only "n"
}

// TestRedisCommands checks every contender serves the workloads, and that
// httpstate-redisstore costs what bench/README.md claims.
func TestRedisCommands(t *testing.T) {
	srv, err := StartRedisServer()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	for _, impl := range RedisImpls() {
		h, counter, err := impl.New(srv.Addr)
		if err != nil {
			t.Fatalf("%s: %v", impl.Name, err)
		}
		for i := 2; i <= 3; i++ {
			rec := httptest.NewRecorder()
			h.ReadWrite.ServeHTTP(rec, h.Request(context.Background()))
			if rec.Body.String() != itoa(i) {
				t.Errorf("%s: ReadWrite answered %q, want %d", impl.Name, rec.Body.String(), i)
			}
		}
		rec := httptest.NewRecorder()
		h.ReadOnly.ServeHTTP(rec, h.Request(context.Background()))
		if rec.Code != http.StatusOK || rec.Body.String() != "3" {
			t.Errorf("%s: ReadOnly answered %d %q, want 3", impl.Name, rec.Code, rec.Body.String())
		}
		if want, ok := floorCommands[impl.Name]; ok {
			// A floor does exactly the work its godoc and README.md's
			// "Floors" describe, no less (it would flatter the ratios)
			// and no more.
			for k, sc := range redisScenarios {
				if err := srv.ResetStats(); err != nil {
					t.Fatal(err)
				}
				t0, c0 := counter.Trips.Load(), counter.Cmds.Load()
				rec := httptest.NewRecorder()
				sc.handler(h).ServeHTTP(rec, h.Request(context.Background()))
				if rec.Code != http.StatusOK {
					t.Errorf("%s %s: status %d: %s", impl.Name, sc.name, rec.Code, rec.Body)
				}
				trips, cmds := counter.Trips.Load()-t0, counter.Cmds.Load()-c0
				if trips != want[k].trips || cmds != want[k].cmds {
					t.Errorf("%s %s: %d commands in %d round trips, want %d in %d", impl.Name, sc.name, cmds, trips, want[k].cmds, want[k].trips)
				}
				got, err := commandCounts(srv)
				if err != nil {
					t.Fatal(err)
				}
				if fmt.Sprint(got) != fmt.Sprint(want[k].srv) {
					t.Errorf("%s %s: Redis executed %v, want %v", impl.Name, sc.name, got, want[k].srv)
				}
			}
		}
		if impl.Name == "httpstate-redisstore" {
			for k, sc := range redisScenarios {
				want := redisCommandTargets[k]
				if err := srv.ResetStats(); err != nil {
					t.Fatal(err)
				}
				t0, c0 := counter.Trips.Load(), counter.Cmds.Load()
				rec := httptest.NewRecorder()
				sc.handler(h).ServeHTTP(rec, h.Request(context.Background()))
				trips, cmds := counter.Trips.Load()-t0, counter.Cmds.Load()-c0
				if trips != want.trips || cmds != want.cmds {
					t.Errorf("%s: %d commands in %d round trips, want %d in %d", sc.name, cmds, trips, want.cmds, want.trips)
				}
				if calls, err := srv.CommandCalls(); err != nil || calls < want.srvGE {
					t.Errorf("%s: Redis executed %d commands (%v), want at least %d", sc.name, calls, err, want.srvGE)
				}
			}
		}
		h.Close()
	}
}

// TestStartRedisServerPortTaken: a redis-server started on a port another
// one took first exits; the other's PONG must not pass for its own.
func TestStartRedisServerPortTaken(t *testing.T) {
	other, err := StartRedisServer()
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	_, port, err := net.SplitHostPort(other.Addr)
	if err != nil {
		t.Fatal(err)
	}
	p, err := strconv.Atoi(port)
	if err != nil {
		t.Fatal(err)
	}
	s, err := startRedisServer(other.cmd.Path, p)
	if err == nil {
		s.Close()
		t.Fatal("a redis-server started on a port another one listens on: no error, the other's answer passed for its own")
	}
	if !errors.Is(err, errRedisExited) {
		t.Errorf("err %v, want errRedisExited", err)
	}
}
