package session_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/httpstate/httpstate/session"
	"github.com/httpstate/httpstate/store/memstore"
)

// TestDefaultClockIsWallClock: with the default clock, the times the
// Manager records carry no monotonic reading, so memstore judges expiry by
// the wall clock as boltstore and redisstore (which serialise wall times)
// do. A monotonic reading stops while the machine is suspended: a session
// idle for 30 minutes of wall time would outlive its timeout by the length
// of the suspend.
func TestDefaultClockIsWallClock(t *testing.T) {
	st, err := memstore.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	m, err := session.New(&session.Options{Store: st, SweepInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		session.FromRequest(r).Set("n", 1)
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	var key string
	st.Iterate(context.Background(), func(meta session.Meta) bool { key = meta.Key; return false })
	if key == "" {
		t.Fatal("no session stored")
	}
	r, found, err := st.Load(context.Background(), key)
	if err != nil || !found {
		t.Fatalf("Load: found=%v err=%v", found, err)
	}
	for name, tm := range map[string]string{
		"Created":    r.Created.String(),
		"LastAccess": r.LastAccess.String(),
		"Deadline":   r.Deadline.String(),
	} {
		if strings.Contains(tm, " m=") {
			t.Errorf("%s carries a monotonic clock reading: %s", name, tm)
		}
	}
}
