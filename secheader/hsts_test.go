package secheader_test

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/httpstate/httpstate/secheader"
)

// Strict-Transport-Security goes out only on responses sent over TLS (RFC
// 6797 section 7.2), unless HSTSAlways says TLS ends at a proxy; Off omits
// it; a value with a control character is refused.
func TestHSTS(t *testing.T) {
	for _, tc := range []struct {
		name string
		o    *secheader.Options
		tls  bool
		want string
	}{
		{"default over TLS", nil, true, "max-age=31536000"},
		{"default over plain HTTP", nil, false, ""},
		{"custom over TLS", &secheader.Options{HSTS: "max-age=63072000; includeSubDomains"}, true, "max-age=63072000; includeSubDomains"},
		{"off", &secheader.Options{HSTS: secheader.Off}, true, ""},
		{"always behind a TLS proxy", &secheader.Options{HSTSAlways: true}, false, "max-age=31536000"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, err := secheader.New(tc.o)
			if err != nil {
				t.Fatal(err)
			}
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			if tc.tls {
				req.TLS = &tls.ConnectionState{}
			}
			rec := httptest.NewRecorder()
			h.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})).ServeHTTP(rec, req)
			got := rec.Result().Header.Values("Strict-Transport-Security")
			if tc.want == "" {
				if len(got) != 0 {
					t.Fatalf("Strict-Transport-Security = %q, want none", got)
				}
				return
			}
			if len(got) != 1 || got[0] != tc.want {
				t.Fatalf("Strict-Transport-Security = %q, want [%q]", got, tc.want)
			}
		})
	}
	if _, err := secheader.New(&secheader.Options{HSTS: "max-age=1\r\nX: y"}); err == nil {
		t.Fatal("New accepted an HSTS value with CR LF")
	}
}

// TestHSTSGrammar: New refuses an HSTS value that is not of the grammar of
// RFC 6797 section 6.1, which browsers ignore (section 8.1), so a typo would
// have left the host silently without HSTS (New accepted all of these
// before); values of that grammar, and Off with HSTSAlways, still work.
func TestHSTSGrammar(t *testing.T) {
	for _, v := range []string{
		"includeSubDomains",    // no max-age
		"max-age=1year",        // not delta-seconds
		"max-age=",             // empty value
		"max-age=-1",           // not delta-seconds
		`max-age=""`,           // empty quoted value
		"max-age=1; max-age=2", // a directive twice
		"max-age=1; MAX-AGE=2", // names are case-insensitive
		"max-age=1; includeSubDomains; includesubdomains",
		"max-age=1; includeSubDomains=yes", // includeSubDomains takes no value
		"max-age=1, max-age=2",             // a list of two fields
		"max-age=1 includeSubDomains",      // no separator
		`max-age=1; foo="bar`,              // unterminated quoted-string
		"max-age=31536000; preload=",
	} {
		if _, err := secheader.New(&secheader.Options{HSTS: v}); err == nil {
			t.Errorf("New accepted HSTS %q", v)
		}
	}
	for _, v := range []string{
		"max-age=0", // section 6.1.1: tells the browser to forget the host
		"max-age=31536000; includeSubDomains; preload",
		`Max-Age="31536000" ; INCLUDESUBDOMAINS`,
		"max-age=31536000;",
		`max-age=31536000; ext="a;b\"c"`,
	} {
		if _, err := secheader.New(&secheader.Options{HSTS: v}); err != nil {
			t.Errorf("New refused HSTS %q: %v", v, err)
		}
	}
	h, err := secheader.New(&secheader.Options{HSTS: secheader.Off, HSTSAlways: true})
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.TLS = &tls.ConnectionState{}
	rec := httptest.NewRecorder()
	h.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})).ServeHTTP(rec, req)
	if got := rec.Result().Header.Values("Strict-Transport-Security"); len(got) != 0 {
		t.Errorf("HSTS Off with HSTSAlways sent %q", got)
	}
}
