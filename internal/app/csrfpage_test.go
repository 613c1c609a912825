package app

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

var csrfAnswerTests = []struct {
	accept, wantType, wantBody string
}{
	{"text/html,application/xhtml+xml,*/*;q=0.8", "text/html; charset=utf-8", "nothing was changed"},
	{"application/json", "application/json", `{"error":"Forbidden: missing or invalid CSRF token"}`},
	{"", "text/plain; charset=utf-8", "Forbidden: missing or invalid CSRF token\n"},
}

// TestCSRFAnswerByAccept: a rejected request gets a 403 in the form it asked
// for, and the cart stays empty.
func TestCSRFAnswerByAccept(t *testing.T) {
	_, srv := newTestApp(t, storeFactories[0].open(t), nil)
	c := newClient(t, srv.URL)
	c.token()
	for _, tt := range csrfAnswerTests {
		var hdr []string
		if tt.accept != "" {
			hdr = []string{"Accept", tt.accept}
		}
		r := c.post("/cart", url.Values{"item": {"evil"}}, hdr...)
		if r.status != http.StatusForbidden || r.header.Get("Content-Type") != tt.wantType || !strings.Contains(r.body, tt.wantBody) {
			t.Errorf("Accept %q: status %d, Content-Type %q, body %q; want 403, %q, containing %q",
				tt.accept, r.status, r.header.Get("Content-Type"), r.body, tt.wantType, tt.wantBody)
		}
	}
	if got := c.cart(); len(got) != 0 {
		t.Errorf("cart after rejected requests = %q, want empty", got)
	}
}
