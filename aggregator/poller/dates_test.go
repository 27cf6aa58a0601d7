package poller_test

import (
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/feedtest"
)

// TestItemsDatedWrong polls a feed whose items are dated ahead (a year
// 2099, a time zone fourteen hours off), before 1995, or not readably: each
// is dated by its first fetch, so that none stays on top of the topic
// feed, and a story dated correctly after that fetch is shown above them.
func TestItemsDatedWrong(t *testing.T) {
	clk := feedtest.NewClock(time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC))
	o := feedtest.NewOrigin(t)
	o.Feed("/wrong.rss", "application/rss+xml", fixture(t, "wrong-dates.rss"))
	o.Feed("/later.rss", "application/rss+xml", []byte(rssDoc()))
	p, pub, db := churnSetup(t, clk, o.URL("/wrong.rss"), o.URL("/later.rss"))
	p.PollAll(t.Context(), nil)

	clk.Add(time.Hour)
	o.SetFeed("/later.rss", []byte(rssDoc(rssItem("Tram line to Westgate opens", "later-1",
		"https://later.example/tram", "Mon, 02 Nov 2026 12:45:00 GMT", "The first trams carried passengers to Westgate."))))
	for range 2 {
		p.PollAll(t.Context(), nil)
		clk.Add(time.Hour)
	}
	entries, _ := topicFeed(t, pub)
	if len(entries) != 6 || entries[0].Title != "Tram line to Westgate opens" {
		t.Fatalf("topic feed %+v; want six entries, the tram line first", entries)
	}
	for _, e := range entries[1:] {
		if e.Date != "2026-11-02T12:00:00Z" {
			t.Errorf("entry %q dated %s; want the time of its first fetch, 2026-11-02T12:00:00Z", e.Title, e.Date)
		}
	}
	var items []aggregator.Item
	err := db.Export(t.Context(), func(it aggregator.Item, _ aggregator.Story) error {
		items = append(items, it)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if it.Published.After(it.FirstSeen) {
			t.Errorf("item %q published %v, after it was first seen (%v)", it.Title, it.Published, it.FirstSeen)
		}
	}
}
