package ingest_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/bench"
	"github.com/tributary-feeds/tributary/aggregator/ingest"
	"github.com/tributary-feeds/tributary/aggregator/parse"
	"github.com/tributary-feeds/tributary/aggregator/topic"
	"github.com/tributary-feeds/tributary/store"
)

// BenchmarkApply measures the first ingest of generated news feeds (1–3 KB
// of HTML an item, about 5% re-posts): Ingester.Apply of each feed in its
// own transaction of a real store, committed. Parsing is done beforehand
// and not measured; the store's commits are. It reports the cost per item.
func BenchmarkApply(b *testing.B) {
	for _, feeds := range []int{40, 200} {
		b.Run(fmt.Sprintf("feeds=%d", feeds), func(b *testing.B) {
			all, n := generatedFeeds(b, feeds)
			in := ingest.New(&aggregator.Config{}, nil)
			ctx := context.Background()
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				b.StopTimer()
				db, err := store.Open(filepath.Join(b.TempDir(), fmt.Sprintf("agg%d.db", i)), store.Options{})
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				for _, f := range all {
					err := db.Update(ctx, func(tx aggregator.Tx) error {
						_, err := in.Apply(tx, f.src, f.items)
						return err
					})
					if err != nil {
						b.Fatal(err)
					}
				}
				b.StopTimer()
				db.Close()
				b.StartTimer()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/item")
		})
	}
}

// BenchmarkApplyPrepared measures the store's write transaction of a first
// ingest as `tributary bench` runs it: the text work of generated news
// feeds is done beforehand (Prepare, not measured), and ApplyPrepared files
// them four feeds a transaction, the store's group commit, with the
// bench's topics, so that the measured cost is the transaction's alone:
// the lookup, the item records, the stories' refresh and tagging, commits.
func BenchmarkApplyPrepared(b *testing.B) {
	const perTx = 4
	for _, feeds := range []int{40, 200} {
		b.Run(fmt.Sprintf("feeds=%d", feeds), func(b *testing.B) {
			cfg := &aggregator.Config{Topics: bench.Topics()}
			tags, err := topic.Compile(cfg.Topics, cfg.Sources)
			if err != nil {
				b.Fatal(err)
			}
			in := ingest.New(cfg, tags)
			ctx := context.Background()
			empty, err := store.Open(filepath.Join(b.TempDir(), "empty.db"), store.Options{})
			if err != nil {
				b.Fatal(err)
			}
			read := func(fn func(aggregator.Tx) error) error { return empty.View(ctx, fn) }
			all, n := generatedFeeds(b, feeds)
			var preps []*ingest.Prepared
			for _, f := range all {
				// Prepared against an empty store, as every feed of a
				// first ingest is: ApplyPrepared reuses the text work.
				p, err := in.Prepare(read, f.src, f.items)
				if err != nil {
					b.Fatal(err)
				}
				preps = append(preps, p)
			}
			empty.Close()
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				b.StopTimer()
				db, err := store.Open(filepath.Join(b.TempDir(), fmt.Sprintf("agg%d.db", i)), store.Options{})
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				for j := 0; j < len(preps); j += perTx {
					err := db.Update(ctx, func(tx aggregator.Tx) error {
						for _, p := range preps[j:min(j+perTx, len(preps))] {
							if _, err := in.ApplyPrepared(tx, p); err != nil {
								return err
							}
						}
						return nil
					})
					if err != nil {
						b.Fatal(err)
					}
				}
				b.StopTimer()
				db.Close()
				b.StartTimer()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/item")
		})
	}
}

// fetched is one generated feed, parsed, as its source sent it.
type fetched struct {
	src   aggregator.SourceState
	items []aggregator.Item
}

// generatedFeeds parses the first fetch of feeds generated news feeds of
// 50 items each (the bench's generator, seed 1) and returns them with the
// number of their items.
func generatedFeeds(b *testing.B, feeds int) ([]fetched, int) {
	b.Helper()
	now := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	gen := bench.NewGenerator(bench.GenOptions{Feeds: feeds, Items: 50, Seed: 1, Now: now})
	var all []fetched
	n := 0
	for f := range feeds {
		d := gen.Feed(f)
		url := "http://origin.test" + d.Path
		s := aggregator.SourceState{ID: aggregator.SourceID(url), URL: url}
		feed, err := parse.Parse(d.Body, d.ContentType, url, s.ID, now, parse.Options{})
		if err != nil {
			b.Fatal(err)
		}
		all = append(all, fetched{s, feed.Items})
		n += len(feed.Items)
	}
	return all, n
}
