// Package cputime reads the CPU time used so far: benchmarks on a shared
// machine report it, since there wall time also measures the neighbours.
package cputime

import (
	"syscall"
	"time"
)

// rusageThread is Linux's RUSAGE_THREAD, which package syscall does not name.
const rusageThread = 1

// Process is the CPU time (user and system) the whole process has used.
func Process() time.Duration { return used(syscall.RUSAGE_SELF) }

// Thread is the CPU time the calling OS thread has used (lock the goroutine
// to its thread around what is measured).
func Thread() time.Duration { return used(rusageThread) }

func used(who int) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(who, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
