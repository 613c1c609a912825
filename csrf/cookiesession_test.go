package csrf_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/httpstate/httpstate/csrf"
	"github.com/httpstate/httpstate/session"
	"github.com/httpstate/httpstate/store/cookiestore"
	"github.com/httpstate/httpstate/token"
)

// The session-bound secret also works when the session lives in the cookie
// (store/cookiestore): the secret travels encrypted with the session.
func TestSessionBoundWithCookieSessions(t *testing.T) {
	ring, err := token.NewKeyring(token.GenerateKey(1))
	if err != nil {
		t.Fatal(err)
	}
	codec, err := cookiestore.New(&cookiestore.Options{Keyring: ring})
	if err != nil {
		t.Fatal(err)
	}
	m, err := session.New(&session.Options{Codec: codec})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	a := &app{}
	p := a.protector(t, nil)
	a.srv = httptest.NewTLSServer(m.Handler(p.Handler(a.mux(p))))
	t.Cleanup(a.srv.Close)

	c, other := a.client(t), a.client(t)
	tok := fetchToken(t, c, a.srv.URL)
	otherTok := fetchToken(t, other, a.srv.URL)
	if got := post(t, c, a.srv.URL+"/transfer", tok, false, nil); got != http.StatusOK {
		t.Errorf("POST with own token: status %d, want 200", got)
	}
	before := a.hits.Load()
	a.wantRejected(t, "token of another cookie session", post(t, c, a.srv.URL+"/transfer", otherTok, false, nil), before, csrf.ErrBadToken)
}
