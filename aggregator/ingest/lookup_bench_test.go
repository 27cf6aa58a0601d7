package ingest_test

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/ingest"
	"github.com/tributary-feeds/tributary/store"
)

// errRollBack ends a benchmark's transaction without a commit.
var errRollBack = errors.New("roll back")

// BenchmarkApplyRepeatedPost measures Apply of an untitled post (its title
// the first words of its text) whose text an account of one source posted
// every day of the window before: each earlier post is another post
// (distinctPosts) under the same text key, so the lookup reads all of
// them. Each Apply runs in a transaction of a real store that is rolled
// back.
func BenchmarkApplyRepeatedPost(b *testing.B) {
	words := strings.Fields("The morning sailing from Port Ellis to the island is cancelled because of fog over the sound, and the noon sailing will leave when the harbour master clears the channel; passengers holding tickets may travel on any later sailing today or claim a refund at the terminal desk, and vehicle bookings move to the first sailing with room on the car deck.")
	text := "<p>" + strings.Join(words, " ") + "</p>"
	title := strings.Join(words[:8], " ") + "…"
	const posts = 40
	s := aggregator.SourceState{ID: aggregator.SourceID("https://ferry.test/feed"), URL: "https://ferry.test/feed"}
	t0 := time.Date(2024, 3, 1, 7, 0, 0, 0, time.UTC)
	post := func(i int) aggregator.Item {
		guid := fmt.Sprint("post-", i)
		link := fmt.Sprint("https://ferry.test/notices/", i)
		at := t0.Add(time.Duration(i) * 13 * time.Hour)
		return aggregator.Item{
			ID: aggregator.ItemID(s.ID, guid), SourceID: s.ID, GUID: guid, Link: link, CanonicalLink: link,
			Title: title, Summary: text, Published: at, FirstSeen: at, Dated: true, Hash: guid,
		}
	}
	db, err := store.Open(filepath.Join(b.TempDir(), "agg.db"), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	in := ingest.New(&aggregator.Config{Dedup: aggregator.DedupConfig{Window: 30 * 24 * time.Hour}}, nil)
	for i := range posts {
		err := db.Update(b.Context(), func(tx aggregator.Tx) error {
			_, err := in.Apply(tx, s, []aggregator.Item{post(i)})
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	last := []aggregator.Item{post(posts)}
	b.ReportAllocs()
	for b.Loop() {
		err := db.Update(b.Context(), func(tx aggregator.Tx) error {
			res, err := in.Apply(tx, s, last)
			if err != nil {
				return err
			}
			if res.Duplicates != 0 {
				b.Fatalf("the post of another day joined an earlier one: %+v", res)
			}
			return errRollBack
		})
		if !errors.Is(err, errRollBack) {
			b.Fatal(err)
		}
	}
}
