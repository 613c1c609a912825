package session_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/httpstate/httpstate/session"
)

// A Manager's middleware applied twice (an application wrapping its mux,
// and a sub-router wrapped again) serves the request's one session: with
// URL rewriting, the inner one saw the path the outer had already stripped
// and gave the handler a fresh session instead of the URL's.
func TestHandlerTwiceKeepsURLSession(t *testing.T) {
	e := newEnv(t, urlOnly)
	var link string
	h := e.m.Handler(e.m.Handler(urlLoginHandler(t, &link, nil)))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/login", nil))
	if !strings.Contains(link, ";sid=") {
		t.Fatalf("EncodeURL = %q", link)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", link, nil))
	if got := rec.Body.String(); got != "/next ann" {
		t.Fatalf("body %q, want %q", got, "/next ann")
	}
}

// urlLoginHandler returns a handler that, for /login, sets the session's
// user to ann and stores in *link the URL EncodeURL gives for /next, and for
// any other path writes the path and the session's user; seen, if not nil,
// is given every request's Session.
func urlLoginHandler(t testing.TB, link *string, seen func(*session.Session)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s := session.FromRequest(r)
		if seen != nil {
			seen(s)
		}
		if r.URL.Path == "/login" {
			if err := s.Set("user", "ann"); err != nil {
				t.Error(err)
			}
			*link = s.EncodeURL("/next")
			return
		}
		u, _, err := session.Get[string](s, "user")
		if err != nil {
			t.Error(err)
		}
		io.WriteString(w, r.URL.Path+" "+u)
	}
}

// MaxPerPrincipal is a security cap a Manager with a Codec cannot enforce
// (cookie-held sessions cannot be listed or revoked): New refuses the pair
// rather than accept the cap and silently never apply it.
func TestNewRejectsCodecWithMaxPerPrincipal(t *testing.T) {
	m, err := session.New(&session.Options{Codec: jsonCodec{}, MaxPerPrincipal: 1})
	if err == nil {
		m.Close()
		t.Fatal("New(Codec, MaxPerPrincipal: 1) = nil error, want one")
	}
}

// A cookie-held session too large for its cookies is reported with its
// encoded size: the error said "encoded session of 1 bytes" (the number of
// attributes), misleading whoever reads the log.
func TestCodecTooLargeReportsEncodedSize(t *testing.T) {
	var got error
	m, _ := newCodecManager(t, func(o *session.Options) {
		o.ErrorHandler = func(w http.ResponseWriter, r *http.Request, err error) {
			got = err
			w.WriteHeader(http.StatusInternalServerError)
		}
	})
	m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		session.FromRequest(r).Set("blob", strings.Repeat("x", 5000))
	})).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	if got == nil {
		t.Fatal("no error")
	}
	sub := regexp.MustCompile(`of (\d+) bytes`).FindStringSubmatch(got.Error())
	if sub == nil {
		t.Fatalf("error %q names no size", got)
	}
	if n, _ := strconv.Atoi(sub[1]); n <= 5000 {
		t.Fatalf("error %q: size %d, want the encoded size (over 5000)", got, n)
	}
}

// TestCodecSessionHeldAfterReturnSeesNoOtherRequest is
// TestSessionHeldAfterReturnSeesNoOtherRequest for cookie-held sessions: a
// new session's record kept the pending-changes map as its attributes after
// release recycled it, so a stale Session showed (and raced on) the
// attributes of a later request.
func TestCodecSessionHeldAfterReturnSeesNoOtherRequest(t *testing.T) {
	m, _ := newCodecManager(t, nil)
	checkHeldSessionSeesOnlyOwn(t, m, nil)
}

// FuzzEncodeURL checks EncodeURL against the middleware's stripping: a
// rewritten link keeps its scheme, host, query and fragment, and a request
// for it reaches the handler with the path the original link had (as the
// middleware strips it) and with the session whose ID was added.
func FuzzEncodeURL(f *testing.F) {
	for _, u := range []string{
		"/", "/a/b?q=1#f", "/a;sid=x/b", "/a%3Bsid=x/b", "/a%2Fb;c=d", "http://example.com/x",
		"https://example.com", "//example.com/a b", "/%zz", "/a|b\"c", "/;sid=;sid=", "?q", "#f",
		"/a%25;sid=AAAA/b", "/caf%C3%A9;x", "/a/../b;sid=/c", "mailto:x@example.com", "/a/..", "/a/.;sid=x",
		"?", "?q#f", "x", "../x?q", ".", "..", "a:b", "./;sid=x",
	} {
		f.Add(u)
	}
	e := newEnv(f, urlOnly)
	var id, key string
	e.serve(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromRequest(r)
		s.Set("n", 1)
		key = s.Key()
		id = strings.TrimPrefix(s.EncodeURL("/"), "/;sid=")
	}, httptest.NewRequest("GET", "http://example.com/", nil))
	if session.Key(id) != key {
		f.Fatalf("EncodeURL(/) gave no ID")
	}
	// strip resolves the link ref as a browser would on the page
	// /d/page;sid=ID, where EncodeURL runs (dot segments removed, RFC 3986
	// section 5.2), serves it through the middleware and returns the path
	// the handler sees and the session's key.
	page := "http://example.com/d/page;sid=" + id
	base, _ := url.Parse(page)
	strip := func(t *testing.T, ref string) (path, rawPath, skey string, ok bool) {
		pr, err := url.Parse(ref)
		if err != nil {
			return "", "", "", false
		}
		req, err := http.NewRequest("GET", base.ResolveReference(pr).String(), nil)
		if err != nil || req.URL.Host != "example.com" {
			return "", "", "", false
		}
		req.RequestURI = req.URL.RequestURI()
		e.serve(func(w http.ResponseWriter, r *http.Request) {
			// The path as sent (RawPath when it spells Path), which
			// EscapedPath would re-encode when it holds octets such as ' '.
			path, rawPath = r.URL.Path, r.URL.EscapedPath()
			if p, err := url.PathUnescape(r.URL.RawPath); err == nil && r.URL.RawPath != "" && p == path {
				rawPath = r.URL.RawPath
			}
			skey = session.FromRequest(r).Key()
		}, req)
		return path, rawPath, skey, true
	}
	f.Fuzz(func(t *testing.T, u string) {
		var out string
		e.serve(func(w http.ResponseWriter, r *http.Request) {
			out = session.FromRequest(r).EncodeURL(u)
		}, httptest.NewRequest("GET", page, nil))
		if out == u {
			return
		}
		pu, err := url.Parse(u)
		if err != nil {
			t.Fatalf("EncodeURL(%q) = %q: rewrote an unparsable URL", u, out)
		}
		po, err := url.Parse(out)
		if err != nil {
			t.Fatalf("EncodeURL(%q) = %q: %v", u, out, err)
		}
		if po.Scheme != pu.Scheme || po.Host != pu.Host || po.RawQuery != pu.RawQuery || po.Fragment != pu.Fragment {
			t.Fatalf("EncodeURL(%q) = %q: scheme, host, query or fragment changed", u, out)
		}
		if pu.Host == "" && strings.HasPrefix(strings.ReplaceAll(strings.TrimLeft(out, " "), `\`, "/"), "//") {
			t.Fatalf("EncodeURL(%q) = %q: browsers read a host in it", u, out)
		}
		if !strings.Contains(out, ";sid="+id) {
			t.Fatalf("EncodeURL(%q) = %q: no ID", u, out)
		}
		if pu.Scheme != "" || pu.Host != "" || strings.HasPrefix(u, "//") {
			return // relative references only: they resolve against the page
		}
		wantPath, wantRaw, _, ok1 := strip(t, u)
		gotPath, gotRaw, gotKey, ok2 := strip(t, out)
		if !ok1 || !ok2 {
			return
		}
		if gotKey != key {
			t.Fatalf("EncodeURL(%q) = %q: a request for it has session %q, want %q", u, out, gotKey, key)
		}
		// Go keeps the original's escapes only when it can spell the path
		// with them ("/ %3B" becomes "/%20;", a separator a browser would
		// not send): the original's request then is not the browser's.
		sent, _, _ := strings.Cut(u, "#")
		sent, _, _ = strings.Cut(sent, "?")
		if pu.EscapedPath() != sent || strings.Contains(strings.ToLower(u), "%2e") {
			return // (and "%2e" is a dot segment to browsers, data to Go)
		}
		// dropDots: "." segments the request already had ("/a/./b")
		// mean nothing; a link whose stripping would make a dot segment
		// (".;sid=x") is left unchanged, so it never gets here.
		if dropDots(gotPath) != dropDots(wantPath) || dropDots(normEscapes(gotRaw)) != dropDots(normEscapes(wantRaw)) {
			t.Fatalf("EncodeURL(%q) = %q: handler sees %q (%q), the original %q (%q)", u, out, gotPath, gotRaw, wantPath, wantRaw)
		}
	})
}

// normEscapes decodes the escapes of an escaped path that do not matter to
// its meaning (all but those of '/', ';' and '%'), so two spellings of one
// path compare equal and an escaped separator stays distinct.
func normEscapes(p string) string {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		if p[i] == '%' && i+2 < len(p) {
			if v, err := strconv.ParseUint(p[i+1:i+3], 16, 8); err == nil {
				if c := byte(v); c != '/' && c != ';' && c != '%' {
					b.WriteByte(c)
				} else {
					b.WriteString(strings.ToUpper(p[i : i+3]))
				}
				i += 2
				continue
			}
		}
		b.WriteByte(p[i])
	}
	return b.String()
}

// EncodeURL never makes a link that names another host: removing an old
// ";sid=" parameter from "/;sid=x//evil.example/p" left "//evil.example/p",
// a network-path reference, and the link (or http.Redirect's Location)
// took the ID to evil.example; "///evil.example/p" and backslash spellings,
// which browsers read as another host, were rewritten too.
func TestEncodeURLNeverNamesAnotherHost(t *testing.T) {
	e := newEnv(t, urlOnly)
	for _, tt := range []struct{ in, want, path string }{
		{in: "/;sid=x//evil.example/p", path: "///evil.example/p"},
		{in: "/;sid=/evil.example/p", path: "//evil.example/p"},
		{in: "/;sid=a;sid=b//evil.example", path: "///evil.example"},
		{in: ";sid=x//evil.example/p"},
		{in: "///evil.example/p", want: "///evil.example/p"},
		{in: `/\evil.example/p`, want: `/\evil.example/p`},
		{in: `\\evil.example/p`, want: `\\evil.example/p`},
		{in: " //evil.example/p", want: " //evil.example/p"},
		{in: "http:///evil.example/p", want: "http:///evil.example/p"},
	} {
		var out string
		e.serve(func(w http.ResponseWriter, r *http.Request) {
			s := session.FromRequest(r)
			s.Set("n", 1)
			out = s.EncodeRedirectURL(tt.in)
		}, httptest.NewRequest("GET", "http://example.com/", nil))
		if tt.want != "" {
			if out != tt.want {
				t.Errorf("EncodeURL(%q) = %q, want it unchanged", tt.in, out)
			}
			continue
		}
		po, err := url.Parse(out)
		if err != nil || po.Host != "" || strings.HasPrefix(out, "//") || !strings.Contains(out, ";sid=") {
			t.Errorf("EncodeURL(%q) = %q (host %q, %v): want a same-host link with the ID", tt.in, out, po.Host, err)
			continue
		}
		if tt.path == "" {
			continue
		}
		// A request for the link (the browser removes the dot segment of
		// "/.//p" before it sends it) reaches the path the original link
		// meant.
		var got string
		e.serve(func(w http.ResponseWriter, r *http.Request) { got = r.URL.Path },
			httptest.NewRequest("GET", "http://example.com"+browserPath(out), nil))
		if got != tt.path {
			t.Errorf("EncodeURL(%q) = %q: served path %q, want %q", tt.in, out, got, tt.path)
		}
	}
}

// browserPath removes the dot segment of a path "/.//p", as browsers do
// before they send it (the WHATWG URL parser).
func browserPath(p string) string {
	if strings.HasPrefix(p, "/.//") {
		return p[2:]
	}
	return p
}

// The default ErrorHandler's answer replaces the handler's response, so it
// does not carry the caching headers the handler set for that response:
// a "Cache-Control: public, max-age=3600" left on the 503 of a brief store
// outage let shared caches serve the error for an hour.
func TestDefaultErrorHandlerResponseNotCached(t *testing.T) {
	e := newEnv(t, nil)
	id := e.newSession(t)
	e.store.fail.Store(true)
	rec := e.serve(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Cache-Control", "public, max-age=3600")
		h.Set("ETag", `"v1"`)
		h.Set("Last-Modified", "Sun, 01 Mar 2026 12:00:00 GMT")
		session.FromRequest(r).Get("n", new(int))
		w.Write([]byte("page"))
	}, withCookie(id))
	if rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("code %d, want 503", rec.Code)
	}
	h := rec.Header()
	if cc := h.Values("Cache-Control"); len(cc) != 1 || cc[0] != "no-store" {
		t.Errorf("Cache-Control %q, want no-store", cc)
	}
	for _, k := range []string{"ETag", "Last-Modified"} {
		if v := h.Get(k); v != "" {
			t.Errorf("%s: %q kept on the error response", k, v)
		}
	}
}

// EventInvalidated names the principal the ended session had in the store,
// not one this request set and never wrote: a Listener counting each
// user's sessions took bob's for alice's.
func TestInvalidateEventNamesStoredPrincipal(t *testing.T) {
	e, log, id := newAliceLoginEnv(t)
	e.serve(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromRequest(r)
		if err := s.SetPrincipal("bob"); err != nil {
			t.Fatal(err)
		}
		if err := s.Invalidate(); err != nil {
			t.Fatal(err)
		}
	}, withCookie(id))
	log.mu.Lock()
	defer log.mu.Unlock()
	if len(log.events) != 1 || log.events[0].Kind != session.EventInvalidated || log.events[0].Principal != "alice" {
		t.Fatalf("events %+v, want one invalidated of alice", log.events)
	}
}

// EncodeURL keeps a link to "." or ".." (a dot segment, RFC 3986 section
// 5.2.4, also spelled "%2e" by the WHATWG URL parser) pointing where it
// did: "..;sid=ID" is no dot segment but a file named "..;sid=ID", which the
// middleware stripped to a ".." the handler saw (and ServeMux answered with
// a redirect that dropped the ID).
func TestEncodeURLDotSegments(t *testing.T) {
	e := newEnv(t, urlOnly)
	base, _ := url.Parse("http://example.com/a/b/page")
	for _, in := range []string{".", "..", "/a/.", "/a/..", "x/..", "../..", "%2e", "%2E%2e", ".%2e", "./", "../", "..x"} {
		var out, id string
		e.serve(func(w http.ResponseWriter, r *http.Request) {
			s := session.FromRequest(r)
			s.Set("n", 1)
			out = s.EncodeURL(in)
			id = strings.TrimPrefix(s.EncodeURL("/"), "/;sid=")
		}, httptest.NewRequest("GET", "http://example.com/", nil))
		want := in
		if last := in[strings.LastIndexByte(in, '/')+1:]; last != "" && strings.Trim(strings.ReplaceAll(strings.ToLower(last), "%2e", "."), ".") == "" && len(strings.ReplaceAll(strings.ToLower(last), "%2e", ".")) <= 2 {
			want += "/"
		}
		want += ";sid=" + id
		if out != want {
			t.Errorf("EncodeURL(%q) = %q, want %q", in, out, want)
			continue
		}
		// Where the link leads once the ID is stripped (RFC 3986
		// resolution; Go's resolves "%2e" as data, not as a dot).
		if strings.Contains(strings.ToLower(in), "%2e") {
			continue
		}
		ref, _ := url.Parse(in)
		got, _ := url.Parse(out)
		gotPath := strings.TrimSuffix(base.ResolveReference(got).EscapedPath(), ";sid="+id)
		if wantPath := base.ResolveReference(ref).EscapedPath(); gotPath != wantPath {
			t.Errorf("EncodeURL(%q) = %q leads to %q, the link to %q", in, out, gotPath, wantPath)
		}
	}
}

// dropDots removes the dot segments of an absolute path (RFC 3986 section
// 5.2.4).
func dropDots(p string) string {
	segs := strings.Split(p, "/")
	out := []string{}
	for i, seg := range segs {
		last := i == len(segs)-1
		switch seg {
		case ".":
			if last {
				out = append(out, "")
			}
		case "..":
			if len(out) > 1 {
				out = out[:len(out)-1]
			}
			if last {
				out = append(out, "")
			}
		default:
			out = append(out, seg)
		}
	}
	return strings.Join(out, "/")
}

// A query-only link ("?page=2") on a page a cookieless client reached with
// a stale or renewed ID led, as browsers resolve it, to the current URL with
// that old ID, and the client lost its session: EncodeURL spells out the
// request's path with the current ID.
func TestEncodeURLQueryOnlyCarriesCurrentID(t *testing.T) {
	e := newEnv(t, urlOnly)
	var link, id string
	e.serve(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromRequest(r)
		if err := s.Renew(); err != nil { // a login on a new session
			t.Fatal(err)
		}
		link = s.EncodeURL("?page=2#top")
		id = strings.TrimPrefix(s.EncodeURL("/"), "/;sid=")
	}, httptest.NewRequest("GET", "http://example.com/list/a%2Fb;sid="+strings.Repeat("A", 43), nil))
	if want := "./a%2Fb;sid=" + id + "?page=2#top"; link != want {
		t.Fatalf("EncodeURL(?page=2#top) = %q, want %q", link, want)
	}
}

// anonIndexStore lists every anonymous session under the principal "", as a
// Store might if nothing told it otherwise.
type anonIndexStore struct {
	*countingStore
	anon []session.Meta
}

func (s *anonIndexStore) ByPrincipal(ctx context.Context, p string) ([]session.Meta, error) {
	if p == "" {
		return s.anon, nil
	}
	return s.countingStore.ByPrincipal(ctx, p)
}

// "" is no principal: InvalidatePrincipal("") (say, an admin form sent
// with an empty user name) ends nothing and ByPrincipal("") lists nothing,
// whatever the store lists under "", rather than log out every anonymous
// visitor.
func TestEmptyPrincipalIsNoPrincipal(t *testing.T) {
	e := newEnv(t, nil)
	id := e.newSession(t)
	st := &anonIndexStore{countingStore: e.store, anon: []session.Meta{{Key: session.Key(id)}}}
	m, err := session.New(&session.Options{Store: st, Now: e.clock.Now, SweepInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	ctx := context.Background()
	if ms, err := m.ByPrincipal(ctx, ""); err != nil || len(ms) != 0 {
		t.Errorf("ByPrincipal(\"\") = %v, %v; want none", ms, err)
	}
	if n, err := m.InvalidatePrincipal(ctx, ""); err != nil || n != 0 {
		t.Errorf("InvalidatePrincipal(\"\") = %d, %v; want 0", n, err)
	}
	if _, found, _ := e.mem.Load(ctx, session.Key(id)); !found {
		t.Error("InvalidatePrincipal(\"\") ended an anonymous session")
	}
}

// A commit that fails after this request renamed the session (Renew, at
// login) still hands the client the new ID with the 503: the old ID is dead
// in the store, so the client lost the session, and what it held (a cart),
// to one failed Save.
func TestFailedCommitAfterRenewKeepsSession(t *testing.T) {
	for _, when := range []string{"save", "update"} {
		t.Run(when, func(t *testing.T) {
			e := newEnv(t, nil)
			id := e.newSession(t) // n=1
			rec := e.serve(func(w http.ResponseWriter, r *http.Request) {
				s := session.FromRequest(r)
				if err := s.Renew(); err != nil {
					t.Fatal(err)
				}
				e.store.fail.Store(true)
				if when == "update" {
					if _, err := session.Update(s, "n", func(n int, _ bool) (int, error) { return n + 1, nil }); err == nil {
						t.Fatal("Update on a failing store succeeded")
					}
				}
				s.SetPrincipal("ann")
			}, withCookie(id))
			e.store.fail.Store(false)
			if rec.Code != http.StatusServiceUnavailable {
				t.Fatalf("code %d, want 503", rec.Code)
			}
			cs := rec.Result().Cookies()
			if len(cs) != 1 || cs[0].Name != "sid" || cs[0].Value == id || cs[0].MaxAge < 0 {
				t.Fatalf("cookies %v, want the renewed sid", cs)
			}
			if got := e.serve(counter, withCookie(cs[0].Value)); got.Body.String() != "2" {
				t.Fatalf("next request with the new cookie: body %q, want 2 (the session kept)", got.Body.String())
			}
		})
	}
}

// The ID header cannot be one of the cookie headers: with Header
// "Set-Cookie", issuing an ID replaced every Set-Cookie line the handler
// had set (a CSRF cookie) with the bare ID, a nameless cookie to browsers.
func TestNewRejectsCookieHeaderAsIDHeader(t *testing.T) {
	for _, h := range []string{"Set-Cookie", "cookie", "Set-Cookie2"} {
		m, err := session.New(&session.Options{Store: &countingStore{}, Header: h})
		if err == nil {
			m.Close()
			t.Errorf("New(Header: %q) = nil error, want one", h)
		}
	}
}

// A cookie-held session lives only in its cookie: once the response has
// started, Invalidate can neither expire the cookie nor delete anything, so
// it is refused with ErrCommitted, like the buffered changes. It reported a
// logout that never happened (and emitted EventInvalidated) while the
// session stayed valid in the browser.
func TestCodecInvalidateAfterCommitRefused(t *testing.T) {
	var log eventLog
	m, _ := newCodecManager(t, func(o *session.Options) { o.Listeners = []session.Listener{log.listen} })
	h := m.Handler(http.HandlerFunc(counter))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	cs := rec.Result().Cookies()
	if len(cs) != 1 {
		t.Fatalf("cookies %v", cs)
	}
	log.reset()
	req := httptest.NewRequest("GET", "/", nil)
	req.AddCookie(cs[0])
	rec = httptest.NewRecorder()
	m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromRequest(r)
		if _, _, err := session.Get[int](s, "n"); err != nil {
			t.Fatal(err)
		}
		w.WriteHeader(http.StatusOK)
		if err := s.Invalidate(); !errors.Is(err, session.ErrCommitted) {
			t.Errorf("Invalidate after the commit = %v, want ErrCommitted", err)
		}
	})).ServeHTTP(rec, req)
	if k := log.kinds(); k != "" {
		t.Errorf("events %q, want none", k)
	}
}

// A handler that panics after Renew (a login whose page then fails to
// render) loses no session: the store has already renamed it and the old
// ID is dead, so the answer a recovering middleware in front writes carries
// the new ID. The changes buffered for the commit are dropped.
func TestPanicAfterRenewKeepsSession(t *testing.T) {
	e := newEnv(t, nil)
	id := e.newSession(t) // n=1
	recoverer := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			defer func() {
				if recover() != nil {
					http.Error(w, "oops", http.StatusInternalServerError)
				}
			}()
			h.ServeHTTP(w, r)
		})
	}
	rec := httptest.NewRecorder()
	recoverer(e.m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromRequest(r)
		if err := s.Renew(); err != nil {
			t.Fatal(err)
		}
		s.Set("n", 100)
		panic("template failed")
	}))).ServeHTTP(rec, withCookie(id))
	cs := rec.Result().Cookies()
	if rec.Code != 500 || len(cs) != 1 || cs[0].Value == id {
		t.Fatalf("code %d cookies %v, want 500 with the renewed sid", rec.Code, cs)
	}
	if got := e.serve(counter, withCookie(cs[0].Value)); got.Body.String() != "2" {
		t.Fatalf("next request with the new cookie: body %q, want 2 (the session kept, the buffered Set dropped)", got.Body.String())
	}
}
