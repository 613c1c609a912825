package session_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/httpstate/httpstate/internal/testutil"
	"github.com/httpstate/httpstate/session"
	"github.com/httpstate/httpstate/store/memstore"
)

// t0 is the fake clock's starting time.
var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// env is a Manager over a counting memstore with a fake clock.
type env struct {
	clock *testutil.Clock
	mem   *memstore.Store
	store *countingStore
	m     *session.Manager
}

// newEnv builds an env; edit adjusts the Options before New.
func newEnv(t testing.TB, edit func(o *session.Options)) *env {
	t.Helper()
	clock := testutil.NewClock(t0)
	mem, err := memstore.New(&memstore.Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	cs := &countingStore{Store: mem}
	o := &session.Options{Store: cs, Now: clock.Now, SweepInterval: -1}
	if edit != nil {
		edit(o)
	}
	m, err := session.New(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		m.Close()
		mem.Close()
	})
	return &env{clock: clock, mem: mem, store: cs, m: m}
}

// urlOnly is a newEnv edit for sessions carried by URL rewriting alone,
// with no cookie.
func urlOnly(o *session.Options) { o.URLRewriting = true; o.Cookie.Disabled = true }

// server starts a TLS server running h under the middleware and returns it
// with a client keeping cookies.
func (e *env) server(t testing.TB, h http.HandlerFunc) (*httptest.Server, *http.Client) {
	t.Helper()
	srv := httptest.NewTLSServer(e.m.Handler(h))
	t.Cleanup(srv.Close)
	return srv, newClient(t, srv)
}

// newClient returns a client of srv with its own cookie jar.
func newClient(t testing.TB, srv *httptest.Server) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	c := srv.Client()
	c2 := *c
	c2.Jar = jar
	return &c2
}

// get performs a GET and returns the response with its body read.
func get(t testing.TB, c *http.Client, url string) (*http.Response, string) {
	t.Helper()
	return do(t, c, mustRequest(t, "GET", url))
}

func mustRequest(t testing.TB, method, url string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

func do(t testing.TB, c *http.Client, req *http.Request) (*http.Response, string) {
	t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

// serve runs one request through the middleware in process.
func (e *env) serve(h http.HandlerFunc, req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	e.m.Handler(h).ServeHTTP(rec, req)
	return rec
}

// sessionCookie returns the value of the session cookie set by resp and
// whether there was exactly one.
func sessionCookies(resp *http.Response, name string) []*http.Cookie {
	var out []*http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == name {
			out = append(out, c)
		}
	}
	return out
}

// countingStore counts calls per method and fails them on demand.
type countingStore struct {
	session.Store
	loads, creates, saves, updates, renames, deletes atomic.Int64
	fail                                             atomic.Bool
}

var errBroken = errors.New("test: store broken")

func (s *countingStore) err() error {
	if s.fail.Load() {
		return errBroken
	}
	return nil
}

func (s *countingStore) Load(ctx context.Context, key string) (*session.Record, bool, error) {
	s.loads.Add(1)
	if err := s.err(); err != nil {
		return nil, false, err
	}
	return s.Store.Load(ctx, key)
}

func (s *countingStore) Create(ctx context.Context, r *session.Record) error {
	s.creates.Add(1)
	if err := s.err(); err != nil {
		return err
	}
	return s.Store.Create(ctx, r)
}

func (s *countingStore) Save(ctx context.Context, key string, d session.Delta) error {
	s.saves.Add(1)
	if err := s.err(); err != nil {
		return err
	}
	return s.Store.Save(ctx, key, d)
}

func (s *countingStore) Update(ctx context.Context, key, attr string, fn func([]byte, bool) ([]byte, error)) ([]byte, error) {
	s.updates.Add(1)
	if err := s.err(); err != nil {
		return nil, err
	}
	return s.Store.Update(ctx, key, attr, fn)
}

func (s *countingStore) Rename(ctx context.Context, oldKey, newKey string) error {
	s.renames.Add(1)
	if err := s.err(); err != nil {
		return err
	}
	return s.Store.Rename(ctx, oldKey, newKey)
}

func (s *countingStore) Delete(ctx context.Context, key string) (bool, error) {
	s.deletes.Add(1)
	if err := s.err(); err != nil {
		return false, err
	}
	return s.Store.Delete(ctx, key)
}

func (s *countingStore) writes() int64 {
	return s.creates.Load() + s.saves.Load() + s.updates.Load() + s.renames.Load() + s.deletes.Load()
}

// eventLog records events for assertions.
type eventLog struct {
	mu     sync.Mutex
	events []session.Event
}

func (l *eventLog) listen(_ context.Context, e session.Event) {
	l.mu.Lock()
	l.events = append(l.events, e)
	l.mu.Unlock()
}

func (l *eventLog) kinds() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var b []string
	for _, e := range l.events {
		s := e.Kind.String()
		if e.Attr != "" {
			s += ":" + e.Attr
		}
		b = append(b, s)
	}
	return strings.Join(b, " ")
}

func (l *eventLog) reset() {
	l.mu.Lock()
	l.events = nil
	l.mu.Unlock()
}

// counter is a handler incrementing the "n" attribute and writing it.
func counter(w http.ResponseWriter, r *http.Request) {
	s := session.FromRequest(r)
	n, _, err := session.Get[int](s, "n")
	if err != nil {
		http.Error(w, err.Error(), 500)
		return
	}
	n++
	if err := s.Set("n", n); err != nil {
		http.Error(w, err.Error(), 500)
		return
	}
	io.WriteString(w, strconv.Itoa(n))
}
