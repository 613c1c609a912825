//go:build linux

package testutil

import (
	"bytes"
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// childAttr makes a server process die with the test binary: a test that
// times out panics without running t.Cleanup, and would otherwise leave its
// redis-servers running. (Go ends an OS thread only when a goroutine that
// locked it exits, which the helpers here never do.)
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}

// WaitOrphanGone checks that process pid, a child (what names it) of a
// test binary that has just exited without its cleanups, dies with it: it
// waits up to 10 s (a safety net: the death signal comes at the binary's
// exit) and fails t if pid still runs, then kills it. Linux only, as
// Pdeathsig is.
func WaitOrphanGone(t testing.TB, pid int, what string) {
	t.Helper()
	t.Cleanup(func() { syscall.Kill(pid, syscall.SIGKILL) }) // should it still run
	deadline := time.Now().Add(10 * time.Second)
	for alive(pid) {
		if time.Now().After(deadline) {
			t.Fatalf("%s (pid %d) still running 10s after the test binary that started it exited", what, pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// alive reports whether process pid exists and is not a zombie (a killed
// orphan waits as one until init reaps it).
func alive(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	// The state follows the parenthesised command name.
	i := bytes.LastIndexByte(b, ')')
	return i < 0 || i+2 >= len(b) || b[i+2] != 'Z'
}
