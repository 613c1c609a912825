package session_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/httpstate/httpstate/internal/testutil"
	"github.com/httpstate/httpstate/session"
	"github.com/httpstate/httpstate/store/cookiestore"
	"github.com/httpstate/httpstate/token"
)

// TestCodecInvalidateThenFailedCommitStillLogsOut: a cookie-held session
// invalidated by a request whose commit then fails (a fresh session too
// large for its cookie) still has its cookie expired: Invalidate reported
// the logout done and emitted EventInvalidated, so the old cookie must not
// stay valid.
func TestCodecInvalidateThenFailedCommitStillLogsOut(t *testing.T) {
	m, _ := newSmallCodecManager(t)
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromRequest(r)
		switch r.URL.Path {
		case "/login":
			s.SetPrincipal("alice")
		case "/logout":
			if err := s.Invalidate(); err != nil {
				t.Errorf("Invalidate: %v", err)
			}
			s.Set("big", strings.Repeat("x", 5000))
		}
		w.Write([]byte(s.Principal()))
	}))
	jar := map[string]string{}
	jarStep(h, jar, "/login")
	if jar["sid"] == "" {
		t.Fatal("login sent no cookie")
	}
	if rec := jarStep(h, jar, "/logout"); rec.Code != http.StatusInternalServerError {
		t.Fatalf("logout with an oversize session: code %d, want 500", rec.Code)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, requestWith(jar))
	if got := rec.Body.String(); got != "" {
		t.Errorf("after the logout the old cookie still names %q", got)
	}
}

// TestIdleBoundaryExact: a session is alive until, and not at, its last
// access plus the idle timeout; the touch throttle writes at, and not
// before, TouchInterval after the recorded access.
func TestIdleBoundaryExact(t *testing.T) {
	e := newEnv(t, func(o *session.Options) { o.TouchInterval = time.Minute })
	h := e.m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromRequest(r)
		if r.URL.Path == "/set" {
			s.Set("a", 1)
		}
		_, ok, _ := session.Get[int](s, "a")
		if ok {
			w.Write([]byte("alive"))
		}
	}))
	req := httptest.NewRequest("GET", "http://example.com/set", nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	c := rec.Result().Cookies()[0]
	get := func() string {
		req := httptest.NewRequest("GET", "http://example.com/", nil)
		req.AddCookie(c)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Body.String()
	}
	w0 := e.store.writes()
	e.clock.Advance(time.Minute - time.Nanosecond)
	if get() != "alive" || e.store.writes() != w0 {
		t.Fatalf("before TouchInterval: writes %d, want %d", e.store.writes(), w0)
	}
	e.clock.Advance(time.Nanosecond)
	if get() != "alive" || e.store.writes() != w0+1 {
		t.Fatalf("at TouchInterval: writes %d, want %d", e.store.writes(), w0+1)
	}
	e.clock.Advance(30*time.Minute - time.Nanosecond)
	if get() != "alive" {
		t.Fatal("dead 1ns before the idle deadline")
	}
	e.clock.Advance(30 * time.Minute)
	if got := get(); got != "" {
		t.Fatal("alive at the idle deadline")
	}
}

// TestCodecInvalidateThenPanicStillLogsOut: a handler panicking after
// Invalidate of a cookie-held session leaves the cookie expired in the
// headers a recovering middleware sends.
func TestCodecInvalidateThenPanicStillLogsOut(t *testing.T) {
	m, _ := newCodecManager(t, nil)
	recoverer := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			defer func() {
				if recover() != nil {
					http.Error(w, "oops", http.StatusInternalServerError)
				}
			}()
			h.ServeHTTP(w, r)
		})
	}
	h := recoverer(m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromRequest(r)
		switch r.URL.Path {
		case "/login":
			s.SetPrincipal("alice")
		case "/logout":
			if err := s.Invalidate(); err != nil {
				t.Errorf("Invalidate: %v", err)
			}
			panic("template failed")
		}
		w.Write([]byte(s.Principal()))
	})))
	jar := map[string]string{}
	jarStep(h, jar, "/login")
	jarStep(h, jar, "/logout")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, requestWith(jar))
	if got := rec.Body.String(); got != "" {
		t.Errorf("after the panicking logout the old cookie still names %q", got)
	}
}

// TestCodecExpiredDuringRequestIsNoOutage: a cookie-held session reaching
// its absolute deadline while a request that changes it runs is dropped,
// as a stored one is (its Save finds it gone): the response is the
// handler's, not the 503 of an encoding the Codec refused.
func TestCodecExpiredDuringRequestIsNoOutage(t *testing.T) {
	clock := testutil.NewClock(t0)
	ring, err := token.NewKeyring(token.GenerateKey(1))
	if err != nil {
		t.Fatal(err)
	}
	codec, err := cookiestore.New(&cookiestore.Options{Keyring: ring, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	m, err := session.New(&session.Options{Codec: codec, Now: clock.Now, Lifetime: time.Hour, IdleTimeout: 2 * time.Hour, SweepInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			session.FromRequest(r).Keys() // loads the session, still alive
			clock.Advance(2 * time.Second)
		}
		counter(w, r)
	}))
	jar := map[string]string{}
	jarStep(h, jar, "/")
	clock.Advance(time.Hour - time.Second)
	rec := jarStep(h, jar, "/slow")
	if rec.Code != http.StatusOK || rec.Body.String() != "2" {
		t.Fatalf("code %d body %q, want 200 and 2", rec.Code, rec.Body.String())
	}
	if cs := rec.Result().Cookies(); len(cs) != 0 {
		t.Errorf("a session that expired during the request was sent: %v", cs)
	}
	// The next request starts afresh.
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, requestWith(jar))
	if rec.Body.String() != "1" {
		t.Errorf("after the deadline: body %q, want 1", rec.Body.String())
	}
}

// TestCodecRenewEventOnlyWhenSent: a cookie-held session's renewal exists
// only once its new cookie is sent: EventRenewed comes from that commit,
// once, naming the key of the cookie the client had and the key of the one
// it gets; a commit that fails (too large) or a later Invalidate emits no
// EventRenewed, and the EventInvalidated names the key the client holds.
func TestCodecRenewEventOnlyWhenSent(t *testing.T) {
	m, ev := newSmallCodecManager(t)
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromRequest(r)
		switch r.URL.Path {
		case "/new":
			s.Set("a", 1)
		case "/renew-big":
			s.Renew()
			s.Set("big", strings.Repeat("x", 5000))
		case "/renew-twice":
			s.Renew()
			s.Renew()
		case "/renew-invalidate":
			s.Renew()
			s.Invalidate()
		}
	}))
	jar := map[string]string{}
	step := func(path string) *httptest.ResponseRecorder { return jarStep(h, jar, path) }
	keyOf := func() string {
		r, err := jsonCodec{}.Decode(jar["sid"])
		if err != nil {
			t.Fatal(err)
		}
		return r.Key
	}
	step("/new")
	k0 := keyOf()
	ev.reset()
	if rec := step("/renew-big"); rec.Code != http.StatusInternalServerError {
		t.Fatalf("oversize renewal: code %d, want 500", rec.Code)
	}
	if got := ev.kinds(); got != "" {
		t.Errorf("a renewal whose cookie was never sent emitted %q", got)
	}
	if keyOf() != k0 {
		t.Fatal("the failed renewal changed the client's cookie")
	}
	step("/renew-twice")
	k1 := keyOf()
	ev.mu.Lock()
	evs := append([]session.Event(nil), ev.events...)
	ev.mu.Unlock()
	if len(evs) != 1 || evs[0].Kind != session.EventRenewed || evs[0].OldKey != k0 || evs[0].Key != k1 || k1 == k0 {
		t.Errorf("two Renews: events %+v, want one renewed %s -> %s", evs, k0, k1)
	}
	ev.reset()
	step("/renew-invalidate")
	ev.mu.Lock()
	evs = append([]session.Event(nil), ev.events...)
	ev.mu.Unlock()
	if len(evs) != 1 || evs[0].Kind != session.EventInvalidated || evs[0].Key != k1 {
		t.Errorf("Renew then Invalidate: events %+v, want one invalidated naming %s", evs, k1)
	}
	if len(jar) != 0 {
		t.Errorf("after Renew then Invalidate the jar holds %v", jar)
	}
}

// FuzzCodecHandler feeds a cookie-held session's Manager any record its
// Codec may decode (jsonCodec reads whatever JSON the fuzzer spells, as an
// attacker holding the Codec's key could write) along with arbitrary chunk
// cookies: never a panic or a 5xx, and at most one Set-Cookie per name.
func FuzzCodecHandler(f *testing.F) {
	rec := func(r session.Record) []byte {
		b, _ := json.Marshal(&r)
		return b
	}
	f.Add(rec(session.Record{Key: "k", LastAccess: t0, IdleTimeout: time.Hour, Attrs: map[string][]byte{"n": []byte("1")}}), "")
	f.Add(rec(session.Record{Key: "k", LastAccess: t0, IdleTimeout: -time.Hour}), "sid.1=x")
	f.Add(rec(session.Record{Key: "k", LastAccess: t0.Add(time.Hour), IdleTimeout: 1 << 62, Attrs: map[string][]byte{"n": nil}}), "sid.2=e30")
	f.Add(rec(session.Record{Key: "k", Created: t0, LastAccess: t0, IdleTimeout: time.Hour, Deadline: t0.Add(time.Nanosecond)}), "sid.7=y; sid.3=")
	f.Add([]byte(`{"Key":"k","LastAccess":"2026-03-01T12:00:00Z","IdleTimeout":3600000000000,"Attrs":{"n":"bnVsbA=="}}`), "sid=x")
	m, _ := newCodecManager(f, func(o *session.Options) { o.CookieChunks = 3 })
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromRequest(r)
		n, _, _ := session.Get[int](s, "n")
		s.Set("n", n+1)
		s.Keys()
		s.Expiry()
		if r.URL.Path == "/renew" {
			s.Renew()
		}
		if r.URL.Path == "/logout" {
			s.Invalidate()
		}
	}))
	f.Fuzz(func(t *testing.T, record []byte, extra string) {
		cookie := "sid=" + base64.RawURLEncoding.EncodeToString(record) + "; " + extra
		for _, path := range []string{"/", "/renew", "/logout"} {
			req := httptest.NewRequest("GET", "http://example.com"+path, nil)
			req.Header["Cookie"] = []string{cookie}
			rw := httptest.NewRecorder()
			h.ServeHTTP(rw, req)
			if rw.Code >= 500 {
				t.Fatalf("%s: code %d for record %q, cookies %q", path, rw.Code, record, extra)
			}
			seen := map[string]bool{}
			for _, c := range rw.Result().Cookies() {
				if seen[c.Name] {
					t.Fatalf("%s: two Set-Cookie for %q", path, c.Name)
				}
				seen[c.Name] = true
			}
		}
	})
}

// TestUpdateFnErrorWrappingErrNotFound: an Update callback's own error is
// returned as it is, even one wrapping session.ErrNotFound (an application
// reusing the sentinel for "no such item"): it is not mistaken for the
// session ended by another request, which dropped the request's changes
// and its cookie.
func TestUpdateFnErrorWrappingErrNotFound(t *testing.T) {
	e := newEnv(t, nil)
	id := e.newSession(t) // n=1
	errNoItem := fmt.Errorf("cart: no such item: %w", session.ErrNotFound)
	rec := e.serve(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromRequest(r)
		_, err := session.Update(s, "cart", func(old []string, ok bool) ([]string, error) {
			return nil, errNoItem
		})
		if err != errNoItem {
			t.Errorf("Update returned %v, want the callback's error", err)
		}
		if err := s.Set("n", 5); err != nil {
			t.Errorf("Set after the callback's error: %v", err)
		}
	}, withCookie(id))
	if rec.Code != http.StatusOK {
		t.Fatalf("code %d", rec.Code)
	}
	if got := e.serve(counter, withCookie(id)); got.Body.String() != "6" {
		t.Fatalf("next request: body %q, want 6 (the Set committed)", got.Body.String())
	}
}

// TestRenewEventNamesStoredPrincipal: EventRenewed, sent when the store
// renames the session, names the principal the store holds, as
// EventInvalidated does: not a SetPrincipal of this request, which the
// commit has not written (and here never writes, the session being
// invalidated next).
func TestRenewEventNamesStoredPrincipal(t *testing.T) {
	e, ev, id := newAliceEnv(t)
	e.serve(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromRequest(r)
		s.SetPrincipal("bob")
		if err := s.Renew(); err != nil {
			t.Fatal(err)
		}
		if err := s.Invalidate(); err != nil {
			t.Fatal(err)
		}
	}, withCookie(id))
	ev.mu.Lock()
	defer ev.mu.Unlock()
	if len(ev.events) != 2 {
		t.Fatalf("events %+v, want renewed and invalidated", ev.events)
	}
	for _, x := range ev.events {
		if x.Principal != "alice" {
			t.Errorf("%v names principal %q, want the stored alice (bob was never written)", x.Kind, x.Principal)
		}
	}
}

// TestUpdateEventNamesStoredPrincipal: Update reaches the store at once;
// its event names the principal stored then, not a SetPrincipal the commit
// has yet to write, and after the commit the one it wrote.
func TestUpdateEventNamesStoredPrincipal(t *testing.T) {
	e, ev, id := newAliceEnv(t)
	e.serve(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromRequest(r)
		s.SetPrincipal("bob")
		inc := func(n int, _ bool) (int, error) { return n + 1, nil }
		if _, err := session.Update(s, "n", inc); err != nil {
			t.Fatal(err)
		}
		w.WriteHeader(http.StatusOK) // the commit writes bob
		if _, err := session.Update(s, "n", inc); err != nil {
			t.Fatal(err)
		}
	}, withCookie(id))
	ev.mu.Lock()
	defer ev.mu.Unlock()
	var got []string
	for _, x := range ev.events {
		got = append(got, x.Kind.String()+":"+x.Principal)
	}
	if want := "attribute-replaced:alice attribute-replaced:bob"; strings.Join(got, " ") != want {
		t.Errorf("events %q, want %q", got, want)
	}
}

// newSmallCodecManager returns a Manager of cookie-held sessions whose
// encoding may be at most 2000 bytes, and the log of its events.
func newSmallCodecManager(t *testing.T) (*session.Manager, *eventLog) {
	t.Helper()
	ev := new(eventLog)
	m, _ := newCodecManager(t, func(o *session.Options) {
		o.Codec = jsonCodec{limit: 2000}
		o.Listeners = []session.Listener{ev.listen}
	})
	return m, ev
}

// newEventEnv returns an env whose events ev records.
func newEventEnv(t *testing.T) (*env, *eventLog) {
	t.Helper()
	ev := new(eventLog)
	return newEnv(t, func(o *session.Options) { o.Listeners = []session.Listener{ev.listen} }), ev
}

// newAliceEnv returns an env whose events ev records, and the ID of a
// stored session (counter's, n = 1) whose principal is alice; ev is reset
// after that set-up.
func newAliceEnv(t *testing.T) (*env, *eventLog, string) {
	t.Helper()
	e, ev := newEventEnv(t)
	id := e.newSession(t)
	e.serve(func(w http.ResponseWriter, r *http.Request) {
		session.FromRequest(r).SetPrincipal("alice")
	}, withCookie(id))
	ev.reset()
	return e, ev, id
}

// newAliceLoginEnv is newAliceEnv with the session created by the one
// request that sets alice (and no attribute).
func newAliceLoginEnv(t *testing.T) (*env, *eventLog, string) {
	t.Helper()
	e, ev := newEventEnv(t)
	rec := e.serve(func(w http.ResponseWriter, r *http.Request) {
		session.FromRequest(r).SetPrincipal("alice")
	}, httptest.NewRequest("GET", "http://example.com/", nil))
	id := rec.Result().Cookies()[0].Value
	ev.reset()
	return e, ev, id
}
