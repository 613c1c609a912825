package cli

import (
	"bytes"
	"os"
	"syscall"
	"testing"
	"time"
)

// TestRunSignalExitStatus: a signal during a command (here, the read of a
// request body from a stdin pipe nobody closes) ends it with 128 and the
// signal's number: 130 for Ctrl-C, as in HTTPie and shells.
func TestRunSignalExitStatus(t *testing.T) {
	for _, tt := range []struct {
		sig  os.Signal
		want int
	}{
		{os.Interrupt, 130},
		{syscall.SIGTERM, 143},
	} {
		pr, pw, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		sigs := make(chan os.Signal, 1)
		sigs <- tt.sig
		done := make(chan int, 1)
		var errb bytes.Buffer
		go func() {
			done <- runSignals(&Streams{In: pr, Out: &bytes.Buffer{}, ErrOut: &errb}, []string{"http", "127.0.0.1:1", "X-A:1"}, sigs)
		}()
		select {
		case code := <-done:
			if code != tt.want {
				t.Errorf("%v: exit %d (stderr %q), want %d", tt.sig, code, errb.String(), tt.want)
			}
		case <-time.After(time.Minute):
			t.Fatalf("%v: the command did not end", tt.sig)
		}
		pw.Close()
		pr.Close()
	}
}
