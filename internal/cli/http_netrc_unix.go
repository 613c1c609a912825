//go:build unix

package cli

import (
	"io/fs"
	"syscall"
)

// netrcOpenFlags open a netrc file without waiting for a writer, should
// the path name a FIFO by the time it is opened.
const netrcOpenFlags = syscall.O_NONBLOCK

// fileOwner returns the user ID owning the file fi describes.
func fileOwner(fi fs.FileInfo) (int, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	return int(st.Uid), true
}
