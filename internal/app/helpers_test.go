package app

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/httpstate/httpstate/internal/testutil"
	"github.com/httpstate/httpstate/session"
	"github.com/httpstate/httpstate/store/boltstore"
	"github.com/httpstate/httpstate/store/memstore"
	"github.com/httpstate/httpstate/store/redisstore"
)

// storeFactory makes a fresh store for one test.
type storeFactory struct {
	name string
	open func(t testing.TB) session.Store
}

// storeFactories are the stores every app scenario runs against.
var storeFactories = []storeFactory{
	{"memstore", func(t testing.TB) session.Store {
		st, err := memstore.New(nil)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}},
	{"boltstore", func(t testing.TB) session.Store {
		st, err := boltstore.Open(filepath.Join(t.TempDir(), "sessions.db"), nil)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}},
	{"redisstore", func(t testing.TB) session.Store {
		srv := testutil.StartRedis(t, nil)
		client := redis.NewClient(&redis.Options{Addr: srv.Addr()})
		t.Cleanup(func() { client.Close() })
		st, err := redisstore.New(client, nil)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}},
}

// forEachStore runs fn once per store factory.
func forEachStore(t *testing.T, fn func(t *testing.T, open func(testing.TB) session.Store)) {
	for _, f := range storeFactories {
		t.Run(f.name, func(t *testing.T) { fn(t, f.open) })
	}
}

// newTestApp starts an App on st behind an httptest server. modify may
// change the Options before New.
func newTestApp(t testing.TB, st session.Store, modify func(*Options)) (*App, *httptest.Server) {
	t.Helper()
	return newTestAppWith(t, st, modify, nil)
}

// newTestAppWith is newTestApp with beforeStart, when not nil, called on
// the App before its server starts (before any request can reach it).
func newTestAppWith(t testing.TB, st session.Store, modify func(*Options), beforeStart func(*App)) (*App, *httptest.Server) {
	t.Helper()
	o := &Options{Store: st, SampleInterval: -1, PollInterval: time.Hour}
	if modify != nil {
		modify(o)
	}
	a, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	if beforeStart != nil {
		beforeStart(a)
	}
	srv := httptest.NewUnstartedServer(a.Handler())
	srv.Config.RegisterOnShutdown(a.Shutdown)
	srv.Start()
	t.Cleanup(func() {
		a.Shutdown()
		srv.Close()
		if err := a.Close(); err != nil {
			t.Errorf("App.Close: %v", err)
		}
	})
	return a, srv
}

// client is a browser-like test client: it keeps cookies and does not follow
// redirects, so tests see every 303.
type client struct {
	t    testing.TB
	base string
	hc   *http.Client
}

func newClient(t testing.TB, base string) *client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &client{t: t, base: base, hc: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       10 * time.Second,
	}}
}

// response is a fully read response.
type response struct {
	status int
	header http.Header
	body   string
}

func (c *client) do(req *http.Request) response {
	c.t.Helper()
	resp, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatalf("%s %s: reading body: %v", req.Method, req.URL, err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

func (c *client) get(path string) response {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.base+path, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	return c.do(req)
}

// post sends form; extra headers are name, value pairs.
func (c *client) post(path string, form url.Values, hdr ...string) response {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodPost, c.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	return c.do(req)
}

// token fetches a CSRF token for the client's session from /api/csrf.
func (c *client) token() string {
	c.t.Helper()
	r := c.get("/api/csrf")
	if r.status != http.StatusOK {
		c.t.Fatalf("GET /api/csrf: status %d, want 200", r.status)
	}
	var v struct{ Token string }
	if err := json.Unmarshal([]byte(r.body), &v); err != nil || v.Token == "" {
		c.t.Fatalf("GET /api/csrf: body %q: %v", r.body, err)
	}
	return v.Token
}

// login logs in and returns the response.
func (c *client) login(user, password string) response {
	c.t.Helper()
	return c.post("/login", url.Values{"user": {user}, "password": {password}, "csrf_token": {c.token()}})
}

// mustLogin logs in and fails the test unless it worked.
func (c *client) mustLogin(user, password string) {
	c.t.Helper()
	if r := c.login(user, password); r.status != http.StatusSeeOther {
		c.t.Fatalf("login %s: status %d, want 303; body %q", user, r.status, r.body)
	}
}

// cart returns the items of GET /cart.
func (c *client) cart() []string {
	c.t.Helper()
	r := c.get("/cart")
	if r.status != http.StatusOK {
		c.t.Fatalf("GET /cart: status %d, want 200", r.status)
	}
	var v cartResponse
	if err := json.Unmarshal([]byte(r.body), &v); err != nil {
		c.t.Fatalf("GET /cart: body %q: %v", r.body, err)
	}
	return v.Items
}

// sid returns the value of the client's session cookie ("" for none).
func (c *client) sid() string {
	u, _ := url.Parse(c.base)
	for _, ck := range c.hc.Jar.Cookies(u) {
		if ck.Name == "sid" {
			return ck.Value
		}
	}
	return ""
}

// withCookie returns a client without a jar that sends sid=value on every
// request.
func (c *client) withCookie(value string) *client {
	hc := &http.Client{
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       10 * time.Second,
		Transport: roundTripper(func(req *http.Request) (*http.Response, error) {
			req = req.Clone(req.Context())
			req.Header.Set("Cookie", "sid="+value)
			return http.DefaultTransport.RoundTrip(req)
		}),
	}
	return &client{t: c.t, base: c.base, hc: hc}
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// sseEvent is one server-sent event.
type sseEvent struct {
	name, data string
}

// stream opens path as an event stream and returns its events; the stream
// closes when the test ends.
func (c *client) stream(path string) <-chan sseEvent {
	c.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+path, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	hc := *c.hc
	hc.Timeout = 0
	resp, err := hc.Do(req)
	if err != nil {
		cancel()
		c.t.Fatalf("GET %s: %v", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		cancel()
		resp.Body.Close()
		c.t.Fatalf("GET %s: status %d, want 200", path, resp.StatusCode)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		c.t.Errorf("GET %s: Content-Type %q, want text/event-stream", path, ct)
	}
	ch := make(chan sseEvent, 64)
	done := make(chan struct{})
	c.t.Cleanup(func() {
		cancel()
		resp.Body.Close()
		<-done
	})
	go func() {
		defer close(done)
		defer close(ch)
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 0, 64<<10), 4<<20)
		var ev sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if ev.name != "" || ev.data != "" {
					select {
					case ch <- ev:
					case <-ctx.Done():
						return
					}
				}
				ev = sseEvent{}
			case strings.HasPrefix(line, "event: "):
				ev.name = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				ev.data += strings.TrimPrefix(line, "data: ")
			}
		}
	}()
	return ch
}

// nextSnapshot waits for a "sessions" event for which ok returns true.
func nextSnapshot(t testing.TB, events <-chan sseEvent, ok func(*snapshot) bool) *snapshot {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case ev, open := <-events:
			if !open {
				t.Fatal("event stream ended")
			}
			if ev.name != "sessions" {
				continue
			}
			var s snapshot
			if err := json.Unmarshal([]byte(ev.data), &s); err != nil {
				t.Fatalf("event data %q: %v", ev.data, err)
			}
			if ok(&s) {
				return &s
			}
		case <-timeout:
			t.Fatal("no matching snapshot within 10s")
			return nil
		}
	}
}

// principals returns the principals listed in s, in order.
func principals(s *snapshot) []string {
	var ps []string
	for _, r := range s.Sessions {
		ps = append(ps, r.Principal)
	}
	return ps
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
