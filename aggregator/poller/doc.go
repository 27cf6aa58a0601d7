// Package poller schedules and runs the fetches of every source: each source
// on its own interval with jitter, a bounded number of fetches in flight, no
// two fetches of one source at once, conditional GET, exponential backoff on
// failure, Retry-After, feed TTLs, skipHours and skipDays. Each successful
// fetch is parsed and ingested in one store transaction.
package poller
