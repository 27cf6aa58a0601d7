package bench

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/pprof"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/parse"
	"github.com/tributary-feeds/tributary/aggregator/poller"
	"github.com/tributary-feeds/tributary/aggregator/publish"
	"github.com/tributary-feeds/tributary/aggregator/topic"
	"github.com/tributary-feeds/tributary/store"
)

// Defaults of Options.
const (
	DefaultFeeds       = 1000
	DefaultItems       = 50
	DefaultConcurrency = aggregator.DefaultConcurrency
	DefaultServeConns  = 64
	DefaultServeTime   = 3 * time.Second
	// ChangedPercent of the feeds gain ChangedItems new items before the
	// changed pass.
	ChangedPercent = 10
	ChangedItems   = 5
	// ServedTopic is the topic whose Atom feed the serving measurement reads.
	ServedTopic = aggregator.AllTopic
)

// Options configures Run. Zero fields take the defaults above.
type Options struct {
	Feeds         int           // feeds served by the origin
	Items         int           // items per feed
	Concurrency   int           // poll.concurrency: fetches in flight
	NoNear        bool          // dedup.near: false: exact keys only, no near-duplicate lookup
	Seed          uint64        // of the generator; the same seed gives the same feeds
	ServeConns    int           // concurrent connections of the serving measurement
	ServeTime     time.Duration // length of each serving measurement
	ServeRequests int           // when > 0, each serving measurement stops after this many requests instead
	Dir           string        // where the temporary folder with the store is made; default os.TempDir()

	// OriginExe and OriginArgs start the feed origin: this binary run again
	// with OriginEnv set must call ServeOrigin (tributary does so for
	// "tributary bench"; a test does it in TestMain). OriginExe defaults to
	// os.Executable().
	OriginExe  string
	OriginArgs []string

	CPUProfile io.Writer    // when set, receives a pprof CPU profile of the first ingest
	MemProfile io.Writer    // when set, receives a pprof heap profile taken after the first ingest
	Progress   io.Writer    // when set, receives one line as each phase starts
	Logger     *slog.Logger // the pipeline's logs; default: discarded
	Stderr     io.Writer    // the origin's standard error; default os.Stderr
}

func (o *Options) defaults() {
	if o.Feeds <= 0 {
		o.Feeds = DefaultFeeds
	}
	if o.Items <= 0 {
		o.Items = DefaultItems
	}
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultConcurrency
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	if o.ServeConns <= 0 {
		o.ServeConns = DefaultServeConns
	}
	if o.ServeTime <= 0 {
		o.ServeTime = DefaultServeTime
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Stderr == nil {
		o.Stderr = os.Stderr
	}
}

// Result is every figure of one bench run. Durations are in seconds, sizes
// in bytes, rates per second. CPU is the bench process's own (user plus
// system, every thread, from getrusage); the origin runs in another process
// and is not counted.
type Result struct {
	Feeds       int    `json:"feeds"`
	Items       int    `json:"items"` // feeds × items per feed
	Concurrency int    `json:"concurrency"`
	Near        bool   `json:"dedup_near"` // dedup.near: whether the near-duplicate lookup ran
	GOMAXPROCS  int    `json:"gomaxprocs"`
	GoVersion   string `json:"go_version"`
	CorpusBytes int64  `json:"corpus_bytes"` // uncompressed feed bodies of the first ingest
	Shared      int    `json:"shared_items"` // items the generator made as re-posts of another feed's story

	FirstWall        float64 `json:"first_wall_s"`
	FirstCPU         float64 `json:"first_cpu_s"`
	FirstItemsPerSec float64 `json:"first_items_per_s"`
	FirstStored      int     `json:"first_stored"` // items the pipeline stored
	// What the first ingest's commits wrote: bbolt writes every page a
	// commit changed anew, so this is the store's write amplification.
	FirstCommits        int64   `json:"first_commits"`
	FirstPagesPerItem   float64 `json:"first_pages_written_per_item"`
	FirstWrittenPerItem float64 `json:"first_bytes_written_per_item"`
	Stories             int     `json:"stories"`    // new stories of the first ingest
	Duplicates          int     `json:"duplicates"` // items folded into another item's story
	// The first ingest's stories scored against the generator's own record
	// of which items carry one report: pairs of items put in one story that
	// carry one report (precision), and of those, pairs found (recall).
	StoryPairPrecision float64 `json:"story_pair_precision"`
	StoryPairRecall    float64 `json:"story_pair_recall"`
	PeakRSS            int64   `json:"peak_rss_bytes"`
	// What the process held once the first ingest ended (Linux): anonymous
	// memory (heap, stacks) and pages of the store's memory-mapped file.
	RSSAnon            int64   `json:"rss_anon_bytes,omitempty"`
	RSSFile            int64   `json:"rss_file_bytes,omitempty"`
	StoreBytes         int64   `json:"store_bytes"` // the bbolt file after the first ingest
	StoreBytesPerItem  float64 `json:"store_bytes_per_item"`
	CompactBytesPerItm float64 `json:"store_compact_bytes_per_item"` // the same file compacted

	NotModifiedWall float64 `json:"notmodified_wall_s"`
	NotModifiedCPU  float64 `json:"notmodified_cpu_s"`
	NotModified304s int64   `json:"notmodified_304s"` // 304s the origin sent in that pass

	UnchangedWall float64 `json:"unchanged_wall_s"`
	UnchangedCPU  float64 `json:"unchanged_cpu_s"`
	Unchanged     int     `json:"unchanged_feeds"` // feeds the poller found byte-identical

	ChangedWall  float64 `json:"changed_wall_s"`
	ChangedCPU   float64 `json:"changed_cpu_s"`
	ChangedFeeds int     `json:"changed_feeds"`
	ChangedNew   int     `json:"changed_new_items"`

	ParseCPU          float64 `json:"parse_cpu_s"`  // aggregator/parse over the first ingest's bodies
	GofeedCPU         float64 `json:"gofeed_cpu_s"` // gofeed alone over the same bodies
	PipelineOverParse float64 `json:"pipeline_over_parse"`

	ServeEntries       int     `json:"serve_entries"`
	ServeBytes         int     `json:"serve_bytes"`
	ServeRPS           float64 `json:"serve_rps"`
	ServeP99           float64 `json:"serve_p99_ms"`
	ServeBaselineRPS   float64 `json:"serve_baseline_rps"`
	ServeBaselineP99   float64 `json:"serve_baseline_p99_ms"`
	ServeRatio         float64 `json:"serve_ratio"`
	NotModifiedRPS     float64 `json:"notmodified_rps"`
	NotModifiedP99     float64 `json:"notmodified_p99_ms"`
	NotModBaselineRPS  float64 `json:"notmodified_baseline_rps"`
	NotModBaselineP99  float64 `json:"notmodified_baseline_p99_ms"`
	NotModifiedRatio   float64 `json:"notmodified_ratio"`
	PeakRSSEnd         int64   `json:"peak_rss_end_bytes"` // at the end of the run
	TotalWall          float64 `json:"total_wall_s"`
	ServeConnections   int     `json:"serve_connections"`
	ServeRequestsTotal int     `json:"serve_requests"`
}

// passStats sums the outcomes of one PollAll.
type passStats struct {
	wall, cpu  time.Duration
	results    map[string]int
	stored     int
	duplicates int
	stories    int
	origin     OriginStats
}

// runner holds what every phase of one Run shares.
type runner struct {
	opts   Options
	gen    *Generator
	origin *originProc
	db     *store.DB
	pl     *poller.Poller
	pub    *publish.Publisher
	cfg    *aggregator.Config
	res    *Result
}

// Run starts the origin in a child process, runs the real pipeline against a
// fresh store in a temporary folder (removed before Run returns) and
// measures it, phase by phase:
//
//  0. the parse step alone over the bytes the first ingest will read;
//  1. first ingest of every feed;
//  2. a pass where every feed answers 304;
//  3. a pass where every feed answers 200 with its unchanged body and no
//     validators;
//  4. (unmeasured: a pass that stores the validators again, then)
//     a pass where ChangedPercent% of the feeds gained ChangedItems items;
//  5. serving the topic feed /topics/all.atom through the real publish
//     handler beside a plain handler writing the same bytes from memory,
//     plainly and conditionally (304);
//
// Any source failing in any pass is an error: its figures would mean
// nothing.
func Run(ctx context.Context, opts Options) (*Result, error) {
	opts.defaults()
	started := time.Now()
	r := &runner{
		opts: opts,
		gen:  NewGenerator(GenOptions{Feeds: opts.Feeds, Items: opts.Items, Seed: opts.Seed, Now: started}),
		res: &Result{
			Feeds: opts.Feeds, Items: opts.Feeds * opts.Items, Concurrency: opts.Concurrency, Near: !opts.NoNear,
			GOMAXPROCS: runtime.GOMAXPROCS(0), GoVersion: runtime.Version(), ServeConnections: opts.ServeConns,
		},
	}
	r.res.Shared = r.gen.Reposts()

	dir, err := os.MkdirTemp(opts.Dir, "tributary-bench-")
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	defer os.RemoveAll(dir)

	exe := opts.OriginExe
	if exe == "" {
		if exe, err = os.Executable(); err != nil {
			return nil, fmt.Errorf("bench: finding this binary to start the origin: %w", err)
		}
	}
	r.progress("starting the origin: rendering %d feeds of %d items", opts.Feeds, opts.Items)
	r.origin, err = startOrigin(ctx, exe, opts.OriginArgs, r.gen.Options(), opts.Stderr)
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	defer r.origin.stop()

	// The publisher's listener comes first: its address is the base URL
	// of the feeds it renders.
	pubLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	defer pubLn.Close()
	if err := r.setup(filepath.Join(dir, "bench.db"), pubLn.Addr().String()); err != nil {
		return nil, err
	}
	defer r.db.Close()
	defer r.pub.Close() // before the store closes: its dates of feeds served are written
	pubSrv := &http.Server{Handler: r.pub.Handler(nil), ReadHeaderTimeout: 10 * time.Second}
	go pubSrv.Serve(pubLn) //nolint:errcheck // ends with Close below
	defer pubSrv.Close()

	// The parse step runs first, while the heap is as small as the first
	// ingest finds it, so that both are measured alike.
	if err := r.parseStep(ctx); err != nil {
		return nil, err
	}
	if err := r.ingestPasses(ctx, dir); err != nil {
		return nil, err
	}
	if err := r.serve(ctx, "http://"+pubLn.Addr().String()); err != nil {
		return nil, err
	}
	_, r.res.PeakRSSEnd = usage()
	r.res.TotalWall = time.Since(started).Seconds()
	return r.res, nil
}

func (r *runner) progress(format string, args ...any) {
	if r.opts.Progress != nil {
		fmt.Fprintf(r.opts.Progress, "bench: "+format+"\n", args...)
	}
}

// Topics returns the topics the bench configures besides the built-in one:
// phrase rules, a category rule, a boolean query and a negative rule, so
// that tagging costs what it costs with a real configuration.
func Topics() []aggregator.TopicConfig {
	return []aggregator.TopicConfig{
		{ID: "economy", Title: "Economy", Limit: 50,
			Match: aggregator.MatchConfig{Any: []string{"inflation", "interest rate", "central bank", "bond sale", "World Bank"}}},
		{ID: "climate", Title: "Climate and energy", Limit: 50,
			Match: aggregator.MatchConfig{Categories: []string{"Climate", "Energy"}}},
		{ID: "tech", Title: "Technology", Limit: 50,
			Match: aggregator.MatchConfig{Query: `"chip plant" OR "data centre" OR (satellite AND NOT "court ruling")`}},
		{ID: "europe", Title: "European cities", Limit: 50, MaxPerSource: 3,
			Match: aggregator.MatchConfig{
				Any:  []string{"Berlin", "Warsaw", "Lyon", "Oslo", "Krakow", "Hamburg", "Rotterdam", "Helsinki", "Glasgow", "Valencia", "Bergen"},
				None: []string{"football"},
			}},
	}
}

// Config returns the configuration the bench runs the pipeline with: one
// source per feed under base, the store at dbPath, the publisher at
// listen, private addresses allowed (the origin is on loopback) and no
// per-host cap (every feed is on that one host).
func Config(gen *Generator, base, dbPath, listen string, concurrency int) (*aggregator.Config, error) {
	cfg := aggregator.DefaultConfig()
	cfg.Path = "(bench)"
	cfg.Server.Listen = listen
	cfg.Server.BaseURL = "http://" + listen
	cfg.Storage.Path = dbPath
	cfg.Storage.Retention = 0
	cfg.Poll.Concurrency = concurrency
	cfg.Poll.PerHost = concurrency
	cfg.Poll.AllowPrivate = true
	cfg.Log.Level = "warn"
	for f := range gen.Options().Feeds {
		cfg.Sources = append(cfg.Sources, aggregator.SourceConfig{URL: base + gen.Path(f), Interval: cfg.Poll.Interval})
	}
	cfg.Topics = Topics()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("bench config: %w", err)
	}
	return cfg, nil
}

// setup builds the configuration, opens the store and makes the poller and
// the publisher, as the daemon does.
func (r *runner) setup(dbPath, listen string) error {
	cfg, err := Config(r.gen, r.origin.base, dbPath, listen, r.opts.Concurrency)
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	if r.opts.NoNear {
		// Items are still fingerprinted and filed, as the daemon does, so
		// that switching the lookup on later finds them.
		near := false
		cfg.Dedup.Near = &near
	}
	r.cfg = cfg
	tags, err := topic.Compile(cfg.Topics, cfg.Sources)
	if err != nil {
		return fmt.Errorf("bench: compiling topics: %w", err)
	}
	r.db, err = store.Open(dbPath, store.Options{})
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	r.pub = publish.New(cfg, r.db, tags.Topics(), nil, r.opts.Logger)
	r.pl, err = poller.New(cfg, tags, r.db, poller.Options{Notify: r.pub, Logger: r.opts.Logger})
	if err != nil {
		r.db.Close()
		return fmt.Errorf("bench: %w", err)
	}
	return nil
}

// poll runs one PollAll, measured, and checks that every source ended with
// one of the wanted results.
func (r *runner) poll(ctx context.Context, name string, want ...string) (passStats, error) {
	r.progress("%s pass: %d feeds", name, r.opts.Feeds)
	if _, err := r.origin.stats(ctx); err != nil { // reset the counters
		return passStats{}, fmt.Errorf("bench: %w", err)
	}
	runtime.GC() // leave the previous pass's garbage out of this one's CPU
	cpu0, _ := usage()
	t0 := time.Now()
	var done int
	outcomes := r.pl.PollAll(ctx, func(poller.Outcome) {
		// PollAll calls this under its own lock, one outcome at a time.
		done++
		if step := max(r.opts.Feeds/10, 1); done%step == 0 && done < r.opts.Feeds {
			r.progress("  %d/%d feeds, %s", done, r.opts.Feeds, time.Since(t0).Round(time.Second))
		}
	})
	ps := passStats{wall: time.Since(t0), results: make(map[string]int)}
	cpu1, _ := usage()
	ps.cpu = cpu1 - cpu0
	if err := ctx.Err(); err != nil {
		return ps, err
	}
	var bad []string
	for _, o := range outcomes {
		ps.results[o.Result]++
		ps.stored += o.New
		ps.duplicates += o.Duplicates
		ps.stories += o.NewStories
		if !slices.Contains(want, o.Result) && len(bad) < 3 {
			bad = append(bad, fmt.Sprintf("%s: %s (%v)", o.URL, o.Result, o.Err))
		}
	}
	var err error
	if ps.origin, err = r.origin.stats(ctx); err != nil {
		return ps, fmt.Errorf("bench: %w", err)
	}
	if len(bad) > 0 {
		return ps, fmt.Errorf("bench: %s pass: results %v, want only %v; for example %s",
			name, ps.results, want, strings.Join(bad, "; "))
	}
	return ps, nil
}

// ingestPasses runs the four polling passes.
func (r *runner) ingestPasses(ctx context.Context, dir string) error {
	res := r.res
	if r.opts.CPUProfile != nil {
		if err := pprof.StartCPUProfile(r.opts.CPUProfile); err != nil {
			return fmt.Errorf("bench: cpu profile: %w", err)
		}
	}
	w0 := r.db.Written()
	first, err := r.poll(ctx, "first ingest", "ok")
	w1 := r.db.Written()
	if r.opts.CPUProfile != nil {
		pprof.StopCPUProfile()
	}
	if err != nil {
		return err
	}
	_, res.PeakRSS = usage()
	res.RSSAnon, res.RSSFile = resident()
	if r.opts.MemProfile != nil {
		// The heap profile's in-use figures are as of the last collection.
		runtime.GC()
		if err := pprof.Lookup("heap").WriteTo(r.opts.MemProfile, 0); err != nil {
			return fmt.Errorf("bench: heap profile: %w", err)
		}
	}
	res.FirstWall, res.FirstCPU = first.wall.Seconds(), first.cpu.Seconds()
	res.FirstStored, res.Stories, res.Duplicates = first.stored, first.stories, first.duplicates
	if res.ParseCPU > 0 {
		res.PipelineOverParse = res.FirstCPU / res.ParseCPU
	}
	if first.wall > 0 {
		res.FirstItemsPerSec = float64(first.stored) / first.wall.Seconds()
	}
	res.FirstCommits = w1.Commits - w0.Commits
	if first.stored > 0 {
		res.FirstPagesPerItem = float64(w1.Pages-w0.Pages) / float64(first.stored)
		res.FirstWrittenPerItem = float64(w1.Bytes-w0.Bytes) / float64(first.stored)
	}
	if res.StoryPairPrecision, res.StoryPairRecall, err = r.scoreStories(ctx); err != nil {
		return err
	}
	if res.StoreBytes, err = r.db.Size(); err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	if first.stored > 0 {
		res.StoreBytesPerItem = float64(res.StoreBytes) / float64(first.stored)
		compact := filepath.Join(dir, "compact.db")
		if err := r.db.Compact(ctx, compact); err != nil {
			return fmt.Errorf("bench: %w", err)
		}
		fi, err := os.Stat(compact)
		if err != nil {
			return fmt.Errorf("bench: %w", err)
		}
		res.CompactBytesPerItm = float64(fi.Size()) / float64(first.stored)
		os.Remove(compact)
	}

	nm, err := r.poll(ctx, "all-304", "not_modified")
	if err != nil {
		return err
	}
	res.NotModifiedWall, res.NotModifiedCPU, res.NotModified304s = nm.wall.Seconds(), nm.cpu.Seconds(), nm.origin.NotModified

	if err := r.origin.setMode(ctx, ModeNoValidators); err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	un, err := r.poll(ctx, "unchanged-without-validators", "unchanged")
	if err != nil {
		return err
	}
	res.UnchangedWall, res.UnchangedCPU, res.Unchanged = un.wall.Seconds(), un.cpu.Seconds(), un.results["unchanged"]

	// The last pass cleared the validators the sources had: a pass in
	// validator mode stores them again, so that the changed pass sees what
	// a daemon sees, 304 from the unchanged feeds.
	if err := r.origin.setMode(ctx, ModeValidators); err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	if _, err := r.poll(ctx, "re-arming validators", "unchanged"); err != nil {
		return err
	}
	var grown []int
	at := time.Now().Unix()
	if err := r.origin.call(ctx, http.MethodPost,
		fmt.Sprintf("/_bench/grow?percent=%d&items=%d&at=%d", ChangedPercent, ChangedItems, at), &grown); err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	r.gen.Grow(ChangedPercent, ChangedItems, time.Unix(at, 0)) // the parent's copy follows the origin's
	ch, err := r.poll(ctx, "10%-changed", "ok", "not_modified")
	if err != nil {
		return err
	}
	res.ChangedWall, res.ChangedCPU = ch.wall.Seconds(), ch.cpu.Seconds()
	res.ChangedFeeds, res.ChangedNew = ch.results["ok"], ch.stored
	if ch.results["ok"] != len(grown) {
		return fmt.Errorf("bench: changed pass: %d feeds parsed, want the %d that grew", ch.results["ok"], len(grown))
	}
	return nil
}

// serve measures the publish handler against a plain in-memory handler
// writing the same bytes, both on loopback listeners in this process.
func (r *runner) serve(ctx context.Context, pubBase string) error {
	url := pubBase + "/topics/" + ServedTopic + ".atom"
	resp, err := http.Get(url)
	if err != nil {
		return fmt.Errorf("bench: serving: %w", err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return fmt.Errorf("bench: serving: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("bench: serving %s: %s", url, resp.Status)
	}
	etag := resp.Header.Get("ETag")
	if etag == "" {
		return fmt.Errorf("bench: serving %s: no ETag", url)
	}
	// An entry in another language than the feed's has an xml:lang.
	r.res.ServeEntries = bytes.Count(body, []byte("<entry>")) + bytes.Count(body, []byte("<entry "))
	r.res.ServeBytes = len(body)

	hdr := resp.Header.Clone()
	hdr.Del("Date")
	baseline := http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		h := w.Header()
		for k, v := range hdr {
			h[k] = v
		}
		if req.Header.Get("If-None-Match") == etag {
			h.Del("Content-Type")
			h.Del("Content-Length")
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Write(body) //nolint:errcheck // the client went away
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	srv := &http.Server{Handler: baseline, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln) //nolint:errcheck // ends with Close below
	defer srv.Close()
	baseURL := "http://" + ln.Addr().String() + "/topics/" + ServedTopic + ".atom"

	cond := http.Header{"If-None-Match": {etag}}
	runs := []struct {
		name, url string
		hdr       http.Header
		want      int
		rps, p99  *float64
	}{
		{"publish handler", url, nil, http.StatusOK, &r.res.ServeRPS, &r.res.ServeP99},
		{"in-memory baseline", baseURL, nil, http.StatusOK, &r.res.ServeBaselineRPS, &r.res.ServeBaselineP99},
		{"publish handler, 304", url, cond, http.StatusNotModified, &r.res.NotModifiedRPS, &r.res.NotModifiedP99},
		{"in-memory baseline, 304", baseURL, cond, http.StatusNotModified, &r.res.NotModBaselineRPS, &r.res.NotModBaselineP99},
	}
	for _, run := range runs {
		r.progress("serving: %s, %d connections", run.name, r.opts.ServeConns)
		lr, err := Load(ctx, LoadOptions{
			URL: run.url, Header: run.hdr, Want: run.want, Conns: r.opts.ServeConns,
			Requests: r.opts.ServeRequests, Duration: r.opts.ServeTime,
		})
		if err != nil {
			return fmt.Errorf("bench: serving, %s: %w", run.name, err)
		}
		*run.rps = lr.RPS
		*run.p99 = float64(lr.P99) / float64(time.Millisecond)
		r.res.ServeRequestsTotal += lr.Requests
	}
	if r.res.ServeBaselineRPS > 0 {
		r.res.ServeRatio = r.res.ServeRPS / r.res.ServeBaselineRPS
	}
	if r.res.NotModBaselineRPS > 0 {
		r.res.NotModifiedRatio = r.res.NotModifiedRPS / r.res.NotModBaselineRPS
	}
	return nil
}

// parseBatch is how many feeds the parse step renders before parsing them:
// enough to keep every CPU busy, few enough to keep memory small.
const parseBatch = 64

// rawParser returns the gofeed parser the parse step times alone, set up
// as aggregator/parse sets up its own (no scan of item HTML for images).
func rawParser() *gofeed.Parser {
	p := gofeed.NewParser()
	p.RSSTranslator = &gofeed.DefaultRSSTranslator{DisableContentImageScan: true}
	return p
}

// parseStep renders the first ingest's feeds again, batch by batch, and
// times aggregator/parse and gofeed alone over them. Only the parsing is
// inside the CPU measurement; the rendering is not. The bodies' digest
// must equal the origin's, or the comparison would be meaningless.
func (r *runner) parseStep(ctx context.Context) error {
	r.progress("parse step: %d feeds through aggregator/parse and through gofeed alone", r.opts.Feeds)
	gen := NewGenerator(r.gen.Options()) // never grown: the bytes of the first ingest
	sums := make([][32]byte, r.opts.Feeds)
	raw := rawParser()
	var parseCPU, gofeedCPU time.Duration
	workers := max(runtime.GOMAXPROCS(0), 1)
	now := time.Now()
	for lo := 0; lo < r.opts.Feeds; lo += parseBatch {
		if err := ctx.Err(); err != nil {
			return err
		}
		hi := min(lo+parseBatch, r.opts.Feeds)
		docs := make([]Doc, hi-lo)
		parallel(len(docs), workers, func(i int) error { //nolint:errcheck // rendering does not fail
			docs[i] = gen.Feed(lo + i)
			sums[lo+i] = sha256.Sum256(docs[i].Body)
			return nil
		})
		for _, d := range docs {
			r.res.CorpusBytes += int64(len(d.Body))
		}
		runtime.GC()
		c0, _ := usage()
		err := parallel(len(docs), workers, func(i int) error {
			d := docs[i]
			src := r.cfg.Sources[d.Feed].URL
			_, err := parse.Parse(d.Body, d.ContentType, src, aggregator.SourceID(src), now, parse.Options{MaxItems: r.cfg.Poll.MaxItems})
			return err
		})
		c1, _ := usage()
		if err != nil {
			return fmt.Errorf("bench: parse step: %w", err)
		}
		err = parallel(len(docs), workers, func(i int) error {
			_, err := raw.Parse(bytes.NewReader(docs[i].Body))
			return err
		})
		c2, _ := usage()
		if err != nil {
			return fmt.Errorf("bench: parse step, gofeed: %w", err)
		}
		parseCPU += c1 - c0
		gofeedCPU += c2 - c1
	}
	if d := CorpusDigest(sums); d != r.origin.digest {
		return errors.New("bench: parse step: the regenerated feeds differ from those the origin served")
	}
	r.res.ParseCPU, r.res.GofeedCPU = parseCPU.Seconds(), gofeedCPU.Seconds()
	return nil
}

// parallel calls fn(0…n-1) on up to workers goroutines and returns the
// first error.
func parallel(n, workers int, fn func(int) error) error {
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
		next = make(chan int)
	)
	for range min(workers, n) {
		wg.Go(func() {
			for i := range next {
				if err := fn(i); err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				}
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	if len(errs) > 0 {
		sort.Slice(errs, func(i, j int) bool { return errs[i].Error() < errs[j].Error() })
		return errs[0]
	}
	return nil
}

// itemOf finds the feed and index of a generated item in its link.
var itemOf = regexp.MustCompile(`outlet-(\d+)\.example/.*-(\d+)(?:\?|$)`)

// scoreStories compares the stored stories with the reports the generator
// made: pairwise precision and recall over items in one story.
func (r *runner) scoreStories(ctx context.Context) (precision, recall float64, err error) {
	predicted := map[string][]string{} // story id → the report each member carries
	truth := map[string]int{}          // report → items that carry it
	err = r.db.Export(ctx, func(it aggregator.Item, st aggregator.Story) error {
		m := itemOf.FindStringSubmatch(it.Link)
		if m == nil {
			return fmt.Errorf("stored item %s: link %q is not a generated one", it.ID, it.Link)
		}
		f, _ := strconv.Atoi(m[1])
		j, _ := strconv.Atoi(m[2])
		of, oj := r.gen.origin(f, j)
		report := fmt.Sprintf("%d/%d", of, oj)
		predicted[st.ID] = append(predicted[st.ID], report)
		truth[report]++
		return nil
	})
	if err != nil {
		return 0, 0, fmt.Errorf("bench: scoring stories: %w", err)
	}
	var right, made, gold int
	for _, reports := range predicted {
		made += len(reports) * (len(reports) - 1) / 2
		same := map[string]int{}
		for _, rep := range reports {
			same[rep]++
		}
		for _, n := range same {
			right += n * (n - 1) / 2
		}
	}
	for _, n := range truth {
		gold += n * (n - 1) / 2
	}
	precision, recall = 1, 1
	if made > 0 {
		precision = float64(right) / float64(made)
	}
	if gold > 0 {
		recall = float64(right) / float64(gold)
	}
	return precision, recall, nil
}
