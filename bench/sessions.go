package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"sync/atomic"

	"github.com/alexedwards/scs/v2"
	scsmem "github.com/alexedwards/scs/v2/memstore"
	"github.com/gorilla/sessions"

	"github.com/httpstate/httpstate/session"
	"github.com/httpstate/httpstate/store/boltstore"
	"github.com/httpstate/httpstate/store/memstore"
)

// SessionImpl is one contender of the session benchmarks: the same three
// workloads (read+increment a counter, read it, create a session) under a
// session library, or bare.
type SessionImpl struct {
	Name string
	// New builds the handlers; dir is a private temporary directory for
	// stores that need files.
	New func(dir string) (*SessionHandlers, error)
}

// SessionHandlers are one contender's handlers for the three workloads.
type SessionHandlers struct {
	// ReadWrite reads the counter "n" of an existing session, increments it
	// and writes the new value into the response.
	ReadWrite http.Handler
	// ReadOnly reads the counter and writes it into the response.
	ReadOnly http.Handler
	// Create sets the counter of a new session to 1.
	Create http.Handler
	// Cookies carry an existing session (made by Create), for ReadWrite and
	// ReadOnly requests.
	Cookies []*http.Cookie
	// Close releases the contender's resources.
	Close func()
	// Trim, when not nil, deletes the sessions Create made except the one
	// in Cookies, so that the "new" scenario measures creating a session in
	// a store of steady size, not also the growth of an in-memory store to
	// hundreds of thousands of sessions (map growth, and a heap the GC
	// scans again and again) that a server whose sessions expire does not
	// see. Nil for contenders that keep nothing in memory per session.
	Trim func()
}

// SessionImpls lists the contenders, bare handler first.
func SessionImpls() []SessionImpl {
	return []SessionImpl{
		{"bare", newBare},
		{"httpstate-memstore", newHTTPStateMem},
		{"httpstate-boltstore", newHTTPStateBolt},
		{"scs-memstore", newSCS},
		{"gorilla-cookiestore", func(string) (*SessionHandlers, error) {
			return newGorilla(sessions.NewCookieStore(gorillaKey))
		}},
		{"gorilla-filesystemstore", func(dir string) (*SessionHandlers, error) {
			return newGorilla(sessions.NewFilesystemStore(dir, gorillaKey))
		}},
	}
}

// gorillaKey is a fixed 32-byte HMAC key for gorilla/sessions.
var gorillaKey = []byte("0123456789abcdef0123456789abcdef")

func writeInt(w io.Writer, n int) {
	var b [20]byte
	w.Write(strconv.AppendInt(b[:0], int64(n), 10))
}

// newBare is the same work without sessions: a process-wide counter.
func newBare(string) (*SessionHandlers, error) {
	var n atomic.Int64
	return &SessionHandlers{
		ReadWrite: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { writeInt(w, int(n.Add(1))) }),
		ReadOnly:  http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { writeInt(w, int(n.Load())) }),
		Create:    http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { writeInt(w, 1) }),
		// A cookie of a session cookie's size, which the handler ignores:
		// requests carry the same header bytes as the contenders'.
		Cookies: []*http.Cookie{{Name: "sid", Value: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}},
		Close:   func() {},
	}, nil
}

func newHTTPStateMem(string) (*SessionHandlers, error) {
	st, err := memstore.New(nil)
	if err != nil {
		return nil, err
	}
	h, err := newHTTPState(st)
	if err != nil {
		return nil, err
	}
	keep := session.Key(h.Cookies[0].Value)
	h.Trim = func() {
		ctx := context.Background()
		var keys []string
		st.Iterate(ctx, func(m session.Meta) bool {
			if m.Key != keep {
				keys = append(keys, m.Key)
			}
			return true
		})
		for _, k := range keys {
			st.Delete(ctx, k)
		}
	}
	return h, nil
}

func newHTTPStateBolt(dir string) (*SessionHandlers, error) {
	st, err := boltstore.Open(filepath.Join(dir, "sessions.db"), nil)
	if err != nil {
		return nil, err
	}
	return newHTTPState(st)
}

func newHTTPState(st session.Store) (*SessionHandlers, error) {
	m, err := session.New(&session.Options{Store: st, SweepInterval: -1})
	if err != nil {
		return nil, err
	}
	h := &SessionHandlers{
		ReadWrite: m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s := session.FromRequest(r)
			n, _, err := session.Get[int](s, "n")
			if err != nil {
				return // the ErrorHandler answers
			}
			s.Set("n", n+1)
			writeInt(w, n+1)
		})),
		ReadOnly: m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n, _, _ := session.Get[int](session.FromRequest(r), "n")
			writeInt(w, n)
		})),
		Create: m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			session.FromRequest(r).Set("n", 1)
			writeInt(w, 1)
		})),
		Close: func() { m.Close(); st.Close() },
	}
	return h, h.makeSession()
}

func newSCS(string) (*SessionHandlers, error) {
	st := scsmem.NewWithCleanupInterval(0)
	h, err := newSCSWith(st, func() {})
	if err != nil {
		return nil, err
	}
	keep := h.Cookies[0].Value
	h.Trim = func() {
		all, _ := st.All()
		for token := range all {
			if token != keep {
				st.Delete(token)
			}
		}
	}
	return h, nil
}

// newSCSWith is scs's version of the workloads on store; closeFn
// releases what store holds.
func newSCSWith(store scs.Store, closeFn func()) (*SessionHandlers, error) {
	sm := scs.New()
	sm.Store = store
	h := &SessionHandlers{
		ReadWrite: sm.LoadAndSave(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n := sm.GetInt(r.Context(), "n")
			sm.Put(r.Context(), "n", n+1)
			writeInt(w, n+1)
		})),
		ReadOnly: sm.LoadAndSave(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			writeInt(w, sm.GetInt(r.Context(), "n"))
		})),
		Create: sm.LoadAndSave(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			sm.Put(r.Context(), "n", 1)
			writeInt(w, 1)
		})),
		Close: closeFn,
	}
	return h, h.makeSession()
}

func newGorilla(st sessions.Store) (*SessionHandlers, error) {
	h := &SessionHandlers{
		ReadWrite: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s, err := st.Get(r, "sid")
			if err != nil {
				http.Error(w, "session", 500)
				return
			}
			n, _ := s.Values["n"].(int)
			s.Values["n"] = n + 1
			if err := s.Save(r, w); err != nil {
				http.Error(w, "session", 500)
				return
			}
			writeInt(w, n+1)
		}),
		ReadOnly: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s, err := st.Get(r, "sid")
			if err != nil {
				http.Error(w, "session", 500)
				return
			}
			n, _ := s.Values["n"].(int)
			writeInt(w, n)
		}),
		Create: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s, err := st.Get(r, "sid")
			if err != nil {
				http.Error(w, "session", 500)
				return
			}
			s.Values["n"] = 1
			if err := s.Save(r, w); err != nil {
				http.Error(w, "session", 500)
				return
			}
			writeInt(w, 1)
		}),
		Close: func() {},
	}
	return h, h.makeSession()
}

// makeSession runs Create once and keeps the cookies it sets, then checks
// that ReadOnly sees the session.
func (h *SessionHandlers) makeSession() error {
	rec := httptest.NewRecorder()
	h.Create.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	h.Cookies = rec.Result().Cookies()
	if len(h.Cookies) == 0 {
		return errors.New("bench: Create set no cookie")
	}
	rec = httptest.NewRecorder()
	h.ReadOnly.ServeHTTP(rec, h.Request(context.Background()))
	if got := rec.Body.String(); got != "1" {
		return fmt.Errorf("bench: ReadOnly after Create answered %q, want 1", got)
	}
	return nil
}

// Request returns a GET / carrying the session cookies.
func (h *SessionHandlers) Request(ctx context.Context) *http.Request {
	r := httptest.NewRequest("GET", "/", nil).WithContext(ctx)
	for _, c := range h.Cookies {
		r.AddCookie(c)
	}
	return r
}
