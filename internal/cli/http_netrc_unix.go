//go:build unix

package cli

import "syscall"

// netrcOpenFlags open a netrc file without waiting for a writer, should
// the path name a FIFO by the time it is opened.
const netrcOpenFlags = syscall.O_NONBLOCK
