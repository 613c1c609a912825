package cli

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// The -update flag rewrites golden files. Another test file of the package
// may define it too, so it is looked up rather than owned.
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite the golden files in testdata")
	}
}

func httpUpdating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// httpTestServer is the server the http command talks to in tests. Its
// responses carry no Date header, so output is stable.
func httpTestServer(tb testing.TB) *httptest.Server {
	tb.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("/get", func(w http.ResponseWriter, r *http.Request) {
		w.Header()["Date"] = nil
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{
			"args": r.URL.Query(), "x-test": r.Header.Get("X-Test"), "ok": true, "n": 1.5, "none": nil,
		})
	})
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		w.Header()["Date"] = nil
		w.Header().Set("Content-Type", r.Header.Get("Content-Type"))
		io.Copy(w, r.Body)
	})
	mux.HandleFunc("/status/", func(w http.ResponseWriter, r *http.Request) {
		w.Header()["Date"] = nil
		var code int
		fmt.Sscan(strings.TrimPrefix(r.URL.Path, "/status/"), &code)
		w.WriteHeader(code)
	})
	mux.HandleFunc("/redirect", func(w http.ResponseWriter, r *http.Request) {
		w.Header()["Date"] = nil
		http.Redirect(w, r, "/get?from=redirect", http.StatusFound)
	})
	mux.HandleFunc("/login", func(w http.ResponseWriter, r *http.Request) {
		w.Header()["Date"] = nil
		w.Header().Add("Set-Cookie", "sid=s-123; Path=/; HttpOnly; Max-Age=3600")
		w.Header().Add("Set-Cookie", "=nameless; Path=/")
	})
	mux.HandleFunc("/whoami", func(w http.ResponseWriter, r *http.Request) {
		w.Header()["Date"] = nil
		fmt.Fprintf(w, "cookie=%q auth=%q x-team=%q\n", r.Header.Get("Cookie"),
			r.Header.Get("Authorization"), r.Header.Get("X-Team"))
	})
	mux.HandleFunc("/files/report", func(w http.ResponseWriter, r *http.Request) {
		w.Header()["Date"] = nil
		w.Header().Set("Content-Disposition", `attachment; filename="../../etc/report.csv"`)
		io.WriteString(w, "a,b\n1,2\n")
	})
	mux.HandleFunc("/files/data.bin", func(w http.ResponseWriter, r *http.Request) {
		w.Header()["Date"] = nil
		w.Header().Set("Content-Length", "400000")
		w.Write(bytes.Repeat([]byte{0, 1, 2, 3}, 100_000))
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done() // answers only when the client gives up
	})
	srv := httptest.NewServer(mux)
	tb.Cleanup(srv.Close)
	return srv
}

// runHTTPCmd runs "httpstate http args..." and returns its output, with the
// server's address replaced by HOST, and its exit status.
func runHTTPCmd(tb testing.TB, srv *httptest.Server, tty bool, args ...string) (stdout, stderr string, code int) {
	tb.Helper()
	var out, errb bytes.Buffer
	s := &Streams{In: strings.NewReader(""), Out: &out, ErrOut: &errb, OutTTY: tty, ErrTTY: tty}
	code = run(s, append([]string{"http"}, args...))
	host := strings.TrimPrefix(srv.URL, "http://")
	return strings.ReplaceAll(out.String(), host, "HOST"), strings.ReplaceAll(errb.String(), host, "HOST"), code
}

var httpGoldenTests = []struct {
	name     string
	tty      bool
	args     []string // "URL" is replaced by the server's URL
	wantCode int
}{
	{name: "get_piped", args: []string{"URL/get", "q==1", "q==two words", "X-Test:yes"}},
	{name: "get_tty", tty: true, args: []string{"URL/get", "X-Test:yes"}},
	{name: "post_json_verbose", args: []string{"-v", "URL/echo", "name=Ann", "age:=30", `tags:=["a","b"]`, "X-Test:1"}},
	{name: "post_json_pretty", args: []string{"--pretty=format", "PUT", "URL/echo", "name=Ann", "nested:={\"a\":[1,2]}"}},
	{name: "form", args: []string{"--print=HBb", "--form", "URL/echo", "name=Ann Lee", "x=1&2"}},
	{name: "basic_auth_headers", args: []string{"--print=H", "-a", "ann:pw", "URL/get"}},
	{name: "bearer_auth_headers", args: []string{"--print=H", "-A", "bearer", "-a", "tok", "URL/get"}},
	{name: "status_404_checked", args: []string{"--check-status", "--print=h", "URL/status/404"}, wantCode: 4},
	{name: "status_500_checked", args: []string{"--check-status", "URL/status/500"}, wantCode: 5},
	{name: "status_404_unchecked", args: []string{"--print=h", "URL/status/404"}},
	{name: "redirect_checked", args: []string{"--check-status", "--print=h", "URL/redirect"}, wantCode: 3},
	{name: "redirect_followed", args: []string{"--check-status", "--follow", "URL/redirect"}},
	{name: "binary_tty", tty: true, args: []string{"--print=b", "URL/files/data.bin"}},
	{name: "unset_and_empty_headers", args: []string{"--print=H", "URL/get", "User-Agent:", "Accept:", "X-Empty;"}},
	{name: "bad_item", args: []string{"URL/get", "nonsense"}, wantCode: 1},
	{name: "bad_json", args: []string{"URL/get", "a:=nope"}, wantCode: 1},
}

func TestHTTPGolden(t *testing.T) {
	srv := httpTestServer(t)
	for _, tt := range httpGoldenTests {
		args := make([]string, len(tt.args))
		for i, a := range tt.args {
			args[i] = strings.Replace(a, "URL", srv.URL, 1)
		}
		stdout, stderr, code := runHTTPCmd(t, srv, tt.tty, args...)
		if code != tt.wantCode {
			t.Errorf("%s: exit status %d, want %d (stderr %q)", tt.name, code, tt.wantCode, stderr)
		}
		got := "== stdout\n" + stdout + "== stderr\n" + stderr
		golden := filepath.Join("testdata", "http_"+tt.name+".golden")
		if httpUpdating() {
			if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%s: %v (run go test -update to create it)", tt.name, err)
		}
		if got != string(want) {
			t.Errorf("%s: output differs from %s\ngot:\n%s\nwant:\n%s", tt.name, golden, got, want)
		}
	}
}

// TestHTTPNamedSession: a cookie set in one invocation is sent by the next,
// through a named session under $XDG_CONFIG_HOME, with the headers and auth
// given the first time.
func TestHTTPNamedSession(t *testing.T) {
	srv := httpTestServer(t)
	cfg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfg)

	_, stderr, code := runHTTPCmd(t, srv, false, "--session=alice", "-a", "alice:pw", srv.URL+"/login", "X-Team:blue")
	if code != 0 {
		t.Fatalf("first run: exit %d: %s", code, stderr)
	}
	hostDir := strings.ReplaceAll(strings.TrimPrefix(srv.URL, "http://"), ":", "_")
	path := filepath.Join(cfg, "httpstate", "sessions", hostDir, "alice.json")
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatalf("session file: %v", err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("session file mode %v, want 0600", fi.Mode().Perm())
	}

	stdout, stderr, code := runHTTPCmd(t, srv, false, "--session=alice", srv.URL+"/whoami")
	if code != 0 {
		t.Fatalf("second run: exit %d: %s", code, stderr)
	}
	if want := `cookie="sid=s-123; nameless" auth="Basic YWxpY2U6cHc=" x-team="blue"` + "\n"; stdout != want {
		t.Errorf("second run: got %q, want %q", stdout, want)
	}

	// Another session name and the read-only mode share nothing / write
	// nothing.
	stdout, _, _ = runHTTPCmd(t, srv, false, "--session-read-only=bob", srv.URL+"/login")
	stdout, _, _ = runHTTPCmd(t, srv, false, "--session=bob", srv.URL+"/whoami")
	if want := `cookie="" auth="" x-team=""` + "\n"; stdout != want {
		t.Errorf("session bob: got %q, want %q", stdout, want)
	}
}

func TestHTTPSessionPath(t *testing.T) {
	srv := httpTestServer(t)
	path := filepath.Join(t.TempDir(), "my.json")
	if _, stderr, code := runHTTPCmd(t, srv, false, "--session", path, srv.URL+"/login"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	stdout, _, _ := runHTTPCmd(t, srv, false, "--session-read-only", path, srv.URL+"/whoami")
	if !strings.Contains(stdout, `cookie="sid=s-123; nameless"`) {
		t.Errorf("session by path: got %q", stdout)
	}
}

func TestHTTPSessionNameValidated(t *testing.T) {
	srv := httpTestServer(t)
	_, stderr, code := runHTTPCmd(t, srv, false, "--session", "a b", srv.URL)
	if code != 1 || !strings.Contains(stderr, "session name") {
		t.Errorf("got exit %d, stderr %q; want 1 and a session-name error", code, stderr)
	}
}

func TestHTTPDownload(t *testing.T) {
	srv := httpTestServer(t)
	t.Chdir(t.TempDir())
	for i, want := range []string{"report.csv", "report-1.csv"} {
		stdout, stderr, code := runHTTPTTY(t, true, false, "--download", srv.URL+"/files/report")
		if code != 0 {
			t.Fatalf("download %d: exit %d: %s", i, code, stderr)
		}
		data, err := os.ReadFile(want)
		if err != nil || string(data) != "a,b\n1,2\n" {
			t.Errorf("download %d: %s holds %q, %v", i, want, data, err)
		}
		if wantErr := "Downloading to " + want + "\nDone: 8 bytes\n"; stderr != wantErr {
			t.Errorf("download %d: stderr %q, want %q", i, stderr, wantErr)
		}
		if stdout != "" {
			t.Errorf("download %d: stdout %q, want nothing", i, stdout)
		}
	}
	_, stderr, code := runHTTPCmd(t, srv, true, "-d", "-o", "out.bin", srv.URL+"/files/data.bin")
	if code != 0 {
		t.Fatalf("download -o: exit %d: %s", code, stderr)
	}
	if fi, err := os.Stat("out.bin"); err != nil || fi.Size() != 400_000 {
		t.Errorf("out.bin: %v, %v; want 400000 bytes", fi, err)
	}
	if !strings.Contains(stderr, "] 100% 390.6 KiB / 390.6 KiB\n") || !strings.Contains(stderr, "HTTP/1.1 200 OK") {
		t.Errorf("terminal stderr lacks the progress bar or headers: %q", stderr)
	}
	_, _, code = runHTTPTTY(t, true, false, "-d", srv.URL+"/status/404")
	if code != 4 {
		t.Errorf("download of a 404: exit %d, want 4", code)
	}
	if _, err := os.Stat("404"); err == nil {
		t.Errorf("download of a 404 wrote a file")
	}
}

// runHTTPTTY runs "httpstate http args..." with stdout and stderr
// terminals or not.
func runHTTPTTY(tb testing.TB, outTTY, errTTY bool, args ...string) (stdout, stderr string, code int) {
	tb.Helper()
	var out, errb bytes.Buffer
	s := &Streams{In: nil, Out: &out, ErrOut: &errb, OutTTY: outTTY, ErrTTY: errTTY}
	code = run(s, append([]string{"http"}, args...))
	return out.String(), errb.String(), code
}

// TestHTTPDownloadPiped: as in HTTPie ("piping while downloading"), with
// --download and no -o a redirected stdout gets the body, and only the
// body: headers, the verbose request and an error response go to stderr.
func TestHTTPDownloadPiped(t *testing.T) {
	srv := httpTestServer(t)
	t.Chdir(t.TempDir())
	stdout, stderr, code := runHTTPTTY(t, false, true, "-d", "-v", srv.URL+"/files/report")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if stdout != "a,b\n1,2\n" {
		t.Errorf("stdout %q, want the body only", stdout)
	}
	for _, want := range []string{"GET /files/report HTTP/1.1", "HTTP/1.1 200 OK", "Downloading to stdout"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr %q lacks %q", stderr, want)
		}
	}
	if ents, _ := os.ReadDir("."); len(ents) != 0 {
		t.Errorf("a piped download wrote %d files", len(ents))
	}
	stdout, stderr, code = runHTTPTTY(t, false, false, "-d", "--print=hb", srv.URL+"/status/404")
	if code != 4 || stdout != "" || !strings.Contains(stderr, "404 Not Found") {
		t.Errorf("piped download of a 404: exit %d, stdout %q, stderr %q; want 4, nothing, the response", code, stdout, stderr)
	}
}

var downloadNameTests = []struct {
	disposition, url, want string
}{
	{`attachment; filename="a.txt"`, "http://h/x", "a.txt"},
	{`attachment; filename="../../etc/passwd"`, "http://h/x", "passwd"},
	{`attachment; filename=".bashrc"`, "http://h/x", "bashrc"},
	{`attachment; filename="..\\..\\win.ini"`, "http://h/x", "win.ini"},
	{``, "http://h/dir/file.tar.gz?x=1", "file.tar.gz"},
	{``, "http://h/", "index"},
	{`attachment; filename=".."`, "http://h", "index"},
	{`attachment; filename*=UTF-8''%1B%5B31mred.txt`, "http://h/x", "x"},
	{``, "http://h/a%0Ab", "index"},
	{`attachment; filename*=UTF-8''caf%C3%A9.txt`, "http://h/x", "café.txt"},
	// C1 controls (U+009B is CSI to some terminals), a raw 0x9B byte, and
	// bidirectional overrides (a name shown as "txt.exe" that is not) make
	// no file name either: the name is printed in "Downloading to".
	{`attachment; filename*=UTF-8''%C2%9B31mred.txt`, "http://h/x", "x"},
	{`attachment; filename*=UTF-8''%9B31mred.txt`, "http://h/x", "x"},
	{`attachment; filename*=UTF-8''invoice%E2%80%AEtxt.exe`, "http://h/x", "x"},
	{``, "http://h/a%C2%9Bb", "index"},
}

func TestDownloadName(t *testing.T) {
	for _, tt := range downloadNameTests {
		u, _ := parseCLIURL(tt.url)
		if got := downloadName(tt.disposition, u); got != tt.want {
			t.Errorf("downloadName(%q, %q) = %q, want %q", tt.disposition, tt.url, got, tt.want)
		}
	}
}

var parseArgsTests = []struct {
	args       []string
	form       bool
	wantMethod string
	wantURL    string
	wantBody   string
}{
	// As HTTPie, a URL not starting with a scheme gets http://, even
	// with "://" in its query; one that is no http(s) URL is refused.
	{args: []string{"example.com/login?next=http://x/y"}, wantMethod: "GET", wantURL: "http://example.com/login?next=http://x/y"},
	{args: []string{"example.com/a://b"}, wantMethod: "GET", wantURL: "http://example.com/a://b"},
	{args: []string{"HTTPS://example.com/"}, wantMethod: "GET", wantURL: "https://example.com/"},
	{args: []string{"ftp://example.com/"}},
	{[]string{"example.org"}, false, "GET", "http://example.org", ""},
	{[]string{":3000/x"}, false, "GET", "http://localhost:3000/x", ""},
	// HTTPie's localhost shortcuts without a port.
	{[]string{":"}, false, "GET", "http://localhost", ""},
	{[]string{":/foo"}, false, "GET", "http://localhost/foo", ""},
	{[]string{":/"}, false, "GET", "http://localhost/", ""},
	{[]string{"::1"}, false, "", "", ""},
	{[]string{":abc"}, false, "", "", ""},
	{[]string{":80?q=1"}, false, "GET", "http://localhost:80?q=1", ""},
	{[]string{"delete", "https://h/x"}, false, "DELETE", "https://h/x", ""},
	{[]string{"h/x", "a=1"}, false, "POST", "http://h/x", `{"a": "1"}`},
	{[]string{"h/x", "a=1", "b:=true"}, true, "", "", ""},
	// Query items as HTTPie (requests) sends them: after the URL's own
	// query, kept as written; each name at its first use, its values in
	// command-line order.
	{[]string{"h/x?z=0", "b==2", "a==1"}, false, "GET", "http://h/x?z=0&b=2&a=1", ""},
	{[]string{"h/x", "a==1", "b==2", "a==3"}, false, "GET", "http://h/x?a=1&a=3&b=2", ""},
	{[]string{"h/x?a=0", "a==1"}, false, "GET", "http://h/x?a=0&a=1", ""},
	{[]string{"h/x?q=a+b&x", "q==c d"}, false, "GET", "http://h/x?q=a+b&x&q=c+d", ""},
	{[]string{"h/x", `a\=b==c&d`, "e==@" + td("token.txt")}, false, "GET", "http://h/x?a%3Db=c%26d&e=secret-token%0A%0A", ""},
	{[]string{"PATCH", "h", "a=x y", "b=&"}, true, "PATCH", "http://h", "a=x+y&b=%26"},
}

func TestParseHTTPArgs(t *testing.T) {
	for _, tt := range parseArgsTests {
		r, err := parseHTTPArgs(tt.args, tt.form)
		if tt.wantMethod == "" {
			if err == nil {
				t.Errorf("parseHTTPArgs(%q): no error, want one", tt.args)
			}
			continue
		}
		if err != nil {
			t.Errorf("parseHTTPArgs(%q): %v", tt.args, err)
			continue
		}
		if r.method != tt.wantMethod || r.url.String() != tt.wantURL || string(r.body) != tt.wantBody {
			t.Errorf("parseHTTPArgs(%q) = %s %s %q, want %s %s %q", tt.args, r.method, r.url, r.body,
				tt.wantMethod, tt.wantURL, tt.wantBody)
		}
	}
}

func TestHTTPVerify(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "secure")
	}))
	defer srv.Close()
	ca := filepath.Join(t.TempDir(), "ca.pem")
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(ca, pemBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		verify   string
		wantCode int
		wantOut  string
		wantErr  string
	}{
		{"yes", 1, "", "TLS handshake failed"},
		{ca, 0, "secure", ""},
		{"no", 0, "secure", ""},
		{filepath.Join(t.TempDir(), "missing.pem"), 1, "", "--verify"},
	} {
		stdout, stderr, code := runHTTPCmd(t, srv, false, "--verify", tt.verify, srv.URL)
		if code != tt.wantCode || stdout != tt.wantOut || !strings.Contains(stderr, tt.wantErr) {
			t.Errorf("--verify %s: exit %d, stdout %q, stderr %q; want %d, %q, %q",
				tt.verify, code, stdout, stderr, tt.wantCode, tt.wantOut, tt.wantErr)
		}
	}
}

// TestHTTPTimeoutExitCode: a request over its --timeout exits with 2, as
// HTTPie's does, with or without --check-status.
func TestHTTPTimeoutExitCode(t *testing.T) {
	srv := httpTestServer(t)
	// HTTPie's --timeout is seconds; a Go duration is accepted too.
	for _, extra := range [][]string{{"--timeout", "100ms"}, {"--timeout=0.1", "--check-status"}, {"--timeout", ".1"}} {
		args := append(extra, srv.URL+"/slow")
		_, stderr, code := runHTTPCmd(t, srv, false, args...)
		if code != 2 || !strings.Contains(stderr, "timed out") {
			t.Errorf("%q: exit %d, stderr %q; want 2 and a timeout error", args, code, stderr)
		}
	}
}

// TestHTTPTimeoutDuringBody: --timeout running out while the body arrives
// exits with 2 as one before the response does, whether the body streams,
// is read whole to be formatted, or is downloaded.
func TestHTTPTimeoutDuringBody(t *testing.T) {
	srv, _ := streamingServer(t)
	out := filepath.Join(t.TempDir(), "body")
	for _, extra := range [][]string{{}, {"--pretty=format"}, {"-d", "-o", out}} {
		args := append([]string{"--timeout", "0.2"}, extra...)
		args = append(args, srv.URL)
		_, stderr, code := runHTTPContext(t, context.Background(), nil, args...)
		if code != 2 || !strings.Contains(stderr, "timed out") {
			t.Errorf("%q: exit %d, stderr %q; want 2 and a timeout error", args, code, stderr)
		}
	}
}

func TestTimeoutFlag(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want time.Duration
		err  bool
	}{
		{"2.5", 2500 * time.Millisecond, false},
		{"30", 30 * time.Second, false},
		{"0", 0, false},
		{"1m", time.Minute, false},
		{"250ms", 250 * time.Millisecond, false},
		{"-1", 0, true},
		{"-1s", 0, true},
		{"abc", 0, true},
		{"1e300", 0, true},
		{"NaN", 0, true},
		// A positive time under a nanosecond is the shortest limit, not
		// none (0).
		{"1e-12", time.Nanosecond, false},
		{"0.0000000001", time.Nanosecond, false},
	} {
		var d secondsFlag
		err := d.Set(tt.in)
		if (err != nil) != tt.err || (err == nil && time.Duration(d) != tt.want) {
			t.Errorf("--timeout %q: got %v, %v; want %v (error %v)", tt.in, time.Duration(d), err, tt.want, tt.err)
		}
	}
}

// TestHTTPSessionReadOnlyKeepsFile: --session-read-only uses an existing
// session but leaves its file as it was, although the response sets a
// cookie and the command line adds a header.
func TestHTTPSessionReadOnlyKeepsFile(t *testing.T) {
	srv := httpTestServer(t)
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	if _, stderr, code := runHTTPCmd(t, srv, false, "--session=ro", srv.URL+"/whoami", "X-Team:red"); code != 0 {
		t.Fatalf("creating the session: exit %d: %s", code, stderr)
	}
	u, _ := parseCLIURL(srv.URL)
	path, err := sessionPath("ro", u)
	if err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := runHTTPCmd(t, srv, false, "--session-read-only=ro", srv.URL+"/login", "X-Other:1")
	if code != 0 {
		t.Fatalf("read-only run: exit %d: %s", code, stderr)
	}
	after, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, after) {
		t.Errorf("--session-read-only changed the session file:\nbefore %s\nafter %s", before, after)
	}
	stdout, _, _ = runHTTPCmd(t, srv, false, "--session-read-only=ro", srv.URL+"/whoami")
	if want := `cookie="" auth="" x-team="red"` + "\n"; stdout != want {
		t.Errorf("read-only session: got %q, want %q", stdout, want)
	}
}

// printSpecTests: HTTPie's --print defaults are hb on a terminal and b when
// piped; -v, -b and an explicit --print override them.
var printSpecTests = []struct {
	o    httpOptions
	tty  bool
	want string
}{
	{o: httpOptions{}, tty: true, want: "hb"},
	{o: httpOptions{}, tty: false, want: "b"},
	{o: httpOptions{verbose: true}, tty: false, want: "HBhb"},
	{o: httpOptions{bodyOnly: true}, tty: true, want: "b"},
	{o: httpOptions{print: "Hh"}, tty: false, want: "Hh"},
}

func TestPrintSpec(t *testing.T) {
	for _, tt := range printSpecTests {
		got, err := printSpec(&tt.o, tt.tty)
		if err != nil || got != tt.want {
			t.Errorf("printSpec(%+v, tty=%v) = %q, %v; want %q", tt.o, tt.tty, got, err, tt.want)
		}
	}
	if _, err := printSpec(&httpOptions{print: "hx"}, true); err == nil {
		t.Errorf("printSpec(--print hx): no error")
	}
}

// TestHTTPOutputFile: --output without --download writes what would go to
// stdout to the file, with the piped defaults even from a terminal.
func TestHTTPOutputFile(t *testing.T) {
	srv := httpTestServer(t)
	path := filepath.Join(t.TempDir(), "out.json")
	stdout, stderr, code := runHTTPCmd(t, srv, true, "-o", path, srv.URL+"/echo", "a=1")
	if code != 0 || stdout != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q; want 0 and nothing on stdout", code, stdout, stderr)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"a": "1"}`; string(data) != want { // the body as sent back
		t.Errorf("output file: got %q, want %q", data, want)
	}
}

// TestHTTPBinaryToTerminal: as in HTTPie, a binary body (one with a NUL
// byte) is never written to a terminal, whatever --pretty says; piped or
// sent to a file it is written as it is.
func TestHTTPBinaryToTerminal(t *testing.T) {
	srv := httpTestServer(t)
	const note = "NOTE: binary data not shown in terminal"
	for _, tt := range []struct {
		tty    bool
		pretty string
		raw    bool // the body is written as it is
	}{
		{tty: true, pretty: "all"},
		{tty: true, pretty: "none"},
		{tty: true, pretty: "format"},
		{tty: true, pretty: "colors"},
		{tty: false, pretty: "none", raw: true},
		{tty: false, pretty: "all"}, // HTTPie: prettified output is text
	} {
		stdout, stderr, code := runHTTPCmd(t, srv, tt.tty, "--pretty="+tt.pretty, "--print=b", srv.URL+"/files/data.bin")
		if code != 0 {
			t.Fatalf("tty %v --pretty=%s: exit %d: %s", tt.tty, tt.pretty, code, stderr)
		}
		if tt.raw {
			if len(stdout) != 400000 || strings.Contains(stdout, note) {
				t.Errorf("tty %v --pretty=%s: got %d bytes, want the 400000 of the body", tt.tty, tt.pretty, len(stdout))
			}
			continue
		}
		if strings.IndexByte(stdout, 0) >= 0 || !strings.Contains(stdout, note) {
			t.Errorf("tty %v --pretty=%s: got %d bytes (NUL: %v), want the note only", tt.tty, tt.pretty, len(stdout), strings.IndexByte(stdout, 0) >= 0)
		}
	}
}

// TestHTTPSessionConcurrentRuns: runs that update one named session at
// once leave a whole file (the last writer's), mode 0600, and no temporary
// files: each run replaces it atomically.
func TestHTTPSessionConcurrentRuns(t *testing.T) {
	srv := httpTestServer(t)
	cfg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfg)
	const runs = 8
	errs := make(chan string, runs)
	for i := range runs {
		go func() {
			_, stderr, code := runHTTPCmd(t, srv, false, "--session=shared", "-a", fmt.Sprintf("u%d:pw", i),
				srv.URL+"/login", fmt.Sprintf("X-Team:t%d", i))
			if code != 0 {
				errs <- fmt.Sprintf("run %d: exit %d: %s", i, code, stderr)
				return
			}
			errs <- ""
		}()
	}
	for range runs {
		if e := <-errs; e != "" {
			t.Error(e)
		}
	}
	hostDir := strings.ReplaceAll(strings.TrimPrefix(srv.URL, "http://"), ":", "_")
	dir := filepath.Join(cfg, "httpstate", "sessions", hostDir)
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) != 1 || ents[0].Name() != "shared.json" {
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		t.Errorf("session directory holds %q, want only shared.json", names)
	}
	if fi, err := os.Stat(filepath.Join(dir, "shared.json")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("shared.json: %v, %v; want mode 0600", fi, err)
	}
	stdout, stderr, code := runHTTPCmd(t, srv, false, "--session-read-only=shared", srv.URL+"/whoami")
	if code != 0 {
		t.Fatalf("reading the session: exit %d: %s", code, stderr)
	}
	var n int
	var auth string
	_, err = fmt.Sscanf(stdout, `cookie="sid=s-123; nameless" auth=%q x-team="t%d"`, &auth, &n)
	if want := "Basic " + base64.StdEncoding.EncodeToString(fmt.Appendf(nil, "u%d:pw", n)); err != nil || n < 0 || n >= runs || auth != want {
		t.Errorf("the session holds %q, want one run's cookies, auth and header", stdout)
	}
}

// TestHTTPCheckStatusTerminal: as in HTTPie, --check-status writes its
// message to stderr only when stdout is redirected; on a terminal the
// printed status says it. The exit status is the same.
func TestHTTPCheckStatusTerminal(t *testing.T) {
	srv := httpTestServer(t)
	for _, tt := range []struct {
		path     string
		follow   bool
		wantCode int
	}{
		{"/status/404", false, 4},
		{"/status/503", false, 5},
		{"/redirect", false, 3},
		{"/redirect", true, 0},
		{"/status/204", false, 0},
	} {
		args := []string{"--check-status", srv.URL + tt.path}
		if tt.follow {
			args = append(args, "--follow")
		}
		// With the status line not printed, the message stays.
		if _, stderr, code := runHTTPCmd(t, srv, true, append(args, "--print=b")...); code != tt.wantCode || (code != 0) != strings.Contains(stderr, "status") {
			t.Errorf("%s --print=b on a terminal: exit %d, stderr %q; want %d and a message iff it fails", tt.path, code, stderr, tt.wantCode)
		}
		stdout, stderr, code := runHTTPCmd(t, srv, true, args...)
		if code != tt.wantCode || stderr != "" {
			t.Errorf("%s (follow %v) on a terminal: exit %d, stderr %q; want %d and nothing", tt.path, tt.follow, code, stderr, tt.wantCode)
		}
		if tt.wantCode != 0 && !strings.Contains(stdout, "HTTP/1.1 "+tt.path[len(tt.path)-3:]) && tt.path != "/redirect" {
			t.Errorf("%s on a terminal: stdout %q lacks the status", tt.path, stdout)
		}
		_, stderr, code = runHTTPCmd(t, srv, false, args...)
		if code != tt.wantCode || (code != 0) != strings.Contains(stderr, "status") {
			t.Errorf("%s (follow %v) piped: exit %d, stderr %q; want %d and a message iff it fails", tt.path, tt.follow, code, stderr, tt.wantCode)
		}
	}
}

// TestHTTPTooManyRedirects: as in HTTPie, --follow stops after
// --max-redirects redirects and exits with 6; --max-redirects=0 follows
// none.
func TestHTTPTooManyRedirects(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if r.URL.Path == "/once" {
			http.Redirect(w, r, "/end", http.StatusFound)
			return
		}
		if r.URL.Path == "/end" {
			io.WriteString(w, "end")
			return
		}
		if r.URL.Path == "/bad" {
			w.Header().Set("Location", "http://%zz/")
			w.WriteHeader(http.StatusFound)
			return
		}
		http.Redirect(w, r, "/loop", http.StatusFound)
	}))
	t.Cleanup(srv.Close)
	for _, tt := range []struct {
		args     []string
		path     string
		wantCode int
		wantHits int64
	}{
		{[]string{"--follow", "--max-redirects=2"}, "/loop", 6, 3},
		{[]string{"--follow", "--max-redirects=0"}, "/loop", 6, 1},
		{[]string{"--follow", "--max-redirects=0", "--check-status"}, "/once", 6, 1},
		{[]string{"--follow", "--max-redirects=1"}, "/once", 0, 2},
		{[]string{"--max-redirects=0", "--check-status"}, "/once", 3, 1}, // not following
		{[]string{"--follow"}, "/bad", 1, 1},                             // a bad Location is no redirect limit
	} {
		hits.Store(0)
		stdout, stderr, code := runHTTPCmd(t, srv, false, append(tt.args, srv.URL+tt.path)...)
		if code != tt.wantCode || hits.Load() != tt.wantHits {
			t.Errorf("%q %s: exit %d after %d requests (stdout %q, stderr %q); want %d after %d",
				tt.args, tt.path, code, hits.Load(), stdout, stderr, tt.wantCode, tt.wantHits)
		}
		if code == 6 && !strings.Contains(stderr, "too many redirects") {
			t.Errorf("%q: stderr %q, want it to say too many redirects", tt.args, stderr)
		}
	}
	if _, stderr, code := runHTTPCmd(t, srv, false, "--follow", "--max-redirects=-1", srv.URL); code != 1 || !strings.Contains(stderr, "--max-redirects") {
		t.Errorf("--max-redirects=-1: exit %d, stderr %q; want 1 and an error", code, stderr)
	}
}

// TestHTTPSessionCookieItem: as in HTTPie, a Cookie item given with
// --session goes into the session's jar (for the URL's host, path /), so
// later runs send it and a new value replaces it rather than doubling it;
// --session-read-only sends it without keeping it.
func TestHTTPSessionCookieItem(t *testing.T) {
	srv := httpTestServer(t)
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	for i, tt := range []struct {
		flag, item string
		want       string
	}{
		{"--session=s", "Cookie:a=1; b=x", `cookie="a=1; b=x"`},
		{"--session=s", "", `cookie="a=1; b=x"`},
		{"--session=s", "Cookie:a=2", `cookie="a=2; b=x"`},
		{"--session=s", "", `cookie="a=2; b=x"`},
		{"--session-read-only=s", "Cookie:c=3", `cookie="c=3; a=2; b=x"`},
		{"--session=s", "", `cookie="a=2; b=x"`},
		{"--session=s", "Cookie:__Host-h=1", `cookie="__Host-h=1; a=2; b=x"`}, // the jar refuses it over http: sent as given
	} {
		args := []string{tt.flag, srv.URL + "/whoami"}
		if tt.item != "" {
			args = append(args, tt.item)
		}
		stdout, stderr, code := runHTTPCmd(t, srv, false, args...)
		if code != 0 || !strings.HasPrefix(stdout, tt.want+" ") {
			t.Errorf("run %d %q: exit %d, got %q (stderr %q), want %s", i, args, code, stdout, stderr, tt.want)
		}
	}
}

// TestHTTPSessionRejectedCookieWarning: a session file written by an older
// version can hold a cookie the jar now refuses (here a __Secure- cookie
// without Secure, RFC 6265bis section 5.7 step 20). The request still goes
// out, with the other cookies; stderr names the cookie (never its value)
// and says it is dropped when the session is saved.
func TestHTTPSessionRejectedCookieWarning(t *testing.T) {
	srv := httpTestServer(t)
	u, _ := parseCLIURL(srv.URL)
	host := u.Hostname()
	path := filepath.Join(t.TempDir(), "old.json")
	file := `{"version": 1, "cookies": {"version": 1, "cookies": [
  {"name": "sid", "value": "s-123", "domain": "` + host + `", "hostOnly": true, "path": "/", "sameSite": "default"},
  {"name": "__Secure-id", "value": "s3cure-secret", "domain": "` + host + `", "hostOnly": true, "path": "/", "secure": false, "sameSite": "default"}
]}}`
	if err := os.WriteFile(path, []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, flag := range []string{"--session-read-only", "--session"} {
		stdout, stderr, code := runHTTPCmd(t, srv, false, flag, path, srv.URL+"/whoami")
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", flag, code, stderr)
		}
		if !strings.Contains(stdout, `cookie="sid=s-123"`) {
			t.Errorf("%s: the other cookie was not sent: %q", flag, stdout)
		}
		if !strings.Contains(stderr, "warning") || !strings.Contains(stderr, "__Secure-id") || strings.Contains(stderr, "s3cure-secret") {
			t.Errorf("%s: stderr %q: want a warning naming __Secure-id, without its value", flag, stderr)
		}
		if dropped := strings.Contains(stderr, "dropped from the session"); dropped != (flag == "--session") {
			t.Errorf("%s: stderr %q: says dropped = %v", flag, stderr, dropped)
		}
	}
	// The session was saved without it: no warning any more.
	if _, stderr, _ := runHTTPCmd(t, srv, false, "--session", path, srv.URL+"/whoami"); strings.Contains(stderr, "warning") {
		t.Errorf("after the save: stderr %q, want no warning", stderr)
	}
}

// unavailableServer starts a server that answers every request 503, and
// returns it with its count of requests.
func unavailableServer(t *testing.T) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	hits := new(atomic.Int64)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	t.Cleanup(srv.Close)
	return srv, hits
}

// TestHTTPRetriesNegative: --retries counts retries, so a negative one is
// an error; it became RetryPolicy.MaxAttempts 0 or less, which means the
// client's default of 4 attempts: --retries=-1 retried 3 times.
func TestHTTPRetriesNegative(t *testing.T) {
	srv, hits := unavailableServer(t)
	for _, n := range []string{"-1", "-5"} {
		hits.Store(0)
		_, stderr, code := runHTTPCmd(t, srv, false, "--retries="+n, srv.URL)
		if code != 1 || hits.Load() != 0 || !strings.Contains(stderr, "--retries") {
			t.Errorf("--retries=%s: exit %d after %d requests, stderr %q; want 1, no request and an error naming --retries",
				n, code, hits.Load(), stderr)
		}
	}
	hits.Store(0)
	if _, _, code := runHTTPCmd(t, srv, false, "--retries=0", srv.URL); code != 0 || hits.Load() != 1 {
		t.Errorf("--retries=0: exit %d after %d requests, want 0 after 1", code, hits.Load())
	}
}

// fullWriter fails every write, as stdout redirected to a full disk.
type fullWriter struct{}

func (fullWriter) Write([]byte) (int, error) { return 0, errors.New("no space left on device") }

// TestHTTPOutputWriteError: output that cannot be written (a full disk,
// /dev/full) is an error, exit status 1, whichever way it is printed; only
// the streamed body reported it, so --print=h, --pretty and a terminal's
// formatted output exited 0 with nothing written.
func TestHTTPOutputWriteError(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"a":1}`)
	}))
	t.Cleanup(srv.Close)
	for _, tt := range []struct {
		tty  bool
		args []string
	}{
		{false, nil},
		{false, []string{"--pretty=format"}},
		{false, []string{"--print=h"}},
		{false, []string{"-v"}},
		{true, nil},
	} {
		var errb bytes.Buffer
		s := &Streams{In: strings.NewReader(""), Out: fullWriter{}, ErrOut: &errb, OutTTY: tt.tty}
		code := run(s, append(append([]string{"http"}, tt.args...), srv.URL))
		if code != 1 || !strings.Contains(errb.String(), "no space left on device") {
			t.Errorf("tty %v %q to a full disk: exit %d, stderr %q; want 1 and the write error", tt.tty, tt.args, code, errb.String())
		}
	}
}

// TestHTTPFlagsCheckedBeforeStdin: every flag is checked before stdin is
// read or a request sent, so a bad one fails at once even when stdin is a
// pipe nobody closes; --retries=-1 was checked only after stdin's end (the
// command hung), and --retries=MaxInt64 overflowed retries+1 attempts to
// the client's default of 4.
func TestHTTPFlagsCheckedBeforeStdin(t *testing.T) {
	srv, hits := unavailableServer(t)
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	for _, flags := range [][]string{
		{"--retries=-1"},
		{"--retries=9223372036854775807"},
		{"--max-redirects=-1"},
		{"--session=a", "--session-read-only=b"},
		{"--session=bad name"},
		{"--pretty=bogus"},
		{"--print=x"},
		{"--auth-type=ntlm", "-a", "u:p"},
		{"-a", "nopassword"},
		{"--verify=" + filepath.Join(t.TempDir(), "missing.pem")},
	} {
		hits.Store(0)
		pr, pw := io.Pipe() // a stdin nobody closes
		var out, errb bytes.Buffer
		s := &Streams{In: pr, Out: &out, ErrOut: &errb}
		done := make(chan int, 1)
		go func() { done <- run(s, append(append([]string{"http"}, flags...), srv.URL)) }()
		select {
		case code := <-done:
			if code != 1 || hits.Load() != 0 {
				t.Errorf("%q: exit %d after %d requests, stderr %q; want 1 and no request", flags, code, hits.Load(), errb.String())
			}
		case <-time.After(10 * time.Second):
			pw.Close()
			<-done
			t.Errorf("%q: still reading stdin after 10s; want a flag error at once", flags)
		}
		pw.Close()
	}
	// With an empty stdin too: the overflowing value is refused, not 4
	// attempts.
	hits.Store(0)
	_, stderr, code := runHTTPCmd(t, srv, false, "--retries=9223372036854775807", srv.URL)
	if code != 1 || hits.Load() != 0 || !strings.Contains(stderr, "--retries") {
		t.Errorf("--retries=MaxInt64: exit %d after %d requests, stderr %q; want 1, no request, an error naming --retries", code, hits.Load(), stderr)
	}
	hits.Store(0)
	if _, _, code := runHTTPCmd(t, srv, false, "--retries=1", srv.URL); code != 0 || hits.Load() != 2 {
		t.Errorf("--retries=1: exit %d after %d requests, want 0 after 2", code, hits.Load())
	}
}

// TestHTTPDownloadStderrFails: with --download everything but the body
// goes to stderr; stderr failing (closed, 2>&-, or full) does not fail a
// download that completed (exit 0, the file whole), while a file that
// cannot be written still fails it. -v's request and headers written to a
// failing stderr made a complete download exit 1.
func TestHTTPDownloadStderrFails(t *testing.T) {
	srv := httpTestServer(t)
	dir := t.TempDir()
	t.Chdir(dir)
	for _, tc := range []struct {
		name      string
		outTTY    bool
		errTTY    bool
		flags     []string
		wantStdio bool // the body goes to stdout
	}{
		{"file -v", true, false, []string{"-v", "-o", "a.bin"}, false},
		{"file terminal", true, true, []string{"-o", "b.bin"}, false},
		{"file --print=h", false, true, []string{"--print=h", "-o", "c.bin"}, false},
		{"named file", true, true, []string{"-v"}, false},
		{"stdout", false, true, []string{"-v"}, true},
	} {
		var out bytes.Buffer
		s := &Streams{Out: &out, ErrOut: fullWriter{}, OutTTY: tc.outTTY, ErrTTY: tc.errTTY}
		code := run(s, append(append([]string{"http", "-d"}, tc.flags...), srv.URL+"/files/data.bin"))
		if code != 0 {
			t.Errorf("%s: exit %d, want 0", tc.name, code)
		}
		want := strings.Repeat("\x00\x01\x02\x03", 100_000)
		var got string
		if tc.wantStdio {
			got = out.String()
		} else {
			name := "data.bin"
			if tc.flags[len(tc.flags)-1] != "-v" {
				name = tc.flags[len(tc.flags)-1]
			}
			data, err := os.ReadFile(name)
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
			got = string(data)
		}
		if got != want {
			t.Errorf("%s: %d bytes saved, want the %d of the body", tc.name, len(got), len(want))
		}
	}
	// The file itself failing is still an error.
	if _, err := os.Stat("/dev/full"); err == nil {
		_, _, code := runHTTPTTY(t, true, false, "-d", "-o", "/dev/full", srv.URL+"/files/data.bin")
		if code != 1 {
			t.Errorf("download to /dev/full: exit %d, want 1", code)
		}
	}
	var out bytes.Buffer
	s := &Streams{Out: fullWriter{}, ErrOut: &out, OutTTY: false}
	if code := run(s, []string{"http", "-d", srv.URL + "/files/data.bin"}); code != 1 {
		t.Errorf("download to a failing stdout: exit %d, want 1", code)
	}
}

// TestHTTPTimeoutIsIdle: as HTTPie's (requests' read timeout), --timeout
// bounds each wait for data, not the whole download: a body that arrives
// steadily for longer than --timeout completes, streamed, formatted or
// downloaded. It was a limit on the whole exchange, which cut such a
// download short with exit 2.
//
// Each gap is 100 ms against a --timeout of 3 s, so only a stall of 2.9 s
// in a loaded machine's scheduling could cut the body; the body still
// takes longer than --timeout (35 gaps, at least 3.5 s), so a limit on the
// whole exchange cuts it, however slow the machine. The four runs are
// parallel, to take 3.5 s in all rather than 14.
func TestHTTPTimeoutIsIdle(t *testing.T) {
	const chunks = 36 // 35 gaps of 100 ms: 3.5 s in all, each gap a thirtieth of --timeout
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, "[0")
		for i := 1; i < chunks; i++ {
			w.(http.Flusher).Flush()
			select {
			case <-time.After(100 * time.Millisecond):
			case <-r.Context().Done():
				return
			}
			fmt.Fprintf(w, ",%d", i)
		}
		io.WriteString(w, "]")
	}))
	t.Cleanup(srv.Close)
	var nums []string
	for i := range chunks {
		nums = append(nums, fmt.Sprint(i))
	}
	whole := "[" + strings.Join(nums, ",") + "]"
	out := filepath.Join(t.TempDir(), "body")
	for name, extra := range map[string][]string{"streamed": {}, "--pretty=none": {"--pretty=none"}, "downloaded": {"-d", "-o", out}} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			args := append([]string{"--timeout", "3"}, extra...)
			args = append(args, srv.URL)
			stdout, stderr, code := runHTTPContext(t, context.Background(), nil, args...)
			if len(extra) == 3 {
				data, _ := os.ReadFile(out)
				stdout = string(data)
			}
			if code != 0 || stdout != whole {
				t.Errorf("%q: exit %d, body %q, stderr %q; want 0 and the whole body", args, code, stdout, stderr)
			}
		})
	}
	t.Run("--pretty=format", func(t *testing.T) {
		t.Parallel()
		stdout, stderr, code := runHTTPContext(t, context.Background(), nil, "--timeout", "3", "--pretty=format", srv.URL)
		if want := fmt.Sprintf("    %d\n]\n", chunks-1); code != 0 || !strings.HasSuffix(stdout, want) {
			t.Errorf("--pretty=format: exit %d, stdout %q, stderr %q; want 0 and the body formatted", code, stdout, stderr)
		}
	})
}

// TestHTTPTimeoutUpload: --timeout also bounds each wait for the server
// to take the request body (HTTPie's socket timeout): a server that
// neither reads a large body nor answers makes the command exit with 2,
// not wait for ever.
func TestHTTPTimeoutUpload(t *testing.T) {
	stop := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select { // reads nothing, answers nothing
		case <-r.Context().Done():
		case <-stop:
		}
	}))
	t.Cleanup(func() { close(stop); srv.Close() })
	file := filepath.Join(t.TempDir(), "big.bin")
	if err := os.WriteFile(file, bytes.Repeat([]byte("x"), 48<<20), 0o600); err != nil {
		t.Fatal(err)
	}
	_, stderr, code := runHTTPContext(t, context.Background(), nil, "--timeout", "0.3", "PUT", srv.URL, "@"+file)
	if code != 2 || !strings.Contains(stderr, "timed out") {
		t.Errorf("exit %d, stderr %q; want 2 and a timeout error", code, stderr)
	}
	// A body the server takes at once is sent whole.
	srv2 := httpTestServer(t)
	stdout, stderr, code := runHTTPContext(t, context.Background(), nil, "--timeout", "5", srv2.URL+"/echo", "a=1")
	if code != 0 || stdout != `{"a": "1"}` {
		t.Errorf("echo: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

// TestHTTPOffline: as HTTPie's --offline, the request is built and printed
// (--print HB by default), with the session's cookies and headers and the
// auth, and not sent; the session file is not updated. It was an unknown
// flag.
func TestHTTPOffline(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
	}))
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	sess := filepath.Join(dir, "s.json")
	stdout, stderr, code := runHTTPCmd(t, srv, false, "--offline", "--session", sess, "-a", "ann:pw", "--retries=3",
		srv.URL+"/x", "a=1", "X-Team:blue", "Cookie:sid=1")
	want := "POST /x HTTP/1.1\nHost: HOST\nAccept: application/json, */*;q=0.5\n" +
		"Authorization: Basic YW5uOnB3\nContent-Length: 10\nContent-Type: application/json\n" +
		"Cookie: sid=1\nUser-Agent: httpstate-client/1\nX-Team: blue\n\n{\"a\": \"1\"}\n\n"
	if code != 0 || stdout != want || stderr != "" {
		t.Errorf("exit %d, stdout %q, stderr %q; want 0 and\n%q", code, stdout, stderr, want)
	}
	if hits.Load() != 0 {
		t.Errorf("%d requests sent, want none", hits.Load())
	}
	if _, err := os.Stat(sess); err == nil {
		t.Errorf("--offline wrote the session file")
	}
	// --print picks the parts as usual; no response parts exist.
	stdout, _, code = runHTTPCmd(t, srv, false, "--offline", "-v", srv.URL+"/y")
	if code != 0 || !strings.HasPrefix(stdout, "GET /y HTTP/1.1\n") || strings.Contains(stdout, "HTTP/1.1 200") || hits.Load() != 0 {
		t.Errorf("--offline -v: exit %d, stdout %q, %d requests; want the request only, none sent", code, stdout, hits.Load())
	}
}

// TestHTTPQuiet: as HTTPie's --quiet (-q), nothing is printed but errors
// and warnings (-qq: errors only; the exit status still says a failed
// --check-status); --output still gets the output, --download the body.
// It was an unknown flag.
func TestHTTPQuiet(t *testing.T) {
	srv := httpTestServer(t)
	t.Chdir(t.TempDir())
	for _, tty := range []bool{false, true} {
		stdout, stderr, code := runHTTPCmd(t, srv, tty, "-q", "-v", srv.URL+"/get")
		if code != 0 || stdout != "" || stderr != "" {
			t.Errorf("tty %v: -q: exit %d, stdout %q, stderr %q; want 0 and nothing", tty, code, stdout, stderr)
		}
		stdout, stderr, code = runHTTPCmd(t, srv, tty, "-q", "--check-status", srv.URL+"/status/404")
		if code != 4 || stdout != "" || !strings.Contains(stderr, "404") {
			t.Errorf("tty %v: -q --check-status: exit %d, stdout %q, stderr %q; want 4 and the warning", tty, code, stdout, stderr)
		}
		stdout, stderr, code = runHTTPCmd(t, srv, tty, "-qq", "--check-status", srv.URL+"/status/404")
		if code != 4 || stdout != "" || stderr != "" {
			t.Errorf("tty %v: -qq --check-status: exit %d, stdout %q, stderr %q; want 4 and nothing", tty, code, stdout, stderr)
		}
	}
	stdout, stderr, code := runHTTPCmd(t, srv, false, "-q", "-o", "out.txt", srv.URL+"/echo", "a=1")
	if data, _ := os.ReadFile("out.txt"); code != 0 || stdout != "" || stderr != "" || string(data) != `{"a": "1"}` {
		t.Errorf("-q -o: exit %d, stdout %q, stderr %q, file %q; want 0, nothing, the body in the file", code, stdout, stderr, data)
	}
	stdout, stderr, code = runHTTPCmd(t, srv, true, "-q", "-d", srv.URL+"/files/report")
	if data, _ := os.ReadFile("report.csv"); code != 0 || stdout != "" || stderr != "" || string(data) != "a,b\n1,2\n" {
		t.Errorf("-q -d: exit %d, stdout %q, stderr %q, file %q; want 0, nothing, the body in report.csv", code, stdout, stderr, data)
	}
	_, stderr, code = runHTTPCmd(t, srv, false, "-q", "--pretty=bogus", srv.URL+"/get")
	if code != 1 || !strings.Contains(stderr, "--pretty") {
		t.Errorf("-q with a bad flag: exit %d, stderr %q; want 1 and the error", code, stderr)
	}
}

// TestHTTPCheckStatusPast599: as HTTPie's --check-status, only 3xx (not
// followed), 4xx and 5xx are errors: a status of 600 to 999, which
// net/http takes, exits 0; it exited 5.
func TestHTTPCheckStatusPast599(t *testing.T) {
	srv := httpTestServer(t)
	for _, tt := range []struct {
		status string
		want   int
	}{{"599", 5}, {"600", 0}, {"999", 0}, {"499", 4}} {
		_, stderr, code := runHTTPCmd(t, srv, false, "--check-status", srv.URL+"/status/"+tt.status)
		if code != tt.want {
			t.Errorf("status %s: exit %d (stderr %q), want %d", tt.status, code, stderr, tt.want)
		}
	}
}

// TestDownloadNameType: as HTTPie, a download named from its URL without
// a "." gets the extension of its Content-Type (http -d example.org saves
// index.html); it was saved as "index". A Content-Disposition name, or
// one with a ".", is kept.
func TestDownloadNameType(t *testing.T) {
	for _, tt := range []struct{ disposition, ctype, url, want string }{
		{"", "text/html; charset=utf-8", "http://h/", "index.html"},
		{"", "TEXT/PLAIN", "http://h/readme", "readme.txt"},
		{"", "application/json", "http://h/api/users/", "users.json"},
		{"", "application/octet-stream", "http://h/blob", "blob"},
		{"", "", "http://h/blob", "blob"},
		{"", "text/html", "http://h/page.php", "page.php"},
		{`attachment; filename="notes"`, "text/html", "http://h/x", "notes"},
	} {
		u, _ := parseCLIURL(tt.url)
		if got := downloadNameType(tt.disposition, tt.ctype, u); got != tt.want {
			t.Errorf("downloadNameType(%q, %q, %q) = %q, want %q", tt.disposition, tt.ctype, tt.url, got, tt.want)
		}
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, "<p>hi</p>")
	}))
	t.Cleanup(srv.Close)
	t.Chdir(t.TempDir())
	if _, stderr, code := runHTTPTTY(t, true, false, "-d", srv.URL); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if data, err := os.ReadFile("index.html"); err != nil || string(data) != "<p>hi</p>" {
		t.Errorf("index.html: %q, %v; want the page", data, err)
	}
}
