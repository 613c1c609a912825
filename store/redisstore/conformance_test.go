package redisstore_test

import (
	"fmt"
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

// newStoreFunc returns a storetest factory: each store gets a fresh prefix
// on the shared client c.
func newStoreFunc(c redis.UniversalClient) func(t *testing.T, now func() time.Time) session.Store {
	return func(t *testing.T, now func() time.Time) session.Store {
		s, err := redisstore.New(c, &redisstore.Options{
			Prefix: fmt.Sprintf("t%d:", prefixes.Add(1)),
			Now:    now,
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
}

func TestConformanceStandalone(t *testing.T) {
	srv := testutil.StartRedis(t, nil)
	c := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	t.Cleanup(func() { c.Close() })
	storetest.Run(t, newStoreFunc(c))
}

func TestConformanceCluster(t *testing.T) {
	cl := testutil.StartRedisCluster(t, 3)
	c := redis.NewClusterClient(&redis.ClusterOptions{Addrs: cl.Addrs()})
	t.Cleanup(func() { c.Close() })
	storetest.Run(t, newStoreFunc(c))
}

func TestConformanceUniversal(t *testing.T) {
	srv := testutil.StartRedis(t, nil)
	c := redis.NewUniversalClient(&redis.UniversalOptions{Addrs: []string{srv.Addr()}})
	t.Cleanup(func() { c.Close() })
	storetest.Run(t, newStoreFunc(c))
}
