package client_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/httpstate/httpstate/client"
)

// TestNoRefreshForAnotherHosts401: a 401 from a redirect target that never
// received the token neither refreshes the token nor resends the request
// (a POST the first host already processed).
func TestNoRefreshForAnotherHosts401(t *testing.T) {
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
	}))
	defer other.Close()
	otherURL := strings.Replace(other.URL, "127.0.0.1", "localhost", 1)
	var posts atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		posts.Add(1)
		http.Redirect(w, r, otherURL+"/done", http.StatusSeeOther)
	}))
	defer srv.Close()
	src := &countingSource{}
	c := mustNew(t, &client.Options{Auth: client.TokenAuth(src)})
	resp, err := c.Post(context.Background(), srv.URL, "text/plain", strings.NewReader("order"))
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, resp)
	if resp.StatusCode != http.StatusUnauthorized || posts.Load() != 1 || src.refreshes.Load() != 0 {
		t.Errorf("got status %d, %d POSTs, %d refreshes; want 401, 1, 0",
			resp.StatusCode, posts.Load(), src.refreshes.Load())
	}
}

// TestNoPOSTReplayAfterRedirected401: a POST the server processed and
// redirected is not sent again when the redirect target answers 401.
func TestNoPOSTReplayAfterRedirected401(t *testing.T) {
	var posts atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			posts.Add(1)
			http.Redirect(w, r, "/done", http.StatusSeeOther)
			return
		}
		w.WriteHeader(http.StatusUnauthorized) // the token expired meanwhile
	}))
	defer srv.Close()
	src := &countingSource{}
	c := mustNew(t, &client.Options{Auth: client.TokenAuth(src)})
	resp, err := c.Post(context.Background(), srv.URL, "text/plain", strings.NewReader("order"))
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, resp)
	if resp.StatusCode != http.StatusUnauthorized || posts.Load() != 1 {
		t.Errorf("got status %d, %d POSTs; want 401, 1", resp.StatusCode, posts.Load())
	}
}
