package ingest

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/store"
)

// preparedFetches are three fetches of two sources: recurring promotion
// lines (chrome), a report carried by both, and an edit in the last fetch.
func preparedFetches() [][]aggregator.Item {
	t0 := time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)
	promo := "<p>Subscribe today to get unlimited access to all of our award winning journalism.</p>"
	mk := func(source, guid, title, text string, hour int) aggregator.Item {
		id := aggregator.SourceID(source)
		summary := "<p>" + text + "</p>" + promo
		return aggregator.Item{
			ID: aggregator.ItemID(id, guid), SourceID: id, GUID: guid, Title: title, Summary: summary,
			Published: t0.Add(time.Duration(hour) * time.Hour), Dated: true, Hash: title + "\x00" + summary,
		}
	}
	bridge := "Engineers closed the old harbour bridge after inspectors found cracks in two of its supports, and ferries added sailings."
	return [][]aggregator.Item{
		{
			mk("a", "1", "Harbour bridge closed after cracks found", bridge, 0),
			mk("a", "2", "School lunches cut in price", "The education board cut the price of school lunches by a third from next term.", 1),
			mk("a", "3", "Library opens late", "The central library will now stay open until ten at night on weekdays.", 2),
		},
		{
			mk("b", "1", "Cracks shut the harbour bridge", bridge, 1),
			mk("b", "2", "New bus routes for the east", "Four new bus routes will serve the eastern suburbs from June onwards.", 3),
		},
		{
			mk("a", "3", "Library opens late on weekdays", "The central library will now stay open until ten at night on weekdays.", 2),
			mk("a", "4", "Ferry strike halts crossings", "A ferry strike halted crossings on Monday as crews walked out over pay.", 4),
		},
	}
}

// snapshot is what a store holds of items: each item's story and stored
// near-duplicate features.
func snapshot(t *testing.T, db *store.DB, fetches [][]aggregator.Item) string {
	t.Helper()
	var b bytes.Buffer
	err := db.View(t.Context(), func(tx aggregator.Tx) error {
		for _, f := range fetches {
			for _, it := range f {
				got, err := tx.Item(it.ID)
				if err != nil {
					return err
				}
				feat, err := tx.Features(it.ID)
				if err != nil {
					return err
				}
				fmt.Fprintf(&b, "%s story %s title %q features %x\n", it.ID, got.StoryID, got.Title, feat)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// preparedSetup returns the fetches, an Ingester, and two empty stores:
// one for Apply, one for Prepare and ApplyPrepared.
func preparedSetup(t *testing.T) ([][]aggregator.Item, *Ingester, *store.DB, *store.DB) {
	return preparedFetches(), New(&aggregator.Config{}, nil), openStore(t), openStore(t)
}

// sameFiling fails the test unless the prepared store holds what Apply
// filed in the direct one.
func sameFiling(t *testing.T, direct, prepared *store.DB, fetches [][]aggregator.Item, how string) {
	t.Helper()
	if a, b := snapshot(t, direct, fetches), snapshot(t, prepared, fetches); a != b {
		t.Errorf("Apply filed\n%s\n%s filed\n%s", a, how, b)
	}
}

func prepareIn(t *testing.T, db *store.DB, in *Ingester, items []aggregator.Item) *Prepared {
	t.Helper()
	read := func(fn func(aggregator.Tx) error) error { return db.View(t.Context(), fn) }
	p, err := in.Prepare(read, aggregator.SourceState{ID: items[0].SourceID}, items)
	if err != nil {
		t.Fatalf("Prepare: %v", err)
	}
	return p
}

func applyPrepared(t *testing.T, db *store.DB, in *Ingester, p *Prepared) {
	t.Helper()
	if err := db.Update(t.Context(), func(tx aggregator.Tx) error {
		_, err := in.ApplyPrepared(tx, p)
		return err
	}); err != nil {
		t.Fatalf("ApplyPrepared: %v", err)
	}
}

func applyItems(t *testing.T, db *store.DB, in *Ingester, items []aggregator.Item) {
	t.Helper()
	if err := db.Update(t.Context(), func(tx aggregator.Tx) error {
		_, err := in.Apply(tx, aggregator.SourceState{ID: items[0].SourceID}, items)
		return err
	}); err != nil {
		t.Fatalf("Apply: %v", err)
	}
}

// Items prepared outside the write transaction are filed exactly as Apply
// files them, and the text work is not done twice.
func TestPreparedMatchesApply(t *testing.T) {
	fetches, in, direct, prepared := preparedSetup(t)
	for i, f := range fetches {
		applyItems(t, direct, in, f)
		p := prepareIn(t, prepared, in, f)
		if err := prepared.View(t.Context(), func(tx aggregator.Tx) error {
			var res Result
			work, _, err := classify(tx, p.items, &res, p.seen)
			if err != nil {
				return err
			}
			blob, err := tx.Blob(linesBlob(p.sourceID()))
			if err != nil {
				return err
			}
			if !p.reuse(work, blob) {
				t.Errorf("fetch %d: the prepared text is not reused with nothing changed in between", i)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		applyPrepared(t, prepared, in, p)
	}
	sameFiling(t, direct, prepared, fetches, "Prepare and ApplyPrepared")
}

// When the source's items or recurring lines change between Prepare and
// ApplyPrepared, the work is done again on what the store holds then.
func TestPreparedRedoneAfterChange(t *testing.T) {
	fetches, in, direct, prepared := preparedSetup(t)
	applyItems(t, direct, in, fetches[1])
	applyItems(t, prepared, in, fetches[1])
	// The third fetch is prepared before the first is stored: its items
	// were all new then, and the source had no recurring lines.
	early := prepareIn(t, prepared, in, fetches[2])
	for _, db := range []*store.DB{direct, prepared} {
		applyItems(t, db, in, fetches[0])
	}
	applyItems(t, direct, in, fetches[2])
	applyPrepared(t, prepared, in, early)
	sameFiling(t, direct, prepared, fetches, "an outdated Prepared")
}

// A transaction that fails after ApplyPrepared and is run again files the
// same as one run.
func TestPreparedRunTwice(t *testing.T) {
	fetches, in, direct, prepared := preparedSetup(t)
	errRetry := errors.New("retry")
	for _, f := range fetches {
		applyItems(t, direct, in, f)
		p := prepareIn(t, prepared, in, f)
		err := prepared.Update(t.Context(), func(tx aggregator.Tx) error {
			if _, err := in.ApplyPrepared(tx, p); err != nil {
				return err
			}
			return errRetry
		})
		if !errors.Is(err, errRetry) {
			t.Fatalf("first run: %v", err)
		}
		applyPrepared(t, prepared, in, p)
	}
	sameFiling(t, direct, prepared, fetches, "ApplyPrepared run twice")
}

// itemCounter counts the stored items a classification decodes.
type itemCounter struct {
	aggregator.Tx
	decoded int
}

func (c *itemCounter) Item(id string) (aggregator.Item, error) {
	c.decoded++
	return c.Tx.Item(id)
}

func (c *itemCounter) ItemStamp(id string) (uint64, bool, error) {
	return c.Tx.(itemStamper).ItemStamp(id)
}

// Inside the write transaction, only the items stored anew since Prepare
// are decoded again.
func TestPreparedDecodesOnlyChangedItems(t *testing.T) {
	fetches, in, db, _ := preparedSetup(t)
	fetch := fetches[0]
	applyItems(t, db, in, fetch)
	p := prepareIn(t, db, in, fetch) // every item stored as fetched
	classifyNow := func() ([]*pending, Result, int) {
		t.Helper()
		var res Result
		var work []*pending
		c := &itemCounter{}
		err := db.View(t.Context(), func(tx aggregator.Tx) error {
			c.Tx = tx
			var err error
			work, _, err = classify(c, p.items, &res, p.seen)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return work, res, c.decoded
	}
	if work, res, decoded := classifyNow(); decoded != 0 || len(work) != 0 || res.Unchanged != len(fetch) {
		t.Errorf("nothing changed: %d decoded, %d to file, %d unchanged; want 0, 0, %d", decoded, len(work), res.Unchanged, len(fetch))
	}

	edited := slices.Clone(fetch)
	edited[1].Title += " (updated)"
	edited[1].Hash += "!"
	applyItems(t, db, in, edited)
	work, res, decoded := classifyNow()
	if decoded != 1 || len(work) != 1 || work[0].it.ID != fetch[1].ID || work[0].old == nil || res.Unchanged != len(fetch)-1 {
		t.Errorf("one item stored anew: %d decoded, %d to file, %d unchanged; want 1 (%s, as edited), 1, %d",
			decoded, len(work), res.Unchanged, fetch[1].ID, len(fetch)-1)
	}
}
