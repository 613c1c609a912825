package client

import (
	"crypto/tls"
	"net"
	"net/http"
	"time"
)

// Transport defaults. DefaultMaxIdleConnsPerHost replaces net/http's 2, which
// makes a client with more than two concurrent requests to one host close
// and re-dial (and re-handshake TLS) connections continually.
const (
	DefaultMaxIdleConnsPerHost = 100
	DefaultDialTimeout         = 10 * time.Second
	DefaultTLSHandshakeTimeout = 10 * time.Second
	DefaultIdleConnTimeout     = 90 * time.Second
)

// newTransport returns the client's pooled transport: HTTP/2 when the server
// offers it over TLS, keep-alive connections kept per host for real
// concurrency.
func newTransport(o *Options) *http.Transport {
	d := &net.Dialer{Timeout: o.DialTimeout, KeepAlive: 30 * time.Second}
	var tc *tls.Config
	if o.TLSConfig != nil {
		tc = o.TLSConfig.Clone()
	}
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           d.DialContext,
		TLSClientConfig:       tc,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          0, // no global limit; the per-host limit applies
		MaxIdleConnsPerHost:   o.MaxIdleConnsPerHost,
		IdleConnTimeout:       DefaultIdleConnTimeout,
		TLSHandshakeTimeout:   o.TLSHandshakeTimeout,
		ResponseHeaderTimeout: o.ResponseHeaderTimeout,
		ExpectContinueTimeout: time.Second,
	}
}
