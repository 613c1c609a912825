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
	e := newEnv(t, urlOnly)
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

// The middleware of one Manager applied twice with another Manager's in
// between (an application's sessions, a sub-application's own, and the
// application's again on one of its routes) still serves the request's one
// session of that Manager: the inner one looked only at the nearest
// Session, another Manager's, and, with URL rewriting, gave the handler a
// fresh session instead of the URL's.
func TestHandlerTwiceAroundOtherManagerKeepsURLSession(t *testing.T) {
	a := newEnv(t, urlOnly)
	b := newEnv(t, nil)
	var link string
	var inner *session.Session
	h := a.m.Handler(b.m.Handler(a.m.Handler(urlLoginHandler(t, &link, func(s *session.Session) { inner = s }))))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/login", nil))
	if !strings.Contains(link, ";sid=") {
		t.Fatalf("EncodeURL = %q", link)
	}
	if c := rec.Result().Cookies(); len(c) != 0 {
		t.Fatalf("cookies %v: B's session was written to", c)
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", link, nil))
	if got := rec.Body.String(); got != "/next ann" {
		t.Fatalf("body %q, want %q", got, "/next ann")
	}
	if inner == nil || inner.Key() == "" {
		t.Fatal("handler saw no session of a")
	}
}

// EventInvalidated names the principal the session has in the store: once
// the commit has written this request's SetPrincipal (the response has
// started), that is the new one. Invalidate after the commit named the
// principal the session had when the request began.
func TestInvalidateAfterCommitEventNamesWrittenPrincipal(t *testing.T) {
	e, log, id := newAliceLoginEnv(t)
	e.serve(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromRequest(r)
		if err := s.SetPrincipal("bob"); err != nil {
			t.Fatal(err)
		}
		w.WriteHeader(http.StatusOK) // the commit writes bob
		if err := s.Invalidate(); err != nil {
			t.Fatal(err)
		}
	}, withCookie(id))
	log.mu.Lock()
	defer log.mu.Unlock()
	var got []session.Event
	for _, ev := range log.events {
		if ev.Kind == session.EventInvalidated {
			got = append(got, ev)
		}
	}
	if len(got) != 1 || got[0].Principal != "bob" {
		t.Fatalf("invalidated events %+v, want one of bob", got)
	}
}
