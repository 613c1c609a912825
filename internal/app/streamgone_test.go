package app

import (
	"bufio"
	"net/http"
	"strings"
	"testing"
)

// TestEventStreamReconnectAfterSessionEnded: a dashboard whose stream
// reconnects after its session ended while it was disconnected (a restart
// of a server on a memory: store, an idle timeout passed during a network
// outage) must be told "gone", as an open stream is. A 403 makes the
// browser's EventSource give up silently, and the page says "reconnecting…"
// forever. A request that is not an EventSource's still gets 403.
func TestEventStreamReconnectAfterSessionEnded(t *testing.T) {
	_, srv := newTestApp(t, storeFactories[0].open(t), nil)
	for _, who := range []string{"", "alice"} {
		c := newClient(t, srv.URL)
		if who != "" {
			c.mustLogin(who, who)
		}
		req, err := http.NewRequest(http.MethodGet, srv.URL+"/dashboard/events", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Accept", "text/event-stream")
		resp, err := c.hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body := make(chan string, 1)
		go func() {
			var sb strings.Builder
			sc := bufio.NewScanner(resp.Body)
			for sc.Scan() {
				sb.WriteString(sc.Text() + "\n")
			}
			body <- sb.String()
		}()
		b := <-body
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream" ||
			!strings.Contains(b, "event: gone\n") {
			t.Errorf("%q: EventSource reconnect without an admin session: status %d, type %q, body %q; want 200 and an event gone",
				who, resp.StatusCode, resp.Header.Get("Content-Type"), b)
		}
		if strings.Contains(b, "event: sessions") {
			t.Errorf("%q: the stream sent sessions to a non-admin", who)
		}
		if r := c.get("/dashboard/events"); r.status != http.StatusForbidden || strings.Contains(r.body, "event:") {
			t.Errorf("%q: a request without Accept: text/event-stream: status %d, body %q; want 403 and no event", who, r.status, r.body)
		}
	}
}
