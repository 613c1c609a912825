package client_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/httpstate/httpstate/client"
)

// TestDefaultHeaderNamesCanonical: Options.Header written with keys in
// another case (a map literal bypasses Header.Set) still yields to the
// request's own header of that name, is not sent twice, and a "user-agent"
// there replaces the default User-Agent instead of joining it.
func TestDefaultHeaderNamesCanonical(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%s|%s", strings.Join(r.Header.Values("X-Api-Key"), ","), strings.Join(r.Header.Values("User-Agent"), ","))
	}))
	defer srv.Close()
	c := mustNew(t, &client.Options{Header: http.Header{"x-api-key": {"default"}, "user-agent": {"mine/1"}}})
	req, _ := c.NewRequest(context.Background(), http.MethodGet, srv.URL, nil)
	req.Header.Set("X-Api-Key", "own")
	resp, err := c.Do(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := readAll(t, resp), "own|mine/1"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	resp, err = c.Get(context.Background(), srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := readAll(t, resp), "default|mine/1"; got != want {
		t.Errorf("without a header of its own: got %q, want %q", got, want)
	}
}

// TestRequestHeaderNamesCanonical: a request header written into the map
// under a key in another case (net/http sends it as written) is still the
// request's own: the default of that name is not sent beside it, nor does
// Auth add a second Authorization beside an "authorization" of its own.
func TestRequestHeaderNamesCanonical(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%q %q", r.Header.Values("X-Api-Key"), r.Header.Values("Authorization"))
	}))
	defer srv.Close()
	c := mustNew(t, &client.Options{Header: http.Header{"X-Api-Key": {"default"}}, Auth: client.Bearer("client")})
	req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
	req.Header["x-api-key"] = []string{"own"}
	req.Header["authorization"] = []string{"Bearer own"}
	resp, err := c.Do(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := readAll(t, resp), `["own"] ["Bearer own"]`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}
