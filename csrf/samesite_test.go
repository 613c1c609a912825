package csrf_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/httpstate/httpstate/cookie"
	"github.com/httpstate/httpstate/csrf"
)

// TestDoubleSubmitSameSiteNoneNeedsSecure: browsers drop a SameSite=None
// cookie without Secure (the "Incrementally Better Cookies" rule of
// Chromium and Firefox; RFC 6265bis itself does not state it), so over
// plain HTTP the client got no secret and every unsafe request failed. DoubleSubmitCookie refuses
// SameSite=None unless every cookie it sets is Secure (the Secure option,
// or a __Host-/__Secure- name), with an error wrapping
// cookie.ErrInsecureSameSiteNone, as session's cookie writer does.
func TestDoubleSubmitSameSiteNoneNeedsSecure(t *testing.T) {
	_, err := csrf.DoubleSubmitCookie(&csrf.CookieOptions{Keys: [][]byte{keyA}, SameSite: http.SameSiteNoneMode})
	if !errors.Is(err, cookie.ErrInsecureSameSiteNone) {
		t.Errorf("SameSite=None without Secure: err = %v, want cookie.ErrInsecureSameSiteNone", err)
	}
	for _, o := range []csrf.CookieOptions{
		{Secure: true},
		{Name: "__Host-x"},
		{Name: "__secure-x"},
	} {
		o.Keys, o.SameSite = [][]byte{keyA}, http.SameSiteNoneMode
		src, err := csrf.DoubleSubmitCookie(&o)
		if err != nil {
			t.Errorf("SameSite=None, Secure %v, Name %q: %v", o.Secure, o.Name, err)
			continue
		}
		rec := httptest.NewRecorder()
		if _, err := src.Secret(rec, httptest.NewRequest(http.MethodGet, "http://example.com/", nil), true); err != nil {
			t.Fatal(err)
		}
		sc := rec.Result().Header.Get("Set-Cookie")
		if !strings.Contains(sc, "; Secure") || !strings.Contains(sc, "; SameSite=None") {
			t.Errorf("Name %q: Set-Cookie = %q, want Secure and SameSite=None", o.Name, sc)
		}
	}
}
