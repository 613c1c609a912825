package client_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/httpstate/httpstate/client"
)

// echoHandler answers with the request's method, path, query and the headers
// named in the X-Echo request header.
func echoHandler(w http.ResponseWriter, r *http.Request) {
	fmt.Fprintf(w, "%s %s?%s", r.Method, r.URL.Path, r.URL.RawQuery)
	for _, h := range strings.Split(r.Header.Get("X-Echo"), ",") {
		if h != "" {
			fmt.Fprintf(w, " %s=%s", h, strings.Join(r.Header.Values(h), "|"))
		}
	}
}

var resolveTests = []struct {
	base, ref, wantPath string
}{
	{"http://HOST/api/v1", "users", "/api/v1/users"},
	{"http://HOST/api/v1/", "users/7", "/api/v1/users/7"},
	{"http://HOST/api/v1", "/root", "/root"},
	{"http://HOST/", "x", "/x"},
}

func TestBaseURLResolution(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(echoHandler))
	defer srv.Close()
	for _, tt := range resolveTests {
		base := strings.Replace(tt.base, "http://HOST", srv.URL, 1)
		c := mustNew(t, &client.Options{BaseURL: base})
		resp, err := c.Get(context.Background(), tt.ref)
		if err != nil {
			t.Fatalf("base %q ref %q: %v", tt.base, tt.ref, err)
		}
		got := readAll(t, resp)
		if want := "GET " + tt.wantPath + "?"; got != want {
			t.Errorf("base %q ref %q: got %q, want %q", tt.base, tt.ref, got, want)
		}
	}
}

func TestRelativeURLWithoutBase(t *testing.T) {
	c := mustNew(t, nil)
	_, err := c.Get(context.Background(), "/x")
	if err == nil || !strings.Contains(err.Error(), "BaseURL") {
		t.Fatalf("got %v, want an error naming BaseURL", err)
	}
}

// TestOverridesDoNotLeak sends concurrent requests that each override a
// default header and query parameter and add their own; every request must
// see exactly its own overrides, and the defaults must stay unchanged.
func TestOverridesDoNotLeak(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(echoHandler))
	defer srv.Close()
	c := mustNew(t, &client.Options{
		BaseURL: srv.URL,
		Header:  http.Header{"X-Default": {"d"}, "X-Team": {"blue"}, "X-Echo": {"X-Default,X-Team,X-Own"}},
		Query:   url.Values{"lang": {"en"}, "v": {"1"}},
	})
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := range 64 {
		wg.Go(func() {
			ctx := context.Background()
			req, _ := c.NewRequest(ctx, "GET", fmt.Sprintf("/p?v=%d&i=%d", i, i), nil)
			req.Header.Set("X-Team", fmt.Sprint("team", i))
			req.Header.Set("X-Own", fmt.Sprint(i))
			resp, err := c.Do(ctx, req)
			if err != nil {
				errs <- err
				return
			}
			got := readAll(t, resp)
			want := fmt.Sprintf("GET /p?v=%d&i=%d&lang=en X-Default=d X-Team=team%d X-Own=%d", i, i, i, i)
			if got != want {
				errs <- fmt.Errorf("got %q, want %q", got, want)
			}
			if req.Header.Get("User-Agent") != "" || req.URL.IsAbs() {
				errs <- fmt.Errorf("Do modified the caller's request: %v %v", req.URL, req.Header)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	resp, err := c.Get(context.Background(), "/after")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := readAll(t, resp), "GET /after?lang=en&v=1 X-Default=d X-Team=blue X-Own="; got != want {
		t.Errorf("defaults after the run: got %q, want %q", got, want)
	}
}

func TestDefaultUserAgent(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, r.UserAgent())
	}))
	defer srv.Close()
	resp, err := mustNew(t, nil).Get(context.Background(), srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, resp); got != client.DefaultUserAgent {
		t.Errorf("User-Agent: got %q, want %q", got, client.DefaultUserAgent)
	}
}

func TestCookiesOnEveryHop(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/a", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Set-Cookie", "a=1; Path=/")
		http.Redirect(w, r, "/b", http.StatusFound)
	})
	mux.HandleFunc("/b", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Set-Cookie", "b=2; Path=/")
		w.Header().Add("Set-Cookie", "c=3; Path=/")
		http.Redirect(w, r, "/c", http.StatusSeeOther)
	})
	mux.HandleFunc("/c", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, r.Header.Get("Cookie"))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	j := newFakeJar()
	c := mustNew(t, &client.Options{Jar: j})
	resp, err := c.Get(context.Background(), srv.URL+"/a")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := readAll(t, resp), "a=1; b=2; c=3"; got != want {
		t.Errorf("Cookie at the last hop: got %q, want %q", got, want)
	}
	wantSets := []string{srv.URL + "/a", srv.URL + "/b"}
	wantLookups := []string{srv.URL + "/a", srv.URL + "/b", srv.URL + "/c"}
	if fmt.Sprint(j.sets) != fmt.Sprint(wantSets) {
		t.Errorf("SetCookieLines URLs: got %v, want %v", j.sets, wantSets)
	}
	if fmt.Sprint(j.lookups) != fmt.Sprint(wantLookups) {
		t.Errorf("CookieHeader URLs: got %v, want %v", j.lookups, wantLookups)
	}
}

func TestCallerCookieHeaderKept(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Set-Cookie", "s=1")
		fmt.Fprint(w, r.Header.Get("Cookie"))
	}))
	defer srv.Close()
	c := mustNew(t, nil)
	ctx := context.Background()
	resp, _ := c.Get(ctx, srv.URL)
	readAll(t, resp)
	req, _ := c.NewRequest(ctx, "GET", srv.URL, nil)
	req.Header.Set("Cookie", "mine=x")
	resp, err := c.Do(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := readAll(t, resp), "mine=x; s=1"; got != want {
		t.Errorf("Cookie: got %q, want %q", got, want)
	}
}

func TestNoFollow(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/elsewhere", http.StatusFound)
	}))
	defer srv.Close()
	c := mustNew(t, &client.Options{MaxRedirects: -1})
	resp, err := c.Get(context.Background(), srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, resp)
	if resp.StatusCode != http.StatusFound {
		t.Errorf("status: got %d, want 302", resp.StatusCode)
	}
}

func TestHooks(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, r.Header.Get("X-Signature"))
	}))
	defer srv.Close()
	var statuses []int
	c := mustNew(t, &client.Options{
		OnRequest: []func(*http.Request) error{func(r *http.Request) error {
			r.Header.Set("X-Signature", "sig:"+r.Method+" "+r.URL.Path)
			return nil
		}},
		OnResponse: []func(*http.Response) error{func(r *http.Response) error {
			statuses = append(statuses, r.StatusCode)
			return nil
		}},
	})
	resp, err := c.Get(context.Background(), srv.URL+"/signed")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := readAll(t, resp), "sig:GET /signed"; got != want {
		t.Errorf("signature: got %q, want %q", got, want)
	}
	if fmt.Sprint(statuses) != "[200]" {
		t.Errorf("response hook saw %v, want [200]", statuses)
	}
}

var errVeto = errors.New("vetoed")

var hookErrorTests = []struct {
	name string
	o    client.Options
	want string
}{
	{"request", client.Options{OnRequest: []func(*http.Request) error{
		func(*http.Request) error { return nil },
		func(*http.Request) error { return errVeto },
	}}, "request hook 1: vetoed"},
	{"response", client.Options{OnResponse: []func(*http.Response) error{
		func(*http.Response) error { return errVeto },
	}}, "response hook 0: vetoed"},
}

func TestHookErrorAborts(t *testing.T) {
	var hits int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits++ }))
	defer srv.Close()
	for _, tt := range hookErrorTests {
		hits = 0
		c := mustNew(t, &tt.o)
		resp, err := c.Get(context.Background(), srv.URL)
		if resp != nil {
			t.Errorf("%s: got a response with a hook error", tt.name)
		}
		if !errors.Is(err, errVeto) || !errors.Is(err, client.ErrHook) {
			t.Errorf("%s: got %v, want errors.Is ErrHook and the hook's error", tt.name, err)
		}
		if err != nil && !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: message %q lacks %q", tt.name, err, tt.want)
		}
		if tt.name == "request" && hits != 0 {
			t.Errorf("%s: server got %d requests, want 0", tt.name, hits)
		}
	}
}

func TestHTTPClientSharesJar(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/set" {
			w.Header().Add("Set-Cookie", "=bare; Path=/")
			return
		}
		fmt.Fprint(w, r.Header.Get("Cookie"))
	}))
	defer srv.Close()
	c, err := client.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	hc := c.HTTPClient()
	if hc.Jar != nil {
		t.Errorf("HTTPClient().Jar is set; cookies must go through the wire layer")
	}
	resp, err := hc.Get(srv.URL + "/set")
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, resp)
	resp, err = c.Get(context.Background(), srv.URL+"/echo")
	if err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, resp); got != "bare" {
		t.Errorf("cookie set through HTTPClient, sent by Client: got %q, want %q", got, "bare")
	}
}

// TestAuthNotSentAcrossHosts: credentials set by the client do not follow a
// redirect to another host (net/http drops Authorization there, since the
// client applies auth before its http.Client follows redirects).
func TestAuthNotSentAcrossHosts(t *testing.T) {
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "auth=%q", r.Header.Get("Authorization"))
	}))
	defer other.Close()
	// The same server under another name: localhost instead of 127.0.0.1.
	otherURL := strings.Replace(other.URL, "127.0.0.1", "localhost", 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, otherURL+"/landing", http.StatusFound)
	}))
	defer srv.Close()
	c := mustNew(t, &client.Options{Auth: client.Bearer("secret")})
	resp, err := c.Get(context.Background(), srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, resp); got != `auth=""` {
		t.Errorf("after a cross-host redirect: got %s, want no Authorization", got)
	}
}
