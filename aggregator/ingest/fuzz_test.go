package ingest_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/ingest"
	"github.com/tributary-feeds/tributary/aggregator/parse"
	"github.com/tributary-feeds/tributary/aggregator/topic"
	"github.com/tributary-feeds/tributary/store"
)

// FuzzIngest runs feed bytes through the parser and into one store, input
// after input, as a source that answers differently at every poll: items
// come, change, vanish and collide. The ingest may refuse a feed, never
// panic; whatever it stored must hold together: every item of the feed is
// either stored, in a story that lists it and its face, or the same as a
// stored item of its source (given again under another GUID).
func FuzzIngest(f *testing.F) {
	fixtures, _ := filepath.Glob("../parse/testdata/*.*")
	for _, p := range fixtures {
		if b, err := os.ReadFile(p); err == nil && len(b) < 8<<10 {
			f.Add(b, int64(0))
		}
	}
	f.Add([]byte(`<rss version="2.0"><channel><item><title>A</title><guid>g</guid><pubDate>Mon, 01 Jan 0001 00:00:00 GMT</pubDate></item>`+
		`<item><title>A</title><guid>g</guid><pubDate>Fri, 31 Dec 9999 23:59:59 GMT</pubDate></item></channel></rss>`), int64(-1<<40))

	db, err := store.Open(filepath.Join(f.TempDir(), "fuzz.db"), store.Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { db.Close() })
	cfg := aggregator.DefaultConfig()
	cfg.Topics = []aggregator.TopicConfig{
		{ID: aggregator.AllTopic, Title: "All"},
		{ID: "q", Title: "Query", Match: aggregator.MatchConfig{Query: `(news OR "the story") AND NOT sport`}},
	}
	tags, err := topic.Compile(cfg.Topics, cfg.Sources)
	if err != nil {
		f.Fatal(err)
	}
	in := ingest.New(cfg, tags)
	base := time.Date(2024, 3, 2, 12, 0, 0, 0, time.UTC)
	srcs := []aggregator.SourceState{src("https://one.test/feed"), src("https://two.test/feed")}

	// Every item found stored so far, by what makes two items of a source
	// the same item.
	stored := map[itemContent]bool{}
	f.Fuzz(func(t *testing.T, body []byte, shift int64) {
		now := base.Add(time.Duration(shift % int64(1000*24*time.Hour)))
		s := srcs[len(body)%len(srcs)]
		feed, err := parse.Parse(body, "", s.URL, s.ID, now, parse.Options{MaxItems: 50})
		if err != nil {
			return
		}
		err = db.Update(t.Context(), func(tx aggregator.Tx) error {
			_, err := in.Apply(tx, s, feed.Items)
			return err
		})
		if err != nil {
			t.Fatalf("Apply of %d parsed items: %v", len(feed.Items), err)
		}
		err = db.View(t.Context(), func(tx aggregator.Tx) error {
			var missing []aggregator.Item
			for _, want := range feed.Items {
				it, err := tx.Item(want.ID)
				if errors.Is(err, aggregator.ErrNotFound) {
					missing = append(missing, want)
					continue
				}
				if err != nil {
					t.Errorf("item %s of the feed: %v", want.ID, err)
					continue
				}
				stored[sameItem(it)] = true
				st, err := tx.Story(it.StoryID)
				if err != nil {
					t.Errorf("item %s: its story %s: %v", it.ID, it.StoryID, err)
					continue
				}
				isMember := func(m aggregator.Member) bool { return m.Item == it.ID }
				faceIsMember := func(m aggregator.Member) bool { return m.Item == st.Face }
				if !slices.ContainsFunc(st.Members, isMember) || !slices.ContainsFunc(st.Members, faceIsMember) {
					t.Errorf("story %s (face %s, %d members) does not list item %s or its face", st.ID, st.Face, len(st.Members), it.ID)
				}
			}
			// An item left out is one its source gave before under another
			// GUID: stored now, or earlier.
			for _, it := range missing {
				if !stored[sameItem(it)] {
					t.Errorf("item %s of the feed was not stored, and no stored item of its source is the same", it.ID)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

// itemContent is what makes two items of one source the same item, whatever
// their GUIDs.
type itemContent struct{ source, link, title, summary, content string }

func sameItem(it aggregator.Item) itemContent {
	link := it.CanonicalLink
	if link == "" {
		link = it.Link
	}
	return itemContent{it.SourceID, link, it.Title, it.Summary, it.Content}
}
