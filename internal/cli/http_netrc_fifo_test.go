//go:build unix

package cli

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestHTTPNetrcFIFO: a netrc that is a FIFO (or any file but a regular
// one) is not used, with a warning naming it, and the request goes on
// without credentials: opening a FIFO no one writes to blocked the
// command for ever.
func TestHTTPNetrcFIFO(t *testing.T) {
	srv := httpTestServer(t)
	p := filepath.Join(t.TempDir(), "netrc")
	if err := syscall.Mkfifo(p, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("NETRC", p)
	type result struct {
		out, stderr string
		code        int
	}
	done := make(chan result, 1)
	go func() {
		out, stderr, code := runHTTPCmd(t, srv, false, srv.URL+"/whoami")
		done <- result{out, stderr, code}
	}()
	var r result
	select {
	case r = <-done:
	case <-time.After(10 * time.Second):
		// Unblock the open (a writer comes and goes) so that the
		// command ends; the test has failed.
		if w, err := os.OpenFile(p, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			w.Close()
		}
		<-done
		t.Fatal("the command blocked on the FIFO netrc")
	}
	if r.code != 0 || !strings.Contains(r.out, `auth=""`) {
		t.Errorf("exit %d, out %q, stderr %q", r.code, r.out, r.stderr)
	}
	if !strings.Contains(r.stderr, "warning: netrc: "+p+": not a regular file (not used)") {
		t.Errorf("stderr %q: want a warning naming the file", r.stderr)
	}

	// A directory likewise; /dev/null (a way to say "no netrc") is none,
	// without a warning.
	t.Setenv("NETRC", t.TempDir())
	if out, stderr, code := runHTTPCmd(t, srv, false, srv.URL+"/whoami"); code != 0 || !strings.Contains(out, `auth=""`) ||
		!strings.Contains(stderr, "not a regular file (not used)") {
		t.Errorf("a directory: exit %d, out %q, stderr %q", code, out, stderr)
	}
	t.Setenv("NETRC", os.DevNull)
	if out, stderr, code := runHTTPCmd(t, srv, false, srv.URL+"/whoami"); code != 0 || !strings.Contains(out, `auth=""`) || stderr != "" {
		t.Errorf("%s: exit %d, out %q, stderr %q", os.DevNull, code, out, stderr)
	}
}

// TestReadNetrcFIFO: readNetrc itself refuses a FIFO at once, with an
// error that is errNetrcNotRegular.
func TestReadNetrcFIFO(t *testing.T) {
	p := filepath.Join(t.TempDir(), "netrc")
	if err := syscall.Mkfifo(p, 0o600); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := readNetrc(p)
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, errNetrcNotRegular) {
			t.Errorf("err %v", err)
		}
	case <-time.After(10 * time.Second):
		if w, err := os.OpenFile(p, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			w.Close()
		}
		<-done
		t.Fatal("readNetrc blocked on a FIFO")
	}
}
