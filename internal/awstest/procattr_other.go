//go:build !linux

package awstest

import "syscall"

// childAttr: elsewhere, Stop on a normal exit is all there is.
func ChildProcAttr() *syscall.SysProcAttr { return nil }
