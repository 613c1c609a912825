package storetest_test

import (
	"testing"
	"time"

	"github.com/httpstate/httpstate/session"
	"github.com/httpstate/httpstate/store/memstore"
	"github.com/httpstate/httpstate/store/storetest"
)

// TestMemstore runs the suite against the reference in-memory store, so the
// suite itself is checked whenever it changes.
func TestMemstore(t *testing.T) {
	storetest.Run(t, func(t *testing.T, now func() time.Time) session.Store {
		s, err := memstore.New(&memstore.Options{Now: now, Shards: 4})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}
