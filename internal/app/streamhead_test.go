package app

import (
	"net/http"
	"testing"
	"time"
)

// TestEventStreamHead: a HEAD of the event stream gets the stream's header
// and ends: a HEAD response has no body, so nothing the stream would write
// could reach the client, and a client that keeps the connection open must
// not hold a stream (its goroutine, hub subscription and store polls) for as
// long as the connection lives.
func TestEventStreamHead(t *testing.T) {
	a, srv := newTestApp(t, storeFactories[0].open(t), nil)
	admin := newClient(t, srv.URL)
	admin.mustLogin("admin", "admin")

	req, err := http.NewRequest(http.MethodHead, srv.URL+"/dashboard/events", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "text/event-stream")
	r := admin.do(req)
	if r.status != http.StatusOK || r.header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("HEAD /dashboard/events: status %d, Content-Type %q; want 200 text/event-stream", r.status, r.header.Get("Content-Type"))
	}
	// The connection stays open in the client's pool: a stream run for the
	// HEAD would last as long as it. 10s is a safety net for a loaded
	// machine, not a timing: the stream ends at once.
	deadline := time.Now().Add(10 * time.Second)
	for {
		a.hub.mu.Lock()
		n := len(a.hub.subs)
		a.hub.mu.Unlock()
		if n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("a HEAD of the event stream still holds a stream after 10s (%d subscribed)", n)
		}
		time.Sleep(10 * time.Millisecond)
	}
	// The connection serves the next request at once.
	if r := admin.get("/"); r.status != http.StatusOK {
		t.Errorf("GET / after the HEAD: status %d", r.status)
	}
}
