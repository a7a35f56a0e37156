package awstest

import "syscall"

// ChildProcAttr makes the kernel kill a server a test starts when the
// test binary dies in any way (a test timeout's panic, a signal): Stop
// runs on a normal exit only, and an orphaned DynamoDB Local held a core
// for an hour.
func ChildProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
