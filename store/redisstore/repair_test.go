package redisstore_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/httpstate/httpstate/internal/testutil"
	"github.com/httpstate/httpstate/store/redisstore"
)

// TestSweepRepairsExpiryIndex: sessions whose hashes are missing from the
// expiry index (a Create whose index entry failed for good, a process
// that died between a script and its index update; here the index key is
// deleted) were never reported by Sweep. Now a Sweep's index repair,
// at most every half grace per store, puts them back, and every expired
// one is reported exactly once, also with two stores (processes)
// sweeping at once, on one server and on a cluster.
func TestSweepRepairsExpiryIndex(t *testing.T) {
	for _, cluster := range []bool{false, true} {
		t.Run(fmt.Sprintf("cluster=%v", cluster), func(t *testing.T) {
			bg := context.Background()
			c := newClient(t, cluster)
			t.Cleanup(func() { c.Close() })
			clock := testutil.NewClock(time.Now().Truncate(time.Second))
			var stores [2]*redisstore.Store
			for i := range stores {
				s, err := redisstore.New(c, &redisstore.Options{Prefix: "t:", Now: clock.Now})
				if err != nil {
					t.Fatal(err)
				}
				stores[i] = s
			}
			const n = 40
			var keys []string
			for i := range n {
				k := fmt.Sprintf("k%02d", i)
				keys = append(keys, k)
				p := ""
				if i%2 == 0 {
					p = "alice"
				}
				if err := stores[0].Create(bg, record(k, p, clock.Now())); err != nil {
					t.Fatal(err)
				}
			}
			dropIndex := func() {
				t.Helper()
				if err := c.Del(bg, "t:expiry").Err(); err != nil {
					t.Fatal(err)
				}
			}
			card := func() int64 {
				t.Helper()
				v, err := c.ZCard(bg, "t:expiry").Result()
				if err != nil {
					t.Fatal(err)
				}
				return v
			}

			// Live sessions: the repair puts their entries back, nothing
			// is reported.
			dropIndex()
			if got, err := stores[0].Sweep(bg); err != nil || len(got) != 0 {
				t.Fatalf("Sweep of live sessions = %v, %v; want none", sortedKeys(got), err)
			}
			if v := card(); v != n {
				t.Fatalf("expiry index after the repair: %d entries, want %d", v, n)
			}

			// Within half the grace of its last repair a store does not
			// scan again.
			dropIndex()
			clock.Advance(time.Minute)
			if got, err := stores[0].Sweep(bg); err != nil || len(got) != 0 {
				t.Fatalf("Sweep = %v, %v; want none", sortedKeys(got), err)
			}
			if v := card(); v != 0 {
				t.Fatalf("expiry index a minute after a repair: %d entries, want 0 (no second scan)", v)
			}

			// Past the expiry (30 minutes idle) and half the grace: both
			// stores repair and sweep at once; each session is reported
			// once.
			clock.Advance(31 * time.Minute)
			var (
				wg   sync.WaitGroup
				mu   sync.Mutex
				all  []string
				errs []error
			)
			for _, s := range stores {
				wg.Go(func() {
					got, err := s.Sweep(bg)
					mu.Lock()
					defer mu.Unlock()
					errs = append(errs, err)
					for _, m := range got {
						all = append(all, m.Key)
					}
				})
			}
			wg.Wait()
			for _, err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			slices.Sort(all)
			if !slices.Equal(all, keys) {
				t.Fatalf("reported %d sessions %v, want each of %d once", len(all), all, n)
			}
			// Nothing left: a later repair finds no hash to put back.
			clock.Advance(time.Hour)
			for _, s := range stores {
				if got, err := s.Sweep(bg); err != nil || len(got) != 0 {
					t.Fatalf("Sweep after all were reported = %v, %v; want none", sortedKeys(got), err)
				}
			}
		})
	}
}

// failZMScore fails the first ZMSCORE (the index repair's) without
// sending it.
type failZMScore struct{ fired atomic.Bool }

func (h *failZMScore) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h *failZMScore) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if cmd.Name() == "zmscore" && h.fired.CompareAndSwap(false, true) {
			cmd.SetErr(errInjected)
			return errInjected
		}
		return next(ctx, cmd)
	}
}

func (h *failZMScore) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}

// TestSweepRepairFailure: a failed index repair does not stop the sweep
// (the indexed expired session is reported), Sweep returns the repair's
// error, and the next Sweep repairs at once (not half a grace later),
// reporting the session the index missed.
func TestSweepRepairFailure(t *testing.T) {
	bg := context.Background()
	srv := testutil.StartRedis(t, nil)
	c := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	s, clock := newClockedStore(t, c)
	for _, k := range []string{"indexed", "lost"} {
		if err := s.Create(bg, record(k, "", clock.Now())); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.ZRem(bg, "t:expiry", "lost").Err(); err != nil {
		t.Fatal(err)
	}
	h := &failZMScore{}
	c.AddHook(h)
	clock.Advance(time.Hour)
	got, err := s.Sweep(bg)
	if !h.fired.Load() {
		t.Fatal("the repair sent no ZMSCORE")
	}
	if !errors.Is(err, errInjected) || len(got) != 1 || got[0].Key != "indexed" {
		t.Fatalf("Sweep with a failing repair = %v, %v; want indexed and the repair's error", sortedKeys(got), err)
	}
	got, err = s.Sweep(bg)
	if err != nil || len(got) != 1 || got[0].Key != "lost" {
		t.Fatalf("next Sweep = %v, %v; want lost (repaired at once)", sortedKeys(got), err)
	}
}

// heapAtZMScore records the live heap (after a GC) each time the index
// repair sends a ZMSCORE, once per SCAN batch.
type heapAtZMScore struct {
	mu   sync.Mutex
	heap []uint64
}

func (h *heapAtZMScore) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h *heapAtZMScore) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if cmd.Name() == "zmscore" {
			runtime.GC()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			h.mu.Lock()
			h.heap = append(h.heap, ms.HeapAlloc)
			h.mu.Unlock()
		}
		return next(ctx, cmd)
	}
}

func (h *heapAtZMScore) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}

// TestSweepRepairMemoryBounded: the index repair, which every process's
// sweeper runs on its own every half grace, kept every session key it
// had scanned (seenKeys) to the end of the SCAN, so its live heap grew
// with the store, which anyone can grow with anonymous sessions. A key
// SCAN returns twice needs no such set: its second ZMSCORE finds the
// entry the first put back. The live heap between the first and the last
// batch now stays flat.
func TestSweepRepairMemoryBounded(t *testing.T) {
	bg := context.Background()
	srv := testutil.StartRedis(t, nil)
	c := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	s, clock := newClockedStore(t, c)
	if err := s.Create(bg, record("k0", "", clock.Now())); err != nil {
		t.Fatal(err)
	}
	fields, err := c.HGetAll(bg, "t:s:{k0}").Result()
	if err != nil || len(fields) == 0 {
		t.Fatalf("HGETALL of a session = %v, %v", fields, err)
	}
	// n hashes out of the expiry index, as after failed index updates.
	const n = 30000
	for lo := 0; lo < n; lo += 1000 {
		pipe := c.Pipeline()
		for i := lo; i < lo+1000; i++ {
			pipe.HSet(bg, fmt.Sprintf("t:s:{session-key-%06d}", i), fields)
		}
		if _, err := pipe.Exec(bg); err != nil {
			t.Fatal(err)
		}
	}
	h := &heapAtZMScore{}
	c.AddHook(h)
	if got, err := s.Sweep(bg); err != nil || len(got) != 0 {
		t.Fatalf("Sweep = %d sessions, %v; want none", len(got), err)
	}
	if v := c.ZCard(bg, "t:expiry").Val(); v != n+1 {
		t.Fatalf("expiry index after the repair: %d entries, want %d", v, n+1)
	}
	if len(h.heap) < 10 {
		t.Fatalf("the repair sent %d ZMSCOREs, want one per batch (>= 10)", len(h.heap))
	}
	first, last := h.heap[0], h.heap[len(h.heap)-1]
	if last > first && last-first > 256<<10 {
		t.Fatalf("live heap grew by %d KB over the repair of %d sessions (%d batches), want it bounded by a batch", (last-first)>>10, n, len(h.heap))
	}
}

// cancelAtZMScore cancels the context of the call that sends a ZMSCORE
// (the index repair's), as a caller's deadline shorter than a repair of a
// large store would.
type cancelAtZMScore struct {
	mu     sync.Mutex
	cancel context.CancelFunc
	fired  int
}

func (h *cancelAtZMScore) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h *cancelAtZMScore) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if cmd.Name() == "zmscore" {
			h.mu.Lock()
			h.fired++
			h.cancel()
			h.mu.Unlock()
		}
		return next(ctx, cmd)
	}
}

func (h *cancelAtZMScore) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}

// TestSweepRepairCutShortStillSweeps: a Sweep whose context ends during
// the index repair fails; the claim was given back, so every later Sweep
// repaired first again, and a caller whose deadline is shorter than a
// repair (a large store) never had an expired session swept again. A
// repair cut short by the caller's context now waits half a grace like
// a finished one, and the next Sweep sweeps.
func TestSweepRepairCutShortStillSweeps(t *testing.T) {
	srv := testutil.StartRedis(t, nil)
	c := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	s, clock := newClockedStore(t, c)
	if err := s.Create(context.Background(), record("k", "", clock.Now())); err != nil {
		t.Fatal(err)
	}
	h := &cancelAtZMScore{}
	c.AddHook(h)
	clock.Advance(time.Hour)
	ctx, cancel := context.WithCancel(context.Background())
	h.mu.Lock()
	h.cancel = cancel
	h.mu.Unlock()
	if _, err := s.Sweep(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Sweep cancelled during the repair = %v, want context.Canceled", err)
	}
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	h.mu.Lock()
	h.cancel = cancel
	h.mu.Unlock()
	got, err := s.Sweep(ctx)
	if err != nil || len(got) != 1 || got[0].Key != "k" {
		t.Fatalf("next Sweep = %v, %v; want k swept (the repair cut short not rerun at once)", sortedKeys(got), err)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.fired != 1 {
		t.Fatalf("the repair ran %d times, want 1", h.fired)
	}
}
