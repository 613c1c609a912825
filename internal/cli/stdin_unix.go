//go:build unix

package cli

import (
	"os"

	"golang.org/x/sys/unix"
)

// pipeClosedEmpty reports whether f, a pipe, has been closed by all its
// writers with nothing left to read: poll reports a hang-up and no data.
// It never blocks, and it does not change f's blocking mode. A pipe still
// open, or one holding data, is not empty.
func pipeClosedEmpty(f *os.File) bool {
	rc, err := f.SyscallConn()
	if err != nil {
		return false
	}
	empty := false
	cerr := rc.Control(func(fd uintptr) {
		fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		n, err := unix.Poll(fds, 0)
		ev := fds[0].Revents
		empty = err == nil && n == 1 && ev&unix.POLLHUP != 0 && ev&unix.POLLIN == 0
	})
	return cerr == nil && empty
}
