// Package bench measures Tributary's whole pipeline on synthetic news feeds:
// it is what "tributary bench" runs.
//
// A Generator makes N feeds of M items, deterministically from a seed:
// mostly RSS 2.0, some Atom 1.0 and JSON Feed 1.1, 1–3 KB of HTML per item
// (paragraphs, links, an image, entities), titles and texts about a cast of
// people, places, organisations and things drawn from pools of thousands by
// a Zipf-like law (so that, as in real news, unrelated reports share common
// words and seldom a rare one), categories, dates spread over the last two
// days, and about 5%
// of items re-posting another feed's story under another link with a
// lightly edited title and text. An Origin serves them with strong
// validators, gzip-compressed, and can be switched between answering 304,
// answering 200 without validators, and growing some feeds.
//
// Run starts the Origin in a second process (this binary run again with
// OriginEnv set; the process must then call ServeOrigin), so that the CPU
// time (getrusage RUSAGE_SELF, user plus system) and peak RSS (ru_maxrss)
// it measures are the pipeline's alone. It then drives the real poller
// (PollAll) against a fresh bbolt store in a temporary folder through a
// first ingest, an all-304 pass, an unchanged-without-validators pass and a
// pass where 10% of the feeds gained 5 items; measures serving a topic's
// Atom feed through the real publish handler beside a plain handler writing
// the same bytes from memory, with a minimal keep-alive HTTP/1.1 client
// (Load) so that the machine's CPU goes to the servers measured; and times
// the parse step alone over the same bytes. The Result marshals to the JSON "tributary bench -json" prints,
// and WriteTable prints it beside the targets.
package bench
