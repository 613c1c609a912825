package jar_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/httpstate/httpstate/internal/testutil"
	"github.com/httpstate/httpstate/jar"
)

// interopHost is resolved to the loopback test server for curl (--resolve)
// and for the jar's client (a custom dialer).
const interopHost = "www.example.test"

// interopSetCookies are what the test server sends. Paths have distinct
// lengths so that curl's sort (path length, then domain and name length)
// and RFC 6265bis's (path length, then creation) agree.
var interopSetCookies = []string{
	"root=1; Path=/",
	"dom=2; Domain=example.test; Path=/p; Max-Age=3600",
	"ho=3; Path=/p/x; HttpOnly; Max-Age=7200",
	"deep=4; Path=/p/x/y; Expires=Fri, 01 Jan 2100 00:00:00 GMT",
	"other=5; Path=/q",
}

// cookieServer sets interopSetCookies on /set and records the Cookie header
// of every other request.
type cookieServer struct {
	*httptest.Server
	mu   sync.Mutex // protects last
	last map[string]string
}

func startCookieServer(tb testing.TB) *cookieServer {
	tb.Helper()
	s := &cookieServer{last: map[string]string{}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/set" {
			for _, l := range interopSetCookies {
				w.Header().Add("Set-Cookie", l)
			}
			return
		}
		s.mu.Lock()
		s.last[r.URL.Path] = r.Header.Get("Cookie")
		s.mu.Unlock()
	}))
	tb.Cleanup(s.Close)
	return s
}

func (s *cookieServer) cookieAt(path string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.last[path]
}

// port returns the server's loopback port.
func (s *cookieServer) port() string {
	_, p, _ := net.SplitHostPort(s.Listener.Addr().String())
	return p
}

// curl runs the curl binary against the server with interopHost resolved to
// it.
func (s *cookieServer) curl(tb testing.TB, args ...string) {
	tb.Helper()
	bin := testutil.RequireTool(tb, "curl")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	all := append([]string{"--silent", "--show-error", "--fail", "--noproxy", "*",
		"--resolve", interopHost + ":" + s.port() + ":127.0.0.1"}, args...)
	out, err := exec.CommandContext(ctx, bin, all...).CombinedOutput()
	if err != nil {
		tb.Fatalf("curl %s: %v\n%s", strings.Join(all, " "), err, out)
	}
}

func (s *cookieServer) url(path string) string {
	return "http://" + interopHost + ":" + s.port() + path
}

// interopPaths are the request paths the Cookie headers are compared on.
var interopPaths = []string{"/p/x/y/z", "/p/x", "/p", "/q", "/"}

// interopDeepest is the header both must send for /p/x/y/z.
const interopDeepest = "deep=4; ho=3; dom=2; root=1"

func TestCurlWritesJarReads(t *testing.T) {
	s := startCookieServer(t)
	file := filepath.Join(t.TempDir(), "curl-cookies.txt")
	s.curl(t, "-c", file, s.url("/set"))

	j, err := jar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	n, err := j.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	if n != len(interopSetCookies) {
		t.Fatalf("loaded %d cookies from curl's file, want %d", n, len(interopSetCookies))
	}
	for _, p := range interopPaths {
		s.curl(t, "-b", file, s.url(p))
		u, _ := url.Parse(s.url(p))
		got, want := j.CookieHeader(u), s.cookieAt(p)
		if want == "" {
			t.Fatalf("%s: curl sent no Cookie header", p)
		}
		if got != want {
			t.Errorf("%s: jar would send %q, curl sent %q", p, got, want)
		}
		if p == interopPaths[0] && want != interopDeepest {
			t.Errorf("%s: curl sent %q, want %q", p, want, interopDeepest)
		}
	}
	if got := j.Domain(interopHost); len(got) != 4 {
		t.Errorf("host-only cookies of %s: got %d, want 4", interopHost, len(got))
	}
}

func TestJarWritesCurlReads(t *testing.T) {
	s := startCookieServer(t)
	j, err := jar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	// Fetch /set through a client that resolves interopHost to the server.
	tr := &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, s.Listener.Addr().String())
	}}
	defer tr.CloseIdleConnections()
	u, _ := url.Parse(s.url("/set"))
	resp, err := (&http.Client{Transport: tr}).Get(u.String())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	j.SetCookieLines(u, resp.Header.Values("Set-Cookie"))

	file := filepath.Join(t.TempDir(), "jar-cookies.txt")
	if err := j.Save(file, &jar.SaveOptions{SessionCookies: true}); err != nil {
		t.Fatal(err)
	}
	for _, p := range interopPaths {
		s.curl(t, "-b", file, s.url(p))
		pu, _ := url.Parse(s.url(p))
		got, want := s.cookieAt(p), j.CookieHeader(pu)
		if want == "" {
			t.Fatalf("%s: the jar has no cookies to send", p)
		}
		if got != want {
			t.Errorf("%s: curl sent %q from our file, the jar sends %q", p, got, want)
		}
		if p == interopPaths[0] && want != interopDeepest {
			t.Errorf("%s: the jar sends %q, want %q", p, want, interopDeepest)
		}
	}
}
