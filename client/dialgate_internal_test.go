package client

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"
)

// gateDialsInProgress reports the addresses with a counted dial.
func gateDialsInProgress(g *dialGate) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.dials)
}

// waitAsync runs g.wait in a goroutine and returns its result channel.
func waitAsync(ctx context.Context, g *dialGate, cw *connWait, addr string) <-chan error {
	done := make(chan error, 1)
	go func() { done <- g.wait(ctx, cw, addr) }()
	return done
}

func recvErr(t testing.TB, c <-chan error, what string) error {
	t.Helper()
	select {
	case err := <-c:
		return err
	case <-time.After(10 * time.Second):
		t.Fatalf("%s: wait did not return", what)
		return nil
	}
}

// TestDialGateWaitsThenDropsUnneededDial: a second dial to an address waits
// for the first; if its request got a connection meanwhile it is dropped,
// else it proceeds.
func TestDialGateWaitsThenDropsUnneededDial(t *testing.T) {
	g := &dialGate{maxWait: time.Hour}
	ctx := context.Background()
	first, second, third := &connWait{}, &connWait{}, &connWait{}
	if err := g.wait(ctx, first, "a:1"); err != nil {
		t.Fatalf("first dial: %v", err)
	}
	// Another address is not held up.
	if err := recvErr(t, waitAsync(ctx, g, &connWait{}, "b:1"), "other address"); err != nil {
		t.Fatalf("dial to another address: %v", err)
	}
	w2 := waitAsync(ctx, g, second, "a:1")
	w3 := waitAsync(ctx, g, third, "a:1")
	select {
	case err := <-w2:
		t.Fatalf("second dial did not wait for the first: %v", err)
	case <-time.After(20 * time.Millisecond):
	}
	second.got.Store(true)
	first.dialDone()
	first.dialDone() // idempotent
	if err := recvErr(t, w2, "second"); !errors.Is(err, errDialNotNeeded) {
		t.Errorf("second dial, request served meanwhile: got %v, want errDialNotNeeded", err)
	}
	if err := recvErr(t, w3, "third"); err != nil {
		t.Fatalf("third dial: got %v, want it to proceed", err)
	}
	third.dialDone()
	if n := gateDialsInProgress(g); n != 1 { // b:1 still counted
		t.Errorf("dials in progress: got %d, want 1", n)
	}
}

// TestDialGateRespectsContext: a waiting dial returns when its context ends.
func TestDialGateRespectsContext(t *testing.T) {
	g := &dialGate{maxWait: time.Hour}
	if err := g.wait(context.Background(), &connWait{}, "a:1"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	w := waitAsync(ctx, g, &connWait{}, "a:1")
	cancel()
	if err := recvErr(t, w, "cancelled"); !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want context.Canceled", err)
	}
}

// TestDialGateTimeoutLeavesNoCount: a dial let through by maxWait while the
// same request's counted dial is still in progress (the transport retried it
// on a fresh connection) is uncounted, so once both end nothing is left to
// hold up later dials.
func TestDialGateTimeoutLeavesNoCount(t *testing.T) {
	g := &dialGate{maxWait: 10 * time.Millisecond}
	ctx := context.Background()
	cw := &connWait{}
	if err := g.wait(ctx, cw, "a:1"); err != nil {
		t.Fatal(err)
	}
	if err := recvErr(t, waitAsync(ctx, g, cw, "a:1"), "timed out"); err != nil {
		t.Fatalf("dial after maxWait: %v", err)
	}
	cw.dialDone() // the retried dial's handshake
	cw.dialDone() // the first dial's handshake
	if n := gateDialsInProgress(g); n != 0 {
		t.Fatalf("dials in progress after both ended: got %d, want 0", n)
	}
	later := &connWait{}
	start := time.Now()
	if err := g.wait(ctx, later, "a:1"); err != nil {
		t.Fatal(err)
	}
	if !later.addrCounted() {
		t.Errorf("a later dial waited for maxWait (%v) instead of being counted at once", time.Since(start))
	}
}

// addrCounted reports whether cw holds a counted dial.
func (cw *connWait) addrCounted() bool {
	cw.mu.Lock()
	defer cw.mu.Unlock()
	return cw.addr != ""
}

// TestDialGateKeyedByOrigin: behind a proxy every dial goes to one address;
// dials for different origins do not wait for each other, dials for the same
// origin do.
func TestDialGateKeyedByOrigin(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	g := &dialGate{maxWait: time.Hour}
	dial := g.dialer(&net.Dialer{})
	proxy := ln.Addr().String()
	type result struct {
		c   net.Conn
		err error
	}
	dialFor := func(host string) <-chan result {
		cw := &connWait{tls: true, scheme: "https", host: host}
		ctx := context.WithValue(context.Background(), connWaitKey{}, cw)
		done := make(chan result, 1)
		go func() {
			c, err := dial(ctx, "tcp", proxy)
			done <- result{c, err}
		}()
		return done
	}
	recv := func(c <-chan result, what string) net.Conn {
		t.Helper()
		select {
		case r := <-c:
			if r.err != nil {
				t.Fatalf("%s: %v", what, r.err)
			}
			return r.c
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: dial did not return", what)
			return nil
		}
	}
	// A TLS dial stays counted until its handshake ends or it is closed.
	a1 := recv(dialFor("a.example:443"), "first dial for a")
	b1 := recv(dialFor("b.example:443"), "dial for b while a's is in progress")
	defer b1.Close()
	a2 := dialFor("a.example:443")
	select {
	case r := <-a2:
		t.Fatalf("second dial for a did not wait for the first (err %v)", r.err)
	case <-time.After(20 * time.Millisecond):
	}
	a1.Close()
	recv(a2, "second dial for a").Close()
}
