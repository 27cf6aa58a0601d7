package ingest_test

import (
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/ingest"
)

// TestOtherSourceUnderLinkWithOtherWords stores a wire's report, then a
// source that sends the report's GUID and link over words of its own,
// dated before it: it does not join the report's story, which keeps its
// face, its only member and its date, where, as the story's earliest item,
// it took the entry's title and text under the wire's link. An aggregator's
// headline under the same link, which shares the report's words, still
// joins it.
func TestOtherSourceUnderLinkWithOtherWords(t *testing.T) {
	spammer := src("https://spam.test/feed.xml")
	aggregatorSrc := src("https://aggregator.test/rss")
	link := "https://wire.test/2024/03/harbour-reopens"
	for _, guid := range []string{link, "urn:uuid:6f0c1e2a-harbour-reopens"} {
		t.Run(guid, func(t *testing.T) {
			db := mustOpen(t)
			in := ingest.New(&aggregator.Config{}, nil)
			report := item(wire, guid, link, "Harbour reopens after storm repairs",
				"The harbour at Eastmouth reopened on Saturday after three weeks of repairs to its sea wall.", t0)
			apply(t, db, in, wire, report)
			spam := item(spammer, guid, link, "Cheapest pills delivered overnight",
				"Order discount tablets today: free shipping on every bottle, no prescription asked.", t0.Add(-2*time.Hour))
			apply(t, db, in, spammer, spam)
			_, st := stored(t, db, report.ID)
			if st.Face != report.ID || len(st.Members) != 1 || !st.Time.Equal(report.Published) {
				t.Errorf("story of the report: face %s, %d members, time %v; want the report %s its face and only member, dated %v",
					st.Face, len(st.Members), st.Time, report.ID, report.Published)
			}
			if _, other := stored(t, db, spam.ID); other.ID == st.ID {
				t.Errorf("the item under the report's GUID and link with words of its own joined the report's story %s", st.ID)
			}
			headline := item(aggregatorSrc, "https://aggregator.test/i/77", link, "Eastmouth harbour reopens after storm repairs", "", t0.Add(time.Hour))
			apply(t, db, in, aggregatorSrc, headline)
			if _, hs := stored(t, db, headline.ID); hs.ID != st.ID {
				t.Errorf("an aggregator's headline under the report's link is in story %s; want the report's %s", hs.ID, st.ID)
			}
		})
	}
}
