package csrf_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/httpstate/httpstate/cookie"
	"github.com/httpstate/httpstate/csrf"
	"github.com/httpstate/httpstate/session"
	"github.com/httpstate/httpstate/store/memstore"
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

// sameSiteAttr returns the SameSite attribute of the one Set-Cookie line
// of h ("" if it has none).
func sameSiteAttr(t *testing.T, h http.Header) string {
	t.Helper()
	lines := h.Values("Set-Cookie")
	if len(lines) != 1 {
		t.Fatalf("Set-Cookie lines: %q, want one", lines)
	}
	for _, attr := range strings.Split(lines[0], ";") {
		if k, v, ok := strings.Cut(strings.TrimSpace(attr), "="); ok && strings.EqualFold(k, "SameSite") {
			return v
		}
	}
	return ""
}

// sessionSameSite returns the SameSite attribute of the cookie a session
// Manager configured with SameSite v sets.
func sessionSameSite(t *testing.T, v http.SameSite) string {
	t.Helper()
	st, err := memstore.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	m, err := session.New(&session.Options{Store: st, SweepInterval: -1, Cookie: session.CookieOptions{Secure: true, SameSite: v}})
	if err != nil {
		t.Fatalf("session.New with SameSite %d: %v", v, err)
	}
	defer m.Close()
	rec := httptest.NewRecorder()
	m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := session.FromRequest(r).Set("k", "v"); err != nil {
			t.Error(err)
		}
	})).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "https://example.com/", nil))
	return sameSiteAttr(t, rec.Result().Header)
}

// TestDoubleSubmitSameSiteDefaultIsLax: CookieOptions.SameSite =
// http.SameSiteDefaultMode (like an out-of-range value) set the cookie with
// no SameSite attribute, leaving it to the browser (some send such a
// cookie on cross-site POSTs), while the zero value meant Lax, and the
// session package's cookie is Lax for both. Now 0, SameSiteDefaultMode and
// any unknown value mean Lax, as in session; Lax, Strict and None are kept.
// Failed before (SameSiteDefaultMode and SameSite(99): no attribute).
func TestDoubleSubmitSameSiteDefaultIsLax(t *testing.T) {
	for _, tc := range []struct {
		v    http.SameSite
		want string
	}{
		{0, "Lax"},
		{http.SameSiteDefaultMode, "Lax"},
		{http.SameSite(99), "Lax"},
		{-1, "Lax"},
		{http.SameSiteLaxMode, "Lax"},
		{http.SameSiteStrictMode, "Strict"},
		{http.SameSiteNoneMode, "None"},
	} {
		src, err := csrf.DoubleSubmitCookie(&csrf.CookieOptions{Keys: [][]byte{keyA}, Secure: true, SameSite: tc.v})
		if err != nil {
			t.Errorf("SameSite %d: %v", tc.v, err)
			continue
		}
		rec := httptest.NewRecorder()
		if _, err := src.Secret(rec, httptest.NewRequest(http.MethodGet, "https://example.com/", nil), true); err != nil {
			t.Fatal(err)
		}
		if got := sameSiteAttr(t, rec.Result().Header); got != tc.want {
			t.Errorf("SameSite %d: cookie has SameSite=%q, want %q", tc.v, got, tc.want)
		}
		if got := sessionSameSite(t, tc.v); got != tc.want {
			t.Errorf("SameSite %d: session's cookie has SameSite=%q, csrf's should match, want %q", tc.v, got, tc.want)
		}
	}
}
