package client_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/httpstate/httpstate/client"
)

// A login sets a session cookie; later requests, relative to the base URL,
// send it back along with the default headers.
func Example() {
	mux := http.NewServeMux()
	mux.HandleFunc("/api/login", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "sid", Value: "42", Path: "/"})
	})
	mux.HandleFunc("/api/me", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "cookie %s, accept %s", r.Header.Get("Cookie"), r.Header.Get("Accept"))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	c, err := client.New(&client.Options{
		BaseURL: srv.URL + "/api/",
		Header:  http.Header{"Accept": {"application/json"}},
	})
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	for _, path := range []string{"login", "me"} {
		resp, err := c.Get(ctx, path)
		if err != nil {
			log.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Printf("%s: %d %q\n", path, resp.StatusCode, body)
	}
	// Output:
	// login: 200 ""
	// me: 200 "cookie sid=42, accept application/json"
}
