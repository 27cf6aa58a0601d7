package ingest_test

import (
	"slices"
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/ingest"
)

// TestCategoriesReadAnewLeaveUpdated stores items with their categories as
// an earlier version of the parser kept them, markup and all ("<p>Harbour
// Works</p>", "Locks &amp; Weirs" from CDATA), then fetches them again,
// unchanged but for the categories as the parser now reads the same text:
// the items take the new categories, and the story's updated date stays
// where it was, since the source changed nothing and readers would show
// the entry as new again, wherever the categories read anew fall among
// the story's sorted tags, and whether they are one with another category
// or tag or none at all now. A category the source did change is an edit
// that moves it.
func TestCategoriesReadAnewLeaveUpdated(t *testing.T) {
	tests := []struct {
		name     string
		was, now []string
		moves    bool
	}{
		{"element", []string{"<p>Harbour Works</p>", "x<y>"}, []string{"Harbour Works", "x<y>"}, false},
		{"reference in CDATA", []string{"Locks &amp; Weirs"}, []string{"Locks & Weirs"}, false},
		// The story's tags are sorted: a category read anew may take
		// another place among them, or be one with a topic's tag.
		{"element in lower case", []string{"<p>harbour works</p>"}, []string{"harbour works"}, false},
		{"element named as a topic", []string{"<b>All</b>", "<p>Harbour Works</p>"}, []string{"All", "Harbour Works"}, false},
		{"element with no text", []string{"<span></span>", "<p>Harbour Works</p>"}, []string{"Harbour Works"}, false},
		{"element read as another category", []string{"<p>Harbour Works</p>", "harbour works"}, []string{"Harbour Works"}, false},
		{"a category that changed its case", []string{"<p>Harbour Works</p>", "Shipping"}, []string{"Harbour Works", "shipping"}, true},
		{"another category", []string{"<p>Harbour Works</p>"}, []string{"Shipping"}, true},
		{"a category added", []string{"<p>Harbour Works</p>"}, []string{"Harbour Works", "Shipping"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := mustOpen(t)
			in := ingest.New(&aggregator.Config{}, nil)
			first := item(wire, "quay-1", "https://wire.test/quay", "Quay reopens after storm repairs", "The harbour quay reopened on Monday.", t0)
			first.Categories = tt.was
			first.Authors = []string{"By Jane Doe | Harbour Wire"}
			first.Hash = first.EditHash()
			apply(t, db, in, wire, first)
			_, was := stored(t, db, first.ID)

			again := first
			again.Categories = tt.now
			again.Authors = []string{"Jane Doe (Harbour Wire)"}
			again.FirstSeen = first.FirstSeen.Add(2 * time.Hour)
			again.Hash = again.EditHash()
			apply(t, db, in, wire, again)
			it, st := stored(t, db, first.ID)
			if !slices.Equal(it.Categories, tt.now) {
				t.Errorf("stored categories %q; want %q", it.Categories, tt.now)
			}
			want := was.Updated
			if tt.moves {
				want = again.FirstSeen
			}
			if !st.Updated.Equal(want) {
				t.Errorf("categories %q, then %q: story updated %v; want %v", tt.was, tt.now, st.Updated, want)
			}
		})
	}
}
