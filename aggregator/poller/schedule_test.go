package poller

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
)

func TestSkip(t *testing.T) {
	mon10 := time.Date(2026, 11, 2, 10, 30, 0, 0, time.UTC) // a Monday
	tests := []struct {
		name  string
		hours []int
		days  []string
		want  time.Time
	}{
		{"nothing skipped", nil, nil, mon10},
		{"hour not skipped", []int{3, 4}, nil, mon10},
		{"hour skipped", []int{10, 11}, nil, time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC)},
		{"day skipped", nil, []string{"Monday"}, time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC)},
		{"day and hours", []int{0, 1}, []string{"Monday"}, time.Date(2026, 11, 3, 2, 0, 0, 0, time.UTC)},
		{"everything skipped", allHours(), []string{"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}, mon10},
	}
	for _, tt := range tests {
		if got := skip(mon10, tt.hours, tt.days); !got.Equal(tt.want) {
			t.Errorf("%s: skip(%v, %v, %v) = %v; want %v", tt.name, mon10, tt.hours, tt.days, got, tt.want)
		}
	}
}

func allHours() []int {
	h := make([]int, 24)
	for i := range h {
		h[i] = i
	}
	return h
}

func TestBackoff(t *testing.T) {
	tests := []struct {
		failures int
		want     time.Duration
	}{
		{1, 30 * time.Minute}, {2, time.Hour}, {3, 2 * time.Hour}, {4, 4 * time.Hour}, {5, 6 * time.Hour}, {50, 6 * time.Hour},
	}
	for _, tt := range tests {
		if got := backoff(30*time.Minute, tt.failures, 6*time.Hour); got != tt.want {
			t.Errorf("backoff(30m, %d, 6h) = %v; want %v", tt.failures, got, tt.want)
		}
	}
}

func TestRescheduled(t *testing.T) {
	cfg := &aggregator.Config{Poll: aggregator.PollConfig{Interval: time.Hour, MinInterval: time.Minute, MaxBackoff: 6 * time.Hour}}
	src := aggregator.SourceConfig{Interval: 15 * time.Minute}
	last := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC) // a Monday
	soon := last.Add(5 * time.Minute)
	tests := []struct {
		name     string
		st       aggregator.SourceState
		now      time.Time
		from, to time.Duration // after last
	}{
		{"interval", aggregator.SourceState{}, soon, 15 * time.Minute, 16*time.Minute + 30*time.Second},
		{"passed", aggregator.SourceState{}, last.Add(time.Hour), time.Hour, time.Hour},
		{"feed ttl", aggregator.SourceState{FeedTTL: 2 * time.Hour}, soon, 2 * time.Hour, 2*time.Hour + 12*time.Minute},
		{"feed ttl beyond a day", aggregator.SourceState{FeedTTL: 72 * time.Hour}, soon, 24 * time.Hour, 26*time.Hour + 24*time.Minute},
		{"hour skipped", aggregator.SourceState{SkipHours: []int{10}}, soon, time.Hour, time.Hour},
		{"failing", aggregator.SourceState{Failures: 3}, soon, time.Hour, time.Hour + 6*time.Minute},
		{"failing long", aggregator.SourceState{Failures: 10}, soon, 6 * time.Hour, 6 * time.Hour},
		{"retry after", aggregator.SourceState{Failures: 1, LastResult: "rate_limited", RetryAfter: 3 * time.Hour}, soon, 3 * time.Hour, 3 * time.Hour},
		{"retry after, stored before kept apart", aggregator.SourceState{Failures: 1, LastResult: "rate_limited", NextDue: last.Add(5 * time.Hour)}, soon, 5 * time.Hour, 5 * time.Hour},
		{"clock set back", aggregator.SourceState{}, last.Add(-24 * time.Hour), -24*time.Hour + 15*time.Minute, -24*time.Hour + 16*time.Minute + 30*time.Second},
		{"retry after passed", aggregator.SourceState{Failures: 1, LastResult: "rate_limited", RetryAfter: time.Minute}, soon, 15 * time.Minute, 16*time.Minute + 30*time.Second},
		{"retry after beyond max_backoff", aggregator.SourceState{Failures: 1, LastResult: "rate_limited", RetryAfter: 365 * 24 * time.Hour}, soon, 6 * time.Hour, 6 * time.Hour},
		{"retry after beyond max_backoff, stored before kept apart", aggregator.SourceState{Failures: 1, LastResult: "rate_limited", NextDue: last.Add(365 * 24 * time.Hour)}, soon, 6 * time.Hour, 6 * time.Hour},
	}
	r := rand.New(rand.NewPCG(1, 2))
	for _, tt := range tests {
		tt.st.LastFetch = last
		for range 20 {
			got := rescheduled(cfg, src, tt.st, tt.now, r).Sub(last)
			if got < tt.from || got > tt.to {
				t.Errorf("%s: rescheduled at %v after the last fetch; want from %v to %v", tt.name, got, tt.from, tt.to)
				break
			}
		}
	}
}
