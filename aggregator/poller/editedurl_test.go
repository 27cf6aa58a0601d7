package poller_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/feedtest"
	"github.com/tributary-feeds/tributary/store"
)

// TestEditedURLIsTheSameSource: a source disabled by a 410 Gone and one
// backing off after failures, their URLs edited in the config and their
// names kept, are the same sources (aggregator.BindSources) and are fetched
// at once at their new URLs by a polite pass, enabled again, their waits
// gone with the old URLs.
func TestEditedURLIsTheSameSource(t *testing.T) {
	o := feedtest.NewOrigin(t)
	o.Status("/gone.rss", http.StatusGone, "")
	o.Status("/busy.rss", http.StatusServiceUnavailable, "7200")
	o.Feed("/paper/news.rss", "application/rss+xml", fixture(t, "news.rss"))
	o.Feed("/wire/news.rss", "application/rss+xml", fixture(t, "news.rss"))
	clk := feedtest.NewClock(time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC))
	load := func(paper, wire string, states []aggregator.SourceState) *aggregator.Config {
		t.Helper()
		yml := fmt.Sprintf("poll:\n  allow_private: true\n  timeout: 2s\nstorage:\n  retention: 0\nsources:\n"+
			"  - url: %q\n    name: Paper\n  - url: %q\n    name: Wire\n", paper, wire)
		return boundConfig(t, yml, states)
	}
	db := mustOpen(t)
	cfg := load(o.URL("/gone.rss"), o.URL("/busy.rss"), nil)
	ids := []string{cfg.Sources[0].SourceID(), cfg.Sources[1].SourceID()}
	for _, out := range newPoller(t, cfg, db, clk.Now).PollPolitely(t.Context(), nil) {
		if out.Err == nil {
			t.Fatalf("first poll of %s: %s; want it failing", out.URL, out.Result)
		}
	}
	clk.Add(time.Minute)
	for _, out := range newPoller(t, cfg, db, clk.Now).PollPolitely(t.Context(), nil) {
		if out.Result != "disabled" && out.Result != "skipped" {
			t.Fatalf("second poll of %s at the old URL: %s; want it disabled or skipped", out.URL, out.Result)
		}
	}

	states, err := db.Sources(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	cfg = load(o.URL("/paper/news.rss"), o.URL("/wire/news.rss"), states)
	for i, out := range newPoller(t, cfg, db, clk.Now).PollPolitely(t.Context(), nil) {
		if out.Source != ids[i] || out.Result != "ok" || out.Err != nil || out.New == 0 {
			t.Errorf("poll of %s at its new URL: source %s, %s, %d new, err %v; want source %s, ok, its items", out.Name, out.Source, out.Result, out.New, out.Err, ids[i])
		}
	}
	for i, want := range []string{o.URL("/paper/news.rss"), o.URL("/wire/news.rss")} {
		st, err := db.Source(t.Context(), ids[i])
		if err != nil {
			t.Fatal(err)
		}
		if st.ConfigURL != want || st.URL != want || st.Disabled || st.Failures != 0 || st.LastResult != "ok" {
			t.Errorf("stored state of %s: config_url %s, url %s, disabled %v, failures %d, %s; want both %s, enabled, ok",
				st.Name, st.ConfigURL, st.URL, st.Disabled, st.Failures, st.LastResult, want)
		}
	}
	if all, err := db.Sources(t.Context()); err != nil || len(all) != 2 {
		t.Errorf("stored sources: %d (%v); want the two configured", len(all), err)
	}
}

// TestSwappedAndReplacedSources: two sources that swap URLs are each the
// source stored at its new URL, renamed; a source removed and another
// added under a new name and URL are two sources, the new one taking
// nothing of the old.
func TestSwappedAndReplacedSources(t *testing.T) {
	o := feedtest.NewOrigin(t)
	for _, path := range []string{"/a.rss", "/b.rss", "/c.rss", "/d.rss"} {
		o.Feed(path, "application/rss+xml", fixture(t, "news.rss"))
	}
	clk := feedtest.NewClock(time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC))
	db := mustOpen(t)
	poll := func(sources ...string) *aggregator.Config {
		t.Helper()
		states, err := db.Sources(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		b.WriteString("poll:\n  allow_private: true\n  timeout: 2s\nstorage:\n  retention: 0\nsources:\n")
		for i := 0; i+1 < len(sources); i += 2 {
			fmt.Fprintf(&b, "  - url: %q\n    name: %s\n", o.URL(sources[i]), sources[i+1])
		}
		cfg, err := aggregator.Load(strings.NewReader(b.String()), "test.yaml")
		if err != nil {
			t.Fatal(err)
		}
		aggregator.BindSources(cfg.Sources, states)
		for _, out := range newPoller(t, cfg, db, clk.Now).PollPolitely(t.Context(), nil) {
			if out.Err != nil {
				t.Fatalf("poll of %s: %v", out.URL, out.Err)
			}
		}
		clk.Add(time.Hour)
		return cfg
	}
	before := poll("/a.rss", "A", "/b.rss", "B", "/c.rss", "C")
	after := poll("/b.rss", "A", "/a.rss", "B", "/d.rss", "D")
	if got, want := after.Sources[0].SourceID(), before.Sources[1].SourceID(); got != want {
		t.Errorf("A, now at B's URL: source %s; want %s, stored at that URL", got, want)
	}
	if got, want := after.Sources[1].SourceID(), before.Sources[0].SourceID(); got != want {
		t.Errorf("B, now at A's URL: source %s; want %s, stored at that URL", got, want)
	}
	for _, old := range before.Sources {
		if after.Sources[2].SourceID() == old.SourceID() {
			t.Errorf("D, added as C was removed: source %s, which was %s's", old.SourceID(), old.Name)
		}
	}
	states, err := db.Sources(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, st := range states {
		got[st.ID] = st.Name + " " + st.ConfigURL
	}
	want := map[string]string{
		before.Sources[0].SourceID(): "B " + o.URL("/a.rss"),
		before.Sources[1].SourceID(): "A " + o.URL("/b.rss"),
		before.Sources[2].SourceID(): "C " + o.URL("/c.rss"), // no longer configured, kept with its stories
		after.Sources[2].SourceID():  "D " + o.URL("/d.rss"),
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("stored sources %v; want %v", got, want)
	}
}

// TestEditedURLFailingWaitsItsOwnInterval: a source whose feed asked to be
// read every two hours (<ttl>120</ttl>), its URL edited to an address that
// fails, backs off from its configured interval of ten minutes, not from
// what the old address's feed asked for.
func TestEditedURLFailingWaitsItsOwnInterval(t *testing.T) {
	o := feedtest.NewOrigin(t)
	o.Feed("/slow.rss", "application/rss+xml", fixture(t, "slow-ttl.rss"))
	o.Status("/new/slow.rss", http.StatusServiceUnavailable, "")
	clk := feedtest.NewClock(time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC))
	load := func(url string, states []aggregator.SourceState) *aggregator.Config {
		t.Helper()
		yml := fmt.Sprintf("poll:\n  allow_private: true\n  timeout: 2s\n  interval: 10m\nstorage:\n  retention: 0\nsources:\n"+
			"  - url: %q\n    name: Paper\n", url)
		return boundConfig(t, yml, states)
	}
	db := mustOpen(t)
	cfg := load(o.URL("/slow.rss"), nil)
	id := cfg.Sources[0].SourceID()
	if out := newPoller(t, cfg, db, clk.Now).PollPolitely(t.Context(), nil); out[0].Result != "ok" {
		t.Fatalf("first poll: %s, %v; want ok", out[0].Result, out[0].Err)
	}
	clk.Add(time.Minute)
	states, err := db.Sources(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	cfg = load(o.URL("/new/slow.rss"), states)
	if out := newPoller(t, cfg, db, clk.Now).PollPolitely(t.Context(), nil); out[0].Source != id || out[0].Err == nil {
		t.Fatalf("poll at the new URL: source %s, %s; want source %s failing", out[0].Source, out[0].Result, id)
	}
	st, err := db.Source(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	if wait := st.NextDue.Sub(st.LastFetch); wait > 11*time.Minute || st.FeedTTL != 0 {
		t.Errorf("after a failure at the new URL: next due %s after the fetch, feed ttl %s; want ten minutes and some jitter, no ttl of the old feed", wait, st.FeedTTL)
	}
}

// heldProxy is a source, Paper, that a redirect of the given status led
// to a feed proxy that two other sources' Retry-Afters hold, polled once:
// load gives the config with Paper at a URL, bound to the stored states,
// and states are those stored after the poll.
type heldProxy struct {
	o      *feedtest.Origin
	clk    *feedtest.Clock
	db     *store.DB
	id     string
	states []aggregator.SourceState
	proxy  func(path string) string
	load   func(paper string, states []aggregator.SourceState) *aggregator.Config
}

func newHeldProxy(t *testing.T, redirect int) *heldProxy {
	t.Helper()
	h := &heldProxy{o: feedtest.NewOrigin(t), clk: feedtest.NewClock(time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)), db: mustOpen(t)}
	o := h.o
	h.proxy = func(path string) string { return strings.Replace(o.URL(path), "127.0.0.1", "localhost", 1) }
	o.Feed("/proxy/paper.rss", "application/rss+xml", fixture(t, "news.rss"))
	o.Redirect("/paper.rss", h.proxy("/proxy/paper.rss"), redirect)
	o.Feed("/own/paper.rss", "application/rss+xml", fixture(t, "news.rss"))
	o.Status("/proxy/a.rss", http.StatusTooManyRequests, "7200")
	o.Status("/proxy/b.rss", http.StatusTooManyRequests, "7200")
	h.load = func(paper string, states []aggregator.SourceState) *aggregator.Config {
		t.Helper()
		yml := fmt.Sprintf("poll:\n  allow_private: true\n  timeout: 2s\nstorage:\n  retention: 0\nsources:\n"+
			"  - url: %q\n    name: Paper\n  - url: %q\n    name: A\n  - url: %q\n    name: B\n",
			paper, h.proxy("/proxy/a.rss"), h.proxy("/proxy/b.rss"))
		return boundConfig(t, yml, states)
	}
	cfg := h.load(o.URL("/paper.rss"), nil)
	h.id = cfg.Sources[0].SourceID()
	if out := newPoller(t, cfg, h.db, h.clk.Now).PollPolitely(t.Context(), nil); out[0].Result != "ok" || out[1].Result != "rate_limited" || out[2].Result != "rate_limited" {
		t.Fatalf("first poll: %s, %s, %s; want the paper read through the proxy, the others asked to wait", out[0].Result, out[1].Result, out[2].Result)
	}
	h.clk.Add(time.Minute)
	var err error
	if h.states, err = h.db.Sources(t.Context()); err != nil {
		t.Fatal(err)
	}
	return h
}

// TestEditedURLLeavesTheHeldProxy: a source whose feed a redirect led to a
// proxy that two other sources' Retry-Afters hold is edited to the
// publisher's own feed: a polite pass fetches it there, not held by the
// proxy it no longer goes through.
func TestEditedURLLeavesTheHeldProxy(t *testing.T) {
	h := newHeldProxy(t, http.StatusFound)
	cfg := h.load(h.o.URL("/own/paper.rss"), h.states)
	out := newPoller(t, cfg, h.db, h.clk.Now).PollPolitely(t.Context(), nil)
	if out[0].Source != h.id || out[0].Result == "skipped" || out[0].Err != nil || h.o.Count("/own/paper.rss") != 1 {
		t.Errorf("polite poll of the paper at its own feed: source %s, %s (%s), err %v, asked %d times; want source %s fetched there",
			out[0].Source, out[0].Result, out[0].Reason, out[0].Err, h.o.Count("/own/paper.rss"), h.id)
	}
}

// boundConfig loads the config yml and binds its sources to the stored
// states, as the daemon does at a start or a reload.
func boundConfig(t *testing.T, yml string, states []aggregator.SourceState) *aggregator.Config {
	t.Helper()
	cfg, err := aggregator.Load(strings.NewReader(yml), "test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	aggregator.BindSources(cfg.Sources, states)
	return cfg
}

// TestEditedURLShownStoredLeavesTheHeldProxy reads, as status does with
// the daemon stopped (ShownStored), a source that a permanent redirect led
// to a feed proxy that is now held, after its URL was edited in the config
// to its own feed on another host: it is not waiting for the proxy, as a
// start of the daemon does not hold it there, where status read it
// waiting until the proxy's hold was over.
func TestEditedURLShownStoredLeavesTheHeldProxy(t *testing.T) {
	h := newHeldProxy(t, http.StatusMovedPermanently)
	id, states, proxy := h.id, h.states, h.proxy
	for _, st := range states {
		if st.ID == id && st.URL != proxy("/proxy/paper.rss") {
			t.Fatalf("paper stored at %s; want it moved to the proxy's %s", st.URL, proxy("/proxy/paper.rss"))
		}
	}
	cfg := h.load(h.o.URL("/own/paper.rss"), states)
	shown, err := newPoller(t, cfg, h.db, h.clk.Now).ShownStored(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, st := range shown {
		switch {
		case st.ID == id:
			found = true
			if st.Held != "" {
				t.Errorf("paper configured at its own feed shown held: %q, due %s; want it not waiting for the proxy", st.Held, st.NextDue)
			}
		case st.Held == "":
			t.Errorf("%s shown not held; want the proxy's sources waiting for its hold", st.URL)
		}
	}
	if !found {
		t.Errorf("no state shown for the paper, source %s", id)
	}
}
