package client_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/httpstate/httpstate/client"
)

// tokens is a TokenSource whose first token has expired.
type tokens struct{}

func (tokens) Token(context.Context) (string, error) { return "expired", nil }
func (tokens) Refresh(_ context.Context, stale string) (string, error) {
	fmt.Println("refreshing", stale)
	return "fresh", nil
}

// A 401 makes the client refresh the token and replay the request.
func ExampleTokenAuth() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer fresh" {
			w.WriteHeader(http.StatusUnauthorized)
		}
	}))
	defer srv.Close()

	c, err := client.New(&client.Options{Auth: client.TokenAuth(tokens{})})
	if err != nil {
		log.Fatal(err)
	}
	resp, err := c.Get(context.Background(), srv.URL)
	if err != nil {
		log.Fatal(err)
	}
	resp.Body.Close()
	fmt.Println(resp.StatusCode)
	// Output:
	// refreshing expired
	// 200
}
