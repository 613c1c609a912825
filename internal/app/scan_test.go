package app

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/httpstate/httpstate/session"
)

// countingStore counts Iterate calls. While gate is set, Iterate waits for it
// to close before walking; while fail is set, Iterate returns it; extra metas
// are listed after the real ones.
type countingStore struct {
	session.Store
	iterates atomic.Int64
	gate     atomic.Pointer[chan struct{}]
	fail     atomic.Pointer[error]
	extra    []session.Meta // set before the App is built
}

func (s *countingStore) Iterate(ctx context.Context, fn func(session.Meta) bool) error {
	s.iterates.Add(1)
	if g := s.gate.Load(); g != nil {
		select {
		case <-*g:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if e := s.fail.Load(); e != nil {
		return *e
	}
	stopped := false
	err := s.Store.Iterate(ctx, func(m session.Meta) bool {
		if !fn(m) {
			stopped = true
			return false
		}
		return true
	})
	if err != nil || stopped {
		return err
	}
	for _, m := range s.extra {
		if !fn(m) {
			break
		}
	}
	return nil
}

// block makes Iterate wait until the returned function is called.
func (s *countingStore) block() (release func()) {
	g := make(chan struct{})
	s.gate.Store(&g)
	var once sync.Once
	return func() {
		once.Do(func() {
			s.gate.Store(nil)
			close(g)
		})
	}
}

// testClock is the scan cache's clock in these tests: it stands still until
// advanced, and counts its readings (one per scanCache.get), sending each
// reading's number on calls when that is set.
type testClock struct {
	base   time.Time
	offset atomic.Int64 // nanoseconds
	n      atomic.Int64
	calls  chan int64 // buffered; never blocks the cache
	tick   bool       // every reading advances the clock by an hour
}

func (c *testClock) now() time.Time {
	n := c.n.Add(1)
	if c.calls != nil {
		select {
		case c.calls <- n:
		default:
		}
	}
	if c.tick {
		c.offset.Add(int64(time.Hour))
	}
	return c.base.Add(time.Duration(c.offset.Load()))
}

func (c *testClock) advance(d time.Duration) { c.offset.Add(int64(d)) }

// newScanApp builds an App on a counting memstore whose scan cache reads
// clock, behind an httptest server.
func newScanApp(t *testing.T, poll time.Duration, clock *testClock, extra []session.Meta) (*App, *countingStore, *httptest.Server) {
	t.Helper()
	cs := &countingStore{Store: storeFactories[0].open(t), extra: extra}
	a, srv := newTestAppWith(t, cs, func(o *Options) { o.PollInterval = poll },
		// Before the server exists: no request can read the clock yet.
		func(a *App) { a.scans.now = clock.now })
	return a, cs, srv
}

// waitCalls waits until the clock has been read n more times.
func waitCalls(t *testing.T, clock *testClock, n int) {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for range n {
		select {
		case <-clock.calls:
		case <-timeout:
			t.Fatalf("the scan cache was not consulted %d times within 10s", n)
		}
	}
}

// waitIterates waits until cs has seen n Iterate calls in all.
func waitIterates(t *testing.T, cs *countingStore, n int64) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for cs.iterates.Load() < n {
		if time.Now().After(deadline) {
			t.Fatalf("Iterate called %d times within 10s, want %d", cs.iterates.Load(), n)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestFreshWindow(t *testing.T) {
	for _, tc := range []struct{ poll, want time.Duration }{
		{time.Second, 500 * time.Millisecond},
		{time.Hour, 500 * time.Millisecond},
		{20 * time.Millisecond, 10 * time.Millisecond},
	} {
		if got := freshWindow(tc.poll); got != tc.want {
			t.Errorf("freshWindow(%v) = %v, want %v", tc.poll, got, tc.want)
		}
	}
}

// TestScanSingleFlight: ten concurrent snapshots, with every clock reading an
// hour after the previous one so no scan is ever fresh, cost one Iterate: all
// ten wait for the scan in progress.
func TestScanSingleFlight(t *testing.T) {
	clock := &testClock{calls: make(chan int64, 100), tick: true}
	a, cs, srv := newScanApp(t, time.Hour, clock, nil)
	admin := newClient(t, srv.URL)
	admin.mustLogin("admin", "admin")
	viewer := session.Key(admin.sid())
	for len(clock.calls) > 0 {
		<-clock.calls
	}
	release := cs.block()
	defer release()

	const callers = 10
	var wg sync.WaitGroup
	snaps := make([]*snapshot, callers)
	errs := make([]error, callers)
	for i := range callers {
		wg.Go(func() { snaps[i], errs[i] = a.snapshot(t.Context(), viewer) })
	}
	// Each get reads the clock once, under the cache's lock, before it joins
	// or starts a scan: after ten readings all ten have joined.
	waitCalls(t, clock, callers)
	release()
	wg.Wait()
	if n := cs.iterates.Load(); n != 1 {
		t.Errorf("%d concurrent snapshots called Iterate %d times, want 1", callers, n)
	}
	for i := range callers {
		if errs[i] != nil {
			t.Fatalf("snapshot %d: %v", i, errs[i])
		}
		if snaps[i].Active != 1 || !snaps[i].viewerLive || len(snaps[i].Sessions) != 1 || !snaps[i].Sessions[0].Current {
			t.Errorf("snapshot %d = %+v, want the admin's session, current and live", i, snaps[i])
		}
	}
	if &snaps[0].Sessions[0] == &snaps[1].Sessions[0] {
		t.Errorf("two viewers got the same rows slice")
	}
}

// TestScanCacheFreshness: within the freshness window and without a session
// event, snapshots (the stream's and the page's) reuse one scan; a login on
// this App is in the very next snapshot, even when it happens while a scan is
// in progress; an old scan is not reused.
func TestScanCacheFreshness(t *testing.T) {
	clock := &testClock{}
	a, cs, srv := newScanApp(t, time.Second, clock, nil)
	admin := newClient(t, srv.URL)
	admin.mustLogin("admin", "admin")
	viewer := session.Key(admin.sid())

	s1, err := a.snapshot(t.Context(), viewer)
	if err != nil {
		t.Fatal(err)
	}
	if r := admin.get("/dashboard"); r.status != http.StatusOK {
		t.Fatalf("GET /dashboard: status %d", r.status)
	}
	s2, err := a.snapshot(t.Context(), viewer)
	if err != nil {
		t.Fatal(err)
	}
	if n := cs.iterates.Load(); n != 1 {
		t.Errorf("two snapshots and a page within the window: %d Iterate calls, want 1", n)
	}
	if s1.Active != 1 || s2.Active != 1 {
		t.Errorf("active %d and %d, want 1", s1.Active, s2.Active)
	}

	// A login: the next snapshot scans again and lists it.
	bob := newClient(t, srv.URL)
	bob.mustLogin("bob", "bob")
	s3, err := a.snapshot(t.Context(), viewer)
	if err != nil {
		t.Fatal(err)
	}
	if !contains(principals(s3), "bob") || s3.Active != 2 || s3.Users != 2 {
		t.Errorf("snapshot after bob's login lists %q (active %d, users %d), want bob too", principals(s3), s3.Active, s3.Users)
	}
	if n := cs.iterates.Load(); n != 2 {
		t.Errorf("after a login: %d Iterate calls, want 2", n)
	}

	// A login while a scan is in progress: the next snapshot does not join
	// that scan, which may have missed it.
	clock.advance(time.Hour) // so the early snapshot scans
	release := cs.block()
	defer release()
	early := make(chan error, 1)
	go func() {
		_, err := a.snapshot(context.WithoutCancel(t.Context()), viewer)
		early <- err
	}()
	waitIterates(t, cs, 3)
	carol := newClient(t, srv.URL)
	carol.mustLogin("alice", "alice")
	late := make(chan *snapshot, 1)
	go func() {
		s, err := a.snapshot(context.WithoutCancel(t.Context()), viewer)
		if err != nil {
			t.Error(err)
		}
		late <- s
	}()
	waitIterates(t, cs, 4)
	release()
	if err := <-early; err != nil {
		t.Fatal(err)
	}
	if s := <-late; s == nil || !contains(principals(s), "alice") {
		t.Fatalf("the snapshot after alice's login lacks her")
	}
	s4, err := a.snapshot(t.Context(), viewer)
	if err != nil {
		t.Fatal(err)
	}
	if !contains(principals(s4), "alice") {
		t.Errorf("the cached scan lacks alice: %q", principals(s4))
	}
	if n := cs.iterates.Load(); n != 4 {
		t.Errorf("%d Iterate calls, want 4", n)
	}

	// Past the window, the scan is not reused.
	clock.advance(freshWindow(time.Second))
	if _, err := a.snapshot(t.Context(), viewer); err != nil {
		t.Fatal(err)
	}
	if n := cs.iterates.Load(); n != 5 {
		t.Errorf("after the window: %d Iterate calls, want 5", n)
	}
}

// TestScanViewers: two viewers share one scan, each sees its own session
// marked current, and the shared rows are never changed; a viewer whose
// session is live but not among the maxRows listed is still live.
func TestScanViewers(t *testing.T) {
	// More sessions than the dashboard lists, all used after the real ones.
	future := time.Now().Add(time.Hour)
	var extra []session.Meta
	for i := range maxRows {
		extra = append(extra, session.Meta{
			Key: fmt.Sprintf("%064x", i), Principal: fmt.Sprintf("u%d", i%7),
			Created: future, LastAccess: future.Add(time.Duration(i) * time.Second), Expiry: future.Add(time.Hour),
		})
	}
	clock := &testClock{}
	a, cs, srv := newScanApp(t, time.Second, clock, extra)
	admin, alice := newClient(t, srv.URL), newClient(t, srv.URL)
	admin.mustLogin("admin", "admin")
	alice.mustLogin("alice", "alice")
	adminKey, aliceKey := session.Key(admin.sid()), session.Key(alice.sid())
	listed := extra[maxRows-1].Key // the most recently used: first row

	var wg sync.WaitGroup
	for i := range 20 {
		viewer := []string{adminKey, aliceKey, listed, "nobody"}[i%4]
		wg.Go(func() {
			s, err := a.snapshot(t.Context(), viewer)
			if err != nil {
				t.Error(err)
				return
			}
			if s.Active != maxRows+2 || s.Users != 7+2 || !s.Truncated || len(s.Sessions) != maxRows {
				t.Errorf("viewer %.8s: active %d users %d truncated %v rows %d", viewer, s.Active, s.Users, s.Truncated, len(s.Sessions))
			}
			if live := viewer != "nobody"; s.viewerLive != live {
				t.Errorf("viewer %.8s: viewerLive %v, want %v", viewer, s.viewerLive, live)
			}
			current := 0
			for _, r := range s.Sessions {
				if r.Current {
					current++
					if r.Key != viewer {
						t.Errorf("viewer %.8s: row %.8s marked current", viewer, r.Key)
					}
				}
			}
			if want := map[bool]int{true: 1, false: 0}[viewer == listed]; current != want {
				t.Errorf("viewer %.8s: %d rows current, want %d", viewer, current, want)
			}
			// Mark every row as this viewer's: must not reach the others.
			for i := range s.Sessions {
				s.Sessions[i].Current = true
			}
		})
	}
	wg.Wait()
	if n := cs.iterates.Load(); n != 1 {
		t.Errorf("20 snapshots for 4 viewers: %d Iterate calls, want 1", n)
	}
	a.scans.mu.Lock()
	shared := a.scans.last
	a.scans.mu.Unlock()
	if shared == nil || len(shared.rows) != maxRows || shared.rows[0].Key != listed {
		t.Fatalf("cached scan %+v, want %d rows starting with %.8s", shared, maxRows, listed)
	}
	for _, r := range shared.rows {
		if r.Current {
			t.Fatalf("the shared row %.8s was marked current", r.Key)
		}
	}
}

// TestScanError: a failed scan reaches every caller waiting for it and is
// not cached; a caller that leaves does not fail the others.
func TestScanError(t *testing.T) {
	clock := &testClock{calls: make(chan int64, 100)}
	a, cs, srv := newScanApp(t, time.Second, clock, nil)
	admin := newClient(t, srv.URL)
	admin.mustLogin("admin", "admin")
	viewer := session.Key(admin.sid())
	for len(clock.calls) > 0 {
		<-clock.calls
	}

	boom := errors.New("store down")
	cs.fail.Store(&boom)
	release := cs.block()
	var wg sync.WaitGroup
	errs := make([]error, 3)
	for i := range errs {
		wg.Go(func() { _, errs[i] = a.snapshot(t.Context(), viewer) })
	}
	waitCalls(t, clock, len(errs))
	release()
	wg.Wait()
	for i, err := range errs {
		if !errors.Is(err, boom) {
			t.Errorf("caller %d: err %v, want %v", i, err, boom)
		}
	}
	if n := cs.iterates.Load(); n != 1 {
		t.Errorf("%d Iterate calls for one failed scan, want 1", n)
	}
	if r := admin.get("/dashboard"); r.status != http.StatusServiceUnavailable {
		t.Errorf("GET /dashboard while the store fails: status %d, want 503", r.status)
	}
	cs.fail.Store(nil)
	s, err := a.snapshot(t.Context(), viewer)
	if err != nil || s.Active != 1 {
		t.Fatalf("snapshot after the store recovered: %+v, %v", s, err)
	}
	if n := cs.iterates.Load(); n != 3 {
		t.Errorf("%d Iterate calls, want 3: a failed scan is not cached", n)
	}

	// The caller that started a scan leaves; one that joined it still gets it.
	clock.advance(time.Hour)
	release = cs.block()
	defer release()
	for len(clock.calls) > 0 {
		<-clock.calls
	}
	ctx, cancel := context.WithCancel(t.Context())
	left := make(chan error, 1)
	go func() {
		_, err := a.snapshot(ctx, viewer)
		left <- err
	}()
	waitCalls(t, clock, 1)
	stayed := make(chan error, 1)
	go func() {
		_, err := a.snapshot(t.Context(), viewer)
		stayed <- err
	}()
	waitCalls(t, clock, 1)
	cancel()
	if err := <-left; !errors.Is(err, context.Canceled) {
		t.Errorf("the caller that left: err %v, want context.Canceled", err)
	}
	release()
	if err := <-stayed; err != nil {
		t.Errorf("the caller that stayed: %v", err)
	}
	if n := cs.iterates.Load(); n != 4 {
		t.Errorf("%d Iterate calls, want 4", n)
	}
	if _, err := a.snapshot(t.Context(), viewer); err != nil || cs.iterates.Load() != 4 {
		t.Errorf("the scan the leaver started is not cached: %v, %d Iterate calls", err, cs.iterates.Load())
	}
}

// TestScanEventStreams opens 1 and then 4 dashboard event streams polling
// every 5ms. The scan cache's clock stands still except when the test
// advances it past the freshness window: each advance must cost exactly one
// Iterate, however many streams poll.
func TestScanEventStreams(t *testing.T) {
	for _, viewers := range []int{1, 4} {
		t.Run(fmt.Sprintf("viewers=%d", viewers), func(t *testing.T) {
			clock := &testClock{calls: make(chan int64, 10000)}
			_, cs, srv := newScanApp(t, 5*time.Millisecond, clock, nil)
			// Log in first: a login is an event, which forces a new scan.
			var admins []*client
			for range viewers {
				c := newClient(t, srv.URL)
				c.mustLogin("admin", "admin")
				admins = append(admins, c)
			}
			var streams []<-chan sseEvent
			for _, c := range admins {
				streams = append(streams, c.stream("/dashboard/events"))
			}
			for _, ev := range streams {
				s := nextSnapshot(t, ev, func(*snapshot) bool { return true })
				if s.Active != viewers {
					t.Fatalf("first snapshot: %d active, want %d", s.Active, viewers)
				}
			}
			if n := cs.iterates.Load(); n != 1 {
				t.Errorf("%d streams opening: %d Iterate calls, want 1", viewers, n)
			}
			const rounds = 3
			for k := range rounds {
				clock.advance(time.Hour)
				for len(clock.calls) > 0 {
					<-clock.calls
				}
				// Before the round's scan completes, each stream reads the
				// clock at most twice (once joining a scan begun before the
				// advance, once for the round's scan); 3 per stream means the
				// round's scan is done and has been reused.
				waitCalls(t, clock, 3*viewers)
				if n, want := cs.iterates.Load(), int64(1+k+1); n != want {
					t.Errorf("round %d with %d streams: %d Iterate calls in all, want %d", k+1, viewers, n, want)
				}
			}
		})
	}
}

func TestHubGeneration(t *testing.T) {
	h := newHub()
	ch, cancel := h.subscribe()
	defer cancel()
	if g := h.generation(); g != 0 {
		t.Fatalf("new hub: generation %d, want 0", g)
	}
	h.notify()
	<-ch
	h.notify()
	if g := h.generation(); g != 2 {
		t.Errorf("after two events: generation %d, want 2", g)
	}
}

// TestScanViewerFromOtherInstance: two Apps share a store. A session created
// on one (a login) is not an event on the other, whose cached scan, still
// fresh, predates it: the other App's dashboard must still see its viewer as
// live, not end the stream with "gone".
func TestScanViewerFromOtherInstance(t *testing.T) {
	st := storeFactories[0].open(t)
	clock := &testClock{}
	var apps []*App
	for range 2 {
		a, err := New(&Options{Store: st, SampleInterval: -1, PollInterval: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		a.scans.now = clock.now
		apps = append(apps, a)
	}
	srv := httptest.NewServer(apps[0].Handler())
	t.Cleanup(func() {
		srv.Close()
		for _, a := range apps {
			if err := a.Close(); err != nil {
				t.Errorf("App.Close: %v", err)
			}
		}
	})
	other := apps[1]
	if _, err := other.snapshot(t.Context(), "nobody"); err != nil {
		t.Fatal(err)
	}
	c := newClient(t, srv.URL)
	c.mustLogin("admin", "admin")
	key := session.Key(c.sid())
	s, err := other.snapshot(t.Context(), key)
	if err != nil {
		t.Fatal(err)
	}
	if !s.viewerLive {
		t.Errorf("a viewer logged in on another instance within the freshness window is not live")
	}
}
