package store

import (
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"

	bolt "go.etcd.io/bbolt"
)

// ErrDamaged is returned, wrapped, when reading the file fails on a page
// that is not what the pages pointing at it say: the file was damaged (a
// disk error, a copy gone wrong, a write by another program).
var ErrDamaged = errors.New("damaged store")

// guard runs fn and turns a panic that bbolt raised while reading the file
// at path into an error wrapping ErrDamaged, so that a command says what is
// wrong with which file, and the daemon logs it, rather than dying with a
// stack. bbolt trusts the page numbers and lengths it reads: a damaged page
// sends it out of range (a panic) or outside the file's mapping (a fault,
// which guard makes a panic while fn runs). Any other panic goes on.
func guard(path string, fn func() error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		v := recover()
		if v == nil {
			return
		}
		if !raisedInBolt() {
			panic(v)
		}
		err = damaged(path, v)
	}()
	return fn()
}

// damaged is the error of a panic bbolt raised reading the file at path.
func damaged(path string, v any) error {
	return fmt.Errorf("store %s: %w: reading it failed (%v); restore a backup", path, ErrDamaged, v)
}

// raisedInBolt reports, from a deferred function of a panicking goroutine,
// whether the panic was raised in bbolt's code.
func raisedInBolt() bool {
	pcs := make([]uintptr, 64)
	frames := runtime.CallersFrames(pcs[:runtime.Callers(1, pcs)])
	panicking := false
	for {
		f, more := frames.Next()
		switch {
		case f.Function == "runtime.gopanic":
			panicking = true
		case panicking && !strings.HasPrefix(f.Function, "runtime."):
			return strings.HasPrefix(f.Function, "go.etcd.io/bbolt")
		}
		if !more {
			return false
		}
	}
}

// outOfOrder is the error of a walk that met a key not past the one before
// it: the pages of a damaged file can lead a cursor back to where it has
// been, and a walk that goes on from its last key would never end.
func (d *DB) outOfOrder(bucket string) error {
	return fmt.Errorf("store %s: %w: the keys of %s are out of order", d.path, ErrDamaged, bucket)
}

// view is d.db.View under guard.
func (d *DB) view(fn func(*bolt.Tx) error) error {
	return guard(d.path, func() error { return d.db.View(fn) })
}
