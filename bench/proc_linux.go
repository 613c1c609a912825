//go:build linux

package bench

import "syscall"

// childAttr makes redis-server die with the process that started it: a test
// that times out panics without its cleanups, and a killed redisload exits
// without Close, which would otherwise leave the server running. (Go ends an
// OS thread only when a goroutine that locked it exits, which
// StartRedisServer never does, so the thread that started the server lives
// as long as the process.)
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
