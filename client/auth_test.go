package client_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/httpstate/httpstate/client"
)

func authEcho(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, r.Header.Get("Authorization")) }

var staticAuthTests = []struct {
	name string
	auth client.Auth
	want string
}{
	{"basic", client.Basic("ann", "s3cret"), "Basic YW5uOnMzY3JldA=="},
	{"bearer", client.Bearer("tok-1"), "Bearer tok-1"},
}

func TestStaticAuth(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(authEcho))
	defer srv.Close()
	for _, tt := range staticAuthTests {
		c := mustNew(t, &client.Options{Auth: tt.auth})
		resp, err := c.Get(context.Background(), srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		if got := readAll(t, resp); got != tt.want {
			t.Errorf("%s: Authorization got %q, want %q", tt.name, got, tt.want)
		}
		// A request's own Authorization header wins.
		req, _ := c.NewRequest(context.Background(), "GET", srv.URL, nil)
		req.Header.Set("Authorization", "Custom x")
		resp, err = c.Do(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		if got := readAll(t, resp); got != "Custom x" {
			t.Errorf("%s: per-request Authorization got %q, want %q", tt.name, got, "Custom x")
		}
	}
}

func TestAuthRedacted(t *testing.T) {
	for _, a := range []client.Auth{client.Basic("ann", "s3cret"), client.Bearer("s3cret"),
		client.TokenAuth(&countingSource{})} {
		c := mustNew(t, &client.Options{Auth: a, Header: http.Header{"X-Api-Key": {"s3cret"}}})
		var logged strings.Builder
		slog.New(slog.NewTextHandler(&logged, nil)).Info("client", "c", c, "auth", a)
		for _, s := range []string{c.String(), fmt.Sprint(a), fmt.Sprintf("%v", c), logged.String()} {
			if strings.Contains(s, "s3cret") {
				t.Errorf("secret leaked: %s", s)
			}
		}
	}
}

// countingSource is a TokenSource whose tokens are "t0", "t1", … ; Refresh
// counts its calls and can block until release is closed.
type countingSource struct {
	refreshes atomic.Int64
	tokens    atomic.Int64
	release   chan struct{}
}

func (s *countingSource) Token(context.Context) (string, error) {
	s.tokens.Add(1)
	return "t0", nil
}

func (s *countingSource) Refresh(_ context.Context, stale string) (string, error) {
	n := s.refreshes.Add(1)
	if s.release != nil {
		<-s.release
	}
	return fmt.Sprintf("t%d", n), nil
}

// tokenServer accepts only "Bearer <valid>" and counts requests.
type tokenServer struct {
	valid string
	hits  atomic.Int64
}

func (s *tokenServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.hits.Add(1)
	body, _ := io.ReadAll(r.Body)
	if r.Header.Get("Authorization") != "Bearer "+s.valid {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	fmt.Fprintf(w, "ok %s", body)
}

func TestTokenRefreshReplays(t *testing.T) {
	ts := &tokenServer{valid: "t1"}
	srv := httptest.NewServer(ts)
	defer srv.Close()
	src := &countingSource{}
	c := mustNew(t, &client.Options{Auth: client.TokenAuth(src)})
	resp, err := c.Post(context.Background(), srv.URL, "text/plain", strings.NewReader("payload"))
	if err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, resp); got != "ok payload" {
		t.Errorf("body after refresh: got %q, want %q", got, "ok payload")
	}
	if got := src.refreshes.Load(); got != 1 {
		t.Errorf("refreshes: got %d, want 1", got)
	}
	if got := ts.hits.Load(); got != 2 {
		t.Errorf("server hits: got %d, want 2", got)
	}
}

func TestTokenRefreshOnlyOnce(t *testing.T) {
	ts := &tokenServer{valid: "never"}
	srv := httptest.NewServer(ts)
	defer srv.Close()
	src := &countingSource{}
	c := mustNew(t, &client.Options{Auth: client.TokenAuth(src)})
	resp, err := c.Get(context.Background(), srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, resp)
	if resp.StatusCode != http.StatusUnauthorized || src.refreshes.Load() != 1 || ts.hits.Load() != 2 {
		t.Errorf("got status %d, %d refreshes, %d hits; want 401, 1, 2",
			resp.StatusCode, src.refreshes.Load(), ts.hits.Load())
	}
}

func TestTokenRefreshNotReplayedWithoutGetBody(t *testing.T) {
	ts := &tokenServer{valid: "t1"}
	srv := httptest.NewServer(ts)
	defer srv.Close()
	src := &countingSource{}
	c := mustNew(t, &client.Options{Auth: client.TokenAuth(src)})
	// io.MultiReader hides the type: http.NewRequest sets no GetBody.
	resp, err := c.Post(context.Background(), srv.URL, "text/plain", io.MultiReader(strings.NewReader("x")))
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, resp)
	if resp.StatusCode != http.StatusUnauthorized || ts.hits.Load() != 1 || src.refreshes.Load() != 0 {
		t.Errorf("got status %d, %d hits, %d refreshes; want 401, 1, 0",
			resp.StatusCode, ts.hits.Load(), src.refreshes.Load())
	}
}

// TestConcurrent401sRefreshOnce: 50 requests all rejected with the same stale
// token share a single Refresh.
func TestConcurrent401sRefreshOnce(t *testing.T) {
	ts := &tokenServer{valid: "t1"}
	srv := httptest.NewServer(ts)
	defer srv.Close()
	src := &countingSource{release: make(chan struct{})}
	const n = 50
	var rejected sync.WaitGroup
	rejected.Add(n)
	var once sync.Once
	c := mustNew(t, &client.Options{Auth: client.TokenAuth(src),
		OnResponse: []func(*http.Response) error{func(r *http.Response) error {
			if r.StatusCode == http.StatusUnauthorized {
				rejected.Done()
			}
			return nil
		}}})
	go func() {
		// Hold the refresh until every request has seen its 401, so that
		// all of them ask for a refresh of the same stale token.
		rejected.Wait()
		once.Do(func() { close(src.release) })
	}()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Go(func() {
			resp, err := c.Get(context.Background(), srv.URL)
			if err != nil {
				errs <- err
				return
			}
			if body := readAll(t, resp); body != "ok " {
				errs <- fmt.Errorf("status %d body %q, want ok", resp.StatusCode, body)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got := src.refreshes.Load(); got != 1 {
		t.Errorf("refreshes: got %d, want 1", got)
	}
	if got := src.tokens.Load(); got != 1 {
		t.Errorf("initial Token calls: got %d, want 1", got)
	}
	if got := ts.hits.Load(); got != 2*n {
		t.Errorf("server hits: got %d, want %d", got, 2*n)
	}
}

func TestRefreshErrorReturned(t *testing.T) {
	srv := httptest.NewServer(&tokenServer{valid: "t1"})
	defer srv.Close()
	c := mustNew(t, &client.Options{Auth: client.TokenAuth(failingSource{})})
	_, err := c.Get(context.Background(), srv.URL)
	if !errors.Is(err, errRefresh) || !strings.Contains(err.Error(), "refresh token") {
		t.Errorf("got %v, want the wrapped refresh error", err)
	}
}

var errRefresh = errors.New("idp down")

type failingSource struct{}

func (failingSource) Token(context.Context) (string, error) { return "t0", nil }
func (failingSource) Refresh(context.Context, string) (string, error) {
	return "", errRefresh
}

// ctxSource's Refresh blocks until its context ends or release is closed.
type ctxSource struct {
	started   chan struct{}
	release   chan struct{}
	refreshes atomic.Int64
}

func (s *ctxSource) Token(context.Context) (string, error) { return "t0", nil }

func (s *ctxSource) Refresh(ctx context.Context, stale string) (string, error) {
	if s.refreshes.Add(1) == 1 {
		close(s.started)
		<-ctx.Done()
		return "", ctx.Err()
	}
	<-s.release
	return "t1", nil
}

// TestRefreshCanceledCallerDoesNotFailOthers: the request whose Refresh call
// is shared gets cancelled; a request waiting on that call does not inherit
// the cancellation but refreshes with its own context.
func TestRefreshCanceledCallerDoesNotFailOthers(t *testing.T) {
	ts := &tokenServer{valid: "t1"}
	srv := httptest.NewServer(ts)
	defer srv.Close()
	src := &ctxSource{started: make(chan struct{}), release: make(chan struct{})}
	c := mustNew(t, &client.Options{Auth: client.TokenAuth(src)})

	ctx1, cancel1 := context.WithCancel(context.Background())
	first := make(chan error, 1)
	go func() {
		resp, err := c.Get(ctx1, srv.URL)
		if err == nil {
			resp.Body.Close()
		}
		first <- err
	}()
	<-src.started // the first request's Refresh is in flight
	second := make(chan error, 1)
	go func() {
		resp, err := c.Get(context.Background(), srv.URL)
		if err != nil {
			second <- err
			return
		}
		if body := readAll(t, resp); body != "ok " {
			err = fmt.Errorf("status %d body %q, want ok", resp.StatusCode, body)
		}
		second <- err
	}()
	// Let the second request reach its 401 and join the pending refresh
	// (the server has then seen both requests once; joining takes
	// microseconds more, given 50ms). Had it not joined yet, it would start
	// its own refresh and the test would still pass: the margin makes the
	// test able to fail, not pass.
	for ts.hits.Load() < 2 {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond)
	cancel1()
	if err := <-first; !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled request: got %v, want context.Canceled", err)
	}
	close(src.release)
	if err := <-second; err != nil {
		t.Errorf("other request: %v (inherited the cancelled refresh)", err)
	}
	if got := src.refreshes.Load(); got != 2 {
		t.Errorf("Refresh calls: got %d, want 2 (the cancelled one, then the waiter's)", got)
	}
}
