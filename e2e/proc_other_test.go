//go:build !linux

package e2e

import "syscall"

// childAttr: child processes outlive a test binary that ends without its
// cleanups only on Linux's Pdeathsig; elsewhere nothing is set.
func childAttr() *syscall.SysProcAttr { return nil }
