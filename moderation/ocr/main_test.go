package ocr

import (
	"os"
	"syscall"
	"testing"
)

// TestMain re-runs the test binary with OMP_THREAD_LIMIT=1, because libgomp
// only reads it at load time; timings and -cpu 1 benchmarks are then honest.
func TestMain(m *testing.M) {
	if os.Getenv("OMP_THREAD_LIMIT") != "1" {
		if err := os.Setenv("OMP_THREAD_LIMIT", "1"); err == nil {
			exe, err := os.Executable()
			if err == nil {
				_ = syscall.Exec(exe, os.Args, os.Environ())
			}
		}
	}
	os.Exit(m.Run())
}
