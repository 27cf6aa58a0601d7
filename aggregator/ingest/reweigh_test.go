package ingest

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/near"
	"github.com/tributary-feeds/tributary/store"
)

// TestStaleDocReweighed checks that a Doc stored while the store was young
// is compared with the weights of the statistics as they are now.
func TestStaleDocReweighed(t *testing.T) {
	db, err := store.Open(filepath.Join(t.TempDir(), "agg.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	in := New(&aggregator.Config{}, nil)
	t0 := time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)
	mk := func(source string, i int, title string) aggregator.Item {
		return aggregator.Item{
			ID: fmt.Sprintf("%s-%d", source, i), SourceID: source, GUID: fmt.Sprint(i),
			Title: title, Published: t0.Add(time.Duration(i) * time.Minute), Dated: true,
		}
	}
	apply := func(source string, items ...aggregator.Item) {
		t.Helper()
		err := db.Update(t.Context(), func(tx aggregator.Tx) error {
			_, err := in.Apply(tx, aggregator.SourceState{ID: source}, items)
			return err
		})
		if err != nil {
			t.Fatalf("apply %s: %v", source, err)
		}
	}
	// The first source's two items are alone in the store: "ferry" is in
	// one of two items when the first is weighed. Then many items of other
	// sources, a third of them about ferries, make it a common word.
	apply("a", mk("a", 0, "Ferry crews strike over pay"), mk("a", 1, "Library opens late"))
	var later []aggregator.Item
	for i := range 30 {
		title := fmt.Sprintf("Council notice number %d", i)
		if i%3 == 0 {
			title = fmt.Sprintf("Ferry timetable change %d", i)
		}
		later = append(later, mk("b", i, title))
	}
	apply("b", later...)

	err = db.View(t.Context(), func(tx aggregator.Tx) error {
		b, err := tx.Features("a-0")
		if err != nil {
			return err
		}
		stored, err := near.Decode(b)
		if err != nil {
			return err
		}
		df, err := tx.Counts(dfNamespace, []string{docsKey})
		if err != nil {
			return err
		}
		docs := df[0]
		if !stored.Stale(docs) {
			t.Fatalf("stored Doc weighed by %d documents is not stale at %d; the test needs it stale", stored.Weighed, docs)
		}
		s := newSession(in, tx)
		s.docCount = docs
		got, err := s.doc("a-0")
		if err != nil {
			return err
		}
		if got.Weighed != docs {
			t.Errorf("session.doc: Weighed = %d; want %d (re-weighed)", got.Weighed, docs)
		}
		// Stored, "ferry" and "strike" weighed alike: each was in one of
		// the two items then. Now "ferry" is common and "strike" rare.
		idf := func(d *near.Doc, word string) uint8 {
			for _, term := range d.Terms {
				if term.Hash == near.TermHash(word) {
					return term.IDF
				}
			}
			t.Fatalf("no term %q in %+v", word, d.Terms)
			return 0
		}
		if a, b := idf(stored, "ferry"), idf(stored, "strike"); a != b {
			t.Fatalf("stored IDFs of ferry and strike = %d, %d; the test needs them alike", a, b)
		}
		if a, b := idf(got, "ferry"), idf(got, "strike"); a >= b {
			t.Errorf("session.doc: IDFs of ferry and strike = %d/16, %d/16; want ferry below strike (re-weighed)", a, b)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
