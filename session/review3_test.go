package session_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/httpstate/httpstate/session"
)

// A query-only link ("?page=2") leads to the current document, which is
// the browser's URL, not the path the handler sees: under a prefix-stripping
// router (http.StripPrefix in front of the middleware, or a reverse proxy
// mounting the application under /app) the two differ, and a link spelled
// with the handler's path led to another page.
func TestEncodeURLQueryOnlyKeepsDirectory(t *testing.T) {
	e := newEnv(t, func(o *session.Options) { o.URLRewriting = true; o.Cookie.Disabled = true })
	var link, id string
	h := http.StripPrefix("/app", e.m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromRequest(r)
		if err := s.Set("n", 1); err != nil {
			t.Error(err)
		}
		link = s.EncodeURL("?page=2#top")
		id = strings.TrimPrefix(s.EncodeURL("/"), "/;sid=")
	})))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "http://example.com/app/list/a%2Fb", nil))
	base, _ := url.Parse("http://example.com/app/list/a%2Fb")
	ref, err := url.Parse(link)
	if err != nil {
		t.Fatalf("EncodeURL(?page=2#top) = %q: %v", link, err)
	}
	got := base.ResolveReference(ref)
	if want := "/app/list/a%2Fb;sid=" + id; got.EscapedPath() != want || got.RawQuery != "page=2" || got.Fragment != "top" {
		t.Fatalf("EncodeURL(?page=2#top) = %q leads to %q, want %s?page=2#top", link, got, want)
	}
}
