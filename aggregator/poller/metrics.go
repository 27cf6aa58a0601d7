package poller

import (
	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the poller's Prometheus collectors.
type metrics struct {
	fetches     *prometheus.CounterVec
	latency     prometheus.Histogram
	bytes       prometheus.Histogram
	items       *prometheus.CounterVec
	stories     prometheus.Counter
	duplicates  prometheus.Counter
	lastSuccess *prometheus.GaugeVec
	lag         prometheus.Histogram
	inFlight    prometheus.Gauge
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		fetches: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tributary_fetches_total",
			Help: "Fetches of source feeds by result (ok, not_modified, unchanged, error, gone, rate_limited).",
		}, []string{"result"}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "tributary_fetch_duration_seconds",
			Help:    "Time from request to the end of the body, per fetch.",
			Buckets: prometheus.ExponentialBuckets(0.01, 2.5, 10),
		}),
		bytes: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "tributary_fetch_body_bytes",
			Help:    "Decompressed body size of fetched feeds.",
			Buckets: prometheus.ExponentialBuckets(1024, 4, 9),
		}),
		items: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tributary_items_ingested_total",
			Help: "Items read by outcome (new, updated, unchanged, expired: older than storage.retention and left out).",
		}, []string{"outcome"}),
		stories: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "tributary_stories_created_total",
			Help: "Stories created.",
		}),
		duplicates: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "tributary_duplicates_folded_total",
			Help: "New items that joined an existing story.",
		}),
		lastSuccess: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "tributary_source_last_success_timestamp_seconds",
			Help: "Unix time of each source's last successful fetch.",
		}, []string{"source"}),
		lag: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "tributary_scheduler_lag_seconds",
			Help:    "How late due polls start.",
			Buckets: prometheus.ExponentialBuckets(0.01, 3, 10),
		}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "tributary_fetches_in_flight",
			Help: "Fetches running now.",
		}),
	}
	// Every result and outcome has its series from the start, at zero:
	// a daemon restarted on sources due in half an hour lists them in
	// /metrics, and a rate or an alert on one reads 0, not nothing.
	for _, r := range []string{"ok", "not_modified", "unchanged", "error", "gone", "rate_limited"} {
		m.fetches.WithLabelValues(r)
	}
	for _, o := range []string{"new", "updated", "unchanged", "expired"} {
		m.items.WithLabelValues(o)
	}
	if reg != nil {
		reg.MustRegister(m.fetches, m.latency, m.bytes, m.items, m.stories, m.duplicates, m.lastSuccess, m.lag, m.inFlight)
	}
	return m
}
