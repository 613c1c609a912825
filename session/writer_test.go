package session_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/httpstate/httpstate/session"
)

func TestWriterPaths(t *testing.T) {
	cases := []struct {
		name  string
		write func(t *testing.T, w http.ResponseWriter)
		body  string
		code  int
	}{
		{"Write", func(t *testing.T, w http.ResponseWriter) { w.Write([]byte("x")) }, "x", 200},
		{"WriteHeader", func(t *testing.T, w http.ResponseWriter) { w.WriteHeader(http.StatusCreated) }, "", 201},
		{"Flusher", func(t *testing.T, w http.ResponseWriter) {
			w.(http.Flusher).Flush()
			w.Write([]byte("after flush"))
		}, "after flush", 200},
		{"ReadFrom", func(t *testing.T, w http.ResponseWriter) {
			if _, err := io.Copy(w, io.LimitReader(strings.NewReader("copied"), 100)); err != nil {
				t.Error(err)
			}
		}, "copied", 200},
		{"Early hints then final", func(t *testing.T, w http.ResponseWriter) {
			w.Header().Set("Link", "</a.css>; rel=preload")
			w.WriteHeader(http.StatusEarlyHints)
			w.WriteHeader(http.StatusAccepted)
		}, "", 202},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, nil)
			srv, c := e.server(t, func(w http.ResponseWriter, r *http.Request) {
				session.FromRequest(r).Set("a", 1)
				tt.write(t, w)
			})
			resp, body := get(t, c, srv.URL+"/")
			if resp.StatusCode != tt.code || body != tt.body {
				t.Errorf("code %d body %q, want %d %q", resp.StatusCode, body, tt.code, tt.body)
			}
			if n := len(sessionCookies(resp, "__Host-sid")); n != 1 {
				t.Errorf("%d session cookies, want 1 (committed before the header)", n)
			}
		})
	}
}

func TestHijack(t *testing.T) {
	e := newEnv(t, nil)
	srv, c := e.server(t, func(w http.ResponseWriter, r *http.Request) {
		session.FromRequest(r).Set("a", 1)
		conn, brw, err := w.(http.Hijacker).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close()
		brw.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 8\r\nConnection: close\r\n\r\nhijacked")
		brw.Flush()
	})
	_, body := get(t, c, srv.URL+"/")
	if body != "hijacked" {
		t.Fatalf("body %q, want hijacked", body)
	}
	if e.store.creates.Load() != 1 {
		t.Errorf("creates = %d: the session was not committed before the hijack", e.store.creates.Load())
	}
}

// plainWriter supports nothing beyond http.ResponseWriter.
type plainWriter struct {
	h    http.Header
	code int
	body strings.Builder
}

func (w *plainWriter) Header() http.Header         { return w.h }
func (w *plainWriter) Write(b []byte) (int, error) { return w.body.Write(b) }
func (w *plainWriter) WriteHeader(code int)        { w.code = code }

func TestWriterWithoutOptionalInterfaces(t *testing.T) {
	e := newEnv(t, nil)
	w := &plainWriter{h: http.Header{}}
	e.m.Handler(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		session.FromRequest(r).Set("a", 1)
		if _, _, err := rw.(http.Hijacker).Hijack(); err == nil {
			t.Error("Hijack over a writer without it: want an error")
		}
		if err := http.NewResponseController(rw).Flush(); !errors.Is(err, http.ErrNotSupported) {
			t.Errorf("Flush over a writer without it = %v, want ErrNotSupported", err)
		}
		io.Copy(rw, io.LimitReader(strings.NewReader("body"), 100)) // ReadFrom falls back to Write
	})).ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
	if w.body.String() != "body" || len(w.h.Values("Set-Cookie")) != 1 {
		t.Errorf("body %q Set-Cookie %q", w.body.String(), w.h.Values("Set-Cookie"))
	}
}

func TestWritesAfterCommitFailure(t *testing.T) {
	e := newEnv(t, nil)
	id := e.newSession(t)
	var writeErr, copyErr error
	rec := e.serve(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromRequest(r)
		s.Get("n", new(int))
		s.Set("n", 5)
		e.store.fail.Store(true)
		w.Header().Set("X-App", "1")
		w.WriteHeader(http.StatusOK) // the commit fails here
		_, writeErr = w.Write([]byte("never"))
		_, copyErr = io.Copy(w, io.LimitReader(strings.NewReader("never"), 100))
		w.(http.Flusher).Flush()
	}, withCookie(id))
	e.store.fail.Store(false)
	if rec.Code != http.StatusServiceUnavailable || strings.Contains(rec.Body.String(), "never") {
		t.Errorf("code %d body %q, want the ErrorHandler's 503 alone", rec.Code, rec.Body.String())
	}
	if writeErr == nil || copyErr == nil {
		t.Errorf("writes after a failed commit: %v, %v; want errors", writeErr, copyErr)
	}
}

var getTypedTests = []struct {
	name  string
	check func(t *testing.T, s *session.Session)
}{
	{"bool", func(t *testing.T, s *session.Session) {
		s.Set("k", true)
		if v, ok, err := session.Get[bool](s, "k"); !v || !ok || err != nil {
			t.Errorf("Get[bool] = %v %v %v", v, ok, err)
		}
		s.Set("k", false)
		if v, ok, _ := session.Get[bool](s, "k"); v || !ok {
			t.Errorf("Get[bool] = %v %v, want false true", v, ok)
		}
	}},
	{"int64", func(t *testing.T, s *session.Session) {
		s.Set("k", int64(-1<<62))
		if v, _, err := session.Get[int64](s, "k"); v != -1<<62 || err != nil {
			t.Errorf("Get[int64] = %v %v", v, err)
		}
	}},
	{"big int via json", func(t *testing.T, s *session.Session) {
		s.Set("k", int64(1<<62))
		if v, _, err := session.Get[int](s, "k"); v != 1<<62 || err != nil {
			t.Errorf("Get[int] of a 19-digit value = %v %v", v, err)
		}
	}},
	{"escaped string", func(t *testing.T, s *session.Session) {
		s.Set("k", "a\"<é>\n")
		if v, _, err := session.Get[string](s, "k"); v != "a\"<é>\n" || err != nil {
			t.Errorf("Get[string] = %q %v", v, err)
		}
	}},
	{"wrong type", func(t *testing.T, s *session.Session) {
		s.Set("k", "text")
		if _, ok, err := session.Get[int](s, "k"); !ok || err == nil {
			t.Errorf("Get[int] of a string: ok %v err %v, want true and an error", ok, err)
		}
		if _, ok, err := session.Get[bool](s, "k"); !ok || err == nil {
			t.Errorf("Get[bool] of a string: ok %v err %v, want true and an error", ok, err)
		}
	}},
	{"struct", func(t *testing.T, s *session.Session) {
		type cart struct {
			Items []string
			Total float64
		}
		s.Set("k", cart{[]string{"a"}, 1.5})
		if v, _, err := session.Get[cart](s, "k"); len(v.Items) != 1 || v.Total != 1.5 || err != nil {
			t.Errorf("Get[cart] = %+v %v", v, err)
		}
	}},
	{"Update error aborts", func(t *testing.T, s *session.Session) {
		s.Set("k", 1)
		boom := errors.New("boom")
		if _, err := session.Update(s, "k", func(int, bool) (int, error) { return 0, boom }); !errors.Is(err, boom) {
			t.Errorf("Update error = %v, want boom", err)
		}
		if v, _, _ := session.Get[int](s, "k"); v != 1 {
			t.Errorf("after an aborted Update k = %d, want 1", v)
		}
	}},
}

func TestGetTyped(t *testing.T) {
	for _, tt := range getTypedTests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, nil)
			id := e.newSession(t)
			e.serve(func(w http.ResponseWriter, r *http.Request) { tt.check(t, session.FromRequest(r)) }, withCookie(id))
			// And on a new session (pending changes only).
			e.serve(func(w http.ResponseWriter, r *http.Request) { tt.check(t, session.FromRequest(r)) }, httptest.NewRequest("GET", "/", nil))
		})
	}
}

func TestUpdateSeesPendingChange(t *testing.T) {
	e := newEnv(t, nil)
	id := e.newSession(t)
	e.serve(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromRequest(r)
		s.Set("n", 10)
		if v, err := session.Update(s, "n", func(n int, _ bool) (int, error) { return n + 1, nil }); v != 11 || err != nil {
			t.Errorf("Update after Set = %d %v, want 11", v, err)
		}
		s.Delete("n")
		if v, err := session.Update(s, "n", func(n int, ok bool) (int, error) {
			if ok {
				t.Error("Update after Delete saw the value")
			}
			return 7, nil
		}); v != 7 || err != nil {
			t.Errorf("Update after Delete = %d %v", v, err)
		}
	}, withCookie(id))
	e.serve(func(w http.ResponseWriter, r *http.Request) {
		if v, _, _ := session.Get[int](session.FromRequest(r), "n"); v != 7 {
			t.Errorf("next request n = %d, want 7", v)
		}
	}, withCookie(id))
}
