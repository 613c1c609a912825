//go:build !unix

package cli

// netrcOpenFlags: no FIFO to wait for outside Unix.
const netrcOpenFlags = 0
