package e2e

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// redisServer is a redis-server process on a loopback port, its data kept
// in an append-only file that survives a restart.
type redisServer struct {
	t    *testing.T
	bin  string
	dir  string
	port int
	cmd  *exec.Cmd
	done chan struct{} // closed when cmd has exited
}

// startRedis starts a redis-server on a free 127.0.0.1 port and stops it
// when the test ends. A missing redis-server fails the test: a skipped
// outage test would pass for nothing. A port is free only until another
// process binds it: when another test's server takes it first, this one
// exits, and startRedis tries another port.
func startRedis(t *testing.T) *redisServer {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Fatal("redis-server is not installed: run ./test.sh (it installs it with apt-get) or apt-get install redis-server")
	}
	r := &redisServer{t: t, bin: bin, dir: t.TempDir()}
	t.Cleanup(r.stop)
	for range 10 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		r.port = l.Addr().(*net.TCPAddr).Port
		l.Close()
		if err = r.tryStart(); err == nil {
			return r
		}
		t.Logf("redis-server on %s: %v", r.addr(), err)
	}
	t.Fatal("redis-server did not start on any of 10 free ports")
	return nil
}

func (r *redisServer) addr() string { return "127.0.0.1:" + strconv.Itoa(r.port) }

// start runs redis-server again on its port, after stop.
func (r *redisServer) start() {
	r.t.Helper()
	if err := r.tryStart(); err != nil {
		r.t.Fatalf("restarting redis-server on %s: %v", r.addr(), err)
	}
}

// tryStart runs redis-server and waits up to 10 s for that process to
// answer PING with PONG, its append-only file loaded: the PONG of another
// server that took the port (this one then exits) does not count.
func (r *redisServer) tryStart() error {
	r.cmd = exec.Command(r.bin, "--port", strconv.Itoa(r.port), "--bind", "127.0.0.1",
		"--dir", r.dir, "--save", "", "--appendonly", "yes", "--appendfsync", "always")
	r.cmd.SysProcAttr = childAttr()
	if err := r.cmd.Start(); err != nil {
		r.cmd = nil
		return err
	}
	r.done = make(chan struct{})
	go func(cmd *exec.Cmd, done chan struct{}) {
		cmd.Wait()
		close(done)
	}(r.cmd, r.done)
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if r.pid() == r.cmd.Process.Pid && r.ping() {
			return nil
		}
		select {
		case <-r.done:
			r.cmd = nil
			return errors.New("redis-server exited (port taken?)")
		default:
		}
		time.Sleep(20 * time.Millisecond)
	}
	r.stop()
	return errors.New("no PING answered by redis-server within 10s")
}

// ping reports whether the server on r's port answers PING with PONG; one
// still loading its append-only file answers -LOADING (while it already
// answers INFO).
func (r *redisServer) ping() bool {
	c, err := net.DialTimeout("tcp", r.addr(), time.Second)
	if err != nil {
		return false
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(time.Second))
	if _, err := io.WriteString(c, "PING\r\n"); err != nil {
		return false
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	return err == nil && line == "+PONG\r\n"
}

// pid returns the process_id the server on r's port reports (INFO server),
// or 0 when none answers.
func (r *redisServer) pid() int {
	c, err := net.DialTimeout("tcp", r.addr(), time.Second)
	if err != nil {
		return 0
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(time.Second))
	if _, err := io.WriteString(c, "INFO server\r\n"); err != nil {
		return 0
	}
	br := bufio.NewReader(c)
	head, err := br.ReadString('\n')
	if err != nil || !strings.HasPrefix(head, "$") {
		return 0
	}
	n, err := strconv.Atoi(strings.TrimSpace(head[1:]))
	if err != nil || n < 0 {
		return 0
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(br, body); err != nil {
		return 0
	}
	for _, line := range strings.Split(string(body), "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "process_id:"); ok {
			pid, _ := strconv.Atoi(v)
			return pid
		}
	}
	return 0
}

// stop shuts redis-server down (SIGTERM) and waits for it to exit.
func (r *redisServer) stop() {
	if r.cmd == nil {
		return
	}
	r.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-r.done:
	case <-time.After(10 * time.Second):
		r.cmd.Process.Kill()
		<-r.done
	}
	r.cmd = nil
}

// tcpProxy forwards the connections it accepts on a loopback port to
// target, and can cut them all at once: a network blip between the browser
// and the server.
type tcpProxy struct {
	l      net.Listener
	target string
	mu     sync.Mutex // protects conns
	conns  map[net.Conn]struct{}
	wg     sync.WaitGroup
}

func startProxy(t *testing.T, target string) *tcpProxy {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &tcpProxy{l: l, target: target, conns: make(map[net.Conn]struct{})}
	p.wg.Add(1)
	go p.serve()
	t.Cleanup(func() {
		l.Close()
		p.cut()
		p.wg.Wait()
	})
	return p
}

func (p *tcpProxy) URL() string { return "http://" + p.l.Addr().String() }

func (p *tcpProxy) serve() {
	defer p.wg.Done()
	for {
		in, err := p.l.Accept()
		if err != nil {
			return
		}
		out, err := net.DialTimeout("tcp", p.target, 5*time.Second)
		if err != nil {
			in.Close()
			continue
		}
		p.mu.Lock()
		p.conns[in], p.conns[out] = struct{}{}, struct{}{}
		p.mu.Unlock()
		p.wg.Add(2)
		pipe := func(dst, src net.Conn) {
			defer p.wg.Done()
			io.Copy(dst, src)
			dst.Close()
			src.Close()
			p.mu.Lock()
			delete(p.conns, dst)
			delete(p.conns, src)
			p.mu.Unlock()
		}
		go pipe(out, in)
		go pipe(in, out)
	}
}

// cut closes every connection in progress.
func (p *tcpProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		c.Close()
	}
}

// TestDashboardRecoversFromStoreOutage: the admin's dashboard is open when
// Redis goes down and the page's connection drops. EventSource reconnects,
// gets 503 (the session store is down) and gives up for good, as browsers
// do on any non-200; the page must open a new stream itself, say so
// honestly meanwhile, and be live again without a reload once Redis is back.
// Then the admin's sessions are revoked: the event "gone" stops it for good.
func TestDashboardRecoversFromStoreOutage(t *testing.T) {
	rs := startRedis(t)
	srv := startServer(t, "--store", "redis://"+rs.addr()+"/0")
	proxy := startProxy(t, srv.URL[len("http://"):])
	base := proxy.URL()

	ctx := newBrowser(t, browserOptions{})
	run(t, ctx, chromedp.Navigate(base+"/"))
	login(t, ctx, "admin", "admin")
	waitFor(t, ctx, "admin signed in", `document.getElementById("user")?.textContent === "admin"`)
	run(t, ctx, chromedp.Navigate(base+"/dashboard"))
	waitFor(t, ctx, "the event stream", `document.getElementById("status").classList.contains("live") && document.getElementById("dashboard").dataset.updates >= 1`)
	eval[chromedp.Void](t, ctx, `window.noReload = true`)

	rs.stop()
	waitFor(t, ctx, "the outage shown", `document.getElementById("status").textContent === "session store unavailable"`)
	proxy.cut()
	// The browser's own reconnect gets 503 and closes the EventSource; the
	// page's first new one, a second later, gets 503 too.
	waitFor(t, ctx, "two streams refused", `document.getElementById("dashboard").dataset.reopens >= 2`)
	if got := eval[string](t, ctx, `document.getElementById("status").textContent + " / " + document.getElementById("status").className`); !strings.HasPrefix(got, "disconnected, retrying in ") || !strings.HasSuffix(got, " / dot down") {
		t.Errorf("status during the outage = %q, want \"disconnected, retrying in Ns / dot down\"", got)
	}
	updates := eval[int](t, ctx, `Number(document.getElementById("dashboard").dataset.updates)`)

	rs.start()
	// go-redis keeps failing fast for up to a second after its dials
	// failed: wait until the app reaches the store again.
	deadline := time.Now().Add(15 * time.Second)
	for {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("/healthz not 200 within 15s of Redis coming back:\n%s", srv.log())
		}
		time.Sleep(50 * time.Millisecond)
	}
	bob := newHTTPClient(t, base)
	bob.login("bob", "bob")
	waitFor(t, ctx, "the dashboard live again with bob's session",
		`document.getElementById("status").classList.contains("live") &&
		 document.getElementById("dashboard").dataset.updates > `+strconv.Itoa(updates)+` &&
		 [...document.querySelectorAll("#sessions tr td:nth-child(2)")].some(td => td.textContent === "bob")`)
	if !eval[bool](t, ctx, `window.noReload === true`) {
		t.Fatal("the dashboard reloaded instead of reconnecting in place")
	}

	// Another admin revokes every admin session, the page's one included.
	other := newHTTPClient(t, base)
	other.login("admin", "admin")
	if code := other.post("/dashboard/revoke-user", map[string][]string{"user": {"admin"}}); code != http.StatusSeeOther {
		t.Fatalf("POST /dashboard/revoke-user: status %d, want 303", code)
	}
	waitFor(t, ctx, "the session's end shown", `document.getElementById("status").textContent === "your session has ended"`)
	reopens := eval[int](t, ctx, `Number(document.getElementById("dashboard").dataset.reopens)`)
	time.Sleep(3 * time.Second) // longer than the browser's retry and the page's backoff
	if got := eval[string](t, ctx, `document.getElementById("status").textContent + " / " + document.getElementById("dashboard").dataset.reopens`); got != "your session has ended / "+strconv.Itoa(reopens) {
		t.Errorf("after gone: %q, want the end still shown and no new stream", got)
	}
}

// TestStartRedisPortTaken: a redis-server started on a port another one
// took first exits; the other's answer must not pass for its own.
func TestStartRedisPortTaken(t *testing.T) {
	other := startRedis(t)
	r := &redisServer{t: t, bin: other.bin, dir: t.TempDir(), port: other.port}
	t.Cleanup(r.stop)
	if err := r.tryStart(); err == nil {
		t.Fatal("redis-server started on a port another one listens on: no error, the other's answer passed for its own")
	}
	if other.pid() != other.cmd.Process.Pid {
		t.Error("the other server no longer answers")
	}
}

// TestStartRedisWaitsForLoading: a redis-server restarted on a large
// append-only file answers INFO (its process_id) while it loads, and PING
// with -LOADING: tryStart (startRedis, start) returns only once it serves
// commands.
func TestStartRedisWaitsForLoading(t *testing.T) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Fatal("redis-server is not installed")
	}
	dir := t.TempDir()
	f, err := os.Create(filepath.Join(dir, "appendonly.aof"))
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	for i := range 300000 { // about 0.3 s of loading
		k := "k" + strconv.Itoa(i)
		fmt.Fprintf(w, "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$20\r\nvvvvvvvvvvvvvvvvvvvv\r\n", len(k), k)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	r := &redisServer{t: t, bin: bin, dir: dir}
	t.Cleanup(r.stop)
	for i := 0; ; i++ { // another port when another server took this one
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		r.port = l.Addr().(*net.TCPAddr).Port
		l.Close()
		if err = r.tryStart(); err == nil {
			break
		} else if i == 9 {
			t.Fatal(err)
		}
	}
	if !r.ping() {
		t.Fatal("start returned before redis-server answered PING with PONG (still loading its append-only file)")
	}
}
