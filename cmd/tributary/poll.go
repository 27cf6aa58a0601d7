package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/ops"
	"github.com/tributary-feeds/tributary/aggregator/poller"
	"github.com/tributary-feeds/tributary/store"
)

func cmdPoll(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("tributary poll", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	configFlag(fs, e)
	force := fs.Bool("force", false, "fetch every source, those still waiting out a Retry-After, a backoff or their host's hold, and those disabled by a 410, too")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `Usage: tributary poll [-config FILE] [-force]

Fetch every source once, ingest what it brings, print a line per source and a
summary, and exit: for cron, and for a first run.

A source whose last failure set a wait that has not ended yet is skipped, its
line saying until when: its server asked to wait with a Retry-After on a 429 or
a 503 (at most poll.max_backoff), or it backs off after failing. So is a
source whose host is held, as the daemon holds it: two of the host's sources
were asked to wait, in this run or before. A skipped source does not count as
failed. A source only not due yet by its interval is fetched all the same (a
conditional GET, cheap when nothing changed). -force fetches the waiting and
the held sources too, and the sources disabled by a 410 Gone, which nothing
else asks again: one whose feed is read is enabled again.

Exit status 1 when no source could be fetched: every source tried failed, is
gone (410) or brought what the store refused.

`)
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args, e.stdout); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("poll takes no arguments")
	}
	cfg, tags, err := loadConfig(e)
	if err != nil {
		return err
	}
	logger, _ := newLogger(cfg.Log, e.stderr)
	db, err := openStore(cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	states, err := readSources(ctx, db)
	if err != nil {
		return err
	}
	if tags, err = bindConfig(cfg, states); err != nil {
		return err
	}
	pl, err := poller.New(cfg, tags, db, poller.Options{Logger: logger})
	if err != nil {
		return err
	}
	// Stories stored under other topics, priorities or source tags follow
	// the current ones before new items join them, as under serve. A
	// damaged store found on the way stops the run: what the sources
	// bring would be written into it.
	if err := retag(ctx, logger, pl); errors.Is(err, store.ErrDamaged) {
		return err
	}
	bar := newProgress(e.stderr, len(cfg.Sources))
	start := time.Now()
	poll := pl.PollPolitely
	if *force {
		poll = pl.PollForced
	}
	outcomes := poll(ctx, bar.add)
	bar.done()
	if ctx.Err() == nil {
		// Run from cron, poll is what keeps the store within
		// storage.retention, as the daemon's hourly prune does.
		pl.Prune(ctx)
	}
	var items, stories, dups, failed, skipped, disabled, interrupted int
	for _, o := range outcomes {
		items += o.New
		stories += o.NewStories
		dups += o.Duplicates
		status := o.Result
		if o.Result == "skipped" {
			skipped++
			status += " until " + o.Until.UTC().Format("2006-01-02 15:04:05Z") + " (" + o.Reason + ")"
		}
		if o.Result == "disabled" || o.Result == "gone" {
			disabled++ // a 410 Gone: nothing asks it again but -force
		}
		if o.MovedTo != "" {
			// As status says it: the config names an old address.
			status = ops.Aside(status, "moved to "+aggregator.RedactURL(o.MovedTo))
		}
		if o.Expired > 0 {
			status = ops.Aside(status, fmt.Sprintf("%d older than storage.retention, left out", o.Expired))
		}
		if o.SameText > 0 {
			status = ops.Aside(status, fmt.Sprintf("%d the same text at new links, left out", o.SameText))
		}
		switch {
		case o.Err != nil && ctx.Err() != nil && errors.Is(o.Err, context.Canceled):
			// Cut short by SIGINT or SIGTERM: the source did not fail,
			// and the store keeps no failure for it.
			interrupted++
			status = "interrupted"
		case o.Err != nil:
			failed++
			status += ": " + o.Err.Error()
		}
		fmt.Fprintf(e.stdout, "%s %4d new  %s\n", ops.Pad(ops.OneLine(o.Name, 28), 28), o.New, ops.OneLine(status, 480))
	}
	summary := fmt.Sprintf("\n%s in %s: %s, %s, %s, %d failed, %d skipped",
		counted(len(outcomes), "source", "sources"), time.Since(start).Round(time.Millisecond),
		counted(items, "new item", "new items"), counted(stories, "new story", "new stories"),
		counted(dups, "duplicate folded", "duplicates folded"), failed, skipped)
	if interrupted > 0 {
		summary += fmt.Sprintf(", %d interrupted", interrupted)
	}
	if hint := forceHint(skipped, disabled); hint != "" && !*force {
		summary += "\n" + hint
	}
	fmt.Fprintln(e.stdout, summary)
	if ctx.Err() != nil {
		return &exitError{code: exitFailure, err: errors.New("interrupted: what was fetched before is stored")}
	}
	if failed > 0 && failed == len(outcomes)-skipped {
		// A cron job is told when nothing could be fetched; some sources
		// failing is the daily lot of an aggregator and exits 0. A source
		// skipped, waiting out a Retry-After or a backoff, was not tried.
		msg := fmt.Sprintf("no source could be fetched (%d failed)", failed)
		if skipped > 0 {
			msg = fmt.Sprintf("no source could be fetched (%d failed, %d skipped)", failed, skipped)
		}
		return &exitError{code: exitFailure, err: errors.New(msg)}
	}
	return nil
}

// forceHint returns the line that tells the operator how to fetch the
// sources a poll left alone: those waiting out a Retry-After, a backoff or
// their host's hold (skipped), and those a 410 Gone disabled, which nothing
// but poll -force asks again. It is "" when there are none.
func forceHint(skipped, disabled int) string {
	var which string
	switch {
	case skipped > 0 && disabled > 0:
		which = "the skipped sources and those disabled by a 410 Gone"
	case skipped > 0:
		which = "the skipped sources"
	case disabled > 0:
		which = "the sources disabled by a 410 Gone"
	default:
		return ""
	}
	return "tributary poll -force fetches " + which + " too"
}

// progress draws a live bar on a terminal and nothing otherwise (the
// per-source lines printed at the end say it all).
type progress struct {
	w                  io.Writer
	tty                bool
	total, n, new, bad int
}

func newProgress(w io.Writer, total int) *progress {
	tty := false
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			tty = os.Getenv("TERM") != "dumb"
		}
	}
	return &progress{w: w, tty: tty, total: total}
}

func (p *progress) add(o poller.Outcome) {
	p.n++
	p.new += o.New
	if o.Err != nil {
		p.bad++
	}
	if !p.tty {
		return
	}
	const width = 30
	fill := 0
	if p.total > 0 {
		fill = p.n * width / p.total
	}
	fmt.Fprintf(p.w, "\r[%s%s] %d/%d sources  %d new items  %d failed ",
		strings.Repeat("#", fill), strings.Repeat(".", width-fill), p.n, p.total, p.new, p.bad)
}

func (p *progress) done() {
	if p.tty && p.n > 0 {
		fmt.Fprintln(p.w)
	}
}
