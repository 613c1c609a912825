package client_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/httpstate/httpstate/client"
)

// TestRequestHostKeptForRelativeURL: a Host the request sets (a virtual
// host on a shared address, as req.Host does for http.Client) is a
// per-request setting and goes out with a URL relative to BaseURL too; it
// was cleared, so the base's host went out instead. Without one, the
// base's host goes out.
func TestRequestHostKeptForRelativeURL(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, r.Host)
	}))
	defer srv.Close()
	c := mustNew(t, &client.Options{BaseURL: "http://api.example.test/v1/", Transport: loopbackTransport(srv)})
	for _, tt := range []struct{ host, want string }{
		{"tenant.example.test", "tenant.example.test"},
		{"", "api.example.test"},
	} {
		req, _ := http.NewRequest(http.MethodGet, "users", nil)
		req.Host = tt.host
		resp, err := c.Do(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		if got := readAll(t, resp); got != tt.want {
			t.Errorf("req.Host %q: server got Host %q, want %q", tt.host, got, tt.want)
		}
	}
}
