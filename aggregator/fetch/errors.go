package fetch

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tributary-feeds/tributary/aggregator"
)

// ErrTooLarge is returned, wrapped, when a body is larger than
// Options.MaxBytes after decompression.
var ErrTooLarge = errors.New("body too large")

// ErrTooManyRedirects is returned, wrapped, when a fetch would follow more
// than Options.MaxRedirects redirects.
var ErrTooManyRedirects = errors.New("too many redirects")

// ErrRedirectLoop is returned, wrapped, when a redirect leads back to a URL
// already visited in the same fetch.
var ErrRedirectLoop = errors.New("redirect loop")

// ErrForbiddenAddress is returned, wrapped, when a host resolves to an
// address the Fetcher must not connect to (loopback, private, link-local
// and the like) and neither Options.AllowPrivate nor Options.AllowNetworks
// allows it.
var ErrForbiddenAddress = errors.New("forbidden address")

// ErrTimeout is returned, wrapped, when a fetch runs out of time: the whole
// request, the connect, the TLS handshake or the wait for response headers.
var ErrTimeout = errors.New("timeout")

// ErrUnsupportedURL is returned, wrapped, for a URL or redirect target that is
// not absolute http or https.
var ErrUnsupportedURL = errors.New("unsupported url")

// fetchError is an error with an operator-readable message that wraps one of
// the sentinel errors above.
type fetchError struct {
	msg  string
	kind error
}

func (e *fetchError) Error() string { return e.msg }
func (e *fetchError) Unwrap() error { return e.kind }

func newError(kind error, format string, args ...any) error {
	return &fetchError{msg: fmt.Sprintf(format, args...), kind: kind}
}

// timeoutError reports which deadline expired and during which phase.
type timeoutError struct {
	after time.Duration
	phase string
}

func (e *timeoutError) Error() string {
	return fmt.Sprintf("timeout after %s %s", e.after, e.phase)
}

// Timeout reports true, as net.Error does for timeouts.
func (e *timeoutError) Timeout() bool { return true }

func (e *timeoutError) Unwrap() error { return ErrTimeout }

// TimedOut reports whether msg, the message of an error that Fetch
// returned, as a source records it, says the fetch ran out of time
// (ErrTimeout): "timeout after …", or "redirect to …: timeout after …"
// when it ran out at a redirect's target. It is for an error known only by
// its message, one stored with its source.
func TimedOut(msg string) bool {
	_, ok := TimedOutAt(msg)
	return ok
}

// TimedOutAt is TimedOut, and tells where the fetch ran out of time: at
// the target of a redirect, whose URL, as msg gives it, is target
// ("redirect to …: timeout after …", a RedirectError), else at the URL
// asked for, or, reading the body, at the one that answered, wherever
// redirects led (Result.FinalURL), and target is "".
func TimedOutAt(msg string) (target string, ok bool) {
	if rest, found := strings.CutPrefix(msg, "redirect to "); found {
		// A URL as errors give it has no ": " in it.
		target, msg, _ = strings.Cut(rest, ": ")
	}
	if !strings.HasPrefix(msg, "timeout after ") {
		return "", false
	}
	return target, true
}

// RedirectError is a failure at the target of a redirect the fetch
// followed: the origin sent it on to URL, where the request failed, with
// Err. Its message is "redirect to URL: " and Err's, so that the operator
// knows the origin sent the fetch elsewhere, and whoever keeps the error
// can tell the host it names from the source's own.
type RedirectError struct {
	URL string // the redirect's target, its credentials as "xxxxx"
	Err error
}

func (e *RedirectError) Error() string { return "redirect to " + urlText(e.URL) + ": " + e.Err.Error() }

// maxURLText is the most bytes of a URL that an error's message gives
// before what went wrong there: a Location of kilobytes (a tracking link's
// query) would otherwise leave no room for it in the error a source
// records, a thousand bytes at most, which status and the web pages show.
const maxURLText = 400

// urlText returns u as an error's message gives it: cut short, with an
// ellipsis, after maxURLText bytes, its host whole.
func urlText(u string) string {
	if len(u) <= maxURLText {
		return u
	}
	cut := maxURLText - len("…")
	for cut > 0 && !utf8.RuneStart(u[cut]) {
		cut--
	}
	return u[:cut] + "…"
}

func (e *RedirectError) Unwrap() error { return e.Err }

// StatusError is returned when the origin answers with a status other than
// 2xx or 304 (after redirects), with a 304 to a request that carried no
// validators, so that there is nothing it can be the same as, or with a 206
// Partial Content, a part of the feed that no request asked for. A 410
// Gone is a StatusError with Code 410.
type StatusError struct {
	URL  string // the URL that gave the answer; Error hides its credentials
	Code int    // the HTTP status code
	// RetryAfter is the delay the origin asked for in a Retry-After header
	// (seconds or HTTP-date) of a 429 or a 503, at most the Fetcher's
	// Options.MaxRetryAfter, or 0 when it sent none.
	RetryAfter time.Duration
	// Why says what is wrong with an answer whose status alone does not,
	// or is empty.
	Why string
	// Says is what the answer's body says, when it says more than the
	// status: the title of its HTML page ("Just a moment...", a bot
	// check's; "Sign in", a login's), the message of its JSON ("API rate
	// limit exceeded") or the first line of its text, at most 100 bytes,
	// without control characters. Empty otherwise.
	Says string
}

// Error returns a message such as
// "http 429 too many requests from https://example.org/feed; retry after 2m0s"
// or `http 403 forbidden from https://example.org/feed ("Just a moment...")`.
func (e *StatusError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "http %d", e.Code)
	if text := http.StatusText(e.Code); text != "" {
		b.WriteString(" " + strings.ToLower(text))
	} else if e.Code < 100 || e.Code > 599 {
		// Three digits that HTTP gives no meaning (RFC 9110, section
		// 15), which a client takes for a server error: said, so that
		// the operator does not look the number up.
		b.WriteString(" (not an HTTP status)")
	}
	b.WriteString(" from " + aggregator.RedactURL(e.URL))
	if e.Why != "" {
		b.WriteString(" " + e.Why)
	}
	if e.Says != "" {
		b.WriteString(" (" + strconv.Quote(e.Says) + ")")
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, "; retry after %s", e.RetryAfter)
	}
	return b.String()
}

// rateLimited reports whether a Retry-After on a response with status code
// asks the client to wait: on 429 Too Many Requests (RFC 6585) and 503
// Service Unavailable (RFC 9110, section 10.2.3). On other statuses it is
// ignored, so that a broken server cannot hold a source with one.
func rateLimited(code int) bool {
	return code == http.StatusTooManyRequests || code == http.StatusServiceUnavailable
}

// maxRetryAfter bounds a Retry-After delay so that an absurd value cannot
// overflow a time.Duration.
const maxRetryAfter = 365 * 24 * time.Hour

// ParseRetryAfter parses a Retry-After header value: delta-seconds ("120") or
// an HTTP-date ("Wed, 21 Oct 2015 07:28:00 GMT", and the obsolete RFC 850 and
// asctime forms). A date is turned into a delay from now, rounded up to whole
// seconds, as a date gives it; a date in the past gives 0. The delay is capped
// at one year. ok is false when v is empty or malformed.
func ParseRetryAfter(v string, now time.Time) (d time.Duration, ok bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if d, ok := deltaSeconds(v); ok {
		return d, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	d = min(max(t.Sub(now), 0), maxRetryAfter)
	if frac := d % time.Second; frac > 0 {
		d += time.Second - frac
	}
	return d, true
}

// deltaSeconds parses v as HTTP's delta-seconds, a whole number of
// seconds, capped at one year. ok is false when v is not such a number.
func deltaSeconds(v string) (d time.Duration, ok bool) {
	if !isDigits(v) {
		return 0, false
	}
	var secs int64
	for _, c := range v {
		secs = secs*10 + int64(c-'0')
		if secs > int64(maxRetryAfter/time.Second) {
			return maxRetryAfter, true
		}
	}
	return time.Duration(secs) * time.Second, true
}

func isDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}
