package csrf_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/httpstate/httpstate/csrf"
	"github.com/httpstate/httpstate/internal/testutil"
)

// TestTokenHandlerUsesProtectorClock: TokenHandler mounted outside the
// Protector's Handler (which its doc allows) must give the SecretSource the
// Protector's clock (Options.Now), as Handler does. It gave it time.Now, so
// the double-submit cookie it set carried another issue time than the
// Protector judges it by: with a clock more than a minute behind, the
// cookie counted as issued in the future and every POST failed.
func TestTokenHandlerUsesProtectorClock(t *testing.T) {
	clock := testutil.NewClock(time.Now().Add(-48 * time.Hour))
	src, err := csrf.DoubleSubmitCookie(&csrf.CookieOptions{Keys: [][]byte{keyA}, Name: "csrf", MaxAge: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	p, err := csrf.New(&csrf.Options{Secret: src, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	p.TokenHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/token", nil))
	cookies := rec.Result().Cookies()
	if len(cookies) != 1 {
		t.Fatalf("TokenHandler set %d cookies, want 1", len(cookies))
	}
	var body struct{ Token string }
	if err := json.NewDecoder(rec.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	ran := false
	h := p.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { ran = true }))
	req := httptest.NewRequest(http.MethodPost, "/transfer", nil)
	req.AddCookie(cookies[0])
	req.Header.Set(csrf.HeaderName, body.Token)
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || !ran {
		t.Errorf("POST with the cookie and token TokenHandler issued: status %d, ran %v; want 200", rec.Code, ran)
	}
}
