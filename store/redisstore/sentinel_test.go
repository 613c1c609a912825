package redisstore_test

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/httpstate/httpstate/internal/testutil"
	"github.com/httpstate/httpstate/session"
	"github.com/httpstate/httpstate/store/redisstore"
)

// newFailoverClient returns a go-redis Sentinel client (NewUniversalClient
// with a MasterName) for r, closed when the test ends.
func newFailoverClient(t *testing.T, r *testutil.RedisSentinel) redis.UniversalClient {
	t.Helper()
	c := redis.NewUniversalClient(&redis.UniversalOptions{MasterName: r.MasterName, Addrs: r.Addrs()})
	if _, ok := c.(*redis.Client); !ok {
		t.Fatalf("NewUniversalClient with MasterName: got %T, want a failover *redis.Client", c)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestConformanceSentinel(t *testing.T) {
	r := testutil.StartRedisSentinel(t, &testutil.SentinelOptions{Sentinels: 3})
	runShared(t, newFailoverClient(t, r))
}

// TestSentinelWritesReachMaster: a session saved through the Sentinel client
// is on the master, as a plain client to the master's address loads it.
func TestSentinelWritesReachMaster(t *testing.T) {
	r := testutil.StartRedisSentinel(t, nil)
	ctx := context.Background()
	via, err := redisstore.New(newFailoverClient(t, r), &redisstore.Options{Prefix: "sentinel:"})
	if err != nil {
		t.Fatal(err)
	}
	defer via.Close()
	plain := redis.NewClient(&redis.Options{Addr: r.Master.Addr()})
	defer plain.Close()
	direct, err := redisstore.New(plain, &redisstore.Options{Prefix: "sentinel:"})
	if err != nil {
		t.Fatal(err)
	}
	defer direct.Close()

	now := time.Now()
	rec := sentinelRecord("k1", now)
	if err := via.Create(ctx, rec); err != nil {
		t.Fatalf("Create through Sentinel: %v", err)
	}
	if err := via.Save(ctx, "k1", session.Delta{Set: map[string][]byte{"b": []byte(`2`)}}); err != nil {
		t.Fatalf("Save through Sentinel: %v", err)
	}
	got, found, err := direct.Load(ctx, "k1")
	if err != nil || !found {
		t.Fatalf("Load from the master: found %v, %v", found, err)
	}
	if got.Principal != "alice" || string(got.Attrs["a"]) != `1` || string(got.Attrs["b"]) != `2` {
		t.Fatalf("Load from the master: %+v", got)
	}
}

// TestSentinelFailover: after SENTINEL FAILOVER promotes the replica, the
// same store keeps working through its Sentinel client, and what was saved
// before (and replicated) is still there.
func TestSentinelFailover(t *testing.T) {
	r := testutil.StartRedisSentinel(t, &testutil.SentinelOptions{Replicas: 1})
	ctx := context.Background()
	c := newFailoverClient(t, r)
	s, err := redisstore.New(c, &redisstore.Options{Prefix: "failover:"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Create(ctx, sentinelRecord("k1", time.Now())); err != nil {
		t.Fatal(err)
	}
	// The replica has the write before the failover (WAIT numreplicas
	// timeout-ms returns how many acknowledged it).
	if n, err := c.Do(ctx, "WAIT", 1, 5000).Int(); err != nil || n != 1 {
		t.Fatalf("WAIT 1: %d replicas, %v", n, err)
	}
	if _, err := r.Sentinels[0].Do("SENTINEL", "FAILOVER", r.MasterName); err != nil {
		t.Fatalf("SENTINEL FAILOVER: %v", err)
	}
	want := r.Replicas[0].Addr()
	deadline := time.Now().Add(30 * time.Second)
	for {
		addr, err := r.MasterAddr()
		if err == nil && addr == want {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("master after failover: %q, %v; want %q", addr, err, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
	// Until the Sentinel has turned the old master into a replica, that
	// server still takes writes that its resync will then drop: Redis
	// replication is asynchronous, and a Sentinel failover can lose writes
	// acknowledged in that window. Demote it now, as the Sentinel does at
	// its next INFO round (up to 10 s later), so that this test checks the
	// client's switch and not that window.
	host, port, _ := net.SplitHostPort(want)
	if _, err := r.Master.Do("REPLICAOF", host, port); err != nil {
		t.Fatalf("REPLICAOF on the old master: %v", err)
	}
	for {
		info, err := r.Master.Do("INFO", "replication")
		if err == nil && strings.Contains(info, "role:slave") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("old master not demoted: %v\n%s", err, info)
		}
		time.Sleep(50 * time.Millisecond)
	}
	// The client follows the switch (it subscribes to +switch-master); a
	// call racing it fails with READONLY on the demoted master, so retry
	// for a bounded time.
	var lastErr error
	for {
		lastErr = s.Save(ctx, "k1", session.Delta{Set: map[string][]byte{"b": []byte(`2`)}})
		if lastErr == nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if lastErr != nil {
		t.Fatalf("Save after failover: %v", lastErr)
	}
	plain := redis.NewClient(&redis.Options{Addr: want})
	defer plain.Close()
	direct, err := redisstore.New(plain, &redisstore.Options{Prefix: "failover:"})
	if err != nil {
		t.Fatal(err)
	}
	got, found, err := direct.Load(ctx, "k1")
	if err != nil || !found {
		t.Fatalf("Load from the new master: found %v, %v", found, err)
	}
	if string(got.Attrs["a"]) != `1` || string(got.Attrs["b"]) != `2` {
		t.Fatalf("Load from the new master: attrs %q", got.Attrs)
	}
}

// sentinelRecord returns a live record of alice with attribute a=1.
func sentinelRecord(key string, now time.Time) *session.Record {
	return &session.Record{Key: key, Principal: "alice", Created: now, LastAccess: now,
		IdleTimeout: 30 * time.Minute, Deadline: now.Add(2 * time.Hour),
		Attrs: map[string][]byte{"a": []byte(`1`)}}
}
