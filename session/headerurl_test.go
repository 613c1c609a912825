package session_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/httpstate/httpstate/session"
)

// TestHeaderClientGetsNoURLRewriting: a client that sent the session header
// (any value) carries the ID itself, as one that sent the cookie does:
// EncodeURL leaves its links alone (the ID would leak into logs, history
// and Referer for nothing), and a ";sid=" ID in its URL, which came from
// someone else's link, is not adopted (session fixation), even when its
// header ID is stale.
func TestHeaderClientGetsNoURLRewriting(t *testing.T) {
	e := newEnv(t, func(o *session.Options) {
		o.Header = "X-Session"
		o.URLRewriting = true
	})
	var link string
	var key string
	h := func(w http.ResponseWriter, r *http.Request) {
		s := session.FromRequest(r)
		s.Set("n", 1)
		link = s.EncodeURL("/next")
		key = s.Key()
	}

	// A URL-rewriting client: no cookie, no header. Its link carries the ID.
	rec := e.serve(h, httptest.NewRequest("GET", "/", nil))
	if !strings.Contains(link, ";sid=") {
		t.Fatalf("cookieless client: EncodeURL = %q, want a ;sid= link", link)
	}
	victimLink, victimKey := link, key
	id := rec.Header().Get("X-Session")
	if id == "" {
		t.Fatal("no X-Session header issued")
	}

	// A header client with its live ID.
	req := httptest.NewRequest("GET", "/", nil)
	req.Header.Set("X-Session", id)
	e.serve(h, req)
	if link != "/next" {
		t.Errorf("header client: EncodeURL = %q, want the link unchanged", link)
	}

	// A header client with a stale ID following someone else's ;sid= link.
	req = httptest.NewRequest("GET", victimLink, nil)
	req.Header.Set("X-Session", "stale")
	e.serve(h, req)
	if key == victimKey {
		t.Error("header client adopted the ;sid= ID of its URL")
	}
}
