package client_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/httpstate/httpstate/client"
)

func okHandler(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }

func TestSequentialRequestsReuseOneConnection(t *testing.T) {
	for _, tls := range []bool{false, true} {
		srv, conns := newCountingServer(t, http.HandlerFunc(okHandler), tls)
		o := &client.Options{}
		if tls {
			o.TLSConfig = tlsConfigFor(srv)
		}
		c := mustNew(t, o)
		for i := range 100 {
			resp, err := c.Get(context.Background(), srv.URL)
			if err != nil {
				t.Fatalf("tls=%v request %d: %v", tls, i, err)
			}
			readAll(t, resp)
		}
		if got := conns.n.Load(); got != 1 {
			t.Errorf("tls=%v: 100 sequential requests opened %d connections, want 1", tls, got)
		}
	}
}

// TestConcurrentRequestsStayPooled runs 16 workers × 50 requests three
// times. The first two rounds warm the pool: they may open more connections
// than workers (net/http dials for a waiting request even if another
// connection frees up first) but no more than the pool keeps. Hardly a
// connection is closed (and so re-dialled), and all three rounds together
// stay within what the pool keeps. "Hardly": net/http closes a connection
// instead of pooling it when its write loop has not reported the request
// written within 50 ms of the response (maxWriteWaitBeforeConnReuse), which
// a loaded machine under -race does now and then (seen: 1 or 2 closes, in
// about half the runs at load 16 on 2 CPUs, with the connection idle and
// reused many times before); a pool too small for the workers closes dozens
// (8 for 16 workers: 26 to 72). The count of new connections in the third
// round is not asserted: a dial the warm-up started for a request that
// another connection then served can still be completing (and be accepted
// by the server) after the second round returns; it joins the pool, closing
// nothing.
func TestConcurrentRequestsStayPooled(t *testing.T) {
	const workers, perWorker = 16, 50
	const maxLoadCloses = 3 // see above
	for _, tls := range []bool{false, true} {
		srv, conns := newCountingServer(t, http.HandlerFunc(okHandler), tls)
		o := &client.Options{}
		if tls {
			o.TLSConfig = tlsConfigFor(srv)
		}
		c := mustNew(t, o)
		round := func() {
			var wg sync.WaitGroup
			errs := make(chan error, workers)
			for range workers {
				wg.Go(func() {
					for range perWorker {
						resp, err := c.Get(context.Background(), srv.URL)
						if err != nil {
							errs <- err
							return
						}
						io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
					}
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Fatal(err)
			}
		}
		round()
		round()
		warm := conns.n.Load()
		if warm < 1 || warm > client.DefaultMaxIdleConnsPerHost {
			t.Errorf("tls=%v: warm-up opened %d connections, want 1..%d", tls, warm, client.DefaultMaxIdleConnsPerHost)
		}
		round()
		if got := conns.closed.Load(); got > maxLoadCloses {
			t.Errorf("tls=%v: %d connections closed (%d opened, %d by the warm-up): the pool does not keep them", tls, got, conns.n.Load(), warm)
		}
		if got := conns.n.Load(); got > client.DefaultMaxIdleConnsPerHost {
			t.Errorf("tls=%v: %d connections after warm-up's %d, more than the pool keeps (%d)", tls, got, warm, client.DefaultMaxIdleConnsPerHost)
		}
	}
}

func TestHTTP2Negotiated(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, r.Proto)
	}))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	defer srv.Close()
	c := mustNew(t, &client.Options{TLSConfig: tlsConfigFor(srv)})
	resp, err := c.Get(context.Background(), srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	body := readAll(t, resp)
	if resp.ProtoMajor != 2 || body != "HTTP/2.0" {
		t.Errorf("protocol: client saw %s, server saw %s; want HTTP/2.0", resp.Proto, body)
	}
}

func TestMaxConnsPerHost(t *testing.T) {
	srv, conns := newCountingServer(t, http.HandlerFunc(okHandler), false)
	c := mustNew(t, &client.Options{MaxConnsPerHost: 3})
	var wg sync.WaitGroup
	for range 12 {
		wg.Go(func() {
			for range 20 {
				resp, err := c.Get(context.Background(), srv.URL)
				if err != nil {
					t.Error(err)
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		})
	}
	wg.Wait()
	// net/http's cap is not exact: about one run in 30 opens a fourth
	// connection, with a bare http.Transport too (Go 1.26).
	if got := conns.n.Load(); got < 1 || got > 4 {
		t.Errorf("12 workers with MaxConnsPerHost 3 opened %d connections, want 1..4", got)
	}
}

// TestDialGateNoErrorsUnderChurn: many concurrent first requests to fresh
// servers, over TLS and not, all succeed: the gate never hands a request its
// "dial not needed" error.
func TestDialGateNoErrorsUnderChurn(t *testing.T) {
	for _, tls := range []bool{false, true} {
		srv, conns := newCountingServer(t, http.HandlerFunc(okHandler), tls)
		o := &client.Options{}
		if tls {
			o.TLSConfig = tlsConfigFor(srv)
		}
		for range 5 {
			c := mustNew(t, o)
			var wg sync.WaitGroup
			for range 32 {
				wg.Go(func() {
					for range 10 {
						resp, err := c.Get(context.Background(), srv.URL)
						if err != nil {
							t.Error(err)
							return
						}
						io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
					}
				})
			}
			wg.Wait()
			c.CloseIdleConnections()
		}
		if n := conns.n.Load(); n < 5 || n > 5*client.DefaultMaxIdleConnsPerHost {
			t.Errorf("tls=%v: %d connections for 5 clients × 32 workers, want 5..%d",
				tls, n, 5*client.DefaultMaxIdleConnsPerHost)
		}
	}
}

// TestServerClosesIdleConnections: requests keep succeeding when the server
// drops the pooled connections between them (the transport then dials
// again, possibly as a retry of the same request, which the dial gate must
// let through).
func TestServerClosesIdleConnections(t *testing.T) {
	for _, tls := range []bool{false, true} {
		srv, conns := newCountingServer(t, http.HandlerFunc(okHandler), tls)
		o := &client.Options{Retry: &client.RetryPolicy{MaxAttempts: 1}}
		if tls {
			o.TLSConfig = tlsConfigFor(srv)
		}
		c := mustNew(t, o)
		for i := range 50 {
			resp, err := c.Get(context.Background(), srv.URL)
			if err != nil {
				t.Fatalf("tls=%v request %d: %v", tls, i, err)
			}
			readAll(t, resp)
			srv.CloseClientConnections()
		}
		if n := conns.n.Load(); n != 50 {
			t.Errorf("tls=%v: %d connections, want 50 (one per request)", tls, n)
		}
	}
}

// TestCloseIdleConnections: CloseIdleConnections closes the pool's idle
// connections (the server sees its connection end), through the cookie
// layer the client wraps around its transport; so does HTTPClient's.
func TestCloseIdleConnections(t *testing.T) {
	for _, viaHTTPClient := range []bool{false, true} {
		srv, conns := newCountingServer(t, http.HandlerFunc(okHandler), false)
		c := mustNew(t, nil)
		resp, err := c.Get(context.Background(), srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		readAll(t, resp)
		if viaHTTPClient {
			c.HTTPClient().CloseIdleConnections()
		} else {
			c.CloseIdleConnections()
		}
		// The server notices the close at once; allow it 10 s on a
		// loaded machine (a safety net, not a timing).
		deadline := time.Now().Add(10 * time.Second)
		for conns.closed.Load() == 0 && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		if got := conns.closed.Load(); got != 1 {
			t.Errorf("HTTPClient=%v: %d connections closed after CloseIdleConnections, want 1", viaHTTPClient, got)
		}
	}
}
