package ingest_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/ingest"
	"github.com/tributary-feeds/tributary/aggregator/parse"
	"github.com/tributary-feeds/tributary/store"
)

// archiveSources are the outlets of testdata/archive, each a feed that
// holds every item the outlet posted over five days: reports, copies of
// another outlet's, rewrites and follow-ups on later days, all dated.
var archiveSources = []string{"wire", "paper", "blog"}

// TestArchiveGivesLiveStories files the same outlets' items polled live,
// every two hours a feed of each outlet's latest three items as it read
// then, and read as archives, each outlet's whole feed at once, in order
// and reversed: the stories (which items are one), their faces and their
// times are the same, since the dedup window is measured between the
// items' own times.
func TestArchiveGivesLiveStories(t *testing.T) {
	start := time.Date(2026, 3, 2, 6, 0, 0, 0, time.UTC)
	end := start.Add(5 * 24 * time.Hour)
	feeds := map[string][]aggregator.Item{}
	for _, name := range archiveSources {
		body, err := os.ReadFile(filepath.Join("testdata", "archive", name+".xml"))
		if err != nil {
			t.Fatal(err)
		}
		u := "https://" + name + ".example/feed.xml"
		f, err := parse.Parse(body, "application/rss+xml", u, aggregator.SourceID(u), end, parse.Options{})
		if err != nil {
			t.Fatalf("parse %s: %v", name, err)
		}
		feeds[name] = f.Items // newest first
	}

	live := archiveRun(t, func(file func(name string, items []aggregator.Item)) {
		for at := start; !at.After(end); at = at.Add(2 * time.Hour) {
			for _, name := range archiveSources {
				var snap []aggregator.Item
				for _, it := range feeds[name] {
					if !it.Published.After(at) && len(snap) < 3 {
						it.FirstSeen = at
						snap = append(snap, it)
					}
				}
				file(name, snap)
			}
		}
	})
	for _, reversed := range []bool{false, true} {
		got := archiveRun(t, func(file func(name string, items []aggregator.Item)) {
			names := slices.Clone(archiveSources)
			if reversed {
				slices.Reverse(names)
			}
			for _, name := range names {
				items := slices.Clone(feeds[name])
				if reversed {
					slices.Reverse(items)
				}
				file(name, items)
			}
		})
		if got != live {
			t.Errorf("archive (reversed %v):\n%s\nlive:\n%s", reversed, got, live)
		}
	}
}

// archiveRun files items into a fresh store as run tells it, one
// transaction a feed, and returns its stories: for each, its items' links,
// its face's link and its time, one story a line, sorted.
func archiveRun(t *testing.T, run func(file func(name string, items []aggregator.Item))) string {
	t.Helper()
	db, err := store.Open(filepath.Join(t.TempDir(), "agg.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	in := ingest.New(&aggregator.Config{}, nil)
	run(func(name string, items []aggregator.Item) {
		u := "https://" + name + ".example/feed.xml"
		src := aggregator.SourceState{ID: aggregator.SourceID(u), URL: u, Name: name}
		err := db.Update(t.Context(), func(tx aggregator.Tx) error {
			_, err := in.Apply(tx, src, items)
			return err
		})
		if err != nil {
			t.Fatalf("apply %s: %v", name, err)
		}
	})
	links := map[string][]string{}
	faces := map[string]string{}
	times := map[string]time.Time{}
	err = db.Export(t.Context(), func(it aggregator.Item, st aggregator.Story) error {
		links[st.ID] = append(links[st.ID], it.Link)
		if it.ID == st.Face {
			faces[st.ID] = it.Link
		}
		times[st.ID] = st.Time
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for id, ls := range links {
		slices.Sort(ls)
		lines = append(lines, fmt.Sprintf("%s face %s at %s", strings.Join(ls, " "), faces[id], times[id].Format(time.RFC3339)))
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}
