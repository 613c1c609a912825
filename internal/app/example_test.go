package app_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/httpstate/httpstate/internal/app"
	"github.com/httpstate/httpstate/store/memstore"
)

// Example serves the reference app on an in-memory store.
func Example() {
	st, err := memstore.New(nil)
	if err != nil {
		panic(err)
	}
	a, err := app.New(&app.Options{Store: st, SampleInterval: -1})
	if err != nil {
		panic(err)
	}
	srv := httptest.NewUnstartedServer(a.Handler())
	srv.Config.RegisterOnShutdown(a.Shutdown) // end the dashboards' event streams
	srv.Start()
	defer a.Close() // after the server: the session manager, then the store
	defer srv.Close()

	resp, err := http.Get(srv.URL + "/cart")
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Print(resp.Status, " ", string(body))
	// Output: 200 OK {"items":[]}
}
