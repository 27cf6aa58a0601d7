package poller_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/feedtest"
	"github.com/tributary-feeds/tributary/aggregator/poller"
	"github.com/tributary-feeds/tributary/aggregator/publish"
	"github.com/tributary-feeds/tributary/aggregator/topic"
)

// TestReloadRenamesSources renames a source by a reload, with a day to its
// next poll: its stored state, the published feeds and its last-success
// series take the new name at once, not when it is next polled.
func TestReloadRenamesSources(t *testing.T) {
	o := feedtest.NewOrigin(t)
	o.Feed("/desk.rss", "application/rss+xml", []byte(`<rss version="2.0"><channel><title>Island Post</title><link>http://post.example/</link>
<item><title>Ferry timetable changes from Monday</title><link>http://post.example/1</link><guid>p1</guid></item></channel></rss>`))
	url := o.URL("/desk.rss")
	configure := func(name string) *aggregator.Config {
		cfg, err := aggregator.Load(strings.NewReader("poll:\n  interval: 24h\n  allow_private: true\nstorage:\n  retention: 0\nsources:\n  - url: \""+url+"\"\n    name: \""+name+"\"\n"), "test.yaml")
		if err != nil {
			t.Fatal(err)
		}
		return cfg
	}
	cfg := configure("Ferry Desk")
	tags, err := topic.Compile(cfg.Topics, cfg.Sources)
	if err != nil {
		t.Fatal(err)
	}
	db := mustOpen(t)
	reg := prometheus.NewRegistry()
	pub := publish.New(cfg, db, tags.Topics(), nil, quiet)
	clk := feedtest.NewClock(time.Date(2026, 11, 3, 12, 0, 0, 0, time.UTC))
	p := newPollerWith(t, cfg, db, poller.Options{Tick: time.Millisecond, Now: clk.Now, Notify: pub, Registerer: reg})
	feed := func() string { return allAtom(t, pub) }
	p.PollAll(t.Context(), nil)
	if body := feed(); !strings.Contains(body, "Ferry Desk") {
		t.Fatalf("the feed does not name the source Ferry Desk:\n%s", body)
	}
	run(t, p)

	cfg = configure("Island Ferries")
	tags, err = topic.Compile(cfg.Topics, cfg.Sources)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Reload(cfg, tags); err != nil {
		t.Fatal(err)
	}
	pub.SetConfig(cfg, tags.Topics()) // as the daemon's reload does
	if !waitUntil(10*time.Second, func() bool { return state(t, db, url).Name == "Island Ferries" }) {
		t.Fatalf("stored name %q after the reload; want Island Ferries", state(t, db, url).Name)
	}
	if !waitUntil(10*time.Second, func() bool { return strings.Contains(feed(), "Island Ferries") }) {
		t.Errorf("the feed does not name the source Island Ferries after the reload:\n%s", feed())
	}
	if body := feed(); strings.Contains(body, "Ferry Desk") {
		t.Errorf("the feed still names the source Ferry Desk after the reload:\n%s", body)
	}
	if got, want := lastSuccessSeries(t, reg), []string{"Island Ferries"}; !slices.Equal(got, want) {
		t.Errorf("last-success series %q after the reload; want %q", got, want)
	}
	if n := o.Count("/desk.rss"); n != 1 {
		t.Errorf("the source was fetched %d times; want once, before the reload", n)
	}
}
