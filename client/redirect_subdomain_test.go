package client_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/httpstate/httpstate/client"
)

// loopbackTransport dials srv whatever host a request names, so tests can
// use host names.
func loopbackTransport(srv *httptest.Server) *http.Transport {
	addr := srv.Listener.Addr().String()
	return &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}}
}

// TestAuthNotSentToSubdomain: a redirect from api.example.test to a
// subdomain of it (another host) carries neither the client's credentials
// nor a Cookie header the caller set. net/http alone forwards them to
// subdomains; the package doc promises another host gets none.
func TestAuthNotSentToSubdomain(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Host == "api.example.test" {
			http.Redirect(w, r, "http://evil.api.example.test/landing", http.StatusFound)
			return
		}
		fmt.Fprintf(w, "host=%s auth=%q cookie=%q", r.Host, r.Header.Get("Authorization"), r.Header.Get("Cookie"))
	}))
	defer srv.Close()
	c := mustNew(t, &client.Options{Auth: client.Bearer("secret"), Transport: loopbackTransport(srv)})
	req, _ := c.NewRequest(context.Background(), http.MethodGet, "http://api.example.test/", nil)
	req.Header.Set("Cookie", "sid=secret")
	resp, err := c.Do(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := readAll(t, resp), `host=evil.api.example.test auth="" cookie=""`; got != want {
		t.Errorf("after a redirect to a subdomain: got %s, want %s", got, want)
	}
}
