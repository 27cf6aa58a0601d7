package poller_test

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/feedtest"
	"github.com/tributary-feeds/tributary/aggregator/poller"
)

// TestRemovedSourceForgotten removes a source from the configuration, and
// moves its URL: each old state stays, for status to show, while a story
// holds one of its items, and goes with the prune that takes the last of
// them, a retention after its last fetch. The configured source keeps its
// state throughout.
func TestRemovedSourceForgotten(t *testing.T) {
	o := feedtest.NewOrigin(t)
	o.Feed("/gazette.rss", "application/rss+xml", fixture(t, "news.rss"))     // items of 2026-11-03 09:00 and 10:00
	o.Feed("/almanac.rss", "application/rss+xml", fixture(t, "slow-ttl.rss")) // an item of 2026-11-03 08:00
	o.Feed("/almanac-moved.rss", "application/rss+xml", fixture(t, "slow-ttl.rss"))
	configure := func(paths ...string) *aggregator.Config { return retainingConfig(t, o, paths...) }
	db := mustOpen(t)
	clk := feedtest.NewClock(time.Date(2026, 11, 4, 12, 0, 0, 0, time.UTC))
	p := newPoller(t, configure("/gazette.rss", "/almanac.rss", "/extra.rss"), db, clk.Now)
	p.PollAll(t.Context(), nil) // /extra.rss fails: it stores a state and no item
	exists := func(path string) bool {
		t.Helper()
		_, err := db.Source(t.Context(), aggregator.SourceID(o.URL(path)))
		if err != nil && !errors.Is(err, aggregator.ErrNotFound) {
			t.Fatal(err)
		}
		return err == nil
	}
	if !exists("/almanac.rss") || !exists("/extra.rss") {
		t.Fatal("states not stored")
	}

	// The almanac moves, /extra.rss goes: within the retention, status
	// still shows their old states.
	reload(t, p, configure("/gazette.rss", "/almanac-moved.rss"))
	clk.Add(time.Hour)
	p.PollAll(t.Context(), nil)
	p.Prune(t.Context())
	for _, path := range []string{"/gazette.rss", "/almanac.rss", "/extra.rss", "/almanac-moved.rss"} {
		if !exists(path) {
			t.Errorf("within the retention: the state of %s was deleted", path)
		}
	}

	// A retention after their last fetch, the prune takes their stories,
	// and their states with them.
	clk.Add(720 * time.Hour)
	p.Prune(t.Context())
	for path, want := range map[string]bool{"/gazette.rss": true, "/almanac-moved.rss": true, "/almanac.rss": false, "/extra.rss": false} {
		if got := exists(path); got != want {
			t.Errorf("a retention later: state of %s stored = %v; want %v", path, got, want)
		}
	}
}

// retainingConfig returns the configuration of the sources at paths on o,
// with a retention of 720h.
func retainingConfig(t *testing.T, o *feedtest.Origin, paths ...string) *aggregator.Config {
	t.Helper()
	var b strings.Builder
	b.WriteString("poll:\n  allow_private: true\nstorage:\n  retention: 720h\nsources:\n")
	for _, p := range paths {
		fmt.Fprintf(&b, "  - url: %q\n", o.URL(p))
	}
	cfg, err := aggregator.Load(strings.NewReader(b.String()), "test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// TestPruneHoldsAShortRetention runs the scheduler under a retention of
// two hours and then of one: a story is pruned within a tenth of a short
// retention of passing it, and a reload that cuts the retention prunes at
// once, where both waited for the hourly prune.
func TestPruneHoldsAShortRetention(t *testing.T) {
	o := feedtest.NewOrigin(t)
	o.Feed("/gazette.rss", "application/rss+xml", fixture(t, "news.rss")) // items of 2026-11-03 09:00 and 10:00
	configure := func(retention string) *aggregator.Config {
		cfg, err := aggregator.Load(strings.NewReader("poll:\n  allow_private: true\nstorage:\n  retention: "+retention+
			"\nsources:\n  - url: "+o.URL("/gazette.rss")+"\n"), "test.yaml")
		if err != nil {
			t.Fatal(err)
		}
		return cfg
	}
	db := mustOpen(t)
	stories := func() int {
		ids, err := db.StoryIDs(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		return len(ids)
	}
	// 10:00 is 90 minutes old, 09:00 past the retention: left out.
	clk := feedtest.NewClock(time.Date(2026, 11, 3, 11, 30, 0, 0, time.UTC))
	p := newPollerWith(t, configure("2h"), db, poller.Options{Tick: time.Millisecond, FirstDelay: time.Millisecond, Now: clk.Now})
	p.PollAll(t.Context(), nil)
	stop := run(t, p)
	defer stop()
	if !waitUntil(10*time.Second, func() bool { return stories() == 1 }) {
		t.Fatalf("%d stories stored; want the one within the retention", stories())
	}
	// Forty minutes on, the story is past the retention by ten.
	clk.Add(40 * time.Minute)
	if !waitUntil(10*time.Second, func() bool { return stories() == 0 }) {
		t.Errorf("%d stories stored twenty minutes after one passed a retention of 2h; want it pruned", stories())
	}
	// A new source's story, 2h10m old under a retention of 3h, and a
	// reload that cuts the retention to 90 minutes: pruned at once.
	o.Feed("/gazette2.rss", "application/rss+xml", fixture(t, "news.rss"))
	moved := func(retention string) *aggregator.Config {
		cfg := configure(retention)
		cfg.Sources[0].URL = o.URL("/gazette2.rss")
		return cfg
	}
	reload(t, p, moved("3h"))
	// The clock moves a second at a time until the new source's first
	// poll, which the loop schedules at its next pass, comes due.
	if !waitUntil(10*time.Second, func() bool { clk.Add(time.Second); return stories() == 1 }) {
		t.Fatalf("%d stories stored after the reload; want the new source's one", stories())
	}
	reload(t, p, moved("90m"))
	if !waitUntil(10*time.Second, func() bool { return stories() == 0 }) {
		t.Errorf("%d stories stored after a reload cut the retention to 90m; want the story of 2h10m pruned", stories())
	}
}

// TestRetentionAfterTheClockWasSetAheadWhileStopped restarts on a store
// under a clock set a year ahead while the daemon was stopped: no story is
// pruned at the start, and a new item is stored rather than left out as
// older than the retention, since the retention counts from the store's
// last fetch and its feeds' newest items, not from a clock they
// contradict. Once a month has passed by the time counted since, the
// stories go; and after a real stop of two months, the feeds' new items
// vouch for the clock, and the old stories go at once.
func TestRetentionAfterTheClockWasSetAheadWhileStopped(t *testing.T) {
	start := time.Date(2026, 11, 4, 12, 0, 0, 0, time.UTC)
	o := feedtest.NewOrigin(t)
	o.Feed("/gazette.rss", "application/rss+xml", fixture(t, "news.rss")) // items of 2026-11-03 09:00 and 10:00
	wire := func(title string, at time.Time) {
		o.Feed("/wire.rss", "application/rss+xml", []byte(`<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>`+
			`<link>https://wire.example/</link><description>d</description>`+
			fmt.Sprintf(`<item><guid>https://wire.example/%[1]d</guid><link>https://wire.example/%[1]d</link><title>%[2]s</title>`+
				`<description>%[2]s, the wire reports at length.</description><pubDate>%[3]s</pubDate></item>`, at.Unix(), title, at.Format(time.RFC1123Z))+
			`</channel></rss>`))
	}
	wire("Council approves the tram line", start.Add(-time.Hour))
	db := mustOpen(t)
	cfg := retainingConfig(t, o, "/gazette.rss", "/wire.rss")
	clk := feedtest.NewClock(start)
	p := newPoller(t, cfg, db, clk.Now)
	p.PollAll(t.Context(), nil)
	stories := func() int {
		t.Helper()
		ids, err := db.StoryIDs(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		return len(ids)
	}
	if n := stories(); n != 3 {
		t.Fatalf("%d stories stored; want the gazette's 2 and the wire's 1", n)
	}

	// Restarted a year ahead.
	clk.Add(365 * 24 * time.Hour)
	var log bytes.Buffer
	p = newPollerWith(t, cfg, db, poller.Options{Now: clk.Now, Logger: slog.New(slog.NewTextHandler(&log, nil))})
	var counted time.Duration
	poller.SetElapsed(p, func(time.Time) time.Duration { return counted })
	p.Prune(t.Context())
	if n := stories(); n != 3 {
		t.Errorf("%d stories after a restart under a clock set a year ahead; want the 3 kept", n)
	}
	if want := `msg="the clock is further ahead than the store's last fetch and its feeds' newest items attest; the retention counts back from what they attest" component=poller clock=2027-11-04T12:00:00Z attested=2026-11-04T12:00:00Z`; !strings.Contains(log.String(), want) {
		t.Errorf("the prune logged:\n%s\nwant a line with %s", log.String(), want)
	}
	wire("Tram line opens to passengers", start.Add(30*time.Minute))
	if out := p.PollAll(t.Context(), nil); out[1].New != 1 || out[1].Expired != 0 {
		t.Errorf("the wire's new item under a clock set a year ahead: %d new, %d expired; want it stored", out[1].New, out[1].Expired)
	}
	counted = 745 * time.Hour
	p.Prune(t.Context())
	if n := stories(); n != 0 {
		t.Errorf("%d stories a month later by the time counted; want them pruned", n)
	}

	// A real stop of two months: the wire's new item, of the day, says so.
	clk = feedtest.NewClock(start)
	db = mustOpen(t)
	wire("Council approves the tram line", start.Add(-time.Hour))
	newPoller(t, cfg, db, clk.Now).PollAll(t.Context(), nil)
	clk.Add(60 * 24 * time.Hour)
	p = newPoller(t, cfg, db, clk.Now)
	poller.SetElapsed(p, func(time.Time) time.Duration { return time.Minute })
	wire("Tram line opens to passengers", clk.Now().Add(-2*time.Hour))
	p.PollAll(t.Context(), nil)
	p.Prune(t.Context())
	if n := stories(); n != 1 {
		t.Errorf("%d stories after a stop of two months and a feed's item of the day; want only that item's", n)
	}
}

// TestItemsReadWhileTheClockWasSetBack restarts on a store under a clock
// set a year back while the daemon was stopped, and reads feeds whose new
// items are dated after the clock: each item keeps its date, which the
// store's last fetch and its feed vouch for, rather than being dated a
// year back by the clock, and so it is neither pruned nor put at the end
// of its topics once the clock is right again.
func TestItemsReadWhileTheClockWasSetBack(t *testing.T) {
	start := time.Date(2026, 11, 4, 12, 0, 0, 0, time.UTC)
	o := feedtest.NewOrigin(t)
	item := func(n int, title string, at time.Time) string {
		return fmt.Sprintf(`<item><guid>https://wire.example/%[1]d</guid><link>https://wire.example/%[1]d</link><title>%[2]s</title>`+
			`<description>%[2]s, the wire reports at length.</description><pubDate>%[3]s</pubDate></item>`, n, title, at.Format(time.RFC1123Z))
	}
	feed := func(path string, items ...string) {
		o.Feed(path, "application/rss+xml", []byte(`<?xml version="1.0"?><rss version="2.0"><channel><title>`+path+`</title>`+
			`<link>https://wire.example/</link><description>d</description>`+strings.Join(items, "")+`</channel></rss>`))
	}
	wire := func(items ...string) { feed("/wire.rss", items...) }
	council := item(1, "Council approves the tram line", start.Add(-time.Hour))
	wire(council)
	o.Feed("/gazette.rss", "application/rss+xml", fixture(t, "news.rss")) // items of 2026-11-03 09:00 and 10:00
	db := mustOpen(t)
	cfg := retainingConfig(t, o, "/gazette.rss", "/wire.rss")
	clk := feedtest.NewClock(start)
	newPoller(t, cfg, db, clk.Now).PollAll(t.Context(), nil)

	// Restarted an hour later, under a clock set a year back.
	const year = 365 * 24 * time.Hour
	clk.Add(time.Hour - year)
	p := newPoller(t, cfg, db, clk.Now)
	poller.SetElapsed(p, func(time.Time) time.Duration { return time.Hour })
	opens := start.Add(30 * time.Minute)
	wire(item(2, "Tram line opens to passengers", opens), council)
	feed("/gazette.rss", item(4, "Harbour wall repairs begin after the storm", start.Add(20*time.Minute)))
	if out := p.PollAll(t.Context(), nil); out[0].New != 1 || out[1].New != 1 {
		t.Fatalf("the new items under a clock set a year back: %+v; want each stored", out)
	}
	published := func() map[string]time.Time {
		t.Helper()
		at := map[string]time.Time{}
		err := db.Export(t.Context(), func(it aggregator.Item, _ aggregator.Story) error {
			at[it.Title] = it.Published
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return at
	}
	read := map[string]time.Time{
		"Tram line opens to passengers":              opens,
		"Harbour wall repairs begin after the storm": start.Add(20 * time.Minute),
	}
	at := published()
	for title, want := range read {
		if !at[title].Equal(want) {
			t.Errorf("%q, read under a clock set a year back, is dated %s; want its own date, %s", title, at[title].Format(time.RFC3339), want.Format(time.RFC3339))
		}
	}

	// The clock is set right, and the wire's next item vouches for it: the
	// prune keeps the item.
	clk = feedtest.NewClock(start.Add(2 * time.Hour))
	p = newPoller(t, cfg, db, clk.Now)
	wire(item(3, "Tram fares announced for the new line", start.Add(110*time.Minute)), item(2, "Tram line opens to passengers", opens), council)
	p.PollAll(t.Context(), nil)
	p.Prune(t.Context())
	at = published()
	for title := range read {
		if _, ok := at[title]; !ok {
			t.Errorf("%q, read under a clock set a year back, was pruned once the clock was right", title)
		}
	}
}

// TestRetentionAfterTheClockJumps sets the clock a year ahead an hour
// after the start: the prune keeps the stories, and a feed's new item is
// stored rather than left out as older than the retention, since the
// retention counts the time that passed, not the clock's jump. Once a
// month has passed by that count, the stories go.
func TestRetentionAfterTheClockJumps(t *testing.T) {
	start := time.Date(2026, 11, 4, 12, 0, 0, 0, time.UTC)
	o := feedtest.NewOrigin(t)
	o.Feed("/gazette.rss", "application/rss+xml", fixture(t, "news.rss")) // items of 2026-11-03 09:00 and 10:00
	o.Feed("/wire.rss", "application/rss+xml", []byte(`<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>`+
		`<link>https://wire.example/</link><description>d</description></channel></rss>`))
	db := mustOpen(t)
	clk := feedtest.NewClock(start)
	p := newPoller(t, retainingConfig(t, o, "/gazette.rss", "/wire.rss"), db, clk.Now)
	var counted time.Duration
	poller.SetElapsed(p, func(time.Time) time.Duration { return counted })
	stories := func() int {
		t.Helper()
		ids, err := db.StoryIDs(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		return len(ids)
	}
	p.PollAll(t.Context(), nil)
	if n := stories(); n != 2 {
		t.Fatalf("%d stories stored; want the gazette's 2", n)
	}

	clk.Add(365*24*time.Hour + time.Hour)
	counted = time.Hour
	p.Prune(t.Context())
	if n := stories(); n != 2 {
		t.Errorf("%d stories after a prune by a clock set a year ahead; want the 2 kept", n)
	}
	o.Feed("/wire.rss", "application/rss+xml", []byte(`<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>`+
		`<link>https://wire.example/</link><description>d</description><item><guid>https://wire.example/tram</guid>`+
		`<link>https://wire.example/tram</link><title>Council approves the tram line</title>`+
		`<description>The council approved the tram line on Wednesday.</description><pubDate>`+
		start.Add(30*time.Minute).Format(time.RFC1123Z)+`</pubDate></item></channel></rss>`))
	if out := p.PollAll(t.Context(), nil); out[1].New != 1 || out[1].Expired != 0 {
		t.Errorf("the wire's new item under a clock set a year ahead: %d new, %d expired; want it stored", out[1].New, out[1].Expired)
	}

	counted = 745 * time.Hour
	p.Prune(t.Context())
	if n := stories(); n != 0 {
		t.Errorf("%d stories a month later by the time counted; want them pruned", n)
	}
}

// TestRetentionAfterTheClockIsSetRight restarts on a store under a clock a
// year behind its last fetch, as a machine without a clock of its own
// starts until a time service sets it, and then sets the clock right: a
// month later by the time counted, once a feed's new item vouches for the
// clock, the stories older than the retention go, where the retention went
// on counting from the clock at the start and pruned nothing until the
// next restart.
func TestRetentionAfterTheClockIsSetRight(t *testing.T) {
	start := time.Date(2026, 11, 4, 12, 0, 0, 0, time.UTC)
	o := feedtest.NewOrigin(t)
	o.Feed("/gazette.rss", "application/rss+xml", fixture(t, "news.rss")) // items of 2026-11-03 09:00 and 10:00
	o.Feed("/wire.rss", "application/rss+xml", []byte(`<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>`+
		`<link>https://wire.example/</link><description>d</description></channel></rss>`))
	db := mustOpen(t)
	cfg := retainingConfig(t, o, "/gazette.rss", "/wire.rss")
	clk := feedtest.NewClock(start)
	newPoller(t, cfg, db, clk.Now).PollAll(t.Context(), nil)
	stories := func() int {
		t.Helper()
		ids, err := db.StoryIDs(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		return len(ids)
	}
	if n := stories(); n != 2 {
		t.Fatalf("%d stories stored; want the gazette's 2", n)
	}

	// Restarted an hour later, under a clock a year behind.
	const year = 365 * 24 * time.Hour
	clk.Add(time.Hour - year)
	p := newPoller(t, cfg, db, clk.Now)
	var counted time.Duration
	poller.SetElapsed(p, func(time.Time) time.Duration { return counted })
	p.Prune(t.Context())
	if n := stories(); n != 2 {
		t.Fatalf("%d stories after a prune under a clock a year behind; want the 2 kept", n)
	}

	// The clock is set right, a month passes, and the wire sends an item
	// of the day.
	counted = 745 * time.Hour
	clk.Add(year + counted)
	o.Feed("/wire.rss", "application/rss+xml", []byte(`<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>`+
		`<link>https://wire.example/</link><description>d</description><item><guid>https://wire.example/fares</guid>`+
		`<link>https://wire.example/fares</link><title>Tram fares announced for the new line</title>`+
		`<description>The council set the tram fares on Monday.</description><pubDate>`+
		clk.Now().Add(-2*time.Hour).Format(time.RFC1123Z)+`</pubDate></item></channel></rss>`))
	p.PollAll(t.Context(), nil)
	p.Prune(t.Context())
	if n := stories(); n != 1 {
		t.Errorf("%d stories a month after the clock was set right; want the wire's item of the day alone, the gazette's 2, older than the retention, pruned", n)
	}
}

// TestRetentionAfterFetchesStoredAhead restarts, under the right clock, on
// a store whose last fetch a clock a year ahead recorded, and then sets the
// clock a year ahead again: the prune keeps the stories, as the feeds' items
// vouch for the clock at the start, not for the store's last fetch.
func TestRetentionAfterFetchesStoredAhead(t *testing.T) {
	start := time.Date(2026, 11, 4, 12, 0, 0, 0, time.UTC)
	const year = 365 * 24 * time.Hour
	o := feedtest.NewOrigin(t)
	o.Feed("/gazette.rss", "application/rss+xml", fixture(t, "news.rss")) // items of 2026-11-03 09:00 and 10:00
	wire := func(title string, at time.Time) {
		o.Feed("/wire.rss", "application/rss+xml", []byte(`<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>`+
			`<link>https://wire.example/</link><description>d</description>`+
			fmt.Sprintf(`<item><guid>https://wire.example/%[1]d</guid><link>https://wire.example/%[1]d</link><title>%[2]s</title>`+
				`<description>%[2]s, the wire reports at length.</description><pubDate>%[3]s</pubDate></item>`, at.Unix(), title, at.Format(time.RFC1123Z))+
			`</channel></rss>`))
	}
	wire("Council approves the tram line", start.Add(-time.Hour))
	db := mustOpen(t)
	cfg := retainingConfig(t, o, "/gazette.rss", "/wire.rss")
	clk := feedtest.NewClock(start)
	newPoller(t, cfg, db, clk.Now).PollAll(t.Context(), nil)
	stories := func() int {
		t.Helper()
		ids, err := db.StoryIDs(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		return len(ids)
	}

	// Restarted under a clock a year ahead, which the fetches record.
	clk.Add(year)
	p := newPoller(t, cfg, db, clk.Now)
	poller.SetElapsed(p, func(time.Time) time.Duration { return time.Minute })
	p.PollAll(t.Context(), nil)
	if n := stories(); n != 3 {
		t.Fatalf("%d stories stored; want the gazette's 2 and the wire's 1", n)
	}

	// Restarted under the right clock; the wire sends an item of the hour;
	// then the clock jumps a year ahead again.
	clk = feedtest.NewClock(start.Add(2 * time.Hour))
	p = newPoller(t, cfg, db, clk.Now)
	var counted time.Duration
	poller.SetElapsed(p, func(time.Time) time.Duration { return counted })
	wire("Tram line opens to passengers", start.Add(time.Hour))
	p.PollAll(t.Context(), nil)
	counted = time.Hour
	clk.Add(year + counted)
	p.Prune(t.Context())
	if n := stories(); n != 4 {
		t.Errorf("%d stories after a prune by a clock a year ahead; want the 4 kept", n)
	}
}

// TestClockJumpLoggedOnce sets the clock a year ahead an hour after the
// start and prunes hourly for a day: the jump is logged at the first prune
// only, not at every prune for the rest of the run; a second jump is
// logged when it comes.
func TestClockJumpLoggedOnce(t *testing.T) {
	start := time.Date(2026, 11, 4, 12, 0, 0, 0, time.UTC)
	o := feedtest.NewOrigin(t)
	o.Feed("/gazette.rss", "application/rss+xml", fixture(t, "news.rss"))
	o.Feed("/wire.rss", "application/rss+xml", []byte(`<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>`+
		`<link>https://wire.example/</link><description>d</description></channel></rss>`))
	db := mustOpen(t)
	clk := feedtest.NewClock(start)
	var log bytes.Buffer
	p := newPollerWith(t, retainingConfig(t, o, "/gazette.rss", "/wire.rss"), db,
		poller.Options{Now: clk.Now, Logger: slog.New(slog.NewTextHandler(&log, nil))})
	var counted time.Duration
	poller.SetElapsed(p, func(time.Time) time.Duration { return counted })
	p.PollAll(t.Context(), nil)

	const msg = "the clock moved further ahead than the time counted since the start"
	clk.Add(365*24*time.Hour + time.Hour)
	counted = time.Hour
	pruneHourly(t, p, clk, &counted, 24)
	if n := strings.Count(log.String(), msg); n != 1 {
		t.Errorf("the jump of the clock was logged %d times over 24 prunes; want once:\n%s", n, log.String())
	}
	clk.Add(24 * time.Hour) // ahead by a day more
	p.Prune(t.Context())
	p.Prune(t.Context())
	if n := strings.Count(log.String(), msg); n != 2 {
		t.Errorf("a second jump of the clock: logged %d times in all; want twice", n)
	}
}

// pruneHourly prunes n times, an hour apart, the clock and the time the
// poller counted since its start moved on together after each prune.
func pruneHourly(t *testing.T, p *poller.Poller, clk *feedtest.Clock, counted *time.Duration, n int) {
	t.Helper()
	for range n {
		p.Prune(t.Context())
		clk.Add(time.Hour)
		*counted += time.Hour
	}
}

// TestClockAheadOfStoreLoggedOnce restarts on a store under a clock set a
// year ahead while the daemon was stopped and prunes hourly for a day: the
// clock being further ahead than the store and the feeds attest is logged
// at the first prune only, not at every prune for the rest of the run; the
// clock then set a day further ahead is logged once, as a jump.
func TestClockAheadOfStoreLoggedOnce(t *testing.T) {
	start := time.Date(2026, 11, 4, 12, 0, 0, 0, time.UTC)
	o := feedtest.NewOrigin(t)
	o.Feed("/gazette.rss", "application/rss+xml", fixture(t, "news.rss"))
	o.Feed("/wire.rss", "application/rss+xml", []byte(`<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>`+
		`<link>https://wire.example/</link><description>d</description></channel></rss>`))
	db := mustOpen(t)
	cfg := retainingConfig(t, o, "/gazette.rss", "/wire.rss")
	clk := feedtest.NewClock(start)
	newPoller(t, cfg, db, clk.Now).PollAll(t.Context(), nil)

	// Restarted a year ahead.
	clk.Add(365 * 24 * time.Hour)
	var log bytes.Buffer
	p := newPollerWith(t, cfg, db, poller.Options{Now: clk.Now, Logger: slog.New(slog.NewTextHandler(&log, nil))})
	var counted time.Duration
	poller.SetElapsed(p, func(time.Time) time.Duration { return counted })
	const msg = "the clock is further ahead than the store's last fetch and its feeds' newest items attest"
	pruneHourly(t, p, clk, &counted, 24)
	if n := strings.Count(log.String(), msg); n != 1 {
		t.Errorf("the clock ahead of the store was logged %d times over 24 prunes; want once:\n%s", n, log.String())
	}
	clk.Add(24 * time.Hour) // ahead by a day more
	p.Prune(t.Context())
	p.Prune(t.Context())
	const jump = "the clock moved further ahead than the time counted since the start"
	if n, m := strings.Count(log.String(), msg), strings.Count(log.String(), jump); n != 1 || m != 1 {
		t.Errorf("the clock set a day further ahead: logged as ahead of the store %d times in all, as a jump %d times; want once each:\n%s", n, m, log.String())
	}
}
