package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
)

// mustOpen opens a store in a new temporary folder and closes it when the
// test ends.
func mustOpen(tb testing.TB) *DB {
	tb.Helper()
	return mustOpenPath(tb, filepath.Join(tb.TempDir(), "agg.db"))
}

func mustOpenPath(tb testing.TB, path string) *DB {
	tb.Helper()
	d, err := Open(path, Options{})
	if err != nil {
		tb.Fatalf("Open(%q) = %v", path, err)
	}
	tb.Cleanup(func() { d.Close() })
	return d
}

func mustUpdate(tb testing.TB, d *DB, fn func(aggregator.Tx) error) {
	tb.Helper()
	if err := d.Update(context.Background(), fn); err != nil {
		tb.Fatalf("Update: %v", err)
	}
}

var t0 = time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)

var words = strings.Fields(`the minister said on tuesday that talks with officials in beijing and washington
would resume after a week of tension over trade tariffs semiconductors and export controls while analysts
warned markets could react sharply to any sign of escalation between the two largest economies researchers
at the university published new data showing rising temperatures across the region as farmers struggle with
drought and water shortages police confirmed an investigation into the incident near the city centre where
witnesses reported hearing loud noises late on monday evening council members voted to approve the budget`)

// html returns about n bytes of article-like HTML, the same for the same seed.
func html(seed uint64, n int) string {
	r := rand.New(rand.NewPCG(seed, 7))
	var b strings.Builder
	for b.Len() < n {
		b.WriteString("<p>")
		for i := 0; i < 20+r.IntN(30); i++ {
			if i > 0 {
				b.WriteByte(' ')
			}
			w := words[r.IntN(len(words))]
			if r.IntN(40) == 0 {
				fmt.Fprintf(&b, `<a href="https://example.org/%s/%d">%s</a>`, w, r.IntN(100000), w)
			} else {
				b.WriteString(w)
			}
		}
		b.WriteString(".</p>")
	}
	return b.String()
}

// mkItem returns an item of source src with the given guid, published at
// pub, in story storyID (its own story when empty).
func mkItem(src, guid string, pub time.Time, storyID string) aggregator.Item {
	sid := aggregator.SourceID(src)
	id := aggregator.ItemID(sid, guid)
	if storyID == "" {
		storyID = id
	}
	return aggregator.Item{
		ID:            id,
		SourceID:      sid,
		GUID:          guid,
		Link:          "https://" + src + "/news/" + guid,
		CanonicalLink: "https://" + src + "/news/" + guid + "?canonical",
		Title:         "Title of " + guid,
		Summary:       "<p>Summary of " + guid + "</p>",
		Content:       html(uint64(len(guid))+uint64(pub.Unix()), 1500),
		Authors:       []string{"A. Writer"},
		Categories:    []string{"world"},
		Published:     pub,
		FirstSeen:     pub.Add(time.Minute),
		Dated:         true,
		Hash:          "h-" + guid,
		StoryID:       storyID,
	}
}

// mkStory returns a story of the given items, the first one its face.
func mkStory(topics []string, items ...aggregator.Item) aggregator.Story {
	st := aggregator.Story{ID: items[0].StoryID, Time: items[0].Published, Updated: items[0].FirstSeen, Face: items[0].ID, Topics: topics}
	for i, it := range items {
		reason := aggregator.ReasonNew
		if i > 0 {
			reason = aggregator.ReasonText
		}
		st.Members = append(st.Members, aggregator.Member{Item: it.ID, Source: it.SourceID, Time: it.Published, Match: aggregator.Match{Reason: reason}})
		if it.Published.Before(st.Time) {
			st.Time = it.Published
		}
	}
	return st
}

// putStory stores the items and their story, with a GUID key, a link key, a
// band and features for each item, like an ingest.
func putStory(tb testing.TB, t aggregator.Tx, topics []string, items ...aggregator.Item) aggregator.Story {
	tb.Helper()
	st, err := storeStory(t, topics, items...)
	if err != nil {
		tb.Fatal(err)
	}
	return st
}

// storeStory is putStory for goroutines other than the test's own.
func storeStory(t aggregator.Tx, topics []string, items ...aggregator.Item) (aggregator.Story, error) {
	st := mkStory(topics, items...)
	for _, it := range items {
		ref := aggregator.KeyRef{Story: st.ID, Item: it.ID, Time: it.Published}
		for _, err := range []error{
			t.PutItem(it),
			t.AddKey("guid:"+it.GUID, ref),
			t.AddKey("link:"+it.CanonicalLink, ref),
			t.AddBand([]byte("band-"+it.GUID[:1]), ref),
			addBands(t, ref, []byte("bands-"+it.GUID[:1]), []byte("bands-"+it.GUID)),
			t.PutFeatures(it.ID, []byte("features of "+it.ID)),
		} {
			if err != nil {
				return st, fmt.Errorf("storing item %s: %w", it.ID, err)
			}
		}
	}
	if err := t.PutStory(st); err != nil {
		return st, fmt.Errorf("PutStory(%s): %w", st.ID, err)
	}
	return st, nil
}

func addBands(t aggregator.Tx, ref aggregator.KeyRef, bands ...[]byte) error {
	_, err := t.(*tx).AddBands(bands, ref, 0)
	return err
}

// checkConsistent walks every bucket and reports each record that points at
// nothing or is missing from an index: what Prune and PutStory must never
// leave behind.
func checkConsistent(tb testing.TB, d *DB) {
	tb.Helper()
	for _, p := range inconsistencies(d) {
		tb.Error(p)
	}
}

func inconsistencies(d *DB) []string {
	bad, err := d.Verify(context.Background())
	if err != nil {
		bad = append(bad, err.Error())
	}
	return bad
}

// owns reports whether the item's owned list holds the entry.
func owns(t *tx, itemID string, kind byte, entry []byte) bool {
	v, _ := t.ownedList(itemID)
	return ownsEntry(v, kind, entry)
}

// noDict is the codec of a file without a dictionary.
var noDict *itemCodec
