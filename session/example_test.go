package session_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"

	"github.com/httpstate/httpstate/session"
	"github.com/httpstate/httpstate/store/memstore"
)

// Example counts a visitor's requests in a session.
func Example() {
	st, _ := memstore.New(nil)
	defer st.Close()
	m, err := session.New(&session.Options{Store: st})
	if err != nil {
		panic(err)
	}
	defer m.Close()

	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromRequest(r)
		n, _, err := session.Get[int](s, "visits")
		if err != nil {
			return // the ErrorHandler answers 503
		}
		s.Set("visits", n+1)
		fmt.Fprintf(w, "visit %d", n+1)
	}))
	srv := httptest.NewTLSServer(h)
	defer srv.Close()
	client := srv.Client()
	client.Jar, _ = cookiejar.New(nil)

	for range 3 {
		resp, _ := client.Get(srv.URL)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Println(string(b))
	}
	// Output:
	// visit 1
	// visit 2
	// visit 3
}

// Example_login renews the session ID and attaches the user at login, and
// invalidates the session at logout.
func Example_login() {
	st, _ := memstore.New(nil)
	defer st.Close()
	m, _ := session.New(&session.Options{Store: st})
	defer m.Close()

	mux := http.NewServeMux()
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		s := session.FromRequest(r)
		if err := s.Renew(); err != nil { // defeats session fixation
			return
		}
		s.SetPrincipal(r.FormValue("user"))
	})
	mux.HandleFunc("POST /logout", func(w http.ResponseWriter, r *http.Request) {
		session.FromRequest(r).Invalidate()
	})
	mux.HandleFunc("GET /me", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "user=%q", session.FromRequest(r).Principal())
	})
	srv := httptest.NewTLSServer(m.Handler(mux))
	defer srv.Close()
	client := srv.Client()
	client.Jar, _ = cookiejar.New(nil)

	show := func() {
		resp, _ := client.Get(srv.URL + "/me")
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Println(string(b))
	}
	client.Post(srv.URL+"/login", "application/x-www-form-urlencoded", strings.NewReader("user=alice"))
	show()
	client.Post(srv.URL+"/logout", "", nil)
	show()
	// Output:
	// user="alice"
	// user=""
}

// ExampleUpdate appends to a list atomically in the store: concurrent
// requests never lose an item.
func ExampleUpdate() {
	st, _ := memstore.New(nil)
	defer st.Close()
	m, _ := session.New(&session.Options{Store: st})
	defer m.Close()

	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cart, err := session.Update(session.FromRequest(r), "cart", func(old []string, _ bool) ([]string, error) {
			return append(old, r.URL.Query().Get("item")), nil
		})
		if err != nil {
			return
		}
		fmt.Fprint(w, strings.Join(cart, ","))
	}))
	srv := httptest.NewTLSServer(h)
	defer srv.Close()
	client := srv.Client()
	client.Jar, _ = cookiejar.New(nil)
	for _, item := range []string{"book", "pen"} {
		resp, _ := client.Get(srv.URL + "/?item=" + item)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Println(string(b))
	}
	// Output:
	// book
	// book,pen
}

// ExampleManager_InvalidatePrincipal logs a user out everywhere.
func ExampleManager_InvalidatePrincipal() {
	st, _ := memstore.New(nil)
	defer st.Close()
	m, _ := session.New(&session.Options{Store: st, Listeners: []session.Listener{
		func(_ context.Context, e session.Event) {
			if e.Kind == session.EventInvalidated {
				fmt.Println("invalidated a session of", e.Principal)
			}
		},
	}})
	defer m.Close()
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		session.FromRequest(r).SetPrincipal("bob")
	}))
	for range 2 { // two devices
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	}
	n, err := m.InvalidatePrincipal(context.Background(), "bob")
	fmt.Println(n, err)
	// Output:
	// invalidated a session of bob
	// invalidated a session of bob
	// 2 <nil>
}
