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
