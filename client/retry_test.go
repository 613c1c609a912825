package client_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/httpstate/httpstate/client"
	"github.com/httpstate/httpstate/internal/testutil"
)

// scriptServer answers request i with statuses[i] (the last one repeats) and
// the Retry-After value retryAfter[i] when set.
type scriptServer struct {
	statuses   []int
	retryAfter []string
	hits       atomic.Int64
}

func (s *scriptServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	i := int(s.hits.Add(1)) - 1
	io.Copy(io.Discard, r.Body)
	if i < len(s.retryAfter) && s.retryAfter[i] != "" {
		w.Header().Set("Retry-After", s.retryAfter[i])
	}
	st := s.statuses[min(i, len(s.statuses)-1)]
	w.WriteHeader(st)
	fmt.Fprintf(w, "attempt %d", i+1)
}

var tNow = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

var retryTests = []struct {
	name       string
	method     string
	body       io.Reader
	statuses   []int
	retryAfter []string
	policy     client.RetryPolicy
	wantStatus int
	wantHits   int64
	wantWaits  []time.Duration // nil: check only the count and the jitter bounds
}{
	{name: "503 then 200", method: "GET", statuses: []int{503, 200}, wantStatus: 200, wantHits: 2},
	{name: "all retryable statuses", method: "GET", statuses: []int{429, 502, 504, 200}, wantStatus: 200, wantHits: 4},
	{name: "500 not retried", method: "GET", statuses: []int{500, 200}, wantStatus: 500, wantHits: 1},
	{name: "attempts bounded", method: "GET", statuses: []int{503}, wantStatus: 503, wantHits: 4},
	{name: "MaxAttempts 1 disables", method: "GET", statuses: []int{503}, policy: client.RetryPolicy{MaxAttempts: 1},
		wantStatus: 503, wantHits: 1},
	{name: "POST not retried", method: "POST", body: strings.NewReader("x"), statuses: []int{503, 200},
		wantStatus: 503, wantHits: 1},
	{name: "PUT retried with replayed body", method: "PUT", body: strings.NewReader("x"), statuses: []int{503, 200},
		wantStatus: 200, wantHits: 2},
	{name: "PUT without GetBody not retried", method: "PUT", body: io.MultiReader(strings.NewReader("x")),
		statuses: []int{503, 200}, wantStatus: 503, wantHits: 1},
	{name: "Retry-After seconds", method: "GET", statuses: []int{503, 429, 200}, retryAfter: []string{"3", "0"},
		wantStatus: 200, wantHits: 3, wantWaits: []time.Duration{3 * time.Second, 0}},
	{name: "Retry-After date", method: "GET", statuses: []int{503, 200},
		retryAfter: []string{tNow.Add(7 * time.Second).Format(http.TimeFormat)},
		wantStatus: 200, wantHits: 2, wantWaits: []time.Duration{7 * time.Second}},
	{name: "Retry-After past date", method: "GET", statuses: []int{503, 200},
		retryAfter: []string{tNow.Add(-time.Hour).Format(http.TimeFormat)},
		wantStatus: 200, wantHits: 2, wantWaits: []time.Duration{0}},
	{name: "Retry-After beyond MaxElapsed gives up", method: "GET", statuses: []int{503, 200},
		retryAfter: []string{"120"}, wantStatus: 503, wantHits: 1, wantWaits: []time.Duration{}},
	{name: "Retry-After beyond 32 bits gives up", method: "GET", statuses: []int{503, 200},
		retryAfter: []string{"99999999999"}, wantStatus: 503, wantHits: 1, wantWaits: []time.Duration{}},
	{name: "Retry-After beyond 64 bits gives up", method: "GET", statuses: []int{429, 200},
		retryAfter: []string{"999999999999999999999999"}, wantStatus: 429, wantHits: 1, wantWaits: []time.Duration{}},
	{name: "MaxElapsed bounds", method: "GET", statuses: []int{503}, retryAfter: []string{"4", "4", "4"},
		policy:     client.RetryPolicy{MaxAttempts: 10, MaxElapsed: 10 * time.Second},
		wantStatus: 503, wantHits: 3, wantWaits: []time.Duration{4 * time.Second, 4 * time.Second}},
}

func TestRetries(t *testing.T) {
	for _, tt := range retryTests {
		ss := &scriptServer{statuses: tt.statuses, retryAfter: tt.retryAfter}
		srv := httptest.NewServer(ss)
		clock := testutil.NewClock(tNow)
		sr := &sleepRecorder{}
		p := tt.policy
		p.Rand = rand.New(rand.NewPCG(1, 2))
		p.Sleep = func(ctx context.Context, d time.Duration) error {
			clock.Advance(d)
			return sr.Sleep(ctx, d)
		}
		c := mustNew(t, &client.Options{Retry: &p, Now: clock.Now})
		req, _ := c.NewRequest(context.Background(), tt.method, srv.URL, tt.body)
		resp, err := c.Do(context.Background(), req)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			srv.Close()
			continue
		}
		body := readAll(t, resp)
		if resp.StatusCode != tt.wantStatus || ss.hits.Load() != tt.wantHits {
			t.Errorf("%s: got status %d after %d hits (%q), want %d after %d",
				tt.name, resp.StatusCode, ss.hits.Load(), body, tt.wantStatus, tt.wantHits)
		}
		waits := sr.Waits()
		if tt.wantWaits != nil {
			if fmt.Sprint(waits) != fmt.Sprint(tt.wantWaits) {
				t.Errorf("%s: waits got %v, want %v", tt.name, waits, tt.wantWaits)
			}
		} else {
			if int64(len(waits)) != tt.wantHits-1 {
				t.Errorf("%s: got %d waits, want %d", tt.name, len(waits), tt.wantHits-1)
			}
			for i, w := range waits {
				if ceil := client.DefaultBaseDelay << i; w < 0 || w >= ceil {
					t.Errorf("%s: wait %d = %v, want in [0, %v)", tt.name, i, w, ceil)
				}
			}
		}
		srv.Close()
	}
}

func TestBackoffSeeded(t *testing.T) {
	run := func() []time.Duration {
		srv := httptest.NewServer(&scriptServer{statuses: []int{503}})
		defer srv.Close()
		sr := &sleepRecorder{}
		c := mustNew(t, &client.Options{Retry: &client.RetryPolicy{
			MaxAttempts: 8, MaxDelay: time.Second, Rand: rand.New(rand.NewPCG(7, 7)), Sleep: sr.Sleep,
		}})
		resp, err := c.Get(context.Background(), srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		readAll(t, resp)
		return sr.Waits()
	}
	a, b := run(), run()
	if fmt.Sprint(a) != fmt.Sprint(b) || len(a) != 7 {
		t.Errorf("same seed gave %v and %v, want 7 equal waits", a, b)
	}
	for i, w := range a {
		if ceil := min(client.DefaultBaseDelay<<i, time.Second); w >= ceil {
			t.Errorf("wait %d = %v, want < %v", i, w, ceil)
		}
	}
}

// closedAddr returns a loopback address nothing listens on.
func closedAddr(tb testing.TB) string {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

func TestDialErrorRetriedThenExhausted(t *testing.T) {
	sr := &sleepRecorder{}
	c := mustNew(t, &client.Options{Retry: &client.RetryPolicy{Sleep: sr.Sleep}})
	_, err := c.Get(context.Background(), "http://"+closedAddr(t)+"/")
	var ce *client.Error
	var opErr *net.OpError
	if !errors.Is(err, client.ErrDial) || !errors.Is(err, client.ErrRetriesExhausted) ||
		!errors.As(err, &ce) || !errors.As(err, &opErr) {
		t.Fatalf("got %v, want *client.Error wrapping ErrDial, ErrRetriesExhausted and *net.OpError", err)
	}
	if ce.Attempts != client.DefaultMaxAttempts || len(sr.Waits()) != client.DefaultMaxAttempts-1 {
		t.Errorf("attempts %d, waits %d; want %d, %d", ce.Attempts, len(sr.Waits()),
			client.DefaultMaxAttempts, client.DefaultMaxAttempts-1)
	}
	if !strings.Contains(err.Error(), "dial failed") {
		t.Errorf("message %q does not say dial failed", err)
	}
}

func TestDialErrorPOSTNotRetried(t *testing.T) {
	sr := &sleepRecorder{}
	c := mustNew(t, &client.Options{Retry: &client.RetryPolicy{Sleep: sr.Sleep}})
	_, err := c.Post(context.Background(), "http://"+closedAddr(t)+"/", "text/plain", strings.NewReader("x"))
	if !errors.Is(err, client.ErrDial) || errors.Is(err, client.ErrRetriesExhausted) || len(sr.Waits()) != 0 {
		t.Errorf("got %v after %d waits, want ErrDial without retries", err, len(sr.Waits()))
	}
}

func TestContextCancelStopsRetrying(t *testing.T) {
	ss := &scriptServer{statuses: []int{503}}
	srv := httptest.NewServer(ss)
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	c := mustNew(t, &client.Options{Retry: &client.RetryPolicy{MaxAttempts: 10,
		Sleep: func(ctx context.Context, d time.Duration) error {
			cancel() // the caller gives up while the client waits
			<-ctx.Done()
			return ctx.Err()
		}}})
	_, err := c.Get(ctx, srv.URL)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want context.Canceled", err)
	}
	if got := ss.hits.Load(); got != 1 {
		t.Errorf("hits: got %d, want 1", got)
	}
}

func TestTimeoutError(t *testing.T) {
	block := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-block:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(block)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	c := mustNew(t, nil)
	_, err := c.Get(ctx, srv.URL)
	if !errors.Is(err, client.ErrTimeout) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("got %v, want ErrTimeout wrapping context.DeadlineExceeded", err)
	}
}

func TestTLSError(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(okHandler))
	defer srv.Close()
	sr := &sleepRecorder{}
	c := mustNew(t, &client.Options{Retry: &client.RetryPolicy{Sleep: sr.Sleep}}) // system roots: untrusted
	_, err := c.Get(context.Background(), srv.URL)
	if !errors.Is(err, client.ErrTLS) || len(sr.Waits()) != 0 {
		t.Errorf("got %v after %d waits, want ErrTLS without retries", err, len(sr.Waits()))
	}
}

func TestCheckStatus(t *testing.T) {
	srv := httptest.NewServer(&scriptServer{statuses: []int{404}})
	defer srv.Close()
	c := mustNew(t, &client.Options{CheckStatus: true})
	resp, err := c.Get(context.Background(), srv.URL+"/missing")
	var se *client.StatusError
	if !errors.As(err, &se) || se.StatusCode != 404 || resp == nil || resp.StatusCode != 404 {
		t.Fatalf("got %v, %v; want *StatusError 404 with the response", resp, err)
	}
	if want := "client: GET " + srv.URL + "/missing: status 404 Not Found"; err.Error() != want {
		t.Errorf("message: got %q, want %q", err, want)
	}
}

func TestOptionsTimeout(t *testing.T) {
	block := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-block:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(block)
	sr := &sleepRecorder{}
	c := mustNew(t, &client.Options{Timeout: 50 * time.Millisecond,
		Retry: &client.RetryPolicy{MaxAttempts: 2, Sleep: sr.Sleep}})
	_, err := c.Get(context.Background(), srv.URL)
	if !errors.Is(err, client.ErrTimeout) || !strings.Contains(err.Error(), "timed out") {
		t.Errorf("got %v, want ErrTimeout", err)
	}
}

// TestRetryAfterPastDeadlineNotAwaited: a Retry-After wait that would end
// after the context's deadline is not begun: the response comes back at
// once, rather than a timeout error when the deadline passes mid-wait.
func TestRetryAfterPastDeadlineNotAwaited(t *testing.T) {
	ss := &scriptServer{statuses: []int{503, 200}, retryAfter: []string{"120"}}
	srv := httptest.NewServer(ss)
	defer srv.Close()
	sr := &sleepRecorder{}
	c := mustNew(t, &client.Options{Retry: &client.RetryPolicy{MaxElapsed: time.Hour, Sleep: sr.Sleep}})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	resp, err := c.Get(ctx, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	body := readAll(t, resp)
	if resp.StatusCode != 503 || ss.hits.Load() != 1 || len(sr.Waits()) != 0 {
		t.Errorf("got %d after %d hits and waits %v; want the 503 at once", resp.StatusCode, ss.hits.Load(), sr.Waits())
	}
	if body != "attempt 1" {
		t.Errorf("body %q, want the 503's own (\"attempt 1\"), unread", body)
	}
}
