package poller_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator/feedtest"
	"github.com/tributary-feeds/tributary/aggregator/poller"
)

// TestPollPolitely runs passes one after another, as cron does: a source
// whose server asked to wait (429 or 503 with Retry-After), or that backs
// off after a failure, is skipped until its wait ends, and a source merely
// not due by its interval is fetched each time. PollAll fetches them all.
func TestPollPolitely(t *testing.T) {
	o := feedtest.NewOrigin(t)
	o.Feed("/feed.rss", "application/rss+xml", fixture(t, "news.rss"))
	o.Status("/limited.rss", http.StatusTooManyRequests, "7200")
	o.Status("/down.rss", http.StatusServiceUnavailable, "10800")
	o.Status("/error.rss", http.StatusInternalServerError, "")
	paths := []string{"/feed.rss", "/limited.rss", "/down.rss", "/error.rss"}
	// The two sources asked to wait are on two hosts (two names of the
	// origin's address): two of one host would hold the whole host.
	url := func(path string) string {
		if path == "/down.rss" {
			return strings.Replace(o.URL(path), "127.0.0.1", "localhost", 1)
		}
		return o.URL(path)
	}
	var urls []string
	for _, path := range paths {
		urls = append(urls, url(path))
	}
	cfg := config(t, "  timeout: 10s", urls...) // interval 30m, max_backoff 6h
	db := mustOpen(t)
	clk := feedtest.NewClock(time.Date(2026, 11, 3, 12, 0, 0, 0, time.UTC))
	p := newPoller(t, cfg, db, clk.Now)

	// pass runs PollPolitely and checks which sources it skipped, and that
	// the origin saw each source as often as want says.
	pass := func(when string, skipped map[string]bool, want map[string]int) {
		t.Helper()
		var progressed []poller.Outcome
		outcomes := p.PollPolitely(t.Context(), func(oc poller.Outcome) { progressed = append(progressed, oc) })
		if len(progressed) != len(paths) {
			t.Errorf("%s: progress told of %d sources; want %d", when, len(progressed), len(paths))
		}
		for i, path := range paths {
			oc := outcomes[i]
			st := state(t, db, url(path))
			switch {
			case skipped[path] && (oc.Result != "skipped" || oc.Err != nil || !oc.Until.Equal(st.NextDue) || !oc.Until.After(clk.Now())):
				t.Errorf("%s: %s: %q until %v (err %v); want skipped, no error, until its next due time %v", when, path, oc.Result, oc.Until, oc.Err, st.NextDue)
			case skipped[path] && oc.Reason != st.LastResult+": "+st.LastError:
				t.Errorf("%s: %s: skipped for %q; want its last result and error, %q", when, path, oc.Reason, st.LastResult+": "+st.LastError)
			case !skipped[path] && (oc.Result == "skipped" || !oc.Until.IsZero()):
				t.Errorf("%s: %s skipped until %v; want it fetched", when, path, oc.Until)
			}
			if n := o.Count(path); n != want[path] {
				t.Errorf("%s: %s was asked %d times; want %d", when, path, n, want[path])
			}
		}
	}

	pass("first pass", nil, map[string]int{"/feed.rss": 1, "/limited.rss": 1, "/down.rss": 1, "/error.rss": 1})
	if st := state(t, db, url("/limited.rss")); st.LastResult != "rate_limited" {
		t.Fatalf("after a 429 with Retry-After: %q; want rate_limited", st.LastResult)
	}
	clk.Add(3 * time.Second)
	waiting := map[string]bool{"/limited.rss": true, "/down.rss": true, "/error.rss": true}
	pass("3s later", waiting, map[string]int{"/feed.rss": 2, "/limited.rss": 1, "/down.rss": 1, "/error.rss": 1})
	if oc := p.PollPolitely(t.Context(), nil)[0]; oc.Result != "not_modified" {
		t.Errorf("a source not due by its interval: %q; want it fetched, not_modified", oc.Result)
	}

	// The clock set back a day: a wait is reckoned from now, not from a
	// last fetch that seems a day ahead.
	clk.Add(-24 * time.Hour)
	outcomes := p.PollPolitely(t.Context(), nil)
	if until := outcomes[1].Until; outcomes[1].Result != "skipped" || until.After(clk.Now().Add(2*time.Hour+time.Minute)) {
		t.Errorf("clock set back a day: /limited.rss %q until %v; want skipped for 2h from now, %v", outcomes[1].Result, until, clk.Now())
	}
	clk.Add(24 * time.Hour)

	// Past the 500's backoff (the 30m interval, with jitter), not past
	// the 429's two hours.
	clk.Add(40 * time.Minute)
	pass("40m later", map[string]bool{"/limited.rss": true, "/down.rss": true}, map[string]int{"/feed.rss": 5, "/limited.rss": 1, "/down.rss": 1, "/error.rss": 2})
	// Past the 429's two hours and the 500's second backoff (an hour), not
	// past the 503's three hours.
	clk.Add(2 * time.Hour)
	pass("2h40m later", map[string]bool{"/down.rss": true}, map[string]int{"/feed.rss": 6, "/limited.rss": 2, "/down.rss": 1, "/error.rss": 3})

	// PollAll fetches every source, waiting or not.
	for _, oc := range p.PollAll(t.Context(), nil) {
		if oc.Result == "skipped" {
			t.Errorf("PollAll skipped %s", oc.URL)
		}
	}
	for _, path := range paths[1:] {
		if st := state(t, db, url(path)); !strings.Contains(st.LastError, path) {
			t.Errorf("%s after PollAll: %q; want its failure recorded again", path, st.LastError)
		}
	}
	if n := o.Count("/down.rss"); n != 2 {
		t.Errorf("PollAll asked /down.rss, still waiting, %d times in all; want 2", n)
	}
}

// TestPollPolitelyHoldsTheHost runs passes, as cron does, against a feed
// proxy that limits its client as a whole, answering every feed 429 with
// an hour's Retry-After, beside a feed on another host. Once two of the
// proxy's sources were asked to wait, its host is held as the daemon holds
// it: its other sources are skipped, not fetched, with the hold's end and
// the answer that set it, in that pass and in the next run, which finds
// the hold in the store. The other host's feed is fetched each time, and
// PollAll (poll -force) fetches every source.
func TestPollPolitelyHoldsTheHost(t *testing.T) {
	proxy := feedtest.NewOrigin(t)
	paths := []string{"/a.rss", "/b.rss", "/c.rss", "/d.rss"}
	var urls []string
	for _, path := range paths {
		proxy.Status(path, http.StatusTooManyRequests, "3600")
		urls = append(urls, proxy.URL(path))
	}
	other := feedtest.NewOrigin(t)
	other.Feed("/feed.rss", "application/rss+xml", fixture(t, "news.rss"))
	urls = append(urls, strings.Replace(other.URL("/feed.rss"), "127.0.0.1", "localhost", 1))
	// One fetch per host at a time: the proxy's sources are asked in turn.
	cfg := config(t, "  timeout: 10s\n  per_host: 1", urls...)
	db := mustOpen(t)
	clk := feedtest.NewClock(time.Date(2026, 11, 3, 12, 0, 0, 0, time.UTC))
	until := clk.Now().Add(time.Hour)

	pass := func(when string, p *poller.Poller, results []string) {
		t.Helper()
		outcomes := p.PollPolitely(t.Context(), nil)
		for i, want := range results {
			oc := outcomes[i]
			if oc.Result != want {
				t.Errorf("%s: %s: %q (%v); want %q", when, urls[i], oc.Result, oc.Err, want)
				continue
			}
			if i >= 2 && i < 4 && (oc.Err != nil || !oc.Until.Equal(until) || !strings.Contains(oc.Reason, "held") || !strings.Contains(oc.Reason, "http 429")) {
				t.Errorf("%s: %s skipped until %v for %q (err %v); want until the hold's end %v, for the proxy's 429", when, urls[i], oc.Until, oc.Reason, oc.Err, until)
			}
		}
		for _, path := range paths[2:] {
			if n := proxy.Count(path); n != 0 {
				t.Errorf("%s: the held proxy was asked for %s %d times; want 0", when, path, n)
			}
		}
	}
	pass("first run", newPoller(t, cfg, db, clk.Now), []string{"rate_limited", "rate_limited", "skipped", "skipped", "ok"})
	clk.Add(10 * time.Minute)
	pass("next run", newPoller(t, cfg, db, clk.Now), []string{"skipped", "skipped", "skipped", "skipped", "not_modified"})
	if n := other.Count("/feed.rss"); n != 2 {
		t.Errorf("the other host's feed was asked %d times in two runs; want 2", n)
	}

	for _, oc := range newPoller(t, cfg, db, clk.Now).PollAll(t.Context(), nil) {
		if oc.Result == "skipped" {
			t.Errorf("PollAll skipped %s (%s)", oc.URL, oc.Reason)
		}
	}
	for _, path := range paths {
		if n := proxy.Count(path); n == 0 {
			t.Errorf("PollAll did not ask the proxy for %s", path)
		}
	}
}
