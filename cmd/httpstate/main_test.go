package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// The test binary is the command when this variable is set: the tests run
// it as a child process, with real standard streams and exit statuses.
const runMainEnv = "HTTPSTATE_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(runMainEnv) == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// command runs the binary with args and stdin, bounded by a minute: a
// child blocked on its stdin is a failure, not a hung test.
func command(t *testing.T, stdin *os.File, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], args...)
	cmd.Env = append(os.Environ(), runMainEnv+"=1", "XDG_CONFIG_HOME="+t.TempDir())
	var out, errb bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, &out, &errb
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("httpstate %q did not end within a minute", args)
	}
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatalf("httpstate %q: %v", args, err)
	}
	return out.String(), errb.String(), cmd.ProcessState.ExitCode()
}

// TestBinaryStdinAndExitStatus runs the real binary: with its stdin a pipe
// that nobody closes, data items fail at once (HTTPie's rule) and -I sends
// them; --check-status sets the process's exit status.
func TestBinaryStdinAndExitStatus(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/missing" {
			http.NotFound(w, r)
			return
		}
		body, _ := io.ReadAll(r.Body)
		w.Write(body)
	}))
	defer srv.Close()
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pw.Close()
	defer pr.Close()

	_, stderr, code := command(t, pr, "http", srv.URL, "a=1")
	if code != 1 || !strings.Contains(stderr, "--ignore-stdin") {
		t.Errorf("data items with an open stdin pipe: exit %d, stderr %q; want 1 and a hint at --ignore-stdin", code, stderr)
	}
	stdout, stderr, code := command(t, pr, "http", "-I", srv.URL, "a=1")
	if code != 0 || stdout != `{"a": "1"}` {
		t.Errorf("-I: exit %d, stdout %q, stderr %q; want 0 and the items' JSON", code, stdout, stderr)
	}
	devNull, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer devNull.Close()
	stdout, stderr, code = command(t, devNull, "http", srv.URL, "a=1")
	if code != 0 || stdout != `{"a": "1"}` {
		t.Errorf("stdin /dev/null: exit %d, stdout %q, stderr %q; want 0 and the items' JSON", code, stdout, stderr)
	}
	_, stderr, code = command(t, devNull, "http", "--check-status", srv.URL+"/missing")
	if code != 4 || !strings.Contains(stderr, "404") {
		t.Errorf("--check-status on a 404: exit %d, stderr %q; want 4 and the status", code, stderr)
	}
}

// TestBinaryClosedStdinPipe: a stdin pipe its writer closed before the
// command ran (a CI runner's, "true |") holds no body: data items are sent,
// and without them the request is a GET.
func TestBinaryClosedStdinPipe(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		io.WriteString(w, r.Method+" "+string(body))
	}))
	defer srv.Close()
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"http", srv.URL, "a=1"}, `POST {"a": "1"}`},
		{[]string{"http", srv.URL}, `GET `},
	} {
		pr, pw, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		pw.Close()
		stdout, stderr, code := command(t, pr, tt.args...)
		pr.Close()
		if code != 0 || stdout != tt.want {
			t.Errorf("%q with a closed empty stdin pipe: exit %d, stdout %q, stderr %q; want 0 and %q", tt.args[1:], code, stdout, stderr, tt.want)
		}
	}
}

// TestBinaryDownloadUnwritableStderr: the real binary with a stderr it
// cannot write (a read-only descriptor: every write fails) saves a
// download whole and exits 0; -v's exchange written to stderr made it exit
// 1.
func TestBinaryDownloadUnwritableStderr(t *testing.T) {
	body := strings.Repeat("0123456789", 10_000)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, body)
	}))
	defer srv.Close()
	readOnly, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer readOnly.Close()
	file := t.TempDir() + "/got.bin"
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "http", "-d", "-v", "-o", file, srv.URL)
	cmd.Env = append(os.Environ(), runMainEnv+"=1", "XDG_CONFIG_HOME="+t.TempDir())
	cmd.Stderr = readOnly
	err = cmd.Run()
	if err != nil {
		t.Errorf("download with an unwritable stderr: %v, want exit 0", err)
	}
	if got, err := os.ReadFile(file); err != nil || string(got) != body {
		t.Errorf("downloaded %d bytes (%v), want %d", len(got), err, len(body))
	}
}
