package client_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"testing"

	"github.com/httpstate/httpstate/client"
)

// wireServer sets cookies net/http cannot represent on /set and echoes the
// Cookie header on /echo.
func wireServer() *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("/set", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Set-Cookie", "=abc; Path=/")         // empty name
		w.Header().Add("Set-Cookie", "crème=brûlée; Path=/") // UTF-8 name and value
		w.Header().Add("Set-Cookie", "plain=1; Path=/")
		http.Redirect(w, r, "/echo", http.StatusFound)
	})
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, r.Header.Get("Cookie"))
	})
	return httptest.NewServer(mux)
}

// TestWireCookiesSurvive: the client's jar sees the raw Set-Cookie lines, so
// a nameless cookie and a UTF-8 one come back in the Cookie header, where
// http.Client with net/http/cookiejar keeps only the plain one.
func TestWireCookiesSurvive(t *testing.T) {
	srv := wireServer()
	defer srv.Close()

	c, err := client.New(nil) // the real jar
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Get(context.Background(), srv.URL+"/set")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := readAll(t, resp), "abc; crème=brûlée; plain=1"; got != want {
		t.Errorf("client: Cookie got %q, want %q", got, want)
	}

	std, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: std}
	resp, err = hc.Get(srv.URL + "/set")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := readAll(t, resp), "plain=1"; got != want {
		t.Errorf("net/http/cookiejar: Cookie got %q, want %q (it drops the others)", got, want)
	}
}

func TestBareValueCookie(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/set" {
			w.Header().Add("Set-Cookie", "abc") // no '=': nameless, value "abc"
			return
		}
		fmt.Fprint(w, r.Header.Get("Cookie"))
	}))
	defer srv.Close()
	c, err := client.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Get(context.Background(), srv.URL+"/set")
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, resp)
	resp, err = c.Get(context.Background(), srv.URL+"/echo")
	if err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, resp); got != "abc" {
		t.Errorf("Cookie: got %q, want %q", got, "abc")
	}
}
