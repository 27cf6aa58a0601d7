package ingest

import (
	"fmt"
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
)

// TestStoredAgainReadsNewestRefs files more items of one source under one
// link and title than storedAgain compares a new item with, then gives
// them all again under new GUIDs: it reads no more than againRead of the
// stored items, where it compared each new item with every item under the
// link, and still finds those among the newest that it is given again.
func TestStoredAgainReadsNewestRefs(t *testing.T) {
	db := openStore(t)
	in := New(&aggregator.Config{}, nil)
	src := aggregator.SourceState{ID: "https://board.test/feed"}
	t0 := time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)
	n := aggregator.DefaultMaxItems + 40
	word := func(i int) string { // a word no other item has
		return fmt.Sprintf("qu%c%c%c", 'a'+i/676%26, 'a'+i/26%26, 'a'+i%26)
	}
	fetch := func(prefix string) []aggregator.Item {
		items := make([]aggregator.Item, n)
		for i := range items {
			guid := fmt.Sprint(prefix, i)
			items[i] = aggregator.Item{
				ID: aggregator.ItemID(src.ID, guid), SourceID: src.ID, GUID: guid,
				Link: "https://board.test/notices", CanonicalLink: "https://board.test/notices",
				Title:     "Notice to mariners",
				Summary:   fmt.Sprintf("The %s buoy off the harbour mouth is moved.", word(i)),
				Published: t0.Add(time.Duration(i) * time.Minute), Dated: true,
			}
			items[i].FirstSeen = items[i].Published
			items[i].Hash = items[i].EditHash()
		}
		return items
	}
	if err := db.Update(t.Context(), func(tx aggregator.Tx) error {
		_, err := in.Apply(tx, src, fetch("a"))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	again := fetch("b")
	err := db.View(t.Context(), func(tx aggregator.Tx) error {
		var res Result
		work, _, err := classify(tx, order(again), &res, nil)
		if err != nil {
			return err
		}
		lines, _, err := lineCounts(tx, src.ID)
		if err != nil {
			return err
		}
		in.texts(lines, work)
		c := &itemCounter{Tx: tx}
		kept, err := newSession(in, c).storedAgain(work, nil)
		if err != nil {
			return err
		}
		if c.decoded > aggregator.DefaultMaxItems {
			t.Errorf("storedAgain read %d stored items for %d given again at one link; want at most %d", c.decoded, n, aggregator.DefaultMaxItems)
		}
		if found := len(work) - len(kept); found != aggregator.DefaultMaxItems {
			t.Errorf("storedAgain found %d of %d items given again; want the newest %d", found, n, aggregator.DefaultMaxItems)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
