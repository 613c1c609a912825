package app

import (
	"bufio"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestEventStreamKeepAliveLongPoll: an idle event stream sends a comment
// line every keepAlive, so proxies do not time it out, even when
// PollInterval is longer than that and nothing happens.
func TestEventStreamKeepAliveLongPoll(t *testing.T) {
	_, srv := newTestAppWith(t, storeFactories[0].open(t), func(o *Options) { o.PollInterval = time.Hour },
		func(a *App) { a.keepAlive = 100 * time.Millisecond })
	admin := newClient(t, srv.URL)
	admin.mustLogin("admin", "admin")
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL+"/dashboard/events", nil)
	if err != nil {
		t.Fatal(err)
	}
	hc := *admin.hc
	hc.Timeout = 0
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), ":") {
				got <- sc.Text()
				return
			}
		}
	}()
	select {
	case line := <-got:
		if line != ": keep-alive" {
			t.Errorf("comment %q, want \": keep-alive\"", line)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no keep-alive comment within 10s with keepAlive 100ms and PollInterval 1h")
	}
}
