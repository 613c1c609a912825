package client_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/httpstate/httpstate/client"
)

// TestBaseURLQueryKept: the query of Options.BaseURL (an API version, a
// key) goes with every request resolved against it. A parameter the request
// names itself wins; the base's parameters win over Options.Query; an
// absolute URL gets nothing from the base (it may be another host).
func TestBaseURLQueryKept(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(echoHandler))
	defer srv.Close()
	c := mustNew(t, &client.Options{
		BaseURL: srv.URL + "/api?api-version=2024-10&key=a%2Fb",
		Query:   url.Values{"api-version": {"0"}, "lang": {"en"}},
	})
	for _, tt := range []struct{ ref, want string }{
		{"users", "GET /api/users?api-version=2024-10&key=a%2Fb&lang=en"},
		{"/root", "GET /root?api-version=2024-10&key=a%2Fb&lang=en"},
		{"users?page=2", "GET /api/users?page=2&api-version=2024-10&key=a%2Fb&lang=en"},
		{"users?api-version=2025-01", "GET /api/users?api-version=2025-01&key=a%2Fb&lang=en"},
		{"", "GET /api/?api-version=2024-10&key=a%2Fb&lang=en"},
		{"?key=mine", "GET /api/?key=mine&api-version=2024-10&lang=en"},
		{srv.URL + "/abs", "GET /abs?api-version=0&lang=en"},
	} {
		resp, err := c.Get(context.Background(), tt.ref)
		if err != nil {
			t.Fatalf("ref %q: %v", tt.ref, err)
		}
		if got := readAll(t, resp); got != tt.want {
			t.Errorf("ref %q: got %q, want %q", tt.ref, got, tt.want)
		}
	}
	if s := c.String(); strings.Contains(s, "a%2Fb") {
		t.Errorf("String shows the base query's key: %s", s)
	}
}

func TestBaseURLBadQueryRejected(t *testing.T) {
	_, err := client.New(&client.Options{BaseURL: "https://api.example/v1?a=1;b=2"})
	if err == nil || !strings.Contains(err.Error(), "BaseURL") {
		t.Fatalf("BaseURL with an unparsable query: got %v, want an error naming BaseURL", err)
	}
}
