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
	"github.com/tributary-feeds/tributary/store"
)

// BenchmarkApply measures the first ingest of generated news feeds (1–3 KB
// of HTML an item, about 5% re-posts): Ingester.Apply of each feed in its
// own transaction of a real store, committed. Parsing is done beforehand
// and not measured; the store's commits are. It reports the cost per item.
func BenchmarkApply(b *testing.B) {
	for _, feeds := range []int{40, 200} {
		b.Run(fmt.Sprintf("feeds=%d", feeds), func(b *testing.B) {
			now := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
			gen := bench.NewGenerator(bench.GenOptions{Feeds: feeds, Items: 50, Seed: 1, Now: now})
			type fetched struct {
				src   aggregator.SourceState
				items []aggregator.Item
			}
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
