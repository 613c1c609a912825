package storetest_test

import (
	"errors"
	"testing"

	"github.com/httpstate/httpstate/session"
	"github.com/httpstate/httpstate/store/boltstore"
	"github.com/httpstate/httpstate/store/redisstore"
)

// Every store's "outcome unknown" sentinel is the Store contract's one, so
// a caller of any store tests for session.ErrOutcomeUnknown.
func TestOutcomeUnknownSentinels(t *testing.T) {
	for name, err := range map[string]error{
		"boltstore":  boltstore.ErrOutcomeUnknown,
		"redisstore": redisstore.ErrOutcomeUnknown,
	} {
		if !errors.Is(err, session.ErrOutcomeUnknown) {
			t.Errorf("%s.ErrOutcomeUnknown does not wrap session.ErrOutcomeUnknown", name)
		}
		if errors.Is(err, session.ErrNotFound) || errors.Is(err, session.ErrExists) {
			t.Errorf("%s.ErrOutcomeUnknown wraps ErrNotFound or ErrExists", name)
		}
	}
}
