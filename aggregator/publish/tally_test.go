package publish

import (
	"slices"
	"strings"
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

// TestFailingSourceOnAHeldHost checks the row of a source that failed on
// its own (no Retry-After of its own) and whose host was held since, past
// its backoff: it says that it waits for the host, and why it fails, where
// it read "backing off until" the end of the hold. It still counts among
// the sources backing off.
func TestFailingSourceOnAHeldHost(t *testing.T) {
	now := time.Date(2026, 11, 3, 12, 0, 0, 0, time.UTC)
	st := aggregator.SourceState{ID: "a", LastFetch: now.Add(-time.Minute), LastResult: "error", Failures: 1,
		FailingSince: now.Add(-time.Minute), NextDue: now.Add(time.Hour), LastError: "html page, not a feed",
		Held: "host feeds.example held: rate_limited: http 429 too many requests from https://feeds.example/b"}
	row := sourceState(st, now)
	if !strings.HasPrefix(row.State, "waiting until") || row.Class != "backoff" ||
		!strings.Contains(row.Detail, "held: rate_limited") || !strings.Contains(row.Detail, "failing since") ||
		!strings.Contains(row.Detail, "html page, not a feed") {
		t.Errorf("sourceState(failing, host held) = state %q, class %q, detail %q; want waiting for the hold, backing off, saying both",
			row.State, row.Class, row.Detail)
	}
}
