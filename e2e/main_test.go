// Package e2e drives the real httpstate binary with a real browser
// (Chromium, through the DevTools protocol with chromedp).
//
// TestMain builds ../cmd/httpstate once; each test starts "httpstate serve"
// on 127.0.0.1:0 with the flags it needs, reads the address the server
// prints, and stops it with SIGTERM at the end (checking that it exits
// cleanly). Chromium is required: a missing chromium fails the tests (the
// repository's test.sh installs it).
//
// go test -screenshot ../docs/dashboard.png also saves a screenshot of the
// dashboard with a few sessions.
package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

var screenshot = flag.String("screenshot", os.Getenv("HTTPSTATE_E2E_SCREENSHOT"),
	"write a PNG of the dashboard to this file (default $HTTPSTATE_E2E_SCREENSHOT)")

// binary is the httpstate command built by TestMain.
var binary string

// orphanBinaryEnv hands a helper test binary (TestChildrenDieWithTest) the
// httpstate command already built.
const orphanBinaryEnv = "HTTPSTATE_E2E_ORPHAN_BINARY"

func TestMain(m *testing.M) {
	flag.Parse()
	if b := os.Getenv(orphanBinaryEnv); b != "" {
		binary = b
		os.Exit(m.Run())
	}
	dir, err := os.MkdirTemp("", "httpstate-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "httpstate")
	build := exec.Command("go", "build", "-o", binary, "./cmd/httpstate")
	build.Dir = ".." // the root module
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: building httpstate:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// server is a running "httpstate serve" process.
type server struct {
	URL  string
	cmd  *exec.Cmd
	mu   sync.Mutex // protects logs
	logs strings.Builder
	done chan struct{} // closed when stderr is drained
}

// startServer runs "httpstate serve --addr 127.0.0.1:0 args..." and waits
// for the address it prints. At the end of the test the server gets SIGTERM
// and must exit with status 0.
func startServer(t *testing.T, args ...string) *server {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	cmd.Dir = t.TempDir()
	cmd.SysProcAttr = childAttr()
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{cmd: cmd, done: make(chan struct{})}
	addr := make(chan string, 1)
	go func() {
		defer close(s.done)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Text()
			if rest, ok := strings.CutPrefix(line, "httpstate: listening on "); ok {
				addr <- strings.TrimSuffix(strings.Fields(rest)[0], "/")
			}
			s.mu.Lock()
			s.logs.WriteString(line + "\n")
			s.mu.Unlock()
		}
	}()
	t.Cleanup(func() { s.stop(t) })
	select {
	case s.URL = <-addr:
	case <-s.done:
		t.Fatalf("httpstate serve exited before listening:\n%s", s.log())
	case <-time.After(20 * time.Second):
		t.Fatalf("httpstate serve printed no address within 20s:\n%s", s.log())
	}
	return s
}

func (s *server) log() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.logs.String()
}

// stop sends SIGTERM and checks for a clean exit.
func (s *server) stop(t *testing.T) {
	t.Helper()
	if s.cmd.Process == nil || s.cmd.ProcessState != nil {
		return
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	exited := make(chan error, 1)
	go func() {
		<-s.done
		exited <- s.cmd.Wait()
	}()
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("httpstate serve exited with %v after SIGTERM:\n%s", err, s.log())
		}
	case <-time.After(20 * time.Second):
		s.cmd.Process.Kill()
		<-exited
		t.Errorf("httpstate serve did not stop within 20s of SIGTERM:\n%s", s.log())
	}
}

// chromiumPath finds Chromium. Its absence fails the test: test.sh installs
// it, and a skipped browser test would pass for nothing.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("chromium is not installed: run ./test.sh (it installs it with apt-get) or apt-get install chromium")
	return ""
}

// browserOptions configures newBrowser.
type browserOptions struct {
	// blockCookies makes the profile refuse every cookie (the content
	// setting a user picks under "Block all cookies").
	blockCookies bool
	width        int
	height       int
}

// newBrowser starts a headless Chromium with a fresh profile and returns a
// chromedp context for its first tab. The browser is closed when the test
// ends.
func newBrowser(t *testing.T, o browserOptions) context.Context {
	t.Helper()
	path := chromiumPath(t)
	profile := t.TempDir()
	if o.blockCookies {
		// profile.default_content_setting_values.cookies = 2 (block) is
		// the preference behind Chromium's "Block all cookies" setting.
		prefs := map[string]any{"profile": map[string]any{
			"default_content_setting_values": map[string]any{"cookies": 2},
		}}
		b, err := json.Marshal(prefs)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Join(profile, "Default"), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(profile, "Default", "Preferences"), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if o.width == 0 {
		o.width, o.height = 1280, 900
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.Flag("no-default-browser-check", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(o.width, o.height),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting %s: %v", path, err)
	}
	return ctx
}

// run runs steps with a 30-second bound.
func run(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(tctx, steps...); err != nil {
		t.Fatalf("browser: %v", err)
	}
}

// eval evaluates a JavaScript expression in the page.
func eval[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(tctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluating %s: %v", expr, err)
	}
	return v
}

// waitFor evaluates a JavaScript predicate every 50 ms until it is true, for
// at most 15 s. Evaluation errors (the page navigating away under the
// evaluation) are retried until then.
func waitFor(t *testing.T, ctx context.Context, what, predicate string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	var lastErr error
	for time.Now().Before(deadline) {
		tctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		ok, err := chromedp.Run(tctx, chromedp.Evaluate[bool]("Boolean("+predicate+")"))
		cancel()
		if err == nil && ok {
			return
		}
		lastErr = err
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("waiting for %s (%s): not true within 15s (last error: %v)", what, predicate, lastErr)
}

// login fills in and submits the login form of the current page.
func login(t *testing.T, ctx context.Context, user, password string) {
	t.Helper()
	run(t, ctx,
		chromedp.WaitVisible(chromedp.ID("login-form")),
		chromedp.SendKeys(chromedp.ID("login-user"), user),
		chromedp.SendKeys(chromedp.ID("login-password"), password),
		chromedp.Click(chromedp.ID("login")),
	)
}

// httpClient is a second, non-browser client of the app.
type httpClient struct {
	t    *testing.T
	base string
	hc   *http.Client
}

func newHTTPClient(t *testing.T, base string) *httpClient {
	jar, _ := cookiejar.New(nil)
	return &httpClient{t: t, base: base, hc: &http.Client{Jar: jar, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (c *httpClient) token() string {
	c.t.Helper()
	resp, err := c.hc.Get(c.base + "/api/csrf")
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	var v struct{ Token string }
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		c.t.Fatal(err)
	}
	return v.Token
}

func (c *httpClient) post(path string, form url.Values) int {
	c.t.Helper()
	form.Set("csrf_token", c.token())
	resp, err := c.hc.PostForm(c.base+path, form)
	if err != nil {
		c.t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

func (c *httpClient) login(user, password string) {
	c.t.Helper()
	if code := c.post("/login", url.Values{"user": {user}, "password": {password}}); code != http.StatusSeeOther {
		c.t.Fatalf("login %s: status %d, want 303", user, code)
	}
}

func (c *httpClient) home() string {
	c.t.Helper()
	resp, err := c.hc.Get(c.base + "/")
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}
