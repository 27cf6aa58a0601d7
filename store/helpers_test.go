package store

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

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
	var bad []string
	report := func(format string, args ...any) { bad = append(bad, fmt.Sprintf(format, args...)) }
	err := d.db.View(func(btx *bolt.Tx) error {
		for err := range btx.Check() {
			report("bbolt check: %v", err)
		}
		t := d.newTx(btx)
		stories := map[string]aggregator.Story{}
		t.stories.ForEach(func(k, v []byte) error {
			st, err := t.Story(string(k))
			if err != nil {
				report("story %s: %v", k, err)
				return nil
			}
			stories[st.ID] = st
			key := timeKey(st.Time, st.ID)
			if !hasKey(t.time, key) {
				report("story %s: not in the time index", st.ID)
			}
			for _, topic := range indexedTopics(st.Topics) {
				b := t.topics.Bucket([]byte(topic))
				if b == nil || !hasKey(b, key) {
					report("story %s: not in topic %s", st.ID, topic)
				}
			}
			return nil
		})
		checkIndex := func(name string, b *bolt.Bucket, topic string) {
			b.ForEach(func(k, _ []byte) error {
				st, ok := stories[timeKeyStory(k)]
				switch {
				case !ok:
					report("%s: entry %x names a missing story", name, k)
				case !bytes.Equal(timeKey(st.Time, st.ID), k):
					report("%s: stale entry %x for story %s", name, k, st.ID)
				case topic != "" && !slices.Contains(st.Topics, topic):
					report("%s: story %s is not in the topic", name, st.ID)
				}
				return nil
			})
		}
		checkIndex("time", t.time, "")
		t.topics.ForEach(func(k, v []byte) error {
			if v != nil {
				report("topics: %s is not a bucket", k)
				return nil
			}
			checkIndex("topic "+string(k), t.topics.Bucket(k), string(k))
			return nil
		})
		items := map[string]aggregator.Item{}
		eachRecord(t, func(k, v []byte) {
			it, err := t.codec.decode(v)
			if err != nil {
				report("item record %q: %v", k, err)
				return
			}
			if _, ok := items[it.ID]; ok {
				report("item %s: two records", it.ID)
			}
			items[it.ID] = it
			if k := t.recordKey(it.ID); k != nil && !bytes.Equal(t.records.Get(k), v) {
				report("item %s: ids names another record", it.ID)
			}
			st, ok := stories[it.StoryID]
			if !ok {
				report("item %s: story %s missing", it.ID, it.StoryID)
			} else if !slices.ContainsFunc(st.Members, func(m aggregator.Member) bool { return m.Item == it.ID }) {
				report("item %s: not a member of story %s", it.ID, it.StoryID)
			}
		})
		t.ids.ForEach(func(k, v []byte) error {
			if t.records.Get(v) == nil {
				report("ids: %s names a missing record %x", k, v)
			}
			return nil
		})
		for _, st := range stories {
			seen := map[string]bool{}
			for _, m := range st.Members {
				if _, ok := items[m.Item]; !ok {
					report("story %s: member %s missing", st.ID, m.Item)
				}
				if seen[m.Item] {
					report("story %s: member %s twice", st.ID, m.Item)
				}
				seen[m.Item] = true
			}
		}
		t.features.ForEach(func(k, _ []byte) error {
			if _, ok := items[string(k)]; !ok {
				report("features: item %s missing", k)
			}
			return nil
		})
		checkRefs := func(name string, b *bolt.Bucket, kind byte) {
			b.ForEach(func(k, v []byte) error {
				refs, err := decodeRefs(v)
				if err != nil || len(refs) == 0 {
					report("%s %q: %d refs, %v", name, k, len(refs), err)
				}
				seen := map[string]bool{}
				for _, r := range refs {
					if seen[r.Item] {
						report("%s %q: item %s twice", name, k, r.Item)
					}
					seen[r.Item] = true
					if _, ok := items[r.Item]; !ok {
						report("%s %q: ref to missing item %s", name, k, r.Item)
					}
					if _, ok := stories[r.Story]; !ok {
						report("%s %q: ref to missing story %s", name, k, r.Story)
					}
					if !owns(t, r.Item, kind, k) {
						report("%s %q: item %s does not own it", name, k, r.Item)
					}
				}
				return nil
			})
		}
		checkRefs("key", t.keys, ownedKey)
		checkRefs("band", t.bands, ownedBand)
		checkOwned := func(k, v []byte) {
			err := walkOwned(v, func(kind byte, entry []byte) error {
				var found bool
				switch kind {
				case ownedKey:
					found = t.keys.Get(entry) != nil
				case ownedBand:
					found = t.bands.Get(entry) != nil
				}
				if !found {
					report("owned by %s: entry %c %q missing", k, kind, entry)
				}
				return nil
			})
			if err != nil {
				report("owned by %s: %v", k, err)
			}
		}
		t.owned.ForEach(func(k, v []byte) error {
			if _, ok := items[string(k)]; !ok {
				report("owned %q: item missing", k)
			}
			checkOwned(k, v)
			return nil
		})
		for id := range items {
			r, err := splitRecord(t.recordOf(id))
			if err != nil {
				report("item %s: %v", id, err)
			}
			checkOwned([]byte(id), r.owned)
		}
		return nil
	})
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

func hasKey(b *bolt.Bucket, k []byte) bool {
	got, _ := b.Cursor().Seek(k)
	return got != nil && bytes.Equal(got, k)
}

// noDict is the codec of a file without a dictionary.
var noDict *itemCodec

// eachRecord calls fn with the key and value of every item record, in the
// items bucket of older files and in records.
func eachRecord(t *tx, fn func(k, v []byte)) {
	for _, b := range t.recordBuckets() {
		b.ForEach(func(k, v []byte) error { //nolint:errcheck // fn returns nothing
			fn(k, v)
			return nil
		})
	}
}
