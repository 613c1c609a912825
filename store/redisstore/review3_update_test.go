package redisstore_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/httpstate/httpstate/session"
	"github.com/httpstate/httpstate/store/redisstore"
)

// TestUpdateOldValueTooLarge: Update sends the value it read back with its
// compare-and-set, so a stored value longer than the store's argument
// limit (written under a higher limit) is refused, before anything is
// sent, with ErrTooLarge: Update sent it, which a server with that limit
// answers by closing the connection (an unknown outcome).
func TestUpdateOldValueTooLarge(t *testing.T) {
	s, clock, _ := newIndexStore(t)
	bg := context.Background()
	r := record("k", "", clock.Now())
	r.Attrs = map[string][]byte{"v": []byte(strings.Repeat("x", 100))}
	if err := s.Create(bg, r); err != nil {
		t.Fatal(err)
	}
	redisstore.SetMaxArg(s, 64)
	calls := 0
	_, err := s.Update(bg, "k", "v", func(old []byte, ok bool) ([]byte, error) {
		calls++
		return []byte("y"), nil
	})
	if !errors.Is(err, session.ErrTooLarge) {
		t.Fatalf("Update of a 100-byte value with a 64-byte argument limit = %v, want ErrTooLarge", err)
	}
	if calls != 0 {
		t.Errorf("fn ran %d times for an update that cannot be sent", calls)
	}
	got, _, err := s.Load(bg, "k")
	if err != nil || string(got.Attrs["v"]) != strings.Repeat("x", 100) {
		t.Errorf("value after the refused Update = %q, %v; want it unchanged", got.Attrs["v"], err)
	}
}
