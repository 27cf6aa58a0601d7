package poller

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
)

// PanicError is what a step on a source's untrusted bytes returns when it
// panicked: a feed that trips a bug in a parser fails its own source, where
// the operator sees it, and never takes the daemon down.
type PanicError struct {
	Step  string // what was being done: "parsing feed", "preparing items"
	Value any    // what was passed to panic
	Stack []byte // the goroutine's stack when it panicked
}

func (e *PanicError) Error() string {
	return fmt.Sprintf("%s: internal error: %v", e.Step, e.Value)
}

// guarded runs fn and turns a panic in it into a *PanicError.
func guarded[T any](step string, fn func() (T, error)) (v T, err error) {
	defer func() {
		if r := recover(); r != nil {
			var zero T
			v, err = zero, &PanicError{Step: step, Value: r, Stack: debug.Stack()}
		}
	}()
	return fn()
}

// logPanic logs the panic err carries, if it carries one, at error level
// with attrs and its stack, saying what then becomes of the feed; it
// reports whether it did.
func logPanic(ctx context.Context, log *slog.Logger, err error, then string, attrs ...any) bool {
	var pe *PanicError
	if !errors.As(err, &pe) {
		return false
	}
	log.ErrorContext(ctx, pe.Step+" panicked; "+then,
		append(attrs, "panic", fmt.Sprint(pe.Value), "stack", string(pe.Stack))...)
	return true
}
