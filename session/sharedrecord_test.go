package session_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/httpstate/httpstate/internal/testutil"
	"github.com/httpstate/httpstate/session"
	"github.com/httpstate/httpstate/store/memstore"
)

// snapshotStore remembers every record its Load handed out, with a deep copy
// taken at the time, so a test can check that nobody changed them: Load's
// records are read-only (store/memstore shares them between requests).
type snapshotStore struct {
	session.Store
	mu    sync.Mutex
	given []*session.Record
	snaps []session.Record
}

func (s *snapshotStore) Load(ctx context.Context, key string) (*session.Record, bool, error) {
	r, found, err := s.Store.Load(ctx, key)
	if found {
		c := *r
		c.Attrs = make(map[string][]byte, len(r.Attrs))
		for k, v := range r.Attrs {
			c.Attrs[k] = append([]byte(nil), v...)
		}
		s.mu.Lock()
		s.given, s.snaps = append(s.given, r), append(s.snaps, c)
		s.mu.Unlock()
	}
	return r, found, err
}

// check fails t if a record handed out was changed since.
func (s *snapshotStore) check(t *testing.T) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.given) == 0 {
		t.Fatal("no record was loaded: the test does not test anything")
	}
	for i, r := range s.given {
		got := *r
		if got.Attrs == nil {
			got.Attrs = map[string][]byte{}
		}
		if !reflect.DeepEqual(got, s.snaps[i]) {
			t.Errorf("loaded record %d was changed:\n got  %+v\n want %+v", i, got, s.snaps[i])
		}
	}
}

// TestLoadedRecordNotModified: whatever a handler does with a loaded session
// (Set, Delete, Update, SetPrincipal, SetIdleTimeout, Renew, Invalidate),
// the Manager never changes the record Store.Load returned.
func TestLoadedRecordNotModified(t *testing.T) {
	actions := map[string]func(s *session.Session) error{
		"set":    func(s *session.Session) error { return s.Set("a", "changed") },
		"delete": func(s *session.Session) error { return s.Delete("a") },
		"update": func(s *session.Session) error {
			_, err := session.Update(s, "n", func(n int, _ bool) (int, error) { return n + 1, nil })
			return err
		},
		"update-new": func(s *session.Session) error {
			_, err := session.Update(s, "fresh", func(n int, _ bool) (int, error) { return 7, nil })
			return err
		},
		"principal":  func(s *session.Session) error { return s.SetPrincipal("bob") },
		"idle":       func(s *session.Session) error { return s.SetIdleTimeout(3 * time.Minute) },
		"renew":      func(s *session.Session) error { return s.Renew() },
		"renew+set":  func(s *session.Session) error { s.Renew(); return s.Set("a", "after") },
		"invalidate": func(s *session.Session) error { return s.Invalidate() },
	}
	for name, act := range actions {
		t.Run(name, func(t *testing.T) {
			clock := testutil.NewClock(t0)
			mem, err := memstore.New(&memstore.Options{Now: clock.Now})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { mem.Close() })
			ss := &snapshotStore{Store: mem}
			m, err := session.New(&session.Options{Store: ss, Now: clock.Now, SweepInterval: -1})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { m.Close() })
			mux := http.NewServeMux()
			mux.HandleFunc("/init", func(w http.ResponseWriter, r *http.Request) {
				s := session.FromRequest(r)
				s.Set("a", "x")
				s.Set("n", 1)
			})
			mux.HandleFunc("/act", func(w http.ResponseWriter, r *http.Request) {
				s := session.FromRequest(r)
				if _, _, err := session.Get[int](s, "n"); err != nil {
					t.Errorf("Get: %v", err)
				}
				if err := act(s); err != nil {
					t.Errorf("%s: %v", name, err)
				}
			})
			mux.HandleFunc("/read", func(w http.ResponseWriter, r *http.Request) {
				a, _, _ := session.Get[string](session.FromRequest(r), "a")
				w.Write([]byte(a))
			})
			srv := httptest.NewTLSServer(m.Handler(mux))
			t.Cleanup(srv.Close)
			c := newClient(t, srv)
			get(t, c, srv.URL+"/init")
			get(t, c, srv.URL+"/act")
			_, body := get(t, c, srv.URL+"/read")
			ss.check(t)
			switch name {
			case "set", "renew+set":
				if !strings.Contains(body, "changed") && !strings.Contains(body, "after") {
					t.Errorf("after %s, a = %q", name, body)
				}
			case "invalidate":
				if body != "" {
					t.Errorf("after invalidate, a = %q, want none", body)
				}
			}
		})
	}
}
