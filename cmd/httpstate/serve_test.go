package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestBinaryServeSIGTERM runs the real binary's serve and stops it with
// SIGTERM while an admin's dashboard event stream is open: the stream
// ends, the process exits 0 (so within serve's 10s shutdown bound: past it
// serve fails), and its logs never hold the session ID.
func TestBinaryServeSIGTERM(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "serve", "--addr", "127.0.0.1:0", "--store", "memory:")
	cmd.Env = append(os.Environ(), runMainEnv+"=1", "XDG_CONFIG_HOME="+t.TempDir())
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// On a failure, the child is killed and reaped, not left running (or a
	// zombie) for the rest of the test binary's life.
	waited := false
	defer func() {
		if !waited {
			cmd.Process.Kill()
			cmd.Wait()
		}
	}()

	// The first line names the address; the rest of stderr is kept.
	br := bufio.NewReader(stderr)
	line, err := br.ReadString('\n')
	if err != nil {
		t.Fatalf("reading the listening line: %v", err)
	}
	m := regexp.MustCompile(`listening on (http://\S+/)`).FindStringSubmatch(line)
	if m == nil {
		t.Fatalf("first stderr line %q names no address", line)
	}
	base := strings.TrimSuffix(m[1], "/")
	logs := make(chan string, 1)
	go func() {
		b, _ := io.ReadAll(br)
		logs <- string(b)
	}()

	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := hc.Get(base + "/api/csrf")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	tok := regexp.MustCompile(`"token":"([^"]+)"`).FindStringSubmatch(string(body))
	if tok == nil {
		t.Fatalf("GET /api/csrf: %s", body)
	}
	resp, err = hc.PostForm(base+"/login", url.Values{"user": {"admin"}, "password": {"admin"}, "csrf_token": {tok[1]}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST /login: status %d, want 303", resp.StatusCode)
	}
	u, _ := url.Parse(base)
	var sid string
	for _, c := range jar.Cookies(u) {
		if c.Name == "sid" {
			sid = c.Value
		}
	}
	if sid == "" {
		t.Fatal("no session cookie after login")
	}

	sc := *hc
	sc.Timeout = 0
	resp, err = sc.Get(base + "/dashboard/events")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	events := bufio.NewReader(resp.Body)
	for {
		l, err := events.ReadString('\n')
		if err != nil {
			t.Fatalf("the event stream ended before its first snapshot: %v", err)
		}
		if strings.HasPrefix(l, "event: sessions") {
			break
		}
	}

	start := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(io.Discard, events); err != nil {
		t.Errorf("the event stream ended with %v, want a clean end", err)
	}
	out := <-logs
	err = cmd.Wait()
	waited = true
	// Exit 0 is the bound: a stream still open when serve's 10s shutdown
	// deadline passes makes srv.Shutdown, and so serve, fail. No wall-clock
	// limit of its own, which a loaded machine could overrun.
	if err != nil {
		t.Fatalf("serve after SIGTERM: %v; stderr:\n%s", err, out)
	}
	t.Logf("serve stopped %v after SIGTERM", time.Since(start))
	if !strings.Contains(out, "msg=stopped") {
		t.Errorf("no \"stopped\" log line:\n%s", out)
	}
	// Not even a prefix: the logs name sessions by a prefix of the ID's
	// hash, never of the ID.
	if strings.Contains(out, sid[:min(8, len(sid))]) {
		t.Errorf("the logs hold the session ID or a prefix of it")
	}
}
