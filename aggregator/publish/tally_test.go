package publish

import (
	"slices"
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
)

// TestTallyCountsHeldApart checks that a sound source waiting for its
// host's hold is counted as waiting, as its row says, not among the
// sources backing off after failures.
func TestTallyCountsHeldApart(t *testing.T) {
	now := time.Date(2026, 11, 3, 12, 0, 0, 0, time.UTC)
	held := aggregator.SourceState{ID: "a", LastFetch: now.Add(-time.Hour), LastResult: "ok", NextDue: now.Add(time.Hour),
		Held: "host feeds.example held: rate_limited: http 503 service unavailable from https://feeds.example/b"}
	failing := aggregator.SourceState{ID: "b", LastFetch: now.Add(-time.Hour), LastResult: "error", Failures: 2,
		FailingSince: now.Add(-2 * time.Hour), NextDue: now.Add(time.Hour), LastError: "timeout"}
	got := tally([]sourceRow{sourceState(held, now), sourceState(failing, now)})
	want := []stateCount{{Label: "backing off", Class: "backoff", N: 1}, {Label: "waiting", Class: "waiting", N: 1}}
	if !slices.Equal(got, want) {
		t.Errorf("tally(held, backing off) = %+v; want %+v", got, want)
	}
}
