package boltstore_test

import (
	"testing"
	"time"

	"github.com/httpstate/httpstate/session"
	"github.com/httpstate/httpstate/store/boltstore"
	"github.com/httpstate/httpstate/store/storetest"
)

// TestConformanceVariants runs the conformance suite with the read cache
// off, with a one-record cache (every fill evicts) and with one write per
// commit, the settings the default run does not reach.
func TestConformanceVariants(t *testing.T) {
	for name, o := range map[string]boltstore.Options{
		"NoCache": {CacheSize: -1},
		"Cache1":  {CacheSize: 1},
		"Batch1":  {MaxBatchSize: 1},
	} {
		t.Run(name, func(t *testing.T) {
			storetest.Run(t, func(t *testing.T, now func() time.Time) session.Store {
				o := o
				o.Now = now
				return openStore(t, &o)
			})
		})
	}
}
