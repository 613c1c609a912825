package client_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"

	"github.com/httpstate/httpstate/client"
)

// A session saved by one client (cookies, headers, auth) is picked up by
// another, e.g. in the next run of a program.
func ExampleClient_Save() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/login" {
			http.SetCookie(w, &http.Cookie{Name: "sid", Value: "42", MaxAge: 3600})
			return
		}
		user, _, _ := r.BasicAuth()
		fmt.Fprintf(w, "%s as %s, team %s", r.Header.Get("Cookie"), user, r.Header.Get("X-Team"))
	}))
	defer srv.Close()
	dir, err := os.MkdirTemp("", "session")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "session.json")
	ctx := context.Background()

	first, err := client.New(&client.Options{
		Auth:   client.Basic("ann", "secret"),
		Header: http.Header{"X-Team": {"blue"}},
	})
	if err != nil {
		log.Fatal(err)
	}
	resp, err := first.Get(ctx, srv.URL+"/login")
	if err != nil {
		log.Fatal(err)
	}
	resp.Body.Close()
	if err := first.Save(path); err != nil {
		log.Fatal(err)
	}
	fmt.Println(first) // secrets redacted

	second, err := client.New(nil)
	if err != nil {
		log.Fatal(err)
	}
	if err := second.Load(path); err != nil {
		log.Fatal(err)
	}
	resp, err = second.Get(ctx, srv.URL+"/me")
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(string(body))
	// Output:
	// client.Client{BaseURL: "", Header: [User-Agent X-Team], Auth: Basic ann:REDACTED}
	// sid=42 as ann, team blue
}
