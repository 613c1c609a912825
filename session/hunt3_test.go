package session_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/httpstate/httpstate/session"
)

// A Manager's middleware applied twice (an application wrapping its mux,
// and a sub-router wrapped again) serves the request's one session: with
// URL rewriting, the inner one saw the path the outer had already stripped
// and gave the handler a fresh session instead of the URL's.
func TestHandlerTwiceKeepsURLSession(t *testing.T) {
	e := newEnv(t, func(o *session.Options) { o.URLRewriting = true; o.Cookie.Disabled = true })
	var link string
	h := e.m.Handler(e.m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromRequest(r)
		if r.URL.Path == "/login" {
			if err := s.Set("user", "ann"); err != nil {
				t.Error(err)
			}
			link = s.EncodeURL("/next")
			return
		}
		u, _, err := session.Get[string](s, "user")
		if err != nil {
			t.Error(err)
		}
		io.WriteString(w, r.URL.Path+" "+u)
	})))
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
	var wg sync.WaitGroup
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromRequest(r)
		own := r.URL.Query().Get("a")
		if err := s.Set(own, own); err != nil {
			t.Error(err)
			return
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 50 {
				keys, err := s.Keys()
				if err != nil {
					t.Error(err)
					return
				}
				for _, k := range keys {
					if k != own {
						t.Errorf("stale session of %s shows %s", own, k)
						return
					}
				}
			}
		}()
	}))
	var clients sync.WaitGroup
	for c := range 4 {
		clients.Add(1)
		go func() {
			defer clients.Done()
			for i := range 50 {
				a := "c" + strconv.Itoa(c) + "r" + strconv.Itoa(i)
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, httptest.NewRequest("GET", "/?a="+a, nil))
				if rec.Code != http.StatusOK {
					t.Errorf("%s: status %d", a, rec.Code)
				}
			}
		}()
	}
	clients.Wait()
	wg.Wait()
}
