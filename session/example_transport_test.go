package session_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/httpstate/httpstate/session"
	"github.com/httpstate/httpstate/store/memstore"
)

// Example_header serves an API client that keeps the session ID in a
// request header instead of a cookie.
func Example_header() {
	st, _ := memstore.New(nil)
	defer st.Close()
	m, _ := session.New(&session.Options{
		Store:  st,
		Header: "X-Session-Id",
		Cookie: session.CookieOptions{Disabled: true},
	})
	defer m.Close()
	srv := httptest.NewServer(m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := session.Update(session.FromRequest(r), "calls", func(n int, _ bool) (int, error) { return n + 1, nil })
		fmt.Fprint(w, n)
	})))
	defer srv.Close()

	id := ""
	for range 2 {
		req, _ := http.NewRequest("GET", srv.URL, nil)
		if id != "" {
			req.Header.Set("X-Session-Id", id)
		}
		resp, _ := http.DefaultClient.Do(req)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if v := resp.Header.Get("X-Session-Id"); v != "" {
			id = v // issued with the first response
		}
		fmt.Println(string(b), len(resp.Cookies()))
	}
	// Output:
	// 1 0
	// 2 0
}

// ExampleSession_EncodeURL keeps a session for a client without cookies by
// rewriting links with the ";sid=" path parameter.
func ExampleSession_EncodeURL() {
	st, _ := memstore.New(nil)
	defer st.Close()
	m, _ := session.New(&session.Options{Store: st, URLRewriting: true})
	defer m.Close()
	srv := httptest.NewServer(m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromRequest(r)
		n, _ := session.Update(s, "pages", func(n int, _ bool) (int, error) { return n + 1, nil })
		// The handler routes on the clean path; the link carries the ID.
		fmt.Fprintf(w, "%s %d %s", r.URL.Path, n, s.EncodeURL("/next"))
	})))
	defer srv.Close()

	link := "/start"
	for range 2 {
		resp, _ := http.Get(srv.URL + link) // no cookie jar
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		f := strings.Fields(string(b))
		link = f[2]
		fmt.Println(f[0], f[1], strings.HasPrefix(link, "/next;sid="))
	}
	// Output:
	// /start 1 true
	// /next 2 true
}
