package poller_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/feedtest"
	"github.com/tributary-feeds/tributary/aggregator/poller"
	"github.com/tributary-feeds/tributary/aggregator/topic"
)

// sourceSpec is a source of configOf: its URL and its own interval, if any.
type sourceSpec struct{ url, interval string }

// configOf returns a loaded configuration of the sources with poll.interval
// pollInterval.
func configOf(t *testing.T, pollInterval string, srcs ...sourceSpec) *aggregator.Config {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "poll:\n  interval: %s\n  timeout: 5s\n  max_backoff: 6h\n  allow_private: true\nstorage:\n  retention: 0\nsources:\n", pollInterval)
	for _, s := range srcs {
		fmt.Fprintf(&b, "  - url: %q\n", s.url)
		if s.interval != "" {
			fmt.Fprintf(&b, "    interval: %s\n", s.interval)
		}
	}
	cfg, err := aggregator.Load(strings.NewReader(b.String()), "test.yaml")
	if err != nil {
		t.Fatalf("config:\n%s\n%v", b.String(), err)
	}
	return cfg
}

// reload hands p the configuration cfg, as a SIGHUP does.
func reload(t *testing.T, p *poller.Poller, cfg *aggregator.Config) {
	t.Helper()
	tags, err := topic.Compile(cfg.Topics, cfg.Sources)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Reload(cfg, tags); err != nil {
		t.Fatal(err)
	}
}

// TestReloadReschedulesChangedIntervals reloads the configuration an hour
// after every source was polled, with intervals cut and lengthened: each
// source whose interval changed is next due at its last fetch plus its new
// interval (with up to 10% of jitter), never before now, and never before
// the feed's own <ttl>, the origin's Retry-After or the backoff of a
// failing source allow; a source whose interval did not change keeps its
// due time.
func TestReloadReschedulesChangedIntervals(t *testing.T) {
	o := feedtest.NewOrigin(t)
	for i, path := range []string{"/cut.rss", "/default.rss", "/kept.rss", "/longer.rss"} {
		o.Feed(path, "application/rss+xml", smallFeed(i))
	}
	o.Feed("/ttl.rss", "application/rss+xml", fixture(t, "slow-ttl.rss")) // ttl 120
	o.Status("/limited.rss", http.StatusTooManyRequests, "10800")         // 3h
	o.Status("/failing.rss", http.StatusServiceUnavailable, "")
	u := o.URL
	before := configOf(t, "24h",
		sourceSpec{u("/cut.rss"), "24h"}, sourceSpec{u("/default.rss"), ""}, sourceSpec{u("/kept.rss"), "24h"},
		sourceSpec{u("/longer.rss"), "2h"}, sourceSpec{u("/ttl.rss"), "24h"}, sourceSpec{u("/limited.rss"), "24h"},
		sourceSpec{u("/failing.rss"), "24h"})
	after := configOf(t, "15m",
		sourceSpec{u("/cut.rss"), "15m"}, sourceSpec{u("/default.rss"), ""}, sourceSpec{u("/kept.rss"), "24h"},
		sourceSpec{u("/longer.rss"), "4h"}, sourceSpec{u("/ttl.rss"), "15m"}, sourceSpec{u("/limited.rss"), "15m"},
		sourceSpec{u("/failing.rss"), "2h"})

	t0 := time.Date(2026, 11, 3, 12, 0, 0, 0, time.UTC)
	clk := feedtest.NewClock(t0)
	db := mustOpen(t)
	p := newPollerWith(t, before, db, poller.Options{Tick: time.Millisecond, Now: clk.Now})
	p.PollAll(t.Context(), nil)
	kept := state(t, db, u("/kept.rss"))
	longer := state(t, db, u("/longer.rss"))
	run(t, p)
	clk.Add(time.Hour)
	reload(t, p, after)

	// Cut to 15m an hour after their last fetch, two sources are due at
	// once; the others are rescheduled beside them.
	polledAgain := func(path string) bool {
		st, err := db.Source(t.Context(), aggregator.SourceID(u(path)))
		return err == nil && st.Fetches == 2
	}
	if !waitUntil(10*time.Second, func() bool {
		return polledAgain("/cut.rss") && polledAgain("/default.rss") &&
			!state(t, db, u("/longer.rss")).NextDue.Equal(longer.NextDue)
	}) {
		t.Fatalf("after the reload: cut source fetched %d times, source of poll.interval %d times, next due of the lengthened one %s (was %s); want 2, 2 and another",
			state(t, db, u("/cut.rss")).Fetches, state(t, db, u("/default.rss")).Fetches,
			state(t, db, u("/longer.rss")).NextDue, longer.NextDue)
	}
	now := t0.Add(time.Hour)
	for _, tt := range []struct {
		path     string
		from, to time.Time // the next due time stored, within [from, to]
	}{
		{"/cut.rss", now.Add(15 * time.Minute), now.Add(16*time.Minute + 30*time.Second)},
		{"/default.rss", now.Add(15 * time.Minute), now.Add(16*time.Minute + 30*time.Second)},
		{"/kept.rss", kept.NextDue, kept.NextDue},
		{"/longer.rss", t0.Add(4 * time.Hour), t0.Add(4*time.Hour + 24*time.Minute)},
		{"/ttl.rss", t0.Add(2 * time.Hour), t0.Add(2*time.Hour + 12*time.Minute)},
		{"/limited.rss", t0.Add(3 * time.Hour), t0.Add(3 * time.Hour)},
		{"/failing.rss", t0.Add(2 * time.Hour), t0.Add(2*time.Hour + 12*time.Minute)},
	} {
		due := state(t, db, u(tt.path)).NextDue
		if due.Before(tt.from) || due.After(tt.to) {
			t.Errorf("%s: next due %s after the reload; want from %s to %s", tt.path, due.Format(time.Stamp),
				tt.from.Format(time.Stamp), tt.to.Format(time.Stamp))
		}
	}
}

// TestReloadShortensWaits reloads the configuration with poll.max_backoff
// cut from 6 hours to one, while a source waits out a Retry-After of five
// and a half (and its backoff of six): it is due an hour after its last
// fetch.
func TestReloadShortensWaits(t *testing.T) {
	o := feedtest.NewOrigin(t)
	o.Status("/limited.rss", http.StatusServiceUnavailable, "19800") // 5h30m
	u := o.URL("/limited.rss")
	before := configOf(t, "24h", sourceSpec{u, ""})
	after := configOf(t, "24h", sourceSpec{u, ""})
	after.Poll.MaxBackoff = time.Hour

	t0 := time.Date(2026, 11, 3, 12, 0, 0, 0, time.UTC)
	clk := feedtest.NewClock(t0)
	db := mustOpen(t)
	p := newPollerWith(t, before, db, poller.Options{Tick: time.Millisecond, Now: clk.Now})
	p.PollAll(t.Context(), nil)
	if due := state(t, db, u).NextDue; due.Before(t0.Add(5*time.Hour + 30*time.Minute)) {
		t.Fatalf("next due after the Retry-After: %s; want no earlier than %s", due, t0.Add(5*time.Hour+30*time.Minute))
	}
	run(t, p)
	reload(t, p, after)
	if !waitUntil(10*time.Second, func() bool { return state(t, db, u).NextDue.Equal(t0.Add(time.Hour)) }) {
		t.Errorf("next due after max_backoff was cut to 1h: %s; want %s", state(t, db, u).NextDue, t0.Add(time.Hour))
	}
}

// TestReloadDuringAPoll reloads the configuration, with the source's
// interval cut from a day to 15 minutes, while the source is being
// fetched: the poll ends with its due time reckoned under the old
// interval, and the source is then scheduled anew under the new one.
func TestReloadDuringAPoll(t *testing.T) {
	o := feedtest.NewOrigin(t)
	arrived, answer := make(chan struct{}), make(chan struct{})
	once := sync.OnceFunc(func() { close(arrived) })
	o.Handle("/feed.rss", func(w http.ResponseWriter, r *http.Request) {
		once()
		<-answer
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write(smallFeed(1))
	})
	let := sync.OnceFunc(func() { close(answer) })
	t.Cleanup(let) // before the origin closes
	url := o.URL("/feed.rss")

	t0 := time.Date(2026, 11, 3, 12, 0, 0, 0, time.UTC)
	clk := feedtest.NewClock(t0)
	db := mustOpen(t)
	p := newPollerWith(t, configOf(t, "24h", sourceSpec{url, ""}), db, poller.Options{Tick: time.Millisecond, Now: clk.Now})
	run(t, p)
	if !waitUntil(5*time.Second, func() bool { return p.Healthy() == nil }) {
		t.Fatal("the scheduler did not start")
	}
	clk.Add(time.Minute) // the first poll is due
	within(t, arrived, "the first fetch")
	reload(t, p, configOf(t, "15m", sourceSpec{url, ""}))
	let()

	from, to := t0.Add(16*time.Minute), t0.Add(17*time.Minute+30*time.Second)
	var st aggregator.SourceState
	if !waitUntil(10*time.Second, func() bool {
		var err error
		st, err = db.Source(t.Context(), aggregator.SourceID(url))
		return err == nil && st.NextDue.Before(t0.Add(time.Hour))
	}) {
		t.Fatalf("next due %s, last fetch %s; want from %s to %s: the interval of the reload during the poll",
			st.NextDue.Format(time.Stamp), st.LastFetch.Format(time.Stamp), from.Format(time.Stamp), to.Format(time.Stamp))
	}
	if st.NextDue.Before(from) || st.NextDue.After(to) {
		t.Errorf("next due %s; want from %s to %s", st.NextDue.Format(time.Stamp), from.Format(time.Stamp), to.Format(time.Stamp))
	}
}

// TestRestartReschedulesChangedIntervals polls two sources, then starts
// the scheduler anew on the same store, as a restart does, with one
// source's interval cut from a day to 15 minutes in the configuration
// meanwhile: that source is next due at its last fetch plus 15 minutes,
// and the other keeps the due time it had.
func TestRestartReschedulesChangedIntervals(t *testing.T) {
	o := feedtest.NewOrigin(t)
	o.Feed("/cut.rss", "application/rss+xml", smallFeed(1))
	o.Feed("/kept.rss", "application/rss+xml", smallFeed(2))
	cut, kept := o.URL("/cut.rss"), o.URL("/kept.rss")
	t0 := time.Date(2026, 11, 3, 12, 0, 0, 0, time.UTC)
	clk := feedtest.NewClock(t0)
	db := mustOpen(t)
	newPollerWith(t, configOf(t, "24h", sourceSpec{cut, ""}, sourceSpec{kept, ""}), db, poller.Options{Now: clk.Now}).PollAll(t.Context(), nil)
	keptDue := state(t, db, kept).NextDue

	clk.Add(5 * time.Minute)
	p := newPollerWith(t, configOf(t, "24h", sourceSpec{cut, "15m"}, sourceSpec{kept, ""}), db, poller.Options{Tick: time.Millisecond, Now: clk.Now})
	run(t, p)
	from, to := t0.Add(15*time.Minute), t0.Add(16*time.Minute+30*time.Second)
	var due time.Time
	if !waitUntil(10*time.Second, func() bool {
		due = state(t, db, cut).NextDue
		return due.Before(t0.Add(time.Hour))
	}) {
		t.Fatalf("after the restart the source cut to 15m is next due %s; want from %s to %s", due.Format(time.Stamp), from.Format(time.Stamp), to.Format(time.Stamp))
	}
	if due.Before(from) || due.After(to) {
		t.Errorf("after the restart the source cut to 15m is next due %s; want from %s to %s", due.Format(time.Stamp), from.Format(time.Stamp), to.Format(time.Stamp))
	}
	if got := state(t, db, kept).NextDue; !got.Equal(keptDue) {
		t.Errorf("after the restart the source of an unchanged interval is next due %s; want %s as before", got.Format(time.Stamp), keptDue.Format(time.Stamp))
	}
}

// TestClockSetBack polls a source while the clock is a year ahead, then
// starts the scheduler anew on the same store with the clock set right:
// the source is next due within its interval of the corrected clock, not
// a year on.
func TestClockSetBack(t *testing.T) {
	o := feedtest.NewOrigin(t)
	o.Feed("/feed.rss", "application/rss+xml", smallFeed(1))
	url := o.URL("/feed.rss")
	t0 := time.Date(2026, 11, 3, 12, 0, 0, 0, time.UTC)
	const year = 365 * 24 * time.Hour
	clk := feedtest.NewClock(t0.Add(year))
	db := mustOpen(t)
	cfg := configOf(t, "30m", sourceSpec{url, ""})
	newPollerWith(t, cfg, db, poller.Options{Now: clk.Now}).PollAll(t.Context(), nil)

	clk.Add(-year)
	p := newPollerWith(t, cfg, db, poller.Options{Tick: time.Millisecond, Now: clk.Now})
	run(t, p)
	from, to := t0.Add(30*time.Minute), t0.Add(33*time.Minute)
	var due time.Time
	if !waitUntil(10*time.Second, func() bool {
		due = state(t, db, url).NextDue
		return due.Before(t0.Add(time.Hour))
	}) {
		t.Fatalf("after the clock was set back a year, the source is next due %s; want from %s to %s",
			due.Format(time.DateTime), from.Format(time.DateTime), to.Format(time.DateTime))
	}
	if due.Before(from) || due.After(to) {
		t.Errorf("after the clock was set back a year, the source is next due %s; want from %s to %s",
			due.Format(time.DateTime), from.Format(time.DateTime), to.Format(time.DateTime))
	}
	clk.Add(34 * time.Minute)
	if !waitUntil(10*time.Second, func() bool { return state(t, db, url).Fetches == 2 }) {
		t.Errorf("the source was not polled again 34 minutes after the clock was set back")
	}
}

// parkedState is the state an earlier version recorded for the source at
// url after a 503 whose Retry-After it took at its word: a wait of a year
// from t0.
func parkedState(url string, t0 time.Time) aggregator.SourceState {
	const year = 365 * 24 * time.Hour
	return aggregator.SourceState{ID: aggregator.SourceID(url), ConfigURL: url, URL: url, Name: "Parked",
		LastFetch: t0, Fetches: 1, LastStatus: 503, LastResult: "rate_limited", Failures: 1, FailingSince: t0,
		LastError:  "http 503 service unavailable from " + url + "; retry after 8760h0m0s",
		RetryAfter: year, NextDue: t0.Add(year), Interval: 30 * time.Minute}
}

// TestParkedSourceReleased starts on a store where an earlier version
// parked a source for a year on one Retry-After: the scheduler, and a poll
// run from cron, ask it again once poll.max_backoff has passed since its
// last fetch, as for a wait asked for now.
func TestParkedSourceReleased(t *testing.T) {
	o := feedtest.NewOrigin(t)
	o.Feed("/polled.rss", "application/rss+xml", smallFeed(1))
	o.Feed("/scheduled.rss", "application/rss+xml", smallFeed(2))
	polled, scheduled := o.URL("/polled.rss"), o.URL("/scheduled.rss")
	t0 := time.Date(2026, 11, 3, 12, 0, 0, 0, time.UTC)
	db := mustOpen(t)
	err := db.Update(t.Context(), func(tx aggregator.Tx) error {
		for _, url := range []string{polled, scheduled} {
			if err := tx.PutSource(parkedState(url, t0)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	clk := feedtest.NewClock(t0.Add(time.Hour))
	p := newPollerWith(t, configOf(t, "30m", sourceSpec{polled, ""}), db, poller.Options{Now: clk.Now})
	if oc := p.PollPolitely(t.Context(), nil)[0]; oc.Result != "skipped" || !oc.Until.Equal(t0.Add(6*time.Hour)) {
		t.Errorf("an hour after the fetch, the parked source: %q until %v; want skipped until %v, when poll.max_backoff (6h) has passed", oc.Result, oc.Until, t0.Add(6*time.Hour))
	}
	clk.Add(5*time.Hour + time.Second)
	if oc := p.PollPolitely(t.Context(), nil)[0]; oc.Result != "ok" {
		t.Errorf("6h after the fetch, the parked source: %q (%v); want it fetched", oc.Result, oc.Err)
	}

	clk = feedtest.NewClock(t0.Add(time.Hour))
	p = newPollerWith(t, configOf(t, "30m", sourceSpec{scheduled, ""}), db, poller.Options{Tick: time.Millisecond, Now: clk.Now})
	run(t, p)
	var due time.Time
	if !waitUntil(10*time.Second, func() bool {
		due = state(t, db, scheduled).NextDue
		return !due.After(t0.Add(6 * time.Hour))
	}) {
		t.Fatalf("the scheduler keeps the parked source due at %s; want it due by %s, when poll.max_backoff (6h) has passed", due.Format(time.DateTime), t0.Add(6*time.Hour).Format(time.DateTime))
	}
	clk.Add(5*time.Hour + time.Second)
	if !waitUntil(10*time.Second, func() bool { return o.Count("/scheduled.rss") == 1 }) {
		t.Errorf("the scheduler did not ask the parked source again 6h after its fetch")
	}
}
