//go:build !linux

package bench

// resident is measured on Linux only: elsewhere it returns zeros.
func resident() (anon, file int64) { return 0, 0 }
