package csrf_test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/httpstate/httpstate/csrf"
	"github.com/httpstate/httpstate/session"
	"github.com/httpstate/httpstate/store/memstore"
)

// app is a test server: a session manager around a Protector around a mux
// with a form page, a token endpoint and a state-changing handler that
// counts its runs.
type app struct {
	srv     *httptest.Server
	hits    atomic.Int64 // runs of the protected POST handler
	lastErr atomic.Value // last error the ErrorHandler saw
}

// newSessionApp starts the session-bound configuration over TLS.
func newSessionApp(t testing.TB, o *csrf.Options) *app {
	t.Helper()
	st, err := memstore.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	m, err := session.New(&session.Options{Store: st, SweepInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	a := &app{}
	p := a.protector(t, o)
	a.srv = httptest.NewTLSServer(m.Handler(p.Handler(a.mux(p))))
	t.Cleanup(a.srv.Close)
	return a
}

func (a *app) protector(t testing.TB, o *csrf.Options) *csrf.Protector {
	t.Helper()
	var opt csrf.Options
	if o != nil {
		opt = *o
	}
	if opt.ErrorHandler == nil {
		opt.ErrorHandler = func(w http.ResponseWriter, r *http.Request, err error) {
			a.lastErr.Store(errBox{err})
			http.Error(w, "forbidden", http.StatusForbidden)
		}
	}
	p, err := csrf.New(&opt)
	if err != nil {
		t.Fatalf("csrf.New: %v", err)
	}
	return p
}

func (a *app) mux(p *csrf.Protector) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/form", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, string(csrf.TemplateField(r)))
	})
	mux.HandleFunc("/rotate", func(w http.ResponseWriter, r *http.Request) {
		if err := csrf.Rotate(r); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		io.WriteString(w, csrf.Token(r))
	})
	mux.Handle("/token", p.TokenHandler())
	mux.HandleFunc("/renew", func(w http.ResponseWriter, r *http.Request) {
		if err := session.FromRequest(r).Renew(); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
	})
	mux.HandleFunc("/secret", func(w http.ResponseWriter, r *http.Request) {
		// Test-only peek at the session-bound secret.
		var b []byte
		if s := session.FromRequest(r); s != nil {
			s.Get(csrf.SessionAttr, &b)
		}
		io.WriteString(w, base64.RawURLEncoding.EncodeToString(b))
	})
	mux.HandleFunc("/transfer", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			a.hits.Add(1)
		}
		io.WriteString(w, "done")
	})
	return mux
}

// err returns the last error the ErrorHandler saw.
func (a *app) err() error {
	e, _ := a.lastErr.Load().(errBox)
	return e.err
}

// errBox gives atomic.Value one concrete type.
type errBox struct{ err error }

// client is one browser: its own cookie jar.
func (a *app) client(t testing.TB) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	c := *a.srv.Client()
	c.Jar = jar
	return &c
}

// fetchToken GETs /token and returns the token.
func fetchToken(t testing.TB, c *http.Client, base string) string {
	t.Helper()
	resp, err := c.Get(base + "/token")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Token string `json:"token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("GET /token: %v", err)
	}
	if body.Token == "" {
		t.Fatalf("GET /token returned no token (status %d)", resp.StatusCode)
	}
	return body.Token
}

// post sends a form POST with the token as form field (header=false) or
// header, plus extra headers; it returns the status.
func post(t testing.TB, c *http.Client, u, tok string, header bool, extra map[string]string) int {
	t.Helper()
	form := url.Values{"amount": {"100"}}
	if tok != "" && !header {
		form.Set(csrf.FieldName, tok)
	}
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if tok != "" && header {
		req.Header.Set(csrf.HeaderName, tok)
	}
	for k, v := range extra {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// wantRejected checks a 403 that never reached the handler and whose error
// wraps want.
func (a *app) wantRejected(t testing.TB, what string, status int, before int64, want error) {
	t.Helper()
	if status != http.StatusForbidden {
		t.Errorf("%s: status = %d, want 403", what, status)
	}
	if got := a.hits.Load(); got != before {
		t.Errorf("%s: protected handler ran (%d runs, want %d)", what, got, before)
	}
	if want != nil && !errors.Is(a.err(), want) {
		t.Errorf("%s: ErrorHandler got %v, want %v", what, a.err(), want)
	}
}
