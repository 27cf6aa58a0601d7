package publish_test

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/parse"
)

// TestEntrySummary reads back, as a reader does, the entries of items that
// came with a summary and content (a standfirst and the article) and with
// a summary alone: the first keeps its summary beside its content in Atom
// (HTML) and JSON Feed (plain text), the second has its summary as its
// content and no summary of its own.
func TestEntrySummary(t *testing.T) {
	body, err := os.ReadFile("testdata/summary.xml")
	if err != nil {
		t.Fatal(err)
	}
	feed, err := parse.Parse(body, "application/rss+xml", srcAlpha.URL, srcAlpha.ID, t0.Add(time.Hour), parse.Options{})
	if err != nil {
		t.Fatalf("parse.Parse(testdata/summary.xml) = %v", err)
	}
	f := newFixture(t)
	err = f.db.Update(t.Context(), func(tx aggregator.Tx) error {
		for _, it := range feed.Items {
			it.StoryID = it.ID
			if err := tx.PutItem(it); err != nil {
				return err
			}
			st := aggregator.Story{ID: it.ID, Face: it.ID, Time: it.Published, Updated: it.FirstSeen, Topics: []string{"world"},
				Members: []aggregator.Member{{Item: it.ID, Source: it.SourceID, Time: it.Published, Match: aggregator.Match{Reason: aggregator.ReasonGUID}}}}
			if err := tx.PutStory(st); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("storing the items: %v", err)
	}
	f.pub.Changed("world")

	tests := []struct {
		format, summary string
	}{
		{"atom", `For forty years, one man opened the gates: <em>“the tide decides, not me.”</em>`},
		{"json", `For forty years, one man opened the gates: “the tide decides, not me.”`},
	}
	for _, tt := range tests {
		_, doc := f.get(t, "/topics/world."+tt.format)
		got, err := gofeed.NewParser().Parse(bytes.NewReader(doc))
		if err != nil {
			t.Fatalf("world.%s: %v", tt.format, err)
		}
		var standfirst, fares *gofeed.Item
		for _, it := range got.Items {
			switch it.Title {
			case "The last lock-keeper":
				standfirst = it
			case "Ferry fares frozen":
				fares = it
			}
		}
		if standfirst == nil || fares == nil {
			t.Fatalf("world.%s lacks the entries of testdata/summary.xml", tt.format)
		}
		if standfirst.Description != tt.summary || !strings.HasPrefix(standfirst.Content, "<p>Before dawn") {
			t.Errorf("world.%s: entry with a standfirst has summary %q and content %q; want summary %q beside the article", tt.format, standfirst.Description, standfirst.Content, tt.summary)
		}
		if fares.Description != "" || !strings.HasPrefix(fares.Content, "<p>Fares stay as they are") {
			t.Errorf("world.%s: entry with a summary alone has summary %q and content %q; want its summary as its content", tt.format, fares.Description, fares.Content)
		}
	}
}
