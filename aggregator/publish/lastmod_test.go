package publish_test

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/publish"
)

// TestLastModifiedMovesWhenAStoryLeaves checks that a client sending only
// If-Modified-Since sees a feed change even when no story's Updated moved,
// as when a story leaves the topic.
func TestLastModifiedMovesWhenAStoryLeaves(t *testing.T) {
	f := newFixture(t)
	resp, _ := f.get(t, "/topics/world.atom")
	lm := resp.Header.Get("Last-Modified")
	if lm == "" {
		t.Fatal("no Last-Modified on /topics/world.atom")
	}
	// Take a world story out of the topic without touching its Updated.
	err := f.db.Update(t.Context(), func(tx aggregator.Tx) error {
		for _, id := range f.ids {
			st, err := tx.Story(id)
			if err != nil {
				return err
			}
			for i, topic := range st.Topics {
				if topic == "world" {
					st.Topics = append(st.Topics[:i:i], st.Topics[i+1:]...)
					return tx.PutStory(st)
				}
			}
		}
		t.Fatal("no fixture story is in world")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	f.pub.SetClock(func() time.Time { return fixedNow().Add(time.Hour) })
	f.pub.Changed("world")
	resp, _ = f.do(t, http.MethodGet, "/topics/world.atom", "If-Modified-Since: "+lm)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("after a story left the topic, If-Modified-Since %s got %d; want 200 with the new feed", lm, resp.StatusCode)
	}
	if got := resp.Header.Get("Last-Modified"); got == lm {
		t.Errorf("Last-Modified stayed %s although the feed changed", got)
	}
}

// TestStoryDatedAhead stores a story whose source dated it 30 hours after
// it arrived (a wrong time zone, a post scheduled for later). No format may
// announce that time to come, and Last-Modified must stay in the past, so
// that a client sending it back as If-Modified-Since still sees the
// stories that come in before then.
func TestStoryDatedAhead(t *testing.T) {
	f := newFixture(t)
	arrived := fixedNow().Add(-time.Hour)
	ids := putStories(t, f.db, storySpec{
		at: fixedNow().Add(30 * time.Hour), upd: -31 * time.Hour, topics: []string{"all", "world", "paged"},
		items: []itemSpec{{src: srcBeta, guid: "b-ahead", title: "Dated ahead", link: "https://beta.example/ahead"}},
	})
	f.pub.Changed("all", "world", "paged")

	resp, atom := f.get(t, "/topics/world.atom")
	e := checkAtom(t, "world.atom", atom).Entries[0]
	if e.ID != "urn:tributary:story:"+ids[0] || e.Published != arrived.Format(time.RFC3339) || e.Updated != e.Published {
		t.Errorf("world.atom entry 0 = %s published %s, updated %s; want the story dated ahead, published and updated as it arrived, %s",
			e.ID, e.Published, e.Updated, arrived.Format(time.RFC3339))
	}
	_, rss := f.get(t, "/topics/world.rss")
	if got := checkRSS(t, "world.rss", rss).Channel.Items[0].PubDate; got != arrived.Format(time.RFC1123Z) {
		t.Errorf("world.rss item 0 pubDate %s; want %s", got, arrived.Format(time.RFC1123Z))
	}
	_, js := f.get(t, "/topics/world.json")
	if got := (*checkJSON(t, "world.json", js).Items)[0].Published; got != arrived.Format(time.RFC3339) {
		t.Errorf("world.json item 0 date_published %s; want %s", got, arrived.Format(time.RFC3339))
	}
	// Pages still follow the story's own time: it heads the first page,
	// and the pages hold every story once.
	seen := map[string]bool{}
	for path, pages := "/topics/paged.atom", 0; path != "" && pages < 10; pages++ {
		_, body := f.get(t, path)
		doc := checkAtom(t, path, body)
		for _, e := range doc.Entries {
			if seen[e.ID] {
				t.Errorf("%s repeats %s", path, e.ID)
			}
			seen[e.ID] = true
		}
		path = ""
		for _, l := range doc.Links {
			if l.Rel == "next" {
				path = strings.TrimPrefix(l.Href, testBase)
			}
		}
	}
	if len(seen) != 6 || !seen["urn:tributary:story:"+ids[0]] {
		t.Errorf("the pages of paged hold %d stories; want the 5 of the fixture and the one dated ahead", len(seen))
	}

	lm := resp.Header.Get("Last-Modified")
	if want := arrived.Format(http.TimeFormat); lm != want {
		t.Fatalf("Last-Modified = %s; want %s, when the newest story came in", lm, want)
	}

	// A story comes in: a client that sends only If-Modified-Since gets it.
	putStories(t, f.db, storySpec{
		at: fixedNow().Add(-30 * time.Minute), topics: []string{"all", "world"},
		items: []itemSpec{{src: srcAlpha, guid: "a-next", title: "Next story", link: "https://alpha.example/next"}},
	})
	f.pub.Changed("all", "world")
	if resp, _ := f.do(t, http.MethodGet, "/topics/world.atom", "If-Modified-Since: "+lm); resp.StatusCode != http.StatusOK {
		t.Errorf("after a new story, If-Modified-Since %s got %d; want 200 with it", lm, resp.StatusCode)
	}

	// Stored times ahead of the clock (the clock was set back) give a
	// Last-Modified of now, never later.
	putStories(t, f.db, storySpec{
		at: fixedNow().Add(2 * time.Hour), topics: []string{"all", "world"},
		items: []itemSpec{{src: srcAlpha, guid: "a-skew", title: "Stored ahead", link: "https://alpha.example/skew"}},
	})
	f.pub.Changed("all", "world")
	resp, _ = f.get(t, "/topics/world.json")
	if got, want := resp.Header.Get("Last-Modified"), fixedNow().Format(http.TimeFormat); got != want {
		t.Errorf("with a story stored as updated 2h ahead, Last-Modified = %s; want the clock's %s", got, want)
	}
}

// TestLastModifiedAcrossReload checks that a reload that changes a feed's
// bytes without moving any story's Updated (here a topic's new title) gives
// the feed a new Last-Modified, and that one that changes nothing keeps it.
func TestLastModifiedAcrossReload(t *testing.T) {
	f := newFixture(t)
	resp, _ := f.get(t, "/topics/world.rss")
	lm := resp.Header.Get("Last-Modified")

	// The same configuration again: the same bytes, the same date.
	f.pub.SetClock(func() time.Time { return fixedNow().Add(time.Hour) })
	f.pub.SetConfig(f.cfg, topicsCfg)
	resp, _ = f.do(t, http.MethodGet, "/topics/world.rss", "If-Modified-Since: "+lm)
	if resp.StatusCode != http.StatusNotModified || resp.Header.Get("Last-Modified") != lm {
		t.Errorf("after reloading the same configuration, If-Modified-Since %s got %d with Last-Modified %q; want 304, unchanged",
			lm, resp.StatusCode, resp.Header.Get("Last-Modified"))
	}

	// A new title: the feed changed, and a client that sends only
	// If-Modified-Since must get it.
	topics := slices.Clone(topicsCfg)
	topics[1].Title = "World news, renamed"
	f.pub.SetClock(func() time.Time { return fixedNow().Add(2 * time.Hour) })
	f.pub.SetConfig(f.cfg, topics)
	resp, body := f.do(t, http.MethodGet, "/topics/world.rss", "If-Modified-Since: "+lm)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "World news, renamed") {
		t.Fatalf("after a reload renamed the topic, If-Modified-Since %s got %d; want 200 with the new title", lm, resp.StatusCode)
	}
	lm2 := resp.Header.Get("Last-Modified")
	if want := fixedNow().Add(2 * time.Hour).Format(http.TimeFormat); lm2 != want {
		t.Errorf("after a reload renamed the topic, Last-Modified = %s; want the time of the change, %s", lm2, want)
	}

	// Rebuilt with nothing new, the feed keeps the date it was served with.
	f.pub.Changed("world")
	if resp, _ := f.get(t, "/topics/world.rss"); resp.Header.Get("Last-Modified") != lm2 {
		t.Errorf("rebuilt unchanged, Last-Modified = %s; want %s, as served", resp.Header.Get("Last-Modified"), lm2)
	}
}

// TestIfModifiedSinceFromAClockAhead: a client holds a Last-Modified given
// while the clock was days ahead. Once the daemon runs again with the clock
// set right, a story that comes in reaches that client, which sends only If-Modified-Since, rather
// than a 304 until the clock catches up with the date it holds.
func TestIfModifiedSinceFromAClockAhead(t *testing.T) {
	f := newFixture(t)
	ahead := fixedNow().Add(72 * time.Hour)
	f.pub.SetClock(func() time.Time { return ahead })
	putStories(t, f.db, storySpec{
		at: ahead, topics: []string{"all", "world"},
		items: []itemSpec{{src: srcAlpha, guid: "a-ahead", title: "Stored while the clock was ahead", link: "https://alpha.example/ahead"}},
	})
	f.pub.Changed("all", "world")
	resp, _ := f.get(t, "/topics/world.atom")
	lm := resp.Header.Get("Last-Modified")
	if want := ahead.Format(http.TimeFormat); lm != want {
		t.Fatalf("Last-Modified = %s; want %s, the clock's while it was ahead", lm, want)
	}

	// The daemon starts again with the clock set right.
	f.pub = publish.New(f.cfg, f.st, topicsCfg, prometheus.NewRegistry(), nil)
	f.pub.SetClock(fixedNow)
	f.srv = httptest.NewServer(f.pub.Handler(nil))
	t.Cleanup(f.srv.Close)
	putStories(t, f.db, storySpec{
		at: fixedNow().Add(-time.Minute), topics: []string{"all", "world"},
		items: []itemSpec{{src: srcBeta, guid: "b-after", title: "Came in once the clock was right", link: "https://beta.example/after"}},
	})
	f.pub.Changed("all", "world")
	resp, body := f.do(t, http.MethodGet, "/topics/world.atom", "If-Modified-Since: "+lm)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "Came in once the clock was right") {
		t.Errorf("clock set right, a new story, If-Modified-Since %s (3 days ahead) got %d; want 200 with the new story", lm, resp.StatusCode)
	}
}

// TestLastModifiedAcrossRestart: a story leaves a topic, which moves no
// story's Updated, and the feed is dated at that change. After a restart,
// a story whose source dated it before that change comes in: a client
// holding the date of the change, sending only If-Modified-Since, must get
// the new document, not a 304; a client holding the document as it was
// before the restart still gets a 304.
func TestLastModifiedAcrossRestart(t *testing.T) {
	f := newFixture(t)
	if err := f.pub.SettingsSince(t.Context(), f.cfg); err != nil {
		t.Fatal(err)
	}
	f.get(t, "/topics/world.atom")
	err := f.db.Update(t.Context(), func(tx aggregator.Tx) error {
		for _, id := range f.ids {
			st, err := tx.Story(id)
			if err != nil {
				return err
			}
			if i := slices.Index(st.Topics, "world"); i >= 0 {
				st.Topics = slices.Delete(st.Topics, i, i+1)
				return tx.PutStory(st)
			}
		}
		t.Fatal("no fixture story is in world")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	f.pub.SetClock(func() time.Time { return fixedNow().Add(time.Hour) })
	f.pub.Changed("world")
	resp, _ := f.get(t, "/topics/world.atom")
	lm := resp.Header.Get("Last-Modified")
	if want := fixedNow().Add(time.Hour).Format(http.TimeFormat); lm != want {
		t.Fatalf("after a story left the topic, Last-Modified = %s; want the time of the change, %s", lm, want)
	}

	stopping := f.pub
	restart := func(now time.Time) *httptest.Server {
		stopping.Close()
		pub := publish.New(f.cfg, f.db, topicsCfg, prometheus.NewRegistry(), nil)
		stopping = pub
		t.Cleanup(pub.Close)
		pub.SetClock(func() time.Time { return now })
		if err := pub.SettingsSince(t.Context(), f.cfg); err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(pub.Handler(nil))
		t.Cleanup(srv.Close)
		return srv
	}
	get := func(srv *httptest.Server, header ...string) (*http.Response, []byte) {
		t.Helper()
		f2 := *f
		f2.srv = srv
		return f2.do(t, http.MethodGet, "/topics/world.atom", header...)
	}

	srv := restart(fixedNow().Add(2 * time.Hour))
	if resp, _ := get(srv, "If-Modified-Since: "+lm); resp.StatusCode != http.StatusNotModified {
		t.Errorf("after a restart that changed nothing, If-Modified-Since %s got %d; want 304", lm, resp.StatusCode)
	}

	putStories(t, f.db, storySpec{
		at: fixedNow().Add(30 * time.Minute), topics: []string{"all", "world"},
		items: []itemSpec{{src: srcBeta, guid: "b-late", title: "Dated before the change", link: "https://beta.example/late"}},
	})
	srv = restart(fixedNow().Add(3 * time.Hour))
	resp, body := get(srv, "If-Modified-Since: "+lm)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "Dated before the change") {
		t.Fatalf("after a restart with a new story, If-Modified-Since %s got %d with Last-Modified %s; want 200 with the story",
			lm, resp.StatusCode, resp.Header.Get("Last-Modified"))
	}
	lm2, err := http.ParseTime(resp.Header.Get("Last-Modified"))
	if old, _ := http.ParseTime(lm); err != nil || !lm2.After(old) {
		t.Errorf("after a restart with a new story, Last-Modified = %s; want later than %s", resp.Header.Get("Last-Modified"), lm)
	}
	if resp, _ := get(srv, "If-Modified-Since: "+resp.Header.Get("Last-Modified")); resp.StatusCode != http.StatusNotModified {
		t.Errorf("If-Modified-Since its own Last-Modified got %d; want 304", resp.StatusCode)
	}
}

// TestLastModifiedAfterAStoryLeftWhileStopped: the story that gave a feed
// its Last-Modified leaves the topic while the daemon is stopped (pruned
// at the start, say). After the restart, a client holding that date and
// sending only If-Modified-Since must get the feed as it now reads.
func TestLastModifiedAfterAStoryLeftWhileStopped(t *testing.T) {
	f := newFixture(t)
	if err := f.pub.SettingsSince(t.Context(), f.cfg); err != nil {
		t.Fatal(err)
	}
	ids := putStories(t, f.db, storySpec{
		at: fixedNow().Add(-2 * time.Hour), upd: 150 * time.Minute, topics: []string{"all", "world"},
		items: []itemSpec{{src: srcBeta, guid: "b-edited", title: "Edited lately", link: "https://beta.example/edited"}},
	})
	f.pub.SetClock(func() time.Time { return fixedNow().Add(time.Hour) })
	f.pub.Changed("all", "world")
	resp, _ := f.get(t, "/topics/world.atom")
	lm := resp.Header.Get("Last-Modified")
	if want := fixedNow().Add(30 * time.Minute).Format(http.TimeFormat); lm != want {
		t.Fatalf("Last-Modified = %s; want the edited story's Updated, %s", lm, want)
	}
	f.pub.Close()

	err := f.db.Update(t.Context(), func(tx aggregator.Tx) error {
		st, err := tx.Story(ids[0])
		if err != nil {
			return err
		}
		st.Topics = []string{"all"}
		return tx.PutStory(st)
	})
	if err != nil {
		t.Fatal(err)
	}
	pub := publish.New(f.cfg, f.db, topicsCfg, prometheus.NewRegistry(), nil)
	t.Cleanup(pub.Close)
	pub.SetClock(func() time.Time { return fixedNow().Add(2 * time.Hour) })
	if err := pub.SettingsSince(t.Context(), f.cfg); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(pub.Handler(nil))
	t.Cleanup(srv.Close)
	f2 := *f
	f2.srv = srv
	resp, body := f2.do(t, http.MethodGet, "/topics/world.atom", "If-Modified-Since: "+lm)
	if resp.StatusCode != http.StatusOK || strings.Contains(string(body), "Edited lately") {
		t.Fatalf("after a restart without the story, If-Modified-Since %s got %d with Last-Modified %s; want 200, the feed without it",
			lm, resp.StatusCode, resp.Header.Get("Last-Modified"))
	}
	if got := resp.Header.Get("Last-Modified"); got != fixedNow().Add(2*time.Hour).Format(http.TimeFormat) {
		t.Errorf("after a restart without the story, Last-Modified = %s; want the time the daemon found the change, %s",
			got, fixedNow().Add(2*time.Hour).Format(http.TimeFormat))
	}
}

// TestLastModifiedOnAFreshStore: the daemon starts for the first time on a
// store that a poll filled. The settings were never changed, so a feed's
// Last-Modified is its newest entry's updated date, not the moment the
// settings were first recorded or the second of the first request; a reload
// of the same settings and a restart keep it, and a format first asked for
// after the restart is dated the same.
func TestLastModifiedOnAFreshStore(t *testing.T) {
	f := newFixture(t)
	if err := f.pub.SettingsSince(t.Context(), f.cfg); err != nil {
		t.Fatal(err)
	}
	newest := t0.Add(3*time.Hour + 30*time.Minute).Format(http.TimeFormat) // the world story updated last
	f.pub.SetClock(func() time.Time { return fixedNow().Add(5 * time.Second) })
	resp, _ := f.get(t, "/topics/world.atom")
	if got := resp.Header.Get("Last-Modified"); got != newest {
		t.Errorf("first request on a fresh store, Last-Modified = %s; want the newest entry's %s", got, newest)
	}

	f.pub.SetConfig(f.cfg, topicsCfg)
	if err := f.pub.SettingsSince(t.Context(), f.cfg); err != nil {
		t.Fatal(err)
	}
	f.pub.Changed("world")
	if resp, _ := f.get(t, "/topics/world.atom"); resp.Header.Get("Last-Modified") != newest {
		t.Errorf("after reloading the same settings, Last-Modified = %s; want %s", resp.Header.Get("Last-Modified"), newest)
	}

	f.pub.Close()
	pub := publish.New(f.cfg, f.db, topicsCfg, prometheus.NewRegistry(), nil)
	t.Cleanup(pub.Close)
	pub.SetClock(func() time.Time { return fixedNow().Add(time.Hour) })
	if err := pub.SettingsSince(t.Context(), f.cfg); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(pub.Handler(nil))
	t.Cleanup(srv.Close)
	f2 := *f
	f2.srv = srv
	resp, _ = f2.do(t, http.MethodGet, "/topics/world.atom", "If-Modified-Since: "+newest)
	if resp.StatusCode != http.StatusNotModified || resp.Header.Get("Last-Modified") != newest {
		t.Errorf("after a restart, If-Modified-Since %s got %d with Last-Modified %q; want 304, unchanged",
			newest, resp.StatusCode, resp.Header.Get("Last-Modified"))
	}
	// A format first asked for after the restart follows the same rule.
	if resp, _ := f2.get(t, "/topics/world.rss"); resp.Header.Get("Last-Modified") != newest {
		t.Errorf("after a restart, the RSS feed first served then has Last-Modified %s; want %s", resp.Header.Get("Last-Modified"), newest)
	}
}
