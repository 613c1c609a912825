package cookiestore_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/httpstate/httpstate/internal/testutil"
	"github.com/httpstate/httpstate/session"
	"github.com/httpstate/httpstate/store/cookiestore"
	"github.com/httpstate/httpstate/token"
)

// chunkedApp serves /set (a session of about 6 KB, in 2 or 3 cookies),
// /get (prints the user) and /logout (Invalidate) over a cookie-held
// session of up to 3 chunks.
func chunkedApp(t *testing.T) http.Handler {
	t.Helper()
	clock := testutil.NewClock(tNow)
	ring, _ := token.NewKeyring(token.GenerateKey(1))
	codec, err := cookiestore.New(&cookiestore.Options{Keyring: ring, MaxLen: 3 * 4080, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	m, err := session.New(&session.Options{Codec: codec, CookieChunks: 3, Now: clock.Now, SweepInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromRequest(r)
		switch r.URL.Path {
		case "/set":
			if err := s.Set("user", "alice"); err != nil {
				http.Error(w, err.Error(), 500)
			}
			if err := s.Set("big", strings.Repeat("z", 6000)); err != nil {
				http.Error(w, err.Error(), 500)
			}
		case "/logout":
			if err := s.Invalidate(); err != nil {
				http.Error(w, err.Error(), 500)
			}
		default:
			v, ok, _ := session.Get[string](s, "user")
			if !ok {
				v = "<none>"
			}
			io.WriteString(w, v)
		}
	}))
}

// serve runs one HTTPS request to h carrying cookies and returns the
// response.
func serve(h http.Handler, path string, cookies []*http.Cookie) *http.Response {
	req := httptest.NewRequest(http.MethodGet, "https://example.com"+path, nil)
	for _, c := range cookies {
		req.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Result()
}

func body(resp *http.Response) string {
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// TestChunksTamperedOrIncomplete: a chunked session is sealed as a whole: a
// missing, reordered, truncated or foreign chunk yields a fresh session,
// never a panic or a partial one.
func TestChunksTamperedOrIncomplete(t *testing.T) {
	h := chunkedApp(t)
	chunks := serve(h, "/set", nil).Cookies()
	if len(chunks) < 2 {
		t.Fatalf("a 6 KB session travels in %d cookie(s), want at least 2", len(chunks))
	}
	if got := body(serve(h, "/get", chunks)); got != "alice" {
		t.Fatalf("/get with every chunk = %q, want alice", got)
	}
	other := serve(h, "/set", nil).Cookies() // the same user, sealed again
	if len(other) != len(chunks) {
		t.Fatalf("a second session travels in %d cookies, the first in %d", len(other), len(chunks))
	}
	with := func(f func(cs []*http.Cookie) []*http.Cookie) []*http.Cookie {
		cs := make([]*http.Cookie, len(chunks))
		for i, c := range chunks {
			cp := *c
			cs[i] = &cp
		}
		return f(cs)
	}
	cases := map[string][]*http.Cookie{
		"last chunk missing":  with(func(cs []*http.Cookie) []*http.Cookie { return cs[:len(cs)-1] }),
		"first chunk missing": with(func(cs []*http.Cookie) []*http.Cookie { return cs[1:] }),
		"chunks swapped": with(func(cs []*http.Cookie) []*http.Cookie {
			cs[0].Value, cs[1].Value = cs[1].Value, cs[0].Value
			return cs
		}),
		"last chunk truncated": with(func(cs []*http.Cookie) []*http.Cookie {
			c := cs[len(cs)-1]
			c.Value = c.Value[:len(c.Value)-1]
			return cs
		}),
		"last chunk from another session": with(func(cs []*http.Cookie) []*http.Cookie {
			cs[len(cs)-1].Value = other[len(other)-1].Value
			return cs
		}),
		"junk chunk": with(func(cs []*http.Cookie) []*http.Cookie {
			cs[1].Value = strings.Repeat("-", 4000)
			return cs
		}),
	}
	for name, cs := range cases {
		if got := body(serve(h, "/get", cs)); got != "<none>" {
			t.Errorf("%s: /get = %q, want <none> (a fresh session)", name, got)
		}
	}
}

// TestInvalidateExpiresChunks: a cookie-held session cannot be revoked on
// the server (see the package doc): Invalidate asks the browser to drop
// every chunk cookie, and a client that kept them can still replay them
// until the session's own expiry, which Decode enforces.
func TestInvalidateExpiresChunks(t *testing.T) {
	h := chunkedApp(t)
	chunks := serve(h, "/set", nil).Cookies()
	resp := serve(h, "/logout", chunks)
	expired := make(map[string]bool)
	for _, c := range resp.Cookies() {
		if c.MaxAge < 0 && c.Value == "" {
			expired[c.Name] = true
		}
	}
	for _, c := range chunks {
		if !expired[c.Name] {
			t.Errorf("after Invalidate, cookie %q is not expired (Set-Cookie: %v)", c.Name, resp.Header.Values("Set-Cookie"))
		}
	}
	// The documented limit: the old cookies still decode.
	if got := body(serve(h, "/get", chunks)); got != "alice" {
		t.Errorf("replayed chunks after Invalidate: /get = %q; the package doc says a cookie-held session cannot be revoked before its expiry", got)
	}
}
