package poller_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/feedtest"
	"github.com/tributary-feeds/tributary/aggregator/poller"
	"github.com/tributary-feeds/tributary/aggregator/topic"
)

// run starts p.Run until the test ends, and returns a func that stops it
// and waits for it.
func run(t *testing.T, p *poller.Poller) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run = %v", err)
		}
	}
	t.Cleanup(stop)
	return stop
}

// newPollerWith is newPoller with options of its own (a quiet logger).
func newPollerWith(t testing.TB, cfg *aggregator.Config, db aggregator.Store, opts poller.Options) *poller.Poller {
	t.Helper()
	tags, err := topic.Compile(cfg.Topics, cfg.Sources)
	if err != nil {
		t.Fatal(err)
	}
	if opts.Logger == nil {
		opts.Logger = quiet
	}
	p, err := poller.New(cfg, tags, db, opts)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// smallFeed returns an RSS feed of two items of its own.
func smallFeed(n int) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, `<?xml version="1.0"?><rss version="2.0"><channel><title>Outlet %d</title><link>https://outlet%d.example/</link><description>d</description>`, n, n)
	for j := range 2 {
		fmt.Fprintf(&b, `<item><title>Outlet %d report %d</title><link>https://outlet%d.example/%d</link><guid>https://outlet%d.example/%d</guid><description>Report %d of outlet %d, on matter m%d.</description></item>`,
			n, j, n, j, n, j, j, n, n*2+j)
	}
	b.WriteString("</channel></rss>")
	return []byte(b.String())
}

// waitUntil polls cond every few milliseconds until it holds or limit
// passes, and reports whether it held.
func waitUntil(limit time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(5 * time.Millisecond)
	}
	return true
}

// TestFirstRunStartsAsPlacesFree runs the scheduler at a two-second tick
// over more sources than it may have in progress: a source starts as soon
// as another ends, not at the next tick, so a first run of many sources
// takes about as long as their fetches, as `tributary poll` does. Starting
// four a tick, the hundred would take fifty seconds.
func TestFirstRunStartsAsPlacesFree(t *testing.T) {
	const n = 100
	o := feedtest.NewOrigin(t)
	var urls []string
	for i := range n {
		path := fmt.Sprintf("/f%d.rss", i)
		o.Feed(path, "application/rss+xml", smallFeed(i))
		urls = append(urls, o.URL(path))
	}
	// At most 4 sources in progress.
	cfg := config(t, "  concurrency: 2\n  per_host: 2", urls...)
	p := newPollerWith(t, cfg, mustOpen(t), poller.Options{Tick: 2 * time.Second, FirstDelay: time.Millisecond})
	start := time.Now()
	run(t, p)
	if !waitUntil(20*time.Second, func() bool { return len(o.Requests()) >= n }) {
		t.Fatalf("%d of %d sources fetched after %v; want each to start when a place frees", len(o.Requests()), n, time.Since(start))
	}
}

// TestSlowHostLeavesTheOthers polls many sources on a slow host beside a
// few on a quick one: the slow host gets its poll.per_host fetches and no
// more of the fetch slots, and the quick host's sources are fetched while
// the slow host's first fetches are still going. The slow host answers
// once the quick host's last source was fetched, or after five seconds;
// had the quick ones waited behind the slow ones, those five seconds run
// out first.
func TestSlowHostLeavesTheOthers(t *testing.T) {
	for _, mode := range []string{"serve", "poll"} {
		t.Run(mode, func(t *testing.T) {
			slow := feedtest.NewOrigin(t) // 127.0.0.1
			quick := feedtest.NewOrigin(t)
			release := make(chan struct{})
			var once sync.Once
			var waitedOut atomic.Bool
			var urls []string
			for i := range 8 {
				path := fmt.Sprintf("/slow%d.rss", i)
				body := smallFeed(i)
				slow.Handle(path, func(w http.ResponseWriter, r *http.Request) {
					select {
					case <-release:
					case <-time.After(5 * time.Second):
						waitedOut.Store(true)
					}
					w.Header().Set("Content-Type", "application/rss+xml")
					w.Write(body)
				})
				urls = append(urls, slow.URL(path))
			}
			for i := range 3 {
				path := fmt.Sprintf("/quick%d.rss", i)
				body := smallFeed(100 + i)
				quick.Handle(path, func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Content-Type", "application/rss+xml")
					w.Write(body)
					if i == 2 {
						once.Do(func() { close(release) })
					}
				})
				// Another host name for the same loopback address.
				urls = append(urls, strings.Replace(quick.URL(path), "127.0.0.1", "localhost", 1))
			}
			cfg := config(t, "  concurrency: 2\n  per_host: 1", urls...)
			if mode == "serve" {
				p := newPollerWith(t, cfg, mustOpen(t), poller.Options{Tick: 10 * time.Millisecond, FirstDelay: time.Millisecond})
				run(t, p)
				if !waitUntil(10*time.Second, func() bool { return quick.Count("/quick2.rss") > 0 }) {
					t.Fatal("the quick host's sources were not fetched")
				}
			} else {
				newPoller(t, cfg, mustOpen(t), nil).PollAll(t.Context(), nil)
			}
			if waitedOut.Load() {
				t.Error("a slow fetch ran five seconds before the quick host's sources were fetched; want them fetched beside the slow host's first")
			}
		})
	}
}

// TestReloadAddsSources adds a source by a reload under a running
// scheduler: it is polled without a restart. A source removed is no longer
// polled, and one configured again takes up its stored schedule.
func TestReloadAddsSources(t *testing.T) {
	o := feedtest.NewOrigin(t)
	o.Feed("/a.rss", "application/rss+xml", smallFeed(1))
	o.Feed("/b.rss", "application/rss+xml", smallFeed(2))
	db := mustOpen(t)
	const extra = "  interval: 1s\n  min_interval: 1s"
	p := newPollerWith(t, config(t, extra, o.URL("/a.rss")), db, poller.Options{Tick: 10 * time.Millisecond, FirstDelay: time.Millisecond})
	run(t, p)
	if !waitUntil(5*time.Second, func() bool { return o.Count("/a.rss") > 0 }) {
		t.Fatal("the first source was not fetched")
	}
	reload := func(urls ...string) {
		t.Helper()
		cfg := config(t, extra, urls...)
		tags, err := topic.Compile(cfg.Topics, cfg.Sources)
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Reload(cfg, tags); err != nil {
			t.Fatal(err)
		}
	}
	reload(o.URL("/a.rss"), o.URL("/b.rss"))
	if !waitUntil(5*time.Second, func() bool { return o.Count("/b.rss") > 0 }) {
		t.Fatal("a source added by a reload was not fetched")
	}

	reload(o.URL("/b.rss"))
	time.Sleep(100 * time.Millisecond) // a fetch of a begun before the reload ends
	removed := o.Count("/a.rss")
	time.Sleep(2500 * time.Millisecond) // two intervals and more
	if n := o.Count("/a.rss"); n != removed {
		t.Errorf("a removed source was fetched %d times after its removal", n-removed)
	}
	if n := o.Count("/b.rss"); n < 2 {
		t.Errorf("the source kept was fetched %d times in 2.5s; its interval is 1s", n)
	}

	reload(o.URL("/a.rss"), o.URL("/b.rss"))
	if !waitUntil(5*time.Second, func() bool { return o.Count("/a.rss") > removed }) {
		t.Fatal("a source configured again was not fetched")
	}
	reqs := o.RequestsTo("/a.rss")
	if last := reqs[len(reqs)-1]; last.Header.Get("If-None-Match") == "" {
		t.Errorf("a source configured again was fetched without its validators: %v", last.Header)
	}
}

// TestIntervalIsAFloor polls sources again and again: the jitter that
// spreads sources apart never brings a poll before the interval, the feed's
// <ttl> or poll.min_interval allow.
func TestIntervalIsAFloor(t *testing.T) {
	o := feedtest.NewOrigin(t)
	o.Feed("/ttl.rss", "application/rss+xml", fixture(t, "slow-ttl.rss")) // ttl 120
	o.Feed("/floor.rss", "application/rss+xml", fixture(t, "news.rss"))   // ttl 5
	cfg := config(t, "  interval: 10m\n  min_interval: 10m", o.URL("/ttl.rss"), o.URL("/floor.rss"))
	db := mustOpen(t)
	clk := feedtest.NewClock(time.Date(2026, 11, 3, 12, 0, 0, 0, time.UTC))
	p := newPoller(t, cfg, db, clk.Now)
	floors := map[string]time.Duration{o.URL("/ttl.rss"): 2 * time.Hour, o.URL("/floor.rss"): 10 * time.Minute}
	for range 40 {
		p.PollAll(t.Context(), nil)
		for u, floor := range floors {
			wait := state(t, db, u).NextDue.Sub(clk.Now())
			if wait < floor || wait > floor+floor/5 {
				t.Fatalf("%s: next due in %v; want from %v to 20%% more", u, wait, floor)
			}
		}
		clk.Add(3 * time.Hour)
	}
}

// TestFeedTTLSurvivesNotModified serves a feed that asks for two hours
// (<ttl>120</ttl>) with a short Cache-Control max-age: the 304s that
// follow do not bring its interval back to the configured 30m.
func TestFeedTTLSurvivesNotModified(t *testing.T) {
	o := feedtest.NewOrigin(t)
	body := fixture(t, "slow-ttl.rss")
	o.Handle("/feed.rss", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "max-age=60")
		w.Header().Set("ETag", `"v1"`)
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write(body)
	})
	cfg := config(t, "", o.URL("/feed.rss"))
	db := mustOpen(t)
	clk := feedtest.NewClock(time.Date(2026, 11, 3, 12, 0, 0, 0, time.UTC))
	p := newPoller(t, cfg, db, clk.Now)
	for i := range 3 {
		oc := p.PollAll(t.Context(), nil)[0]
		if want := map[bool]string{true: "ok", false: "not_modified"}[i == 0]; oc.Result != want {
			t.Fatalf("poll %d: %q (err %v); want %s", i+1, oc.Result, oc.Err, want)
		}
		if wait := state(t, db, o.URL("/feed.rss")).NextDue.Sub(clk.Now()); wait < 2*time.Hour {
			t.Errorf("poll %d (%s): next due in %v; want the feed's 2h", i+1, oc.Result, wait)
		}
		clk.Add(3 * time.Hour)
	}
}

// TestScheduleOverADay runs the scheduler through a simulated day, the
// clock moved on five minutes at a time: a steady source is read every
// interval and no more often, one that fails every other time backs off
// and comes back, and the goroutines do not grow with the fetches.
func TestScheduleOverADay(t *testing.T) {
	clk := feedtest.NewClock(time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC))
	o := feedtest.NewOrigin(t)
	var mu sync.Mutex
	var inFlight atomic.Int32
	seen := map[string][]time.Time{}
	flaps := 0
	body := smallFeed(1)
	for _, path := range []string{"/steady.rss", "/flapping.rss"} {
		o.Handle(path, func(w http.ResponseWriter, r *http.Request) {
			inFlight.Add(1)
			defer inFlight.Add(-1)
			mu.Lock()
			seen[path] = append(seen[path], clk.Now())
			fail := path == "/flapping.rss" && flaps%2 == 1
			if path == "/flapping.rss" {
				flaps++
			}
			mu.Unlock()
			if fail {
				http.Error(w, "busy", http.StatusInternalServerError)
				return
			}
			w.Header().Set("Content-Type", "application/rss+xml")
			w.Write(body)
		})
	}
	// A fetch that timed out on a busy machine would fail a poll that the
	// origin counted as answered, and the flapping source would fail twice
	// in a row: the timeout is far beyond any answer here.
	cfg := config(t, "  interval: 30m\n  max_backoff: 2h\n  timeout: 10s", o.URL("/steady.rss"), o.URL("/flapping.rss"))
	db := mustOpen(t)
	p := newPollerWith(t, cfg, db, poller.Options{Tick: time.Millisecond, FirstDelay: time.Minute, Now: clk.Now})
	stop := run(t, p)
	// settled reports whether every poll due by the clock has been made and
	// recorded: no request is being answered, and each source's stored next
	// due time is still to come. A source never fetched has no state until
	// its first poll, due within FirstDelay of the scheduler's start.
	start := clk.Now()
	if !waitUntil(5*time.Second, func() bool { return p.Healthy() == nil }) {
		t.Fatal("the scheduler did not start")
	}
	settled := func() bool {
		if inFlight.Load() != 0 {
			return false
		}
		now := clk.Now()
		for _, path := range []string{"/steady.rss", "/flapping.rss"} {
			st, err := db.Source(t.Context(), aggregator.SourceID(o.URL(path)))
			switch {
			case errors.Is(err, aggregator.ErrNotFound) && now.Before(start.Add(time.Minute)):
			case err != nil || !st.NextDue.After(now):
				return false
			}
		}
		return true
	}
	goroutines := 0
	for step := range 24 * 12 {
		if !waitUntil(5*time.Second, settled) {
			t.Fatalf("step %d: the polls due did not end and save their state", step)
		}
		if step == 12 {
			goroutines = runtime.NumGoroutine()
		}
		clk.Add(5 * time.Minute)
	}
	stop()
	if n := runtime.NumGoroutine(); n > goroutines+4 {
		t.Errorf("%d goroutines after a day, %d after an hour", n, goroutines)
	}
	mu.Lock()
	defer mu.Unlock()
	steady := seen["/steady.rss"]
	if len(steady) < 40 || len(steady) > 49 {
		t.Errorf("the steady source was fetched %d times in a day; its interval is 30m", len(steady))
	}
	for i := 1; i < len(steady); i++ {
		if gap := steady[i].Sub(steady[i-1]); gap < 30*time.Minute {
			t.Errorf("the steady source was fetched %v after the fetch before; its interval is 30m", gap)
		}
	}
	flapping := seen["/flapping.rss"]
	if len(flapping) < 30 {
		t.Errorf("the flapping source was fetched %d times in a day; want it back after each failure", len(flapping))
	}
	for i := 1; i < len(flapping); i++ {
		if gap := flapping[i].Sub(flapping[i-1]); gap < 30*time.Minute || gap > 45*time.Minute {
			t.Errorf("fetch %d of the flapping source came %v after the one before; want its interval, or its first backoff", i, gap)
		}
	}
}

// TestPruneBesideTheLoop holds the store's writer while the scheduler
// prunes: the prune waits for it, and the scheduler goes on starting the
// sources that come due, here one that a reload adds.
func TestPruneBesideTheLoop(t *testing.T) {
	o := feedtest.NewOrigin(t)
	o.Feed("/a.rss", "application/rss+xml", fixture(t, "news.rss"))
	o.Feed("/b.rss", "application/rss+xml", fixture(t, "news.rss"))
	configure := func(paths ...string) *aggregator.Config { return retainingConfig(t, o, paths...) }
	db := mustOpen(t)
	held, release := make(chan struct{}), make(chan struct{})
	holding := make(chan error, 1)
	go func() {
		holding <- db.Update(context.Background(), func(aggregator.Tx) error {
			close(held)
			<-release
			return nil
		})
	}()
	<-held
	released := false
	free := func() {
		if !released {
			released = true
			close(release)
			if err := <-holding; err != nil {
				t.Errorf("holding the writer: %v", err)
			}
		}
	}
	defer free()

	p := newPollerWith(t, configure("/a.rss"), db, poller.Options{Tick: 10 * time.Millisecond, FirstDelay: time.Millisecond})
	stop := run(t, p)
	// The first pass starts /a.rss and the prune, which waits for the
	// writer.
	if !waitUntil(10*time.Second, func() bool { return o.Count("/a.rss") > 0 }) {
		t.Fatal("the scheduler polled nothing while the prune waited for the store")
	}
	reload(t, p, configure("/a.rss", "/b.rss"))
	if !waitUntil(10*time.Second, func() bool { return o.Count("/b.rss") > 0 }) {
		t.Error("the source a reload added was not polled while the prune waited for the store")
	}
	free()
	stop()
}

// TestRunStoppedWhileLoading stops the scheduler before it has read its
// sources' states, as a daemon told to stop while it starts is: Run returns
// no error, where it returned the store's "context canceled" and the
// daemon exited 1 on a shutdown it was asked for.
func TestRunStoppedWhileLoading(t *testing.T) {
	p := newPoller(t, config(t, "", "http://127.0.0.1:1/feed.xml"), mustOpen(t), time.Now)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := p.Run(ctx); err != nil {
		t.Fatalf("Run stopped before it read its sources = %v; want nil", err)
	}
}
