//go:build !unix

package bench

import "time"

// usage is not measured on systems without getrusage: it returns zeros.
func usage() (cpu time.Duration, peakRSS int64) { return 0, 0 }
