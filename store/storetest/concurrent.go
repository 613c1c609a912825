package storetest

import (
	"errors"
	"math/rand/v2"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/httpstate/httpstate/session"
)

// Sizes of the ConcurrentMixed case.
const (
	mixedWorkers = 8
	mixedOps     = 150
	mixedKeys    = 24
)

// testConcurrentMixed runs every method from several goroutines at once over
// a small key space while the clock moves, then checks the store is
// consistent: no unexpected errors, a shared counter that lost no increment,
// Iterate, Load and ByPrincipal agreeing, and a final Sweep that empties it.
// Run it with -race.
func testConcurrentMixed(t *testing.T, e *Env) {
	mustCreate(t, e, NewRecord("counter", "", e.Clock.Now()))
	principals := []string{"", "alice", "bob", "carol"}
	var wg sync.WaitGroup
	errs := make(chan error, mixedWorkers)
	for w := range mixedWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 42))
			errs <- mixedWorker(e, rng, principals)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}

	n, err := strconv.Atoi(string(mustLoad(t, e, "counter").Attrs["count"]))
	if err != nil || n != mixedWorkers*mixedOps/10 {
		t.Fatalf("counter = %d (%v), want %d: an Update was lost", n, err, mixedWorkers*mixedOps/10)
	}

	// Iterate, Load and ByPrincipal agree.
	live := iterateAll(t, e)
	seen := make(map[string]bool)
	perPrincipal := make(map[string][]string)
	for _, m := range live {
		if seen[m.Key] {
			t.Fatalf("Iterate visited %q twice", m.Key)
		}
		seen[m.Key] = true
		r := mustLoad(t, e, m.Key)
		sameMeta(t, m, wantMeta(r))
		if m.Principal != "" {
			perPrincipal[m.Principal] = append(perPrincipal[m.Principal], m.Key)
		}
	}
	for _, p := range principals[1:] {
		got := metaKeys(byPrincipal(t, e, p))
		want := perPrincipal[p]
		slices.Sort(want)
		if !equalStrings(got, want) {
			t.Errorf("ByPrincipal(%s) = %v, Iterate says %v", p, got, want)
		}
	}

	// Everything expires; one Sweep takes whatever the workers' sweeps left:
	// every session that was live, and perhaps some that had expired unswept.
	e.Clock.Advance(48 * time.Hour)
	swept := make(map[string]int)
	for _, m := range sweep(t, e) {
		swept[m.Key]++
	}
	for k := range seen {
		if swept[k] != 1 {
			t.Errorf("final Sweep reported %q %d times, want once", k, swept[k])
		}
	}
	if got := iterateAll(t, e); len(got) != 0 {
		t.Errorf("Iterate after the final Sweep = %v, want none", metaKeys(got))
	}
	for _, p := range principals[1:] {
		if got := byPrincipal(t, e, p); len(got) != 0 {
			t.Errorf("ByPrincipal(%s) after the final Sweep = %v, want none", p, metaKeys(got))
		}
	}
}

// mixedWorker performs mixedOps random operations, every tenth one an
// increment of the shared counter. It returns the first error that is not
// ErrNotFound or ErrExists.
func mixedWorker(e *Env, rng *rand.Rand, principals []string) error {
	s, ctx := e.Store, e.Ctx
	expected := func(op string, err error) error {
		if err == nil || errors.Is(err, session.ErrNotFound) || errors.Is(err, session.ErrExists) {
			return nil
		}
		return errors.New("storetest: concurrent " + op + ": " + err.Error())
	}
	for i := range mixedOps {
		key := keyN("k", rng.IntN(mixedKeys))
		var err error
		op := "?"
		if i%10 == 0 {
			op = "Update(counter)"
			_, err = s.Update(ctx, "counter", "count", func(old []byte, ok bool) ([]byte, error) {
				n := 0
				if ok {
					var err error
					if n, err = strconv.Atoi(string(old)); err != nil {
						return nil, err
					}
				}
				return strconv.AppendInt(nil, int64(n+1), 10), nil
			})
			if err != nil {
				return errors.New("storetest: Update(counter): " + err.Error())
			}
			// The counter must never expire during the test.
			if err := s.Save(ctx, "counter", session.Delta{LastAccess: e.Clock.Now()}); err != nil {
				return errors.New("storetest: Save(counter): " + err.Error())
			}
			continue
		}
		now := e.Clock.Now()
		switch rng.IntN(10) {
		case 0, 1:
			op = "Create"
			r := NewRecord(key, principals[rng.IntN(len(principals))], now)
			r.IdleTimeout = time.Duration(1+rng.IntN(10)) * time.Minute
			err = s.Create(ctx, r)
		case 2:
			op = "Load"
			_, _, err = s.Load(ctx, key)
		case 3:
			op = "Save"
			d := session.Delta{
				Set:        map[string][]byte{keyN("a", rng.IntN(3)): []byte(strconv.Itoa(i))},
				Delete:     []string{keyN("a", rng.IntN(3))},
				LastAccess: now,
			}
			if rng.IntN(3) == 0 {
				d.Principal = &principals[rng.IntN(len(principals))]
			}
			err = s.Save(ctx, key, d)
		case 4:
			op = "Update"
			_, err = s.Update(ctx, key, "u", func(old []byte, ok bool) ([]byte, error) {
				return append(append([]byte{}, old...), 'x'), nil
			})
		case 5:
			op = "Rename"
			err = s.Rename(ctx, key, keyN("k", rng.IntN(mixedKeys)))
		case 6:
			op = "Delete"
			_, err = s.Delete(ctx, key)
		case 7:
			op = "ByPrincipal"
			_, err = s.ByPrincipal(ctx, principals[1+rng.IntN(len(principals)-1)])
		case 8:
			op = "Iterate"
			visits, stop := 0, rng.IntN(8)
			err = s.Iterate(ctx, func(session.Meta) bool { visits++; return visits <= stop })
		case 9:
			op = "Sweep"
			e.Clock.Advance(time.Duration(rng.IntN(30)) * time.Second)
			_, err = s.Sweep(ctx)
		}
		if err := expected(op, err); err != nil {
			return err
		}
	}
	return nil
}
