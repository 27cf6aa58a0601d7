package bench

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// LoadOptions configures one serving measurement.
type LoadOptions struct {
	URL      string
	Header   http.Header   // added to every request
	Want     int           // the status every answer must have
	Conns    int           // concurrent connections (and workers); default 64
	Requests int           // stop after this many requests; 0: run for Duration
	Duration time.Duration // default 3s
	Warmup   int           // requests made (and not counted) before measuring; default 2×Conns
}

// LoadResult is what one serving measurement saw.
type LoadResult struct {
	Requests int           `json:"requests"`
	Elapsed  time.Duration `json:"elapsed_ns"`
	RPS      float64       `json:"rps"`
	P50      time.Duration `json:"p50_ns"`
	P99      time.Duration `json:"p99_ns"`
	Bytes    int64         `json:"bytes"` // body bytes read
}

// Load runs a bounded closed-loop load against one http URL: Conns workers,
// each with its own keep-alive HTTP/1.1 connection (client.go), send a GET
// as soon as the previous answer is read, until Requests were sent or
// Duration passed. No compression is asked for: the answer's bytes are read
// as they come, as a feed reader that did not ask for gzip reads them, for
// every handler alike. Every answer must have the Want status; the first
// one that does not ends the run with an error.
func Load(ctx context.Context, opts LoadOptions) (LoadResult, error) {
	if opts.Conns <= 0 {
		opts.Conns = 64
	}
	if opts.Duration <= 0 && opts.Requests <= 0 {
		opts.Duration = 3 * time.Second
	}
	if opts.Warmup <= 0 {
		opts.Warmup = 2 * opts.Conns
	}
	if opts.Want == 0 {
		opts.Want = http.StatusOK
	}
	conns := make([]*conn, opts.Conns)
	for i := range conns {
		c, err := newConn(opts.URL, opts.Header)
		if err != nil {
			return LoadResult{}, fmt.Errorf("load %s: %w", opts.URL, err)
		}
		conns[i] = c
	}
	defer func() {
		for _, c := range conns {
			c.close()
		}
	}()
	// A cancelled context ends the round trips in progress.
	defer context.AfterFunc(ctx, func() {
		for _, c := range conns {
			c.stop()
		}
	})()
	one := func(c *conn) (int64, error) {
		status, n, err := c.roundTrip()
		if err != nil {
			return n, err
		}
		if status != opts.Want {
			return n, fmt.Errorf("status %d, want %d", status, opts.Want)
		}
		return n, nil
	}

	run := func(total int, until time.Time, keep bool) ([][]time.Duration, int64, error) {
		var (
			next    atomic.Int64
			bytes   atomic.Int64
			errOnce sync.Once
			first   error
			stop    atomic.Bool
			wg      sync.WaitGroup
		)
		lat := make([][]time.Duration, opts.Conns)
		for w := range opts.Conns {
			wg.Go(func() {
				for !stop.Load() && ctx.Err() == nil {
					if total > 0 && next.Add(1) > int64(total) {
						return
					}
					t0 := time.Now()
					if total <= 0 && !t0.Before(until) {
						return
					}
					n, err := one(conns[w])
					if err != nil {
						errOnce.Do(func() { first = err })
						stop.Store(true)
						return
					}
					bytes.Add(n)
					if keep {
						lat[w] = append(lat[w], time.Since(t0))
					}
				}
			})
		}
		wg.Wait()
		if err := ctx.Err(); err != nil {
			first = err // what a stopped round trip said is the cancellation's doing
		}
		return lat, bytes.Load(), first
	}

	if _, _, err := run(opts.Warmup, time.Time{}, false); err != nil {
		return LoadResult{}, fmt.Errorf("load %s: warming up: %w", opts.URL, err)
	}
	start := time.Now()
	lat, n, err := run(opts.Requests, start.Add(opts.Duration), true)
	elapsed := time.Since(start)
	if err != nil {
		return LoadResult{}, fmt.Errorf("load %s: %w", opts.URL, err)
	}
	all := slices.Concat(lat...)
	slices.Sort(all)
	res := LoadResult{Requests: len(all), Elapsed: elapsed, Bytes: n}
	if len(all) > 0 {
		res.RPS = float64(len(all)) / elapsed.Seconds()
		res.P50 = all[len(all)/2]
		res.P99 = all[min(len(all)*99/100, len(all)-1)]
	}
	return res, nil
}
