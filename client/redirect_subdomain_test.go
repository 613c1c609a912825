package client_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
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

// TestRefererCrossOriginIsOrigin: on a redirect to another origin the
// Referer net/http adds names the origin of the previous hop only, as a
// browser's default policy (strict-origin-when-cross-origin) does: its path
// and query (BaseURL's query may hold an API key) stay with the origin. A
// same-origin hop keeps the full Referer; one the caller set is kept.
func TestRefererCrossOriginIsOrigin(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Host == "api.example.test" {
			http.Redirect(w, r, "http://other.example.test/landing", http.StatusFound)
			return
		}
		fmt.Fprintf(w, "host=%s referer=%s", r.Host, r.Header.Get("Referer"))
	}))
	defer srv.Close()
	c := mustNew(t, &client.Options{BaseURL: "http://api.example.test/v1/?key=s3cret", Transport: loopbackTransport(srv)})
	resp, err := c.Get(context.Background(), "start")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := readAll(t, resp), "host=other.example.test referer=http://api.example.test/"; got != want {
		t.Errorf("cross-origin hop: got %q, want %q", got, want)
	}

	// Same origin: the full URL of the previous hop.
	same := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/a" {
			http.Redirect(w, r, "/b", http.StatusFound)
			return
		}
		fmt.Fprint(w, r.Header.Get("Referer"))
	}))
	defer same.Close()
	c2 := mustNew(t, nil)
	resp, err = c2.Get(context.Background(), same.URL+"/a?q=1")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := readAll(t, resp), same.URL+"/a?q=1"; got != want {
		t.Errorf("same-origin hop: Referer %q, want %q", got, want)
	}
	// Never the fragment (RFC 9110 section 10.1.3: "MUST NOT include the
	// fragment"), which may hold a token.
	resp, err = c2.Get(context.Background(), same.URL+"/a?q=1#access_token=s3cret")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := readAll(t, resp), same.URL+"/a?q=1"; got != want {
		t.Errorf("same-origin hop from a URL with a fragment: Referer %q, want %q", got, want)
	}

	// A Referer the caller set goes on as set.
	req, _ := c.NewRequest(context.Background(), http.MethodGet, "start", nil)
	req.Header.Set("Referer", "https://app.example.test/page")
	resp, err = c.Do(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := readAll(t, resp), "host=other.example.test referer=https://app.example.test/page"; got != want {
		t.Errorf("caller's Referer: got %q, want %q", got, want)
	}
}

// TestProxyAuthorizationFollowsCredentialScope: a Proxy-Authorization
// header the request set is a credential like Authorization (net/http
// strips both on a redirect to another domain): a hop the client deems
// another scope (a subdomain, another port, https to http) does not carry
// it. Without a proxy, or for https through a CONNECT tunnel, net/http
// writes it to the origin server itself. Within the scope it stays.
func TestProxyAuthorizationFollowsCredentialScope(t *testing.T) {
	for _, tt := range []struct {
		from, to string
		kept     bool
	}{
		{"https://api.example.test/", "https://evil.api.example.test/x", false},
		{"https://api.example.test/", "https://api.example.test:8443/x", false},
		{"https://api.example.test/", "http://api.example.test/x", false},
		{"https://api.example.test/", "https://api.example.test/x", true},
	} {
		var got []string
		c := mustNew(t, &client.Options{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			got = append(got, r.Header.Get("Proxy-Authorization"))
			h := http.Header{}
			code := http.StatusOK
			if len(got) == 1 {
				code = http.StatusFound
				h.Set("Location", tt.to)
			}
			return &http.Response{StatusCode: code, Header: h, Body: http.NoBody, Request: r}, nil
		})})
		req, _ := http.NewRequest(http.MethodGet, tt.from, nil)
		req.Header.Set("Proxy-Authorization", "Basic c2VjcmV0")
		resp, err := c.Do(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		want := []string{"Basic c2VjcmV0", ""}
		if tt.kept {
			want[1] = want[0]
		}
		if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
			t.Errorf("%s -> %s: Proxy-Authorization sent %q, want %q", tt.from, tt.to, got, want)
		}
	}
}

// TestCredentialsInAnyCaseStripped: credentials the request set under a key
// in another case ("authorization", written into the map directly; net/http
// copies it to every hop as written) are stripped like canonical ones on a
// hop to another scope.
func TestCredentialsInAnyCaseStripped(t *testing.T) {
	var hops []http.Header
	c := mustNew(t, &client.Options{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		hops = append(hops, r.Header.Clone())
		h := http.Header{}
		code := http.StatusOK
		if len(hops) == 1 {
			code = http.StatusFound
			h.Set("Location", "https://api.example.test:8443/x")
		}
		return &http.Response{StatusCode: code, Header: h, Body: http.NoBody, Request: r}, nil
	})})
	req, _ := http.NewRequest(http.MethodGet, "https://api.example.test/", nil)
	req.Header["authorization"] = []string{"Bearer s3cret"}
	req.Header["cookie"] = []string{"sid=s3cret"}
	req.Header["proxy-authorization"] = []string{"Basic s3cret"}
	resp, err := c.Do(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if len(hops) != 2 {
		t.Fatalf("%d hops, want 2", len(hops))
	}
	for k, vs := range hops[1] {
		for _, v := range vs {
			if strings.Contains(v, "s3cret") {
				t.Errorf("hop to another port carries %s: %s", k, v)
			}
		}
	}
}
