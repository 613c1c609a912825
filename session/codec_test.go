package session_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/httpstate/httpstate/internal/testutil"
	"github.com/httpstate/httpstate/session"
)

// jsonCodec is a test-only Codec: base64url of the JSON record, no
// protection at all (store/cookiestore signs and encrypts).
type jsonCodec struct{ limit int }

func (c jsonCodec) Encode(r *session.Record) (string, error) {
	b, err := json.Marshal(r)
	if err != nil {
		return "", err
	}
	s := base64.RawURLEncoding.EncodeToString(b)
	if c.limit > 0 && len(s) > c.limit {
		return "", fmt.Errorf("jsonCodec: %d bytes: %w", len(s), session.ErrTooLarge)
	}
	return s, nil
}

func (jsonCodec) Decode(s string) (*session.Record, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, err
	}
	var r session.Record
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

func newCodecManager(t testing.TB, edit func(o *session.Options)) (*session.Manager, *testutil.Clock) {
	t.Helper()
	clock := testutil.NewClock(t0)
	o := &session.Options{Codec: jsonCodec{}, Now: clock.Now}
	if edit != nil {
		edit(o)
	}
	m, err := session.New(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m, clock
}

// carry copies the response's Set-Cookie headers into a jar-like map.
func carry(jar map[string]string, rec *httptest.ResponseRecorder) {
	for _, c := range rec.Result().Cookies() {
		if c.MaxAge < 0 {
			delete(jar, c.Name)
		} else {
			jar[c.Name] = c.Value
		}
	}
}

func requestWith(jar map[string]string) *http.Request {
	req := httptest.NewRequest("GET", "http://example.com/", nil)
	for k, v := range jar {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	return req
}

// jarStep runs a request for path, carrying jar's cookies, through h and
// copies the response's cookies into jar.
func jarStep(h http.Handler, jar map[string]string, path string) *httptest.ResponseRecorder {
	req := requestWith(jar)
	req.URL.Path = path
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	carry(jar, rec)
	return rec
}

func TestCodecRoundTrip(t *testing.T) {
	m, clock := newCodecManager(t, nil)
	h := m.Handler(http.HandlerFunc(counter))
	jar := map[string]string{}
	for i := 1; i <= 3; i++ {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, requestWith(jar))
		if rec.Body.String() != strconvItoa(i) {
			t.Fatalf("request %d body %q", i, rec.Body.String())
		}
		carry(jar, rec)
	}
	if len(jar) != 1 || jar["sid"] == "" {
		t.Fatalf("jar = %v, want one sid cookie", jar)
	}
	// A tampered cookie gives a fresh session, not an error.
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, requestWith(map[string]string{"sid": "!!" + jar["sid"]}))
	if rec.Code != 200 || rec.Body.String() != "1" {
		t.Errorf("tampered cookie: code %d body %q, want a fresh session", rec.Code, rec.Body.String())
	}
	// Expiry is enforced on decode.
	clock.Advance(31 * time.Minute)
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, requestWith(jar))
	if rec.Body.String() != "1" {
		t.Errorf("expired cookie-held session: body %q, want 1", rec.Body.String())
	}
}

func TestCodecAdminUnsupported(t *testing.T) {
	m, _ := newCodecManager(t, nil)
	ctx := context.Background()
	_, err1 := m.ByPrincipal(ctx, "a")
	_, err2 := m.InvalidatePrincipal(ctx, "a")
	err3 := m.Iterate(ctx, func(session.Meta) bool { return true })
	_, err4 := m.Revoke(ctx, "k")
	_, err5 := m.Sweep(ctx)
	for i, err := range []error{err1, err2, err3, err4, err5} {
		if !errors.Is(err, errors.ErrUnsupported) {
			t.Errorf("admin call %d: %v, want errors.ErrUnsupported", i+1, err)
		}
	}
}

func TestCodecTooLarge(t *testing.T) {
	for _, tt := range []struct {
		name  string
		codec jsonCodec
	}{{"over 4096 after encoding", jsonCodec{}}, {"codec ErrTooLarge", jsonCodec{limit: 100}}} {
		t.Run(tt.name, func(t *testing.T) {
			var got error
			m, _ := newCodecManager(t, func(o *session.Options) {
				o.Codec = tt.codec
				o.ErrorHandler = func(w http.ResponseWriter, r *http.Request, err error) {
					got = err
					w.WriteHeader(http.StatusInternalServerError)
				}
			})
			rec := httptest.NewRecorder()
			m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				session.FromRequest(r).Set("blob", strings.Repeat("x", 5000))
				w.Write([]byte("ok"))
			})).ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
			if !errors.Is(got, session.ErrTooLarge) || rec.Code != 500 {
				t.Fatalf("ErrorHandler got %v, code %d; want ErrTooLarge, 500", got, rec.Code)
			}
			if sc := rec.Header().Values("Set-Cookie"); len(sc) != 0 {
				t.Errorf("Set-Cookie = %d headers, want none", len(sc))
			}
		})
	}
	// The default ErrorHandler answers 500 for ErrTooLarge.
	m, _ := newCodecManager(t, nil)
	rec := httptest.NewRecorder()
	m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		session.FromRequest(r).Set("blob", strings.Repeat("x", 5000))
	})).ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if rec.Code != 500 {
		t.Errorf("default ErrorHandler code %d, want 500", rec.Code)
	}
}

func TestCodecChunks(t *testing.T) {
	m, _ := newCodecManager(t, func(o *session.Options) { o.CookieChunks = 4 })
	size := 9000
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromRequest(r)
		var blob string
		ok, err := s.Get("blob", &blob)
		if err != nil {
			t.Error(err)
		}
		if ok && len(blob) != size {
			t.Errorf("blob of %d bytes, want %d", len(blob), size)
		}
		if r.URL.Query().Get("size") != "" {
			size = len(r.URL.Query().Get("size")) * 1000
			s.Set("blob", strings.Repeat("y", size))
		}
		w.Write([]byte(fmt.Sprint(ok)))
	}))
	jar := map[string]string{}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/?size=xxxxxxxxx", nil))
	carry(jar, rec)
	if len(jar) != 4 || jar["sid.3"] == "" {
		t.Fatalf("cookies %v, want sid..sid.3", keys(jar))
	}
	for _, c := range rec.Result().Cookies() {
		if len(c.Name)+len(c.Value) > 4096 {
			t.Errorf("cookie %s has %d bytes", c.Name, len(c.Name)+len(c.Value))
		}
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, requestWith(jar))
	if rec.Body.String() != "true" {
		t.Fatalf("chunked session not read back: %q", rec.Body.String())
	}
	// Shrinking expires the chunks no longer needed.
	req := requestWith(jar)
	req.URL.RawQuery = "size=x"
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	carry(jar, rec)
	if len(jar) != 1 {
		t.Fatalf("after shrinking cookies %v, want only sid", keys(jar))
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, requestWith(jar))
	if rec.Body.String() != "true" {
		t.Fatalf("shrunk session not read back: %q", rec.Body.String())
	}
	// More than 4 chunks is ErrTooLarge.
	req = requestWith(jar)
	req.URL.RawQuery = "size=" + strings.Repeat("x", 20)
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 500 {
		t.Fatalf("oversize chunked session: code %d, want 500", rec.Code)
	}
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestCodecInvalidateRenew(t *testing.T) {
	var ev eventLog
	m, _ := newCodecManager(t, func(o *session.Options) { o.Listeners = []session.Listener{ev.listen} })
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromRequest(r)
		switch r.URL.Path {
		case "/login":
			s.Renew()
			s.SetPrincipal("alice")
		case "/logout":
			s.Invalidate()
		}
		w.Write([]byte(s.Principal()))
	}))
	jar := map[string]string{}
	for _, step := range []struct{ path, want string }{{"/login", "alice"}, {"/", "alice"}, {"/logout", ""}, {"/", ""}} {
		rec := jarStep(h, jar, step.path)
		if rec.Body.String() != step.want {
			t.Errorf("%s: principal %q, want %q", step.path, rec.Body.String(), step.want)
		}
	}
	if len(jar) != 0 {
		t.Errorf("after logout jar = %v, want empty", jar)
	}
	if got := ev.kinds(); got != "created invalidated" {
		t.Errorf("events %q, want created invalidated", got)
	}
}

var badOptions = []struct {
	name string
	o    *session.Options
}{
	{"nil", nil},
	{"no store", &session.Options{}},
	{"store and codec", &session.Options{Store: &countingStore{}, Codec: jsonCodec{}}},
	{"codec without cookie", &session.Options{Codec: jsonCodec{}, Cookie: session.CookieOptions{Disabled: true}}},
	{"no transport", &session.Options{Store: &countingStore{}, Cookie: session.CookieOptions{Disabled: true}}},
	{"negative idle", &session.Options{Store: &countingStore{}, IdleTimeout: -1}},
	{"too many chunks", &session.Options{Codec: jsonCodec{}, CookieChunks: 99}},
	{"bad cookie name", &session.Options{Store: &countingStore{}, Cookie: session.CookieOptions{Name: "a;b"}}},
	{"bad header name", &session.Options{Store: &countingStore{}, Header: "X Session"}},
	{"negative cap", &session.Options{Store: &countingStore{}, MaxPerPrincipal: -1}},
}

func TestNewRejectsBadOptions(t *testing.T) {
	for _, tt := range badOptions {
		if m, err := session.New(tt.o); err == nil {
			m.Close()
			t.Errorf("%s: New = nil error, want one", tt.name)
		}
	}
}
