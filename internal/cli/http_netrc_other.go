//go:build !unix

package cli

import "io/fs"

// netrcOpenFlags: no FIFO to wait for outside Unix.
const netrcOpenFlags = 0

// fileOwner: no owner to compare outside Unix.
func fileOwner(fs.FileInfo) (int, bool) { return 0, false }
