package csrf_test

import (
	"bytes"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/httpstate/httpstate/csrf"
)

// referenceAccepts is an independent statement of the token format: 86
// characters of unpadded base64url decoding to pad(32) || pad XOR secret(32).
func referenceAccepts(tok string, secret []byte) bool {
	if len(tok) != 86 {
		return false
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(tok)
	if err != nil || len(b) != 64 {
		return false
	}
	got := make([]byte, 32)
	subtle.XORBytes(got, b[:32], b[32:])
	return bytes.Equal(got, secret)
}

// FuzzTokenDecoder feeds arbitrary tokens to the middleware and checks that
// it accepts exactly the tokens the reference decoder accepts.
func FuzzTokenDecoder(f *testing.F) {
	secret := bytes.Repeat([]byte{0x5a}, 32)
	p, err := csrf.New(&csrf.Options{Secret: fixedSecret(secret)})
	if err != nil {
		f.Fatal(err)
	}
	var tok string
	p.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { tok = csrf.Token(r) })).
		ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
	f.Add(tok)
	f.Add(tok[:85])
	f.Add(tok + "=")
	f.Add("")
	f.Add(string(bytes.Repeat([]byte("A"), 86)))
	f.Fuzz(func(t *testing.T, tok string) {
		ran := false
		h := p.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { ran = true }))
		req := httptest.NewRequest(http.MethodPost, "/", nil)
		req.Header.Set(csrf.HeaderName, tok)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		want := tok != "" && referenceAccepts(req.Header.Get(csrf.HeaderName), secret)
		if ran != want {
			t.Errorf("token %q: handler ran %v, reference accepts %v (status %d)", tok, ran, want, rec.Code)
		}
		if !ran && rec.Code != http.StatusForbidden {
			t.Errorf("token %q rejected with status %d, want 403", tok, rec.Code)
		}
	})
}

// FuzzDoubleSubmitCookie feeds arbitrary cookie values to the double-submit
// source: only a value it signed itself may yield a secret.
func FuzzDoubleSubmitCookie(f *testing.F) {
	src, err := csrf.DoubleSubmitCookie(&csrf.CookieOptions{Keys: [][]byte{bytes.Repeat([]byte{1}, 32)}})
	if err != nil {
		f.Fatal(err)
	}
	rec := httptest.NewRecorder()
	issued, err := src.Secret(rec, httptest.NewRequest(http.MethodGet, "/", nil), true)
	if err != nil {
		f.Fatal(err)
	}
	good := rec.Result().Cookies()[0].Value
	f.Add(good)
	f.Add(good[:len(good)-2])
	f.Add(".")
	f.Add("")
	f.Fuzz(func(t *testing.T, v string) {
		req := httptest.NewRequest(http.MethodPost, "/", nil)
		req.Header.Set("Cookie", "csrf="+v)
		secret, err := src.Secret(httptest.NewRecorder(), req, false)
		if err != nil {
			return
		}
		c, cerr := req.Cookie("csrf")
		if cerr != nil || c.Value != good || !bytes.Equal(secret, issued) {
			t.Errorf("cookie %q accepted with secret %x (issued %q / %x)", v, secret, good, issued)
		}
	})
}
