package ingest

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/topic"
	"github.com/tributary-feeds/tributary/store"
)

// TestGrowMatchesRefresh files the same reports of one event, from fifty
// outlets and with an edit among them, into two stores: one whose large
// story is refreshed from its face and the members it gained (grow), one
// refreshed from every member each time. The stories must stay the same:
// time, face, topics, tags and members.
func TestGrowMatchesRefresh(t *testing.T) {
	const outlets = 50
	t0 := time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)
	cfg := &aggregator.Config{Topics: []aggregator.TopicConfig{
		{ID: "transport", Title: "Transport", Match: aggregator.MatchConfig{Any: []string{"ferry"}}},
		{ID: "sport", Title: "Sport", Match: aggregator.MatchConfig{Categories: []string{"Sport"}}},
		{ID: "quiet", Title: "Quiet", Match: aggregator.MatchConfig{Any: []string{"bridge"}, None: []string{"football"}}},
		{ID: "late", Title: "Late outlet", Sources: []string{"https://outlet-40.test/feed"}},
	}}
	sources := make([]aggregator.SourceState, outlets)
	for i := range sources {
		url := fmt.Sprintf("https://outlet-%d.test/feed", i)
		sources[i] = aggregator.SourceState{ID: aggregator.SourceID(url), URL: url, ConfigURL: url}
		sc := aggregator.SourceConfig{URL: url, Tags: []string{fmt.Sprint("region-", i%4)}}
		switch i {
		case 37:
			sc.Priority = 5
		case 45:
			sc.Priority = 9 // becomes the face, with words that change the topics
		}
		if i%7 == 3 {
			sc.Tags = append(sc.Tags, "World")
		}
		cfg.Sources = append(cfg.Sources, sc)
	}
	set, err := topic.Compile(cfg.Topics, cfg.Sources)
	if err != nil {
		t.Fatal(err)
	}
	report := func(i int, title string) aggregator.Item {
		s := sources[i]
		summary := fmt.Sprintf("<p>The harbour bridge reopens to traffic, outlet %d reports after %d days.</p>", i, i%5+1)
		it := aggregator.Item{
			ID: aggregator.ItemID(s.ID, "bridge"), SourceID: s.ID, GUID: "bridge",
			Link: fmt.Sprintf("https://outlet-%d.test/bridge", i), CanonicalLink: "https://wire.test/bridge",
			Title: title, Summary: summary, Dated: true,
			Published: t0.Add(time.Duration((i*37)%23-5) * time.Hour), // some earlier than the first
		}
		switch {
		case i == 45:
			it.Summary = "<p>The harbour bridge reopens, and the ferry stops running.</p>"
		case i%6 == 1:
			it.Categories = []string{"world"}
		case i%6 == 2:
			it.Categories = []string{"Sport", "Local"}
		case i%6 == 4:
			it.OriginLinks = []string{"https://wire.test/bridge"} // a copy
		case i%6 == 5:
			it.Summary = "<p>The harbour bridge reopens to traffic after weeks of […]</p>"
		}
		switch i {
		case 35:
			it.Published = t0.Add(-20 * time.Hour) // a late member, the earliest report yet
		case 41:
			it.Summary += "<p>The football club hails the news.</p>" // a late member: no topic change
		case 47:
			it.Categories = []string{"Harbours", "LOCAL"} // a new tag, and another spelling of one
		}
		it.FirstSeen = t0.Add(time.Duration(i) * time.Hour)
		it.Hash = it.Title + "\x00" + it.Summary
		return it
	}
	grown, inGrown := openStore(t), New(cfg, set)
	full, inFull := openStore(t), New(cfg, set)
	steps := make([]aggregator.Item, 0, outlets+1)
	for i := range outlets {
		steps = append(steps, report(i, fmt.Sprintf("Harbour bridge reopens (%d)", i)))
		if i == 38 { // an edit of an early member of the large story: earlier, and a new tag
			edited := report(2, "Harbour bridge reopens to all traffic")
			edited.Published = t0.Add(-30 * time.Hour)
			edited.Categories = append(edited.Categories, "Edited")
			edited.Hash += "\x00edited"
			steps = append(steps, edited)
		}
	}
	first := steps[0].ID
	for n, it := range steps {
		applyGrowingAfter(t, grown, inGrown, 2*MaxTopicMembers, it)
		applyGrowingAfter(t, full, inFull, 1<<30, it)
		g, f := storyOfItem(t, grown, first), storyOfItem(t, full, first)
		if !reflect.DeepEqual(g, f) {
			t.Fatalf("after step %d (%s): grown story\n%+v\nwant, refreshed from every member,\n%+v", n, it.Title, g, f)
		}
	}
	st := storyOfItem(t, grown, first)
	if len(st.Members) != outlets {
		t.Fatalf("story has %d members; want %d", len(st.Members), outlets)
	}
	if st.Face != report(45, "").ID {
		t.Errorf("face %s; want outlet 45's item (priority 9)", st.Face)
	}
	if want := []string{"all", "transport", "sport", "quiet", "late"}; !reflect.DeepEqual(st.Topics, want) {
		t.Errorf("topics %q; want %q: the face's words count, a late member's do not", st.Topics, want)
	}
}

// applyGrowingAfter files it in its own transaction of db, with stories of
// more than after members grown rather than refreshed whole.
func applyGrowingAfter(t *testing.T, db *store.DB, in *Ingester, after int, it aggregator.Item) {
	t.Helper()
	saved := growAfter
	growAfter = after
	defer func() { growAfter = saved }()
	applyItems(t, db, in, []aggregator.Item{it})
}

// storyOfItem reads the story the item id belongs to.
func storyOfItem(t *testing.T, db *store.DB, id string) aggregator.Story {
	t.Helper()
	var st aggregator.Story
	err := db.View(t.Context(), func(tx aggregator.Tx) error {
		it, err := tx.Item(id)
		if err != nil {
			return err
		}
		st, err = tx.Story(it.StoryID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return st
}
