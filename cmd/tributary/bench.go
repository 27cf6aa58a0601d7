package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/tributary-feeds/tributary/aggregator/bench"
)

// cmdBench measures the whole pipeline on synthetic feeds. It needs no
// config file. The feed origin runs in a second process, this binary run
// again as "tributary bench" with bench.OriginEnv set, so that the CPU
// time and peak memory bench reports are the pipeline's alone.
func cmdBench(ctx context.Context, e *env, args []string) error {
	if bench.IsOrigin() {
		return bench.ServeOrigin(ctx, os.Stdin, e.stdout)
	}
	fs := flag.NewFlagSet("tributary bench", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var (
		opts    bench.Options
		asJSON  bool
		quiet   bool
		profile string
		heap    string
	)
	fs.IntVar(&opts.Feeds, "feeds", bench.DefaultFeeds, "number of synthetic feeds")
	fs.IntVar(&opts.Items, "items", bench.DefaultItems, "items per feed")
	fs.IntVar(&opts.Concurrency, "concurrency", bench.DefaultConcurrency, "fetches in flight (poll.concurrency)")
	fs.Uint64Var(&opts.Seed, "seed", 1, "generator seed: the same seed gives the same feeds")
	near := fs.Bool("near", true, "near-duplicate lookup (dedup.near); -near=false measures exact keys only")
	fs.IntVar(&opts.ServeConns, "conns", bench.DefaultServeConns, "concurrent connections of the serving measurement")
	fs.DurationVar(&opts.ServeTime, "serve-time", bench.DefaultServeTime, "length of each serving measurement")
	fs.IntVar(&opts.ServeRequests, "serve-requests", 0, "requests per serving measurement (instead of -serve-time)")
	fs.StringVar(&opts.Dir, "dir", "", "folder for the temporary store (default: the system's temporary folder)")
	fs.BoolVar(&asJSON, "json", false, "print one JSON object instead of the table")
	fs.BoolVar(&quiet, "q", false, "do not report progress on standard error")
	fs.StringVar(&profile, "cpuprofile", "", "write a pprof CPU profile of the first ingest to this file")
	fs.StringVar(&heap, "memprofile", "", "write a pprof heap profile, taken after the first ingest, to this file")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: tributary bench [FLAGS]\n\n"+
			"Serves synthetic news feeds from a second process on loopback, runs the real pipeline\n"+
			"against a fresh store in a temporary folder, and prints what it cost this process\n"+
			"(CPU: getrusage user+system; memory: peak RSS).\n\n")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args, e.stdout); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("bench takes no arguments, got %q", fs.Args())
	}
	if opts.Feeds < 1 || opts.Items < 1 || opts.Concurrency < 1 {
		return usageError("bench: -feeds, -items and -concurrency must be at least 1")
	}
	opts.NoNear = !*near
	opts.OriginArgs = []string{"bench"}
	opts.Stderr = e.stderr
	opts.Logger = slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	if !quiet {
		opts.Progress = e.stderr
	}
	for _, p := range []struct {
		path string
		to   *io.Writer
	}{{profile, &opts.CPUProfile}, {heap, &opts.MemProfile}} {
		if p.path == "" {
			continue
		}
		f, err := os.Create(p.path)
		if err != nil {
			return fmt.Errorf("bench: %w", err)
		}
		defer f.Close()
		*p.to = f
	}
	start := time.Now()
	res, err := bench.Run(ctx, opts)
	if err != nil {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	if err := res.WriteTable(e.stdout); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "\n%s\n", bench.Describe(res, time.Since(start)))
	return nil
}
