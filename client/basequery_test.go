package client_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/httpstate/httpstate/client"
)

// TestBaseURLQueryKept: the query of Options.BaseURL (an API version, a
// key) goes with every request resolved against it. A parameter the request
// names itself wins; the base's parameters win over Options.Query; an
// absolute URL gets nothing from the base (it may be another host).
func TestBaseURLQueryKept(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(echoHandler))
	defer srv.Close()
	c := mustNew(t, &client.Options{
		BaseURL: srv.URL + "/api?api-version=2024-10&key=a%2Fb",
		Query:   url.Values{"api-version": {"0"}, "lang": {"en"}},
	})
	for _, tt := range []struct{ ref, want string }{
		{"users", "GET /api/users?api-version=2024-10&key=a%2Fb&lang=en"},
		{"/root", "GET /root?api-version=2024-10&key=a%2Fb&lang=en"},
		{"users?page=2", "GET /api/users?page=2&api-version=2024-10&key=a%2Fb&lang=en"},
		{"users?api-version=2025-01", "GET /api/users?api-version=2025-01&key=a%2Fb&lang=en"},
		{"", "GET /api/?api-version=2024-10&key=a%2Fb&lang=en"},
		{"?key=mine", "GET /api/?key=mine&api-version=2024-10&lang=en"},
		{srv.URL + "/abs", "GET /abs?api-version=0&lang=en"},
	} {
		resp, err := c.Get(context.Background(), tt.ref)
		if err != nil {
			t.Fatalf("ref %q: %v", tt.ref, err)
		}
		if got := readAll(t, resp); got != tt.want {
			t.Errorf("ref %q: got %q, want %q", tt.ref, got, tt.want)
		}
	}
	if s := c.String(); strings.Contains(s, "a%2Fb") {
		t.Errorf("String shows the base query's key: %s", s)
	}
}

func TestBaseURLBadQueryRejected(t *testing.T) {
	_, err := client.New(&client.Options{BaseURL: "https://api.example/v1?a=1;b=2"})
	if err == nil || !strings.Contains(err.Error(), "BaseURL") {
		t.Fatalf("BaseURL with an unparsable query: got %v, want an error naming BaseURL", err)
	}
}

// TestBaseURLErrorHidesSecrets: New's errors for a bad BaseURL show
// neither its query (an API key) nor its password.
func TestBaseURLErrorHidesSecrets(t *testing.T) {
	for _, base := range []string{
		"api.example/v1?key=s3cret",                 // not absolute
		"//ann:s3cret@api.example/v1",               // no scheme
		"https://ann:pw@api.example/%zz?key=s3cret", // does not parse
		"https://api.example/v1\x7f?key=s3cret",     // control character
		"api.example/v1#access_token=s3cret",        // not absolute, a fragment
	} {
		_, err := client.New(&client.Options{BaseURL: base})
		if err == nil {
			t.Errorf("BaseURL %q: New succeeded", base)
			continue
		}
		if strings.Contains(err.Error(), "s3cret") || strings.Contains(err.Error(), ":pw@") {
			t.Errorf("BaseURL %q: error shows a secret: %v", base, err)
		}
	}
}

// TestBaseURLQueryNotOnRedirects: the base query goes on the request the
// caller made, not on the hops of a redirect: a relative Location is the
// server's URL, resolved against the request's URL as net/http does. And
// LogValue, like String, does not show the base query.
func TestBaseURLQueryNotOnRedirects(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/start" {
			http.Redirect(w, r, "next?hop=1", http.StatusFound)
			return
		}
		echoHandler(w, r)
	}))
	defer srv.Close()
	c := mustNew(t, &client.Options{BaseURL: srv.URL + "/api/?key=s3cret"})
	resp, err := c.Get(context.Background(), "start")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := readAll(t, resp), "GET /api/next?hop=1"; got != want {
		t.Errorf("after a redirect: got %q, want %q", got, want)
	}
	if s := c.LogValue().String(); strings.Contains(s, "s3cret") {
		t.Errorf("LogValue shows the base query: %s", s)
	}
}

// TestBaseURLQueryEdges: a repeated base parameter goes out as often as
// BaseURL names it (unless the request names it), a BaseURL ending in a
// bare "?" adds nothing, not even a "?", and "+" and escapes are sent as
// written.
func TestBaseURLQueryEdges(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, r.Method+" "+r.RequestURI) // as on the wire
	}))
	defer srv.Close()
	for _, tt := range []struct{ base, ref, want string }{
		{"/v1?tag=a&tag=b&x=1", "items", "GET /v1/items?tag=a&tag=b&x=1"},
		{"/v1?tag=a&tag=b&x=1", "items?tag=c", "GET /v1/items?tag=c&x=1"},
		{"/v1?", "items", "GET /v1/items"},
		{"/v1?", "items?a=1", "GET /v1/items?a=1"},
		{"/v1?q=a+b&k=%7E&&e", "items", "GET /v1/items?q=a+b&k=%7E&e"},
		{"/v1?q=a+b", "items?q+=x", "GET /v1/items?q+=x&q=a+b"},
	} {
		c := mustNew(t, &client.Options{BaseURL: srv.URL + tt.base})
		resp, err := c.Get(context.Background(), tt.ref)
		if err != nil {
			t.Fatalf("base %q ref %q: %v", tt.base, tt.ref, err)
		}
		if got := readAll(t, resp); got != tt.want {
			t.Errorf("base %q ref %q: got %q, want %q", tt.base, tt.ref, got, tt.want)
		}
	}
}

// TestBaseURLFragmentNotShown: a BaseURL's fragment (resolution never uses
// it; it may hold a token) shows neither in String nor in LogValue.
func TestBaseURLFragmentNotShown(t *testing.T) {
	c := mustNew(t, &client.Options{BaseURL: "https://api.example/v1/#access_token=s3cret"})
	if s := c.String(); strings.Contains(s, "s3cret") || !strings.Contains(s, "https://api.example/v1/") {
		t.Errorf("String = %s: want the base URL without its fragment", s)
	}
	if s := c.LogValue().String(); strings.Contains(s, "s3cret") {
		t.Errorf("LogValue shows the base fragment: %s", s)
	}
}

// TestBaseURLQueryNotOnNetworkPathReference: a reference "//host/path"
// names its own host, as an absolute URL does: it gets the base's scheme
// but not the base query (which may hold an API key).
func TestBaseURLQueryNotOnNetworkPathReference(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, r.Host+" "+r.RequestURI)
	}))
	defer srv.Close()
	c := mustNew(t, &client.Options{BaseURL: "http://api.example.test/v1/?key=s3cret", Transport: loopbackTransport(srv)})
	for _, tt := range []struct{ ref, want string }{
		{"//other.example.test/x", "other.example.test /x"},
		{"//other.example.test/x?a=1", "other.example.test /x?a=1"},
		{"users", "api.example.test /v1/users?key=s3cret"},
	} {
		resp, err := c.Get(context.Background(), tt.ref)
		if err != nil {
			t.Fatalf("ref %q: %v", tt.ref, err)
		}
		if got := readAll(t, resp); got != tt.want {
			t.Errorf("ref %q: got %q, want %q", tt.ref, got, tt.want)
		}
	}
}

// TestErrorsHideBaseQuery: BaseURL's query (an API key) shows in none of
// Do's errors, as it shows neither in String nor in New's errors: not in a
// failed request's *Error (a refused dial, Options.Timeout, whose cause
// quotes the URL) nor in a *StatusError. The request's own parameters and
// path still show.
func TestErrorsHideBaseQuery(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1/slow" {
			<-r.Context().Done()
			return
		}
		w.WriteHeader(http.StatusNotFound)
	}))
	defer srv.Close()
	closedURL := "http://" + closedAddr(t)
	one := &client.RetryPolicy{MaxAttempts: 1}
	for _, tt := range []struct {
		name string
		o    *client.Options
	}{
		{"refused", &client.Options{BaseURL: closedURL + "/v1/?key=s3cret&v=2", Retry: one}},
		{"timeout", &client.Options{BaseURL: srv.URL + "/v1/?key=s3cret&v=2", Retry: one, Timeout: 50 * time.Millisecond}},
		{"status", &client.Options{BaseURL: srv.URL + "/v1/?key=s3cret&v=2", Retry: one, CheckStatus: true}},
	} {
		c := mustNew(t, tt.o)
		ref := "missing?page=7"
		if tt.name == "timeout" {
			ref = "slow?page=7"
		}
		err := getErr(c, ref)
		if err == nil {
			t.Errorf("%s: no error", tt.name)
			continue
		}
		if msg := err.Error(); strings.Contains(msg, "s3cret") || !strings.Contains(msg, "?page=7&key=REDACTED&v=REDACTED") {
			t.Errorf("%s: error %q: want the request's query without the base's key", tt.name, msg)
		}
		var e *client.Error
		var se *client.StatusError
		switch {
		case errors.As(err, &e):
			if strings.Contains(e.URL, "s3cret") {
				t.Errorf("%s: Error.URL = %q", tt.name, e.URL)
			}
		case errors.As(err, &se):
			if strings.Contains(se.URL, "s3cret") {
				t.Errorf("%s: StatusError.URL = %q", tt.name, se.URL)
			}
		}
	}
}

// TestErrorsHideFragment: a request URL's fragment, never sent (it may
// hold a token: "#access_token=…"), shows in none of Do's errors.
func TestErrorsHideFragment(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	closedURL := "http://" + closedAddr(t)
	one := &client.RetryPolicy{MaxAttempts: 1}
	for _, tt := range []struct {
		name, url string
		o         *client.Options
	}{
		{"refused", closedURL + "/cb?x=1#access_token=s3cret", &client.Options{Retry: one}},
		{"status", srv.URL + "/cb?x=1#access_token=s3cret", &client.Options{Retry: one, CheckStatus: true}},
		{"relative without BaseURL", "/cb?x=1#access_token=s3cret", &client.Options{}},
	} {
		c := mustNew(t, tt.o)
		err := getErr(c, tt.url)
		if err == nil || strings.Contains(err.Error(), "s3cret") || !strings.Contains(err.Error(), "/cb?x=1") {
			t.Errorf("%s: error %v: want one naming the URL without its fragment", tt.name, err)
		}
	}
}

// TestErrorsHideDefaultQuery: the values of Options.Query, the other place
// for a client-wide API key (like a default header's value, which String
// never shows), show in none of Do's errors either; the request's own
// parameters still show.
func TestErrorsHideDefaultQuery(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	closedURL := "http://" + closedAddr(t)
	one := &client.RetryPolicy{MaxAttempts: 1}
	q := url.Values{"api_key": {"s3cret/+"}}
	for _, tt := range []struct {
		name, url string
		o         *client.Options
	}{
		{"refused", closedURL + "/x?page=7", &client.Options{Query: q, Retry: one}},
		{"status", srv.URL + "/x?page=7", &client.Options{Query: q, Retry: one, CheckStatus: true}},
	} {
		c := mustNew(t, tt.o)
		err := getErr(c, tt.url)
		if err == nil {
			t.Errorf("%s: no error", tt.name)
			continue
		}
		if msg := err.Error(); strings.Contains(msg, "s3cret") || !strings.Contains(msg, "/x?page=7&api_key=REDACTED") {
			t.Errorf("%s: error %q: want the request's query with the default's value redacted", tt.name, msg)
		}
	}
}

// getErr GETs ref with c, closes any response's body, and returns the error.
func getErr(c *client.Client, ref string) error {
	resp, err := c.Get(context.Background(), ref)
	if resp != nil {
		resp.Body.Close()
	}
	return err
}
