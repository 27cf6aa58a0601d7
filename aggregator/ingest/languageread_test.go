package ingest_test

import (
	"slices"
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/ingest"
)

// TestLanguageReadAnewLeavesUpdated stores items as a version that kept
// no item's language stored them, then fetches them again, unchanged but
// for the language their source declares all along (with their authors
// read anew too, or a later date the feed gives them at every fetch): the
// items take the language, so that their entries say it, and the story's
// updated date stays where it was, since the source changed nothing. An
// item fetched again with its language already stored is not written.
func TestLanguageReadAnewLeavesUpdated(t *testing.T) {
	tests := []struct {
		name     string
		was, now []string // authors
		later    time.Duration
	}{
		{"language alone", nil, nil, 0},
		{"authors read anew too", []string{"By Jane Doe | Harbour Wire"}, []string{"Jane Doe (Harbour Wire)"}, 0},
		{"dated by the fetch", nil, nil, 3 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := mustOpen(t)
			in := ingest.New(&aggregator.Config{}, nil)
			first := item(wire, "quai-1", "https://wire.test/quai", "Le quai rouvre après les réparations", "Le quai du port a rouvert lundi.", t0)
			first.Authors = tt.was
			first.Hash = first.EditHash()
			apply(t, db, in, wire, first)
			_, was := stored(t, db, first.ID)

			again := first
			again.Language = "fr"
			again.Authors = tt.now
			again.Published = first.Published.Add(tt.later)
			again.FirstSeen = first.FirstSeen.Add(2 * time.Hour)
			again.Hash = again.EditHash()
			apply(t, db, in, wire, again)
			it, st := stored(t, db, first.ID)
			if it.Language != "fr" {
				t.Errorf("stored language %q; want %q, as the source declares it", it.Language, "fr")
			}
			if tt.now != nil && !slices.Equal(it.Authors, tt.now) {
				t.Errorf("stored authors %q; want %q", it.Authors, tt.now)
			}
			if !st.Updated.Equal(was.Updated) || !it.Published.Equal(first.Published) {
				t.Errorf("story updated %v, item published %v; want %v and %v as before", st.Updated, it.Published, was.Updated, first.Published)
			}

			third := again
			third.FirstSeen = again.FirstSeen.Add(2 * time.Hour)
			if res := apply(t, db, in, wire, third); res.Unchanged != 1 {
				t.Errorf("the item fetched a third time: %+v; want it unchanged", res)
			}
		})
	}
}
