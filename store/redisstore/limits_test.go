package redisstore_test

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/httpstate/httpstate/internal/testutil"
	"github.com/httpstate/httpstate/session"
	"github.com/httpstate/httpstate/store/redisstore"
)

// TestTokenLifeFollowsClient: the creation token outlives every resend the
// client's options allow: a client with a 30 s ReadTimeout (and so
// WriteTimeout) and 3 retries may resend a Create minutes after it ran; the
// default options (5 s timeouts) already allow more than a minute
// (3 × (5 s dial + 5 s write + 5 s read)).
func TestTokenLifeFollowsClient(t *testing.T) {
	rs := testutil.StartRedis(t, nil)
	ctx := context.Background()
	for _, tc := range []struct {
		opts *redis.Options
		min  time.Duration
		max  time.Duration
	}{
		{&redis.Options{Addr: rs.Addr()}, 3 * 15 * time.Second, time.Hour},
		{&redis.Options{Addr: rs.Addr(), ReadTimeout: 30 * time.Second, MaxRetries: 3}, 3 * 60 * time.Second, time.Hour},
		// No read timeout: no bound can be computed; the token lives long.
		{&redis.Options{Addr: rs.Addr(), ReadTimeout: -1}, 59 * time.Minute, time.Hour},
	} {
		c := redis.NewClient(tc.opts)
		defer c.Close()
		s, err := redisstore.New(c, &redisstore.Options{Prefix: "tl:"})
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		key := "k" + tc.opts.ReadTimeout.String()
		r := &session.Record{Key: key, Created: now, LastAccess: now, IdleTimeout: time.Hour}
		if err := s.Create(ctx, r); err != nil {
			t.Fatal(err)
		}
		ttl, err := c.PTTL(ctx, "tl:c:{"+key+"}").Result()
		if err != nil {
			t.Fatal(err)
		}
		if ttl < tc.min || ttl > tc.max {
			t.Errorf("ReadTimeout %v, MaxRetries %d: token TTL %v, want in [%v, %v]", tc.opts.ReadTimeout, tc.opts.MaxRetries, ttl, tc.min, tc.max)
		}
	}
}

// TestManyAttributes: a Create and a Save of 100,000 attributes work (the
// scripts never unpack more than Lua's stack holds) and read back whole.
func TestManyAttributes(t *testing.T) {
	rs := testutil.StartRedis(t, nil)
	c := redis.NewClient(&redis.Options{Addr: rs.Addr()})
	defer c.Close()
	s, err := redisstore.New(c, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	const n = 100_000
	attrs := make(map[string][]byte, n)
	for i := range n {
		attrs["a"+strconv.Itoa(i)] = []byte(strconv.Itoa(i))
	}
	now := time.Now()
	if err := s.Create(ctx, &session.Record{Key: "k", Created: now, LastAccess: now, IdleTimeout: time.Hour, Attrs: attrs}); err != nil {
		t.Fatalf("Create of %d attributes: %v", n, err)
	}
	set := make(map[string][]byte, n)
	del := make([]string, 0, n/2)
	for i := range n {
		if i%2 == 0 {
			set["b"+strconv.Itoa(i)] = []byte("x")
		} else {
			del = append(del, "a"+strconv.Itoa(i))
		}
	}
	if err := s.Save(ctx, "k", session.Delta{Set: set, Delete: del, IdleTimeout: 2 * time.Hour}); err != nil {
		t.Fatalf("Save of %d attributes: %v", len(set)+len(del), err)
	}
	r, ok, err := s.Load(ctx, "k")
	if err != nil || !ok {
		t.Fatalf("Load = %v, %v", ok, err)
	}
	if len(r.Attrs) != n {
		t.Fatalf("loaded %d attributes, want %d", len(r.Attrs), n)
	}
	if string(r.Attrs["a0"]) != "0" || string(r.Attrs["b0"]) != "x" || r.Attrs["a1"] != nil {
		t.Fatalf("attributes a0=%q b0=%q a1=%q", r.Attrs["a0"], r.Attrs["b0"], r.Attrs["a1"])
	}
}

// TestTooLargeArgument: an attribute value (or name, key, principal)
// longer than Redis accepts as one argument (proto-max-bulk-len; lowered
// here) is refused before it is sent, with an error wrapping
// session.ErrTooLarge, and nothing is written.
func TestTooLargeArgument(t *testing.T) {
	rs := testutil.StartRedis(t, nil)
	c := redis.NewClient(&redis.Options{Addr: rs.Addr()})
	defer c.Close()
	s, err := redisstore.New(c, &redisstore.Options{Prefix: "big:"})
	if err != nil {
		t.Fatal(err)
	}
	redisstore.SetMaxArg(s, 1000)
	ctx := context.Background()
	now := time.Now()
	big := make([]byte, 1001)
	long := string(big)
	rec := func(key, principal string, attrs map[string][]byte) *session.Record {
		return &session.Record{Key: key, Principal: principal, Created: now, LastAccess: now, IdleTimeout: time.Hour, Attrs: attrs}
	}
	for name, r := range map[string]*session.Record{
		"value":     rec("k1", "", map[string][]byte{"a": big}),
		"name":      rec("k2", "", map[string][]byte{long[:1000]: nil}),
		"principal": rec("k3", long, nil),
		"key":       rec(long, "", nil),
	} {
		if err := s.Create(ctx, r); !errors.Is(err, session.ErrTooLarge) {
			t.Errorf("Create with a too long %s = %v, want ErrTooLarge", name, err)
		}
	}
	if n, err := c.DBSize(ctx).Result(); err != nil || n != 0 {
		t.Fatalf("DBSIZE after refused Creates = %d, %v, want 0", n, err)
	}
	if err := s.Create(ctx, rec("k", "", map[string][]byte{"a": big[:999]})); err != nil {
		t.Fatalf("Create at the limit: %v", err)
	}
	p := long
	for name, d := range map[string]session.Delta{
		"value":     {Set: map[string][]byte{"b": big}},
		"name":      {Set: map[string][]byte{long[:1000]: nil}},
		"deleted":   {Delete: []string{long}},
		"principal": {Principal: &p},
	} {
		if err := s.Save(ctx, "k", d); !errors.Is(err, session.ErrTooLarge) {
			t.Errorf("Save with a too long %s = %v, want ErrTooLarge", name, err)
		}
	}
	if _, err := s.Update(ctx, "k", "a", func([]byte, bool) ([]byte, error) { return big, nil }); !errors.Is(err, session.ErrTooLarge) {
		t.Errorf("Update to a too long value = %v, want ErrTooLarge", err)
	}
	r, ok, err := s.Load(ctx, "k")
	if err != nil || !ok || len(r.Attrs) != 1 || len(r.Attrs["a"]) != 999 || r.Principal != "" {
		t.Fatalf("Load after refused writes = %+v, %v, %v; want the record as created", r, ok, err)
	}
}

// TestTokenLifeRing: the token life is read from a ring's options too (its
// shard clients resend, MaxRetries).
func TestTokenLifeRing(t *testing.T) {
	rs := testutil.StartRedis(t, nil)
	ctx := context.Background()
	ring := redis.NewRing(&redis.RingOptions{Addrs: map[string]string{"a": rs.Addr()}, ReadTimeout: 40 * time.Second})
	defer ring.Close()
	s, err := redisstore.New(ring, &redisstore.Options{Prefix: "tr:"})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	if err := s.Create(ctx, &session.Record{Key: "k", Created: now, LastAccess: now, IdleTimeout: time.Hour}); err != nil {
		t.Fatal(err)
	}
	ttl, err := ring.PTTL(ctx, "tr:c:{k}").Result()
	if err != nil {
		t.Fatal(err)
	}
	// 3 resends of at least 40 s read + 40 s write each.
	if min := 3 * 80 * time.Second; ttl < min || ttl > time.Hour {
		t.Fatalf("ring with a 40 s ReadTimeout: token TTL %v, want in [%v, 1h]", ttl, min)
	}
}
