package client_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/httpstate/httpstate/client"
)

// TestTokenAuthNilSource: TokenAuth(nil) fails every request with an error
// naming the nil TokenSource, sending nothing, instead of panicking with a
// nil dereference on the first request (the panic went up through Do).
func TestTokenAuthNilSource(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
	defer srv.Close()
	c := mustNew(t, &client.Options{Auth: client.TokenAuth(nil)})
	for i := range 2 { // the first failure leaves nothing pending
		resp, err := c.Get(context.Background(), srv.URL)
		if err == nil {
			resp.Body.Close()
			t.Fatalf("request %d succeeded, want an error", i)
		}
		if !strings.Contains(err.Error(), "nil TokenSource") {
			t.Errorf("request %d: got %v, want an error naming the nil TokenSource", i, err)
		}
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("server got %d requests, want none", n)
	}
}
