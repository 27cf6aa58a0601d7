package poller

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestGuarded(t *testing.T) {
	v, err := guarded("parsing feed", func() (int, error) { return 7, nil })
	if v != 7 || err != nil {
		t.Errorf("guarded(no panic) = %d, %v; want 7, nil", v, err)
	}
	boom := errors.New("boom")
	if _, err := guarded("parsing feed", func() (int, error) { return 0, boom }); err != boom {
		t.Errorf("guarded(error) = %v; want the error itself", err)
	}

	v, err = guarded("parsing feed", func() (int, error) {
		var s []int
		return s[3], nil // index out of range
	})
	var pe *PanicError
	if !errors.As(err, &pe) {
		t.Fatalf("guarded(panic) = %d, %v; want a *PanicError", v, err)
	}
	if v != 0 || pe.Step != "parsing feed" || len(pe.Stack) == 0 {
		t.Errorf("guarded(panic) = %d, step %q, %d bytes of stack; want 0, the step and a stack", v, pe.Step, len(pe.Stack))
	}
	if msg := err.Error(); !strings.HasPrefix(msg, "parsing feed: internal error: ") || !strings.Contains(msg, "index out of range") {
		t.Errorf("error = %q; want the step and the panic's value", msg)
	}
}

func TestLogPanic(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	if logPanic(t.Context(), log, errors.New("plain"), "then", "https://feed.example/") || buf.Len() != 0 {
		t.Errorf("logPanic of a plain error logged %q or said it did", buf.String())
	}
	_, err := guarded("parsing feed", func() (int, error) { panic("boom") })
	if !logPanic(t.Context(), log, err, "the source is marked failed", "https://feed.example/") {
		t.Fatal("logPanic of a PanicError said it logged nothing")
	}
	for _, want := range []string{"level=ERROR", `msg="parsing feed panicked; the source is marked failed"`,
		"feed_url=https://feed.example/", "panic=boom", "stack=", "guard_test.go"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("log %q lacks %q", buf.String(), want)
		}
	}
}

func TestErrorText(t *testing.T) {
	short := errors.New("http 500 internal server error from https://feeds.example/")
	if got := errorText(short); got != short.Error() {
		t.Errorf("errorText(short) = %q; want it whole", got)
	}
	// Cut inside a three-byte character: the cut backs off to its start.
	long := errors.New(strings.Repeat("a", maxErrorText-7) + strings.Repeat("€", 100))
	got := errorText(long)
	if len(got) > maxErrorText || !utf8.ValidString(got) || !strings.HasSuffix(got, "€…") {
		t.Errorf("errorText(long) = %d bytes ending %q; want at most %d bytes of valid text ending in …", len(got), got[len(got)-8:], maxErrorText)
	}
}
