package ingest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/near"
)

// TestBandsStopGrowing files more reports of one story than a band is read
// for: a band stops one ref past bandRead, where lookups stop reading it,
// rather than growing with refs that no lookup would read.
func TestBandsStopGrowing(t *testing.T) {
	db := openStore(t)
	in := New(&aggregator.Config{}, nil)
	t0 := time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)
	var last string
	for i := range bandRead + 20 {
		s := aggregator.SourceState{ID: fmt.Sprint("outlet", i)}
		it := aggregator.Item{
			ID: aggregator.ItemID(s.ID, "g"), SourceID: s.ID, GUID: "g", Published: t0.Add(time.Duration(i) * time.Minute),
			Title:   "Ferry capsizes off Stone Town in Zanzibar",
			Summary: "<p>A ferry carrying ninety passengers capsized off Stone Town on Monday, the harbour master said.</p>",
			Dated:   true, Hash: fmt.Sprint(i),
		}
		it.FirstSeen = it.Published
		last = it.ID
		if err := db.Update(t.Context(), func(tx aggregator.Tx) error {
			_, err := in.Apply(tx, s, []aggregator.Item{it})
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	err := db.View(t.Context(), func(tx aggregator.Tx) error {
		b, err := tx.Features(last)
		if err != nil {
			return err
		}
		d, err := near.Decode(b)
		if err != nil {
			return err
		}
		full := 0
		for _, band := range d.Bands() {
			n, err := tx.(bandSizer).BandLen(band.Key)
			if err != nil {
				return err
			}
			if n > bandCap {
				t.Errorf("band %x holds %d refs; want at most %d", band.Key, n, bandCap)
			}
			if n == bandCap {
				full++
			}
		}
		if full == 0 {
			t.Errorf("no band of %d reports of one story reached %d refs", bandRead+20, bandCap)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestLookupPassesTopicWords files a report whose heaviest words are the
// day's topic words, each carried by more items than a band is read for,
// and then a rewrite of it: the lookup reads the report's own words in
// their place and finds it.
func TestLookupPassesTopicWords(t *testing.T) {
	db := openStore(t)
	in := New(&aggregator.Config{}, nil)
	t0 := time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)
	topics := []string{"quorvex", "blandor", "fiskith", "morrowgate", "tellurin", "vashkar", "presolde", "glimmerton"}
	word := func(i int) string { // a word no other item has
		return fmt.Sprintf("ux%c%c%c", 'a'+i/676%26, 'a'+i/26%26, 'a'+i%26)
	}
	apply := func(s aggregator.SourceState, items ...aggregator.Item) {
		t.Helper()
		if err := db.Update(t.Context(), func(tx aggregator.Tx) error {
			_, err := in.Apply(tx, s, items)
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	item := func(source, guid, title, text string, at time.Time) aggregator.Item {
		return aggregator.Item{
			ID: aggregator.ItemID(source, guid), SourceID: source, GUID: guid, Link: "https://" + source + ".example/" + guid,
			Title: title, Summary: "<p>" + text + "</p>", Published: at, FirstSeen: at, Dated: true, Hash: guid,
		}
	}
	// Each topic word is the heaviest word of more items than a band is
	// read for, each item otherwise about something else.
	n := 0
	for k, topic := range topics {
		s := aggregator.SourceState{ID: "topic-" + topic}
		var items []aggregator.Item
		for j := range bandRead + 2 {
			var text strings.Builder
			for range 20 {
				fmt.Fprintf(&text, "%s %s %s. ", strings.Repeat(topic+" ", 3), word(n), word(n+1))
				n += 2
			}
			at := t0.Add(time.Duration(k*(bandRead+2)+j) * time.Second)
			items = append(items, item(s.ID, fmt.Sprint("g", j), topic+" "+word(n)+" "+word(n+1), text.String(), at))
			n += 2
		}
		apply(s, items...)
	}
	var topicText strings.Builder
	for range 60 {
		for _, topic := range topics {
			topicText.WriteString(topic + " ")
		}
		topicText.WriteString(". ")
	}
	story := "A ferry carrying ninety passengers capsized off Stone Town in Zanzibar on Monday, the harbour master said. "
	orig := item("wire", "ferry", "Ferry capsizes off Stone Town in Zanzibar",
		story+topicText.String()+"Divers from Pemba joined the search for the missing crew.", t0.Add(time.Hour))
	apply(aggregator.SourceState{ID: "wire"}, orig)
	copyOf := item("daily", "zanzibar", "Zanzibar ferry with ninety aboard capsizes near Stone Town",
		story+topicText.String()+"Divers from Pemba joined the search for the crew.", t0.Add(90*time.Minute))
	apply(aggregator.SourceState{ID: "daily"}, copyOf)

	err := db.View(t.Context(), func(tx aggregator.Tx) error {
		b, err := tx.Features(copyOf.ID)
		if err != nil {
			return err
		}
		d, err := near.Decode(b)
		if err != nil {
			return err
		}
		bands, per := d.LookupBands(72 * time.Hour)
		full := 0
		for i := 0; i < near.LookupTerms*per; i += per {
			for _, band := range bands[i : i+per] {
				if n, err := tx.(bandSizer).BandLen(band.Key); err != nil {
					return err
				} else if n > bandRead {
					full++
					break
				}
			}
		}
		if full < near.LookupTerms {
			t.Fatalf("%d of the rewrite's %d heaviest terms are topic words with full bands; the test needs all", full, near.LookupTerms)
		}
		a, err := tx.Item(orig.ID)
		if err != nil {
			return err
		}
		c, err := tx.Item(copyOf.ID)
		if err != nil {
			return err
		}
		if a.StoryID != c.StoryID {
			t.Errorf("the rewrite is in story %s, its original in %s; want one story", c.StoryID, a.StoryID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
