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
	var urls []string
	for _, path := range paths {
		urls = append(urls, o.URL(path))
	}
	cfg := config(t, "  timeout: 10s", urls...) // interval 30m, max_backoff 6h
	db := mustOpen(t)
	clk := &clock{t: time.Date(2026, 11, 3, 12, 0, 0, 0, time.UTC)}
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
			st := state(t, db, o.URL(path))
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
	if st := state(t, db, o.URL("/limited.rss")); st.LastResult != "rate_limited" {
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
		if st := state(t, db, o.URL(path)); !strings.Contains(st.LastError, path) {
			t.Errorf("%s after PollAll: %q; want its failure recorded again", path, st.LastError)
		}
	}
	if n := o.Count("/down.rss"); n != 2 {
		t.Errorf("PollAll asked /down.rss, still waiting, %d times in all; want 2", n)
	}
}
