package redisstore

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/httpstate/httpstate/internal/testutil"
	"github.com/httpstate/httpstate/session"
)

// stringKeys is the keySet Iterate used before seenKeys, kept as the
// baseline of the memory test and benchmark: every key string, which is a
// slice of the Redis key SCAN returned.
type stringKeys map[string]struct{}

func (s stringKeys) add(k string) bool {
	if _, dup := s[k]; dup {
		return false
	}
	s[k] = struct{}{}
	return true
}

// randomKey returns session.Key of a fresh random ID.
func randomKey() string {
	return session.Key(rand.Text())
}

func TestSeenKeys(t *testing.T) {
	k := randomKey()
	sum, ok := decodeKey(k)
	if !ok {
		t.Fatalf("decodeKey(session.Key) not ok")
	}
	if got := base64.RawURLEncoding.EncodeToString(sum[:]); got != k {
		t.Fatalf("decodeKey round trip = %q, want %q", got, k)
	}
	// The last character of a 43-character key carries 4 bits and 2 spare
	// ones: a lenient decoder maps k and k with the spare bits set to one sum.
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	last := strings.IndexByte(alphabet, k[len(k)-1])
	sibling := k[:len(k)-1] + string(alphabet[last|1])
	if sibling == k {
		sibling = k[:len(k)-1] + string(alphabet[last|2])
	}
	for _, bad := range []string{
		sibling,
		k[:20] + "\n" + k[21:], // CR/LF are skipped by the decoder
		k[:42],
		k + "A",
		k[:42] + "=",
		strings.Repeat("!", 43),
		"",
	} {
		if _, ok := decodeKey(bad); ok {
			t.Errorf("decodeKey(%q) ok, want a non-canonical key", bad)
		}
	}

	s := newSeenKeys()
	other := "t:s:{" + k[:10] + "}"
	for _, c := range []struct {
		k   string
		new bool
	}{
		{k, true}, {k, false}, {sibling, true}, {sibling, false},
		{k[:20] + "\n" + k[21:], true}, {"k", true}, {"k", false},
		{other[5 : len(other)-1], true}, {k[:10], false}, {"", true}, {"", false},
	} {
		if got := s.add(c.k); got != c.new {
			t.Errorf("add(%q) = %v, want %v", c.k, got, c.new)
		}
	}
	if len(s.sums) != 1 || len(s.other) != 5 {
		t.Errorf("sets hold %d sums and %d strings, want 1 and 5", len(s.sums), len(s.other))
	}
}

// TestSeenKeysAllocs: a canonical key costs no allocation besides the
// map's growth.
func TestSeenKeysAllocs(t *testing.T) {
	k := randomKey()
	s := newSeenKeys()
	s.add(k)
	if a := testing.AllocsPerRun(100, func() { s.add(k) }); a != 0 {
		t.Errorf("add of a seen key: %v allocs, want 0", a)
	}
}

// retained returns the live heap bytes per key that set keeps after adding
// n keys, each sliced from its own Redis key string as SCAN's reply gives
// them, the reply being dropped afterwards.
func retained(n int, set func() keySet) float64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	s := set()
	for range n {
		rk := "httpstate:s:{" + randomKey() + "}"
		s.add(rk[len("httpstate:s:{") : len(rk)-1])
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(s)
	return float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / float64(n)
}

// TestSeenKeysMemory: seenKeys keeps far less heap per key than the key
// strings it replaced (measured: about 52 B against 99 B at 100k keys), and
// no less than the 32 bytes of a sum.
func TestSeenKeysMemory(t *testing.T) {
	const n = 100_000
	old := retained(n, func() keySet { return stringKeys{} })
	now := retained(n, func() keySet { return newSeenKeys() })
	t.Logf("retained heap per key over %d keys: strings %.1f B, sums %.1f B", n, old, now)
	if now < sha256.Size || now > 0.75*old {
		t.Errorf("seenKeys keeps %.1f B/key, strings %.1f B/key: want between %d B and 3/4 of the strings", now, old, sha256.Size)
	}
}

// fill creates n sessions with canonical keys and extra ones with other
// keys, concurrently, and returns all their keys.
func fill(tb testing.TB, s *Store, n int, extra ...string) []string {
	tb.Helper()
	keys := make([]string, 0, n+len(extra))
	for range n {
		keys = append(keys, randomKey())
	}
	keys = append(keys, extra...)
	now := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := range 8 {
		wg.Go(func() {
			for i := w; i < len(keys); i += 8 {
				r := &session.Record{Key: keys[i], Created: now, LastAccess: now, IdleTimeout: time.Hour}
				if err := s.Create(context.Background(), r); err != nil {
					errs <- fmt.Errorf("create %d: %w", i, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		tb.Fatal(err)
	}
	return keys
}

// TestIterateOnce: Iterate reports each session exactly once, canonical
// keys and others alike, on one server and on every master of a cluster.
func TestIterateOnce(t *testing.T) {
	srv := testutil.StartRedis(t, nil)
	cl := testutil.StartRedisCluster(t, 3)
	for _, tc := range []struct {
		name string
		c    redis.UniversalClient
	}{
		{"standalone", redis.NewClient(&redis.Options{Addr: srv.Addr()})},
		{"cluster", redis.NewClusterClient(&redis.ClusterOptions{Addrs: cl.Addrs()})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Cleanup(func() { tc.c.Close() })
			s, err := New(tc.c, &Options{Prefix: "once:"})
			if err != nil {
				t.Fatal(err)
			}
			keys := fill(t, s, 3000, "k", "k2", "a{b}c", strings.Repeat("x", 43))
			got := make(map[string]int)
			if err := s.Iterate(context.Background(), func(m session.Meta) bool {
				got[m.Key]++
				return true
			}); err != nil {
				t.Fatal(err)
			}
			if len(got) != len(keys) {
				t.Errorf("Iterate saw %d sessions, want %d", len(got), len(keys))
			}
			for _, k := range keys {
				if got[k] != 1 {
					t.Errorf("Iterate reported %s %d times, want once", k[:min(len(k), 8)], got[k])
				}
			}
		})
	}
}

// BenchmarkIterateSeen iterates over n sessions with the key set Iterate
// uses (sums) and the one it replaced (strings), reporting the heap per key
// still live at the last callback (retained-B/key) besides B/op.
func BenchmarkIterateSeen(b *testing.B) {
	const n = 20_000
	srv := testutil.StartRedis(b, nil)
	c := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	b.Cleanup(func() { c.Close() })
	s, err := New(c, nil)
	if err != nil {
		b.Fatal(err)
	}
	fill(b, s, n)
	ctx := context.Background()
	for _, bc := range []struct {
		name string
		set  func() keySet
	}{
		{"seen=strings", func() keySet { return stringKeys{} }},
		{"seen=sums", func() keySet { return newSeenKeys() }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var live float64
			b.ReportAllocs()
			for b.Loop() {
				var before, at runtime.MemStats
				b.StopTimer()
				runtime.GC()
				runtime.ReadMemStats(&before)
				b.StartTimer()
				seen, count := 0, 0
				err := s.iterate(ctx, func(session.Meta) bool {
					if count++; count == n {
						b.StopTimer()
						runtime.GC()
						runtime.ReadMemStats(&at)
						b.StartTimer()
					}
					seen++
					return true
				}, bc.set())
				if err != nil || seen != n {
					b.Fatalf("iterate: %d sessions, %v; want %d", seen, err, n)
				}
				live += float64(int64(at.HeapAlloc)-int64(before.HeapAlloc)) / n
			}
			b.ReportMetric(live/float64(b.N), "retained-B/key")
		})
	}
}
