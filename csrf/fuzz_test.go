package csrf_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

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

// referenceCookieSecret is an independent statement of the double-submit
// cookie format: base64url(secret(32) || issued(8, big-endian Unix seconds))
// "." base64url(HMAC-SHA256(key, "httpstate-csrf-v1\x00" || len(binding)(8)
// || binding || payload)), valid for maxAge after issue.
func referenceCookieSecret(v string, key []byte, now time.Time, maxAge time.Duration) ([]byte, bool) {
	p, m, ok := strings.Cut(v, ".")
	if !ok {
		return nil, false
	}
	payload, err1 := base64.RawURLEncoding.Strict().DecodeString(p)
	mac, err2 := base64.RawURLEncoding.Strict().DecodeString(m)
	if err1 != nil || err2 != nil || len(payload) != 40 {
		return nil, false
	}
	h := hmac.New(sha256.New, key)
	h.Write([]byte("httpstate-csrf-v1\x00"))
	h.Write(make([]byte, 8)) // empty binding
	h.Write(payload)
	if !hmac.Equal(mac, h.Sum(nil)) {
		return nil, false
	}
	issued := time.Unix(int64(binary.BigEndian.Uint64(payload[32:])), 0)
	if now.Sub(issued) >= maxAge {
		return nil, false
	}
	return payload[:32], true
}

// FuzzDoubleSubmitCookie feeds arbitrary cookie values to the double-submit
// source and checks it against the reference decoder.
func FuzzDoubleSubmitCookie(f *testing.F) {
	key := bytes.Repeat([]byte{1}, 32)
	src, err := csrf.DoubleSubmitCookie(&csrf.CookieOptions{Keys: [][]byte{key}})
	if err != nil {
		f.Fatal(err)
	}
	rec := httptest.NewRecorder()
	if _, err := src.Secret(rec, httptest.NewRequest(http.MethodGet, "/", nil), true); err != nil {
		f.Fatal(err)
	}
	good := rec.Result().Cookies()[0].Value
	f.Add(good)
	f.Add(good[:len(good)-2])
	f.Add(".")
	f.Add("")
	f.Add("x; csrf=" + good)
	f.Add("x; csrf=y; csrf=z; csrf=w; csrf=" + good)
	f.Add("x; csrf=y; csrf=z; csrf=" + good + "; csrf=w")
	f.Add(good + "; csrf=x; csrf=y; csrf=z; csrf=w")
	f.Add(good + strings.Repeat("; csrf=x", 8))
	f.Fuzz(func(t *testing.T, v string) {
		req := httptest.NewRequest(http.MethodPost, "/", nil)
		req.Header.Set("Cookie", "csrf="+v)
		secret, err := src.Secret(httptest.NewRecorder(), req, false)
		// The source checks the last eight cookies of the name and takes
		// the first valid one.
		cs := req.CookiesNamed("csrf")
		if len(cs) > 8 {
			cs = cs[len(cs)-8:]
		}
		var want []byte
		ok := false
		for _, c := range cs {
			if want, ok = referenceCookieSecret(c.Value, key, time.Now(), 24*time.Hour); ok {
				break
			}
		}
		if (err == nil) != ok || (ok && !bytes.Equal(secret, want)) {
			t.Errorf("cookie %q: secret %x, err %v; reference %x, ok %v", v, secret, err, want, ok)
		}
	})
}
