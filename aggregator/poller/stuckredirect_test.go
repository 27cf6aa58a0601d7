package poller_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator/feedtest"
	"github.com/tributary-feeds/tributary/aggregator/poller"
	"github.com/tributary-feeds/tributary/aggregator/topic"
)

// TestStuckAtRedirectTarget has a source whose feed a
// redirect sends on to a host that accepts connections and never answers
// (a feed proxy gone bad). Its fetch runs out of time there: that host,
// not the source's own, which answered with the redirect, gets one fetch
// at a time from then on, the redirected source's among them, live and
// after a restart. Where the source's own host was taken as stuck, the
// sources on the silent host took their poll.per_host of the fetch slots
// again, and the redirected one one more.
func TestStuckAtRedirectTarget(t *testing.T) {
	for _, restart := range []bool{false, true} {
		name := "live"
		if restart {
			name = "restart"
		}
		t.Run(name, func(t *testing.T) {
			tp := newTarpit(t, "127.0.0.3")
			o := feedtest.NewOrigin(t) // 127.0.0.1: the redirect and a healthy feed
			o.Redirect("/r.rss", tp.url("/proxied.rss"), http.StatusFound)
			o.Feed("/h.rss", "application/rss+xml", smallFeed(1))
			const settings = "  interval: 5m\n  concurrency: 8\n  per_host: 2\n  timeout: "
			clk := feedtest.NewClock(time.Date(2026, 11, 3, 12, 0, 0, 0, time.UTC))
			db := mustOpen(t)
			opts := poller.Options{Now: clk.Now, Tick: 10 * time.Millisecond, FirstDelay: time.Nanosecond}
			p := newPollerWith(t, config(t, settings+"300ms", o.URL("/r.rss")), db, opts)
			stop := run(t, p)
			timedOut := func() bool {
				states, err := p.Sources(t.Context())
				if err != nil {
					t.Fatal(err)
				}
				return len(states) == 1 && strings.HasPrefix(states[0].LastError, "redirect to ") &&
					strings.Contains(states[0].LastError, ": timeout after ")
			}
			if !waitUntil(20*time.Second, timedOut) {
				t.Fatal("the redirected source's fetch did not run out of time at the redirect's target")
			}
			before := tp.accepted()
			// Due again, beside two sources on the silent host itself,
			// with time enough to hang through the rest of the test.
			cfg := config(t, settings+"1m", o.URL("/r.rss"), tp.url("/a.rss"), tp.url("/b.rss"), o.URL("/h.rss"))
			clk.Add(10 * time.Minute)
			if restart {
				stop()
				p = newPollerWith(t, cfg, db, opts)
				run(t, p)
			} else {
				tags, err := topic.Compile(cfg.Topics, cfg.Sources)
				if err != nil {
					t.Fatal(err)
				}
				if err := p.Reload(cfg, tags); err != nil {
					t.Fatal(err)
				}
			}
			// The redirecting host answers: its healthy feed is fetched
			// while the redirected source hangs at the silent host.
			if !waitUntil(10*time.Second, func() bool { return o.Count("/h.rss") > 0 }) {
				t.Errorf("the redirecting host's other feed was not fetched while the redirected one hung; want it fetched, its host answering")
			}
			if !waitUntil(10*time.Second, func() bool { return tp.accepted() > before }) {
				t.Fatal("the silent host was not asked again once due")
			}
			if n := tp.accepted() - before; n > 1 {
				t.Errorf("the silent host %s was asked %d times at once; want one fetch at a time", tp.ln.Addr(), n)
			}
		})
	}
}

// TestLongRedirectTimeoutRecorded has a source redirected to a URL of
// a few kilobytes (a tracking link's query) where its fetch runs out of
// time. The error the source records, at most a thousand bytes, still
// says what went wrong there, with the URL cut short: where the URL took
// all of it, status and the web pages showed "redirect to http://…" and
// no reason, and a restart did not know the host as stuck.
func TestLongRedirectTimeoutRecorded(t *testing.T) {
	o := feedtest.NewOrigin(t)
	o.Stall("/stall")
	o.Redirect("/r.rss", o.URL("/stall")+"?utm="+strings.Repeat("a", 3000), http.StatusFound)
	clk := feedtest.NewClock(time.Date(2026, 11, 3, 12, 0, 0, 0, time.UTC))
	p := newPollerWith(t, config(t, "  timeout: 300ms", o.URL("/r.rss")), mustOpen(t),
		poller.Options{Now: clk.Now, Tick: 10 * time.Millisecond, FirstDelay: time.Nanosecond})
	run(t, p)
	var last string
	failed := func() bool {
		states, err := p.Sources(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if len(states) == 1 {
			last = states[0].LastError
		}
		return last != ""
	}
	if !waitUntil(20*time.Second, failed) {
		t.Fatal("the redirected source's fetch did not fail")
	}
	if !strings.HasPrefix(last, "redirect to "+o.URL("/stall")) || !strings.Contains(last, ": timeout after 300ms") {
		t.Errorf("recorded error = %q; want the redirect's target, cut short, and the timeout", last)
	}
}
