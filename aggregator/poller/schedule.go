package poller

import (
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
)

// maxTTL bounds how far a feed's own TTL or Cache-Control may stretch its
// interval, so a feed that asks for a week is still read daily.
const maxTTL = 24 * time.Hour

// interval is the effective polling interval of a source: its configured
// interval, lengthened (never shortened) by what the feed asks for, and never
// below the configured floor.
func interval(cfg *aggregator.Config, src aggregator.SourceConfig, st aggregator.SourceState) time.Duration {
	iv := src.Interval
	if iv == 0 {
		iv = cfg.Poll.Interval
	}
	if ttl := min(st.FeedTTL, maxTTL); ttl > iv {
		iv = ttl
	}
	return max(iv, cfg.Poll.MinInterval)
}

// configured is the interval a source is configured with: its own, else
// poll.interval, never below poll.min_interval. A reload that changes it
// reschedules the source.
func configured(cfg *aggregator.Config, src aggregator.SourceConfig) time.Duration {
	return interval(cfg, src, aggregator.SourceState{})
}

// rescheduled returns when a source is next due under cfg, reckoned from
// its last fetch as that fetch's poll would have reckoned it: after a
// success, the interval (lengthened by the feed's own TTL or max-age) with
// jitter, out of the feed's skipHours and skipDays; after a failure, the
// backoff, and no sooner than a Retry-After, which waits poll.max_backoff
// at most. It is never before now. A last fetch after now, made before the
// clock was set back, counts as made now.
func rescheduled(cfg *aggregator.Config, src aggregator.SourceConfig, st aggregator.SourceState, now time.Time, r *rand.Rand) time.Time {
	iv := interval(cfg, src, st)
	last := st.LastFetch
	if last.After(now) {
		last = now
	}
	var due time.Time
	if st.Failures > 0 {
		wait := min(jitter(backoff(iv, st.Failures, cfg.Poll.MaxBackoff), r), cfg.Poll.MaxBackoff)
		due = last.Add(max(wait, min(st.RetryAfter, cfg.Poll.MaxBackoff)))
		if st.LastResult == "rate_limited" && st.RetryAfter == 0 && st.NextDue.After(due) && !st.LastFetch.After(now) {
			// Stored by an earlier version, which kept the Retry-After
			// only in the due time it set.
			due = st.NextDue
			if longest := last.Add(cfg.Poll.MaxBackoff); due.After(longest) {
				due = longest
			}
		}
	} else {
		due = skip(last.Add(jitter(iv, r)), st.SkipHours, st.SkipDays)
	}
	if due.Before(now) {
		return now
	}
	return due
}

// waitEnd returns when the wait that a failing source's state asks for
// ends — a Retry-After its server sent, or the backoff after its failures —
// and whether that is after now: the due time its last failure set, or, when
// its last fetch seems later than now (the clock has been set back since),
// the due time reckoned anew from now (rescheduled). A source that is not
// failing, or is disabled, has no wait: one merely not due yet by its
// interval is not waiting.
func waitEnd(cfg *aggregator.Config, src aggregator.SourceConfig, st aggregator.SourceState, now time.Time, r *rand.Rand) (time.Time, bool) {
	if st.Condition(now) != aggregator.ConditionBackingOff {
		return time.Time{}, false
	}
	until := st.NextDue
	if st.LastFetch.After(now) || overlong(cfg, st) {
		until = rescheduled(cfg, src, st, now, r)
	}
	return until, until.After(now)
}

// overlong reports whether a failing source waits longer after its last
// fetch than poll.max_backoff allows: a Retry-After that an earlier
// version took at its word, parking the source for up to a year, or a wait
// set under a longer poll.max_backoff. A wait counts from the answer, which
// comes up to poll.timeout after the fetch began.
func overlong(cfg *aggregator.Config, st aggregator.SourceState) bool {
	return st.Failures > 0 && st.NextDue.Sub(st.LastFetch) > cfg.Poll.MaxBackoff+cfg.Poll.Timeout
}

// jitter lengthens d by up to 10% so sources configured alike drift apart.
// It never shortens d: an interval, a feed's <ttl> and poll.min_interval
// are floors.
func jitter(d time.Duration, r *rand.Rand) time.Duration {
	span := int64(d) / 10
	if span <= 0 {
		return d
	}
	return d + time.Duration(r.Int64N(span))
}

// backoff is the delay after the n-th consecutive failure: the interval
// doubled per failure, capped at maxBackoff.
func backoff(iv time.Duration, failures int, maxBackoff time.Duration) time.Duration {
	d := iv
	for i := 1; i < failures && d < maxBackoff; i++ {
		d *= 2
	}
	return min(d, maxBackoff)
}

// firstOffset spreads the first poll of never-fetched sources over a few
// seconds by a hash of their id, so a start does not fetch everything at the
// same instant yet a first run shows value quickly.
func firstOffset(id string, spread time.Duration) time.Duration {
	if spread <= 0 {
		return 0
	}
	h := fnv.New64a()
	h.Write([]byte(id))
	return time.Duration(h.Sum64() % uint64(spread))
}

// skip moves t forward, hour by hour, out of the hours and days the feed
// asked readers to skip (RSS skipHours and skipDays, in UTC).
func skip(t time.Time, hours []int, days []string) time.Time {
	if len(hours) == 0 && len(days) == 0 {
		return t
	}
	if len(hours) >= 24 && len(days) >= 7 {
		return t // a feed that skips everything is read anyway
	}
	u := t.UTC()
	for range 24 * 8 {
		if !slices.Contains(hours, u.Hour()) && !slices.Contains(days, u.Weekday().String()) {
			if u.Equal(t.UTC()) {
				return t
			}
			return u
		}
		u = u.Truncate(time.Hour).Add(time.Hour)
	}
	return t
}
