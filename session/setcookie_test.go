package session

import (
	"net/http"
	"testing"
)

// cookieTemplateCases are the cookie configurations whose template must
// produce exactly what formatSetCookie produces, or fall back to it.
var cookieTemplateCases = []struct {
	name     string
	secure   bool
	sameSite http.SameSite
}{
	{"sid", false, http.SameSiteLaxMode},
	{"sid", true, http.SameSiteLaxMode},
	{"sid", true, http.SameSiteStrictMode},
	{"sid", true, http.SameSiteNoneMode},
	{"sid", false, http.SameSiteNoneMode}, // refused: None needs Secure
	{"__Host-sid", true, http.SameSiteLaxMode},
	{"__Host-sid", false, http.SameSiteLaxMode}, // refused: __Host- needs TLS
	{"__Secure-app", true, http.SameSiteStrictMode},
	{"app_session", false, http.SameSiteStrictMode},
}

func TestCookieTemplateMatchesFormatSetCookie(t *testing.T) {
	ids := []string{"", newID(), newID()}
	for _, tc := range cookieTemplateCases {
		tmpl := newCookieTemplate(tc.name, tc.secure, tc.sameSite)
		for _, id := range ids {
			for _, age := range []int{-1, 0, 1, 59, 86400, 1 << 31} {
				want, err := formatSetCookie(tc.name, id, age, tc.secure, tc.sameSite)
				if !tmpl.ok {
					if err == nil {
						t.Errorf("%+v: no template, but formatSetCookie accepts it: %q", tc, want)
					}
					continue
				}
				if err != nil {
					t.Fatalf("%+v: template built, but formatSetCookie(%q, %d) fails: %v", tc, id, age, err)
				}
				if got := tmpl.format(id, age); got != want {
					t.Errorf("%+v: format(%q, %d) = %q, want %q", tc, id, age, got, want)
				}
			}
		}
	}
}

func TestAddTransportHeadersKeepsValuesApart(t *testing.T) {
	h := http.Header{}
	addTransportHeaders(h, "sid=x; Path=/")
	// A later handler appending to one header must not change another.
	h.Add("Set-Cookie", "other=1")
	h.Add("Cache-Control", "private")
	h.Add("Vary", "Origin")
	want := map[string][]string{
		"Set-Cookie":    {"sid=x; Path=/", "other=1"},
		"Cache-Control": {"no-store", "private"},
		"Vary":          {"Cookie", "Origin"},
	}
	for k, w := range want {
		got := h[k]
		if len(got) != len(w) || got[0] != w[0] || got[1] != w[1] {
			t.Errorf("%s = %q, want %q", k, got, w)
		}
	}
}

func TestAddTransportHeadersExisting(t *testing.T) {
	h := http.Header{"Set-Cookie": {"a=1"}, "Vary": {"Accept-Encoding, cookie"}, "Cache-Control": {"max-age=60"}}
	addTransportHeaders(h, "sid=x")
	if got := h["Set-Cookie"]; len(got) != 2 || got[0] != "a=1" || got[1] != "sid=x" {
		t.Errorf("Set-Cookie = %q, want [a=1 sid=x]", got)
	}
	if got := h.Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control = %q, want no-store", got)
	}
	if got := h["Vary"]; len(got) != 1 {
		t.Errorf("Vary = %q, want Cookie listed once", got)
	}
}

func TestLookupKeyBufferUsedOnce(t *testing.T) {
	s := &Session{}
	id1, id2 := newID(), newID()
	k1 := s.lookupKey(id1)
	k2 := s.lookupKey(id2)
	if k1 != Key(id1) || k2 != Key(id2) {
		t.Fatalf("lookupKey = %q, %q; want %q, %q", k1, k2, Key(id1), Key(id2))
	}
	f1, f2 := s.freshID(), s.freshID()
	if !validID(f1) || !validID(f2) || f1 == f2 {
		t.Fatalf("freshID = %q, %q: want two different valid IDs", f1, f2)
	}
	// The first strings still read what they read when made.
	if k1 != Key(id1) || !validID(f1) || f1 == f2 {
		t.Fatalf("a buffer-backed string changed: %q, %q", k1, f1)
	}
}
