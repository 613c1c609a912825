package session_test

import (
	"context"
	"net/http"
	"sync"
	"testing"

	"github.com/httpstate/httpstate/session"
)

// TestLoginsRacingInvalidatePrincipal: logins of one principal (Renew then
// SetPrincipal, under MaxPerPrincipal) racing InvalidatePrincipal of that
// principal: every session is invalidated at most once (one EventInvalidated
// per key), the cap holds afterwards, and no session still listed was
// reported invalidated.
func TestLoginsRacingInvalidatePrincipal(t *testing.T) {
	var mu sync.Mutex
	invalidated := map[string]int{}
	e := newEnv(t, func(o *session.Options) {
		o.MaxPerPrincipal = 2
		o.Listeners = []session.Listener{func(_ context.Context, ev session.Event) {
			mu.Lock()
			defer mu.Unlock()
			if ev.Kind == session.EventInvalidated {
				invalidated[ev.Key]++
			}
		}}
	})
	const logins = 12
	ids := make([]string, logins)
	for i := range ids {
		ids[i] = e.newSession(t)
	}
	var wg sync.WaitGroup
	start := make(chan struct{})
	for _, id := range ids {
		wg.Go(func() {
			<-start
			e.serve(func(w http.ResponseWriter, r *http.Request) {
				s := session.FromRequest(r)
				if err := s.Renew(); err != nil {
					return // ended by InvalidatePrincipal: fine
				}
				s.SetPrincipal("alice")
			}, withCookie(id))
		})
	}
	wg.Go(func() {
		<-start
		for range 5 {
			if _, err := e.m.InvalidatePrincipal(context.Background(), "alice"); err != nil {
				t.Error(err)
			}
		}
	})
	close(start)
	wg.Wait()
	ms, err := e.m.ByPrincipal(context.Background(), "alice")
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) > 2 {
		t.Errorf("%d sessions of alice left, cap 2", len(ms))
	}
	mu.Lock()
	defer mu.Unlock()
	for k, n := range invalidated {
		if n != 1 {
			t.Errorf("session %.8s invalidated %d times", k, n)
		}
	}
	for _, m := range ms {
		if invalidated[m.Key] != 0 {
			t.Errorf("session %.8s still listed after its EventInvalidated", m.Key)
		}
	}
}
