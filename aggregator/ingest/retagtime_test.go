package ingest_test

import (
	"slices"
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/ingest"
)

// TestRetagRedatesAStory stores a report and a copy dated two hours before
// it that names the report as its original, then dates the story by the
// copy, as a version that dated a story by its earliest member stored it.
// A reload of the configuration (Retag) dates the story by its report
// again, and gives its topics as changed, since the story's place in
// their feeds moved, where it left the story as stored: its face, topics
// and tags were the same.
func TestRetagRedatesAStory(t *testing.T) {
	db := mustOpen(t)
	in := ingest.New(&aggregator.Config{}, nil)
	link := "https://wire.test/2024/06/lighthouse-relit"
	report := item(wire, "urn:wire:lighthouse-relit", link, "Lighthouse relit after two years",
		"The lighthouse on Gull Point shone again on Friday night after two years of restoration.", t0)
	reposter := src("https://repost.test/feed.xml")
	copied := item(reposter, "https://repost.test/p/9", "https://repost.test/p/9", "Lighthouse relit after two years",
		"The lighthouse on Gull Point shone again on Friday night after two years of restoration.", t0.Add(-2*time.Hour))
	copied.OriginLinks = []string{link}
	apply(t, db, in, wire, report)
	apply(t, db, in, reposter, copied)
	_, st := stored(t, db, report.ID)
	if !st.Time.Equal(report.Published) {
		t.Fatalf("story dated %v; want the report's %v", st.Time, report.Published)
	}
	err := db.Update(t.Context(), func(tx aggregator.Tx) error {
		st.Time = copied.Published
		return tx.PutStory(st)
	})
	if err != nil {
		t.Fatal(err)
	}
	var changed []string
	err = db.Update(t.Context(), func(tx aggregator.Tx) error {
		var err error
		changed, err = in.Retag(tx, t0.Add(time.Hour), st.ID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	_, after := stored(t, db, report.ID)
	if !after.Time.Equal(report.Published) {
		t.Errorf("after Retag the story is dated %v, by the copy; want the report's %v", after.Time, report.Published)
	}
	if !after.Updated.Equal(st.Updated) {
		t.Errorf("after Retag the story is updated %v; want %v as before: its entries show the same", after.Updated, st.Updated)
	}
	if !slices.Contains(changed, aggregator.AllTopic) {
		t.Errorf("Retag gives topics %q as changed; want %q among them", changed, aggregator.AllTopic)
	}
}
