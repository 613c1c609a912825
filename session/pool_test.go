package session_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"

	"github.com/httpstate/httpstate/session"
)

// TestPendingMapsDoNotLeakBetweenRequests runs requests that each create a
// session with their own attribute, and requests that change an existing
// session, one after another through one Manager: whatever a request's
// recycled pending-changes map held before, the request sees and stores only
// its own attributes.
func TestPendingMapsDoNotLeakBetweenRequests(t *testing.T) {
	e := newEnv(t, nil)
	// An existing session for the read+write requests.
	rec := e.serve(func(w http.ResponseWriter, r *http.Request) {
		session.FromRequest(r).Set("base", 1)
	}, httptest.NewRequest("GET", "/", nil))
	cookie := rec.Result().Cookies()[0]
	for i := range 200 {
		attr := "a" + strconv.Itoa(i)
		var keys []string
		req := httptest.NewRequest("GET", "/", nil)
		existing := i%3 == 2
		if existing {
			req.AddCookie(cookie)
		}
		rec := e.serve(func(w http.ResponseWriter, r *http.Request) {
			s := session.FromRequest(r)
			if v, ok, err := session.Get[int](s, "a"+strconv.Itoa(i-1)); ok || err != nil {
				t.Errorf("request %d: sees %s = %d (%v) of an earlier request", i, "a"+strconv.Itoa(i-1), v, err)
			}
			if err := s.Set(attr, i); err != nil {
				t.Fatal(err)
			}
			var err error
			if keys, err = s.Keys(); err != nil {
				t.Fatal(err)
			}
		}, req)
		if existing {
			// The existing session holds "base" and the attributes of the
			// earlier requests that carried its cookie, nothing else.
			if len(keys) != 2+i/3 {
				t.Fatalf("request %d: Keys() = %q, want base and %d attributes", i, keys, 1+i/3)
			}
			for _, k := range keys {
				n, err := strconv.Atoi(k[1:])
				if k != "base" && (err != nil || n%3 != 2) {
					t.Fatalf("request %d: Keys() = %q: %s was never set on this session", i, keys, k)
				}
			}
			continue
		}
		if len(keys) != 1 || keys[0] != attr {
			t.Fatalf("request %d: Keys() = %q, want [%s]", i, keys, attr)
		}
		sc := rec.Result().Cookies()
		if len(sc) != 1 {
			t.Fatalf("request %d: %d cookies, want 1", i, len(sc))
		}
		stored, found, err := e.mem.Load(context.Background(), session.Key(sc[0].Value))
		if err != nil || !found {
			t.Fatalf("request %d: stored session found=%v, %v", i, found, err)
		}
		if len(stored.Attrs) != 1 || string(stored.Attrs[attr]) != strconv.Itoa(i) {
			t.Fatalf("request %d: stored attributes %q, want only %s=%d", i, stored.Attrs, attr, i)
		}
	}
}

// TestSessionHeldAfterReturnSeesNoOtherRequest keeps each request's Session
// (against the documentation) in a goroutine that reads it after the handler
// has returned, while other requests, concurrently, set their own
// attributes: the stale Session never shows another request's attribute.
// Run with -race: the recycling of pending-changes maps must be free of
// data races even then.
func TestSessionHeldAfterReturnSeesNoOtherRequest(t *testing.T) {
	e := newEnv(t, nil)
	checkHeldSessionSeesOnlyOwn(t, e.m, func(s *session.Session, own string) {
		if _, ok, _ := session.Get[string](s, own+"x"); ok {
			t.Errorf("stale session of %s shows %sx", own, own)
		}
	})
}

// checkHeldSessionSeesOnlyOwn runs, from 4 clients at once, 50 requests
// each through m's middleware: every request sets its own attribute a (its
// query's a) and leaves a goroutine reading its Session after the handler
// returned, which must list no key but a; extra, if not nil, checks more in
// each of that goroutine's rounds.
func checkHeldSessionSeesOnlyOwn(t *testing.T, m *session.Manager, extra func(s *session.Session, own string)) {
	t.Helper()
	var wg sync.WaitGroup
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromRequest(r)
		own := r.URL.Query().Get("a")
		if err := s.Set(own, own); err != nil {
			t.Error(err)
			return
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 50 {
				keys, err := s.Keys()
				if err != nil {
					t.Error(err)
					return
				}
				for _, k := range keys {
					if k != own {
						t.Errorf("stale session of %s shows %s", own, k)
						return
					}
				}
				if extra != nil {
					extra(s, own)
				}
			}
		}()
	}))
	var clients sync.WaitGroup
	for c := range 4 {
		clients.Add(1)
		go func() {
			defer clients.Done()
			for i := range 50 {
				a := "c" + strconv.Itoa(c) + "r" + strconv.Itoa(i)
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, httptest.NewRequest("GET", "/?a="+a, nil))
				if rec.Code != http.StatusOK {
					t.Errorf("%s: status %d", a, rec.Code)
				}
			}
		}()
	}
	clients.Wait()
	wg.Wait()
}
