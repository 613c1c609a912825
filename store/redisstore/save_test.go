package redisstore_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/httpstate/httpstate/internal/testutil"
	"github.com/httpstate/httpstate/session"
	"github.com/httpstate/httpstate/store/redisstore"
)

// deadSaveCases are sessions a Save must refuse (ErrNotFound) without
// writing anything: absent, deleted, expired by the store's clock, or
// marked as moving by a rename.
var deadSaveCases = []struct {
	name string
	// kill makes session "k" (created live at clock.Now()) dead.
	kill func(ctx context.Context, s *redisstore.Store, clock *testutil.Clock, c *redis.Client) error
}{
	{"never created", nil},
	{"deleted", func(ctx context.Context, s *redisstore.Store, _ *testutil.Clock, _ *redis.Client) error {
		_, err := s.Delete(ctx, "k")
		return err
	}},
	{"expired", func(context.Context, *redisstore.Store, *testutil.Clock, *redis.Client) error {
		return nil // the test advances the clock past the idle timeout
	}},
	{"moving", func(ctx context.Context, _ *redisstore.Store, _ *testutil.Clock, c *redis.Client) error {
		return c.HSet(ctx, "t:s:{k}", "m", "t:s:{elsewhere}").Err()
	}},
	{"renamed", func(ctx context.Context, s *redisstore.Store, _ *testutil.Clock, _ *redis.Client) error {
		return s.Rename(ctx, "k", "k2")
	}},
}

// deadSaveDeltas are the deltas tried on each dead session: the script's
// one-attribute fast path and its general path.
var deadSaveDeltas = []struct {
	name string
	d    func(now time.Time) session.Delta
}{
	{"one attribute", func(time.Time) session.Delta {
		return session.Delta{Set: map[string][]byte{"n": []byte(`7`)}}
	}},
	{"attributes and touch", func(now time.Time) session.Delta {
		return session.Delta{Set: map[string][]byte{"n": []byte(`7`), "x": []byte(`1`)}, Delete: []string{"y"}, LastAccess: now}
	}},
	{"delete only", func(time.Time) session.Delta {
		return session.Delta{Delete: []string{"n"}}
	}},
}

// TestSaveNeverResurrects: a late Save on a dead session returns
// ErrNotFound and leaves the hash exactly as it was (or absent).
func TestSaveNeverResurrects(t *testing.T) {
	for _, dc := range deadSaveCases {
		for _, dd := range deadSaveDeltas {
			t.Run(dc.name+"/"+dd.name, func(t *testing.T) {
				s, clock, c := newIndexStore(t)
				ctx := context.Background()
				if dc.kill != nil {
					r := record("k", "", clock.Now())
					r.Attrs = map[string][]byte{"n": []byte(`1`), "y": []byte(`2`)}
					if err := s.Create(ctx, r); err != nil {
						t.Fatal(err)
					}
					if err := dc.kill(ctx, s, clock, c); err != nil {
						t.Fatal(err)
					}
				}
				if dc.name == "expired" {
					clock.Advance(31 * time.Minute)
				}
				before, err := c.HGetAll(ctx, "t:s:{k}").Result()
				if err != nil {
					t.Fatal(err)
				}
				err = s.Save(ctx, "k", dd.d(clock.Now()))
				if !errors.Is(err, session.ErrNotFound) {
					t.Errorf("Save = %v, want ErrNotFound", err)
				}
				after, err := c.HGetAll(ctx, "t:s:{k}").Result()
				if err != nil {
					t.Fatal(err)
				}
				if len(after) != len(before) {
					t.Fatalf("hash changed: got %v, want %v", after, before)
				}
				for f, v := range before {
					if after[f] != v {
						t.Errorf("field %q = %q, want %q", f, after[f], v)
					}
				}
				if _, found, err := s.Load(ctx, "k"); found || err != nil {
					t.Errorf("Load after a late Save = %v, %v; want absent", found, err)
				}
			})
		}
	}
}
