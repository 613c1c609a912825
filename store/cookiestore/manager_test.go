package cookiestore_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/httpstate/httpstate/internal/testutil"
	"github.com/httpstate/httpstate/session"
	"github.com/httpstate/httpstate/store/cookiestore"
	"github.com/httpstate/httpstate/token"
)

// codecApp is a server whose sessions live in the cookie: /set?k=v sets an
// attribute, /get?k= prints it, /big stores a value too large for a cookie.
type codecApp struct {
	srv     *httptest.Server
	tooBig  atomic.Int64 // ErrorHandler calls with ErrTooLarge
	handler http.Handler
}

func newCodecApp(t testing.TB, clock *testutil.Clock, keys ...token.Key) *codecApp {
	t.Helper()
	codec := newCodec(t, clock, 0, keys...)
	a := &codecApp{}
	m, err := session.New(&session.Options{
		Codec: codec, Now: clock.Now, SweepInterval: -1, IdleTimeout: 30 * time.Minute,
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			if errors.Is(err, session.ErrTooLarge) {
				a.tooBig.Add(1)
			}
			http.Error(w, "session error", http.StatusInternalServerError)
		},
	})
	if err != nil {
		t.Fatalf("session.New with Codec: %v", err)
	}
	t.Cleanup(func() { m.Close() })
	mux := http.NewServeMux()
	mux.HandleFunc("/set", func(w http.ResponseWriter, r *http.Request) {
		s := session.FromRequest(r)
		for k, v := range r.URL.Query() {
			if err := s.Set(k, v[0]); err != nil {
				http.Error(w, err.Error(), 500)
				return
			}
		}
		io.WriteString(w, "ok")
	})
	mux.HandleFunc("/get", func(w http.ResponseWriter, r *http.Request) {
		v, ok, err := session.Get[string](session.FromRequest(r), r.URL.Query().Get("k"))
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		if !ok {
			v = "<none>"
		}
		io.WriteString(w, v)
	})
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) {
		session.FromRequest(r).Set("big", strings.Repeat("x", 5000))
		io.WriteString(w, "ok")
	})
	a.handler = m.Handler(mux)
	a.srv = httptest.NewTLSServer(a.handler)
	t.Cleanup(a.srv.Close)
	return a
}

func browser(t testing.TB, srv *httptest.Server) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := *srv.Client()
	c.Jar = jar
	return &c
}

func get(t testing.TB, c *http.Client, u string) (int, string) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp.StatusCode, string(b)
}

func TestThroughManager(t *testing.T) {
	clock := testutil.NewClock(tNow)
	k1 := token.GenerateKey(1)
	a := newCodecApp(t, clock, k1)
	c := browser(t, a.srv)
	if code, body := get(t, c, a.srv.URL+"/set?user=alice&theme=dark"); code != 200 {
		t.Fatalf("/set: %d %s", code, body)
	}
	u, _ := url.Parse(a.srv.URL)
	cookies := c.Jar.Cookies(u)
	if len(cookies) != 1 || cookies[0].Name != "__Host-sid" || strings.Contains(cookies[0].Value, "alice") {
		t.Fatalf("cookies after /set = %v, want one opaque __Host-sid", cookies)
	}
	if _, body := get(t, c, a.srv.URL+"/get?k=user"); body != "alice" {
		t.Errorf("/get user = %q, want alice", body)
	}
	// Another browser has none of it.
	if _, body := get(t, browser(t, a.srv), a.srv.URL+"/get?k=user"); body != "<none>" {
		t.Errorf("other browser /get user = %q, want <none>", body)
	}
	// A tampered cookie gives a fresh session.
	tampered := browser(t, a.srv)
	v := []byte(cookies[0].Value)
	v[len(v)/2] ^= 1
	tampered.Jar.SetCookies(u, []*http.Cookie{{Name: "__Host-sid", Value: string(v), Path: "/", Secure: true}})
	if _, body := get(t, tampered, a.srv.URL+"/get?k=user"); body != "<none>" {
		t.Errorf("tampered cookie /get user = %q, want <none>", body)
	}
	// Too large: reported through the ErrorHandler, not dropped silently.
	if code, _ := get(t, c, a.srv.URL+"/big"); code != http.StatusInternalServerError || a.tooBig.Load() != 1 {
		t.Errorf("/big: status %d, ErrTooLarge reports %d; want 500, 1", code, a.tooBig.Load())
	}
	if _, body := get(t, c, a.srv.URL+"/get?k=user"); body != "alice" {
		t.Errorf("after a failed /big, /get user = %q, want alice (old cookie kept)", body)
	}
	// Key rotation: an instance with a new current key reads the old cookie.
	rotated := newCodecApp(t, clock, token.GenerateKey(2), k1)
	req := httptest.NewRequest(http.MethodGet, "https://example.com/get?k=user", nil)
	req.AddCookie(cookies[0])
	rec := httptest.NewRecorder()
	rotated.handler.ServeHTTP(rec, req)
	if rec.Body.String() != "alice" {
		t.Errorf("rotated instance /get user = %q, want alice", rec.Body.String())
	}
	// A replayed cookie expires server-side after the idle timeout.
	clock.Advance(31 * time.Minute)
	req = httptest.NewRequest(http.MethodGet, "https://example.com/get?k=user", nil)
	req.AddCookie(cookies[0])
	rec = httptest.NewRecorder()
	a.handler.ServeHTTP(rec, req)
	if rec.Body.String() != "<none>" {
		t.Errorf("replayed cookie after idle timeout: /get user = %q, want <none>", rec.Body.String())
	}
}

// With CookieChunks, a session larger than one cookie spans several, as long
// as the codec's MaxLen allows it.
func TestThroughManagerChunked(t *testing.T) {
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
	big := strings.Repeat("z", 6000)
	srv := httptest.NewTLSServer(m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromRequest(r)
		if r.URL.Path == "/set" {
			if err := s.Set("big", big); err != nil {
				http.Error(w, err.Error(), 500)
			}
			return
		}
		v, _, _ := session.Get[string](s, "big")
		io.WriteString(w, v)
	})))
	t.Cleanup(srv.Close)
	c := browser(t, srv)
	if code, body := get(t, c, srv.URL+"/set"); code != 200 {
		t.Fatalf("/set: %d %s", code, body)
	}
	u, _ := url.Parse(srv.URL)
	if n := len(c.Jar.Cookies(u)); n < 2 {
		t.Errorf("a 6 KB session travels in %d cookie(s), want at least 2", n)
	}
	if _, body := get(t, c, srv.URL+"/get"); body != big {
		t.Errorf("/get returned %d bytes, want the 6000 set", len(body))
	}
}
