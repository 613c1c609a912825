//go:build !linux

package bench

import "syscall"

// childAttr: only Linux's Pdeathsig makes redis-server die with its
// starter; elsewhere nothing is set.
func childAttr() *syscall.SysProcAttr { return nil }
