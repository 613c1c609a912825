package client_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/httpstate/httpstate/client"
)

// TestDefaultQueryScopedToBaseOrigin: with a BaseURL, Options.Query (an
// API key) goes only to URLs of the base's origin (scheme, host, port), as
// BaseURL's own query does to relative URLs: an absolute URL or a
// network-path reference naming another host, another port or another
// scheme gets none. Without a BaseURL it goes to every request. Before, an
// absolute URL on any host got the key.
func TestDefaultQueryScopedToBaseOrigin(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, r.Host+" "+r.RequestURI)
	}))
	defer srv.Close()
	q := url.Values{"key": {"s3cret"}}
	c := mustNew(t, &client.Options{BaseURL: "http://api.example.test/v1/", Query: q,
		Transport: loopbackTransport(srv)})
	for _, tt := range []struct{ ref, want string }{
		{"users", "api.example.test /v1/users?key=s3cret"},
		{"http://api.example.test/next?page=2", "api.example.test /next?page=2&key=s3cret"},
		{"HTTP://API.example.test:80/x", "API.example.test:80 /x?key=s3cret"},
		{"http://cdn.example.test/file?sig=1", "cdn.example.test /file?sig=1"},
		{"http://api.example.test:8080/x", "api.example.test:8080 /x"},
		{"//other.example.test/x", "other.example.test /x"},
	} {
		resp, err := c.Get(context.Background(), tt.ref)
		if err != nil {
			t.Fatalf("ref %q: %v", tt.ref, err)
		}
		if got := readAll(t, resp); got != tt.want {
			t.Errorf("ref %q: got %q, want %q", tt.ref, got, tt.want)
		}
	}
	// https to the base host is another origin too (a TLS dial of the
	// plain server fails; only the URL the client prepared matters).
	var seen string
	c = mustNew(t, &client.Options{BaseURL: "http://api.example.test/", Query: q, Retry: &client.RetryPolicy{MaxAttempts: 1},
		OnRequest: []func(*http.Request) error{func(r *http.Request) error {
			seen = r.URL.RawQuery
			return http.ErrAbortHandler
		}}})
	c.Get(context.Background(), "https://api.example.test/x")
	if seen != "" {
		t.Errorf("https URL for an http BaseURL got query %q, want none", seen)
	}

	c = mustNew(t, &client.Options{Query: q, Transport: loopbackTransport(srv)})
	resp, err := c.Get(context.Background(), "http://any.example.test/x")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := readAll(t, resp), "any.example.test /x?key=s3cret"; got != want {
		t.Errorf("without BaseURL: got %q, want %q", got, want)
	}
}

// TestDefaultQueryScopeIDN: a host written in Unicode and its punycode
// (A-label) form are one origin, the host net/http dials for both: the
// default query goes to either form of the base's host. Before, the other
// form was taken for another host and the request went without its key.
func TestDefaultQueryScopeIDN(t *testing.T) {
	q := url.Values{"key": {"s3cret"}}
	for _, tt := range []struct{ base, ref, want string }{
		{"http://bücher.example.test/", "http://xn--bcher-kva.example.test/x", "key=s3cret"},
		{"http://xn--bcher-kva.example.test/", "http://BÜCHER.example.test/x", "key=s3cret"},
		{"http://bücher.example.test/", "http://bucher.example.test/x", ""},
	} {
		var seen string
		c := mustNew(t, &client.Options{BaseURL: tt.base, Query: q, Retry: &client.RetryPolicy{MaxAttempts: 1},
			OnRequest: []func(*http.Request) error{func(r *http.Request) error {
				seen = r.URL.RawQuery
				return http.ErrAbortHandler
			}}})
		c.Get(context.Background(), tt.ref)
		if seen != tt.want {
			t.Errorf("base %q, URL %q: query %q, want %q", tt.base, tt.ref, seen, tt.want)
		}
	}
}

// TestCredentialsFollowIDNRedirect: a redirect from a host written in
// Unicode to its punycode form stays on the host (net/http dials that form
// for both), so the credentials follow it, as net/http's own check lets
// them; they were dropped as for another host.
func TestCredentialsFollowIDNRedirect(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/a" {
			http.Redirect(w, r, "http://xn--bcher-kva.example.test/b", http.StatusFound)
			return
		}
		io.WriteString(w, r.Host+" "+r.Header.Get("Authorization"))
	}))
	defer srv.Close()
	c := mustNew(t, &client.Options{Auth: client.Bearer("tok"), Transport: loopbackTransport(srv)})
	resp, err := c.Get(context.Background(), "http://bücher.example.test/a")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := readAll(t, resp), "xn--bcher-kva.example.test Bearer tok"; got != want {
		t.Errorf("redirect target got %q, want %q", got, want)
	}
}
