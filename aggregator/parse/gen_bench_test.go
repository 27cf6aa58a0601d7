package parse_test

import (
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/bench"
	"github.com/tributary-feeds/tributary/aggregator/parse"
)

// BenchmarkParseGenerated parses the first 40 feeds of the bench's
// generator (50 items each, RSS, Atom and JSON Feed as the bench serves
// them): the parse step that `tributary bench` reports, in small.
func BenchmarkParseGenerated(b *testing.B) {
	now := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	gen := bench.NewGenerator(bench.GenOptions{Feeds: 40, Items: 50, Seed: 1, Now: now})
	docs := make([]bench.Doc, 40)
	size := 0
	for f := range docs {
		docs[f] = gen.Feed(f)
		size += len(docs[f].Body)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		for _, d := range docs {
			url := "http://origin.test" + d.Path
			if _, err := parse.Parse(d.Body, d.ContentType, url, aggregator.SourceID(url), now, parse.Options{}); err != nil {
				b.Fatal(err)
			}
		}
	}
}
