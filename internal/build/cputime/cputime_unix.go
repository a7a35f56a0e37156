//go:build unix

// Package cputime tells the CPU time this process has used, for the
// comparison programs and benchmarks that report it beside wall time.
package cputime

import (
	"syscall"
	"time"
)

// Used is the user and system time this process has used.
func Used() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
