package ingest_test

import (
	"slices"
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/ingest"
)

// TestAuthorsReadAnewLeaveUpdated stores items with their authors as an
// earlier version of the parser kept them ("By Jane Doe | Harbour Wire",
// "Sea Desk (sea@wire.test)"), then fetches them again, unchanged but for
// the authors as the parser now reads the same text: the items take the
// new authors, and the story's updated date stays where it was, since the
// source changed nothing and readers would show the entry as new again. An
// author the source did change is an edit that moves it.
func TestAuthorsReadAnewLeaveUpdated(t *testing.T) {
	tests := []struct {
		name     string
		was, now []string
		moves    bool
	}{
		{"byline", []string{"By Jane Doe | Harbour Wire"}, []string{"Jane Doe (Harbour Wire)"}, false},
		{"name with its address", []string{"Sea Desk (sea@wire.test)", "by Ann Writer"}, []string{"Sea Desk", "Ann Writer"}, false},
		{"another author", []string{"Jane Doe"}, []string{"Ann Writer"}, true},
		{"an author added", []string{"By Jane Doe"}, []string{"Jane Doe", "Ann Writer"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := mustOpen(t)
			in := ingest.New(&aggregator.Config{}, nil)
			first := item(wire, "quay-1", "https://wire.test/quay", "Quay reopens after storm repairs", "The harbour quay reopened on Monday.", t0)
			first.Authors = tt.was
			first.Hash = first.EditHash()
			apply(t, db, in, wire, first)
			_, was := stored(t, db, first.ID)

			again := first
			again.Authors = tt.now
			again.FirstSeen = first.FirstSeen.Add(2 * time.Hour)
			again.Hash = again.EditHash()
			apply(t, db, in, wire, again)
			it, st := stored(t, db, first.ID)
			if !slices.Equal(it.Authors, tt.now) {
				t.Errorf("stored authors %q; want %q", it.Authors, tt.now)
			}
			want := was.Updated
			if tt.moves {
				want = again.FirstSeen
			}
			if !st.Updated.Equal(want) {
				t.Errorf("authors %q, then %q: story updated %v; want %v", tt.was, tt.now, st.Updated, want)
			}
		})
	}
}

// TestAuthorsReadAnewOneSource stores an item with its author as an
// earlier version of the parser kept it ("By Jane Doe | Harbour Wire"),
// then its source's edit of it under a new GUID, with the author as the
// parser now reads the same byline: the edit joins the item's story, as
// it would have with the author read alike, where the two authors, taken
// for two people, made them two posts of the source.
func TestAuthorsReadAnewOneSource(t *testing.T) {
	db := mustOpen(t)
	in := ingest.New(&aggregator.Config{}, nil)
	const link = "https://wire.test/a/quay"
	text := "Quay reopens after storm repairs"
	body := "The harbour quay reopened on Monday after three weeks of repairs to the storm wall."
	first := item(wire, "quay-1", link, text, body, t0)
	first.Authors = []string{"By Jane Doe | Harbour Wire"}
	apply(t, db, in, wire, first)

	edited := item(wire, "quay-2", link+"-reopens", text, body+" Ferries call again from Tuesday.", t0.Add(time.Hour))
	edited.Authors = []string{"Jane Doe (Harbour Wire)"}
	res := apply(t, db, in, wire, edited)
	_, a := stored(t, db, first.ID)
	_, b := stored(t, db, edited.ID)
	if a.ID != b.ID {
		t.Errorf("authors %q, then %q under a new GUID: stories %s and %s (%d new, %d duplicates); want one",
			first.Authors, edited.Authors, a.ID, b.ID, res.New, res.Duplicates)
	}
}

// TestAuthorsReadAnewNewFace stores an article with its author as an
// earlier version of the parser kept it ("By Jane Doe | Harbour Wire"),
// then the same article under its source's new URL, its author read as
// the parser now reads the same byline, and decides the story again with
// the new URL given priority: its face is now the article under the new
// URL, the same article, so the story's updated date stays where it was.
func TestAuthorsReadAnewNewFace(t *testing.T) {
	db := mustOpen(t)
	first, second, sources := movedPair()
	first.Authors = []string{"By Jane Doe | Harbour Wire"}
	second.Authors = []string{"Jane Doe (Harbour Wire)"}
	in := ingest.New(&aggregator.Config{}, nil)
	apply(t, db, in, sources[first.SourceID], first)
	apply(t, db, in, sources[second.SourceID], second)
	_, was := stored(t, db, second.ID)
	if was.Face != first.ID {
		t.Fatalf("face %s; want %s, stored first", was.Face, first.ID)
	}

	cfg := &aggregator.Config{Sources: []aggregator.SourceConfig{{URL: sources[second.SourceID].URL, Priority: 10}}}
	err := db.Update(t.Context(), func(tx aggregator.Tx) error {
		_, err := ingest.New(cfg, nil).Retag(tx, second.FirstSeen.Add(5*time.Hour), was.ID)
		return err
	})
	if err != nil {
		t.Fatalf("Retag: %v", err)
	}
	if _, st := stored(t, db, second.ID); st.Face != second.ID || !st.Updated.Equal(was.Updated) {
		t.Errorf("after Retag: face %s updated %v; want face %s, updated %v as before", st.Face, st.Updated, second.ID, was.Updated)
	}
}
