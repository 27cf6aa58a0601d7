package ingest

import (
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/near"
	"github.com/tributary-feeds/tributary/store"
)

// openStore opens a store in a new file, closed when the test ends.
func openStore(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.Open(filepath.Join(t.TempDir(), "agg.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestChromeLearnedPerSource(t *testing.T) {
	db := openStore(t)
	in := New(&aggregator.Config{}, nil)
	promo := "Subscribe today to get unlimited access to all of our award winning journalism."
	t0 := time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)
	mk := func(source, text string, i int) *pending {
		return &pending{it: aggregator.Item{
			ID: source + text, SourceID: source, Title: "Headline " + text, Published: t0.Add(time.Duration(i) * time.Hour),
			Summary: "<p>" + text + "</p><p>" + promo + "</p><p>Photo: Staff / Archive</p>",
		}}
	}
	prepare := func(source string, work ...*pending) {
		t.Helper()
		err := db.Update(t.Context(), func(tx aggregator.Tx) error {
			_, _, err := newSession(in, tx).prepare(source, work, nil)
			return err
		})
		if err != nil {
			t.Fatalf("prepare: %v", err)
		}
	}
	first := []*pending{
		mk("a", "Painters finished the harbour bridge after two years of work.", 0),
		mk("a", "The education board cut the price of school lunches by a third.", 1),
		mk("a", "The central library will now stay open until ten at night.", 2),
	}
	prepare("a", first...)
	for _, p := range first {
		if len(p.lines) != 1 || slices.Contains(p.lines, promo) {
			t.Errorf("first fetch: lines %q; want the article line only (the promotion recurs in three items)", p.lines)
		}
	}
	later := mk("a", "Four new bus routes will serve the eastern suburbs from June.", 3)
	prepare("a", later)
	if want := []string{"Four new bus routes will serve the eastern suburbs from June."}; !slices.Equal(later.lines, want) {
		t.Errorf("later fetch: lines %q; want %q (the promotion learned from earlier fetches)", later.lines, want)
	}
	other := mk("b", "A ferry strike halted crossings on Monday.", 4)
	prepare("b", other)
	if !slices.Contains(other.lines, promo) {
		t.Errorf("other source: lines %q; want the promotion kept (chrome is learned per source)", other.lines)
	}
	if slices.Contains(other.lines, "Photo: Staff / Archive") {
		t.Errorf("other source: lines %q; want the credit line dropped (not prose)", other.lines)
	}
}

// TestLeadLabelsLearnedPerSource checks that lines pointing to other
// reports under a label the source's items share ("READ ALSO: another
// headline") are dropped once the label recurs, so that another report's
// headline does not count as the item's text, while a sentence under the
// same label stays.
func TestLeadLabelsLearnedPerSource(t *testing.T) {
	db := openStore(t)
	in := New(&aggregator.Config{}, nil)
	t0 := time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)
	texts := []string{
		"Painters finished the harbour bridge after two years of work.",
		"The education board cut the price of school lunches by a third.",
		"The central library will now stay open until ten at night.",
		"Four new bus routes will serve the eastern suburbs from June.",
	}
	related := []string{
		"Ferry workers walk out over pay and rosters",
		"Storm cuts power to thousands across the valley",
		"Hospital opens a new children's ward in the north",
		"Police name the driver in the motorway crash",
	}
	var work []*pending
	for i, text := range texts {
		work = append(work, &pending{it: aggregator.Item{
			ID: fmt.Sprint("a", i), SourceID: "a", Title: fmt.Sprint("Headline ", i), Published: t0.Add(time.Duration(i) * time.Hour),
			Summary: "<p>" + text + "</p><p>READ ALSO: " + related[i] + "</p>",
		}})
	}
	sentence := "Read also: the council said on Monday that the bridge would reopen."
	work[3].it.Summary += "<p>" + sentence + "</p>"
	err := db.Update(t.Context(), func(tx aggregator.Tx) error {
		_, _, err := newSession(in, tx).prepare("a", work, nil)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range work[:3] {
		if !slices.Equal(p.lines, []string{texts[i]}) {
			t.Errorf("item %d: lines %q; want the article line only (the READ ALSO label recurs)", i, p.lines)
		}
	}
	if want := []string{texts[3], sentence}; !slices.Equal(work[3].lines, want) {
		t.Errorf("item 3: lines %q; want %q (a sentence under the label is the item's text)", work[3].lines, want)
	}

	// Under a label that does not recur, such a line is text.
	one := &pending{it: aggregator.Item{
		ID: "b0", SourceID: "b", Title: "Headline", Published: t0,
		Summary: "<p>" + texts[0] + "</p><p>Related: " + related[0] + "</p>",
	}}
	err = db.Update(t.Context(), func(tx aggregator.Tx) error {
		_, _, err := newSession(in, tx).prepare("b", []*pending{one}, nil)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{texts[0], "Related: " + related[0]}; !slices.Equal(one.lines, want) {
		t.Errorf("other source: lines %q; want %q", one.lines, want)
	}
}

// TestChromeCountersOfEarlierBuilds checks the move from counting every
// line of a source for ever to its bounded table: the first fetch drops
// the source's old counters and keeps a table instead, which bounds what
// is stored whatever the number of items.
func TestChromeCountersOfEarlierBuilds(t *testing.T) {
	db := openStore(t)
	in := New(&aggregator.Config{}, nil)
	ns := chromeNamespace("a")
	if err := db.Update(t.Context(), func(tx aggregator.Tx) error {
		return tx.AddCounts(ns, []string{"old line", "old line"})
	}); err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)
	var work []*pending
	for i := range 3 * near.MaxLineCounts {
		// Digits do not tell lines apart (LineKey): letters do.
		name := []byte("x")
		for n := i + 1; n > 0; n /= 26 {
			name = append(name, byte('a'+n%26))
		}
		text := fmt.Sprintf("The story of %s tells of a place and a time.", name)
		work = append(work, &pending{it: aggregator.Item{
			ID: fmt.Sprint("a", i), SourceID: "a", Title: fmt.Sprint("Headline ", i), Published: t0,
			Summary: "<p>" + text + "</p>",
		}})
	}
	err := db.Update(t.Context(), func(tx aggregator.Tx) error {
		if _, _, err := newSession(in, tx).prepare("a", work, nil); err != nil {
			return err
		}
		if n, err := tx.Counts(ns, []string{"old line"}); err != nil || n[0] != 0 {
			t.Errorf("old counter after the first fetch: %v, %v; want it dropped", n, err)
		}
		b, err := tx.Blob(linesBlob("a"))
		if err != nil {
			return err
		}
		lines, err := near.DecodeLineCounts(b)
		if err != nil || lines.Len() != near.MaxLineCounts {
			t.Errorf("table after %d items of distinct lines: %d keys (%d bytes, err %v); want %d",
				len(work), lines.Len(), len(b), err, near.MaxLineCounts)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
