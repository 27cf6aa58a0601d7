package ingest_test

import (
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/ingest"
)

// TestHeadlineFirstTextAtANewLink checks that a site whose texts begin
// with their headline, as a line of its own, is not taken for an account
// that titles none: its notice moved to a new link the next morning, in
// the same words, is one item of one story, as at any site, while an
// account's post without a title, posted again two days later at a page of
// its own, is a post of its own.
func TestHeadlineFirstTextAtANewLink(t *testing.T) {
	db := mustOpen(t)
	in := ingest.New(&aggregator.Config{}, nil)
	agency := src("https://food-agency.test/notices.xml")
	const title = "Greyholm Creamery recalls Greyholm Mature Gouda because of Listeria"
	const text = "<h2>" + title + "</h2>" +
		"<p>Greyholm Creamery is recalling Greyholm Mature Gouda because Listeria monocytogenes has been found in the product.</p>" +
		"<p>Customers who have bought the cheese should not eat it and should return it to the store for a full refund.</p>"
	notice := item(agency, "notice-draft-3141", "https://food-agency.test/news/draft-3141", title, text, t0)
	moved := item(agency, "notice-greyholm-gouda", "https://food-agency.test/news/greyholm-gouda-recall", title, text, t0.Add(20*time.Hour))
	apply(t, db, in, agency, notice)
	apply(t, db, in, agency, moved)
	_, a := stored(t, db, notice.ID)
	_, b := stored(t, db, moved.ID)
	if a.ID != b.ID {
		t.Errorf("the notice at its new link the next morning is story %s; want the notice's %s", b.ID, a.ID)
	}

	ferry := src("https://social.test/@ferry.rss")
	const post = "<p>The 07:30 sailing is cancelled because of fog in the sound. Next sailing 09:30.</p>"
	const derived = "The 07:30 sailing is cancelled because of fog in the sound. Next…"
	tuesday := item(ferry, "110311", "https://social.test/@ferry/110311", derived, post, t0)
	thursday := item(ferry, "110377", "https://social.test/@ferry/110377", derived, post, t0.Add(48*time.Hour))
	apply(t, db, in, ferry, tuesday)
	apply(t, db, in, ferry, thursday)
	_, c := stored(t, db, tuesday.ID)
	_, d := stored(t, db, thursday.ID)
	if c.ID == d.ID {
		t.Errorf("the ferry's post again two days later joined the first; want a story of its own")
	}
}
