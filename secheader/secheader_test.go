package secheader_test

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/httpstate/httpstate/secheader"
)

// serve runs one GET through the middleware and returns the response
// headers and the nonce the handler saw.
func serve(t testing.TB, o *secheader.Options) (http.Header, string) {
	t.Helper()
	h, err := secheader.New(o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	var nonce string
	rec := httptest.NewRecorder()
	h.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		nonce = secheader.Nonce(r)
		w.Write([]byte("<p>hi</p>"))
	})).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	return rec.Result().Header, nonce
}

var nonceRE = regexp.MustCompile(`^[A-Za-z0-9_-]{22}$`)

func TestDefaultHeaders(t *testing.T) {
	hdr, nonce := serve(t, nil)
	if !nonceRE.MatchString(nonce) {
		t.Fatalf("nonce %q, want 22 base64url characters", nonce)
	}
	want := map[string]string{
		"Content-Security-Policy": "script-src 'nonce-" + nonce + "' 'strict-dynamic'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
		"X-Content-Type-Options":  "nosniff",
		"Referrer-Policy":         "strict-origin-when-cross-origin",
		"X-Frame-Options":         "DENY",
	}
	for k, v := range want {
		if got := hdr.Values(k); len(got) != 1 || got[0] != v {
			t.Errorf("%s = %q, want [%q]", k, got, v)
		}
	}
	if got := hdr.Get("Content-Security-Policy-Report-Only"); got != "" {
		t.Errorf("Report-Only header %q set by default", got)
	}
}

func TestNonceUnique(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		hdr, nonce := serve(t, nil)
		if seen[nonce] {
			t.Fatalf("nonce %q repeated", nonce)
		}
		seen[nonce] = true
		if !strings.Contains(hdr.Get("Content-Security-Policy"), "'nonce-"+nonce+"'") {
			t.Fatalf("CSP %q does not carry the handler's nonce %q", hdr.Get("Content-Security-Policy"), nonce)
		}
	}
}

var optionTests = []struct {
	name   string
	opts   secheader.Options
	header string
	want   string // "" = absent; "{nonce}" replaced
}{
	{"custom CSP", secheader.Options{CSP: "default-src 'self'; script-src 'nonce-{nonce}'"}, "Content-Security-Policy", "default-src 'self'; script-src 'nonce-{nonce}'"},
	{"report only", secheader.Options{ReportOnly: true}, "Content-Security-Policy-Report-Only", secheader.DefaultCSP},
	{"report only hides enforcing", secheader.Options{ReportOnly: true}, "Content-Security-Policy", ""},
	{"CSP off", secheader.Options{CSP: secheader.Off}, "Content-Security-Policy", ""},
	{"referrer", secheader.Options{ReferrerPolicy: "no-referrer"}, "Referrer-Policy", "no-referrer"},
	{"referrer off", secheader.Options{ReferrerPolicy: secheader.Off}, "Referrer-Policy", ""},
	{"frame sameorigin", secheader.Options{FrameOptions: "SAMEORIGIN"}, "X-Frame-Options", "SAMEORIGIN"},
	{"frame off", secheader.Options{FrameOptions: secheader.Off}, "X-Frame-Options", ""},
	{"nosniff off", secheader.Options{DisableNoSniff: true}, "X-Content-Type-Options", ""},
}

func TestOptions(t *testing.T) {
	for _, tt := range optionTests {
		hdr, nonce := serve(t, &tt.opts)
		want := strings.ReplaceAll(tt.want, "{nonce}", nonce)
		if got := hdr.Get(tt.header); got != want {
			t.Errorf("%s: %s = %q, want %q", tt.name, tt.header, got, want)
		}
	}
	if _, nonce := serve(t, &secheader.Options{CSP: secheader.Off}); nonce != "" {
		t.Errorf("CSP off: Nonce = %q, want \"\"", nonce)
	}
	if _, err := secheader.New(&secheader.Options{CSP: "script-src 'self'\r\nSet-Cookie: x=1"}); err == nil {
		t.Errorf("New accepted a CSP with CRLF")
	}
	if got := secheader.Nonce(httptest.NewRequest(http.MethodGet, "/", nil)); got != "" {
		t.Errorf("Nonce outside the middleware = %q, want \"\"", got)
	}
}

func TestHandlerMayOverride(t *testing.T) {
	h, _ := secheader.New(nil)
	rec := httptest.NewRecorder()
	h.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Frame-Options", "SAMEORIGIN")
	})).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if got := rec.Header().Get("X-Frame-Options"); got != "SAMEORIGIN" {
		t.Errorf("X-Frame-Options = %q after the handler set SAMEORIGIN", got)
	}
}
