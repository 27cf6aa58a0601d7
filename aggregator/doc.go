// Package aggregator holds Tributary's domain: sources, items, stories and
// topics, the configuration, and the contracts between the pipeline stages and
// the store.
//
// The pipeline runs in subpackages that depend on this one and never the
// reverse:
//
//	config.yaml ─▶ poller ─▶ fetch ─▶ parse ─▶ ingest (dedup, tag) ─▶ store
//	                                                                    │
//	              HTTP ◀── publish (cached bytes + ETag per topic) ◀────┘
package aggregator
