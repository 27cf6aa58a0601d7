package fetch

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator/feedtest"
)

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in     string
		want   time.Duration
		wantOK bool
	}{
		{"120", 2 * time.Minute, true},
		{"0", 0, true},
		{" 30 ", 30 * time.Second, true},
		{"Sat, 01 Mar 2025 12:01:30 GMT", 90 * time.Second, true},    // IMF-fixdate
		{"Saturday, 01-Mar-25 12:00:10 GMT", 10 * time.Second, true}, // RFC 850
		{"Sat Mar  1 12:05:00 2025", 5 * time.Minute, true},          // asctime
		{"Sat, 01 Mar 2025 11:00:00 GMT", 0, true},                   // in the past
		{"99999999999999999999999", 365 * 24 * time.Hour, true},      // capped, no overflow
		{"", 0, false},
		{"-5", 0, false},
		{"1.5", 0, false},
		{"soon", 0, false},
		{"2025-03-01T12:01:00Z", 0, false},
	}
	for _, tt := range tests {
		got, ok := ParseRetryAfter(tt.in, now)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("ParseRetryAfter(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.wantOK)
		}
	}
	// A date is read against a clock with nanoseconds: the wait is in
	// whole seconds, and never ends before the date.
	later := now.Add(245342471 * time.Nanosecond)
	for in, want := range map[string]time.Duration{
		"Sat, 01 Mar 2025 15:00:00 GMT": 3 * time.Hour,
		"Sat, 01 Mar 2025 12:00:01 GMT": time.Second,
		"Sat, 01 Mar 2025 12:00:00 GMT": 0,
		"Fri, 31 Dec 9999 23:59:59 GMT": 365 * 24 * time.Hour,
	} {
		if got, ok := ParseRetryAfter(in, later); got != want || !ok {
			t.Errorf("ParseRetryAfter(%q) at %s = %v, %v; want %v, true", in, later.Format(time.RFC3339Nano), got, ok, want)
		}
	}
}

func TestStatusErrorMessage(t *testing.T) {
	tests := []struct {
		err  StatusError
		want string
	}{
		{StatusError{URL: "https://example.org/feed", Code: 429, RetryAfter: 2 * time.Minute},
			"http 429 too many requests from https://example.org/feed; retry after 2m0s"},
		{StatusError{URL: "https://example.org/feed", Code: 410}, "http 410 gone from https://example.org/feed"},
		{StatusError{URL: "https://example.org/feed", Code: 503, RetryAfter: 90 * time.Second},
			"http 503 service unavailable from https://example.org/feed; retry after 1m30s"},
		{StatusError{URL: "https://example.org/feed", Code: 599}, "http 599 from https://example.org/feed"},
		{StatusError{URL: "https://example.org/feed", Code: 999}, "http 999 (not an HTTP status) from https://example.org/feed"},
		{StatusError{URL: "https://example.org/feed", Code: 0}, "http 0 (not an HTTP status) from https://example.org/feed"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("%+v.Error() = %q; want %q", tt.err, got, tt.want)
		}
	}
}

func TestMaxAge(t *testing.T) {
	tests := []struct {
		in   []string
		want time.Duration
	}{
		{nil, 0},
		{[]string{"max-age=600"}, 10 * time.Minute},
		{[]string{"public, max-age=3600, must-revalidate"}, time.Hour},
		{[]string{"no-cache", "Max-Age = \"60\""}, time.Minute},
		{[]string{"max-age=abc"}, 0},
		{[]string{"max-age=-1"}, 0},
		{[]string{"s-maxage=60"}, 0},
		{[]string{"max-age=31536000"}, maxRetryAfter},
		// Seconds whose nanoseconds overflow a time.Duration.
		{[]string{"max-age=10000000000"}, maxRetryAfter},
		{[]string{"max-age=9223372036854775807"}, maxRetryAfter},
		// Past what an int64 holds: the greatest value, not none (RFC
		// 9111, section 1.2.2), or a feed asking to be left alone for
		// ages would be read at every interval.
		{[]string{"max-age=9223372036854775808"}, maxRetryAfter},
		{[]string{"max-age=99999999999999999999999999"}, maxRetryAfter},
		{[]string{"max-age=0"}, 0},
	}
	for _, tt := range tests {
		if got := maxAge(tt.in); got != tt.want {
			t.Errorf("maxAge(%q) = %v; want %v", tt.in, got, tt.want)
		}
	}
}

// TestTimedOut checks TimedOut against the messages of the errors Fetch
// returns: each that wraps ErrTimeout, at the URL asked or at a redirect's
// target, says so by its message alone, and no other does.
func TestTimedOut(t *testing.T) {
	o := feedtest.NewOrigin(t)
	o.Stall("/stall")
	o.Slow("/slow", 50*time.Millisecond)
	o.Redirect("/to-stall", o.URL("/stall"), http.StatusFound)
	o.Redirect("/to-slow", o.URL("/slow")+"?token=s3cret", http.StatusFound)
	o.RedirectLoop("/loop")
	o.Status("/error", http.StatusInternalServerError, "")
	o.Handle("/timeout-page", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "timeout after 1s waiting for the database", http.StatusGatewayTimeout)
	})
	// A Location whose query holds the words of a timeout, to a target
	// refused before any connection: its own error is no timeout.
	o.Handle("/to-refused", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", "http://10.0.0.1/feed?q=a: timeout after 1s")
		w.WriteHeader(http.StatusFound)
	})
	f := newFetcher(t, Options{Timeout: 300 * time.Millisecond, HeaderTimeout: 200 * time.Millisecond})
	for _, path := range []string{"/stall", "/slow", "/to-stall", "/to-slow", "/to-refused", "/loop", "/error", "/timeout-page"} {
		_, err := f.Fetch(t.Context(), Request{URL: o.URL(path)})
		if err == nil {
			t.Fatalf("Fetch(%s) = nil error; want a failure", path)
		}
		if got, want := TimedOut(err.Error()), errors.Is(err, ErrTimeout); got != want {
			t.Errorf("TimedOut(%q) = %v; want %v", err.Error(), got, want)
		}
		// Where: the redirect's target that did not answer, as the error
		// names it, for the host counted as stuck.
		wantTarget := ""
		var re *RedirectError
		if errors.As(err, &re) && errors.Is(err, ErrTimeout) {
			wantTarget = re.URL
		}
		if path == "/to-stall" && wantTarget != o.URL("/stall") {
			t.Errorf("Fetch(%s) = %v; want a RedirectError at %s", path, err, o.URL("/stall"))
		}
		if target, _ := TimedOutAt(err.Error()); target != wantTarget {
			t.Errorf("TimedOutAt(%q) = %q; want %q", err.Error(), target, wantTarget)
		}
	}
	for _, msg := range []string{"", "timeout", "feed https://a.example/f linked from the HTML page at https://a.example/: timeout after 30s reading body"} {
		if TimedOut(msg) {
			t.Errorf("TimedOut(%q) = true; want false", msg)
		}
	}
}
