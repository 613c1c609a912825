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
