package client

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"net/http/httptrace"
	"sync"
	"sync/atomic"
	"time"
)

// The dial gate keeps a warming pool from opening more connections than
// requests need. net/http starts a dial for every request that finds no idle
// connection, and lets the dial finish even when another connection frees up
// first and serves the request; while a pool warms up under concurrency
// (slow TLS handshakes, a busy machine), each finished request hands its
// connection to a waiter and dials again, so a client with 8 workers can
// open 20 connections or more. The gate holds a new dial to an address, for
// an origin, while another such dial is in progress (at most DialTimeout +
// TLSHandshakeTimeout), and drops it if its request got a connection
// meanwhile; the request never sees the dropped dial (net/http delivers dial
// results only to requests still waiting). The cost: a cold pool under
// concurrency opens its connections one after another instead of all at
// once. A warm pool dials nothing and so never waits. Only https requests
// pass through the gate: a plain TCP dial is cheaper than its trace hooks.

// errDialNotNeeded ends a dial whose request was served by another
// connection; net/http discards it.
var errDialNotNeeded = errors.New("client: dial not needed")

// dialGate records the (counted) dial in progress per address and origin.
type dialGate struct {
	// maxWait bounds how long a dial waits for another to finish.
	maxWait time.Duration

	// mu protects dials.
	mu sync.Mutex
	// dials maps an address with a counted dial in progress to a channel
	// closed when that dial ends.
	dials map[string]chan struct{}
}

// connWait is the per-request (per-hop) state the gate reads from the dial
// context: whether the request has a connection, and the dial it started.
type connWait struct {
	got    atomic.Bool
	tls    bool   // the dial ends with a TLS handshake
	scheme string // the request's scheme and host, part of the gate's key
	host   string
	gate   *dialGate

	mu   sync.Mutex // protects addr
	addr string     // the address of the dial in progress, "" if none
}

type connWaitKey struct{}

// connWaitTrace is a connWait with its trace hooks, in one allocation.
type connWaitTrace struct {
	connWait
	trace httptrace.ClientTrace
}

// withConnWait returns r with a connWait and the trace hooks that feed it.
func withConnWait(r *http.Request) *http.Request {
	cwt := &connWaitTrace{}
	cw := &cwt.connWait
	cw.tls = r.URL.Scheme == "https"
	cw.scheme, cw.host = r.URL.Scheme, r.URL.Host
	// The transport asks for a connection again when it retries a request
	// on a fresh one: only the latest ask counts.
	cwt.trace.GetConn = cw.getConn
	cwt.trace.GotConn = cw.gotConn
	if cw.tls {
		cwt.trace.TLSHandshakeDone = cw.tlsDone
	}
	ctx := context.WithValue(r.Context(), connWaitKey{}, cw)
	return r.WithContext(httptrace.WithClientTrace(ctx, &cwt.trace))
}

func (cw *connWait) getConn(string)                     { cw.got.Store(false) }
func (cw *connWait) gotConn(httptrace.GotConnInfo)      { cw.got.Store(true) }
func (cw *connWait) tlsDone(tls.ConnectionState, error) { cw.dialDone() }

// dialDone ends the dial cw started, if any; it is idempotent.
func (cw *connWait) dialDone() {
	cw.mu.Lock()
	addr, g := cw.addr, cw.gate
	cw.addr = ""
	cw.mu.Unlock()
	if addr != "" && g != nil {
		g.end(addr)
	}
}

// wait blocks until no dial to addr is in progress, ctx ends or maxWait
// passes, then lets a dial start unless cw's request already has a
// connection.
//
// Only a dial started while none was in progress is counted (and recorded in
// cw), so at most one dial per address is counted at a time and cw never
// holds two: a dial let through by the timeout is not counted, as counting it
// could overwrite cw's record of a counted one and leave that count (and a
// maxWait stall for every later dial to addr) behind for good.
func (g *dialGate) wait(ctx context.Context, cw *connWait, addr string) error {
	var timeout <-chan time.Time
	for {
		if cw.got.Load() {
			return errDialNotNeeded
		}
		g.mu.Lock()
		idle, busy := g.dials[addr]
		if !busy {
			if g.dials == nil {
				g.dials = make(map[string]chan struct{})
			}
			g.dials[addr] = make(chan struct{})
			g.mu.Unlock()
			cw.mu.Lock()
			cw.gate, cw.addr = g, addr
			cw.mu.Unlock()
			return nil
		}
		g.mu.Unlock()
		if timeout == nil {
			t := time.NewTimer(g.maxWait)
			defer t.Stop()
			timeout = t.C
		}
		select {
		case <-idle:
		case <-timeout:
			// Dial anyway, uncounted: a dial that long in progress
			// must not hold up others.
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// end records the end of a dial to addr.
func (g *dialGate) end(addr string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if idle, ok := g.dials[addr]; ok {
		close(idle)
		delete(g.dials, addr)
	}
}

// dialer returns a DialContext that passes through the gate.
func (g *dialGate) dialer(d *net.Dialer) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		cw, _ := ctx.Value(connWaitKey{}).(*connWait)
		if cw == nil {
			return d.DialContext(ctx, network, addr)
		}
		// The key is the address dialled and the request's origin: behind
		// a proxy, dials to the proxy for different origins (CONNECT
		// tunnels, each as slow as its origin) do not wait for each other.
		if err := g.wait(ctx, cw, addr+" "+cw.scheme+"://"+cw.host); err != nil {
			return nil, err
		}
		c, err := d.DialContext(ctx, network, addr)
		if err != nil || !cw.tls {
			// Without TLS the dial ends here; with TLS at the end of
			// the handshake (TLSHandshakeDone).
			cw.dialDone()
			return c, err
		}
		// Should the handshake never report, closing the connection
		// ends the dial.
		return &gatedConn{Conn: c, cw: cw}, nil
	}
}

// gatedConn ends its dial, if still counted, when closed.
type gatedConn struct {
	net.Conn
	cw *connWait
}

func (c *gatedConn) Close() error {
	c.cw.dialDone()
	return c.Conn.Close()
}
