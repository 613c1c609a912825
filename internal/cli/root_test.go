package cli

import (
	"bytes"
	"os"
	"os/signal"
	"syscall"
	"testing"
	"time"
)

// TestRunInterruptExitStatus: Ctrl-C during a command (here, the read of a
// request body from a stdin pipe nobody closes) ends it with status 130, as
// in HTTPie and shells. The test keeps SIGINT from killing its process and
// sends it until the command ends, since the command may not listen yet.
func TestRunInterruptExitStatus(t *testing.T) {
	keep := make(chan os.Signal, 1)
	signal.Notify(keep, os.Interrupt)
	defer signal.Stop(keep)
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pw.Close()
	defer pr.Close()
	done := make(chan int, 1)
	var errb bytes.Buffer
	go func() {
		done <- run(&Streams{In: pr, Out: &bytes.Buffer{}, ErrOut: &errb}, []string{"http", "127.0.0.1:1", "X-A:1"})
	}()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(time.Minute)
	for {
		select {
		case code := <-done:
			if code != 130 {
				t.Errorf("exit %d (stderr %q), want 130", code, errb.String())
			}
			return
		case <-tick.C:
			syscall.Kill(os.Getpid(), syscall.SIGINT)
		case <-deadline:
			t.Fatal("the command did not end on SIGINT")
		}
	}
}
