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

// TestOneCookieHeaderWithJarCookies: the Cookie header the request set and
// the jar's cookies go out as one Cookie header (RFC 6265bis section 5.8.3:
// the user agent MUST NOT attach more than one), the request's cookies
// first, none of them lost: a second Cookie line the request added was
// dropped, and one set under the key "cookie" (written into the map, sent
// as written) went out beside the jar's.
func TestOneCookieHeaderWithJarCookies(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%q", r.Header.Values("Cookie"))
	}))
	defer srv.Close()
	j := newFakeJar()
	u, _ := url.Parse(srv.URL)
	j.SetCookieLines(u, []string{"j=3"})
	c := mustNew(t, &client.Options{Jar: j})
	for _, tt := range []struct {
		name   string
		set    func(h http.Header)
		expect string
	}{
		{"two lines", func(h http.Header) { h.Add("Cookie", "a=1"); h.Add("Cookie", "b=2") }, `["a=1; b=2; j=3"]`},
		{"lower-case key", func(h http.Header) { h["cookie"] = []string{"a=1"} }, `["a=1; j=3"]`},
		{"both keys", func(h http.Header) { h["cookie"] = []string{"b=2"}; h.Set("Cookie", "a=1") }, `["a=1; b=2; j=3"]`},
	} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
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

// TestOneCookieHeaderWithoutJarCookies: the request's Cookie header lines
// go out as one Cookie header when the jar has no cookie for the URL too:
// two lines, or a "cookie" key beside "Cookie" (merged into it), went out
// as two Cookie headers, which RFC 6265bis section 5.8.3 forbids.
func TestOneCookieHeaderWithoutJarCookies(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%q", r.Header.Values("Cookie"))
	}))
	defer srv.Close()
	c := mustNew(t, &client.Options{Jar: newFakeJar()})
	for _, tt := range []struct {
		name   string
		set    func(h http.Header)
		expect string
	}{
		{"one line", func(h http.Header) { h.Set("Cookie", "a=1") }, `["a=1"]`},
		{"two lines", func(h http.Header) { h.Add("Cookie", "a=1;"); h.Add("Cookie", "b=2") }, `["a=1; b=2"]`},
		{"both keys", func(h http.Header) { h["cookie"] = []string{"b=2"}; h.Set("Cookie", "a=1") }, `["a=1; b=2"]`},
	} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
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
