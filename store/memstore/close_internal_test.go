package memstore

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/httpstate/httpstate/session"
)

// TestCloseRacingCalls: a call on a live session that races Close succeeds
// or fails with ErrClosed, never with ErrNotFound or found=false as if its
// session were gone (the Manager takes that for a session ended elsewhere,
// and ends it). Close empties each shard under its lock, so a Save,
// Update, Delete or Load that waited for that lock found the shard empty.
func TestCloseRacingCalls(t *testing.T) {
	now := time.Unix(1e9, 0)
	ctx := context.Background()
	calls := []func(s *Store, key string) error{
		func(s *Store, key string) error { return s.Save(ctx, key, session.Delta{LastAccess: now}) },
		func(s *Store, key string) error {
			_, err := s.Update(ctx, key, "a", func([]byte, bool) ([]byte, error) { return []byte(`1`), nil })
			return err
		},
		func(s *Store, key string) error {
			found, err := s.Delete(ctx, key)
			if err == nil && !found {
				err = errors.New("Delete: found=false")
			}
			return err
		},
		func(s *Store, key string) error {
			_, found, err := s.Load(ctx, key)
			if err == nil && !found {
				err = errors.New("Load: found=false")
			}
			return err
		},
	}
	names := []string{"Save", "Update", "Delete", "Load"}
	bad := 0
	for round := range 100 {
		s := newTestStore(t, &now, 1)
		const n = 200 // keys, each with one call
		for i := range n {
			if err := s.Create(ctx, testRecord(strconv.Itoa(i), "", now)); err != nil {
				t.Fatal(err)
			}
		}
		var wg sync.WaitGroup
		start := make(chan struct{})
		errs := make([]error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				errs[i] = calls[i%len(calls)](s, strconv.Itoa(i))
			}()
		}
		close(start)
		s.Close()
		wg.Wait()
		for i, err := range errs {
			if err != nil && !errors.Is(err, session.ErrClosed) {
				bad++
				if bad <= 4 {
					t.Errorf("round %d: %s racing Close = %v, want nil or ErrClosed", round, names[i%len(calls)], err)
				}
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d calls racing Close answered as if their session were gone", bad)
	}
}
