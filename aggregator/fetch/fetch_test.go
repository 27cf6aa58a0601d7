package fetch

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator/feedtest"
)

const rssBody = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Test</title><link>http://example.org/</link><description>d</description>
<item><title>One</title><link>http://example.org/1</link><guid>1</guid></item>
</channel></rss>
`

// loopback lets a Fetcher reach the feedtest origin and nothing else
// non-public.
var loopback = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}

// newFetcher returns a Fetcher allowed to reach loopback, with opts' other
// fields as given.
func newFetcher(t *testing.T, opts Options) *Fetcher {
	t.Helper()
	if !opts.AllowPrivate && opts.AllowNetworks == nil {
		opts.AllowNetworks = loopback
	}
	f := New(opts)
	t.Cleanup(f.CloseIdleConnections)
	return f
}

func TestConditionalGet(t *testing.T) {
	o := feedtest.NewOrigin(t)
	o.Feed("/feed.xml", "application/rss+xml; charset=utf-8", []byte(rssBody))
	f := newFetcher(t, Options{UserAgent: "TributaryTest/1.0"})

	res, err := f.Fetch(t.Context(), Request{URL: o.URL("/feed.xml")})
	if err != nil {
		t.Fatalf("Fetch(/feed.xml): %v", err)
	}
	if res.Status != 200 || res.NotModified || string(res.Body) != rssBody {
		t.Fatalf("Fetch(/feed.xml) = status %d, not modified %v, body %q; want 200 with the feed", res.Status, res.NotModified, res.Body)
	}
	if res.ETag == "" || res.LastModified == "" || res.ContentType != "application/rss+xml; charset=utf-8" {
		t.Errorf("Fetch(/feed.xml): ETag %q, Last-Modified %q, Content-Type %q; want validators and the content type",
			res.ETag, res.LastModified, res.ContentType)
	}
	if res.FinalURL != o.URL("/feed.xml") || res.MovedTo != "" || res.WireBytes != int64(len(rssBody)) || res.Duration <= 0 {
		t.Errorf("Fetch(/feed.xml): FinalURL %q, MovedTo %q, WireBytes %d, Duration %v; want %q, none, %d, > 0",
			res.FinalURL, res.MovedTo, res.WireBytes, res.Duration, o.URL("/feed.xml"), len(rssBody))
	}

	again, err := f.Fetch(t.Context(), Request{URL: o.URL("/feed.xml"), ETag: res.ETag, LastModified: res.LastModified})
	if err != nil {
		t.Fatalf("conditional Fetch(/feed.xml): %v", err)
	}
	if again.Status != 304 || !again.NotModified || len(again.Body) != 0 || again.WireBytes != 0 {
		t.Errorf("conditional Fetch(/feed.xml) = status %d, not modified %v, %d body bytes, %d wire bytes; want 304, true, 0, 0",
			again.Status, again.NotModified, len(again.Body), again.WireBytes)
	}
	if again.ETag != res.ETag || again.LastModified != res.LastModified {
		t.Errorf("conditional Fetch(/feed.xml): validators %q %q; want the same %q %q", again.ETag, again.LastModified, res.ETag, res.LastModified)
	}

	reqs := o.RequestsTo("/feed.xml")
	if len(reqs) != 2 {
		t.Fatalf("origin saw %d requests; want 2", len(reqs))
	}
	first, second := reqs[0].Header, reqs[1].Header
	headerTests := []struct {
		name      string
		got, want string
	}{
		{"first User-Agent", first.Get("User-Agent"), "TributaryTest/1.0"},
		{"first Accept", first.Get("Accept"), Accept},
		{"first Accept-Encoding", first.Get("Accept-Encoding"), "gzip"},
		{"first If-None-Match", first.Get("If-None-Match"), ""},
		{"first If-Modified-Since", first.Get("If-Modified-Since"), ""},
		{"second If-None-Match", second.Get("If-None-Match"), res.ETag},
		{"second If-Modified-Since", second.Get("If-Modified-Since"), res.LastModified},
		{"second User-Agent", second.Get("User-Agent"), "TributaryTest/1.0"},
	}
	for _, h := range headerTests {
		if h.got != h.want {
			t.Errorf("origin saw %s = %q; want %q", h.name, h.got, h.want)
		}
	}

	// A body changed on the origin comes back in full despite old validators.
	o.SetFeed("/feed.xml", []byte(rssBody+"<!-- v2 -->"))
	changed, err := f.Fetch(t.Context(), Request{URL: o.URL("/feed.xml"), ETag: res.ETag, LastModified: res.LastModified})
	if err != nil || changed.NotModified || !strings.HasSuffix(string(changed.Body), "<!-- v2 -->") || changed.ETag == res.ETag {
		t.Errorf("Fetch after SetFeed = not modified %v, body %q, ETag %q, %v; want the new body and ETag", changed.NotModified, changed.Body, changed.ETag, err)
	}
}

func TestDefaultUserAgent(t *testing.T) {
	o := feedtest.NewOrigin(t)
	o.Feed("/f", "application/rss+xml", []byte(rssBody))
	if _, err := newFetcher(t, Options{}).Fetch(t.Context(), Request{URL: o.URL("/f")}); err != nil {
		t.Fatal(err)
	}
	if got := o.RequestsTo("/f")[0].Header.Get("User-Agent"); got != DefaultUserAgent {
		t.Errorf("User-Agent = %q; want %q", got, DefaultUserAgent)
	}
}

func TestGzipDecoded(t *testing.T) {
	o := feedtest.NewOrigin(t)
	body := []byte(strings.Repeat(rssBody, 50))
	o.GzipFeed("/g.xml", "application/rss+xml", body)
	res, err := newFetcher(t, Options{}).Fetch(t.Context(), Request{URL: o.URL("/g.xml")})
	if err != nil {
		t.Fatalf("Fetch(/g.xml): %v", err)
	}
	if string(res.Body) != string(body) {
		t.Errorf("Fetch(/g.xml): body of %d bytes; want the %d decoded bytes", len(res.Body), len(body))
	}
	if res.WireBytes <= 0 || res.WireBytes >= int64(len(body))/4 {
		t.Errorf("Fetch(/g.xml): WireBytes %d; want the compressed size, well under %d", res.WireBytes, len(body))
	}
}

// TestGzipTrailingBytes checks that bytes after the last gzip member, as
// servers that print a stray newline after compressing their output send,
// are ignored as browsers ignore them, while a second member that is
// broken still fails the fetch.
func TestGzipTrailingBytes(t *testing.T) {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(rssBody))
	zw.Close()
	o := feedtest.NewOrigin(t)
	serve := func(path string, body []byte) {
		o.Handle(path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/rss+xml")
			w.Header().Set("Content-Encoding", "gzip")
			w.Write(body)
		})
	}
	serve("/newline", append(bytes.Clone(gz.Bytes()), '\n'))
	serve("/stray", append(bytes.Clone(gz.Bytes()), "<br />\n<b>Notice</b>: output after the feed"...))
	serve("/two", append(bytes.Clone(gz.Bytes()), gz.Bytes()...))
	serve("/broken-member", append(bytes.Clone(gz.Bytes()), "\x1f\x8bnot a member"...))
	f := newFetcher(t, Options{})
	for path, want := range map[string]string{"/newline": rssBody, "/stray": rssBody, "/two": rssBody + rssBody} {
		res, err := f.Fetch(t.Context(), Request{URL: o.URL(path)})
		if err != nil || string(res.Body) != want {
			t.Errorf("Fetch(%s) = %d bytes, %v; want the %d bytes of the members", path, len(res.Body), err, len(want))
		}
	}
	if _, err := f.Fetch(t.Context(), Request{URL: o.URL("/broken-member")}); err == nil || !strings.Contains(err.Error(), "gzip: invalid header") {
		t.Errorf("Fetch(/broken-member) error = %v; want gzip: invalid header", err)
	}
}

func TestBodyCap(t *testing.T) {
	const limit = 256 << 10
	o := feedtest.NewOrigin(t)
	o.GzipBomb("/bomb", 1<<30)
	o.Huge("/huge", 32<<20)
	o.Feed("/long", "application/rss+xml", []byte(strings.Repeat("x", limit+1)))
	o.Feed("/exact", "application/rss+xml", []byte(strings.Repeat("x", limit)))
	f := newFetcher(t, Options{MaxBytes: limit})

	tests := []struct {
		path    string
		maxWire int64 // bytes the fetch may read from the connection
	}{
		{"/bomb", 64 << 10},  // 1 GiB inflated, ~1 MiB compressed: reading stops at the cap
		{"/huge", 2 * limit}, // read up to the cap plus buffering, not 32 MiB
		{"/long", 0},         // refused on Content-Length before reading
	}
	for _, tt := range tests {
		res, err := f.Fetch(t.Context(), Request{URL: o.URL(tt.path)})
		if !errors.Is(err, ErrTooLarge) {
			t.Errorf("Fetch(%s) error = %v; want ErrTooLarge", tt.path, err)
			continue
		}
		if !strings.HasPrefix(err.Error(), fmt.Sprintf("body larger than %d bytes", limit)) {
			t.Errorf("Fetch(%s) error = %q; want it to start %q", tt.path, err, fmt.Sprintf("body larger than %d bytes", limit))
		}
		if res.WireBytes > tt.maxWire || len(res.Body) != 0 {
			t.Errorf("Fetch(%s): WireBytes %d, body %d; want at most %d wire bytes and no body", tt.path, res.WireBytes, len(res.Body), tt.maxWire)
		}
	}

	res, err := f.Fetch(t.Context(), Request{URL: o.URL("/exact")})
	if err != nil || len(res.Body) != limit {
		t.Errorf("Fetch(/exact) = %d bytes, %v; want exactly %d bytes, no error", len(res.Body), err, limit)
	}
}

func TestTrickleCutAtTimeout(t *testing.T) {
	o := feedtest.NewOrigin(t)
	o.Slow("/slow", 20*time.Millisecond)
	f := newFetcher(t, Options{Timeout: 300 * time.Millisecond})

	start := time.Now()
	res, err := f.Fetch(t.Context(), Request{URL: o.URL("/slow")})
	elapsed := time.Since(start)
	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("Fetch(/slow) error = %v; want ErrTimeout", err)
	}
	if want := "timeout after 300ms reading body"; err.Error() != want {
		t.Errorf("Fetch(/slow) error = %q; want %q", err, want)
	}
	if elapsed < 300*time.Millisecond || elapsed > 3*time.Second {
		t.Errorf("Fetch(/slow) took %v; want about 300ms", elapsed)
	}
	if res.Status != 200 || res.WireBytes == 0 {
		t.Errorf("Fetch(/slow): status %d, %d wire bytes; want 200 and some bytes before the cut", res.Status, res.WireBytes)
	}
}

func TestHeaderTimeout(t *testing.T) {
	o := feedtest.NewOrigin(t)
	o.Stall("/stall")
	tests := []struct {
		opts Options
		want string
	}{
		{Options{Timeout: 5 * time.Second, HeaderTimeout: 200 * time.Millisecond}, "timeout after 200ms waiting for response headers"},
		{Options{Timeout: 200 * time.Millisecond, HeaderTimeout: 5 * time.Second}, "timeout after 200ms"},
	}
	for _, tt := range tests {
		f := newFetcher(t, tt.opts)
		start := time.Now()
		_, err := f.Fetch(t.Context(), Request{URL: o.URL("/stall")})
		if !errors.Is(err, ErrTimeout) || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("Fetch(/stall) with %+v error = %v; want ErrTimeout starting %q", tt.opts, err, tt.want)
		}
		if d := time.Since(start); d > 3*time.Second {
			t.Errorf("Fetch(/stall) with %+v took %v; want about 200ms", tt.opts, d)
		}
	}
}

func TestRedirects(t *testing.T) {
	o := feedtest.NewOrigin(t)
	o.Feed("/feed", "application/rss+xml", []byte(rssBody))
	o.Redirect("/p1", "/p2", http.StatusMovedPermanently)
	o.Redirect("/p2", "/feed", http.StatusPermanentRedirect)
	o.Redirect("/mixed", "/t1", http.StatusMovedPermanently)
	o.Redirect("/t1", "/feed", http.StatusFound)
	o.Redirect("/temp", "/feed", http.StatusTemporaryRedirect)
	o.Redirect("/see", "/feed", http.StatusSeeOther)
	o.Redirect("/tofeed-abs", o.URL("/feed"), http.StatusMovedPermanently)
	o.Redirect("/dead", "/missing", http.StatusMovedPermanently)
	f := newFetcher(t, Options{})

	tests := []struct {
		path    string
		movedTo string
	}{
		{"/p1", o.URL("/feed")},
		{"/tofeed-abs", o.URL("/feed")},
		{"/mixed", ""},
		{"/temp", ""},
		{"/see", ""},
		{"/feed", ""},
	}
	for _, tt := range tests {
		res, err := f.Fetch(t.Context(), Request{URL: o.URL(tt.path)})
		if err != nil {
			t.Errorf("Fetch(%s): %v", tt.path, err)
			continue
		}
		if res.FinalURL != o.URL("/feed") || res.MovedTo != tt.movedTo || string(res.Body) != rssBody {
			t.Errorf("Fetch(%s) = FinalURL %q, MovedTo %q; want %q, %q, with the feed", tt.path, res.FinalURL, res.MovedTo, o.URL("/feed"), tt.movedTo)
		}
	}

	res, err := f.Fetch(t.Context(), Request{URL: o.URL("/dead")})
	var se *StatusError
	if !errors.As(err, &se) || se.Code != 404 || se.URL != o.URL("/missing") || res.MovedTo != "" {
		t.Errorf("Fetch(/dead) = MovedTo %q, %v; want a 404 StatusError from /missing and no MovedTo", res.MovedTo, err)
	}
}

func TestRedirectLimits(t *testing.T) {
	o := feedtest.NewOrigin(t)
	o.Feed("/feed", "application/rss+xml", []byte(rssBody))
	o.RedirectLoop("/loop")
	// /r3 -> /r2 -> /r1 -> /r0 -> /feed: four redirects.
	for i := 3; i >= 0; i-- {
		to := fmt.Sprintf("/r%d", i-1)
		if i == 0 {
			to = "/feed"
		}
		o.Redirect(fmt.Sprintf("/r%d", i), to, http.StatusFound)
	}
	o.Redirect("/ftp", "ftp://example.org/feed", http.StatusFound)

	tests := []struct {
		maxRedirects int
		path         string
		want         error
		msg          string
	}{
		{0, "/loop", ErrRedirectLoop, "redirect loop at " + o.URL("/loop")},
		{0, "/r3", nil, ""}, // default 5 allows 4
		{4, "/r3", nil, ""}, // exactly the cap
		{3, "/r3", ErrTooManyRedirects, "stopped after 3 redirects at " + o.URL("/r0")},
		{-1, "/r0", ErrTooManyRedirects, "redirect from " + o.URL("/r0") + " to " + o.URL("/feed") + " not followed: redirects are turned off (poll.max_redirects: 0)"},
		{0, "/ftp", ErrUnsupportedURL, "redirect from " + o.URL("/ftp") + ` to unsupported url "ftp://example.org/feed"`},
	}
	for _, tt := range tests {
		f := newFetcher(t, Options{MaxRedirects: tt.maxRedirects})
		res, err := f.Fetch(t.Context(), Request{URL: o.URL(tt.path)})
		if tt.want == nil {
			if err != nil || string(res.Body) != rssBody {
				t.Errorf("Fetch(%s) with MaxRedirects %d = %v; want the feed", tt.path, tt.maxRedirects, err)
			}
			continue
		}
		if !errors.Is(err, tt.want) || err.Error() != tt.msg {
			t.Errorf("Fetch(%s) with MaxRedirects %d error = %v; want %q wrapping %v", tt.path, tt.maxRedirects, err, tt.msg, tt.want)
		}
	}
	// /loop and /loop?loop=1, then the hop back to /loop is caught before
	// it is requested.
	if n := o.Count("/loop"); n != 2 {
		t.Errorf("origin saw /loop %d times; want 2 (the loop is caught when it closes)", n)
	}
}

func TestStatusErrors(t *testing.T) {
	o := feedtest.NewOrigin(t)
	date := time.Now().Add(90 * time.Second).UTC().Format(http.TimeFormat)
	o.Status("/busy", http.StatusTooManyRequests, "120")
	o.Status("/down", http.StatusServiceUnavailable, date)
	o.Status("/gone", http.StatusGone, "")
	o.Status("/broken", http.StatusInternalServerError, "soon")
	// Retry-After means something on 429 and 503 only (RFC 9110, RFC 6585).
	o.Status("/error", http.StatusInternalServerError, "86400")
	o.Status("/forbidden", http.StatusForbidden, date)
	// Not modified, though the request named no version it could be the
	// same as: taken at its word, a new source would stay empty, without
	// an error.
	o.Status("/unasked", http.StatusNotModified, "")
	f := newFetcher(t, Options{})

	tests := []struct {
		path       string
		code       int
		minRetry   time.Duration
		maxRetry   time.Duration
		msgPrefix  string
		msgContain string
		msgLacks   string
	}{
		{"/busy", 429, 120 * time.Second, 120 * time.Second, "http 429 too many requests from " + o.URL("/busy"), "; retry after 2m0s", ""},
		{"/down", 503, 85 * time.Second, 90 * time.Second, "http 503 service unavailable from " + o.URL("/down"), "; retry after 1m", ""},
		{"/gone", 410, 0, 0, "http 410 gone from " + o.URL("/gone"), "", ""},
		{"/broken", 500, 0, 0, "http 500 internal server error from " + o.URL("/broken"), "", ""},
		{"/error", 500, 0, 0, "http 500 internal server error from " + o.URL("/error"), "", "retry after"},
		{"/forbidden", 403, 0, 0, "http 403 forbidden from " + o.URL("/forbidden"), "", "retry after"},
		{"/unasked", 304, 0, 0, "http 304 not modified from " + o.URL("/unasked") + " to a request without If-None-Match or If-Modified-Since", "", ""},
	}
	for _, tt := range tests {
		res, err := f.Fetch(t.Context(), Request{URL: o.URL(tt.path)})
		var se *StatusError
		if !errors.As(err, &se) {
			t.Errorf("Fetch(%s) error = %v; want a *StatusError", tt.path, err)
			continue
		}
		if se.Code != tt.code || se.RetryAfter < tt.minRetry || se.RetryAfter > tt.maxRetry || res.Status != tt.code {
			t.Errorf("Fetch(%s) = StatusError{Code %d, RetryAfter %v}, Result.Status %d; want %d, retry in [%v, %v]",
				tt.path, se.Code, se.RetryAfter, res.Status, tt.code, tt.minRetry, tt.maxRetry)
		}
		if msg := err.Error(); !strings.HasPrefix(msg, tt.msgPrefix) || !strings.Contains(msg, tt.msgContain) {
			t.Errorf("Fetch(%s) error = %q; want it to start %q and contain %q", tt.path, msg, tt.msgPrefix, tt.msgContain)
		} else if tt.msgLacks != "" && strings.Contains(msg, tt.msgLacks) {
			t.Errorf("Fetch(%s) error = %q; want no %q in it", tt.path, msg, tt.msgLacks)
		}
	}
}

// TestRetryAfterSkewedClock checks that a Retry-After date is read against
// the answer's own Date: a server whose clock is an hour fast or slow asks
// for the two minutes it means, not an hour and two minutes or nothing.
func TestRetryAfterSkewedClock(t *testing.T) {
	o := feedtest.NewOrigin(t)
	for _, skew := range []time.Duration{time.Hour, -time.Hour} {
		path := fmt.Sprintf("/skewed%d", skew/time.Minute)
		o.Handle(path, func(w http.ResponseWriter, r *http.Request) {
			clock := time.Now().Add(skew).UTC()
			w.Header().Set("Date", clock.Format(http.TimeFormat))
			w.Header().Set("Retry-After", clock.Add(2*time.Minute).Format(http.TimeFormat))
			http.Error(w, "slow down", http.StatusTooManyRequests)
		})
		_, err := newFetcher(t, Options{}).Fetch(t.Context(), Request{URL: o.URL(path)})
		var se *StatusError
		if !errors.As(err, &se) || se.RetryAfter != 2*time.Minute {
			t.Errorf("Fetch(%s), the origin's clock %v off = %v; want a StatusError with RetryAfter 2m0s", path, skew, err)
		}
	}
}

// TestRetryAfterCapped checks that the wait a Retry-After asks for, in
// seconds or as a date, is cut to Options.MaxRetryAfter, and to a year
// without it.
func TestRetryAfterCapped(t *testing.T) {
	o := feedtest.NewOrigin(t)
	o.Status("/seconds", http.StatusServiceUnavailable, "999999999999999999999")
	o.Status("/date", http.StatusServiceUnavailable, "Fri, 01 Jan 2100 00:00:00 GMT")
	o.Status("/busy", http.StatusTooManyRequests, "259200")
	for _, tt := range []struct {
		max, want time.Duration
	}{
		{6 * time.Hour, 6 * time.Hour},
		{0, 365 * 24 * time.Hour},
	} {
		f := newFetcher(t, Options{MaxRetryAfter: tt.max})
		for _, path := range []string{"/seconds", "/date", "/busy"} {
			want := tt.want
			if path == "/busy" {
				want = min(want, 72*time.Hour)
			}
			_, err := f.Fetch(t.Context(), Request{URL: o.URL(path)})
			var se *StatusError
			if !errors.As(err, &se) || se.RetryAfter != want {
				t.Errorf("MaxRetryAfter %v: Fetch(%s) = %v; want a StatusError with RetryAfter %v", tt.max, path, err, want)
			}
		}
	}
}

func TestForbiddenAddress(t *testing.T) {
	o := feedtest.NewOrigin(t)
	o.Feed("/feed", "application/rss+xml", []byte(rssBody))
	port := o.Host()[strings.LastIndex(o.Host(), ":")+1:]
	// With only 127.0.0.1 allowed, a redirect to another loopback address
	// is refused on the hop, which the error names.
	o.Redirect("/hop", "http://127.0.0.2:"+port+"/feed", http.StatusFound)
	one := []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}

	tests := []struct {
		name string
		opts Options
		url  string
		msg  string // "" when the fetch must succeed
	}{
		{"default", Options{}, o.URL("/feed"),
			"refusing to fetch loopback address 127.0.0.1 (set poll.allow_private or poll.allow_networks)"},
		{"by name", Options{}, "http://localhost:" + port + "/feed", "address"},
		{"other network allowed", Options{AllowNetworks: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}}, o.URL("/feed"),
			"refusing to fetch loopback address 127.0.0.1"},
		{"redirect hop", Options{AllowNetworks: one}, o.URL("/hop"),
			"redirect to http://127.0.0.2:" + port + "/feed: refusing to fetch loopback address 127.0.0.2 (set poll.allow_private or poll.allow_networks)"},
		{"metadata", Options{}, "http://169.254.169.254/latest/meta-data/", "refusing to fetch link-local address 169.254.169.254"},
		// Forms of the loopback address; none may reach the origin.
		{"IPv4-mapped", Options{}, "http://[::ffff:127.0.0.1]:" + port + "/feed", "refusing to fetch loopback address 127.0.0.1"},
		{"IPv4-translated", Options{}, "http://[::ffff:0:7f00:1]:" + port + "/feed", "refusing to fetch loopback address ::ffff:0:7f00:1"},
		{"Teredo", Options{}, "http://[2001:0:4136:e378:8000:63bf:80ff:fffe]:" + port + "/feed", "refusing to fetch loopback address 2001:0:4136:e378:8000:63bf:80ff:fffe"},
		{"unspecified v4", Options{}, "http://0.0.0.0:" + port + "/feed", "refusing to fetch unspecified address 0.0.0.0"},
		{"unspecified v6", Options{}, "http://[::]:" + port + "/feed", "refusing to fetch unspecified address ::"},
		{"allow private", Options{AllowPrivate: true}, o.URL("/feed"), ""},
		{"allow network", Options{AllowNetworks: loopback}, o.URL("/feed"), ""},
	}
	for _, tt := range tests {
		f := New(tt.opts) // not newFetcher: these options must stay as given
		res, err := f.Fetch(t.Context(), Request{URL: tt.url})
		f.CloseIdleConnections()
		if tt.msg == "" {
			if err != nil || string(res.Body) != rssBody {
				t.Errorf("%s: Fetch(%s) = %v; want the feed", tt.name, tt.url, err)
			}
			continue
		}
		if !errors.Is(err, ErrForbiddenAddress) || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("%s: Fetch(%s) error = %v; want ErrForbiddenAddress saying %q", tt.name, tt.url, err, tt.msg)
		}
	}
	if n := o.Count("/feed"); n != 2 {
		t.Errorf("origin served /feed %d times; want 2 (only the allowed fetches connect)", n)
	}
	if n := o.Count("/hop"); n != 1 {
		t.Errorf("origin served /hop %d times; want 1", n)
	}
}

func TestPerHostLimit(t *testing.T) {
	o := feedtest.NewOrigin(t)
	o.Handle("/work", func(w http.ResponseWriter, r *http.Request) {
		// Hold each request a moment so that concurrent fetches overlap
		// on the origin if the limit lets them.
		time.Sleep(40 * time.Millisecond)
		io.WriteString(w, rssBody)
	})
	f := newFetcher(t, Options{PerHost: 2})

	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			if _, err := f.Fetch(t.Context(), Request{URL: o.URL("/work")}); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("Fetch(/work): %v", err)
	}
	if got := o.MaxInFlight(); got != 2 {
		t.Errorf("origin saw at most %d requests at once; want exactly 2 (PerHost)", got)
	}
	if n := f.hosts.size(); n != 0 {
		t.Errorf("after all fetches, the limiter tracks %d hosts; want 0", n)
	}
}

func TestPerHostWaitCancelled(t *testing.T) {
	o := feedtest.NewOrigin(t)
	o.Stall("/stall")
	o.Feed("/feed", "application/rss+xml", []byte(rssBody))
	f := newFetcher(t, Options{PerHost: 1, Timeout: 5 * time.Second})

	stallCtx, stopStall := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		_, err := f.Fetch(stallCtx, Request{URL: o.URL("/stall")})
		done <- err
	}()
	// Wait until the stalled fetch holds the only slot.
	for o.Count("/stall") == 0 {
		select {
		case err := <-done:
			t.Fatalf("stalled fetch returned early: %v", err)
		case <-time.After(5 * time.Millisecond):
		}
	}

	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	_, err := f.Fetch(ctx, Request{URL: o.URL("/feed")})
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "waiting for a free connection slot for 127.0.0.1") {
		t.Errorf("Fetch(/feed) while the slot is taken = %v; want a deadline error naming the wait", err)
	}
	if n := o.Count("/feed"); n != 0 {
		t.Errorf("origin saw /feed %d times; want 0", n)
	}

	stopStall()
	if err := <-done; !errors.Is(err, context.Canceled) || !strings.HasPrefix(err.Error(), "fetch stopped") {
		t.Errorf("cancelled Fetch(/stall) = %v; want context.Canceled, \"fetch stopped …\"", err)
	}
	if _, err := f.Fetch(t.Context(), Request{URL: o.URL("/feed")}); err != nil {
		t.Errorf("Fetch(/feed) after the slot is free: %v", err)
	}
}

// TestLongValidators checks that an ETag or Last-Modified of kilobytes is
// not kept: sent back, it would make a server that limits request headers
// refuse every later request.
func TestLongValidators(t *testing.T) {
	o := feedtest.NewOrigin(t)
	long := `"` + strings.Repeat("e", 8<<10) + `"`
	o.Handle("/long", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", long)
		w.Header().Set("Last-Modified", "Mon, 02 Jan 2006 15:04:05 GMT; "+strings.Repeat("x", 2<<10))
		io.WriteString(w, rssBody)
	})
	o.Handle("/short", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", `"`+strings.Repeat("s", maxValidator-2)+`"`)
		io.WriteString(w, rssBody)
	})
	f := newFetcher(t, Options{})
	res, err := f.Fetch(t.Context(), Request{URL: o.URL("/long")})
	if err != nil || res.ETag != "" || res.LastModified != "" {
		t.Errorf("Fetch(/long) = ETag of %d bytes, Last-Modified of %d bytes, %v; want neither kept",
			len(res.ETag), len(res.LastModified), err)
	}
	// A 304 with a long ETag keeps the validators the request sent.
	o.Handle("/long304", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", long)
		w.WriteHeader(http.StatusNotModified)
	})
	res, err = f.Fetch(t.Context(), Request{URL: o.URL("/long304"), ETag: `"v1"`})
	if err != nil || !res.NotModified || res.ETag != `"v1"` {
		t.Errorf("Fetch(/long304) = not modified %v, ETag of %d bytes, %v; want a 304 keeping \"v1\"", res.NotModified, len(res.ETag), err)
	}
	res, err = f.Fetch(t.Context(), Request{URL: o.URL("/short")})
	if err != nil || len(res.ETag) != maxValidator {
		t.Errorf("Fetch(/short) = ETag of %d bytes, %v; want the %d-byte ETag kept", len(res.ETag), err, maxValidator)
	}
}

func TestCacheHeaders(t *testing.T) {
	o := feedtest.NewOrigin(t)
	expires := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	o.Handle("/cached", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=1800")
		w.Header().Set("Expires", expires.Format(http.TimeFormat))
		io.WriteString(w, rssBody)
	})
	res, err := newFetcher(t, Options{}).Fetch(t.Context(), Request{URL: o.URL("/cached")})
	if err != nil {
		t.Fatal(err)
	}
	if res.MaxAge != 30*time.Minute || !res.Expires.Equal(expires) {
		t.Errorf("Fetch(/cached): MaxAge %v, Expires %v; want 30m, %v", res.MaxAge, res.Expires, expires)
	}
}

func TestBadInput(t *testing.T) {
	o := feedtest.NewOrigin(t)
	o.Handle("/br", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "br")
		io.WriteString(w, "not really brotli")
	})
	o.Handle("/badgzip", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		io.WriteString(w, "not gzip at all")
	})
	o.Redirect("/to-closed", "http://127.0.0.1:1/x", http.StatusFound)
	f := newFetcher(t, Options{})
	tests := []struct {
		url  string
		want string
		is   error
	}{
		{"ftp://example.org/feed", `unsupported url "ftp://example.org/feed": only http and https are fetched`, ErrUnsupportedURL},
		{"/relative", `unsupported url "/relative": only http and https are fetched`, ErrUnsupportedURL},
		{"http:///nohost", `unsupported url "http:///nohost": no host`, ErrUnsupportedURL},
		{o.URL("/br"), `unsupported content-encoding "br"`, nil},
		{o.URL("/badgzip"), "reading body from " + o.URL("/badgzip") + ": reading gzip body: gzip: invalid header", nil},
		{"http://127.0.0.1:1/feed", "requesting http://127.0.0.1:1/feed: dial tcp 127.0.0.1:1: connect: connection refused", nil},
		{o.URL("/to-closed"), "redirect to http://127.0.0.1:1/x: dial tcp 127.0.0.1:1: connect: connection refused", nil},
	}
	for _, tt := range tests {
		_, err := f.Fetch(t.Context(), Request{URL: tt.url})
		if err == nil || !strings.Contains(err.Error(), tt.want) || (tt.is != nil && !errors.Is(err, tt.is)) {
			t.Errorf("Fetch(%q) error = %v; want %q (wrapping %v)", tt.url, err, tt.want, tt.is)
		}
	}
}

// TestErrorsHideCredentials fetches URLs whose query carries a credential,
// as a private feed's URL may (?token=, ?apikey=), and redirects to others:
// no error message quotes the credential.
func TestErrorsHideCredentials(t *testing.T) {
	o := feedtest.NewOrigin(t)
	o.Status("/missing", http.StatusNotFound, "")
	o.Redirect("/to-ftp", "ftp://files.example/feed?sig=S3CR3T-SIG", http.StatusFound)
	o.Redirect("/to-missing", o.URL("/missing")+"?session=S3CR3T-SESSION&page=2", http.StatusFound)
	o.Redirect("/la", "/lb?sid=S3CR3T", http.StatusFound)
	o.Redirect("/lb", "/la?sid=S3CR3T", http.StatusFound)
	o.Handle("/badgzip", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		io.WriteString(w, "not gzip at all")
	})
	f := newFetcher(t, Options{})
	tests := []struct {
		url  string
		want string
	}{
		{o.URL("/missing") + "?token=S3CR3T&format=rss", "from " + o.URL("/missing") + "?token=xxxxx&format=rss"},
		{o.URL("/to-ftp") + "?apikey=S3CR3T", `redirect from ` + o.URL("/to-ftp") + `?apikey=xxxxx to unsupported url "ftp://files.example/feed?sig=xxxxx"`},
		{o.URL("/to-missing") + "?key=S3CR3T", "from " + o.URL("/missing") + "?session=xxxxx&page=2"},
		{o.URL("/la") + "?sid=S3CR3T", "redirect loop at " + o.URL("/la") + "?sid=xxxxx"},
		{o.URL("/badgzip") + "?auth=S3CR3T", "reading body from " + o.URL("/badgzip") + "?auth=xxxxx: "},
		{"http://127.0.0.1:1/feed?password=S3CR3T", "requesting http://127.0.0.1:1/feed?password=xxxxx: "},
		{"ftp://example.org/feed?secret=S3CR3T", `unsupported url "ftp://example.org/feed?secret=xxxxx"`},
	}
	for _, tt := range tests {
		_, err := f.Fetch(t.Context(), Request{URL: tt.url})
		if err == nil || strings.Contains(err.Error(), "S3CR3T") || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Fetch(%q) error = %v; want it to say %q and never the credential", tt.url, err, tt.want)
		}
	}
}

// TestMaxAgeLessAge checks that a max-age counts from when the answer was
// made, not from when a cache in front of the feed (a CDN) handed it on:
// an answer such a cache has held for 50 of its 60 minutes is fresh for
// 10 more, after which the cache asks the origin again.
func TestMaxAgeLessAge(t *testing.T) {
	o := feedtest.NewOrigin(t)
	tests := []struct {
		age  string
		want time.Duration
	}{
		{"", time.Hour},
		{"0", time.Hour},
		{"3000", 10 * time.Minute},
		{"3600", 0},
		{"86400", 0},
		{"999999999999999999999", 0},
		{"soon", time.Hour}, // not delta-seconds: ignored
		{"-60", time.Hour},
	}
	f := newFetcher(t, Options{})
	for i, tt := range tests {
		path := fmt.Sprintf("/cdn%d", i)
		o.Handle(path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Cache-Control", "public, max-age=3600")
			if tt.age != "" {
				w.Header().Set("Age", tt.age)
			}
			io.WriteString(w, rssBody)
		})
		res, err := f.Fetch(t.Context(), Request{URL: o.URL(path)})
		if err != nil || res.MaxAge != tt.want {
			t.Errorf("Fetch with max-age=3600, Age %q = MaxAge %v, %v; want %v", tt.age, res.MaxAge, err, tt.want)
		}
	}
}

// TestBodyCutShort checks that a body that stops before its end, and a
// connection closed before any answer, fail the fetch with an error that
// says so in words, where they said "unexpected EOF" or "EOF".
func TestBodyCutShort(t *testing.T) {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(strings.Repeat(rssBody, 20)))
	zw.Close()
	o := feedtest.NewOrigin(t)
	o.Handle("/short", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100000")
		io.WriteString(w, rssBody)
	})
	// Raw answers, written as a server that dies midway leaves them.
	raw := func(path, answer string) {
		o.Handle(path, func(w http.ResponseWriter, r *http.Request) {
			conn, buf, err := http.NewResponseController(w).Hijack()
			if err != nil {
				t.Error(err)
				return
			}
			buf.WriteString(answer)
			buf.Flush()
			conn.Close()
		})
	}
	raw("/midchunk", "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nTransfer-Encoding: chunked\r\n\r\n100\r\n"+rssBody[:40])
	raw("/nothing", "")
	o.Handle("/gzip-cut", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(gz.Bytes()[:gz.Len()/2])
	})
	f := newFetcher(t, Options{})
	tests := []struct {
		url  string
		want string
		is   error
	}{
		{o.URL("/short"), fmt.Sprintf("reading body from %s: cut short: the connection closed after %d of the 100000 bytes its Content-Length announced", o.URL("/short"), len(rssBody)), io.ErrUnexpectedEOF},
		{o.URL("/midchunk"), "reading body from " + o.URL("/midchunk") + ": cut short: the connection closed after 40 bytes, before the end of the body", io.ErrUnexpectedEOF},
		{o.URL("/gzip-cut"), fmt.Sprintf("reading body from %s: cut short: the gzip data ends after %d bytes, before the end of the compressed stream", o.URL("/gzip-cut"), gz.Len()/2), io.ErrUnexpectedEOF},
		{o.URL("/nothing"), "requesting " + o.URL("/nothing") + ": the server closed the connection without answering", io.EOF},
	}
	for _, tt := range tests {
		_, err := f.Fetch(t.Context(), Request{URL: tt.url})
		if err == nil || err.Error() != tt.want || !errors.Is(err, tt.is) {
			t.Errorf("Fetch(%s) error = %v; want %q wrapping %v", tt.url, err, tt.want, tt.is)
		}
	}
}

// TestContentCodings checks the Content-Encoding headers servers send
// beyond a plain "gzip": a list with identity in it, codings applied one
// over the other, and gzip that the server compressed twice or sent
// without saying so (a feed file uploaded compressed to a bucket), which
// no feed can start with.
func TestContentCodings(t *testing.T) {
	gz := func(b []byte) []byte {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		zw.Write(b)
		zw.Close()
		return buf.Bytes()
	}
	zl := func(b []byte) []byte {
		var buf bytes.Buffer
		zw := zlib.NewWriter(&buf)
		zw.Write(b)
		zw.Close()
		return buf.Bytes()
	}
	feed := []byte(rssBody)
	o := feedtest.NewOrigin(t)
	serve := func(path, coding string, body []byte) {
		o.Handle(path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/rss+xml")
			if coding != "" {
				w.Header().Set("Content-Encoding", coding)
			}
			w.Write(body)
		})
	}
	serve("/gzip-identity", "gzip, identity", gz(feed))
	serve("/identity-gzip", "identity, gzip", gz(feed))
	serve("/upper", "GZip", gz(feed))
	serve("/gzip-gzip", "gzip, gzip", gz(gz(feed)))
	serve("/deflate-gzip", "deflate, gzip", gz(zl(feed)))
	serve("/twice", "gzip", gz(gz(feed)))
	// A zlib stream labelled gzip, the mirror of gzip labelled deflate.
	serve("/zlib-as-gzip", "gzip", zl(feed))
	serve("/zlib-as-x-gzip", "x-gzip", zl(feed))
	serve("/undeclared", "", gz(feed))
	serve("/br", "br", feed)
	serve("/gzip-br", "gzip, br", feed)
	serve("/many", "gzip, gzip, gzip, gzip, gzip", feed)
	// Words that name no compression, as misconfigured servers send in
	// Content-Encoding (a charset, most often), and browsers read past.
	serve("/utf8", "UTF-8", feed)
	serve("/none", "none", feed)
	serve("/binary", "binary", feed)
	serve("/gzip-utf8", "utf-8, gzip", gz(feed))
	serve("/zstd", "zstd", feed)
	serve("/compress", "compress", feed)
	// A bomb inside a bomb stops at the cap as one does.
	bomb := &bytes.Buffer{}
	zw := gzip.NewWriter(bomb)
	zw.Write(gz(bytes.Repeat([]byte{'x'}, 64<<20)))
	zw.Close()
	serve("/bomb-in-gzip", "gzip", bomb.Bytes())
	f := newFetcher(t, Options{MaxBytes: 1 << 20})
	for _, path := range []string{"/gzip-identity", "/identity-gzip", "/upper", "/gzip-gzip", "/deflate-gzip", "/twice", "/undeclared",
		"/zlib-as-gzip", "/zlib-as-x-gzip", "/utf8", "/none", "/binary", "/gzip-utf8"} {
		res, err := f.Fetch(t.Context(), Request{URL: o.URL(path)})
		if err != nil || string(res.Body) != rssBody {
			t.Errorf("Fetch(%s) = %q, %v; want the feed", path, res.Body, err)
		}
	}
	tests := []struct {
		path string
		want string
	}{
		{"/br", `unsupported content-encoding "br"`},
		{"/gzip-br", `unsupported content-encoding "br"`},
		{"/zstd", `unsupported content-encoding "zstd"`},
		{"/compress", `unsupported content-encoding "compress"`},
		{"/many", `unsupported content-encoding "gzip, gzip, gzip, gzip, gzip": more than 3 codings`},
		{"/bomb-in-gzip", "body larger than 1048576 bytes"},
	}
	for _, tt := range tests {
		_, err := f.Fetch(t.Context(), Request{URL: o.URL(tt.path)})
		if err == nil || !strings.HasSuffix(err.Error(), tt.want) {
			t.Errorf("Fetch(%s) error = %v; want it to end %q", tt.path, err, tt.want)
		}
	}
}

// TestStatusErrorSays checks that an error status whose page says more
// than the status does (a bot check's title, a login page's, a plain text
// reason) carries those words, so that the operator can tell a feed behind
// a challenge from one gone missing; words that only repeat the status,
// and bytes that are no text, are left out.
func TestStatusErrorSays(t *testing.T) {
	o := feedtest.NewOrigin(t)
	page := func(path string, code int, contentType, body string, gzipped bool) {
		o.Handle(path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", contentType)
			b := []byte(body)
			if gzipped {
				var buf bytes.Buffer
				zw := gzip.NewWriter(&buf)
				zw.Write(b)
				zw.Close()
				b = buf.Bytes()
				w.Header().Set("Content-Encoding", "gzip")
			}
			w.WriteHeader(code)
			w.Write(b)
		})
	}
	challenge := `<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title><meta charset="UTF-8">` + strings.Repeat("<script>/* … */</script>", 20)
	page("/challenge", http.StatusForbidden, "text/html; charset=UTF-8", challenge, true)
	page("/login", http.StatusUnauthorized, "text/html", "<html><HEAD><TITLE>\n  Sign in &amp;\n continue\n</TITLE></HEAD></html>", false)
	page("/reason", http.StatusServiceUnavailable, "text/plain; charset=utf-8", "\n  Down for maintenance until 14:00 UTC\nSorry.\n", false)
	page("/long", http.StatusInternalServerError, "text/html", "<title>"+strings.Repeat("word ", 200)+"</title>", false)
	page("/controls", http.StatusInternalServerError, "text/plain", "bad \x1b[31mred\u202e text\xff", false)
	page("/binary", http.StatusInternalServerError, "application/octet-stream", "\x00\x01\x02\x03", false)
	page("/repeats", http.StatusBadGateway, "text/html", "<title>502 Bad Gateway</title>", false)
	page("/api", http.StatusForbidden, "application/json; charset=utf-8", `{"message":"API rate limit exceeded for 192.0.2.1.","documentation_url":"https://docs.example/rate"}`, false)
	page("/problem", http.StatusUnauthorized, "application/problem+json", `{"type":"about:blank","title":"Unauthorized","detail":"This feed needs a token."}`, false)
	page("/json-error", http.StatusNotFound, "application/json", `{"error":{"code":404,"message":"Record not found"}}`, false)
	page("/json-other", http.StatusInternalServerError, "application/json", `[1,2,3]`, false)
	page("/repeats-too", http.StatusNotFound, "text/plain", "404 page not found\n", false)
	page("/other-host", http.StatusForbidden, "text/html", "<title>Router admin at 10.0.0.1</title>", false)
	port := o.Host()[strings.LastIndex(o.Host(), ":")+1:]
	o.Redirect("/to-other-host", "http://localhost:"+port+"/other-host", http.StatusFound)
	o.Status("/busy", http.StatusTooManyRequests, "120")
	o.Handle("/nowhere", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusMovedPermanently) })
	tls := httptest.NewUnstartedServer(http.NotFoundHandler())
	tls.Config.ErrorLog = log.New(io.Discard, "", 0) // the handshake error it logs is the point
	tls.StartTLS()
	t.Cleanup(tls.Close)
	f := newFetcher(t, Options{})
	tests := []struct {
		url  string
		want string
	}{
		{o.URL("/challenge"), "http 403 forbidden from " + o.URL("/challenge") + ` ("Just a moment...")`},
		{o.URL("/login"), "http 401 unauthorized from " + o.URL("/login") + ` ("Sign in & continue")`},
		{o.URL("/reason"), "http 503 service unavailable from " + o.URL("/reason") + ` ("Down for maintenance until 14:00 UTC")`},
		{o.URL("/long"), "http 500 internal server error from " + o.URL("/long") + ` ("` + strings.TrimSpace(strings.Repeat("word ", 20)) + ` …")`},
		{o.URL("/controls"), "http 500 internal server error from " + o.URL("/controls") + ` ("bad [31mred text")`},
		{o.URL("/binary"), "http 500 internal server error from " + o.URL("/binary")},
		{o.URL("/repeats"), "http 502 bad gateway from " + o.URL("/repeats")},
		{o.URL("/api"), "http 403 forbidden from " + o.URL("/api") + ` ("API rate limit exceeded for 192.0.2.1.")`},
		{o.URL("/problem"), "http 401 unauthorized from " + o.URL("/problem") + ` ("This feed needs a token.")`},
		{o.URL("/json-error"), "http 404 not found from " + o.URL("/json-error") + ` ("Record not found")`},
		{o.URL("/json-other"), "http 500 internal server error from " + o.URL("/json-other")},
		{o.URL("/repeats-too"), "http 404 not found from " + o.URL("/repeats-too")},
		{o.URL("/other-host"), "http 403 forbidden from " + o.URL("/other-host") + ` ("Router admin at 10.0.0.1")`},
		// Not the words of a host a redirect led to.
		{o.URL("/to-other-host"), "http 403 forbidden from http://localhost:" + port + "/other-host"},
		{o.URL("/busy"), "http 429 too many requests from " + o.URL("/busy") + "; retry after 2m0s"},
		// A redirect that names no place to go.
		{o.URL("/nowhere"), "http 301 moved permanently from " + o.URL("/nowhere") + " without a Location to follow"},
		// An http URL to a port that speaks TLS.
		{strings.Replace(tls.URL, "https:", "http:", 1) + "/feed", "http 400 bad request from " + strings.Replace(tls.URL, "https:", "http:", 1) +
			`/feed ("Client sent an HTTP request to an HTTPS server.")`},
	}
	for _, tt := range tests {
		_, err := f.Fetch(t.Context(), Request{URL: tt.url})
		var se *StatusError
		if !errors.As(err, &se) || err.Error() != tt.want {
			t.Errorf("Fetch(%s) error = %v; want a StatusError %q", tt.url, err, tt.want)
		}
	}
}

// TestFreshnessFromExpires checks that an answer without a max-age stays
// fresh until its Expires, reckoned against its own Date (RFC 9111,
// section 4.2.1), as a feed served with Expires alone asks.
func TestFreshnessFromExpires(t *testing.T) {
	date := time.Date(2026, 11, 3, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		cacheControl, expires, age string
		want                       time.Duration
	}{
		{"", date.Add(2 * time.Hour).Format(http.TimeFormat), "", 2 * time.Hour},
		{"public", date.Add(2 * time.Hour).Format(http.TimeFormat), "", 2 * time.Hour},
		{"", date.Add(2 * time.Hour).Format(http.TimeFormat), "3600", time.Hour},
		{"", date.Add(-time.Hour).Format(http.TimeFormat), "", 0},
		{"", "0", "", 0},
		{"", date.AddDate(20, 0, 0).Format(http.TimeFormat), "", maxRetryAfter},
		// A max-age, even of 0, comes before Expires.
		{"max-age=600", date.Add(2 * time.Hour).Format(http.TimeFormat), "", 10 * time.Minute},
		{"max-age=0", date.Add(2 * time.Hour).Format(http.TimeFormat), "", 0},
	}
	o := feedtest.NewOrigin(t)
	f := newFetcher(t, Options{})
	for i, tt := range tests {
		path := fmt.Sprintf("/expires%d", i)
		o.Handle(path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Date", date.Format(http.TimeFormat))
			w.Header().Set("Expires", tt.expires)
			if tt.cacheControl != "" {
				w.Header().Set("Cache-Control", tt.cacheControl)
			}
			if tt.age != "" {
				w.Header().Set("Age", tt.age)
			}
			io.WriteString(w, rssBody)
		})
		res, err := f.Fetch(t.Context(), Request{URL: o.URL(path)})
		if err != nil || res.MaxAge != tt.want {
			t.Errorf("Fetch with Cache-Control %q, Expires %q, Age %q = MaxAge %v, %v; want %v",
				tt.cacheControl, tt.expires, tt.age, res.MaxAge, err, tt.want)
		}
	}
}

// TestPartialContent checks that a 206 Partial Content, which answers a
// request for a part that a Fetcher never makes, fails the fetch, saying
// which part came, rather than giving the part as the feed, to be parsed up
// to its cut with the source shown as read; and that one whose
// Content-Range is the whole feed is the feed.
func TestPartialContent(t *testing.T) {
	feed := []byte(`<?xml version="1.0"?><rss version="2.0"><channel><title>Halves</title>` +
		`<item><title>First</title><guid>h1</guid></item><item><title>Second</title><guid>h2</guid></item></channel></rss>`)
	part := func(body []byte, contentRange string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if contentRange != "" {
				w.Header().Set("Content-Range", contentRange)
			}
			w.Header().Set("Content-Type", "application/rss+xml")
			w.WriteHeader(http.StatusPartialContent)
			w.Write(body)
		}
	}
	o := feedtest.NewOrigin(t)
	o.Handle("/half", part(feed[:64], fmt.Sprintf("bytes 0-63/%d", len(feed))))
	o.Handle("/unknown", part(feed[:64], "bytes 0-63/*"))
	o.Handle("/unsaid", part(feed[:64], ""))
	o.Handle("/whole", part(feed, fmt.Sprintf("bytes 0-%d/%d", len(feed)-1, len(feed))))
	f := newFetcher(t, Options{})

	for _, tt := range []struct{ path, why string }{
		{"/half", fmt.Sprintf("to a request without Range: only bytes 0-63 of %d", len(feed))},
		{"/unknown", "to a request without Range: only bytes 0-63 of the feed"},
		{"/unsaid", "to a request without Range: only part of the feed"},
	} {
		res, err := f.Fetch(t.Context(), Request{URL: o.URL(tt.path)})
		var se *StatusError
		if !errors.As(err, &se) || se.Code != http.StatusPartialContent || len(res.Body) != 0 {
			t.Errorf("Fetch(%s) = %d bytes, %v; want no body and a StatusError of 206", tt.path, len(res.Body), err)
			continue
		}
		if want := "http 206 partial content from " + o.URL(tt.path) + " " + tt.why; err.Error() != want {
			t.Errorf("Fetch(%s) error = %q; want %q", tt.path, err, want)
		}
	}
	res, err := f.Fetch(t.Context(), Request{URL: o.URL("/whole")})
	if err != nil || !bytes.Equal(res.Body, feed) {
		t.Errorf("Fetch(/whole) = %q, %v; want the whole feed", res.Body, err)
	}
}

// TestSwitchingProtocols answers a fetch with a 101 Switching Protocols,
// which no request of a Fetcher asks for, and then sends nothing while
// holding the connection open: the fetch fails with the status at once,
// rather than reading the connection, handed over as the answer's body,
// which the fetch's timeout does not end, for as long as the server
// pleases.
func TestSwitchingProtocols(t *testing.T) {
	hold := make(chan struct{})
	addr := feedtest.RawServer(t, func(c net.Conn) {
		buf := make([]byte, 4096)
		c.Read(buf) // the request, which fits
		c.Write([]byte("HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\r\n"))
		<-hold
	})
	t.Cleanup(func() { close(hold) })
	url := "http://" + addr + "/feed.rss"
	f := newFetcher(t, Options{Timeout: 300 * time.Millisecond})
	done := make(chan error, 1)
	go func() {
		_, err := f.Fetch(t.Context(), Request{URL: url})
		done <- err
	}()
	var err error
	select {
	case err = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Fetch still reading a 101's connection 10s on, past its 300ms timeout")
	}
	var se *StatusError
	if !errors.As(err, &se) || se.Code != http.StatusSwitchingProtocols {
		t.Fatalf("Fetch(101) error = %v; want a StatusError of 101", err)
	}
	if want := "http 101 switching protocols from " + url + " to a request that asked for no other protocol"; err.Error() != want {
		t.Errorf("Fetch(101) error = %q; want %q", err, want)
	}
}

// TestTransferCodings checks that an answer whose body is compressed in
// transit (Transfer-Encoding: gzip, chunked), which HTTP/1.1 allows and
// net/http does not read, fails with an error that names the coding and
// where a compressed feed belongs, where it spoke of a broken connection.
func TestTransferCodings(t *testing.T) {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(rssBody))
	zw.Close()
	f := newFetcher(t, Options{})
	for _, tt := range []struct{ header, named string }{
		{"Transfer-Encoding: gzip, chunked", `"gzip, chunked"`},
		{"Transfer-Encoding: deflate", `"deflate"`},
		// The codings on lines of their own, as some servers write them.
		{"Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked", `["gzip" "chunked"]`},
	} {
		addr := feedtest.RawServer(t, func(c net.Conn) {
			if _, err := http.ReadRequest(bufio.NewReader(c)); err != nil {
				return
			}
			fmt.Fprintf(c, "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n%s\r\n\r\n%x\r\n%s\r\n0\r\n\r\n",
				tt.header, gz.Len(), gz.Bytes())
		})
		u := "http://" + addr + "/feed.rss"
		_, err := f.Fetch(t.Context(), Request{URL: u})
		want := fmt.Sprintf("requesting %s: unsupported transfer-encoding %s: only chunked is read; a compressed feed is sent with a Content-Encoding", u, tt.named)
		if err == nil || err.Error() != want {
			t.Errorf("Fetch of a body in %q: error %v; want %q", tt.header, err, want)
		}
	}
}
