package bench

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/httpstate/httpstate/client"
)

// The client comparison: github.com/httpstate/httpstate/client against a
// plain http.Client with a clone of http.DefaultTransport, on the same
// load: 8 concurrent workers × 2000 GETs of a small body from a loopback
// server, over TLS (HTTP/1.1 only) and over plain HTTP. Each iteration uses
// a new client, so its connections are counted from zero: conns/op is the
// number of connections the server accepted (http.Server.ConnState StateNew)
// per iteration, req/s the request rate.

const (
	clientWorkers   = 8
	clientPerWorker = 2000
)

// newClientBenchServer starts a loopback server, TLS with HTTP/2 disabled
// when tlsOn, that counts new connections.
func newClientBenchServer(b *testing.B, tlsOn bool) (*httptest.Server, *atomic.Int64) {
	b.Helper()
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"ok":true,"n":42}`)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Config.ErrorLog = nil
	if tlsOn {
		// An empty TLSNextProto map turns HTTP/2 off: HTTP/1.1 only.
		srv.Config.TLSNextProto = map[string]func(*http.Server, *tls.Conn, http.Handler){}
		srv.StartTLS()
	} else {
		srv.Start()
	}
	b.Cleanup(srv.Close)
	return srv, &conns
}

// clientLoad runs the workers' requests with get and returns the time taken.
func clientLoad(b *testing.B, get func(context.Context) error) time.Duration {
	b.Helper()
	ctx := context.Background()
	var wg sync.WaitGroup
	var failed atomic.Pointer[error]
	start := time.Now()
	for range clientWorkers {
		wg.Go(func() {
			for range clientPerWorker {
				if err := get(ctx); err != nil {
					failed.CompareAndSwap(nil, &err)
					return
				}
			}
		})
	}
	wg.Wait()
	d := time.Since(start)
	if e := failed.Load(); e != nil {
		b.Fatal(*e)
	}
	return d
}

// drainClose reads a response body to the end and closes it, so that its
// connection can be reused.
func drainClose(resp *http.Response) error {
	_, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return err
}

func BenchmarkClient(b *testing.B) {
	for _, proto := range []string{"tls", "http"} {
		srv, conns := newClientBenchServer(b, proto == "tls")
		var tlsConf *tls.Config
		if proto == "tls" {
			pool := x509.NewCertPool()
			pool.AddCert(srv.Certificate())
			tlsConf = &tls.Config{RootCAs: pool}
		}
		contenders := []struct {
			name string
			new  func() (func(context.Context) error, func())
		}{
			{"httpstate", func() (func(context.Context) error, func()) {
				c, err := client.New(&client.Options{TLSConfig: tlsConf})
				if err != nil {
					b.Fatal(err)
				}
				return func(ctx context.Context) error {
					resp, err := c.Get(ctx, srv.URL)
					if err != nil {
						return err
					}
					return drainClose(resp)
				}, c.CloseIdleConnections
			}},
			{"net-http", func() (func(context.Context) error, func()) {
				tr := http.DefaultTransport.(*http.Transport).Clone()
				tr.TLSClientConfig = tlsConf
				hc := &http.Client{Transport: tr}
				return func(ctx context.Context) error {
					req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
					resp, err := hc.Do(req)
					if err != nil {
						return err
					}
					return drainClose(resp)
				}, hc.CloseIdleConnections
			}},
		}
		for _, ct := range contenders {
			b.Run(proto+"/"+ct.name, func(b *testing.B) {
				var elapsed time.Duration
				before := conns.Load()
				for b.Loop() {
					get, closeIdle := ct.new()
					elapsed += clientLoad(b, get)
					closeIdle()
				}
				b.ReportMetric(float64(b.N*clientWorkers*clientPerWorker)/elapsed.Seconds(), "req/s")
				b.ReportMetric(float64(conns.Load()-before)/float64(b.N), "conns/op")
			})
		}
	}
}
