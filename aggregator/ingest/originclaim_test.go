package ingest_test

import (
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/ingest"
)

// TestOriginClaimKeepsTheReportsDate stores a wire's report and a source
// that names the report's link as its original (as a <link
// rel="canonical">, an Atom <source> or a credit line do) over words of its
// own, dated two hours before it, in either order: the claim joins the
// report's story, as a re-post under a headline of its own does, but the
// report stays the story's face, so that the entry keeps the report's
// title, text and link, and the story keeps the report's date, where it
// took the claim's and moved down every topic, below the stories of those
// two hours.
func TestOriginClaimKeepsTheReportsDate(t *testing.T) {
	spammer := src("https://spam.test/feed.xml")
	link := "https://wire.test/2024/03/harbour-reopens"
	for _, claimFirst := range []bool{false, true} {
		db := mustOpen(t)
		in := ingest.New(&aggregator.Config{}, nil)
		report := item(wire, "urn:wire:harbour-reopens", link, "Harbour reopens after storm repairs",
			"The harbour at Eastmouth reopened on Saturday after three weeks of repairs to its sea wall.", t0)
		claim := item(spammer, "https://spam.test/p/1", "https://spam.test/p/1", "Cheapest pills delivered overnight",
			"Order discount tablets today: free shipping on every bottle, no prescription asked.", t0.Add(-2*time.Hour))
		claim.OriginLinks = []string{link}
		if claimFirst {
			apply(t, db, in, spammer, claim)
			apply(t, db, in, wire, report)
		} else {
			apply(t, db, in, wire, report)
			apply(t, db, in, spammer, claim)
		}
		_, st := stored(t, db, report.ID)
		if st.Face != report.ID {
			t.Errorf("claim first %v: the story of the report has face %s; want the report %s", claimFirst, st.Face, report.ID)
		}
		if !st.Time.Equal(report.Published) {
			t.Errorf("claim first %v: the story of the report is dated %v, by the claim dated before it; want the report's %v",
				claimFirst, st.Time, report.Published)
		}
	}
}
