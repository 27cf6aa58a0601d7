//go:build unix

package bench

import (
	"runtime"
	"syscall"
	"time"
)

// usage returns the CPU time this process has used (user plus system, all
// threads: getrusage RUSAGE_SELF) and its peak resident set size in bytes
// (ru_maxrss, which Linux counts in KiB and Darwin in bytes).
func usage() (cpu time.Duration, peakRSS int64) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, 0
	}
	cpu = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	peakRSS = int64(ru.Maxrss)
	if runtime.GOOS != "darwin" {
		peakRSS *= 1024
	}
	return cpu, peakRSS
}
