package csrf_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/httpstate/httpstate/csrf"
	"github.com/httpstate/httpstate/session"
	"github.com/httpstate/httpstate/store/memstore"
)

// errDown is the failure of a store that went down.
var errDown = errors.New("store down")

// downStore is a memstore whose Load fails while down is set.
type downStore struct {
	session.Store
	down bool
}

func (s *downStore) Load(ctx context.Context, key string) (*session.Record, bool, error) {
	if s.down {
		return nil, false, errDown
	}
	return s.Store.Load(ctx, key)
}

// TestSessionSecretStoreError: when the session cannot be read, the
// secret source's error matches both ErrNoSecret and the store's own
// error, so a handler can tell an outage (503) from a missing token (403).
func TestSessionSecretStoreError(t *testing.T) {
	mem, err := memstore.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	st := &downStore{Store: mem}
	m, err := session.New(&session.Options{Store: st, SweepInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	src := csrf.SessionSecret()
	var got error
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, got = src.Secret(w, r, !st.down)
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if got != nil {
		t.Fatalf("creating the secret: %v", got)
	}
	req := httptest.NewRequest("POST", "/", nil)
	for _, c := range rec.Result().Cookies() {
		req.AddCookie(c)
	}
	st.down = true
	h.ServeHTTP(httptest.NewRecorder(), req)
	if !errors.Is(got, csrf.ErrNoSecret) || !errors.Is(got, errDown) {
		t.Errorf("Secret with the store down = %v; want it to match ErrNoSecret and the store's error", got)
	}
}
