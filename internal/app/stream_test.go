package app

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/httpstate/httpstate/session"
	"github.com/httpstate/httpstate/store/memstore"
)

// TestEventStreamStalledClient opens the dashboard's event stream from a
// client that never reads it (gone without a FIN, or hostile): once the
// connection's buffers are full, a write must give up after the stream's
// write timeout and the handler end, rather than hold its goroutine and hub
// subscription until TCP gives up many minutes later.
func TestEventStreamStalledClient(t *testing.T) {
	st, err := memstore.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	// Large snapshots fill the connection's buffers at once.
	now := time.Now()
	for i := range maxRows {
		r := &session.Record{Key: session.Key(fmt.Sprint("filler-", i)), Principal: strings.Repeat("u", 200) + fmt.Sprint(i),
			Created: now, LastAccess: now, IdleTimeout: time.Hour, Deadline: now.Add(time.Hour)}
		if err := st.Create(context.Background(), r); err != nil {
			t.Fatal(err)
		}
	}
	// The stream's first snapshot waits in cs's Iterate until the test has
	// seen it subscribed. Without the gate, the stream subscribed, wrote,
	// blocked for the 200ms write timeout and unsubscribed: a test
	// goroutine descheduled for that long on a loaded machine never saw the
	// subscription. No sampler: no scan may come before the stream's, whose
	// result the stream would reuse without reaching the gate.
	cs := &countingStore{Store: st}
	a, err := New(&Options{Store: cs, PollInterval: 5 * time.Millisecond, SampleInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	a.writeTimeout = 200 * time.Millisecond
	srv := httptest.NewUnstartedServer(a.Handler())
	// Small fixed socket buffers on the server's side too: left to
	// autotuning, the kernel grows a loopback send buffer to 4 MiB, and
	// filling that with snapshots marshalled under -race on a loaded
	// machine took up to 15s, all before the first write could block. With
	// these, the first snapshot (about 90 KB) fills them.
	srv.Config.ConnState = func(c net.Conn, s http.ConnState) {
		if tc, ok := c.(*net.TCPConn); ok && s == http.StateNew {
			tc.SetWriteBuffer(4096)
		}
	}
	srv.Config.RegisterOnShutdown(a.Shutdown)
	srv.Start()
	t.Cleanup(func() {
		srv.Close()
		if err := a.Close(); err != nil {
			t.Errorf("App.Close: %v", err)
		}
	})
	admin := newClient(t, srv.URL)
	admin.mustLogin("admin", "admin")
	release := cs.block()
	defer release()

	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.(*net.TCPConn).SetReadBuffer(4096)
	fmt.Fprintf(conn, "GET /dashboard/events HTTP/1.1\r\nHost: %s\r\nCookie: sid=%s\r\n\r\n", srv.Listener.Addr(), admin.sid())

	subscribers := func() int {
		a.hub.mu.Lock()
		defer a.hub.mu.Unlock()
		return len(a.hub.subs)
	}
	// The stream stays subscribed, its snapshot held in Iterate, until
	// release.
	deadline := time.Now().Add(10 * time.Second)
	for subscribers() == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if subscribers() == 0 {
		t.Fatal("the event stream never subscribed")
	}
	release()
	deadline = time.Now().Add(10 * time.Second)
	for subscribers() != 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := subscribers(); n != 0 {
		t.Fatalf("%d event stream(s) still running 10s after the client stopped reading", n)
	}
}

// TestEventStreamOutlivesReadTimeout: a server with a ReadTimeout (serve
// has one, against slow request bodies) must not end an event stream when
// that timeout passes: net/http's background read of the connection fails at
// the read deadline and cancels the request's context.
func TestEventStreamOutlivesReadTimeout(t *testing.T) {
	st, err := memstore.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	a, err := New(&Options{Store: st, SampleInterval: -1, PollInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(a.Handler())
	srv.Config.ReadTimeout = 300 * time.Millisecond
	srv.Config.RegisterOnShutdown(a.Shutdown)
	srv.Start()
	t.Cleanup(func() {
		srv.Close()
		a.Close()
	})
	admin := newClient(t, srv.URL)
	admin.mustLogin("admin", "admin")
	events := admin.stream("/dashboard/events")
	nextSnapshot(t, events, func(s *snapshot) bool { return s.Active == 1 })
	time.Sleep(time.Second) // past the read deadline
	bob := newClient(t, srv.URL)
	bob.mustLogin("bob", "bob")
	nextSnapshot(t, events, func(s *snapshot) bool { return contains(principals(s), "bob") })
}
