package client_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/httpstate/httpstate/client"
)

// A 503 with Retry-After is retried after the wait the server asked for.
func ExampleRetryPolicy() {
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		if calls == 1 {
			w.Header().Set("Retry-After", "2")
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()

	c, err := client.New(&client.Options{Retry: &client.RetryPolicy{
		MaxAttempts: 3,
		// Print the wait instead of sleeping.
		Sleep: func(_ context.Context, d time.Duration) error {
			fmt.Println("waiting", d)
			return nil
		},
	}})
	if err != nil {
		log.Fatal(err)
	}
	resp, err := c.Get(context.Background(), srv.URL)
	if err != nil {
		log.Fatal(err)
	}
	resp.Body.Close()
	fmt.Println(resp.StatusCode, "after", calls, "calls")
	// Output:
	// waiting 2s
	// 200 after 2 calls
}
