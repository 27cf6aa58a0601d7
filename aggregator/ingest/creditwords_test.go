package ingest_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/ingest"
	"github.com/tributary-feeds/tributary/aggregator/parse"
)

// TestWordHoldingCreditWordNamesNoOriginal checks that a blog's review of
// a release and a magazine's interview with its author, each linking the
// release's page on a code host under "ソースコード" (source code), a word
// that holds the Japanese word for "source", stay apart from the code
// host's release notes and from each other: the link credits no original,
// as "source code" in English credits none.
func TestWordHoldingCreditWordNamesNoOriginal(t *testing.T) {
	now := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	var items []aggregator.Item
	var sources []aggregator.SourceState
	for _, name := range []string{"releases", "techblog", "webmag"} {
		body, err := os.ReadFile(filepath.Join("testdata", "creditwords", name+".xml"))
		if err != nil {
			t.Fatal(err)
		}
		s := src("https://" + name + ".example/feed.xml")
		f, err := parse.Parse(body, "application/xml", s.URL, s.ID, now, parse.Options{})
		if err != nil {
			t.Fatalf("parse %s: %v", name, err)
		}
		if len(f.Items) != 1 {
			t.Fatalf("%s: %d items; want 1", name, len(f.Items))
		}
		items = append(items, f.Items[0])
		sources = append(sources, s)
	}
	for _, it := range items[1:] {
		if len(it.OriginLinks) != 0 {
			t.Errorf("%s names %q as its original; want none", it.Link, it.OriginLinks)
		}
	}
	db := mustOpen(t)
	in := ingest.New(&aggregator.Config{}, nil)
	stories := map[string]string{}
	for i, it := range items {
		apply(t, db, in, sources[i], it)
	}
	for _, it := range items {
		_, st := stored(t, db, it.ID)
		if other, ok := stories[st.ID]; ok {
			t.Errorf("%s and %s are one story; want each in its own", other, it.Link)
		}
		stories[st.ID] = it.Link
	}
}
