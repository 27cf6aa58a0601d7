package ingest_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/bench"
	"github.com/tributary-feeds/tributary/aggregator/ingest"
	"github.com/tributary-feeds/tributary/aggregator/parse"
	"github.com/tributary-feeds/tributary/store"
)

// BenchmarkPrepare measures the text work before the write transaction
// (Ingester.Prepare: plain text, the source's chrome, fingerprints) on the
// first fetch of 40 generated feeds against an empty store.
func BenchmarkPrepare(b *testing.B) {
	now := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	gen := bench.NewGenerator(bench.GenOptions{Feeds: 40, Items: 50, Seed: 1, Now: now})
	type fetched struct {
		src   aggregator.SourceState
		items []aggregator.Item
	}
	var all []fetched
	n := 0
	for f := range 40 {
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
	db, err := store.Open(filepath.Join(b.TempDir(), "agg.db"), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	read := func(fn func(aggregator.Tx) error) error { return db.View(context.Background(), fn) }
	in := ingest.New(&aggregator.Config{}, nil)
	b.ReportAllocs()
	for b.Loop() {
		for _, f := range all {
			if _, err := in.Prepare(read, f.src, f.items); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/item")
}
