package ingest_test

import (
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/ingest"
)

// TestRepostNamedFirstJoinsItsCopies checks that a paper's re-post of a
// wire's report, stored after an aggregator's headline that names it and
// so joining that headline by its link, joins the story of a scraper's
// copy of the same report too, though that story holds the paper's own
// live page: the re-post is the wire's report, not a second report of
// the paper's.
func TestRepostNamedFirstJoinsItsCopies(t *testing.T) {
	db := mustOpen(t)
	in := ingest.New(&aggregator.Config{}, nil)
	agg := src("https://agg.test/feed.json")
	const report = "<p>Finance Minister Ilse Marwick on Tuesday raised fuel duty by 4 cents a litre and lifted the threshold at which income tax is paid to 14,000 crowns, in a first budget that she said would cut the deficit without cutting hospital spending.</p>" +
		"<p>The fuel duty rise, which takes effect on April 1, is expected to raise 610 million crowns a year. The higher tax threshold, up from 12,500 crowns, will take about 180,000 low earners out of income tax altogether, the finance ministry said.</p>" +
		"<p>Marwick told parliament the deficit would fall to 2.8% of gross domestic product this year from 3.6% last year. Spending on hospitals will rise by 2.1 billion crowns, while the corporate tax rate is unchanged at 22%.</p>"
	const repostLink = "https://paper.test/business/budget-drivers-pay-more-88231"
	ptr := item(agg, "a-1", "https://agg.test/l/1", "Budget puts 4 cents on a litre of fuel", "Read more", t0.Add(5*time.Hour))
	ptr.OriginLinks = []string{repostLink}
	cp := item(copier, "c-1", "https://copier.test/marwick-raises-fuel-duty", "Marwick Raises Fuel Duty, Lifts Income Tax Threshold", report, t0.Add(time.Hour))
	live := item(paper, "p-live", "https://paper.test/live/budget-day", "Budget day live: fuel duty up 4 cents, tax threshold raised to 14,000 crowns",
		"<p>17:40 That is where we leave our live coverage. The budget's main points: fuel duty up 4 cents a litre from April, the income tax threshold up to 14,000 crowns, 2.1 billion crowns more for hospitals and a deficit target of 2.8%.</p>"+
			"<p>13:12 Fuel duty goes up by 4 cents a litre from 1 April, and the income tax threshold rises from 12,500 to 14,000 crowns, taking 180,000 people out of the tax.</p>"+
			"<p>13:02 Finance Minister Ilse Marwick is on her feet in parliament.</p>", t0.Add(4*time.Hour))
	repost := item(paper, "p-1", repostLink, "Budget: drivers to pay 4 cents more a litre as tax threshold rises", report, t0.Add(30*time.Minute))

	apply(t, db, in, agg, ptr)
	apply(t, db, in, copier, cp)
	apply(t, db, in, paper, live)
	_, c := stored(t, db, cp.ID)
	_, l := stored(t, db, live.ID)
	if c.ID != l.ID {
		t.Fatalf("the live page is in story %s and the copy of the report in %s; the test wants them in one", l.ID, c.ID)
	}
	apply(t, db, in, paper, repost)
	_, p := stored(t, db, ptr.ID)
	_, r := stored(t, db, repost.ID)
	_, c = stored(t, db, cp.ID)
	if r.ID != p.ID {
		t.Errorf("the re-post is in story %s and the headline naming it in %s; want one story", r.ID, p.ID)
	}
	if r.ID != c.ID {
		t.Errorf("the re-post is in story %s and another site's copy of the same report in %s; want one story", r.ID, c.ID)
	}
}
