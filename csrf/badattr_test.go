package csrf_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/httpstate/httpstate/csrf"
	"github.com/httpstate/httpstate/session"
	"github.com/httpstate/httpstate/store/memstore"
)

// TestSessionSecretReplacesUndecodableAttr: SecretSource promises a new
// secret when create is set and the client's is invalid. A SessionAttr
// value that is not a []byte in JSON (a number, a string that is not
// base64: another version of the app, a stray Set) made the Update fail
// instead, so Token returned "" and every form of the session failed for
// as long as the session lived.
func TestSessionSecretReplacesUndecodableAttr(t *testing.T) {
	for _, bad := range []any{42, "not base64!", map[string]int{"a": 1}, []int{1, 2}} {
		mem, err := memstore.New(nil)
		if err != nil {
			t.Fatal(err)
		}
		m, err := session.New(&session.Options{Store: mem, SweepInterval: -1})
		if err != nil {
			t.Fatal(err)
		}
		src := csrf.SessionSecret()
		var cookies []*http.Cookie
		do := func(fn func(w http.ResponseWriter, r *http.Request)) {
			t.Helper()
			req := httptest.NewRequest("GET", "/", nil)
			for _, c := range cookies {
				req.AddCookie(c)
			}
			rec := httptest.NewRecorder()
			m.Handler(http.HandlerFunc(fn)).ServeHTTP(rec, req)
			if cs := rec.Result().Cookies(); len(cs) > 0 {
				cookies = cs
			}
		}
		do(func(w http.ResponseWriter, r *http.Request) {
			if err := session.FromRequest(r).Set(csrf.SessionAttr, bad); err != nil {
				t.Fatal(err)
			}
		})
		var first, again []byte
		do(func(w http.ResponseWriter, r *http.Request) {
			if first, err = src.Secret(w, r, true); err != nil {
				t.Errorf("attr %#v: Secret(create) = %v, want a new secret", bad, err)
			}
		})
		do(func(w http.ResponseWriter, r *http.Request) {
			again, _ = src.Secret(w, r, false)
		})
		if len(first) != csrf.SecretLen || !bytes.Equal(first, again) {
			t.Errorf("attr %#v: secret %x, then %x; want one %d-byte secret kept", bad, first, again, csrf.SecretLen)
		}
		m.Close()
	}
}
