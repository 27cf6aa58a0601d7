package ingest

import (
	"fmt"
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
