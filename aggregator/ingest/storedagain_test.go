package ingest_test

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/ingest"
)

// readingTx counts the items read through it.
type readingTx struct {
	aggregator.Tx
	reads int
}

func (c *readingTx) Item(id string) (aggregator.Item, error) {
	c.reads++
	return c.Tx.Item(id)
}

// TestStoredAgainReadsEachItemOnce applies, twice, a feed of many items at
// one link and under one title, each under a GUID made anew at every fetch
// and with a count of its own in its text: each stored item is read from
// the store once a fetch, where each was read again for every new item
// compared with it, so that a feed of 500 such items cost 250,000 reads
// and seconds of work at every poll.
func TestStoredAgainReadsEachItemOnce(t *testing.T) {
	db := mustOpen(t)
	in := ingest.New(&aggregator.Config{}, nil)
	s := src("https://board.example/feed")
	const n = 60
	var reads int
	for f := range 2 {
		var items []aggregator.Item
		at := t0.Add(time.Duration(f) * time.Hour)
		for i := range n {
			items = append(items, aggregator.Item{
				ID: fmt.Sprintf("board-%d-%d", f, i), GUID: fmt.Sprintf("urn:uuid:board-%d-%d", f, i), SourceID: s.ID,
				Link: "https://board.example/notices", Title: "Notices of the harbour board",
				Summary: fmt.Sprintf("Notice %d of the harbour board: berth %d is closed for repairs until the %dth, the board said. Read %d times.",
					i, i+10, i%28+1, f*7+i),
				Published: t0, Dated: true, FirstSeen: at,
			})
		}
		err := db.Update(context.Background(), func(tx aggregator.Tx) error {
			ct := &readingTx{Tx: tx}
			_, err := in.Apply(ct, s, items)
			reads = ct.reads
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if reads > 4*n {
		t.Errorf("second fetch of %d items at one link read %d items from the store; want at most %d, each stored item about once", n, reads, 4*n)
	}
}

// TestStoredAgainLongTexts applies, twice, a feed of many long items at
// one link and under one title, each under a GUID made anew at every
// fetch: each text is read for its figures once a fetch, where each pair
// of a new item and a stored one had both texts copied without their
// figures, work that grew with the square of the items and their length.
func TestStoredAgainLongTexts(t *testing.T) {
	db := mustOpen(t)
	in := ingest.New(&aggregator.Config{}, nil)
	s := src("https://minutes.example/feed")
	const n, words = 100, 1200
	var allocated uint64
	for f := range 2 {
		var items []aggregator.Item
		at := t0.Add(time.Duration(f) * time.Hour)
		for i := range n {
			var text strings.Builder
			for w := range words {
				fmt.Fprintf(&text, "minute%c%c%c %d ", 'a'+rune(i/26), 'a'+rune(i%26), 'a'+rune(w%26), w)
			}
			items = append(items, aggregator.Item{
				ID: fmt.Sprintf("minutes-%d-%d", f, i), GUID: fmt.Sprintf("urn:uuid:minutes-%d-%d", f, i), SourceID: s.ID,
				Link: "https://minutes.example/council", Title: "Minutes of the council",
				Content: text.String(), Published: t0, Dated: true, FirstSeen: at,
			})
		}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		err := db.Update(context.Background(), func(tx aggregator.Tx) error {
			_, err := in.Apply(tx, s, items)
			return err
		})
		runtime.ReadMemStats(&after)
		if err != nil {
			t.Fatal(err)
		}
		allocated = after.TotalAlloc - before.TotalAlloc
		t.Logf("fetch %d: %d MB", f, allocated>>20)
	}
	if allocated > 100<<20 {
		t.Errorf("second fetch of %d items of %d words at one link allocated %d MB; want less than 100", n, words, allocated>>20)
	}
}
