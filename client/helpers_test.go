package client_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/httpstate/httpstate/client"
	"github.com/httpstate/httpstate/jar"
)

// fakeJar is a minimal client.Jar: it keeps the name=value part of each
// Set-Cookie line per host and records every call with its URL.
type fakeJar struct {
	mu      sync.Mutex
	pairs   map[string][]string // host -> "name=value" in arrival order
	sets    []string            // URLs passed to SetCookieLines
	lookups []string            // URLs passed to CookieHeader
}

func newFakeJar() *fakeJar { return &fakeJar{pairs: map[string][]string{}} }

func (j *fakeJar) SetCookieLines(u *url.URL, lines []string) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.sets = append(j.sets, u.String())
	for _, l := range lines {
		pair, _, _ := strings.Cut(l, ";")
		j.pairs[u.Host] = append(j.pairs[u.Host], strings.TrimSpace(pair))
	}
}

func (j *fakeJar) CookieHeader(u *url.URL) string {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.lookups = append(j.lookups, u.String())
	return strings.Join(j.pairs[u.Host], "; ")
}

// connCounter counts the connections a test server accepts (n) and those
// that ended (closed).
type connCounter struct{ n, closed atomic.Int64 }

func (c *connCounter) hook(_ any, s http.ConnState) {
	switch s {
	case http.StateNew:
		c.n.Add(1)
	case http.StateClosed, http.StateHijacked:
		c.closed.Add(1)
	}
}

// newCountingServer starts a server (TLS when tls is set) that counts new
// connections.
func newCountingServer(tb testing.TB, h http.Handler, tls bool) (*httptest.Server, *connCounter) {
	tb.Helper()
	cc := &connCounter{}
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ConnState = func(c net.Conn, s http.ConnState) { cc.hook(c, s) }
	if tls {
		srv.StartTLS()
	} else {
		srv.Start()
	}
	tb.Cleanup(srv.Close)
	return srv, cc
}

// sleepRecorder is an injectable RetryPolicy.Sleep that records the waits
// and returns at once (or the context's error).
type sleepRecorder struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (s *sleepRecorder) Sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.waits = append(s.waits, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleepRecorder) Waits() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.waits...)
}

// mustNew is client.New that fails the test on error, with a fake jar when
// o.Jar is nil.
func mustNew(tb testing.TB, o *client.Options) *client.Client {
	tb.Helper()
	if o == nil {
		o = &client.Options{}
	}
	if o.Jar == nil {
		o.Jar = newFakeJar()
	}
	c, err := client.New(o)
	if err != nil {
		tb.Fatalf("client.New: %v", err)
	}
	tb.Cleanup(c.CloseIdleConnections)
	return c
}

// tlsConfigFor trusts srv's certificate.
func tlsConfigFor(srv *httptest.Server) *tls.Config {
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	return &tls.Config{RootCAs: pool}
}

// readAll reads and closes resp's body.
func readAll(tb testing.TB, resp *http.Response) string {
	tb.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatalf("read body: %v", err)
	}
	return string(b)
}

// Export and Import make fakeJar persistable like *jar.Jar.
func (j *fakeJar) Export(w io.Writer, _ *jar.SaveOptions) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	return json.NewEncoder(w).Encode(j.pairs)
}

func (j *fakeJar) Import(r io.Reader) (int, error) {
	var m map[string][]string
	if err := json.NewDecoder(r).Decode(&m); err != nil {
		return 0, err
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	n := 0
	for h, ps := range m {
		j.pairs[h] = append(j.pairs[h], ps...)
		n += len(ps)
	}
	return n, nil
}
