package store

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
)

// benchItems returns items with 1–3 KB of HTML: the corpus's real ones when
// it is present, else generated text.
func benchItems(b *testing.B) []aggregator.Item {
	items, err := loadCorpusItems()
	if err == nil {
		return items
	}
	b.Logf("%v: generated HTML instead, which compresses better than real text", err)
	items = make([]aggregator.Item, 200)
	for i := range items {
		items[i] = mkItem("bench.example", fmt.Sprint("g", i), t0, "")
		items[i].Content = html(uint64(i), 1000+i*10)
	}
	return items
}

// ingestFeed stores one fetched feed of n items as the ingest does: per
// item a lookup, a new story (or a member added to the previous item's
// story), GUID, link and text keys, four bands, features, counts, and the
// source state; all in one transaction.
func ingestFeed(tx aggregator.Tx, base []aggregator.Item, feed, n int) error {
	var prev aggregator.Story
	for i := range n {
		it := base[(feed*n+i)%len(base)]
		it.GUID = fmt.Sprintf("feed%d-item%d", feed, i)
		it.ID = aggregator.ItemID(it.SourceID, it.GUID)
		it.StoryID = it.ID
		it.Published = t0.Add(time.Duration(feed*n+i) * time.Second)
		if _, err := tx.Item(it.ID); err == nil {
			continue
		}
		if refs, err := tx.Keys("guid:" + it.GUID); err != nil || len(refs) > 0 {
			return fmt.Errorf("fresh guid has refs %v, %v", refs, err)
		}
		st := aggregator.Story{ID: it.ID, Time: it.Published, Updated: it.Published, Face: it.ID, Topics: []string{aggregator.AllTopic, "news"}}
		if i%4 == 3 { // every fourth item joins the story before it
			it.StoryID = prev.ID
			st = prev
		}
		st.Members = append(st.Members, aggregator.Member{Item: it.ID, Source: it.SourceID, Time: it.Published, Match: aggregator.Match{Reason: aggregator.ReasonNew}})
		ref := aggregator.KeyRef{Story: st.ID, Item: it.ID, Time: it.Published}
		for _, err := range []error{
			tx.PutItem(it),
			tx.PutStory(st),
			tx.AddKey("guid:"+it.GUID, ref),
			tx.AddKey("link:"+it.Link+"/"+it.GUID, ref),
			tx.AddKey("text:"+it.ID, ref),
			tx.PutFeatures(it.ID, make([]byte, 64)),
			tx.AddCounts("df", []string{"the", "minister", "said", it.GUID}),
		} {
			if err != nil {
				return err
			}
		}
		for band := range 4 {
			if err := tx.AddBand([]byte{byte(band), byte(i), byte(feed), byte(feed >> 8)}, ref); err != nil {
				return err
			}
		}
		prev = st
	}
	src, err := tx.Source("bench")
	if err != nil {
		src = aggregator.SourceState{ID: "bench"}
	}
	src.Fetches++
	src.Items += int64(n)
	return tx.PutSource(src)
}

// BenchmarkIngestFeed measures one feed's store transaction: 50 items with
// stories, keys, bands, features, counts and indexes, committed and synced.
func BenchmarkIngestFeed(b *testing.B) {
	base := benchItems(b)
	d := mustOpen(b)
	const n = 50
	feed := 0
	b.ReportAllocs()
	for b.Loop() {
		err := d.Update(b.Context(), func(tx aggregator.Tx) error { return ingestFeed(tx, base, feed, n) })
		if err != nil {
			b.Fatal(err)
		}
		feed++
	}
	b.StopTimer()
	// Per stored item: the bytes of records (item, story share, keys,
	// bands, features, indexes), and the pages they take, as written
	// (random keys leave pages part full, and free pages stay in the file
	// until reused) and after Compact.
	items := feed * n
	pages, records := usedBytes(b, d)
	dst := filepath.Join(b.TempDir(), "compact.db")
	if err := d.Compact(b.Context(), dst); err != nil {
		b.Fatal(err)
	}
	c := mustOpenPath(b, dst)
	compacted, _ := usedBytes(b, c)
	b.ReportMetric(float64(records)/float64(items), "record-B/item")
	b.ReportMetric(float64(pages)/float64(items), "page-B/item")
	b.ReportMetric(float64(compacted)/float64(items), "compact-B/item")
}

// BenchmarkTopicStories measures reading the newest 50 stories of a topic,
// with their items, from a store of 100k stories.
func BenchmarkTopicStories(b *testing.B) {
	base := benchItems(b)
	d := mustOpen(b)
	const stories, perTx = 100_000, 2000
	for done := 0; done < stories; done += perTx {
		err := d.Update(b.Context(), func(tx aggregator.Tx) error {
			for i := done; i < done+perTx; i++ {
				it := base[i%len(base)]
				it.GUID = fmt.Sprint("s", i)
				it.ID = aggregator.ItemID(it.SourceID, it.GUID)
				it.StoryID = it.ID
				it.Published = t0.Add(time.Duration(i) * time.Second)
				topics := []string{aggregator.AllTopic}
				if i%2 == 0 {
					topics = append(topics, "even")
				}
				st := aggregator.Story{ID: it.ID, Time: it.Published, Face: it.ID, Topics: topics,
					Members: []aggregator.Member{{Item: it.ID, Source: it.SourceID, Time: it.Published}}}
				if err := tx.PutItem(it); err != nil {
					return err
				}
				if err := tx.PutStory(st); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	for _, topic := range []string{aggregator.AllTopic, "even"} {
		b.Run(topic, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				n := 0
				err := d.TopicStories(b.Context(), topic, time.Time{}, func(st aggregator.Story, items []aggregator.Item) bool {
					n++
					return n < 50
				})
				if err != nil || n != 50 {
					b.Fatalf("TopicStories = %d stories, %v", n, err)
				}
			}
		})
	}
}

// BenchmarkEncodeItem measures compressing one item with 1–3 KB of HTML.
func BenchmarkEncodeItem(b *testing.B) {
	base := benchItems(b)
	var in, out int
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		v, err := noDict.encode(base[i%len(base)])
		if err != nil {
			b.Fatal(err)
		}
		js, _ := marshalItem(base[i%len(base)])
		in += len(js)
		out += len(v)
		i++
	}
	b.ReportMetric(float64(out)/float64(i), "stored-B/item")
	b.ReportMetric(float64(in)/float64(i), "json-B/item")
}

// BenchmarkDecodeItem measures reading one stored item back.
func BenchmarkDecodeItem(b *testing.B) {
	base := benchItems(b)
	stored := make([][]byte, len(base))
	for i, it := range base {
		stored[i], _ = noDict.encode(it)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := noDict.decode(stored[i%len(stored)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
