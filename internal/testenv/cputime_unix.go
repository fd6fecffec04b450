//go:build unix

package testenv

import (
	"syscall"
	"time"
)

// CPUTime returns the process's user and system CPU time, for benchmarks that report the
// CPU a call costs beside its wall time.
func CPUTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
