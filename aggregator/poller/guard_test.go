package poller

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tributary-feeds/tributary/aggregator"
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
	if logPanic(t.Context(), log, errors.New("plain"), "then", "feed_url", "https://feed.example/") || buf.Len() != 0 {
		t.Errorf("logPanic of a plain error logged %q or said it did", buf.String())
	}
	_, err := guarded("parsing feed", func() (int, error) { panic("boom") })
	if !logPanic(t.Context(), log, err, "the source is marked failed", "feed_url", "https://feed.example/") {
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

// TestLogFailureOnce logs a failed poll as the poller does, with the error
// the source records: a panic caught while parsing is one line, at error,
// with the stack and the failure's attributes; another failure is one line
// at warn.
func TestLogFailureOnce(t *testing.T) {
	st := aggregator.SourceState{URL: "https://feed.example/rss", Failures: 2, LastStatus: 200}
	_, caught := guarded("parsing feed", func() (int, error) { panic("boom") })
	tests := []struct {
		name string
		err  error
		want []string
	}{
		{"panic", hideSecrets(caught, st.URL), []string{"level=ERROR", `msg="parsing feed panicked; the source is marked failed"`,
			"feed_url=https://feed.example/rss", "result=error", "failures=2", `err="parsing feed: internal error: boom"`, "panic=boom", "stack=", "guard_test.go"}},
		{"error", errors.New("http 500 internal server error from https://feed.example/rss"), []string{"level=WARN", `msg="fetch failed"`,
			"feed_url=https://feed.example/rss", "result=error", "failures=2", `err="http 500 internal server error from https://feed.example/rss"`}},
	}
	for _, tt := range tests {
		var buf bytes.Buffer
		logFailure(t.Context(), slog.New(slog.NewTextHandler(&buf, nil)), st, "error", tt.err)
		if n := strings.Count(buf.String(), "\n"); n != 1 {
			t.Errorf("%s: logFailure wrote %d lines; want one:\n%s", tt.name, n, buf.String())
		}
		for _, want := range tt.want {
			if !strings.Contains(buf.String(), want) {
				t.Errorf("%s: log %q lacks %q", tt.name, buf.String(), want)
			}
		}
	}
}
