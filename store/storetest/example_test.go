package storetest_test

import (
	"testing"
	"time"

	"github.com/httpstate/httpstate/session"
	"github.com/httpstate/httpstate/store/memstore"
	"github.com/httpstate/httpstate/store/storetest"
)

// A store's test file wires the suite in with one function. The store must
// judge expiry by the clock it is given, here through memstore.Options.Now.
func ExampleRun() {
	testConformance := func(t *testing.T) { // func TestConformance(t *testing.T) in a _test.go file
		storetest.Run(t, func(t *testing.T, now func() time.Time) session.Store {
			s, err := memstore.New(&memstore.Options{Now: now})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		})
	}
	_ = testConformance
}
