package session_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/httpstate/httpstate/session"
)

func TestUpdateNoLostUpdates(t *testing.T) {
	e := newEnv(t, nil)
	id := e.newSession(t)
	const n = 100
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rec := e.serve(func(w http.ResponseWriter, r *http.Request) {
				_, err := session.Update(session.FromRequest(r), "items", func(old []int, _ bool) ([]int, error) {
					return append(old, i), nil
				})
				if err != nil {
					errs <- err
				}
			}, withCookie(id))
			if rec.Code != 200 {
				errs <- http.ErrAbortHandler
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	var items []int
	e.serve(func(w http.ResponseWriter, r *http.Request) {
		items, _, _ = session.Get[[]int](session.FromRequest(r), "items")
	}, withCookie(id))
	seen := map[int]bool{}
	for _, v := range items {
		seen[v] = true
	}
	if len(items) != n || len(seen) != n {
		t.Fatalf("got %d items (%d distinct), want exactly %d", len(items), len(seen), n)
	}
}

func TestDeltasDoNotClobber(t *testing.T) {
	// Two overlapping requests set different attributes: both survive.
	e := newEnv(t, nil)
	id := e.newSession(t)
	aLoaded, release := make(chan struct{}), make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		e.serve(func(w http.ResponseWriter, r *http.Request) {
			s := session.FromRequest(r)
			s.Get("n", new(int))
			close(aLoaded)
			<-release
			s.Set("a", "A")
		}, withCookie(id))
	}()
	<-aLoaded
	e.serve(func(w http.ResponseWriter, r *http.Request) {
		session.FromRequest(r).Set("b", "B")
	}, withCookie(id))
	close(release)
	<-done
	e.serve(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromRequest(r)
		a, _, _ := session.Get[string](s, "a")
		b, _, _ := session.Get[string](s, "b")
		n, _, _ := session.Get[int](s, "n")
		if a != "A" || b != "B" || n != 1 {
			t.Errorf("a=%q b=%q n=%d; want A, B, 1", a, b, n)
		}
	}, withCookie(id))
}

func TestLateSaveAfterLogout(t *testing.T) {
	e := newEnv(t, nil)
	id := e.newSession(t)
	aLoaded, release := make(chan struct{}), make(chan struct{})
	var aRec *httptest.ResponseRecorder
	var aUpdateErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		aRec = e.serve(func(w http.ResponseWriter, r *http.Request) {
			s := session.FromRequest(r)
			s.Get("n", new(int))
			close(aLoaded)
			<-release // B logs out meanwhile
			s.Set("cart", []string{"book"})
			s.SetPrincipal("alice")
			_, aUpdateErr = session.Update(s, "n", func(n int, _ bool) (int, error) { return n + 1, nil })
			w.Write([]byte("A done"))
		}, withCookie(id))
	}()
	<-aLoaded
	bRec := e.serve(func(w http.ResponseWriter, r *http.Request) {
		if err := session.FromRequest(r).Invalidate(); err != nil {
			t.Error(err)
		}
	}, withCookie(id))
	if cs := bRec.Result().Cookies(); len(cs) != 1 || cs[0].MaxAge >= 0 || cs[0].Value != "" {
		t.Errorf("logout response cookies %q, want one expiring sid (Max-Age=0)", bRec.Header().Values("Set-Cookie"))
	}
	close(release)
	<-done
	if aRec.Code != 200 || aRec.Body.String() != "A done" {
		t.Errorf("late request: code %d body %q; want its own 200 response", aRec.Code, aRec.Body.String())
	}
	if aUpdateErr == nil {
		t.Error("Update after logout = nil error, want ErrNotFound")
	}
	// The late request sends no cookie at all: not a live one, and not an
	// expiring one that could clobber a cookie a concurrent login just set.
	if sc := aRec.Header().Values("Set-Cookie"); len(sc) != 0 {
		t.Errorf("late request set cookies %q", sc)
	}
	// The session is still dead: same ID gets a fresh session, store empty.
	var count int
	e.m.Iterate(context.Background(), func(session.Meta) bool { count++; return true })
	if count != 0 {
		t.Fatalf("store holds %d sessions after logout, want 0", count)
	}
	if rec := e.serve(counter, withCookie(id)); rec.Body.String() != "1" {
		t.Fatalf("old ID after logout: body %q, want 1 (fresh)", rec.Body.String())
	}
}

func TestLateSaveAfterRenew(t *testing.T) {
	// A slow request must not log the user out by clobbering the cookie a
	// concurrent login (Renew) sent.
	e := newEnv(t, nil)
	id := e.newSession(t)
	aLoaded, release := make(chan struct{}), make(chan struct{})
	var aRec *httptest.ResponseRecorder
	done := make(chan struct{})
	go func() {
		defer close(done)
		aRec = e.serve(func(w http.ResponseWriter, r *http.Request) {
			s := session.FromRequest(r)
			s.Get("n", new(int))
			close(aLoaded)
			<-release
			s.Set("late", true)
		}, withCookie(id))
	}()
	<-aLoaded
	bRec := e.serve(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromRequest(r)
		s.Renew()
		s.SetPrincipal("alice")
	}, withCookie(id))
	nid := bRec.Result().Cookies()[0].Value
	close(release)
	<-done
	if sc := aRec.Header().Values("Set-Cookie"); len(sc) != 0 {
		t.Errorf("late request set cookies %q after a concurrent Renew", sc)
	}
	e.serve(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromRequest(r)
		if s.Principal() != "alice" {
			t.Errorf("renewed session principal %q, want alice", s.Principal())
		}
		if ok, _ := s.Get("late", new(bool)); ok {
			t.Error("the late request's change reached the renamed session")
		}
	}, withCookie(nid))
}

func TestConcurrentUseWithinRequest(t *testing.T) {
	e := newEnv(t, nil)
	id := e.newSession(t)
	e.serve(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromRequest(r)
		var wg sync.WaitGroup
		for i := range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				s.Set("k"+strconvItoa(i), i)
				s.Get("n", new(int))
				session.Update(s, "sum", func(n int, _ bool) (int, error) { return n + i, nil })
				s.Keys()
				s.EncodeURL("/")
			}()
		}
		wg.Wait()
		if sum, _, _ := session.Get[int](s, "sum"); sum != 190 {
			t.Errorf("sum = %d, want 190", sum)
		}
	}, withCookie(id))
	e.serve(func(w http.ResponseWriter, r *http.Request) {
		keys, _ := session.FromRequest(r).Keys()
		if len(keys) != 22 {
			t.Errorf("keys = %q, want n, sum and k0..k19", keys)
		}
	}, withCookie(id))
}

func TestUpdateNoLostUpdatesOverTLS(t *testing.T) {
	e := newEnv(t, nil)
	srv, c := e.server(t, func(w http.ResponseWriter, r *http.Request) {
		s := session.FromRequest(r)
		if r.URL.Path == "/start" {
			s.Set("items", []int{})
			return
		}
		items, err := session.Update(s, "items", func(old []int, _ bool) ([]int, error) {
			return append(old, len(old)), nil
		})
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		w.Write([]byte(strconvItoa(len(items))))
	})
	get(t, c, srv.URL+"/start")
	var wg sync.WaitGroup
	for range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := c.Get(srv.URL + "/add")
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Errorf("status %d", resp.StatusCode)
			}
		}()
	}
	wg.Wait()
	if _, body := get(t, c, srv.URL+"/add"); body != "101" {
		t.Fatalf("after 100 parallel appends the 101st saw %s items, want 101", body)
	}
}
