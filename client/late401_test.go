package client_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/httpstate/httpstate/client"
)

// TestLate401UsesCurrentToken: a request sent with the first token gets its
// 401 only after another request has already had that token refreshed. It
// must be replayed with the current token, not cause a second Refresh. The
// server holds the slow request's 401 until the fast one is done, so the
// order does not depend on scheduling.
func TestLate401UsesCurrentToken(t *testing.T) {
	arrived := make(chan struct{})
	release := make(chan struct{})
	// On a failure before the release, the handler must still return, or
	// srv.Close would wait for it forever.
	doRelease := sync.OnceFunc(func() { close(release) })
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		auth := r.Header.Get("Authorization")
		if r.URL.Path == "/slow" && auth == "Bearer t0" {
			close(arrived)
			<-release
		}
		if auth != "Bearer t1" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		fmt.Fprint(w, "ok")
	}))
	defer srv.Close()
	defer doRelease()
	src := &countingSource{}
	c := mustNew(t, &client.Options{Auth: client.TokenAuth(src)})

	slow := make(chan error, 1)
	go func() {
		slow <- getOK(c, srv.URL+"/slow")
	}()
	<-arrived // the slow request is at the server with t0
	resp, err := c.Get(context.Background(), srv.URL+"/fast")
	if err != nil {
		t.Fatal(err)
	}
	if body := readAll(t, resp); body != "ok" {
		t.Fatalf("fast request: status %d body %q, want ok", resp.StatusCode, body)
	}
	doRelease() // now the slow request gets its 401 for t0
	if err := <-slow; err != nil {
		t.Errorf("slow request: %v", err)
	}
	if got := src.refreshes.Load(); got != 1 {
		t.Errorf("Refresh calls: got %d, want 1 (the late 401 had a token already replaced)", got)
	}
	if got := hits.Load(); got != 4 {
		t.Errorf("server hits: got %d, want 4 (each request twice)", got)
	}
}

// sameSource hands out "t0" and, from Refresh, the token it was given back
// (a source whose own clock says the token is still good), counting calls.
type sameSource struct{ refreshes atomic.Int64 }

func (s *sameSource) Token(context.Context) (string, error) { return "t0", nil }
func (s *sameSource) Refresh(_ context.Context, stale string) (string, error) {
	s.refreshes.Add(1)
	return stale, nil
}

// TestLate401AfterRefreshToSameToken: the server rejects t0 for a moment
// (say, one instance lags behind a key rotation). The fast request's 401
// refreshes, the source answers t0 again, and the replay succeeds. The slow
// request, sent before that refresh, gets its 401 only afterwards: the
// refresh already answered it, so the client replays it with the current
// token instead of asking the source again, though the value is the same.
// (Requests that share a Refresh call take its answer the same way.) The
// server holds the slow request's 401 until the fast one is done.
func TestLate401AfterRefreshToSameToken(t *testing.T) {
	arrived := make(chan struct{})
	release := make(chan struct{})
	// On a failure before the release, the handler must still return, or
	// srv.Close would wait for it forever.
	doRelease := sync.OnceFunc(func() { close(release) })
	var slowHits, fastHits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer t0" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		switch r.URL.Path {
		case "/slow":
			if slowHits.Add(1) == 1 {
				close(arrived)
				<-release
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
		case "/fast":
			if fastHits.Add(1) == 1 {
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
		}
		fmt.Fprint(w, "ok")
	}))
	defer srv.Close()
	defer doRelease()
	src := &sameSource{}
	c := mustNew(t, &client.Options{Auth: client.TokenAuth(src)})

	slow := make(chan error, 1)
	go func() {
		slow <- getOK(c, srv.URL+"/slow")
	}()
	<-arrived
	resp, err := c.Get(context.Background(), srv.URL+"/fast")
	if err != nil {
		t.Fatal(err)
	}
	if body := readAll(t, resp); body != "ok" {
		t.Fatalf("fast request: status %d body %q, want ok", resp.StatusCode, body)
	}
	if got := src.refreshes.Load(); got != 1 {
		t.Fatalf("Refresh calls after the fast request: got %d, want 1", got)
	}
	doRelease()
	if err := <-slow; err != nil {
		t.Errorf("slow request: %v", err)
	}
	if got := src.refreshes.Load(); got != 1 {
		t.Errorf("Refresh calls: got %d, want 1 (the slow request was sent before the refresh)", got)
	}
	if got := slowHits.Load(); got != 2 {
		t.Errorf("slow request hits: got %d, want 2", got)
	}
}

// getOK GETs url and returns an error unless the answer is 200 "ok"; it
// is safe to call from a goroutine other than the test's.
func getOK(c *client.Client, url string) error {
	resp, err := c.Get(context.Background(), url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK || string(body) != "ok" {
		return fmt.Errorf("status %d body %q, want ok", resp.StatusCode, body)
	}
	return nil
}
