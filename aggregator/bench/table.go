package bench

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// Targets of the default run (1,000 feeds × 50 items on 2 cores). Those
// that grow with the size of the run are scaled linearly by WriteTable.
const (
	TargetFirstCPU        = 20.0      // seconds, for 50,000 items
	TargetNotModifiedCPU  = 0.3       // seconds, for 1,000 feeds
	TargetUnchangedCPU    = 2.0       // seconds, for 50,000 items
	TargetPeakRSS         = 256 << 20 // bytes, for 50,000 items
	TargetStorePerItem    = 1536.0    // bytes
	TargetPipelineOverPar = 2.0
	TargetServeRatio      = 0.70
	TargetNotModifiedRPS  = 50000.0
)

// row is one line of the table: a figure and, when there is one, its
// target and whether it is met.
type row struct {
	name, value, target string
	met                 *bool
}

// WriteTable writes the result as one aligned table, each figure beside
// its target from issue 6 (scaled linearly to the run's size where the
// cost grows with it) and a mark saying whether it is met.
func (res *Result) WriteTable(w io.Writer) error {
	itemScale := float64(res.Items) / float64(DefaultFeeds*DefaultItems)
	feedScale := float64(res.Feeds) / float64(DefaultFeeds)
	le := func(v, t float64) *bool { ok := v <= t; return &ok }
	ge := func(v, t float64) *bool { ok := v >= t; return &ok }
	mb := func(b float64) string { return fmt.Sprintf("%.1f MB", b/(1<<20)) }
	resident := "not measured on this system"
	if res.RSSAnon > 0 || res.RSSFile > 0 {
		resident = mb(float64(res.RSSAnon)) + " / " + mb(float64(res.RSSFile))
	}
	rows := []row{
		{name: "first ingest: wall", value: secs(res.FirstWall)},
		{"first ingest: CPU", secs(res.FirstCPU), "≤ " + secs(TargetFirstCPU*itemScale), le(res.FirstCPU, TargetFirstCPU*itemScale)},
		{name: "first ingest: items/s", value: fmt.Sprintf("%.0f", res.FirstItemsPerSec)},
		{name: "first ingest: stories (duplicates folded)", value: fmt.Sprintf("%d (%d; %d re-posts made)", res.Stories, res.Duplicates, res.Shared)},
		{name: "  against the generator: pair precision / recall", value: fmt.Sprintf("%.3f / %.3f", res.StoryPairPrecision, res.StoryPairRecall)},
		{name: "  commits; pages written per item", value: fmt.Sprintf("%d; %.1f (%.1f KB)", res.FirstCommits, res.FirstPagesPerItem, res.FirstWrittenPerItem/1024)},
		{"peak RSS", mb(float64(res.PeakRSS)), "≤ " + mb(TargetPeakRSS*max(itemScale, 1)), le(float64(res.PeakRSS), TargetPeakRSS*max(itemScale, 1))},
		{name: "  resident then: anonymous / store file mapped", value: resident},
		{"store per item (file)", fmt.Sprintf("%.0f B", res.StoreBytesPerItem), fmt.Sprintf("≤ %.0f B", TargetStorePerItem), le(res.StoreBytesPerItem, TargetStorePerItem)},
		{name: "store per item (compacted)", value: fmt.Sprintf("%.0f B", res.CompactBytesPerItm)},
		{name: "all-304 pass: wall", value: secs(res.NotModifiedWall)},
		{"all-304 pass: CPU", secs(res.NotModifiedCPU), "≤ " + secs(TargetNotModifiedCPU*feedScale), le(res.NotModifiedCPU, TargetNotModifiedCPU*feedScale)},
		{name: "unchanged, no validators: wall", value: secs(res.UnchangedWall)},
		{"unchanged, no validators: CPU", secs(res.UnchangedCPU), "≤ " + secs(TargetUnchangedCPU*itemScale), le(res.UnchangedCPU, TargetUnchangedCPU*itemScale)},
		{name: fmt.Sprintf("%d%% changed (+%d items): CPU", ChangedPercent, ChangedItems), value: fmt.Sprintf("%s (%d feeds, %d new items)", secs(res.ChangedCPU), res.ChangedFeeds, res.ChangedNew)},
		{name: "parse step alone: CPU", value: secs(res.ParseCPU)},
		{name: "gofeed alone: CPU", value: secs(res.GofeedCPU)},
		{"pipeline ÷ parse", fmt.Sprintf("%.2f×", res.PipelineOverParse), fmt.Sprintf("≤ %.1f×", TargetPipelineOverPar), le(res.PipelineOverParse, TargetPipelineOverPar)},
		{name: fmt.Sprintf("serve %s.atom (%d entries, %s): req/s", ServedTopic, res.ServeEntries, kb(res.ServeBytes)), value: rate(res.ServeRPS)},
		{name: "  p99", value: ms(res.ServeP99)},
		{name: "in-memory baseline: req/s", value: rate(res.ServeBaselineRPS)},
		{name: "  p99", value: ms(res.ServeBaselineP99)},
		{"serve ÷ baseline", pct(res.ServeRatio), "≥ " + pct(TargetServeRatio), ge(res.ServeRatio, TargetServeRatio)},
		{"304s: req/s", rate(res.NotModifiedRPS), "≥ " + rate(TargetNotModifiedRPS), ge(res.NotModifiedRPS, TargetNotModifiedRPS)},
		{name: "  p99", value: ms(res.NotModifiedP99)},
		{name: "in-memory baseline 304s: req/s", value: rate(res.NotModBaselineRPS)},
		{name: "304s ÷ baseline", value: pct(res.NotModifiedRatio)},
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "measure\tvalue\ttarget\t\n")
	for _, r := range rows {
		mark := ""
		if r.met != nil {
			mark = "ok"
			if !*r.met {
				mark = "MISSED"
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.name, r.value, strings.TrimSpace(r.target+" "), mark)
	}
	return tw.Flush()
}

// Describe says in a few lines what was run and how it was measured.
func Describe(res *Result, total time.Duration) string {
	near := ""
	if !res.Near {
		near = ", dedup.near: false"
	}
	return fmt.Sprintf("%d feeds × %d items (%.0f MB of feeds), concurrency %d%s, %d connections, GOMAXPROCS %d, %s, %s in all.\n"+
		"CPU is this process's own (getrusage RUSAGE_SELF, user+system, every thread); the feed origin runs in a\n"+
		"second process and is not counted. Peak RSS is ru_maxrss after the first ingest. Targets are issue 6's for\n"+
		"1,000 × 50, scaled linearly with the number of items (CPU, memory) or feeds (304 pass).",
		res.Feeds, res.Items/max(res.Feeds, 1), float64(res.CorpusBytes)/(1<<20), res.Concurrency, near, res.ServeConnections,
		res.GOMAXPROCS, res.GoVersion, total.Round(time.Second))
}

func secs(s float64) string {
	switch {
	case s < 0.1:
		return fmt.Sprintf("%.3f s", s)
	case s < 10:
		return fmt.Sprintf("%.2f s", s)
	}
	return fmt.Sprintf("%.1f s", s)
}

func ms(v float64) string  { return fmt.Sprintf("%.2f ms", v) }
func pct(v float64) string { return fmt.Sprintf("%.0f%%", v*100) }
func kb(n int) string      { return fmt.Sprintf("%.0f KB", float64(n)/1024) }

func rate(v float64) string {
	if v >= 10000 {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.1f", v)
}
