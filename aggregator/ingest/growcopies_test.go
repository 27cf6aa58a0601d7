package ingest

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
)

// TestGrowDatesByReportsUnderACopysFace files one event's copies and
// reports into two stores, one whose story grows from its face and the
// members it gained (grow), one refreshed from every member: a copy from
// the outlet of highest priority is the face, so the face tells nothing of
// whether the story holds a report. The story is dated by its earliest
// report, in both: a copy dated before the reports, or reports that come
// after copies dated earlier, must not leave the grown story dated by a
// copy.
func TestGrowDatesByReportsUnderACopysFace(t *testing.T) {
	t0 := time.Date(2024, 5, 2, 9, 0, 0, 0, time.UTC)
	type step struct {
		outlet int
		copy   bool
		at     time.Duration
	}
	for name, steps := range map[string][]step{
		"an earlier copy after the reports": {{0, true, 0}, {1, false, 2 * time.Hour}, {2, false, 3 * time.Hour},
			{3, false, 4 * time.Hour}, {4, true, -10 * time.Hour}, {5, false, 5 * time.Hour}},
		"a report after earlier copies": {{0, true, 0}, {1, true, -time.Hour}, {2, true, -2 * time.Hour},
			{3, true, -3 * time.Hour}, {4, false, 6 * time.Hour}, {5, true, -9 * time.Hour}},
	} {
		var cfg aggregator.Config
		sources := make([]aggregator.SourceState, 6)
		for i := range sources {
			url := fmt.Sprintf("https://outlet-%d.test/feed", i)
			sources[i] = aggregator.SourceState{ID: aggregator.SourceID(url), URL: url, ConfigURL: url}
			sc := aggregator.SourceConfig{URL: url}
			if i == 0 {
				sc.Priority = 9
			}
			cfg.Sources = append(cfg.Sources, sc)
		}
		item := func(s step) aggregator.Item {
			src := sources[s.outlet]
			it := aggregator.Item{
				ID: aggregator.ItemID(src.ID, "ferry"), SourceID: src.ID, GUID: "ferry",
				Link: fmt.Sprintf("https://outlet-%d.test/ferry", s.outlet), CanonicalLink: "https://wire.test/ferry",
				Title:   "Island ferry resumes its winter timetable",
				Summary: fmt.Sprintf("<p>The island ferry resumes its winter timetable on Monday, outlet %d reports.</p>", s.outlet),
				Dated:   true, Published: t0.Add(s.at), FirstSeen: t0.Add(time.Duration(s.outlet) * time.Hour),
			}
			if s.copy {
				it.OriginLinks = []string{"https://wire.test/ferry"}
			}
			it.Hash = it.Title + "\x00" + it.Summary
			return it
		}
		grown, inGrown := openStore(t), New(&cfg, nil)
		full, inFull := openStore(t), New(&cfg, nil)
		first := item(steps[0]).ID
		for n, s := range steps {
			applyGrowingAfter(t, grown, inGrown, 1, item(s))
			applyGrowingAfter(t, full, inFull, 1<<30, item(s))
			g, f := storyOfItem(t, grown, first), storyOfItem(t, full, first)
			if len(f.Members) != n+1 {
				t.Fatalf("%s: after step %d the story has %d members; want %d", name, n, len(f.Members), n+1)
			}
			if !g.Time.Equal(f.Time) || g.Face != f.Face {
				t.Errorf("%s: after step %d the grown story is dated %v with face %s; want, refreshed from every member, %v with face %s",
					name, n, g.Time, g.Face, f.Time, f.Face)
			}
		}
		if st := storyOfItem(t, full, first); !reflect.DeepEqual(st.Face, first) {
			t.Errorf("%s: face %s; want the copy of the outlet of highest priority %s", name, st.Face, first)
		}
	}
}
