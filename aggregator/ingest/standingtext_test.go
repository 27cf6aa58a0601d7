package ingest_test

import (
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/ingest"
)

// TestHeadlinesOverStandingText checks that items of one source that
// share a standing text and are told apart by their headlines alone, a
// statistics office's monthly releases under one summary and a reading
// list's books under one template, are a story each, in either order,
// while an article the source gives again at a new link under a new
// headline, whose words are in its text, still joins the first.
func TestHeadlinesOverStandingText(t *testing.T) {
	office := src("https://www.gov.test/search/statistics.atom")
	const summary = "Monthly statistics on the size and landings of the fishing fleet, by port and by length of vessel."
	october := item(office, "tag:www.gov.test,2005:/statistics/fishing-fleet-october-2026",
		"https://www.gov.test/statistics/fishing-fleet-october-2026", "Fishing fleet statistics: October 2026", summary, t0)
	september := item(office, "tag:www.gov.test,2005:/statistics/fishing-fleet-september-2026",
		"https://www.gov.test/statistics/fishing-fleet-september-2026", "Fishing fleet statistics: September 2026", summary, t0)

	shelf := src("https://books.test/review/list_rss/4410?shelf=read")
	const card = `<a href="https://books.test/book/show/%d"><img alt="" src="https://books.test/covers/%d.jpg"></a><br/>` +
		"author: Elspeth Carrow<br/>name: Morwenna<br/>average rating: 3.91<br/>book published: 2019<br/>rating: 4<br/>read at: 2026/11/26<br/>shelves: read<br/>review: <br/>"
	daughter := item(shelf, "https://books.test/review/show/7001001", "https://books.test/review/show/7001001",
		"The Lighthouse Keeper's Daughter", card, t0)
	tidewrack := item(shelf, "https://books.test/review/show/7001002", "https://books.test/review/show/7001002",
		"Tidewrack", card, t0.Add(-2*time.Minute))

	for _, series := range []struct {
		source aggregator.SourceState
		a, b   aggregator.Item
	}{{office, october, september}, {shelf, daughter, tidewrack}} {
		for _, order := range [][2]aggregator.Item{{series.a, series.b}, {series.b, series.a}} {
			db := mustOpen(t)
			in := ingest.New(&aggregator.Config{}, nil)
			apply(t, db, in, series.source, order[0])
			apply(t, db, in, series.source, order[1])
			_, a := stored(t, db, order[0].ID)
			_, b := stored(t, db, order[1].ID)
			if a.ID == b.ID {
				t.Errorf("%q, stored after %q, joined its story; want a story of its own", order[1].Title, order[0].Title)
			}
		}
	}

	// The same article at a new link under a headline of its own words.
	paper := src("https://harbourgazette.test/feed")
	const text = "<p>Storm Orla brought gusts of 80mph to the coast overnight, and thousands of homes lost power.</p>" +
		"<p>Ferries to the islands were cancelled and the coast road was closed at Annick.</p>"
	first := item(paper, "https://harbourgazette.test/news/storm-hits-coast", "https://harbourgazette.test/news/storm-hits-coast",
		"Storm hits the coast", text, t0)
	again := item(paper, "https://harbourgazette.test/news/storm-orla-power-cut", "https://harbourgazette.test/news/storm-orla-power-cut",
		"Storm Orla cuts power to thousands", text, t0.Add(time.Hour))
	db := mustOpen(t)
	in := ingest.New(&aggregator.Config{}, nil)
	apply(t, db, in, paper, first)
	apply(t, db, in, paper, again)
	_, a := stored(t, db, first.ID)
	_, b := stored(t, db, again.ID)
	if a.ID != b.ID {
		t.Errorf("the article under its new headline is story %s; want the first's %s", b.ID, a.ID)
	}
}
