package publish

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
)

// rateWindow is the span over which the front page measures each source's
// items per day.
const rateWindow = 7 * 24 * time.Hour

// rateTTL is how long one measurement of the rates is reused: they move
// slowly, and the front page must not walk a week of stories per request.
const rateTTL = 5 * time.Minute

// rateCache holds the last measurement of the sources' items per day.
type rateCache struct {
	mu    sync.Mutex
	at    time.Time      // when counts was measured; zero: never
	count map[string]int // source id → items published within the window
}

// itemsPerDay returns, per source id, how many stored items the source
// published per day over the rateWindow before now.
//
// SourceState counts the items stored from a source since it was added,
// but not since when, so the rate is measured from the stories themselves:
// the stored items whose Published time falls within the last seven days,
// divided by seven. Published (not FirstSeen) is used so that a feed's
// backlog, all stored on the first fetch, does not make a new source look
// busy. The walk follows the store's time index of every story, newest
// first, and stops at the first story older than the window; a story that
// began before the window and gained an item within it is not counted. The
// result is reused for rateTTL.
func (p *Publisher) itemsPerDay(ctx context.Context, now time.Time) (map[string]float64, error) {
	c := &p.rates
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.count == nil || now.Sub(c.at) >= rateTTL || now.Before(c.at) {
		// Shared by every request waiting on the lock: one client going
		// away must not fail the walk for the others.
		count, err := countRecent(context.WithoutCancel(ctx), p.store, now.Add(-rateWindow))
		if err != nil {
			return nil, err
		}
		c.at, c.count = now, count
	}
	days := rateWindow.Hours() / 24
	out := make(map[string]float64, len(c.count))
	for id, n := range c.count {
		out[id] = float64(n) / days
	}
	return out, nil
}

// countRecent counts, per source id, the stored items published at or after
// cutoff, among the stories whose time is at or after cutoff.
func countRecent(ctx context.Context, st aggregator.Store, cutoff time.Time) (map[string]int, error) {
	count := map[string]int{}
	err := st.TopicStories(ctx, aggregator.AllTopic, time.Time{}, func(s aggregator.Story, items []aggregator.Item) bool {
		if s.Time.Before(cutoff) {
			return false
		}
		for _, it := range items {
			if !it.Published.Before(cutoff) {
				count[it.SourceID]++
			}
		}
		return true
	})
	if err != nil {
		return nil, fmt.Errorf("counting recent items: %w", err)
	}
	return count, nil
}

// formatRate writes items per day for the sources table: whole numbers from
// ten up, one decimal below, and "0" for none at all.
func formatRate(r float64) string {
	switch {
	case r <= 0:
		return "0"
	case r >= 10:
		return strconv.FormatFloat(r, 'f', 0, 64)
	case r < 0.05:
		return "< 0.1"
	default:
		return strconv.FormatFloat(r, 'f', 1, 64)
	}
}
