package redisstore_test

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/httpstate/httpstate/internal/testutil"
	"github.com/httpstate/httpstate/session"
	"github.com/httpstate/httpstate/store/redisstore"
	"github.com/httpstate/httpstate/store/storetest"
)

// prefixes numbers the stores of a test run, so each starts empty.
var prefixes atomic.Int64

// newSharedFuncs returns storetest.RunShared's factories: newStore gives
// each store a fresh prefix on the shared client c, and newHandle opens
// another Store value on a store's prefix, as another process on the same
// Redis would.
func newSharedFuncs(c redis.UniversalClient) (
	newStore func(t *testing.T, now func() time.Time) session.Store,
	newHandle func(t *testing.T, s session.Store, now func() time.Time) session.Store,
) {
	var mu sync.Mutex
	prefixOf := make(map[session.Store]string)
	open := func(t *testing.T, prefix string, now func() time.Time) *redisstore.Store {
		s, err := redisstore.New(c, &redisstore.Options{Prefix: prefix, Now: now})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	newStore = func(t *testing.T, now func() time.Time) session.Store {
		prefix := fmt.Sprintf("t%d:", prefixes.Add(1))
		s := open(t, prefix, now)
		mu.Lock()
		prefixOf[s] = prefix
		mu.Unlock()
		t.Cleanup(func() {
			mu.Lock()
			delete(prefixOf, s)
			mu.Unlock()
		})
		return s
	}
	newHandle = func(t *testing.T, s session.Store, now func() time.Time) session.Store {
		mu.Lock()
		prefix, ok := prefixOf[s]
		mu.Unlock()
		if !ok {
			t.Fatalf("newHandle: %p is no store of this factory", s)
		}
		return open(t, prefix, now)
	}
	return newStore, newHandle
}

// runShared runs the conformance suite on client c, each store's handles
// being further Store values on its prefix.
func runShared(t *testing.T, c redis.UniversalClient) {
	t.Helper()
	newStore, newHandle := newSharedFuncs(c)
	storetest.RunShared(t, newStore, newHandle)
}

func TestConformanceStandalone(t *testing.T) {
	srv := testutil.StartRedis(t, nil)
	c := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	t.Cleanup(func() { c.Close() })
	runShared(t, c)
}

func TestConformanceCluster(t *testing.T) {
	cl := testutil.StartRedisCluster(t, 3)
	c := redis.NewClusterClient(&redis.ClusterOptions{Addrs: cl.Addrs()})
	t.Cleanup(func() { c.Close() })
	runShared(t, c)
}

func TestConformanceUniversal(t *testing.T) {
	srv := testutil.StartRedis(t, nil)
	c := redis.NewUniversalClient(&redis.UniversalOptions{Addrs: []string{srv.Addr()}})
	t.Cleanup(func() { c.Close() })
	runShared(t, c)
}
