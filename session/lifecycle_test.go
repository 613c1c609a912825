package session_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/httpstate/httpstate/session"
)

// newSession runs one in-process request that creates a session with n=1 and
// returns its ID (the cookie value).
func (e *env) newSession(t testing.TB) string {
	t.Helper()
	rec := e.serve(counter, httptest.NewRequest("GET", "http://example.com/", nil))
	for _, c := range rec.Result().Cookies() {
		if c.Name == "sid" {
			return c.Value
		}
	}
	t.Fatalf("no sid cookie in %q", rec.Header().Values("Set-Cookie"))
	return ""
}

// withCookie returns a request carrying the sid cookie id.
func withCookie(id string) *http.Request {
	req := httptest.NewRequest("GET", "http://example.com/", nil)
	req.AddCookie(&http.Cookie{Name: "sid", Value: id})
	return req
}

func TestStoreHoldsKeyNotID(t *testing.T) {
	e := newEnv(t, nil)
	id := e.newSession(t)
	if len(id) != 43 {
		t.Fatalf("ID %q has length %d, want 43 (256 bits base64url)", id, len(id))
	}
	var keys []string
	e.m.Iterate(context.Background(), func(m session.Meta) bool {
		keys = append(keys, m.Key)
		return true
	})
	if len(keys) != 1 || keys[0] != session.Key(id) || keys[0] == id {
		t.Fatalf("store keys = %q, want only Key(id) = %q", keys, session.Key(id))
	}
	if id2 := e.newSession(t); id2 == id {
		t.Fatalf("two sessions share ID %q", id)
	}
}

// unadoptable lists IDs the middleware must not adopt.
var unadoptable = []struct {
	name string
	id   func(live string) string
}{
	{"unknown", func(string) string { return strings.Repeat("A", 43) }},
	{"key instead of ID", func(live string) string { return session.Key(live) }},
	{"truncated", func(live string) string { return live[:42] }},
	{"extended", func(live string) string { return live + "A" }},
	{"non-canonical last char", func(live string) string { return live[:42] + "B" }},
	{"junk", func(string) string { return "../../etc/passwd" }},
	{"empty", func(string) string { return "" }},
}

func TestUnknownIDsNotAdopted(t *testing.T) {
	for _, tt := range unadoptable {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, nil)
			live := e.newSession(t)
			bad := tt.id(live)
			if bad == live {
				t.Fatal("test ID equals the live one")
			}
			rec := e.serve(counter, withCookie(bad))
			if rec.Code != 200 || rec.Body.String() != "1" {
				t.Fatalf("code %d body %q, want a fresh session (1)", rec.Code, rec.Body.String())
			}
			cs := rec.Result().Cookies()
			if len(cs) != 1 || cs[0].Value == bad || cs[0].Value == live {
				t.Fatalf("cookies %v: want one fresh ID", rec.Header().Values("Set-Cookie"))
			}
		})
	}
}

func TestIdleTimeout(t *testing.T) {
	e := newEnv(t, nil)
	id := e.newSession(t)
	e.clock.Advance(29 * time.Minute)
	if rec := e.serve(counter, withCookie(id)); rec.Body.String() != "2" {
		t.Fatalf("after 29m body = %q, want 2", rec.Body.String())
	}
	e.clock.Advance(30 * time.Minute)
	rec := e.serve(counter, withCookie(id))
	if rec.Body.String() != "1" {
		t.Fatalf("after 30m idle body = %q, want 1 (a fresh session)", rec.Body.String())
	}
	if cs := rec.Result().Cookies(); len(cs) != 1 || cs[0].Value == id {
		t.Fatalf("expired session's ID was reused: %v", rec.Header().Values("Set-Cookie"))
	}
}

func TestPerSessionIdleTimeout(t *testing.T) {
	e := newEnv(t, nil)
	rec := e.serve(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromRequest(r)
		if err := s.SetIdleTimeout(5 * time.Minute); err != nil {
			t.Error(err)
		}
		if err := s.SetIdleTimeout(0); err == nil {
			t.Error("SetIdleTimeout(0) = nil, want an error")
		}
		if got := s.Expiry(); !got.Equal(t0.Add(5 * time.Minute)) {
			t.Errorf("Expiry = %v, want %v", got, t0.Add(5*time.Minute))
		}
	}, httptest.NewRequest("GET", "/", nil))
	id := rec.Result().Cookies()[0].Value
	e.clock.Advance(6 * time.Minute)
	if rec := e.serve(counter, withCookie(id)); rec.Body.String() != "1" {
		t.Fatalf("after 6m with a 5m idle timeout body = %q, want 1", rec.Body.String())
	}
}

func TestAbsoluteLifetime(t *testing.T) {
	e := newEnv(t, func(o *session.Options) { o.Lifetime = 2 * time.Hour })
	id := e.newSession(t)
	// Used every 20 minutes: the idle timeout never strikes, the lifetime does.
	for i := 2; i <= 6; i++ {
		e.clock.Advance(20 * time.Minute)
		if rec := e.serve(counter, withCookie(id)); rec.Body.String() != strconvItoa(i) {
			t.Fatalf("at %v body = %q, want %d", 20*time.Minute*time.Duration(i-1), rec.Body.String(), i)
		}
	}
	e.clock.Advance(20 * time.Minute) // 2h after creation
	if rec := e.serve(counter, withCookie(id)); rec.Body.String() != "1" {
		t.Fatalf("after the lifetime body = %q, want 1", rec.Body.String())
	}
}

func TestCreatedLastAccess(t *testing.T) {
	e := newEnv(t, nil)
	id := e.newSession(t)
	e.clock.Advance(10 * time.Minute)
	e.serve(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromRequest(r)
		if s.IsNew() {
			t.Error("IsNew = true for a live session")
		}
		if !s.Created().Equal(t0) || !s.LastAccess().Equal(t0) {
			t.Errorf("Created %v LastAccess %v, want both %v", s.Created(), s.LastAccess(), t0)
		}
		if want := t0.Add(40 * time.Minute); !s.Expiry().Equal(want) {
			t.Errorf("Expiry = %v, want %v", s.Expiry(), want)
		}
	}, withCookie(id))
	e.clock.Advance(time.Minute)
	e.serve(func(w http.ResponseWriter, r *http.Request) {
		if got, want := session.FromRequest(r).LastAccess(), t0.Add(10*time.Minute); !got.Equal(want) {
			t.Errorf("LastAccess = %v, want %v", got, want)
		}
	}, withCookie(id))
}

func TestLazyAndCheap(t *testing.T) {
	e := newEnv(t, nil)
	id := e.newSession(t)
	base := e.store.loads.Load()
	writes := e.store.writes()

	// A handler that never touches the session: no I/O, no headers.
	rec := e.serve(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("hi")) }, withCookie(id))
	if n := e.store.loads.Load() - base; n != 0 {
		t.Errorf("untouched session: %d loads, want 0", n)
	}
	if len(rec.Header()) != 1 { // Content-Type sniffed by the recorder only
		t.Errorf("untouched session: headers %v", rec.Header())
	}

	// A read-only request within TouchInterval writes nothing.
	e.clock.Advance(30 * time.Second)
	readOnly := func(w http.ResponseWriter, r *http.Request) {
		n, ok, err := session.Get[int](session.FromRequest(r), "n")
		if err != nil || !ok || n != 1 {
			t.Errorf("Get = %d, %v, %v; want 1, true, nil", n, ok, err)
		}
	}
	rec = e.serve(readOnly, withCookie(id))
	if n := e.store.writes() - writes; n != 0 {
		t.Errorf("read-only request within TouchInterval: %d writes, want 0", n)
	}
	if e.store.loads.Load()-base != 1 {
		t.Errorf("read-only request: %d loads, want 1", e.store.loads.Load()-base)
	}
	if sc := rec.Header().Values("Set-Cookie"); len(sc) != 0 {
		t.Errorf("read-only request Set-Cookie = %q", sc)
	}

	// Past TouchInterval a read records the access: one Save.
	e.clock.Advance(time.Minute)
	e.serve(readOnly, withCookie(id))
	if n := e.store.saves.Load(); n != 1 {
		t.Errorf("read past TouchInterval: %d saves, want 1", n)
	}
	if n := e.store.writes() - writes; n != 1 {
		t.Errorf("read past TouchInterval: %d writes, want 1", n)
	}
	// A new visitor who only reads creates nothing.
	e.serve(readOnly2, httptest.NewRequest("GET", "/", nil))
	if n := e.store.creates.Load(); n != 1 {
		t.Errorf("creates = %d, want 1 (a read-only visitor is not stored)", n)
	}
}

func readOnly2(w http.ResponseWriter, r *http.Request) {
	session.FromRequest(r).Get("n", new(int))
}

func TestCommitWithoutWrite(t *testing.T) {
	e := newEnv(t, nil)
	rec := e.serve(func(w http.ResponseWriter, r *http.Request) {
		session.FromRequest(r).Set("a", "b")
	}, httptest.NewRequest("GET", "/", nil))
	if len(rec.Result().Cookies()) != 1 || e.store.creates.Load() != 1 {
		t.Fatalf("handler writing nothing: cookies %v creates %d", rec.Header().Values("Set-Cookie"), e.store.creates.Load())
	}
}

func TestCommitBeforeFlush(t *testing.T) {
	e := newEnv(t, nil)
	srv, c := e.server(t, func(w http.ResponseWriter, r *http.Request) {
		s := session.FromRequest(r)
		s.Set("a", 1)
		rc := http.NewResponseController(w)
		if err := rc.Flush(); err != nil {
			t.Errorf("ResponseController.Flush: %v", err)
		}
		if err := rc.SetWriteDeadline(time.Now().Add(time.Minute)); err != nil {
			t.Errorf("ResponseController.SetWriteDeadline through the wrapper: %v", err)
		}
		// Too late for a cookie: the header is gone; the change is refused.
		if err := s.Set("b", 2); !errors.Is(err, session.ErrCommitted) {
			t.Errorf("Set after the commit = %v, want ErrCommitted", err)
		}
		w.Write([]byte("done"))
	})
	resp, body := get(t, c, srv.URL+"/")
	if body != "done" || len(sessionCookies(resp, "__Host-sid")) != 1 {
		t.Fatalf("body %q cookies %q", body, resp.Header.Values("Set-Cookie"))
	}
	if n := e.store.creates.Load(); n != 1 {
		t.Fatalf("creates = %d, want 1", n)
	}
}

func TestKeysDelete(t *testing.T) {
	e := newEnv(t, nil)
	rec := e.serve(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromRequest(r)
		s.Set("b", 2)
		s.Set("a", []string{"x"})
		s.Set("c", map[string]int{"k": 1})
	}, httptest.NewRequest("GET", "/", nil))
	id := rec.Result().Cookies()[0].Value
	e.serve(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromRequest(r)
		if err := s.Delete("b"); err != nil {
			t.Fatal(err)
		}
		s.Set("d", true)
		keys, err := s.Keys()
		if err != nil || strings.Join(keys, ",") != "a,c,d" {
			t.Errorf("Keys = %q, %v; want a,c,d", keys, err)
		}
		if ok, _ := s.Get("b", new(int)); ok {
			t.Error("deleted attribute still visible")
		}
		var a []string
		if ok, err := s.Get("a", &a); !ok || err != nil || len(a) != 1 || a[0] != "x" {
			t.Errorf("Get(a) = %v %v %v", a, ok, err)
		}
		if _, _, err := session.Get[int](s, "a"); err == nil {
			t.Error("Get[int] of a []string: want a decode error")
		}
	}, withCookie(id))
	e.serve(func(w http.ResponseWriter, r *http.Request) {
		keys, _ := session.FromRequest(r).Keys()
		if strings.Join(keys, ",") != "a,c,d" {
			t.Errorf("next request Keys = %q, want a,c,d", keys)
		}
	}, withCookie(id))
}

func TestSetUnencodable(t *testing.T) {
	e := newEnv(t, nil)
	e.serve(func(w http.ResponseWriter, r *http.Request) {
		if err := session.FromRequest(r).Set("f", func() {}); err == nil {
			t.Error("Set(func) = nil, want a JSON error")
		}
	}, httptest.NewRequest("GET", "/", nil))
	if e.store.creates.Load() != 0 {
		t.Error("a failed Set created a session")
	}
}

func TestFromRequestWithoutMiddleware(t *testing.T) {
	if s := session.FromRequest(httptest.NewRequest("GET", "/", nil)); s != nil {
		t.Fatalf("FromRequest without middleware = %v, want nil", s)
	}
}
