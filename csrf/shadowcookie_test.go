package csrf_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/httpstate/httpstate/csrf"
	"github.com/httpstate/httpstate/internal/testutil"
)

// TestDoubleSubmitShadowedCookie: a cookie of the same name that someone
// else wrote for the site (a sibling subdomain's Domain cookie, a network
// attacker's Set-Cookie over plain HTTP, on a longer Path so that browsers
// send it first) must not hide the client's own valid cookie. Secret read
// only the first cookie of the name, so such a planted cookie, which cannot
// be forged, still failed every unsafe request of the victim (ErrNoSecret)
// for as long as it lived, and every new cookie the server issued landed
// behind it again. Now every cookie of the name is tried.
func TestDoubleSubmitShadowedCookie(t *testing.T) {
	clock := testutil.NewClock(tNow)
	src, err := csrf.DoubleSubmitCookie(&csrf.CookieOptions{Keys: [][]byte{keyA}, Name: "csrf",
		Bind: func(r *http.Request) string { return r.Header.Get("X-User") }})
	if err != nil {
		t.Fatal(err)
	}
	p, err := csrf.New(&csrf.Options{Secret: src, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	ran := 0
	mux := http.NewServeMux()
	mux.Handle("/token", p.TokenHandler())
	mux.HandleFunc("/form", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(csrf.Token(r))) })
	mux.HandleFunc("/transfer", func(w http.ResponseWriter, r *http.Request) { ran++ })
	h := p.Handler(mux)

	// The client's own cookie and a token for it.
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/token", nil))
	cookies := rec.Result().Cookies()
	if len(cookies) != 1 || cookies[0].Name != "csrf" {
		t.Fatalf("token response set cookies %v, want one csrf cookie", cookies)
	}
	own := cookies[0].Value
	var body struct{ Token string }
	if err := json.NewDecoder(rec.Body).Decode(&body); err != nil || body.Token == "" {
		t.Fatalf("token body: %v %q", err, body.Token)
	}

	// A genuine cookie the attacker got for themselves (bound to them),
	// planted ahead of the victim's.
	rec = httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/token", nil)
	req.Header.Set("X-User", "mallory")
	h.ServeHTTP(rec, req)
	foreign := rec.Result().Cookies()[0].Value

	for name, planted := range map[string]string{
		"junk":           "attacker-chosen",
		"forged":         "AAAA.BBBB",
		"attacker's own": foreign,
	} {
		header := "csrf=" + planted + "; csrf=" + own

		ran = 0
		req := httptest.NewRequest(http.MethodPost, "/transfer", nil)
		req.Header.Set("Cookie", header)
		req.Header.Set(csrf.HeaderName, body.Token)
		rec = httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK || ran != 1 {
			t.Errorf("%s cookie first: POST with the client's own cookie and token: status %d, handler ran %d times; want 200 and 1",
				name, rec.Code, ran)
		}

		// A token issued now is for a secret the next request can match,
		// and no useless new cookie is set behind the planted one.
		req = httptest.NewRequest(http.MethodGet, "/form", nil)
		req.Header.Set("Cookie", header)
		rec = httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		tok := rec.Body.String()
		ran = 0
		req = httptest.NewRequest(http.MethodPost, "/transfer", nil)
		req.Header.Set("Cookie", header)
		req.Header.Set(csrf.HeaderName, tok)
		rec2 := httptest.NewRecorder()
		h.ServeHTTP(rec2, req)
		if rec2.Code != http.StatusOK || ran != 1 {
			t.Errorf("%s cookie first: token issued with both cookies present fails: status %d", name, rec2.Code)
		}
	}

	// The junk cookie alone still gets nothing past the check.
	ran = 0
	req = httptest.NewRequest(http.MethodPost, "/transfer", nil)
	req.Header.Set("Cookie", "csrf=attacker-chosen")
	req.Header.Set(csrf.HeaderName, body.Token)
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusForbidden || ran != 0 {
		t.Errorf("junk cookie alone: status %d, ran %d; want 403 and 0", rec.Code, ran)
	}
}

// TestDoubleSubmitManySameNameCookies: trying every cookie of the name was
// unbounded, and each well-formed one costs an HMAC per key, so a Cookie
// header packed with thousands of forged cookies of the name cost thousands
// of HMACs per request. At most eight are checked now: the last eight. The
// client's own cookie is Path=/, so it comes after every cookie of the name
// on a longer path (RFC 6265bis section 5.8.3); only Path=/ cookies created
// after it (two per domain an attacker can write for, Domain=example.com
// from a sibling subdomain, say: "csrf=x" and the nameless "=csrf=x", sent
// as the same text) come later. Checking the first three and
// the last, as before, lost it to three long-path cookies plus one such
// domain cookie (own cookie at 3 of 5), a lasting denial of every unsafe
// request: reissuing the cookie keeps its creation time (section 5.3).
func TestDoubleSubmitManySameNameCookies(t *testing.T) {
	src, err := csrf.DoubleSubmitCookie(&csrf.CookieOptions{Keys: [][]byte{keyA, keyB}, Name: "csrf"})
	if err != nil {
		t.Fatal(err)
	}
	// The cookie is issued and checked outside a Protector, both on the
	// wall clock: issued on a fixed test clock (tNow) and checked on the
	// wall clock (Secret called directly), it expired a MaxAge after tNow
	// and every case failed from then on.
	rec := httptest.NewRecorder()
	if _, err := src.Secret(rec, httptest.NewRequest(http.MethodGet, "/token", nil), true); err != nil {
		t.Fatal(err)
	}
	own := rec.Result().Cookies()[0].Value

	// A forged cookie that is well-formed (so checking it costs the HMACs).
	forged := strings.Repeat("A", 54) + "." + strings.Repeat("A", 43)
	header := func(n, ownAt int, fill string) string {
		var b strings.Builder
		for i := range n {
			if i > 0 {
				b.WriteString("; ")
			}
			if i == ownAt {
				b.WriteString("csrf=" + own)
			} else {
				b.WriteString("csrf=" + fill)
			}
		}
		return b.String()
	}
	secret := func(h string) error {
		req := httptest.NewRequest(http.MethodPost, "/", nil)
		req.Header.Set("Cookie", h)
		_, err := src.Secret(httptest.NewRecorder(), req, false)
		return err
	}
	for _, c := range []struct {
		n, ownAt int
		ok       bool
	}{
		{1, 0, true}, {4, 0, true}, {4, 3, true}, {5, 0, true}, {5, 1, true}, {5, 3, true}, {5, 4, true},
		{1000, 996, true}, {1000, 997, true}, {1000, 999, true},
		// Six Path=/ cookies after the client's own: a sibling's named
		// and nameless ("=csrf=x", sent as "csrf=x") cookie for each of
		// three parent domains of app.eu.corp.example.com.
		{1000, 993, true}, {9, 1, true}, {1000, 992, true},
		{1000, 2, false}, {1000, 500, false}, {9, 0, false}, {1000, 991, false},
	} {
		err := secret(header(c.n, c.ownAt, forged))
		if c.ok && err != nil {
			t.Errorf("own cookie at %d of %d: %v", c.ownAt, c.n, err)
		}
		if !c.ok && !errors.Is(err, csrf.ErrNoSecret) {
			t.Errorf("own cookie at %d of %d: err = %v, want ErrNoSecret (checked beyond the bound)", c.ownAt, c.n, err)
		}
	}

	// The cost of 2000 well-formed forged cookies is that of 2000 cookies
	// rejected before any HMAC, plus a bounded number of checks.
	const n = 2000
	wellFormed, malformed := header(n, -1, forged), header(n, -1, "x")
	allocs := func(h string) float64 {
		return testing.AllocsPerRun(5, func() { secret(h) })
	}
	if extra := allocs(wellFormed) - allocs(malformed); extra > 40*maxChecked {
		t.Errorf("%d well-formed forged cookies cost %.0f more allocations than %d malformed ones; want at most %d checks' worth",
			n, extra, n, maxChecked)
	}
}

// maxChecked is how many same-name cookies Secret may check.
const maxChecked = 8
