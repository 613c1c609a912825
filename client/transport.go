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

// NewTransport returns the pooled transport New builds when
// Options.Transport is nil, from o's TLSConfig, MaxIdleConnsPerHost and
// timeouts (nil means defaults): HTTP/2 when the server offers it over TLS,
// DefaultMaxIdleConnsPerHost keep-alive connections per host. Use it to wrap
// the client's transport in a RoundTripper of your own.
func NewTransport(o *Options) *http.Transport {
	var oc Options
	if o != nil {
		oc = *o
	}
	oc.normalize()
	o = &oc
	d := &net.Dialer{Timeout: o.DialTimeout, KeepAlive: 30 * time.Second}
	var tc *tls.Config
	if o.TLSConfig != nil {
		tc = o.TLSConfig.Clone()
	}
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&dialGate{maxWait: o.DialTimeout + o.TLSHandshakeTimeout}).dialer(d),
		TLSClientConfig:       tc,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          0, // no global limit; the per-host limit applies
		MaxIdleConnsPerHost:   o.MaxIdleConnsPerHost,
		MaxConnsPerHost:       o.MaxConnsPerHost,
		IdleConnTimeout:       DefaultIdleConnTimeout,
		TLSHandshakeTimeout:   o.TLSHandshakeTimeout,
		ResponseHeaderTimeout: o.ResponseHeaderTimeout,
		ExpectContinueTimeout: time.Second,
	}
}
