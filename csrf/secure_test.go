package csrf_test

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/httpstate/httpstate/csrf"
)

// TestDoubleSubmitSecure checks when the double-submit cookie is Secure and
// what it is called: over TLS, behind a TLS-terminating proxy (Secure
// option, r.TLS nil), and for a prefixed name, whose prefix browsers match
// case-insensitively (RFC 6265bis section 5.4, steps 20-21 of section 5.7)
// and drop without the Secure attribute.
func TestDoubleSubmitSecure(t *testing.T) {
	tests := []struct {
		name     string
		opts     csrf.CookieOptions
		tls      bool
		header   string // an X-Forwarded-Proto the source must not trust
		wantName string
		secure   bool
	}{
		{name: "plain HTTP", wantName: "csrf"},
		{name: "TLS", tls: true, wantName: "__Host-csrf", secure: true},
		{name: "forwarded proto is not trusted", header: "https", wantName: "csrf"},
		{name: "Secure option behind a proxy", opts: csrf.CookieOptions{Secure: true}, wantName: "__Host-csrf", secure: true},
		{name: "Secure option with a plain name", opts: csrf.CookieOptions{Secure: true, Name: "tok"}, wantName: "tok", secure: true},
		{name: "__Host- name", opts: csrf.CookieOptions{Name: "__Host-x"}, wantName: "__Host-x", secure: true},
		{name: "__HOST- name, any case", opts: csrf.CookieOptions{Name: "__HOST-x"}, wantName: "__HOST-x", secure: true},
		{name: "__secure- name, any case", opts: csrf.CookieOptions{Name: "__secure-x"}, wantName: "__secure-x", secure: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := tt.opts
			o.Keys = [][]byte{keyA}
			src, err := csrf.DoubleSubmitCookie(&o)
			if err != nil {
				t.Fatal(err)
			}
			req := httptest.NewRequest(http.MethodGet, "http://example.com/", nil)
			if tt.tls {
				req = httptest.NewRequest(http.MethodGet, "https://example.com/", nil)
				req.TLS = &tls.ConnectionState{}
			}
			if tt.header != "" {
				req.Header.Set("X-Forwarded-Proto", tt.header)
			}
			rec := httptest.NewRecorder()
			secret, err := src.Secret(rec, req, true)
			if err != nil || len(secret) == 0 {
				t.Fatalf("Secret: %v, %d bytes", err, len(secret))
			}
			sc := rec.Result().Header.Values("Set-Cookie")
			if len(sc) != 1 {
				t.Fatalf("Set-Cookie = %q, want one", sc)
			}
			if !strings.HasPrefix(sc[0], tt.wantName+"=") {
				t.Errorf("Set-Cookie = %q, want name %q", sc[0], tt.wantName)
			}
			if got := strings.Contains(sc[0], "; Secure"); got != tt.secure {
				t.Errorf("Set-Cookie = %q, Secure = %v, want %v", sc[0], got, tt.secure)
			}
			// The cookie is read back under the same name.
			next := httptest.NewRequest(http.MethodGet, req.URL.String(), nil)
			next.TLS = req.TLS
			next.Header.Set("Cookie", strings.SplitN(sc[0], ";", 2)[0])
			rec = httptest.NewRecorder()
			again, err := src.Secret(rec, next, false)
			if err != nil || string(again) != string(secret) {
				t.Errorf("read back: %v, same secret %v", err, string(again) == string(secret))
			}
		})
	}
}

// TestDoubleSubmitCookieNotCached: a response that sets the double-submit
// cookie is kept out of shared caches (Cache-Control: no-store), as the
// session cookie's is: a cached copy would hand one client's secret, with a
// token matching it, to every client the cache serves, and a page whose
// handler set "public" caching must not override that.
func TestDoubleSubmitCookieNotCached(t *testing.T) {
	src, err := csrf.DoubleSubmitCookie(&csrf.CookieOptions{Keys: [][]byte{keyA}, Secure: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range []string{"Secret", "Rotate"} {
		req := httptest.NewRequest(http.MethodGet, "http://example.com/", nil)
		rec := httptest.NewRecorder()
		rec.Header().Set("Cache-Control", "public, max-age=3600")
		if step == "Secret" {
			_, err = src.Secret(rec, req, true)
		} else {
			_, err = src.(csrf.Rotator).Rotate(rec, req)
		}
		if err != nil {
			t.Fatal(err)
		}
		h := rec.Result().Header
		if len(h.Values("Set-Cookie")) != 1 {
			t.Fatalf("%s: Set-Cookie = %q, want one", step, h.Values("Set-Cookie"))
		}
		if got := h.Values("Cache-Control"); len(got) != 1 || got[0] != "no-store" {
			t.Errorf("%s: Cache-Control = %q, want no-store", step, got)
		}
	}
	// A valid cookie read back sets nothing and leaves caching alone.
	req := httptest.NewRequest(http.MethodGet, "http://example.com/", nil)
	rec := httptest.NewRecorder()
	if _, err := src.Secret(rec, req, true); err != nil {
		t.Fatal(err)
	}
	next := httptest.NewRequest(http.MethodGet, "http://example.com/", nil)
	next.Header.Set("Cookie", strings.SplitN(rec.Result().Header.Get("Set-Cookie"), ";", 2)[0])
	rec = httptest.NewRecorder()
	if _, err := src.Secret(rec, next, true); err != nil {
		t.Fatal(err)
	}
	if h := rec.Result().Header; len(h.Values("Set-Cookie")) != 0 || h.Get("Cache-Control") != "" {
		t.Errorf("read back: Set-Cookie %q Cache-Control %q, want neither", h.Values("Set-Cookie"), h.Get("Cache-Control"))
	}
}

// TestDoubleSubmitBadName: a Name no Set-Cookie can carry is refused by
// DoubleSubmitCookie; http.SetCookie dropped it silently, so the response
// was marked no-store without a cookie and every token failed.
func TestDoubleSubmitBadName(t *testing.T) {
	for _, name := range []string{"bad name", "a;b", "a=b", "caf\u00e9"} {
		if _, err := csrf.DoubleSubmitCookie(&csrf.CookieOptions{Keys: [][]byte{keyA}, Name: name}); err == nil {
			t.Errorf("DoubleSubmitCookie with Name %q: no error", name)
		}
	}
	for _, name := range []string{"tok", "__Host-x", "__secure-x"} {
		if _, err := csrf.DoubleSubmitCookie(&csrf.CookieOptions{Keys: [][]byte{keyA}, Name: name}); err != nil {
			t.Errorf("DoubleSubmitCookie with Name %q: %v", name, err)
		}
	}
}
