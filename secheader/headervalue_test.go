package secheader_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/httpstate/httpstate/secheader"
)

// TestNewRefusesInvalidFieldValues: every option value New accepts must be
// a valid field value (RFC 9110 section 5.5: no control character but
// HTAB). The HTTP/2 server omits a header whose value is not, silently, so
// a policy with, say, a vertical tab or DEL in it used to pass New and then
// leave HTTP/2 responses without any Content-Security-Policy at all.
func TestNewRefusesInvalidFieldValues(t *testing.T) {
	var bad []string
	for c := byte(0); c < 0x20; c++ {
		if c != '\t' {
			bad = append(bad, string([]byte{c}))
		}
	}
	bad = append(bad, "\x7f")
	for _, ch := range bad {
		for name, o := range map[string]*secheader.Options{
			"CSP":            {CSP: "script-src 'nonce-{nonce}'" + ch + "; object-src 'none'"},
			"ReferrerPolicy": {ReferrerPolicy: "no-referrer" + ch},
			"FrameOptions":   {FrameOptions: "SAMEORIGIN" + ch},
		} {
			if _, err := secheader.New(o); err == nil {
				t.Errorf("%s with %q: New accepted a value that is not a valid field value", name, ch)
			}
		}
	}
	// Tabs and obs-text are valid field values and still accepted.
	if _, err := secheader.New(&secheader.Options{CSP: "script-src\t'self'", ReferrerPolicy: "no-referrer", FrameOptions: "DENY"}); err != nil {
		t.Errorf("New refused a CSP with a tab: %v", err)
	}
}

// TestHeadersOverHTTP2: what New accepts reaches an HTTP/2 client.
func TestHeadersOverHTTP2(t *testing.T) {
	for _, csp := range []string{"", "default-src 'self'\v; script-src 'nonce-{nonce}'"} {
		h, err := secheader.New(&secheader.Options{CSP: csp})
		if err != nil {
			continue // refused up front: nothing to lose later
		}
		srv := httptest.NewUnstartedServer(h.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})))
		srv.EnableHTTP2 = true
		srv.StartTLS()
		resp, err := srv.Client().Get(srv.URL)
		if err != nil {
			srv.Close()
			t.Fatal(err)
		}
		resp.Body.Close()
		srv.Close()
		if resp.ProtoMajor != 2 {
			t.Fatalf("served over %s, want HTTP/2", resp.Proto)
		}
		if resp.Header.Get("Content-Security-Policy") == "" {
			t.Errorf("CSP %q: New accepted it, yet the HTTP/2 response carries no Content-Security-Policy", csp)
		}
	}
}

// TestOptionsTrimmed: leading and trailing whitespace is not part of a field
// value (RFC 9110 section 5.5), and HTTP/2 forbids it (RFC 9113 section
// 8.2.1: the response is malformed, and nghttp2-based clients reset the
// stream). New passed such option values through, so a policy read from a
// config file with a trailing space broke every HTTP/2 response for those
// clients. Values are trimmed now; a blank one means the default.
func TestOptionsTrimmed(t *testing.T) {
	h, err := secheader.New(&secheader.Options{
		CSP:            " \tdefault-src 'self'; script-src 'nonce-{nonce}' ",
		ReferrerPolicy: "no-referrer\t",
		FrameOptions:   "  ",
	})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	h.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	for name, want := range map[string]string{
		"Content-Security-Policy": "default-src 'self'; script-src 'nonce-",
		"Referrer-Policy":         "no-referrer",
		"X-Frame-Options":         "DENY",
	} {
		got := rec.Header().Get(name)
		if got != strings.TrimSpace(got) || !strings.HasPrefix(got, want) || (name != "Content-Security-Policy" && got != want) {
			t.Errorf("%s: %q, want %q without surrounding whitespace", name, got, want)
		}
	}
}
