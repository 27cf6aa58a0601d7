package poller

import "time"

// SetElapsed makes p count the time passed since it started with elapsed,
// in place of the monotonic clock, as a test of a clock that jumps needs.
func SetElapsed(p *Poller, elapsed func(now time.Time) time.Duration) { p.elapsed = elapsed }
