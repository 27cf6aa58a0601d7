package ingest_test

import (
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/ingest"
)

const (
	budgetReport = "<p>Finance Minister Ilse Marwick on Tuesday raised fuel duty by 4 cents a litre and lifted the threshold at which income tax is paid to 14,000 crowns, in a first budget that she said would cut the deficit without cutting hospital spending.</p>" +
		"<p>The fuel duty rise, which takes effect on April 1, is expected to raise 610 million crowns a year. The higher tax threshold, up from 12,500 crowns, will take about 180,000 low earners out of income tax altogether, the finance ministry said.</p>" +
		"<p>Marwick told parliament the deficit would fall to 2.8% of gross domestic product this year from 3.6% last year. Spending on hospitals will rise by 2.1 billion crowns, while the corporate tax rate is unchanged at 22%.</p>"
	groundingReport = "<p>The cargo ship Hallvard Bay ran aground on a sandbank off Kessel Point early on Tuesday with 14 crew on board, none of whom were hurt, the coastguard said.</p>" +
		"<p>The 190-metre bulk carrier, loaded with 31,000 tonnes of grain, lost engine power in a westerly gale shortly after 3 a.m. and drifted onto the bank on a falling tide. Two tugs were standing by and a salvage team was due to assess the hull at low water.</p>" +
		"<p>A 500-metre exclusion zone has been set up around the vessel, and no pollution has been seen, the coastguard's duty officer Mara Lindqvist told reporters in Kessel harbour.</p>"
)

// TestWrongSourceLinkMergesNoStories checks that a scraper's copy of one
// report whose "Source link" names another report of the same wire joins
// the story of the report it names, by that link, but brings no other
// story with it: the story of the report it copies holds the wire's own
// report of another event, and two stories that each hold an outlet's own
// report are not merged.
func TestWrongSourceLinkMergesNoStories(t *testing.T) {
	db := mustOpen(t)
	in := ingest.New(&aggregator.Config{}, nil)
	budget := item(wire, "w-budget", "https://wire.test/business/budget-fuel-duty-4471", "Marwick raises fuel duty, lifts income tax threshold", budgetReport, t0)
	ship := item(wire, "w-ship", "https://wire.test/world/cargo-ship-aground-kessel-4472", "Cargo ship runs aground off Kessel Point, crew unhurt", groundingReport, t0.Add(time.Hour))
	wrong := item(copier, "c-ship", "https://copier.test/cargo-ship-aground", "Cargo Ship Runs Aground Off Kessel Point", groundingReport, t0.Add(2*time.Hour))
	wrong.OriginLinks = []string{budget.Link}

	apply(t, db, in, wire, budget, ship)
	apply(t, db, in, copier, wrong)
	_, b := stored(t, db, budget.ID)
	_, s := stored(t, db, ship.ID)
	if b.ID == s.ID {
		t.Errorf("the wire's report of the budget and its report of the ship aground are one story %s; want two", b.ID)
	}
}

// TestStationPageMergesNoStories checks that an aggregator's headline of a
// radio station's news page, under which the station's feed gives each
// bulletin, brings no two of the stories whose reports the bulletins
// re-post into one: the second bulletin joins the headline's story by the
// page's link, as the first did, but the wire's report of the ship aground
// and its copy stay apart from the wire's report of the budget.
func TestStationPageMergesNoStories(t *testing.T) {
	db := mustOpen(t)
	in := ingest.New(&aggregator.Config{}, nil)
	agg := src("https://agg.test/feed.json")
	radio := src("https://radio.test/news.rss")
	const page = "https://radio.test/news"
	ptr := item(agg, "a-1", "https://agg.test/l/1", "Radio Valdria: the latest news", "Read more", t0)
	ptr.OriginLinks = []string{page}
	budget := item(wire, "w-budget", "https://wire.test/business/budget-fuel-duty-4471", "Marwick raises fuel duty, lifts income tax threshold", budgetReport, t0.Add(time.Hour))
	budgetCopy := item(copier, "c-budget", "https://copier.test/marwick-raises-fuel-duty", "Marwick Raises Fuel Duty, Lifts Income Tax Threshold", budgetReport, t0.Add(2*time.Hour))
	ship := item(wire, "w-ship", "https://wire.test/world/cargo-ship-aground-kessel-4472", "Cargo ship runs aground off Kessel Point, crew unhurt", groundingReport, t0.Add(3*time.Hour))
	shipCopy := item(copier, "c-ship", "https://copier.test/cargo-ship-aground", "Cargo Ship Runs Aground Off Kessel Point", groundingReport, t0.Add(4*time.Hour))
	first := item(radio, "r-1", page, "Budget: fuel duty up 4 cents a litre", budgetReport, t0.Add(5*time.Hour))
	second := item(radio, "r-2", page, "Grain ship aground off Kessel Point", groundingReport, t0.Add(6*time.Hour))

	apply(t, db, in, agg, ptr)
	apply(t, db, in, wire, budget)
	apply(t, db, in, copier, budgetCopy)
	apply(t, db, in, wire, ship)
	apply(t, db, in, copier, shipCopy)
	apply(t, db, in, radio, first)
	apply(t, db, in, radio, second)
	_, b := stored(t, db, budget.ID)
	_, s := stored(t, db, ship.ID)
	_, c := stored(t, db, shipCopy.ID)
	if b.ID == s.ID {
		t.Errorf("the wire's report of the budget and its report of the ship aground are one story %s; want two", b.ID)
	}
	if c.ID != s.ID {
		t.Errorf("the copy of the ship's report is in story %s and the report in %s; want one", c.ID, s.ID)
	}
}
