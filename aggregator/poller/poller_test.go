package poller_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/feedtest"
	"github.com/tributary-feeds/tributary/aggregator/ingest"
	"github.com/tributary-feeds/tributary/aggregator/poller"
	"github.com/tributary-feeds/tributary/aggregator/publish"
	"github.com/tributary-feeds/tributary/aggregator/topic"
	"github.com/tributary-feeds/tributary/store"
)

// quiet discards the poller's logs; the tests assert on stored state.
var quiet = slog.New(slog.DiscardHandler)

func mustOpen(t testing.TB) *store.DB {
	t.Helper()
	db, err := store.Open(filepath.Join(t.TempDir(), "tributary.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// config returns a loaded configuration for the sources at urls.
func config(t testing.TB, extra string, urls ...string) *aggregator.Config {
	t.Helper()
	// extra holds "  key: value" lines that override the poll defaults here.
	keys := []string{"interval", "timeout", "max_bytes", "allow_private", "max_backoff"}
	vals := map[string]string{"interval": "30m", "timeout": "500ms", "max_bytes": "1048576", "allow_private": "true", "max_backoff": "6h"}
	for _, line := range strings.Split(extra, "\n") {
		k, v, ok := strings.Cut(strings.TrimSpace(line), ":")
		if !ok {
			continue
		}
		if _, seen := vals[k]; !seen {
			keys = append(keys, k)
		}
		vals[k] = strings.TrimSpace(v)
	}
	var b strings.Builder
	b.WriteString("poll:\n")
	for _, k := range keys {
		fmt.Fprintf(&b, "  %s: %s\n", k, vals[k])
	}
	// Keep everything: the fixtures' dates must never age out of the store.
	b.WriteString("storage:\n  retention: 0\nsources:\n")
	for _, u := range urls {
		fmt.Fprintf(&b, "  - url: %q\n", u)
	}
	cfg, err := aggregator.Load(strings.NewReader(b.String()), "test.yaml")
	if err != nil {
		t.Fatalf("config:\n%s\n%v", b.String(), err)
	}
	return cfg
}

func newPoller(t *testing.T, cfg *aggregator.Config, db aggregator.Store, now func() time.Time) *poller.Poller {
	t.Helper()
	tags, err := topic.Compile(cfg.Topics, cfg.Sources)
	if err != nil {
		t.Fatal(err)
	}
	p, err := poller.New(cfg, tags, db, poller.Options{Now: now, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// allAtom returns the topic all's Atom feed as pub serves it.
func allAtom(t *testing.T, pub *publish.Publisher) string {
	t.Helper()
	rec := httptest.NewRecorder()
	pub.Handler(nil).ServeHTTP(rec, httptest.NewRequest("GET", "/topics/all.atom", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /topics/all.atom: %d", rec.Code)
	}
	return rec.Body.String()
}

func state(t *testing.T, db aggregator.Store, url string) aggregator.SourceState {
	t.Helper()
	st, err := db.Source(t.Context(), aggregator.SourceID(url))
	if err != nil {
		t.Fatalf("Source(%s): %v", url, err)
	}
	return st
}

// TestHostileSources polls a good source beside every kind of broken one:
// each failure is recorded on its source with a reason, and the good source
// is read in full and on time.
func TestHostileSources(t *testing.T) {
	o := feedtest.NewOrigin(t)
	o.Feed("/good.rss", "application/rss+xml", fixture(t, "news.rss"))
	o.Slow("/slow.rss", 20*time.Millisecond)
	o.Stall("/stall.rss")
	o.Huge("/huge.rss", 1<<30)
	o.GzipBomb("/bomb.rss", 1<<30)
	o.RedirectLoop("/loop.rss")
	o.Status("/error.rss", http.StatusInternalServerError, "")
	o.Status("/gone.rss", http.StatusGone, "")
	o.Status("/unasked.rss", http.StatusNotModified, "") // to the first, unconditional request
	// A redirect to 60 KB of URL, which the error quotes.
	o.Redirect("/far.rss", "ftp://far.example/"+strings.Repeat("a", 60_000), http.StatusFound)
	o.Handle("/broken.rss", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write([]byte("{{{ this is neither XML nor JSON <<<"))
	})
	o.Feed("/real.rss", "application/rss+xml", fixture(t, "news.rss"))
	o.HTML("/page.html", "/real.rss")
	// A Content-Type with bytes that are not UTF-8 before a sloppy charset
	// parameter once sent the charset sniffer out of bounds.
	o.Feed("/header.rss", "\xbcChArset", fixture(t, "news.rss"))
	// Half a megabyte of nested elements, a few kilobytes on the wire: a
	// few megabytes, nested millions deep, overflow the XML reader's stack,
	// which stops the process.
	o.GzipFeed("/deep.rss", "application/rss+xml", []byte(`<rss version="2.0" xmlns:x="urn:x"><channel><title>Deep</title><item>`+
		strings.Repeat("<x:a>", 100_000)+`</item></channel></rss>`))

	want := map[string]string{ // path -> words the recorded error must contain
		"/slow.rss":    "timeout",
		"/stall.rss":   "timeout",
		"/huge.rss":    "larger than",
		"/bomb.rss":    "larger than",
		"/loop.rss":    "redirect",
		"/error.rss":   "500",
		"/gone.rss":    "410",
		"/broken.rss":  "",
		"/deep.rss":    "too complex",
		"/unasked.rss": "304",
		"/far.rss":     "unsupported url",
	}
	urls := []string{o.URL("/good.rss"), o.URL("/page.html"), o.URL("/header.rss")}
	for path := range want {
		urls = append(urls, o.URL(path))
	}
	// Hostile sources hold a fetch for the whole 3s timeout; the good one,
	// fetched beside them, must not wait for any of them.
	cfg := config(t, "  concurrency: 16\n  per_host: 16\n  timeout: 3s", urls...)
	db := mustOpen(t)
	p := newPoller(t, cfg, db, nil)

	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	outcomes := p.PollAll(t.Context(), nil)
	elapsed := time.Since(start)
	runtime.ReadMemStats(&after)
	// A gigabyte streamed and a gigabyte gzip bomb must stop at max_bytes
	// (1 MiB here): the whole pass allocates a small multiple of that.
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 128<<20 {
		t.Errorf("polling the hostile sources allocated %d MiB; the body cap should bound it", alloc>>20)
	}
	if elapsed > 10*time.Second {
		t.Errorf("PollAll took %s; broken sources must not hold up the pass", elapsed)
	}
	byURL := map[string]poller.Outcome{}
	for _, o := range outcomes {
		byURL[o.URL] = o
	}
	good := byURL[o.URL("/good.rss")]
	if good.Err != nil || good.Result != "ok" || good.New != 2 {
		t.Errorf("good source: result %q, %d new, err %v; want ok with 2 new items", good.Result, good.New, good.Err)
	}
	// Against a stalled source's hold in the same pass, not a fixed time:
	// a loaded machine slows both.
	if stall := byURL[o.URL("/stall.rss")]; good.Duration >= stall.Duration/2 {
		t.Errorf("good source took %s beside hostile ones, a stalled one %s; want it served without waiting for them",
			good.Duration, stall.Duration)
	}
	for path, words := range want {
		st := state(t, db, o.URL(path))
		if st.LastError == "" || !strings.Contains(strings.ToLower(st.LastError), words) {
			t.Errorf("%s: LastError = %q; want an error mentioning %q", path, st.LastError, words)
		}
		if len(st.LastError) > 1000 || !utf8.ValidString(st.LastError) {
			t.Errorf("%s: LastError of %d bytes; want at most 1000 bytes of text for the status line", path, len(st.LastError))
		}
		if path == "/gone.rss" {
			if !st.Disabled {
				t.Errorf("%s: 410 Gone did not disable the source", path)
			}
		} else if st.Failures != 1 || st.FailingSince.IsZero() || !st.NextDue.After(start) {
			t.Errorf("%s: failures %d, failing since %v, next due %v; want one failure recorded and a retry scheduled",
				path, st.Failures, st.FailingSince, st.NextDue)
		}
	}
	if h := state(t, db, o.URL("/header.rss")); h.LastError != "" || h.Items != 2 {
		t.Errorf("source with a hostile Content-Type: error %q, items %d; want its 2 items read", h.LastError, h.Items)
	}
	page := state(t, db, o.URL("/page.html"))
	if page.URL != o.URL("/real.rss") || page.LastError != "" || page.Items != 2 {
		t.Errorf("HTML page source: URL %q, error %q, items %d; want it moved to %q with 2 items",
			page.URL, page.LastError, page.Items, o.URL("/real.rss"))
	}

	// A gone source is not fetched again.
	gone := o.Count("/gone.rss")
	p.PollAll(t.Context(), nil)
	if o.Count("/gone.rss") != gone {
		t.Errorf("a source disabled by 410 was fetched again")
	}
}

// TestConditionalGet checks that the second poll is conditional and that a
// 304, or a 200 with an identical body, costs no parsing and keeps state.
func TestConditionalGet(t *testing.T) {
	o := feedtest.NewOrigin(t)
	body := fixture(t, "news.rss")
	o.Feed("/feed.rss", "application/rss+xml", body)
	o.Handle("/plain.rss", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write(body) // no validators at all
	})
	cfg := config(t, "", o.URL("/feed.rss"), o.URL("/plain.rss"))
	db := mustOpen(t)
	p := newPoller(t, cfg, db, nil)

	first := p.PollAll(t.Context(), nil)
	for _, oc := range first {
		if oc.Result != "ok" || oc.New != 2 {
			t.Fatalf("first poll of %s: %q with %d new (err %v); want ok with 2", oc.URL, oc.Result, oc.New, oc.Err)
		}
	}
	second := p.PollAll(t.Context(), nil)
	if second[0].Result != "not_modified" {
		t.Errorf("second poll of a feed with validators: %q; want not_modified", second[0].Result)
	}
	if second[1].Result != "unchanged" || second[1].New != 0 {
		t.Errorf("second poll of an identical body without validators: %q, %d new; want unchanged", second[1].Result, second[1].New)
	}
	reqs := o.RequestsTo("/feed.rss")
	if len(reqs) != 2 || reqs[1].Header.Get("If-None-Match") == "" || reqs[1].Header.Get("If-Modified-Since") == "" {
		t.Errorf("second request headers: %v; want If-None-Match and If-Modified-Since", reqs[len(reqs)-1].Header)
	}
	if ua := reqs[0].Header.Get("User-Agent"); !strings.Contains(ua, "Tributary") {
		t.Errorf("User-Agent = %q; want it to name Tributary", ua)
	}
	st := state(t, db, o.URL("/feed.rss"))
	if st.ETag == "" || st.NotModified != 1 || st.Fetches != 2 || st.Items != 2 {
		t.Errorf("state after a 304: etag %q, not_modified %d, fetches %d, items %d", st.ETag, st.NotModified, st.Fetches, st.Items)
	}
}

// TestNotModifiedUpdatesValidators checks that the validators a 304 gives
// are sent next time (RFC 9111, section 4.3.4), as a server that moved its
// version tag on expects: the old tag, sent again, matches no more.
func TestNotModifiedUpdatesValidators(t *testing.T) {
	body := fixture(t, "news.rss")
	var mu sync.Mutex
	asked := map[string]int{}
	o := feedtest.NewOrigin(t)
	o.Handle("/feed.rss", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		inm := r.Header.Get("If-None-Match")
		asked[inm]++
		n := asked[inm]
		mu.Unlock()
		switch {
		case inm == `"v1"` && n == 1, inm == `"v2"`:
			w.Header().Set("ETag", `"v2"`)
			w.WriteHeader(http.StatusNotModified)
			return
		case inm == "":
			w.Header().Set("ETag", `"v1"`)
		default:
			w.Header().Set("ETag", `"v2"`)
		}
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write(body)
	})
	cfg := config(t, "", o.URL("/feed.rss"))
	p := newPoller(t, cfg, mustOpen(t), nil)
	var results []string
	for range 4 {
		results = append(results, p.PollAll(t.Context(), nil)[0].Result)
	}
	if want := []string{"ok", "not_modified", "not_modified", "not_modified"}; !slices.Equal(results, want) {
		t.Errorf("four polls: %q; want %q (the 304's new ETag sent on)", results, want)
	}
}

// TestFailureKeepsTheStatus checks that a source whose server answered, but
// whose answer could not be read (an HTML page, a body cut short), records
// and logs the status it answered with, not 0 as if no answer came.
func TestFailureKeepsTheStatus(t *testing.T) {
	o := feedtest.NewOrigin(t)
	o.Handle("/page", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, "<html><head><title>Sign in</title></head><body></body></html>")
	})
	o.Handle("/cut", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100000")
		io.WriteString(w, "<rss>")
	})
	o.Status("/error", http.StatusInternalServerError, "")
	cfg := config(t, "", o.URL("/page"), o.URL("/cut"), o.URL("/error"), "http://127.0.0.1:1/refused")
	tags, err := topic.Compile(cfg.Topics, cfg.Sources)
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	db := mustOpen(t)
	p, err := poller.New(cfg, tags, db, poller.Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	p.PollAll(t.Context(), nil)
	for url, want := range map[string]int{o.URL("/page"): 200, o.URL("/cut"): 200, o.URL("/error"): 500, "http://127.0.0.1:1/refused": 0} {
		if st := state(t, db, url); st.LastStatus != want || st.LastResult != "error" {
			t.Errorf("%s: last status %d, result %q; want %d, error", url, st.LastStatus, st.LastResult, want)
		}
		if line := fmt.Sprintf("feed_url=%s result=error status=%d ", url, want); !strings.Contains(logs.String(), line) {
			t.Errorf("log:\n%s\nwant a line with %s", logs.String(), line)
		}
	}
}

// TestLongETag polls an origin that sends an ETag of kilobytes but refuses
// request headers that long, as servers do: the ETag is not kept, so the
// source goes on being read instead of failing at every poll.
func TestLongETag(t *testing.T) {
	o := feedtest.NewOrigin(t)
	body := fixture(t, "news.rss")
	o.Handle("/feed.rss", func(w http.ResponseWriter, r *http.Request) {
		if len(r.Header.Get("If-None-Match")) > 4<<10 {
			w.WriteHeader(http.StatusRequestHeaderFieldsTooLarge)
			return
		}
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Header().Set("ETag", `"`+strings.Repeat("e", 8<<10)+`"`)
		w.Write(body)
	})
	cfg := config(t, "", o.URL("/feed.rss"))
	db := mustOpen(t)
	p := newPoller(t, cfg, db, nil)
	for i, want := range []string{"ok", "unchanged"} {
		oc := p.PollAll(t.Context(), nil)[0]
		if oc.Result != want || oc.Err != nil {
			t.Errorf("poll %d: %q, %v; want %s", i+1, oc.Result, oc.Err, want)
		}
	}
	if st := state(t, db, o.URL("/feed.rss")); st.ETag != "" || st.LastError != "" {
		t.Errorf("state: ETag of %d bytes, error %q; want no ETag kept and no error", len(st.ETag), st.LastError)
	}
}

// TestBackoffAndRetryAfter drives the schedule with a clock: failures back
// off exponentially up to the cap, Retry-After is honoured, success resets.
func TestBackoffAndRetryAfter(t *testing.T) {
	o := feedtest.NewOrigin(t)
	o.Status("/feed.rss", http.StatusServiceUnavailable, "")
	cfg := config(t, "", o.URL("/feed.rss"))
	db := mustOpen(t)
	clk := feedtest.NewClock(time.Date(2026, 11, 3, 12, 0, 0, 0, time.UTC))
	p := newPoller(t, cfg, db, clk.Now)

	var waits []time.Duration
	for range 6 {
		p.PollAll(t.Context(), nil)
		st := state(t, db, o.URL("/feed.rss"))
		waits = append(waits, st.NextDue.Sub(clk.Now()))
		clk.Add(time.Minute)
	}
	for i := 1; i < len(waits); i++ {
		if waits[i] < waits[i-1] && waits[i] < 5*time.Hour { // jitter may pull a capped wait below the last one
			t.Errorf("backoff shrank: %v", waits)
		}
	}
	if waits[1] < time.Duration(1.5*float64(waits[0])) {
		t.Errorf("backoff does not grow exponentially: %v", waits)
	}
	if last := waits[len(waits)-1]; last > 6*time.Hour+time.Minute || last < 5*time.Hour {
		t.Errorf("backoff after 6 failures = %v; want the 6h cap (with jitter)", last)
	}

	o.Status("/feed.rss", http.StatusTooManyRequests, "7200")
	p.PollAll(t.Context(), nil)
	st := state(t, db, o.URL("/feed.rss"))
	if wait := st.NextDue.Sub(clk.Now()); wait < 2*time.Hour {
		t.Errorf("after 429 with Retry-After: 7200, next due in %v; want at least 2h", wait)
	}
	if st.LastResult != "rate_limited" || !strings.Contains(st.LastError, "429") {
		t.Errorf("after 429: result %q, error %q", st.LastResult, st.LastError)
	}

	date := clk.Now().Add(3 * time.Hour).Format(http.TimeFormat)
	o.Status("/feed.rss", http.StatusServiceUnavailable, date)
	p.PollAll(t.Context(), nil)
	st = state(t, db, o.URL("/feed.rss"))
	if wait := st.NextDue.Sub(clk.Now()); wait < 3*time.Hour-time.Second {
		t.Errorf("after 503 with Retry-After %s, next due in %v; want at least 3h", date, wait)
	}

	o.Feed("/feed.rss", "application/rss+xml", fixture(t, "news.rss"))
	p.PollAll(t.Context(), nil)
	st = state(t, db, o.URL("/feed.rss"))
	if st.Failures != 0 || st.LastError != "" || !st.FailingSince.IsZero() {
		t.Errorf("after a success: failures %d, error %q; want the backoff reset", st.Failures, st.LastError)
	}
	if wait := st.NextDue.Sub(clk.Now()); wait < 27*time.Minute || wait > 33*time.Minute {
		t.Errorf("after a success next due in %v; want the 30m interval with jitter", wait)
	}
}

// TestRetryAfterOnlyWhenRateLimited checks that a Retry-After on a status
// other than 429 and 503 is not honoured: the source takes the ordinary
// backoff and is not called rate limited.
func TestRetryAfterOnlyWhenRateLimited(t *testing.T) {
	o := feedtest.NewOrigin(t)
	o.Status("/error.rss", http.StatusInternalServerError, "86400")
	o.Status("/forbidden.rss", http.StatusForbidden, "86400")
	cfg := config(t, "  max_backoff: 48h\n  timeout: 10s", o.URL("/error.rss"), o.URL("/forbidden.rss"))
	db := mustOpen(t)
	clk := feedtest.NewClock(time.Date(2026, 11, 3, 12, 0, 0, 0, time.UTC))
	p := newPoller(t, cfg, db, clk.Now)
	p.PollAll(t.Context(), nil)
	for _, path := range []string{"/error.rss", "/forbidden.rss"} {
		st := state(t, db, o.URL(path))
		if st.LastResult != "error" || st.RetryAfter != 0 || strings.Contains(st.LastError, "retry after") {
			t.Errorf("%s with Retry-After: 86400: result %q, retry after %v, error %q; want an error without a wait asked for", path, st.LastResult, st.RetryAfter, st.LastError)
		}
		if wait := st.NextDue.Sub(clk.Now()); wait < 30*time.Minute || wait > 33*time.Minute {
			t.Errorf("%s with Retry-After: 86400: next due in %v; want the first backoff, the 30m interval with jitter", path, wait)
		}
	}
}

// TestRetryAfterCapped checks that a server asking to wait longer than
// poll.max_backoff, in seconds or with a date far ahead, is asked again
// once that cap has passed, as a failing source is.
func TestRetryAfterCapped(t *testing.T) {
	o := feedtest.NewOrigin(t)
	o.Status("/seconds.rss", http.StatusServiceUnavailable, "999999999999999999999")
	o.Status("/date.rss", http.StatusServiceUnavailable, "Fri, 01 Jan 2100 00:00:00 GMT")
	o.Status("/busy.rss", http.StatusTooManyRequests, "259200")
	paths := []string{"/seconds.rss", "/date.rss", "/busy.rss"}
	var urls []string
	for _, path := range paths {
		urls = append(urls, o.URL(path))
	}
	cfg := config(t, "  timeout: 10s", urls...) // max_backoff: 6h
	db := mustOpen(t)
	clk := feedtest.NewClock(time.Date(2026, 11, 3, 12, 0, 0, 0, time.UTC))
	p := newPoller(t, cfg, db, clk.Now)
	p.PollAll(t.Context(), nil)
	for _, path := range paths {
		st := state(t, db, o.URL(path))
		if wait := st.NextDue.Sub(clk.Now()); wait != 6*time.Hour || st.RetryAfter != 6*time.Hour {
			t.Errorf("%s: next due in %v, retry after %v; want both the 6h of poll.max_backoff", path, wait, st.RetryAfter)
		}
		if st.LastResult != "rate_limited" || !strings.HasSuffix(st.LastError, "; retry after 6h0m0s") {
			t.Errorf("%s: result %q, error %q; want rate_limited, retry after 6h0m0s", path, st.LastResult, st.LastError)
		}
	}
}

// TestRetryAfterDateInWholeSeconds checks that a Retry-After given as a
// date is recorded, and shown, as a wait of whole seconds.
func TestRetryAfterDateInWholeSeconds(t *testing.T) {
	o := feedtest.NewOrigin(t)
	// The fetcher reads the date against the time of day.
	o.Status("/feed.rss", http.StatusServiceUnavailable, time.Now().Add(3*time.Hour).UTC().Format(http.TimeFormat))
	cfg := config(t, "  timeout: 10s", o.URL("/feed.rss"))
	db := mustOpen(t)
	clk := feedtest.NewClock(time.Date(2026, 11, 3, 12, 0, 0, 0, time.UTC))
	p := newPoller(t, cfg, db, clk.Now)
	oc := p.PollAll(t.Context(), nil)[0]
	st := state(t, db, o.URL("/feed.rss"))
	whole := regexp.MustCompile(`; retry after (\d+h)?(\d+m)?\d+s$`)
	if !whole.MatchString(st.LastError) || oc.Err == nil || !whole.MatchString(oc.Err.Error()) {
		t.Errorf("503 with a Retry-After date: recorded %q, outcome %v; want a wait in whole seconds", st.LastError, oc.Err)
	}
	if st.RetryAfter%time.Second != 0 || st.RetryAfter < 2*time.Hour {
		t.Errorf("503 with a Retry-After date 3h ahead: retry after %v; want about 3h, in whole seconds", st.RetryAfter)
	}
}

// TestFeedTTL checks that a feed's <ttl> lengthens its interval but a short
// one never shortens it.
func TestFeedTTL(t *testing.T) {
	o := feedtest.NewOrigin(t)
	o.Feed("/short.rss", "application/rss+xml", fixture(t, "news.rss"))    // ttl 5
	o.Feed("/long.rss", "application/rss+xml", fixture(t, "slow-ttl.rss")) // ttl 120
	cfg := config(t, "", o.URL("/short.rss"), o.URL("/long.rss"))
	db := mustOpen(t)
	clk := feedtest.NewClock(time.Date(2026, 11, 3, 12, 0, 0, 0, time.UTC))
	p := newPoller(t, cfg, db, clk.Now)
	p.PollAll(t.Context(), nil)
	short := state(t, db, o.URL("/short.rss")).NextDue.Sub(clk.Now())
	long := state(t, db, o.URL("/long.rss")).NextDue.Sub(clk.Now())
	if short < 27*time.Minute || short > 33*time.Minute {
		t.Errorf("ttl 5 (minutes) with a 30m interval: next due in %v; want about 30m", short)
	}
	if long < 108*time.Minute || long > 132*time.Minute {
		t.Errorf("ttl 120 (minutes) with a 30m interval: next due in %v; want about 2h", long)
	}
}

// TestPermanentRedirect checks that a 301 moves the source and a 302 does not.
func TestPermanentRedirect(t *testing.T) {
	o := feedtest.NewOrigin(t)
	o.Feed("/new.rss", "application/rss+xml", fixture(t, "news.rss"))
	o.Redirect("/moved.rss", "/new.rss", http.StatusMovedPermanently)
	o.Redirect("/elsewhere.rss", "/new.rss", http.StatusFound)
	cfg := config(t, "", o.URL("/moved.rss"), o.URL("/elsewhere.rss"))
	db := mustOpen(t)
	p := newPoller(t, cfg, db, nil)
	p.PollAll(t.Context(), nil)
	if got := state(t, db, o.URL("/moved.rss")).URL; got != o.URL("/new.rss") {
		t.Errorf("after 301 the source URL is %q; want %q", got, o.URL("/new.rss"))
	}
	if got := state(t, db, o.URL("/elsewhere.rss")).URL; got != o.URL("/elsewhere.rss") {
		t.Errorf("after 302 the source URL is %q; want it unchanged", got)
	}
	p.PollAll(t.Context(), nil)
	if n := o.Count("/moved.rss"); n != 1 {
		t.Errorf("the old URL of a moved source was fetched %d times; want once", n)
	}
}

// TestMoveLogged checks that a source that moved, by a permanent redirect
// or to the feed its HTML page names, is logged once, naming both URLs, so
// that the operator learns that the config names an old address.
func TestMoveLogged(t *testing.T) {
	o := feedtest.NewOrigin(t)
	o.Feed("/new.rss", "application/rss+xml", fixture(t, "news.rss"))
	o.Redirect("/moved.rss", "/new.rss", http.StatusMovedPermanently)
	o.Feed("/real.rss", "application/rss+xml", fixture(t, "news.rss"))
	o.HTML("/page.html", "/real.rss")
	cfg := config(t, "", o.URL("/moved.rss"), o.URL("/page.html"))
	tags, err := topic.Compile(cfg.Topics, cfg.Sources)
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	p, err := poller.New(cfg, tags, mustOpen(t), poller.Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	p.PollAll(t.Context(), nil)
	if n := strings.Count(logs.String(), `level=INFO msg="source moved"`); n != 2 {
		t.Errorf("log:\n%s\nwant 2 moves logged at info, got %d", logs.String(), n)
	}
	for _, want := range []string{
		fmt.Sprintf(`source=%s config_url=%s feed_url=%s`, aggregator.SourceID(o.URL("/moved.rss")), o.URL("/moved.rss"), o.URL("/new.rss")),
		fmt.Sprintf(`source=%s config_url=%s feed_url=%s`, aggregator.SourceID(o.URL("/page.html")), o.URL("/page.html"), o.URL("/real.rss")),
	} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log:\n%s\nwant a line with %s", logs.String(), want)
		}
	}
	logs.Reset()
	p.PollAll(t.Context(), nil)
	if strings.Contains(logs.String(), "source moved") {
		t.Errorf("second poll's log:\n%s\nwant no move logged again", logs.String())
	}
}

// TestHTMLPageTitleOfOwnHost checks that a source answered with an HTML
// page that names no feed records the page's title when the page is on the
// source's host, and not when a redirect led to another: the web pages
// show a source's error to anyone, and hide the hosts a redirect named.
func TestHTMLPageTitleOfOwnHost(t *testing.T) {
	o := feedtest.NewOrigin(t)
	o.Handle("/login", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, "<!DOCTYPE html><html><head><title>Intranet sign-in</title></head><body><form></form></body></html>")
	})
	o.Redirect("/away", strings.Replace(o.URL("/login"), "127.0.0.1", "localhost", 1), http.StatusFound)
	cfg := config(t, "", o.URL("/login"), o.URL("/away"))
	db := mustOpen(t)
	newPoller(t, cfg, db, nil).PollAll(t.Context(), nil)
	if st := state(t, db, o.URL("/login")); !strings.HasSuffix(st.LastError, `html page "Intranet sign-in", not a feed, and it links to no feed`) {
		t.Errorf("source answered by a page of its own host: LastError %q; want the page named by its title", st.LastError)
	}
	if st := state(t, db, o.URL("/away")); !strings.HasSuffix(st.LastError, "html page, not a feed, and it links to no feed") {
		t.Errorf("source redirected to another host's page: LastError %q; want the page's title left out", st.LastError)
	}
}

// TestPermanentRedirectToNoFeed checks that a 301 or 308 to something
// that is not a feed (an HTML page that names none, an empty or garbage
// body) leaves the source at its URL, so that the next poll asks it again,
// and that a 304 at the new URL moves it, as a feed read there does.
func TestPermanentRedirectToNoFeed(t *testing.T) {
	o := feedtest.NewOrigin(t)
	o.Handle("/html-noalt", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte("<!DOCTYPE html><html><head><title>Parked</title></head><body><p>This domain is for sale.</p></body></html>"))
	})
	o.Handle("/empty", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
	})
	o.Handle("/garbage", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write([]byte("\x00\x01{{{ not a feed <<<"))
	})
	o.Redirect("/perm301-to-html", "/html-noalt", http.StatusMovedPermanently)
	o.Redirect("/perm308-to-html", "/html-noalt", http.StatusPermanentRedirect)
	o.Redirect("/perm301-to-empty", "/empty", http.StatusMovedPermanently)
	o.Redirect("/perm301-to-garbage", "/garbage", http.StatusMovedPermanently)
	o.Feed("/feed.rss", "application/rss+xml", fixture(t, "news.rss"))
	o.Feed("/same.rss", "application/rss+xml", fixture(t, "news.rss"))
	paths := []string{"/perm301-to-html", "/perm308-to-html", "/perm301-to-empty", "/perm301-to-garbage"}
	var urls []string
	for _, path := range paths {
		urls = append(urls, o.URL(path))
	}
	cfg := config(t, "  timeout: 10s", append(urls, o.URL("/feed.rss"))...)
	db := mustOpen(t)
	p := newPoller(t, cfg, db, nil)

	for pass := 1; pass <= 2; pass++ {
		p.PollAll(t.Context(), nil)
		for _, path := range paths {
			st := state(t, db, o.URL(path))
			if st.URL != o.URL(path) || st.LastResult != "error" {
				t.Errorf("poll %d of %s: URL %q, result %q (%s); want the URL kept and an error", pass, path, st.URL, st.LastResult, st.LastError)
			}
			if n := o.Count(path); n != pass {
				t.Errorf("after poll %d, %s was asked %d times; want %d", pass, path, n, pass)
			}
		}
	}

	// The feed moves, with its validators, to a URL that answers 304.
	o.Redirect("/feed.rss", "/same.rss", http.StatusMovedPermanently)
	if oc := p.PollAll(t.Context(), nil)[len(paths)]; oc.Result != "not_modified" {
		t.Fatalf("poll of a feed moved to its copy: %q (%v); want not_modified", oc.Result, oc.Err)
	}
	if got := state(t, db, o.URL("/feed.rss")).URL; got != o.URL("/same.rss") {
		t.Errorf("after a 301 to a URL that answered 304 the source URL is %q; want %q", got, o.URL("/same.rss"))
	}
}

// TestNoRedirects polls a moved source under poll.max_redirects: 0: the
// redirect is not followed, and the source fails saying so.
func TestNoRedirects(t *testing.T) {
	o := feedtest.NewOrigin(t)
	o.Feed("/new.rss", "application/rss+xml", fixture(t, "news.rss"))
	o.Redirect("/moved.rss", "/new.rss", http.StatusMovedPermanently)
	cfg := config(t, "  max_redirects: 0", o.URL("/moved.rss"))
	db := mustOpen(t)
	newPoller(t, cfg, db, nil).PollAll(t.Context(), nil)
	if st := state(t, db, o.URL("/moved.rss")); st.LastResult != "error" || !strings.Contains(st.LastError, "redirects are turned off (poll.max_redirects: 0)") {
		t.Errorf("source moved, max_redirects 0: %s %q; want an error saying redirects are turned off", st.LastResult, st.LastError)
	}
	if n := o.Count("/new.rss"); n != 0 {
		t.Errorf("the redirect was followed %d times; want none", n)
	}
}

// TestRunSchedule runs the scheduler for real until every source is polled
// and the rate-limited one asked again: the origin's request log shows no
// request before Retry-After expired and per-host concurrency never
// exceeded.
func TestRunSchedule(t *testing.T) {
	o := feedtest.NewOrigin(t)
	o.Status("/limited.rss", http.StatusTooManyRequests, "2")
	var urls []string
	for i := range 6 {
		path := fmt.Sprintf("/slow%d.rss", i)
		body := fixture(t, "news.rss")
		o.Handle(path, func(w http.ResponseWriter, r *http.Request) {
			time.Sleep(150 * time.Millisecond) // long enough to overlap
			w.Header().Set("Content-Type", "application/rss+xml")
			w.Write(body)
		})
		urls = append(urls, o.URL(path))
	}
	urls = append(urls, o.URL("/limited.rss"))
	cfg := config(t, "  interval: 1s\n  min_interval: 1s\n  concurrency: 8\n  per_host: 2", urls...)
	db := mustOpen(t)
	tags, err := topic.Compile(cfg.Topics, cfg.Sources)
	if err != nil {
		t.Fatal(err)
	}
	p, err := poller.New(cfg, tags, db, poller.Options{Tick: 20 * time.Millisecond, FirstDelay: time.Millisecond, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	done := make(chan error)
	go func() { done <- p.Run(ctx) }()
	// Run until every slow source is stored and the rate-limited one was
	// asked again after its wait, however slow the machine.
	stored := func() bool {
		for _, u := range urls[:6] {
			if st, err := db.Source(t.Context(), aggregator.SourceID(u)); err != nil || st.Items != 2 {
				return false
			}
		}
		return true
	}
	healthy := false
	for deadline := time.Now().Add(time.Minute); !stored() || len(o.RequestsTo("/limited.rss")) < 2; {
		if time.Now().After(deadline) {
			t.Fatalf("after a minute, the slow sources stored = %v and the rate-limited source was asked %d times; want all stored and 2 asks",
				stored(), len(o.RequestsTo("/limited.rss")))
		}
		if !healthy && len(o.RequestsTo("/limited.rss")) > 0 { // the scheduler runs
			if err := p.Healthy(); err != nil {
				t.Errorf("Healthy() while running = %v", err)
			}
			healthy = true
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run = %v", err)
	}
	if err := p.Healthy(); err == nil {
		t.Errorf("Healthy() after Run returned = nil; want an error")
	}
	if got := o.MaxInFlight(); got > 2 {
		t.Errorf("peak concurrent requests to one host = %d; want at most per_host = 2", got)
	}
	for _, u := range urls[:6] {
		if st := state(t, db, u); st.Items != 2 {
			t.Errorf("%s: %d items stored; want 2", u, st.Items)
		}
	}
	reqs := o.RequestsTo("/limited.rss")
	for i := 1; i < len(reqs); i++ {
		if gap := reqs[i].Time.Sub(reqs[i-1].Time); gap < 2*time.Second {
			t.Errorf("request %d to the rate-limited source came %v after the previous one; Retry-After said 2s", i, gap)
		}
	}
}

func TestStoreErrorsAreReported(t *testing.T) {
	o := feedtest.NewOrigin(t)
	o.Feed("/feed.rss", "application/rss+xml", fixture(t, "news.rss"))
	cfg := config(t, "", o.URL("/feed.rss"))
	db := mustOpen(t)
	p := newPoller(t, cfg, db, nil)
	db.Close()
	out := p.PollAll(t.Context(), nil)
	if out[0].Err == nil || out[0].Result != "error" {
		t.Errorf("poll with a closed store: %q, %v; want an error", out[0].Result, out[0].Err)
	}
}

// TestRetentionSkipsOldItems checks that items older than the retention
// are not stored (pruning would remove them within the hour, and the next
// poll store them again), while newer ones are.
func TestRetentionSkipsOldItems(t *testing.T) {
	o := feedtest.NewOrigin(t)
	o.Feed("/feed.rss", "application/rss+xml", fixture(t, "news.rss")) // items of 2026-11-03 09:00 and 10:00
	for _, tt := range []struct {
		retention string
		want      int64
	}{{"0", 2}, {"720h", 2}, {"26h30m", 1}, {"24h", 0}} {
		cfg, err := aggregator.Load(strings.NewReader(fmt.Sprintf(
			"storage:\n  retention: %s\npoll:\n  allow_private: true\nsources:\n  - url: %q\n", tt.retention, o.URL("/feed.rss"))), "test.yaml")
		if err != nil {
			t.Fatal(err)
		}
		db := mustOpen(t)
		clk := feedtest.NewClock(time.Date(2026, 11, 4, 12, 0, 0, 0, time.UTC))
		p := newPoller(t, cfg, db, clk.Now)
		out := p.PollAll(t.Context(), nil)
		if got := state(t, db, o.URL("/feed.rss")).Items; got != tt.want {
			t.Errorf("retention %s: %d items stored; want %d", tt.retention, got, tt.want)
		}
		// The operator is told how many the feed carried that were too old.
		if got, want := out[0].Expired, 2-int(tt.want); got != want {
			t.Errorf("retention %s: outcome says %d expired; want %d", tt.retention, got, want)
		}
	}
}

// TestRetentionKeepsStoryOfCarriedItem prunes a story whose first report is
// older than the retention and whose later one, from another source, is not:
// the story stays, so that when the later report's feed next changes, the
// report is known, not stored again as a story of its own under a new id.
func TestRetentionKeepsStoryOfCarriedItem(t *testing.T) {
	o := feedtest.NewOrigin(t)
	first := time.Date(2026, 11, 3, 9, 0, 0, 0, time.UTC)
	feed := func(title string, items ...string) []byte {
		return []byte(`<?xml version="1.0"?><rss version="2.0"><channel><title>` + title +
			`</title><link>https://news.example/</link><description>d</description>` + strings.Join(items, "") + `</channel></rss>`)
	}
	item := func(guid, title string, published time.Time) string {
		return fmt.Sprintf(`<item><guid isPermaLink="false">%s</guid><link>https://news.example/%s</link><title>%s</title><description>%s, as told by the newsroom.</description><pubDate>%s</pubDate></item>`,
			guid, guid, title, title, published.Format(time.RFC1123Z))
	}
	fire := item("harbour-fire", "Fire at the harbour warehouse", first)
	o.Feed("/wire.rss", "application/rss+xml", feed("Wire", fire))
	o.Feed("/paper.rss", "application/rss+xml", feed("Paper", item("harbour-fire", "Harbour warehouse fire: what we know", first.Add(48*time.Hour))))
	db := mustOpen(t)
	clk := feedtest.NewClock(first.Add(49 * time.Hour))
	p := newPoller(t, retainingConfig(t, o, "/wire.rss", "/paper.rss"), db, clk.Now)
	p.PollAll(t.Context(), nil)
	wire := aggregator.ItemID(aggregator.SourceID(o.URL("/wire.rss")), "harbour-fire")
	report := aggregator.ItemID(aggregator.SourceID(o.URL("/paper.rss")), "harbour-fire")
	storyOf := func(id string) string {
		t.Helper()
		var it aggregator.Item
		err := db.View(t.Context(), func(tx aggregator.Tx) (err error) {
			it, err = tx.Item(id)
			return err
		})
		if err != nil {
			t.Fatalf("Item(%s): %v", id, err)
		}
		return it.StoryID
	}
	story := storyOf(wire)
	if got := storyOf(report); got != story {
		t.Fatalf("the paper's report is in story %s; want the wire's, %s (the same link)", got, story)
	}

	// 720h after the paper's report, 744h after the wire's.
	clk.Add(695 * time.Hour)
	p.Prune(t.Context())
	o.Feed("/paper.rss", "application/rss+xml", feed("Paper",
		item("tram", "Council approves the tram line", clk.Now().Add(-time.Hour)),
		item("harbour-fire", "Harbour warehouse fire: what we know", first.Add(48*time.Hour))))
	out := p.PollAll(t.Context(), nil)
	if got := storyOf(report); got != story {
		t.Errorf("after the prune the paper's report is in story %s; want it kept in %s", got, story)
	}
	if got := out[1].New; got != 1 {
		t.Errorf("the paper's changed feed brought %d new items; want 1, the tram line", got)
	}
}

// TestFetchesRunWhileTheStoreCommits holds the store's write transaction
// and polls three sources with one fetch slot: each source frees the slot
// once its feed is read, so the next fetch is made while the store is
// busy.
func TestFetchesRunWhileTheStoreCommits(t *testing.T) {
	o := feedtest.NewOrigin(t)
	body := fixture(t, "news.rss")
	var urls []string
	for _, p := range []string{"/a.rss", "/b.rss", "/c.rss"} {
		o.Feed(p, "application/rss+xml", body)
		urls = append(urls, o.URL(p))
	}
	cfg := config(t, "  concurrency: 1", urls...)
	db := mustOpen(t)
	p := newPoller(t, cfg, db, nil)

	hold, held := make(chan struct{}), make(chan struct{})
	release := sync.OnceFunc(func() { close(hold) })
	t.Cleanup(release) // before the store closes, should the test fail
	go db.Batch(t.Context(), func(aggregator.Tx) error {
		close(held)
		<-hold
		return nil
	})
	<-held
	done := make(chan []poller.Outcome)
	go func() { done <- p.PollAll(t.Context(), nil) }()

	// Two sources per fetch slot may wait for the store: the first two
	// are fetched while it is held, one after the other.
	deadline := time.Now().Add(10 * time.Second)
	for len(o.RequestsTo("/a.rss"))+len(o.RequestsTo("/b.rss")) < 2 {
		if time.Now().After(deadline) {
			t.Fatal("with the store busy, the second source was not fetched: the first kept the fetch slot")
		}
		time.Sleep(5 * time.Millisecond)
	}
	release()
	for _, oc := range <-done {
		if oc.Result != "ok" || oc.New != 2 {
			t.Errorf("%s: %q with %d new (err %v); want ok with 2", oc.URL, oc.Result, oc.New, oc.Err)
		}
	}
	for _, u := range urls {
		if st := state(t, db, u); st.Items != 2 {
			t.Errorf("%s: %d items stored; want 2", u, st.Items)
		}
	}
}

// heldStore is a store whose write transactions wait until release is
// closed, telling entered when the first one arrives.
type heldStore struct {
	*store.DB
	entered chan struct{}
	once    sync.Once
	release chan struct{}
}

func (h *heldStore) Batch(ctx context.Context, fn func(aggregator.Tx) error) error {
	h.once.Do(func() { close(h.entered) })
	<-h.release
	return h.DB.Batch(ctx, fn)
}

// TestBodyFreedBeforeTheStore checks that a source waiting for the store
// holds its items, not the body they were read from: twice poll.concurrency
// sources may wait at once, and a body may be poll.max_bytes.
func TestBodyFreedBeforeTheStore(t *testing.T) {
	const padding = 32 << 20
	o := feedtest.NewOrigin(t)
	body := fixture(t, "news.rss")
	end := bytes.LastIndex(body, []byte("</channel>"))
	o.Handle("/padded.rss", func(w http.ResponseWriter, r *http.Request) {
		// Written as it goes, so that the origin holds no copy.
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write(body[:end])
		w.Write([]byte("<!--"))
		line := bytes.Repeat([]byte("padding "), 1024)
		for n := 0; n < padding; n += len(line) {
			w.Write(line)
		}
		w.Write([]byte("-->"))
		w.Write(body[end:])
	})
	cfg := config(t, "  max_bytes: 67108864\n  timeout: 20s", o.URL("/padded.rss"))
	held := &heldStore{DB: mustOpen(t), entered: make(chan struct{}), release: make(chan struct{})}
	release := sync.OnceFunc(func() { close(held.release) })
	t.Cleanup(release) // before the store closes, should the test fail
	p := newPoller(t, cfg, held, nil)
	done := make(chan []poller.Outcome)
	go func() { done <- p.PollAll(t.Context(), nil) }()

	<-held.entered
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	release()
	if oc := (<-done)[0]; oc.Result != "ok" || oc.New != 2 {
		t.Fatalf("padded source: %q with %d new (err %v); want ok with 2", oc.Result, oc.New, oc.Err)
	}
	if ms.HeapAlloc > padding/2 {
		t.Errorf("while its items waited for the store, the heap held %d MiB; want the %d MiB body let go", ms.HeapAlloc>>20, padding>>20)
	}
}

// A configuration reload changes the bound on fetches in flight; it does
// not start a second bound beside the first while fetches begun before it
// are still running.
func TestReloadKeepsTheFetchBound(t *testing.T) {
	o := feedtest.NewOrigin(t)
	body := fixture(t, "news.rss")
	var before, after []string
	for i := range 6 {
		path := fmt.Sprintf("/slow%d.rss", i)
		// The answer ends before the client's fetch does, so the origin
		// never counts a fetch that the poller has finished.
		o.Handle(path, func(w http.ResponseWriter, r *http.Request) {
			time.Sleep(200 * time.Millisecond)
			w.Header().Set("Content-Type", "application/rss+xml")
			w.Write(body)
		})
		if i < 3 {
			before = append(before, o.URL(path))
		} else {
			after = append(after, o.URL(path))
		}
	}
	const extra = "  concurrency: 2\n  per_host: 8"
	db := mustOpen(t)
	p := newPoller(t, config(t, extra, before...), db, nil)
	var wg sync.WaitGroup
	wg.Go(func() { p.PollAll(t.Context(), nil) })
	deadline := time.Now().Add(5 * time.Second)
	for len(o.Requests()) < 2 {
		if time.Now().After(deadline) {
			t.Fatal("the first two fetches did not start")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := p.Reload(config(t, extra, after...), nil); err != nil {
		t.Fatal(err)
	}
	wg.Go(func() { p.PollAll(t.Context(), nil) })
	wg.Wait()
	if n := len(o.Requests()); n != 6 {
		t.Fatalf("%d requests; want one to each of the 6 sources", n)
	}
	if n := o.MaxInFlight(); n > 2 {
		t.Errorf("%d fetches in flight at once across the reload; poll.concurrency is 2", n)
	}
}

// TestRetagIfChanged checks that stored stories are re-decided when, and
// only when, the settings that decide their topics changed since the store
// last recorded them: as after an edit of the config while the daemon was
// stopped.
func TestRetagIfChanged(t *testing.T) {
	o := feedtest.NewOrigin(t)
	o.Feed("/feed.rss", "application/rss+xml", fixture(t, "news.rss"))
	db := mustOpen(t)
	clk := feedtest.NewClock(time.Date(2026, 11, 4, 12, 0, 0, 0, time.UTC))
	plain := config(t, "", o.URL("/feed.rss"))
	p := newPoller(t, plain, db, clk.Now)
	p.PollAll(t.Context(), nil)

	retag := func(cfg *aggregator.Config) int {
		t.Helper()
		n, err := newPoller(t, cfg, db, clk.Now).RetagIfChanged(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := retag(plain); n != 2 {
		t.Errorf("first check: %d stories retagged; want both (the store recorded no rules)", n)
	}
	if n := retag(plain); n != 0 {
		t.Errorf("same config again: %d stories retagged; want none", n)
	}
	withTopic := config(t, "", o.URL("/feed.rss"))
	withTopic.Topics = append(withTopic.Topics, aggregator.TopicConfig{
		ID: "roads", Title: "Roads", Match: aggregator.MatchConfig{Any: []string{"bridge"}},
	})
	if n := retag(withTopic); n != 2 {
		t.Errorf("a new topic: %d stories retagged; want 2", n)
	}
	var inTopic int
	err := db.TopicStories(t.Context(), "roads", time.Time{}, func(aggregator.Story, []aggregator.Item) bool {
		inTopic++
		return true
	})
	if err != nil || inTopic != 1 {
		t.Errorf("topic roads after the check: %d stories, %v; want the bridge story", inTopic, err)
	}
	slower := config(t, "  interval: 2h", o.URL("/feed.rss"))
	slower.Topics = slices.Clone(withTopic.Topics)
	last := &slower.Topics[len(slower.Topics)-1]
	last.Title, last.Limit = "Roads and bridges", 20
	if n := retag(slower); n != 0 {
		t.Errorf("only the poll interval and a topic's title and length changed: %d stories retagged; want none", n)
	}
}

// TestRetagAfterNewMatching checks that stories stored by a version whose
// phrase matching differed are decided again, though the config is the
// same: an upgrade's matching reaches them.
func TestRetagAfterNewMatching(t *testing.T) {
	o := feedtest.NewOrigin(t)
	o.Feed("/feed.rss", "application/rss+xml", fixture(t, "news.rss"))
	db := mustOpen(t)
	clk := feedtest.NewClock(time.Date(2026, 11, 4, 12, 0, 0, 0, time.UTC))
	cfg := config(t, "", o.URL("/feed.rss"))
	cfg.Topics = append(cfg.Topics, aggregator.TopicConfig{
		ID: "roads", Title: "Roads", Match: aggregator.MatchConfig{Any: []string{"bridge"}},
	})
	newPoller(t, cfg, db, clk.Now).PollAll(t.Context(), nil)
	// The digest the store recorded before matching had versions: the
	// same rules, without one.
	type topic struct {
		ID      string
		Sources []string
		Match   aggregator.MatchConfig
	}
	var old struct {
		Topics  []topic
		Sources []aggregator.SourceLook
	}
	for _, tc := range cfg.Topics {
		old.Topics = append(old.Topics, topic{tc.ID, tc.Sources, tc.Match})
	}
	old.Sources = cfg.SourceLooks()
	digest, err := aggregator.SettingsDigest("story rules", old)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(t.Context(), func(tx aggregator.Tx) error { return tx.PutBlob("story-rules", digest) }); err != nil {
		t.Fatal(err)
	}
	n, err := newPoller(t, cfg, db, clk.Now).RetagIfChanged(t.Context())
	if err != nil || n != 2 {
		t.Errorf("RetagIfChanged after an upgrade of matching = %d, %v; want both stories", n, err)
	}
}

// TestRetagDuringRetag reloads the configuration back to the rules the
// store recorded while the retagging a start began under other rules is in
// progress, as when a config edited while the daemon was stopped is undone
// at once: the stories end decided under the rules in force, and the store
// records those.
func TestRetagDuringRetag(t *testing.T) {
	o := feedtest.NewOrigin(t)
	o.Feed("/feed.rss", "application/rss+xml", fixture(t, "news.rss"))
	db := newGatedStore(t)
	clk := feedtest.NewClock(time.Date(2026, 11, 4, 12, 0, 0, 0, time.UTC))
	withTopic := func(phrase string) *aggregator.Config {
		cfg := config(t, "", o.URL("/feed.rss"))
		cfg.Topics = append(cfg.Topics, aggregator.TopicConfig{
			ID: "roads", Title: "Roads", Match: aggregator.MatchConfig{Any: []string{phrase}},
		})
		return cfg
	}
	recorded := withTopic("bridge")
	first := newPoller(t, recorded, db, clk.Now)
	first.PollAll(t.Context(), nil)
	if _, err := first.RetagIfChanged(t.Context()); err != nil {
		t.Fatal(err)
	}

	edited := withTopic("tunnel")
	p := newPoller(t, edited, db, clk.Now)
	db.armed.Store(true)
	done := make(chan error, 1)
	go func() {
		_, err := p.RetagIfChanged(t.Context())
		done <- err
	}()
	<-db.held // the start's retagging, under "tunnel", is writing
	tags, err := topic.Compile(recorded.Topics, recorded.Sources)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Reload(recorded, tags); err != nil {
		t.Fatal(err)
	}
	if _, err := p.RetagIfChanged(t.Context()); err != nil {
		t.Fatal(err)
	}
	close(db.open)
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	var ids []string
	err = db.TopicStories(t.Context(), "roads", time.Time{}, func(s aggregator.Story, _ []aggregator.Item) bool {
		ids = append(ids, s.ID)
		return true
	})
	if err != nil || len(ids) != 1 {
		t.Errorf("topic roads after the reload = %q, %v; want the bridge story, as match.any \"bridge\" decides", ids, err)
	}
	if n, err := newPoller(t, recorded, db, clk.Now).RetagIfChanged(t.Context()); n != 0 || err != nil {
		t.Errorf("RetagIfChanged under the config in force = %d, %v; want none: the store records its rules", n, err)
	}
}

// TestRetitledSourceMetrics checks that a source named by its feed's title
// keeps one last-success series when the feed retitles itself.
func TestRetitledSourceMetrics(t *testing.T) {
	o := feedtest.NewOrigin(t)
	var n atomic.Int64
	o.Handle("/retitled.rss", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprintf(w, `<rss version="2.0"><channel><title>Desk %d</title><link>http://desk.example/</link>
<item><title>Story %d</title><link>http://desk.example/%d</link></item></channel></rss>`, n.Load(), n.Load(), n.Load())
	})
	cfg := config(t, "", o.URL("/retitled.rss"))
	db := mustOpen(t)
	reg := prometheus.NewRegistry()
	p := newPollerWith(t, cfg, db, poller.Options{Registerer: reg})
	for i := range 3 {
		n.Store(int64(i))
		p.PollAll(t.Context(), nil)
	}
	if names := lastSuccessSeries(t, reg); len(names) != 1 || names[0] != "Desk 2" {
		t.Errorf("last-success series after three titles: %q; want only the current title", names)
	}
}

// lastSuccessSeries returns the source names of reg's last-success series,
// sorted.
func lastSuccessSeries(t *testing.T, reg *prometheus.Registry) []string {
	t.Helper()
	var names []string
	for name := range lastSuccessValues(t, reg) {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// lastSuccessValues returns reg's last-success series: each source name's
// time, in Unix seconds.
func lastSuccessValues(t *testing.T, reg *prometheus.Registry) map[string]float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	values := map[string]float64{}
	for _, mf := range mfs {
		if mf.GetName() != "tributary_source_last_success_timestamp_seconds" {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				values[l.GetValue()] = m.GetGauge().GetValue()
			}
		}
	}
	return values
}

// TestLastSuccessSeriesAtStart starts a poller on a store whose sources
// were fetched before: the last-success series of the source that
// succeeded is there from the start, at its stored time, though its next
// fetch is a day away; the source that never succeeded has none.
func TestLastSuccessSeriesAtStart(t *testing.T) {
	o := feedtest.NewOrigin(t)
	o.Feed("/ok.rss", "application/rss+xml", smallFeed(0))
	o.Status("/down.rss", http.StatusServiceUnavailable, "")
	cfg := configOf(t, "24h", sourceSpec{o.URL("/ok.rss"), ""}, sourceSpec{o.URL("/down.rss"), ""})
	db := mustOpen(t)
	newPollerWith(t, cfg, db, poller.Options{}).PollAll(t.Context(), nil)
	ok := state(t, db, o.URL("/ok.rss"))
	if ok.LastSuccess.IsZero() || ok.Name == "" {
		t.Fatalf("the first poll stored %+v; want a success and a name", ok)
	}
	fetches := o.Count("/ok.rss")

	reg := prometheus.NewRegistry()
	stop := run(t, newPollerWith(t, cfg, db, poller.Options{Registerer: reg, Tick: time.Millisecond}))
	var got map[string]float64
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if got = lastSuccessValues(t, reg); len(got) > 0 {
			break
		}
	}
	stop()
	if len(got) != 1 || got[ok.Name] != float64(ok.LastSuccess.Unix()) {
		t.Errorf("last-success series at start: %v; want only %q at %d", got, ok.Name, ok.LastSuccess.Unix())
	}
	if n := o.Count("/ok.rss"); n != fetches {
		t.Errorf("the source was fetched again (%d times, %d before); want its series from the store", n, fetches)
	}
}

// TestReloadDropsSourceMetrics reloads configurations that remove sources
// and rename them, as an operator does over months: the last-success series
// are those of the sources configured now, under their current names, and
// do not pile up with every source ever configured.
func TestReloadDropsSourceMetrics(t *testing.T) {
	o := feedtest.NewOrigin(t)
	for i := range 40 {
		o.Feed(fmt.Sprintf("/s%d.rss", i), "application/rss+xml", smallFeed(i))
	}
	configure := func(names ...string) *aggregator.Config {
		var b strings.Builder
		b.WriteString("poll:\n  allow_private: true\n  timeout: 2s\nstorage:\n  retention: 0\nsources:\n")
		for _, n := range names {
			path, name, _ := strings.Cut(n, "=")
			fmt.Fprintf(&b, "  - url: %q\n", o.URL(path))
			if name != "" {
				fmt.Fprintf(&b, "    name: %q\n", name)
			}
		}
		cfg, err := aggregator.Load(strings.NewReader(b.String()), "test.yaml")
		if err != nil {
			t.Fatal(err)
		}
		return cfg
	}
	cfg := configure("/s0.rss=Harbour", "/s1.rss=Coast", "/s2.rss")
	db := mustOpen(t)
	reg := prometheus.NewRegistry()
	p := newPollerWith(t, cfg, db, poller.Options{Registerer: reg})
	reloadAndPoll := func(cfg *aggregator.Config) {
		t.Helper()
		reload(t, p, cfg)
		p.PollAll(t.Context(), nil)
	}
	p.PollAll(t.Context(), nil)
	if got, want := lastSuccessSeries(t, reg), []string{"Coast", "Harbour", "Outlet 2"}; !slices.Equal(got, want) {
		t.Fatalf("last-success series: %q; want %q", got, want)
	}
	// Harbour goes, Coast is renamed, the third source takes a name.
	reloadAndPoll(configure("/s1.rss=Coast and Islands", "/s2.rss=Ferries"))
	if got, want := lastSuccessSeries(t, reg), []string{"Coast and Islands", "Ferries"}; !slices.Equal(got, want) {
		t.Errorf("after a reload: %q; want %q", got, want)
	}
	// Month after month, sources come and go: two at a time are configured.
	for i := 3; i < 40; i++ {
		reloadAndPoll(configure(fmt.Sprintf("/s%d.rss", i-1), fmt.Sprintf("/s%d.rss", i)))
	}
	if got, want := lastSuccessSeries(t, reg), []string{"Outlet 38", "Outlet 39"}; !slices.Equal(got, want) {
		t.Errorf("after 37 more reloads: %d series %q; want %q", len(got), got, want)
	}
	// Two feeds with one title share its series: one leaving keeps it.
	for _, path := range []string{"/w0.rss", "/w1.rss"} {
		o.Feed(path, "application/rss+xml", []byte(`<rss version="2.0"><channel><title>Wire</title><link>http://wire.example/</link>
<item><title>Wire report</title><link>http://wire.example`+path+`</link></item></channel></rss>`))
	}
	reloadAndPoll(configure("/w0.rss", "/w1.rss"))
	reloadAndPoll(configure("/w1.rss"))
	if got, want := lastSuccessSeries(t, reg), []string{"Wire"}; !slices.Equal(got, want) {
		t.Errorf("one of two sources named Wire removed: %q; want %q", got, want)
	}
}

// TestNewGUIDEveryFetch polls a feed that gives its one item a new GUID
// and date at every fetch, as some do: the item is stored once.
func TestNewGUIDEveryFetch(t *testing.T) {
	o := feedtest.NewOrigin(t)
	var n atomic.Int64
	o.Handle("/churn.rss", func(w http.ResponseWriter, r *http.Request) {
		i := n.Add(1)
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprintf(w, `<rss version="2.0"><channel><title>Churn</title><link>http://churn.example/</link>
<item><title>Harbour reopens after storm</title><link>http://churn.example/news/harbour</link>
<guid isPermaLink="false">%d-%d</guid><pubDate>Mon, 02 Nov 2026 0%d:00:00 GMT</pubDate>
<description>The harbour reopened on Monday after the storm.</description></item></channel></rss>`, time.Now().UnixNano(), i, i)
	})
	cfg := config(t, "", o.URL("/churn.rss"))
	db := mustOpen(t)
	clk := feedtest.NewClock(time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC))
	p := newPoller(t, cfg, db, clk.Now)
	for range 3 {
		p.PollAll(t.Context(), nil)
		clk.Add(time.Hour)
	}
	st := state(t, db, o.URL("/churn.rss"))
	stats, err := db.Stats(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if o.Count("/churn.rss") != 3 || st.Items != 1 || stats.Items != 1 || stats.Stories != 1 {
		t.Errorf("after %d fetches: source counts %d items, store holds %d items in %d stories; want 1 of each",
			o.Count("/churn.rss"), st.Items, stats.Items, stats.Stories)
	}
}

// TestSameTextNewLinkEveryFetch polls a feed that gives its one item a new
// link at every fetch, without a GUID or a date, over the same headline and
// text: its story takes ingest.MaxSameText of them, the fetches after that
// leave the item out and say so, and the store holds no more.
func TestSameTextNewLinkEveryFetch(t *testing.T) {
	o := feedtest.NewOrigin(t)
	var n atomic.Int64
	o.Handle("/drift.rss", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprintf(w, `<rss version="2.0"><channel><title>Drift</title><link>http://d.example/</link>
<item><title>Regional council approves the new harbour bridge after a long debate</title><link>http://d.example/p/%d-0</link>
<description>The council voted on Tuesday evening to fund the harbour bridge, ending three years of argument over its cost and route.</description></item></channel></rss>`, n.Add(1))
	})
	cfg := config(t, "", o.URL("/drift.rss"))
	db := mustOpen(t)
	clk := feedtest.NewClock(time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC))
	p := newPoller(t, cfg, db, clk.Now)
	fetches := ingest.MaxSameText + 3
	leftOut := 0
	for range fetches {
		for _, out := range p.PollAll(t.Context(), nil) {
			leftOut += out.SameText
		}
		clk.Add(time.Hour)
	}
	stats, err := db.Stats(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if o.Count("/drift.rss") != fetches || stats.Items != ingest.MaxSameText || stats.Stories != 1 || leftOut != 3 {
		t.Errorf("after %d fetches: store holds %d items in %d stories, %d left out; want %d items in 1 story, 3 left out",
			o.Count("/drift.rss"), stats.Items, stats.Stories, leftOut, ingest.MaxSameText)
	}
}

// TestDiscoveryFollowedOnce checks the HTML pages whose feed link leads
// nowhere: a page naming itself is not fetched again, and a page naming
// another page is followed once, with both pages named in the error.
func TestDiscoveryFollowedOnce(t *testing.T) {
	o := feedtest.NewOrigin(t)
	o.HTML("/self.html", "/self.html")
	o.HTML("/a.html", "/b.html")
	o.HTML("/b.html", "/c.html")
	o.HTML("/c.html", "/a.html")
	cfg := config(t, "", o.URL("/self.html"), o.URL("/a.html"))
	db := mustOpen(t)
	p := newPoller(t, cfg, db, nil)
	p.PollAll(t.Context(), nil)

	self := state(t, db, o.URL("/self.html"))
	if want := "it links to the feed " + o.URL("/self.html") + ", which is the page itself"; !strings.HasSuffix(self.LastError, want) {
		t.Errorf("page naming itself: LastError = %q; want it to end %q", self.LastError, want)
	}
	a := state(t, db, o.URL("/a.html"))
	if want := "feed " + o.URL("/b.html") + " linked from the HTML page at " + o.URL("/a.html") + ": parsing " + o.URL("/b.html") + ": html page"; !strings.HasPrefix(a.LastError, want) {
		t.Errorf("page naming a page: LastError = %q; want it to start %q", a.LastError, want)
	}
	for _, st := range []aggregator.SourceState{self, a} {
		if st.Failures != 1 || st.URL != st.ConfigURL {
			t.Errorf("%s: failures %d, URL %q; want one failure and the URL kept", st.ConfigURL, st.Failures, st.URL)
		}
	}
	if n, c := o.Count("/self.html"), o.Count("/c.html"); n != 1 || c != 0 {
		t.Errorf("origin served /self.html %d times and /c.html %d times; want once and never", n, c)
	}
}

// TestRetitledSourceRepublished checks that a source named by its feed's
// title, when the feed retitles itself with the same items, is named anew
// in the published feeds: nothing else changed, yet their bytes must.
func TestRetitledSourceRepublished(t *testing.T) {
	o := feedtest.NewOrigin(t)
	var title atomic.Value
	title.Store("Harbour Desk")
	o.Handle("/desk.rss", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprintf(w, `<rss version="2.0"><channel><title>%s</title><link>http://desk.example/</link>
<item><title>Ferry timetable changes from Monday</title><link>http://desk.example/1</link><guid>d1</guid></item></channel></rss>`, title.Load())
	})
	p, pub, db := pollerWithPublisher(t, config(t, "", o.URL("/desk.rss")), nil)
	get := func() string { return allAtom(t, pub) }
	p.PollAll(t.Context(), nil)
	if body := get(); !strings.Contains(body, "Harbour Desk") {
		t.Fatalf("first feed does not name the source Harbour Desk:\n%s", body)
	}
	title.Store("Harbour and Coast Desk")
	p.PollAll(t.Context(), nil)
	if st := state(t, db, o.URL("/desk.rss")); st.Name != "Harbour and Coast Desk" {
		t.Fatalf("source name %q after the retitle; want Harbour and Coast Desk", st.Name)
	}
	if body := get(); !strings.Contains(body, "Harbour and Coast Desk") {
		t.Errorf("feed after the retitle still names the old title:\n%s", body)
	}
}

// TestReloadClosesOldConnections reloads new fetch settings again and
// again: the connections the Fetcher they replace kept open for reuse are
// closed, rather than staying open on both sides until they time out.
func TestReloadClosesOldConnections(t *testing.T) {
	var open atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var n int
		fmt.Sscanf(r.URL.Path, "/s%d.rss", &n)
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write(smallFeed(n))
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		switch s {
		case http.StateNew:
			open.Add(1)
		case http.StateClosed, http.StateHijacked:
			open.Add(-1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	var urls []string
	for i := range 6 {
		urls = append(urls, fmt.Sprintf("%s/s%d.rss", srv.URL, i))
	}
	db := mustOpen(t)
	p := newPoller(t, config(t, "", urls...), db, nil)
	const reloads = 10
	for i := range reloads {
		p.PollAll(t.Context(), nil)
		cfg := config(t, fmt.Sprintf("  timeout: %dms", 1000+i), urls...)
		tags, err := topic.Compile(cfg.Topics, cfg.Sources)
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Reload(cfg, tags); err != nil {
			t.Fatal(err)
		}
	}
	p.PollAll(t.Context(), nil)
	// The Fetcher in use keeps at most poll.per_host idle connections.
	if !waitUntil(5*time.Second, func() bool { return open.Load() <= 2 }) {
		t.Errorf("%d connections open to the origin after %d reloads that changed the fetch settings; want at most 2",
			open.Load(), reloads)
	}
}

// lockedBuffer is a bytes.Buffer that goroutines may write to at once.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestRecordedErrorsHideQueryCredentials polls sources whose URLs carry a
// credential in their query (?token=, ?apikey=, ?key=) and fail in ways
// whose errors quote the URL: the recorded error, the outcome and the log
// give the credential as xxxxx, while the fetches send it.
func TestRecordedErrorsHideQueryCredentials(t *testing.T) {
	o := feedtest.NewOrigin(t)
	var sent sync.Map // query strings the origin received
	o.Handle("/broken.rss", func(w http.ResponseWriter, r *http.Request) {
		sent.Store(r.URL.RawQuery, true)
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write([]byte("{{{ this is neither XML nor JSON <<<"))
	})
	o.Status("/missing.rss", http.StatusNotFound, "")
	o.HTML("/page.html", "/missing.rss")
	urls := map[string]string{
		"parse error":       o.URL("/broken.rss") + "?apikey=S3CR3T&format=rss",
		"status error":      o.URL("/missing.rss") + "?token=S3CR3T",
		"page's feed fails": o.URL("/page.html") + "?key=S3CR3T",
	}
	cfg := config(t, "", slices.Sorted(maps.Values(urls))...)
	db := mustOpen(t)
	var logs lockedBuffer
	tags, err := topic.Compile(cfg.Topics, cfg.Sources)
	if err != nil {
		t.Fatal(err)
	}
	p, err := poller.New(cfg, tags, db, poller.Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	outcomes := p.PollAll(t.Context(), nil)
	for _, oc := range outcomes {
		if oc.Err == nil || strings.Contains(oc.Err.Error(), "S3CR3T") || !strings.Contains(oc.Err.Error(), "xxxxx") {
			t.Errorf("%s: outcome error %v; want one giving the credential as xxxxx", oc.URL, oc.Err)
		}
	}
	for name, u := range urls {
		st := state(t, db, u)
		if st.LastError == "" || strings.Contains(st.LastError, "S3CR3T") || !strings.Contains(st.LastError, "xxxxx") {
			t.Errorf("%s: LastError = %q; want the error with the credential as xxxxx", name, st.LastError)
		}
	}
	if _, ok := sent.Load("apikey=S3CR3T&format=rss"); !ok {
		t.Error("the fetch did not send the source's own query")
	}
	// The log handler of the daemon redacts the feed_url key itself.
	if l := logs.String(); regexp.MustCompile(`err="[^"]*S3CR3T`).MatchString(l) || strings.Count(l, "fetch failed") != len(urls) {
		t.Errorf("log:\n%s\nwants the failures, their errors without the credential", l)
	}
}

// TestInterruptedPollLogsNoErrors polls sources under a context already
// cancelled, as `tributary poll` is once interrupted: each source is left
// for the next run, and none logs an error for it.
func TestInterruptedPollLogsNoErrors(t *testing.T) {
	o := feedtest.NewOrigin(t)
	var urls []string
	for i := range 20 {
		path := fmt.Sprintf("/f%d.rss", i)
		o.Feed(path, "application/rss+xml", smallFeed(i))
		urls = append(urls, o.URL(path))
	}
	cfg := config(t, "", urls...)
	tags, err := topic.Compile(cfg.Topics, cfg.Sources)
	if err != nil {
		t.Fatal(err)
	}
	var logs lockedBuffer
	p, err := poller.New(cfg, tags, mustOpen(t), poller.Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	for _, oc := range p.PollAll(ctx, nil) {
		if !errors.Is(oc.Err, context.Canceled) {
			t.Errorf("%s: %q, %v; want the cancellation", oc.URL, oc.Result, oc.Err)
		}
	}
	if s := logs.String(); strings.Contains(s, "level=ERROR") {
		t.Errorf("an interrupted poll logged errors:\n%s", s)
	}
}

// TestLogNamesTheSource checks that a source's log lines carry the name the
// config gives it beside its id, a digest the operator cannot read.
func TestLogNamesTheSource(t *testing.T) {
	o := feedtest.NewOrigin(t)
	o.Feed("/named.rss", "application/rss+xml", fixture(t, "news.rss"))
	cfg := config(t, "", o.URL("/named.rss"))
	cfg.Sources[0].Name = "Harbour Wire"
	tags, err := topic.Compile(cfg.Topics, cfg.Sources)
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	p, err := poller.New(cfg, tags, mustOpen(t), poller.Options{Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	p.PollAll(t.Context(), nil)
	want := fmt.Sprintf("source=%s name=\"Harbour Wire\"", aggregator.SourceID(o.URL("/named.rss")))
	if l := logs.String(); !strings.Contains(l, "msg=fetched") || !strings.Contains(l, want) {
		t.Errorf("log:\n%s\nwant the fetched line with %s", l, want)
	}
}

// TestEmptyAnswer polls sources whose server answers 204 No Content, or 200
// with an empty body, and checks that the error says what the server
// answered rather than that an empty document is no feed.
func TestEmptyAnswer(t *testing.T) {
	o := feedtest.NewOrigin(t)
	o.Handle("/nocontent", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})
	o.Handle("/empty", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
	})
	o.Handle("/blank", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write([]byte("\n  \n"))
	})
	cfg := config(t, "  timeout: 10s", o.URL("/nocontent"), o.URL("/empty"), o.URL("/blank"))
	db := mustOpen(t)
	newPoller(t, cfg, db, nil).PollAll(t.Context(), nil)
	for path, want := range map[string]string{
		"/nocontent": o.URL("/nocontent") + ": the server answered 204 No Content, with no feed",
		"/empty":     o.URL("/empty") + ": the server answered 200 OK with an empty body, not a feed",
		"/blank":     o.URL("/blank") + ": the server answered 200 OK with a body of only white space, not a feed",
	} {
		if st := state(t, db, o.URL(path)); st.LastResult != "error" || st.LastError != want {
			t.Errorf("%s: %s %q; want error %q", path, st.LastResult, st.LastError, want)
		}
	}
}

// TestCountersAtStart starts a poller that fetches nothing yet: the fetch
// and item counters list every result and outcome at zero, as a daemon
// restarted on sources not due yet must show them in /metrics.
func TestCountersAtStart(t *testing.T) {
	cfg := configOf(t, "24h", sourceSpec{"http://127.0.0.1:9/feed.rss", ""})
	reg := prometheus.NewRegistry()
	newPollerWith(t, cfg, mustOpen(t), poller.Options{Registerer: reg})
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				got[mf.GetName()] = append(got[mf.GetName()], l.GetValue())
			}
		}
	}
	for name, want := range map[string][]string{
		"tributary_fetches_total":        {"error", "gone", "not_modified", "ok", "rate_limited", "unchanged"},
		"tributary_items_ingested_total": {"expired", "new", "unchanged", "updated"},
	} {
		slices.Sort(got[name])
		if !slices.Equal(got[name], want) {
			t.Errorf("%s series before any fetch: %q; want %q", name, got[name], want)
		}
	}
}
