//go:build linux

package testutil

import "syscall"

// childAttr makes a server process die with the test binary: a test that
// times out panics without running t.Cleanup, and would otherwise leave its
// redis-servers running. (Go ends an OS thread only when a goroutine that
// locked it exits, which the helpers here never do.)
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
