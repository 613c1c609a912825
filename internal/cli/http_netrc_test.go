package cli

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// TestMain points $NETRC at a file that does not exist, so that the
// credentials of whoever runs the tests never reach their servers (nor
// change the golden output); the netrc tests set their own.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "cli-netrc")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Setenv("NETRC", filepath.Join(dir, "none"))
	// Nor the runner's proxy: net/http proxies any address but loopback
	// ones (TestHTTPErrorPrintable's redirect to a link-local address),
	// and reads the variables once per process.
	os.Setenv("NO_PROXY", "*")
	os.Setenv("no_proxy", "*")
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func TestParseNetrc(t *testing.T) {
	const file = `# a comment line
machine api.example.com login ann password "p w\"x"  # the rest is a comment
machine API.example.com login second password never
macdef init
machine macro.example.com login mallory password m

machine other.example.com
  user bob
  account acct
  password bobpw
default login anon password anonpw
default login anon2 password x
`
	n, err := parseNetrc([]byte(file))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		host, login, pass string
		ok                bool
	}{
		{"api.example.com", "ann", `p w"x`, true},
		{"API.EXAMPLE.COM", "ann", `p w"x`, true}, // the first entry, without case
		{"other.example.com", "bob", "bobpw", true},
		{"macro.example.com", "anon", "anonpw", true}, // the macro is not an entry
		{"elsewhere", "anon", "anonpw", true},         // the first default
	} {
		login, pass, ok := n.lookup(tc.host)
		if login != tc.login || pass != tc.pass || ok != tc.ok {
			t.Errorf("lookup(%q) = %q, %q, %v; want %q, %q, %v", tc.host, login, pass, ok, tc.login, tc.pass, tc.ok)
		}
	}

	n, err = parseNetrc([]byte("machine a login u password p\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, ok := n.lookup("b"); ok {
		t.Error("a host not in the file, without a default, got credentials")
	}
	n, err = parseNetrc([]byte("machine a password p\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, ok := n.lookup("a"); ok {
		t.Error("an entry without a login gave credentials")
	}

	// Errors name the line, never a token: it may be a password.
	for _, bad := range []string{
		"machine a login u sekrit-pw\n",          // a password without its keyword
		"machine a login u\npassword",            // no value
		"login u password sekrit-pw\n",           // outside an entry
		"machine a login u password \"sekrit-pw", // unterminated
	} {
		_, err := parseNetrc([]byte(bad))
		if err == nil {
			t.Errorf("%q parsed", bad)
			continue
		}
		if strings.Contains(err.Error(), "sekrit") || !strings.Contains(err.Error(), "line ") {
			t.Errorf("%q: error %q quotes the file or names no line", bad, err)
		}
	}
}

// writeNetrc writes a netrc file and points $NETRC at it.
func writeNetrc(t *testing.T, content string) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "netrc")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("NETRC", p)
}

func basicHeader(user, pass string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
}

func TestHTTPNetrc(t *testing.T) {
	srv := httpTestServer(t)
	host := strings.TrimPrefix(srv.URL, "http://")
	hostname := strings.Split(host, ":")[0]
	writeNetrc(t, "machine elsewhere.example login eve password evepw\n"+
		"machine "+hostname+" login ann password s3cret\n")
	want := basicHeader("ann", "s3cret")
	enc := strings.TrimPrefix(want, "Basic ")

	out, stderr, code := runHTTPCmd(t, srv, false, srv.URL+"/whoami")
	if code != 0 || !strings.Contains(out, fmt.Sprintf("auth=%q", want)) {
		t.Fatalf("netrc credentials not sent: %q %q %d", out, stderr, code)
	}
	out, _, _ = runHTTPCmd(t, srv, false, "--ignore-netrc", srv.URL+"/whoami")
	if !strings.Contains(out, `auth=""`) {
		t.Errorf("--ignore-netrc: %q", out)
	}
	out, _, _ = runHTTPCmd(t, srv, false, "-a", "bo:b", srv.URL+"/whoami")
	if !strings.Contains(out, fmt.Sprintf("auth=%q", basicHeader("bo", "b"))) {
		t.Errorf("--auth did not win over netrc: %q", out)
	}
	out, _, _ = runHTTPCmd(t, srv, false, srv.URL+"/whoami", "Authorization:Token t")
	if !strings.Contains(out, `auth="Token t"`) {
		t.Errorf("an Authorization item did not win over netrc: %q", out)
	}
	out, _, _ = runHTTPCmd(t, srv, false, srv.URL+"/whoami", "Authorization:")
	if !strings.Contains(out, `auth=""`) {
		t.Errorf("an Authorization item removing it did not win over netrc: %q", out)
	}
	out, _, _ = runHTTPCmd(t, srv, false, "http://url:pw@"+host+"/whoami")
	if !strings.Contains(out, fmt.Sprintf("auth=%q", basicHeader("url", "pw"))) {
		t.Errorf("credentials in the URL did not win over netrc: %q", out)
	}
	out, _, _ = runHTTPCmd(t, srv, false, "-A", "bearer", srv.URL+"/whoami")
	if !strings.Contains(out, `auth=""`) {
		t.Errorf("-A bearer without --auth sent netrc's basic credentials: %q", out)
	}

	// Never printed: not with -v, not with --offline.
	for _, args := range [][]string{{"-v", srv.URL + "/get"}, {"--offline", srv.URL + "/get"}} {
		out, stderr, code = runHTTPCmd(t, srv, false, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
		if strings.Contains(out+stderr, "s3cret") || strings.Contains(out+stderr, enc) {
			t.Errorf("%v printed the netrc password:\n%s%s", args, out, stderr)
		}
		if !strings.Contains(out, "Authorization: Basic ann:REDACTED (netrc)") {
			t.Errorf("%v: no redacted Authorization line:\n%s", args, out)
		}
	}
	// A session does not keep them.
	cfg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfg)
	if _, stderr, code := runHTTPCmd(t, srv, false, "--session", "s", srv.URL+"/whoami"); code != 0 {
		t.Fatalf("--session: %d %s", code, stderr)
	}
	sess, err := os.ReadFile(filepath.Join(cfg, "httpstate", "sessions", strings.ReplaceAll(host, ":", "_"), "s.json"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(sess), "s3cret") || strings.Contains(string(sess), enc) || strings.Contains(string(sess), "ann") {
		t.Errorf("the session kept netrc credentials:\n%s", sess)
	}
}

func TestHTTPNetrcOtherHost(t *testing.T) {
	srv := httpTestServer(t)
	writeNetrc(t, "machine localhost login ann password s3cret\n")
	out, _, _ := runHTTPCmd(t, srv, false, srv.URL+"/whoami") // 127.0.0.1
	if !strings.Contains(out, `auth=""`) {
		t.Errorf("credentials for localhost went to 127.0.0.1: %q", out)
	}
}

func TestHTTPNetrcHome(t *testing.T) {
	srv := httpTestServer(t)
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("NETRC", "")
	if err := os.WriteFile(filepath.Join(home, ".netrc"), []byte("default login ann password pw\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, _, _ := runHTTPCmd(t, srv, false, srv.URL+"/whoami")
	if !strings.Contains(out, fmt.Sprintf("auth=%q", basicHeader("ann", "pw"))) {
		t.Errorf("~/.netrc's default entry not used: %q", out)
	}
}

func TestHTTPNetrcBadFile(t *testing.T) {
	srv := httpTestServer(t)
	writeNetrc(t, "machine 127.0.0.1 login ann s3cret\n")
	out, stderr, code := runHTTPCmd(t, srv, false, srv.URL+"/whoami")
	if code != 0 || !strings.Contains(out, `auth=""`) {
		t.Errorf("a bad netrc: %q %q %d", out, stderr, code)
	}
	if !strings.Contains(stderr, "netrc") || !strings.Contains(stderr, "line 1") || strings.Contains(stderr, "s3cret") {
		t.Errorf("warning %q: want the file's line, never its contents", stderr)
	}
}

// TestHTTPNetrcRedirect: netrc credentials go to the host they name only,
// not to a redirect's target on another host, or another port of it.
func TestHTTPNetrcRedirect(t *testing.T) {
	var mu sync.Mutex
	got := map[string]string{}
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got["other:"+r.Host] = r.Header.Get("Authorization")
		mu.Unlock()
	}))
	defer other.Close()
	otherPort := strings.Split(strings.TrimPrefix(other.URL, "http://"), ":")[1]
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got[r.URL.Path] = r.Header.Get("Authorization")
		mu.Unlock()
		switch r.URL.Path {
		case "/same":
			http.Redirect(w, r, "/final", http.StatusFound)
		case "/cross-host":
			// Same port, another host name of the loopback.
			http.Redirect(w, r, "http://localhost:"+strings.Split(r.Host, ":")[1]+"/final-localhost", http.StatusFound)
		case "/cross-port":
			http.Redirect(w, r, "http://127.0.0.1:"+otherPort+"/", http.StatusTemporaryRedirect)
		}
	}))
	defer srv.Close()
	writeNetrc(t, "machine 127.0.0.1 login ann password s3cret\n")
	want := basicHeader("ann", "s3cret")

	for _, path := range []string{"/same", "/cross-host", "/cross-port"} {
		if _, stderr, code := runHTTPCmd(t, srv, false, "--follow", srv.URL+path); code != 0 {
			t.Fatalf("%s: %d %s", path, code, stderr)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if got["/same"] != want || got["/final"] != want {
		t.Errorf("same-origin redirect: %q then %q, want %q both", got["/same"], got["/final"], want)
	}
	if got["/cross-host"] != want {
		t.Errorf("/cross-host got %q", got["/cross-host"])
	}
	if a, ok := got["/final-localhost"]; !ok || a != "" {
		t.Errorf("redirect to localhost: reached %v, Authorization %q (want none)", ok, a)
	}
	if a, ok := got["other:127.0.0.1:"+otherPort]; !ok || a != "" {
		t.Errorf("redirect to another port: reached %v, Authorization %q (want none)", ok, a)
	}
}

// FuzzParseNetrc: any file parses or fails without panicking, and an
// error never quotes the file.
func FuzzParseNetrc(f *testing.F) {
	f.Add("machine a login u password \"p w\\\"\"\nmacdef m\nx\n\ndefault login d password e # c\n")
	f.Add("machine a login u sekrit")
	f.Fuzz(func(t *testing.T, s string) {
		n, err := parseNetrc([]byte(s))
		if err != nil {
			if strings.Contains(s, "sekrit") && strings.Contains(err.Error(), "sekrit") {
				t.Errorf("error %q quotes the file", err)
			}
			return
		}
		n.lookup("a")
	})
}
