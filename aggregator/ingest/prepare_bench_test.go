package ingest_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/ingest"
	"github.com/tributary-feeds/tributary/store"
)

// BenchmarkPrepare measures the text work before the write transaction
// (Ingester.Prepare: plain text, the source's chrome, fingerprints) on the
// first fetch of 40 generated feeds against an empty store.
func BenchmarkPrepare(b *testing.B) {
	all, n := generatedFeeds(b, 40)
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
