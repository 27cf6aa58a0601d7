package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestMain lets Run re-execute the test binary as the feed origin, as
// tributary re-executes itself.
func TestMain(m *testing.M) {
	if IsOrigin() {
		if err := ServeOrigin(context.Background(), os.Stdin, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func TestRunEndToEnd(t *testing.T) {
	const feeds, items = 20, 10
	dir := t.TempDir()
	var profile, heap, progress bytes.Buffer
	res, err := Run(t.Context(), Options{
		Feeds: feeds, Items: items, Concurrency: 4,
		ServeConns: 16, ServeRequests: 400,
		Dir:        dir,
		OriginArgs: []string{"-test.run=^$"},
		CPUProfile: &profile,
		MemProfile: &heap,
		Progress:   &progress,
	})
	if err != nil {
		t.Fatalf("Run: %v\nprogress:\n%s", err, progress.String())
	}

	b, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	positive := []string{
		"first_wall_s", "first_cpu_s", "first_items_per_s", "peak_rss_bytes", "store_bytes_per_item",
		"notmodified_cpu_s", "unchanged_cpu_s", "changed_cpu_s", "parse_cpu_s", "pipeline_over_parse",
		"serve_rps", "serve_baseline_rps", "serve_ratio", "serve_p99_ms", "notmodified_rps",
		"first_commits", "first_pages_written_per_item", "first_bytes_written_per_item",
	}
	if runtime.GOOS == "linux" {
		positive = append(positive, "rss_anon_bytes", "rss_file_bytes")
	}
	for _, k := range positive {
		v, ok := got[k].(float64)
		if !ok || v <= 0 {
			t.Errorf("Run result %q = %v; want a positive number", k, got[k])
		}
	}
	exact := map[string]float64{
		"feeds":             feeds,
		"items":             feeds * items,
		"first_stored":      feeds * items,
		"notmodified_304s":  feeds,
		"unchanged_feeds":   feeds,
		"changed_feeds":     feeds * ChangedPercent / 100,
		"changed_new_items": feeds * ChangedPercent / 100 * ChangedItems,
		"serve_entries":     50,
	}
	for k, want := range exact {
		if got[k] != want {
			t.Errorf("Run result %q = %v; want %v", k, got[k], want)
		}
	}
	// Every re-post is a duplicate the dedup stage should fold, and little
	// else is: unrelated generated stories must stay apart.
	if res.Duplicates < res.Shared/2 || res.Duplicates > res.Shared+feeds*items/50 {
		t.Errorf("Run: %d duplicates folded, %d re-posts generated; want about as many", res.Duplicates, res.Shared)
	}
	if res.StoryPairPrecision < 0.5 || res.StoryPairRecall < 0.5 || res.StoryPairPrecision > 1 || res.StoryPairRecall > 1 {
		t.Errorf("Run: stories against the generator: pair precision %.3f, recall %.3f; want both in [0.5, 1]", res.StoryPairPrecision, res.StoryPairRecall)
	}
	t.Logf("stories against the generator: pair precision %.3f, recall %.3f", res.StoryPairPrecision, res.StoryPairRecall)
	if res.Stories+res.Duplicates != res.FirstStored {
		t.Errorf("Run: %d stories + %d duplicates; want the %d items stored", res.Stories, res.Duplicates, res.FirstStored)
	}
	// Every feed is committed, a commit holding at most a few feeds, and
	// each item dirties at least the page its record lands on.
	if res.FirstCommits < feeds/8 || res.FirstCommits > feeds+2 || res.FirstPagesPerItem < 0.5 {
		t.Errorf("Run: %d commits for %d feeds, %.2f pages written per item", res.FirstCommits, feeds, res.FirstPagesPerItem)
	}
	if res.CorpusBytes < int64(feeds*items*MinHTML) {
		t.Errorf("Run: corpus of %d bytes; want at least %d", res.CorpusBytes, feeds*items*MinHTML)
	}
	if profile.Len() == 0 {
		t.Error("Run wrote no CPU profile")
	}
	// A pprof profile is gzipped protocol buffers.
	if h := heap.Bytes(); len(h) < 2 || h[0] != 0x1f || h[1] != 0x8b {
		t.Errorf("Run wrote %d bytes of heap profile; want a gzipped pprof profile", len(h))
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("Run left %d entries in %s; want the temporary folder removed", len(left), dir)
	}

	var table bytes.Buffer
	if err := res.WriteTable(&table); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"first ingest: CPU", "all-304 pass: CPU", "pipeline ÷ parse", "serve ÷ baseline", "304s: req/s"} {
		if !strings.Contains(table.String(), want) {
			t.Errorf("WriteTable: no line %q in\n%s", want, table.String())
		}
	}
}

// With the near-duplicate lookup off, the generator's re-posts (re-titled,
// their paragraphs changed) stay stories of their own: only exact keys fold.
func TestRunWithoutNear(t *testing.T) {
	res, err := Run(t.Context(), Options{
		Feeds: 40, Items: 10, Concurrency: 4,
		ServeConns: 4, ServeRequests: 100,
		Dir:        t.TempDir(),
		OriginArgs: []string{"-test.run=^$"},
		NoNear:     true,
	})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if res.Near {
		t.Error("Run with NoNear: result says the near-duplicate lookup ran")
	}
	if res.Shared == 0 {
		t.Fatal("the generator made no re-posts; the test needs some")
	}
	if res.Duplicates*2 > res.Shared {
		t.Errorf("Run with NoNear: %d duplicates folded of %d re-posts; want the re-posts left apart", res.Duplicates, res.Shared)
	}
	if res.Stories+res.Duplicates != res.FirstStored {
		t.Errorf("Run: %d stories + %d duplicates; want the %d items stored", res.Stories, res.Duplicates, res.FirstStored)
	}
	if d := Describe(res, time.Second); !strings.Contains(d, "dedup.near: false") {
		t.Errorf("Describe does not say the lookup was off:\n%s", d)
	}
}
