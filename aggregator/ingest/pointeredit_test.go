package ingest_test

import (
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/ingest"
)

// TestPointerEditedToText checks that an item first given as a link to
// the report it names, its text "Read more", and edited by its source to
// carry the report's whole text, is found by that text afterwards: a copy
// of the text from another outlet, naming no original, joins its story.
func TestPointerEditedToText(t *testing.T) {
	db := mustOpen(t)
	in := ingest.New(&aggregator.Config{}, nil)
	const text = "<p>Dockworkers at the port of Veltra voted on Thursday to end a nineteen-day strike after the harbour board offered a pay rise of seven percent over two years and a review of night shifts.</p>" +
		"<p>Cargo ships that had anchored off the breakwater began moving to the quays within hours, and the board said the backlog of containers should clear by the end of next week.</p>" +
		"<p>The union's branch secretary, Mirela Okon, said members had accepted the offer by a large majority but would watch how the review of night shifts was carried out.</p>"
	ptr := item(paper, "p-1", "https://paper.test/briefs/veltra-strike", "Veltra dock strike ends", "Read more", t0)
	ptr.OriginLinks = []string{"https://wire.test/veltra-dock-vote"}
	full := ptr
	full.Summary = text
	full.Hash = full.Title + "\x00" + full.Summary
	cp := item(copier, "c-4", "https://copier.test/veltra-ships-move", "Ships move again as Veltra dockers accept pay deal", text, t0.Add(3*time.Hour))

	apply(t, db, in, paper, ptr)
	apply(t, db, in, paper, full)
	apply(t, db, in, copier, cp)
	_, a := stored(t, db, ptr.ID)
	_, c := stored(t, db, cp.ID)
	if a.ID != c.ID {
		t.Errorf("the item edited from a link to its text is in story %s and another outlet's copy of the text in %s; want one story", a.ID, c.ID)
	}
}
