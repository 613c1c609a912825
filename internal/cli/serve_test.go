package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/httpstate/httpstate/internal/testutil"
)

// server is "httpstate serve" running in-process.
type server struct {
	base   string
	cancel context.CancelFunc
	done   chan error
	mu     sync.Mutex // protects log
	log    strings.Builder
}

// startServe runs "serve --addr 127.0.0.1:0 args..." and waits for the
// address it prints. The server is stopped when the test ends.
func startServe(t testing.TB, args ...string) *server {
	t.Helper()
	pr, pw := io.Pipe()
	s := &Streams{In: strings.NewReader(""), Out: io.Discard, ErrOut: pw}
	root := NewRootCmd(s)
	root.SetArgs(append([]string{"serve", "--addr", "127.0.0.1:0"}, args...))
	ctx, cancel := context.WithCancel(context.Background())
	srv := &server{cancel: cancel, done: make(chan error, 1)}
	go func() {
		err := root.ExecuteContext(ctx)
		pw.Close()
		srv.done <- err
	}()
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			line := sc.Text()
			if rest, ok := strings.CutPrefix(line, "httpstate: listening on "); ok {
				addr <- strings.TrimSuffix(strings.Fields(rest)[0], "/")
			}
			srv.mu.Lock()
			srv.log.WriteString(line + "\n")
			srv.mu.Unlock()
		}
		io.Copy(io.Discard, pr)
	}()
	select {
	case srv.base = <-addr:
	case err := <-srv.done:
		cancel()
		t.Fatalf("serve %q exited before listening: %v", args, err)
	case <-time.After(15 * time.Second):
		cancel()
		t.Fatalf("serve %q printed no address within 15s", args)
	}
	t.Cleanup(func() { srv.stop(t) })
	return srv
}

// stop cancels the command's context (as SIGINT would) and returns its
// error; later calls return nil.
func (s *server) stop(t testing.TB) error {
	t.Helper()
	if s.cancel == nil {
		return nil
	}
	s.cancel()
	s.cancel = nil
	select {
	case err := <-s.done:
		return err
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop within 20s of its context's cancellation")
		return nil
	}
}

func (s *server) logs() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.log.String()
}

// loginClient logs user in on base and returns its client.
func loginClient(t testing.TB, base, user string) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := hc.Get(base + "/api/csrf")
	if err != nil {
		t.Fatal(err)
	}
	var tok struct{ Token string }
	err = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	resp, err = hc.PostForm(base+"/login", url.Values{"user": {user}, "password": {user}, "csrf_token": {tok.Token}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login %s: status %d, want 303", user, resp.StatusCode)
	}
	return hc
}

func get(t testing.TB, hc *http.Client, u string) (int, string) {
	t.Helper()
	resp, err := hc.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestServeMemory(t *testing.T) {
	srv := startServe(t, "--store", "memory:", "--idle", "5m")
	if code, body := get(t, http.DefaultClient, srv.base+"/healthz"); code != http.StatusOK || body != "ok\n" {
		t.Errorf("GET /healthz = %d %q", code, body)
	}
	alice := loginClient(t, srv.base, "alice")
	if _, body := get(t, alice, srv.base+"/"); !strings.Contains(body, `id="user">alice<`) || !strings.Contains(body, "5m0s") {
		t.Errorf("home page after login lacks alice or the 5m idle timeout")
	}
	if _, body := get(t, alice, srv.base+"/metrics"); !strings.Contains(body, "httpstate_sessions_created_total 1\n") {
		t.Errorf("metrics lack the created session")
	}
	if err := srv.stop(t); err != nil {
		t.Errorf("serve returned %v after cancellation, want nil", err)
	}
	if _, err := http.Get(srv.base + "/healthz"); err == nil {
		t.Errorf("the server still answers after shutdown")
	}
	logs := srv.logs()
	for _, want := range []string{"msg=serving", "msg=login", "user=alice", "msg=stopped"} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %q:\n%s", want, logs)
		}
	}
}

// TestServeShutdownEndsStreams: an open dashboard event stream does not hold
// the shutdown up.
func TestServeShutdownEndsStreams(t *testing.T) {
	srv := startServe(t, "--store", "memory:")
	admin := loginClient(t, srv.base, "admin")
	stream := *admin
	stream.Timeout = 0
	resp, err := stream.Get(srv.base + "/dashboard/events")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /dashboard/events: %d", resp.StatusCode)
	}
	if err := srv.stop(t); err != nil {
		t.Errorf("serve: %v", err)
	}
	if _, err := io.ReadAll(resp.Body); err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Logf("stream ended with %v", err)
	}
}

// TestServeBolt: sessions persist in the bolt file across restarts, and the
// sessions command refuses (quickly) to open the file of a running server.
func TestServeBolt(t *testing.T) {
	db := "bolt:" + filepath.Join(t.TempDir(), "httpstate.db")
	srv := startServe(t, "--store", db)
	bob := loginClient(t, srv.base, "bob")

	_, _, err := runSessions(t, false, "--store", db, "list")
	if !errors.Is(err, errStoreLocked) {
		t.Errorf("sessions list on a served bolt file: %v, want errStoreLocked", err)
	}
	if err := srv.stop(t); err != nil {
		t.Fatalf("serve: %v", err)
	}
	out, _, err := runSessionsNow(t, "--store", db, "list", "--json")
	if err != nil {
		t.Fatalf("sessions list after shutdown: %v", err)
	}
	if !strings.Contains(out, `"principal": "bob"`) {
		t.Errorf("sessions list does not show bob's session:\n%s", out)
	}
	// A restarted server (on another port: cookies ignore ports) still
	// knows bob.
	srv = startServe(t, "--store", db)
	if _, body := get(t, bob, srv.base+"/"); !strings.Contains(body, `id="user">bob<`) {
		t.Errorf("bob is not signed in after a restart")
	}
}

// runSessionsNow runs the sessions command with the real clock (the root
// command, as a user would).
func runSessionsNow(t testing.TB, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut strings.Builder
	root := NewRootCmd(&Streams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut})
	root.SetArgs(append([]string{"sessions"}, args...))
	err := root.ExecuteContext(context.Background())
	return out.String(), errOut.String(), err
}

var serveErrorTests = []struct {
	args []string
	want string
}{
	{[]string{"--store", "nosuch:"}, "bad store URL"},
	{[]string{"--store", "memory:", "--idle", "0s"}, "must be positive"},
	{[]string{"--store", "memory:", "--addr", "256.0.0.1:99999"}, "serve:"},
	{[]string{"--store", "memory:", "extra"}, "unknown command"},
}

func TestServeErrors(t *testing.T) {
	for _, tt := range serveErrorTests {
		var errOut strings.Builder
		root := NewRootCmd(&Streams{In: strings.NewReader(""), Out: io.Discard, ErrOut: &errOut})
		root.SetArgs(append([]string{"serve"}, tt.args...))
		err := root.ExecuteContext(context.Background())
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("serve %q: error %v, want one containing %q", tt.args, err, tt.want)
		}
	}
}

// TestServeTwoInstancesRedis runs two servers on one redis-server: the
// first one's dashboard lists a session created on the second, the sessions
// command administers the store while both run, and a revocation reaches
// the second instance.
func TestServeTwoInstancesRedis(t *testing.T) {
	rs := testutil.StartRedis(t, nil)
	store := "redis://" + rs.Addr() + "/0"
	one := startServe(t, "--store", store)
	two := startServe(t, "--store", store)
	admin := loginClient(t, one.base, "admin")
	alice := loginClient(t, two.base, "alice")
	if _, body := get(t, admin, one.base+"/dashboard"); !strings.Contains(body, "revoke all of alice") {
		t.Errorf("instance one's dashboard does not list alice's session from instance two")
	}
	out, _, err := runSessionsNow(t, "--store", store, "list", "--json")
	if err != nil {
		t.Fatalf("sessions list on redis with servers running: %v", err)
	}
	if !strings.Contains(out, `"principal": "alice"`) || !strings.Contains(out, `"principal": "admin"`) {
		t.Errorf("sessions list lacks alice or admin:\n%s", out)
	}
	if _, _, err := runSessionsNow(t, "--store", store, "revoke", "--user", "alice"); err != nil {
		t.Fatalf("sessions revoke --user alice: %v", err)
	}
	if _, body := get(t, alice, two.base+"/"); strings.Contains(body, `id="user">alice<`) {
		t.Errorf("alice is still signed in on instance two after revocation")
	}
}

// TestServeSecureCookie: behind a proxy that terminates TLS the app speaks
// plain HTTP; --secure-cookie still gives the session cookie the __Host-
// name and Secure (and without the flag it has neither).
func TestServeSecureCookie(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string // the Set-Cookie prefix
		sec  bool
	}{
		{[]string{"--store", "memory:"}, "sid=", false},
		{[]string{"--store", "memory:", "--secure-cookie"}, "__Host-sid=", true},
	} {
		srv := startServe(t, tt.args...)
		resp, err := http.Get(srv.base + "/api/csrf")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		sc := resp.Header.Values("Set-Cookie")
		if len(sc) != 1 || !strings.HasPrefix(sc[0], tt.want) || strings.Contains(sc[0], "; Secure") != tt.sec {
			t.Errorf("serve %q: Set-Cookie %q, want one starting %q with Secure %v", tt.args, sc, tt.want, tt.sec)
		}
		srv.stop(t)
	}
}

// TestServeBadAddrCreatesNoStore: serve listens before it opens the store,
// so a mistyped or taken --addr fails without creating (or formatting) a
// bbolt file in the working directory, and without waiting for the file
// lock of another server on the same store.
func TestServeBadAddrCreatesNoStore(t *testing.T) {
	path := filepath.Join(t.TempDir(), "httpstate.db")
	for _, addr := range []string{"bad", "127.0.0.1:99999"} {
		var errOut strings.Builder
		root := NewRootCmd(&Streams{In: strings.NewReader(""), Out: io.Discard, ErrOut: &errOut})
		root.SetArgs([]string{"serve", "--addr", addr, "--store", "bolt:" + path})
		err := root.ExecuteContext(context.Background())
		if err == nil || !strings.Contains(err.Error(), "listen") {
			t.Errorf("serve --addr %s: error %v, want the listen error", addr, err)
		}
		if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("serve --addr %s failed but created %s (stat: %v)", addr, path, err)
		}
	}
}
