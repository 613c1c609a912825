package redisstore

import (
	"context"
	"testing"
	"time"

	"github.com/httpstate/httpstate/internal/testutil"
	"github.com/httpstate/httpstate/session"
	"github.com/redis/go-redis/v9"
)

// TestSaveRerunAfterHashGone: a Save that left the session expired keeps
// its token so that go-redis's resend, after a lost reply, answers as the
// first run did. The expired hash lives only Options.Grace more, which may
// be shorter than the token: a resend arriving after Redis dropped the
// hash must still find its token, not answer "not live" (ErrNotFound for a
// write that was applied).
func TestSaveRerunAfterHashGone(t *testing.T) {
	rs := testutil.StartRedis(t, nil)
	c := redis.NewClient(&redis.Options{Addr: rs.Addr()})
	defer c.Close()
	ctx := context.Background()
	now := time.UnixMilli(1_700_000_000_000)
	s, err := New(c, &Options{Prefix: "rg:", Grace: time.Second, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	r := &session.Record{Key: "k", Created: now, LastAccess: now, IdleTimeout: 30 * time.Minute, Deadline: now.Add(24 * time.Hour)}
	if err := s.Create(ctx, r); err != nil {
		t.Fatal(err)
	}
	now = now.Add(10 * time.Minute)
	// Save's call for Delta{IdleTimeout: 5m}: it leaves the session expired.
	keys := []string{s.hashKey("k"), s.tokenKey("k")}
	args := []any{ms(now), s.graceMS, "", (5 * time.Minute).Milliseconds(), "0", "", 0, "token-1", s.tokenMS}
	first, err := saveScript.Run(ctx, c, keys, args...).Result()
	if err != nil {
		t.Fatal(err)
	}
	if r, ok := first.([]any); !ok || len(r) != 4 || r[0] != int64(1) {
		t.Fatalf("first run = %v, want {1, ...}", first)
	}
	// Redis drops the expired hash after the grace; the token lives on.
	if err := c.Del(ctx, s.hashKey("k")).Err(); err != nil {
		t.Fatal(err)
	}
	again, err := saveScript.Run(ctx, c, keys, args...).Result()
	if err != nil {
		t.Fatal(err)
	}
	if again == int64(0) {
		t.Fatalf("rerun after the hash expired = 0 (not live), want the first run's success")
	}
	// Another call (another token) on the gone session is refused.
	args[7] = "token-2"
	if other, err := saveScript.Run(ctx, c, keys, args...).Result(); err != nil || other != int64(0) {
		t.Fatalf("another Save on the gone session = %v, %v, want 0", other, err)
	}
}
