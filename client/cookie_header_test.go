package client_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/httpstate/httpstate/client"
)

// cookieHeaderCase is a request whose Cookie header lines set adds, and
// the Cookie header values the server must get, as %q formats them.
type cookieHeaderCase struct {
	name   string
	set    func(h http.Header)
	expect string
}

// echoCookieServer starts a server that answers with the request's Cookie
// header values, %q-formatted; the test's end closes it.
func echoCookieServer(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%q", r.Header.Values("Cookie"))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// checkCookieHeaders sends each case's request to url through c and checks
// the Cookie header values the server got.
func checkCookieHeaders(t *testing.T, c *client.Client, url string, cases []cookieHeaderCase) {
	t.Helper()
	for _, tt := range cases {
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		tt.set(req.Header)
		resp, err := c.Do(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		if got := readAll(t, resp); got != tt.expect {
			t.Errorf("%s: server got Cookie %s, want %s", tt.name, got, tt.expect)
		}
	}
}

// TestOneCookieHeaderWithJarCookies: the Cookie header the request set and
// the jar's cookies go out as one Cookie header (RFC 6265bis section 5.8.3:
// the user agent MUST NOT attach more than one), the request's cookies
// first, none of them lost: a second Cookie line the request added was
// dropped, and one set under the key "cookie" (written into the map, sent
// as written) went out beside the jar's.
func TestOneCookieHeaderWithJarCookies(t *testing.T) {
	srv := echoCookieServer(t)
	j := newFakeJar()
	u, _ := url.Parse(srv.URL)
	j.SetCookieLines(u, []string{"j=3"})
	c := mustNew(t, &client.Options{Jar: j})
	checkCookieHeaders(t, c, srv.URL, []cookieHeaderCase{
		{"two lines", func(h http.Header) { h.Add("Cookie", "a=1"); h.Add("Cookie", "b=2") }, `["a=1; b=2; j=3"]`},
		{"lower-case key", func(h http.Header) { h["cookie"] = []string{"a=1"} }, `["a=1; j=3"]`},
		{"both keys", func(h http.Header) { h["cookie"] = []string{"b=2"}; h.Set("Cookie", "a=1") }, `["a=1; b=2; j=3"]`},
	})
}

// TestOneCookieHeaderWithoutJarCookies: the request's Cookie header lines
// go out as one Cookie header when the jar has no cookie for the URL too:
// two lines, or a "cookie" key beside "Cookie" (merged into it), went out
// as two Cookie headers, which RFC 6265bis section 5.8.3 forbids.
func TestOneCookieHeaderWithoutJarCookies(t *testing.T) {
	srv := echoCookieServer(t)
	c := mustNew(t, &client.Options{Jar: newFakeJar()})
	checkCookieHeaders(t, c, srv.URL, []cookieHeaderCase{
		{"one line", func(h http.Header) { h.Set("Cookie", "a=1") }, `["a=1"]`},
		{"two lines", func(h http.Header) { h.Add("Cookie", "a=1;"); h.Add("Cookie", "b=2") }, `["a=1; b=2"]`},
		{"both keys", func(h http.Header) { h["cookie"] = []string{"b=2"}; h.Set("Cookie", "a=1") }, `["a=1; b=2"]`},
	})
}
