package redisstore

import (
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// TestTokenLifeOptions: the token life covers the resends each client
// type's options allow, and is long when they allow unbounded waits.
func TestTokenLifeOptions(t *testing.T) {
	for _, tc := range []struct {
		name     string
		c        redis.UniversalClient
		min, max time.Duration
	}{
		// 3 resends × (6 s pool + 5 s dial + 5 s write + 5 s read + 1 s backoff), twice.
		{"client defaults", redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"}), 132 * time.Second, 132 * time.Second},
		{"client without retries", redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1}), time.Minute, time.Minute},
		{"client without read deadline", redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", ReadTimeout: -2}), time.Hour, time.Hour},
		// 3 redirects × (41 s pool + 5 s dial + 40 s write + 40 s read + 1 s backoff), twice.
		{"cluster", redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{"127.0.0.1:1"}, ReadTimeout: 40 * time.Second}), 762 * time.Second, 762 * time.Second},
		{"cluster without read timeout", redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{"127.0.0.1:1"}, ReadTimeout: -1}), time.Hour, time.Hour},
	} {
		got := tokenLife(tc.c)
		tc.c.Close()
		if got < tc.min || got > tc.max {
			t.Errorf("%s: token life %v, want in [%v, %v]", tc.name, got, tc.min, tc.max)
		}
	}
}

// TestTokenLifeBounded: however many resends the options allow, the token
// life is at most unboundedTokenLife (a token key outlives a reaped session
// by that much at most) and never overflows into a short or negative life.
func TestTokenLifeBounded(t *testing.T) {
	for _, retries := range []int{1000, 1 << 40, 1<<62 + 1} {
		c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: retries})
		got := tokenLife(c)
		c.Close()
		if got != unboundedTokenLife {
			t.Errorf("MaxRetries %d: token life %v, want %v", retries, got, unboundedTokenLife)
		}
	}
	c := redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{"127.0.0.1:1"}, MaxRedirects: 1 << 31, MaxRetries: 1 << 33})
	got := tokenLife(c)
	c.Close()
	if got != unboundedTokenLife {
		t.Errorf("cluster with huge MaxRedirects and MaxRetries: token life %v, want %v", got, unboundedTokenLife)
	}
}

// TestTokenLifeUnusualClients: reading the options of a client that has
// none (a zero value, a nil pointer) does not panic; the token then lives
// unboundedTokenLife.
func TestTokenLifeUnusualClients(t *testing.T) {
	var nilClient *redis.Client
	var nilRing *redis.Ring
	var nilCluster *redis.ClusterClient
	for name, c := range map[string]redis.UniversalClient{
		"zero client":  &redis.Client{},
		"zero ring":    &redis.Ring{},
		"zero cluster": &redis.ClusterClient{},
		"nil client":   nilClient,
		"nil ring":     nilRing,
		"nil cluster":  nilCluster,
	} {
		func() {
			defer func() {
				if v := recover(); v != nil {
					t.Errorf("%s: tokenLife panicked: %v", name, v)
				}
			}()
			if got := tokenLife(c); got != unboundedTokenLife {
				t.Errorf("%s: token life %v, want %v", name, got, unboundedTokenLife)
			}
		}()
	}
}
