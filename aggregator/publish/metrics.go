package publish

import (
	"errors"
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the publisher's Prometheus collectors.
type metrics struct {
	requests    *prometheus.CounterVec   // topic, format, code
	notModified *prometheus.CounterVec   // topic, format
	render      *prometheus.HistogramVec // format
	pageRender  *prometheus.HistogramVec // page: front, topic
	gatherer    prometheus.Gatherer      // reg, when it can also gather: served at /metrics
}

// unknownTopicLabel stands for every topic id that is not configured, so a
// client cannot grow the label set without bound.
const unknownTopicLabel = "_unknown"

// unknownFormatLabel stands for every file extension that is not a feed
// format, for the same reason, and because a label value must be UTF-8,
// which a requested path need not be.
const unknownFormatLabel = "_unknown"

func newMetrics(reg prometheus.Registerer, logger *slog.Logger) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tributary_feed_requests_total",
			Help: "Requests for topic feeds, by topic, format and HTTP status code.",
		}, []string{"topic", "format", "code"}),
		notModified: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tributary_feed_not_modified_total",
			Help: "Conditional requests for topic feeds answered 304 Not Modified, by topic and format.",
		}, []string{"topic", "format"}),
		render: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "tributary_feed_render_seconds",
			Help:    "Time to render a topic feed document, by format.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1},
		}, []string{"format"}),
		pageRender: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "tributary_page_render_seconds",
			Help:    "Time to render a web page (the front page, or a topic's first page) once what it shows changed.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1},
		}, []string{"page"}),
	}
	if reg == nil {
		return m
	}
	m.gatherer = gathererOf(reg)
	m.requests = register(reg, m.requests, logger)
	m.notModified = register(reg, m.notModified, logger)
	m.render = register(reg, m.render, logger)
	m.pageRender = register(reg, m.pageRender, logger)
	return m
}

// register registers c on reg, or returns the equal collector already
// registered there (a second Publisher on one registry shares the series).
// A conflicting registration is logged and c is used unregistered.
func register[C prometheus.Collector](reg prometheus.Registerer, c C, logger *slog.Logger) C {
	err := reg.Register(c)
	if err == nil {
		return c
	}
	var are prometheus.AlreadyRegisteredError
	if errors.As(err, &are) {
		if existing, ok := are.ExistingCollector.(C); ok {
			return existing
		}
	}
	logger.Warn("metric not registered", "err", err)
	return c
}
