package client_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/httpstate/httpstate/client"
)

// TestAuthNotSentToAnotherPort: a redirect to the same host name on another
// port (another service) does not carry the client's credentials, nor a
// Cookie header the caller set (net/http compares host names only).
func TestAuthNotSentToAnotherPort(t *testing.T) {
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "auth=%q cookie=%q", r.Header.Get("Authorization"), r.Header.Get("Cookie"))
	}))
	defer other.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/landing", http.StatusFound)
	}))
	defer srv.Close()
	c := mustNew(t, &client.Options{Auth: client.Bearer("secret")})
	req, _ := c.NewRequest(context.Background(), http.MethodGet, srv.URL, nil)
	req.Header.Set("Cookie", "sid=secret")
	resp, err := c.Do(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, resp); got != `auth="" cookie=""` {
		t.Errorf("after a redirect to another port: got %s, want no credentials", got)
	}
}

// TestAuthKeptOnSameOriginRedirect: a redirect within the origin keeps the
// credentials.
func TestAuthKeptOnSameOriginRedirect(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/" {
			http.Redirect(w, r, "/landing", http.StatusFound)
			return
		}
		fmt.Fprintf(w, "auth=%q", r.Header.Get("Authorization"))
	}))
	defer srv.Close()
	c := mustNew(t, &client.Options{Auth: client.Bearer("secret")})
	resp, err := c.Get(context.Background(), srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, resp); got != `auth="Bearer secret"` {
		t.Errorf("after a same-origin redirect: got %s, want the credentials", got)
	}
}
