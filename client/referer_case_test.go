package client_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestCallerRefererInAnyCaseKept: a Referer the request set under a key in
// another case ("referer", written into the map, sent as written) is the
// caller's Referer as much as one set with Header.Set: a redirect hop
// carries it alone. net/http, not seeing it, added a second Referer with
// the previous hop's URL (its query too, on a same-origin hop).
func TestCallerRefererInAnyCaseKept(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/a" {
			http.Redirect(w, r, "/b", http.StatusFound)
			return
		}
		fmt.Fprintf(w, "%q", r.Header.Values("Referer"))
	}))
	defer srv.Close()
	c := mustNew(t, nil)
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/a?key=s3cret", nil)
	req.Header["referer"] = []string{"https://app.example.test/page"}
	resp, err := c.Do(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := readAll(t, resp), `["https://app.example.test/page"]`; got != want {
		t.Errorf("Referer on the hop: got %s, want %s", got, want)
	}
}
