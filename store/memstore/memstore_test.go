package memstore_test

import (
	"testing"
	"time"

	"github.com/httpstate/httpstate/session"
	"github.com/httpstate/httpstate/store/memstore"
	"github.com/httpstate/httpstate/store/storetest"
)

// shardCounts covers a single shard (every Rename within one shard) and
// the default.
var shardCounts = []int{1, 0}

func TestConformance(t *testing.T) {
	for _, n := range shardCounts {
		t.Run(map[int]string{1: "1shard", 0: "default"}[n], func(t *testing.T) {
			storetest.Run(t, func(t *testing.T, now func() time.Time) session.Store {
				s, err := memstore.New(&memstore.Options{Now: now, Shards: n})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { s.Close() })
				return s
			})
		})
	}
}
