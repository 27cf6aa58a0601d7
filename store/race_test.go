//go:build race

package store

// raceEnabled says the tests run under the race detector, which makes the
// long simulations ten times slower: they simulate fewer sources.
const raceEnabled = true
