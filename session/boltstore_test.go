package session_test

import (
	"net/http"
	"path/filepath"
	"sync"
	"testing"

	"github.com/httpstate/httpstate/internal/testutil"
	"github.com/httpstate/httpstate/session"
	"github.com/httpstate/httpstate/store/boltstore"
)

// TestWithBoltstore runs the core scenarios over the durable default store.
func TestWithBoltstore(t *testing.T) {
	clock := testutil.NewClock(t0)
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "s.db"), &boltstore.Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	m, err := session.New(&session.Options{Store: st, Now: clock.Now, SweepInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	e := &env{clock: clock, m: m}
	id := e.newSession(t)
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e.serve(func(w http.ResponseWriter, r *http.Request) {
				if _, err := session.Update(session.FromRequest(r), "n", func(n int, _ bool) (int, error) { return n + 1, nil }); err != nil {
					t.Error(err)
				}
			}, withCookie(id))
		}()
	}
	wg.Wait()
	if rec := e.serve(counter, withCookie(id)); rec.Body.String() != "22" {
		t.Fatalf("after 20 parallel Updates body %q, want 22", rec.Body.String())
	}
	rec := e.serve(login, withCookie(id))
	nid := cookieValue(t, rec)
	if r := e.serve(counter, withCookie(id)); r.Body.String() != "1" {
		t.Errorf("old ID after Renew: %q, want a fresh session", r.Body.String())
	}
	e.serve(func(w http.ResponseWriter, r *http.Request) { session.FromRequest(r).Invalidate() }, withCookie(nid))
	if r := e.serve(counter, withCookie(nid)); r.Body.String() != "1" {
		t.Errorf("after Invalidate: %q, want a fresh session", r.Body.String())
	}
}
