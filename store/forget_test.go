package store

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
)

// TestForgetSources deletes the states of the sources that no story has an
// item from, whether it was the first item of its story or joined one, and
// keeps the others'.
func TestForgetSources(t *testing.T) {
	d := mustOpen(t)
	pub := time.Date(2026, 11, 3, 9, 0, 0, 0, time.UTC)
	hosts := []string{"first.example", "joined.example", "gone.example", "kept.example"}
	mustUpdate(t, d, func(tx aggregator.Tx) error {
		for _, h := range hosts {
			if err := tx.PutSource(aggregator.SourceState{ID: aggregator.SourceID(h), Name: h}); err != nil {
				return err
			}
		}
		a := mkItem("first.example", "a1", pub, "")
		putStory(t, tx, nil, a, mkItem("joined.example", "b1", pub.Add(time.Hour), a.StoryID))
		putStory(t, tx, nil, mkItem("kept.example", "k1", pub, ""))
		return nil
	})
	ids := []string{aggregator.SourceID("first.example"), aggregator.SourceID("joined.example"),
		aggregator.SourceID("gone.example"), aggregator.SourceID("never.example")}
	got, err := d.ForgetSources(t.Context(), ids)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{aggregator.SourceID("gone.example")}; !slices.Equal(got, want) {
		t.Errorf("ForgetSources(%q) = %q; want %q", ids, got, want)
	}
	for _, h := range hosts {
		_, err := d.Source(t.Context(), aggregator.SourceID(h))
		if stored, want := err == nil, h != "gone.example"; stored != want {
			t.Errorf("after ForgetSources: state of %s stored = %v (%v); want %v", h, stored, err, want)
		} else if err != nil && !errors.Is(err, aggregator.ErrNotFound) {
			t.Errorf("Source(%s): %v", h, err)
		}
	}
	checkConsistent(t, d)
}
