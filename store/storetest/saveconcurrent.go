package storetest

import (
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/httpstate/httpstate/session"
)

// Sizes of the SaveConcurrent case.
const (
	saveWriters = 4
	saveRounds  = 50
)

// testSaveConcurrent: Save applies a delta atomically and only what it
// names (session.Delta): concurrent Saves that touch different attributes
// never lose each other's, and a Load never sees part of a delta. Each
// writer sets its own pair of attributes to one value per round (and
// deletes a scratch attribute it set the round before); readers check
// every pair they load is whole.
func testSaveConcurrent(t *testing.T, e *Env) {
	mustCreate(t, e, NewRecord("k1", "alice", e.Clock.Now()))
	var (
		wg     sync.WaitGroup
		done   atomic.Bool
		mu     sync.Mutex
		failed error
	)
	fail := func(err error) {
		mu.Lock()
		if failed == nil {
			failed = err
		}
		mu.Unlock()
	}
	var readersUp sync.WaitGroup // the writers start once both readers read
	readersUp.Add(2)
	var writers sync.WaitGroup
	for w := range saveWriters {
		writers.Add(1)
		go func() {
			defer writers.Done()
			readersUp.Wait()
			a, b, scratch := fmt.Sprintf("w%d-a", w), fmt.Sprintf("w%d-b", w), fmt.Sprintf("w%d-tmp", w)
			for i := 1; i <= saveRounds; i++ {
				v := []byte(strconv.Itoa(i))
				d := session.Delta{Set: map[string][]byte{a: v, b: v}}
				if i%2 == 0 {
					d.Delete = []string{scratch}
				} else {
					d.Set[scratch] = v
				}
				if err := e.Store.Save(e.Ctx, "k1", d); err != nil {
					fail(fmt.Errorf("writer %d: Save: %w", w, err))
					return
				}
			}
		}()
	}
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			first := true
			for !done.Load() {
				r, found, err := e.Store.Load(e.Ctx, "k1")
				if first {
					readersUp.Done()
					first = false
				}
				if err != nil || !found {
					fail(fmt.Errorf("Load = %v, %v", found, err))
					return
				}
				for w := range saveWriters {
					a, b := r.Attrs[fmt.Sprintf("w%d-a", w)], r.Attrs[fmt.Sprintf("w%d-b", w)]
					if string(a) != string(b) {
						fail(fmt.Errorf("Load saw part of a delta: w%d-a = %q, w%d-b = %q", w, a, w, b))
						return
					}
				}
			}
		}()
	}
	writers.Wait()
	done.Store(true)
	wg.Wait()
	if failed != nil {
		t.Fatal(failed)
	}
	want := cloneRecord(NewRecord("k1", "alice", e.Clock.Now()))
	for w := range saveWriters {
		last := []byte(strconv.Itoa(saveRounds))
		want.Attrs[fmt.Sprintf("w%d-a", w)] = last
		want.Attrs[fmt.Sprintf("w%d-b", w)] = last
		if saveRounds%2 == 1 {
			want.Attrs[fmt.Sprintf("w%d-tmp", w)] = last
		}
	}
	sameRecord(t, mustLoad(t, e, "k1"), want)
	checkMeta(t, e, want)
}
