package app

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"reflect"
	"sync/atomic"
	"testing"
	"time"

	"github.com/httpstate/httpstate/session"
)

// gatedStore holds every Update while armed: it reports the call on entered
// and waits for release.
type gatedStore struct {
	session.Store
	armed   atomic.Bool
	entered chan struct{}
	release chan struct{}
}

func (s *gatedStore) Update(ctx context.Context, key, attr string, fn func(old []byte, ok bool) ([]byte, error)) ([]byte, error) {
	if s.armed.Load() {
		s.entered <- struct{}{}
		<-s.release
	}
	return s.Store.Update(ctx, key, attr, fn)
}

// TestGracefulShutdown shuts the HTTP server down (as serve does on SIGTERM)
// with an admin's event stream open and a cart change in flight: the stream
// ends at once, the change finishes and is answered, http.Server.Shutdown
// returns without waiting for its deadline, and App.Close then closes the
// store with the change in it.
//
// Shutdown's deadline is a minute, and it must return within 20s of the
// change being let go: both bounds are far above the milliseconds a
// prompt shutdown takes (its idle-connection polls are at most 500ms
// apart), so that a loaded machine does not stretch a prompt one past them,
// and far below what a shutdown that waits for something else (a stream or
// connection that does not end) takes.
func TestGracefulShutdown(t *testing.T) {
	st := &gatedStore{Store: storeFactories[0].open(t), entered: make(chan struct{}), release: make(chan struct{})}
	a, srv := newTestApp(t, st, func(o *Options) { o.PollInterval = 50 * time.Millisecond })
	admin := newClient(t, srv.URL)
	admin.mustLogin("admin", "admin")
	events := admin.stream("/dashboard/events")
	nextSnapshot(t, events, func(s *snapshot) bool { return s.Active == 1 })
	alice := newClient(t, srv.URL)
	alice.mustLogin("alice", "alice")
	tok := alice.token()

	st.armed.Store(true)
	answered := make(chan response, 1)
	go func() {
		answered <- alice.post("/cart", url.Values{"item": {"apple"}, "csrf_token": {tok}}, "Accept", "application/json")
	}()
	select {
	case <-st.entered:
	case <-time.After(10 * time.Second):
		t.Fatal("the cart change never reached the store")
	}

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	shut := make(chan error, 1)
	go func() { shut <- srv.Config.Shutdown(ctx) }()

	// The stream ends although a request is still in flight (held in the
	// store until release: the bound is a safety net only).
	streamEnded := time.After(10 * time.Second)
drain:
	for {
		select {
		case _, open := <-events:
			if !open {
				break drain
			}
		case <-streamEnded:
			t.Fatal("the event stream is still open 10s into the shutdown")
		}
	}
	select {
	case err := <-shut:
		t.Fatalf("Shutdown returned (%v) with a request in flight", err)
	default:
	}

	// Shutdown's time counts from here: until now it waited, rightly, for
	// the request held in flight (and the test for the stream to end, which
	// a loaded machine may take seconds to see).
	close(st.release)
	shutBound := time.After(20 * time.Second)
	var r response
	select {
	case r = <-answered:
	case <-time.After(10 * time.Second):
		t.Fatal("the request in flight was not answered")
	}
	if r.status != http.StatusOK {
		t.Fatalf("POST /cart in flight during shutdown: status %d, body %q; want 200", r.status, r.body)
	}
	var cart cartResponse
	if err := json.Unmarshal([]byte(r.body), &cart); err != nil || !reflect.DeepEqual(cart.Items, []string{"apple"}) {
		t.Errorf("POST /cart in flight: body %q (%v), want the cart with apple", r.body, err)
	}
	select {
	case err := <-shut:
		if err != nil {
			t.Errorf("Shutdown: %v", err)
		}
	case <-shutBound:
		t.Fatal("Shutdown did not return 20s after the request in flight was let go: it waited for something else")
	}
	st.armed.Store(false)
	// The change is in the store (read before Close closes it).
	found := false
	err := a.Manager().Iterate(context.Background(), func(m session.Meta) bool {
		if m.Principal == "alice" {
			rec, ok, err := st.Load(context.Background(), m.Key)
			if err == nil && ok {
				var items []string
				if json.Unmarshal(rec.Attrs[cartAttr], &items) == nil && reflect.DeepEqual(items, []string{"apple"}) {
					found = true
				}
			}
		}
		return true
	})
	if err != nil || !found {
		t.Errorf("alice's cart change is not in the store after shutdown (iterate: %v)", err)
	}
	if err := a.Close(); err != nil {
		t.Errorf("App.Close: %v", err)
	}
}

// hangingStore blocks every Iterate while armed, until its context ends (a
// store that stopped answering), reports the call on entered, and records
// in returned that such a call has returned, and in timedOut that one
// returned because its context's deadline passed.
type hangingStore struct {
	session.Store
	armed    atomic.Bool
	entered  chan struct{}
	returned atomic.Bool
	timedOut atomic.Bool
}

func (s *hangingStore) Iterate(ctx context.Context, fn func(session.Meta) bool) error {
	if s.armed.Load() {
		select {
		case s.entered <- struct{}{}:
		default:
		}
		<-ctx.Done()
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			s.timedOut.Store(true)
		}
		s.returned.Store(true)
		return ctx.Err()
	}
	return s.Store.Iterate(ctx, fn)
}

// TestShutdownStreamWaitingOnStore: an event stream waiting for a store
// that does not answer ends when the App shuts down, so a graceful shutdown
// is not held up until the store call times out: Shutdown returns while the
// store call is still unanswered (it ends at App.Close or after the scan's
// 10s timeout). That is checked, not Shutdown's wall time, which a loaded
// machine can stretch past any bound short of the timeout.
func TestShutdownStreamWaitingOnStore(t *testing.T) {
	st := &hangingStore{Store: storeFactories[0].open(t), entered: make(chan struct{}, 1)}
	_, srv := newTestApp(t, st, nil)
	admin := newClient(t, srv.URL)
	admin.mustLogin("admin", "admin")
	events := admin.stream("/dashboard/events")
	nextSnapshot(t, events, func(s *snapshot) bool { return s.Active == 1 })

	st.armed.Store(true)
	bob := newClient(t, srv.URL)
	bob.mustLogin("bob", "bob") // wakes the stream, whose next scan hangs
	select {
	case <-st.entered:
	case <-time.After(10 * time.Second):
		t.Fatal("the stream never asked the store again")
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Config.Shutdown(ctx); err != nil {
		t.Errorf("Shutdown: %v", err)
	}
	if st.returned.Load() {
		t.Errorf("Shutdown returned only after the hanging store call had: the event stream waited for the store")
	}
}

// TestCloseSamplerWaitingOnStore: App.Close does not wait for the chart's
// sampler to give up on a store that does not answer. The sampler's own
// timeout is made an hour, so a Close that waits for the sampler waits for
// the scan it joined to time out (scanTimeout, 10s): the store call ending
// by its deadline rather than cancelled by Close is checked, not Close's
// wall time, which a loaded machine can stretch past any bound short of the
// timeout.
func TestCloseSamplerWaitingOnStore(t *testing.T) {
	st := &hangingStore{Store: storeFactories[0].open(t), entered: make(chan struct{}, 1)}
	st.armed.Store(true)
	a, err := New(&Options{Store: st, SampleInterval: -1, PollInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	// The sampler New starts for a positive SampleInterval, started here
	// once its timeout is set.
	a.sampleTimeout = time.Hour
	a.sampler.Add(1)
	go a.sample(10 * time.Millisecond)
	select {
	case <-st.entered:
	case <-time.After(10 * time.Second):
		t.Fatal("the sampler never asked the store")
	}
	closed := make(chan error, 1)
	go func() { closed <- a.Close() }()
	select {
	case err := <-closed:
		if err != nil {
			t.Errorf("Close: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Close did not return within 30s: it waited for the sampler's store call")
	}
	if st.timedOut.Load() {
		t.Errorf("Close returned only after the sampler's store call timed out: it waited for the sampler")
	}
}
