package e2e

import (
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/httpstate/httpstate/internal/testutil"
)

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
	rs := testutil.StartRedis(t, &testutil.RedisOptions{AppendOnly: true}) // the sessions survive the outage
	srv := startServer(t, "--store", "redis://"+rs.Addr()+"/0")
	proxy := startProxy(t, srv.URL[len("http://"):])
	base := proxy.URL()

	ctx := newBrowser(t, browserOptions{})
	run(t, ctx, chromedp.Navigate(base+"/"))
	login(t, ctx, "admin", "admin")
	waitFor(t, ctx, "admin signed in", `document.getElementById("user")?.textContent === "admin"`)
	run(t, ctx, chromedp.Navigate(base+"/dashboard"))
	waitFor(t, ctx, "the event stream", `document.getElementById("status").classList.contains("live") && document.getElementById("dashboard").dataset.updates >= 1`)
	eval[chromedp.Void](t, ctx, `window.noReload = true`)

	rs.Stop()
	waitFor(t, ctx, "the outage shown", `document.getElementById("status").textContent === "session store unavailable"`)
	proxy.cut()
	// The browser's own reconnect gets 503 and closes the EventSource; the
	// page's first new one, a second later, gets 503 too.
	waitFor(t, ctx, "two streams refused", `document.getElementById("dashboard").dataset.reopens >= 2`)
	if got := eval[string](t, ctx, `document.getElementById("status").textContent + " / " + document.getElementById("status").className`); !strings.HasPrefix(got, "disconnected, retrying in ") || !strings.HasSuffix(got, " / dot down") {
		t.Errorf("status during the outage = %q, want \"disconnected, retrying in Ns / dot down\"", got)
	}
	updates := eval[int](t, ctx, `Number(document.getElementById("dashboard").dataset.updates)`)

	rs.Start()
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
