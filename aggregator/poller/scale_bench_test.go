package poller_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator/poller"
)

// scaleHost is one loopback host of BenchmarkManySources: its own address
// (127.0.0.N), so that the per-host bound counts it apart.
type scaleHost struct {
	srv                     *httptest.Server
	requests, limited, peak atomic.Int64
	inFlight                atomic.Int64
	mu                      sync.Mutex
	perPath                 map[string]int
	kind                    string // fast, slow, proxy, failing
	limitedUntil            atomic.Int64
	feeds                   int
}

func newScaleHost(b *testing.B, n int, kind string, feeds int) *scaleHost {
	b.Helper()
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.%d:0", n))
	if err != nil {
		b.Skipf("listening on 127.0.0.%d: %v (loopback addresses beyond 127.0.0.1 are Linux's)", n, err)
	}
	h := &scaleHost{kind: kind, feeds: feeds, perPath: map[string]int{}}
	h.srv = httptest.NewUnstartedServer(http.HandlerFunc(h.serve))
	h.srv.Listener.Close()
	h.srv.Listener = ln
	h.srv.Start()
	b.Cleanup(h.srv.Close)
	return h
}

func (h *scaleHost) serve(w http.ResponseWriter, r *http.Request) {
	if n := h.inFlight.Add(1); n > h.peak.Load() {
		h.peak.Store(n) // close enough under contention: a peak, not a count
	}
	defer h.inFlight.Add(-1)
	h.requests.Add(1)
	h.mu.Lock()
	h.perPath[r.URL.Path]++
	h.mu.Unlock()
	var i int
	fmt.Sscanf(r.URL.Path, "/f%d.rss", &i)
	switch {
	case h.kind == "proxy" && (h.requests.Load() > 10 || time.Now().UnixNano() < h.limitedUntil.Load()):
		// Limits its client as a whole after ten requests.
		h.limitedUntil.Store(time.Now().Add(time.Hour).UnixNano())
		h.limited.Add(1)
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(http.StatusTooManyRequests)
		return
	case h.kind == "failing" && i%2 == 0:
		w.WriteHeader(http.StatusInternalServerError)
		return
	case h.kind == "slow":
		select {
		case <-time.After(50 * time.Millisecond):
		case <-r.Context().Done():
			return
		}
	}
	w.Header().Set("Content-Type", "application/rss+xml")
	w.Write(smallFeed(i))
}

// BenchmarkManySources runs the scheduler over 500 sources on 12 loopback
// hosts — a newspaper's 40 section feeds, 100 feeds behind a proxy that
// rate-limits its client after ten requests, a slow host, a failing
// one, and many small sites — until every source was polled once, and
// reports the peak of fetches in flight to one host and the requests the
// proxy refused. It fails when a source was fetched twice or a host had
// more than poll.per_host fetches at once.
func BenchmarkManySources(b *testing.B) {
	kinds := []struct {
		kind  string
		feeds int
	}{{"fast", 40}, {"proxy", 100}, {"slow", 30}, {"failing", 30}}
	for range 8 {
		kinds = append(kinds, struct {
			kind  string
			feeds int
		}{"fast", 300 / 8})
	}
	var hosts []*scaleHost
	var urls []string
	for i, k := range kinds {
		h := newScaleHost(b, i+1, k.kind, k.feeds)
		hosts = append(hosts, h)
		for f := range k.feeds {
			urls = append(urls, fmt.Sprintf("%s/f%d.rss", h.srv.URL, f))
		}
	}
	cfg := config(b, "  interval: 1h\n  concurrency: 8\n  per_host: 2", urls...)
	for b.Loop() {
		// The fetches that the last pass's end cut short may still be
		// answered: their handlers would count in this pass's peak.
		if !waitUntil(10*time.Second, func() bool {
			for _, h := range hosts {
				if h.inFlight.Load() > 0 {
					return false
				}
			}
			return true
		}) {
			b.Fatal("requests of the last pass still in flight")
		}
		for _, h := range hosts {
			h.requests.Store(0)
			h.limited.Store(0)
			h.peak.Store(0)
			h.limitedUntil.Store(0)
			h.mu.Lock()
			clear(h.perPath)
			h.mu.Unlock()
		}
		p := newPollerWith(b, cfg, mustOpen(b), poller.Options{FirstDelay: time.Millisecond})
		ctx, cancel := context.WithCancel(b.Context())
		done := make(chan error, 1)
		go func() { done <- p.Run(ctx) }()
		polled := func() bool {
			for _, h := range hosts {
				h.mu.Lock()
				n := len(h.perPath)
				h.mu.Unlock()
				if n < h.feeds && h.kind != "proxy" {
					return false
				}
			}
			return true
		}
		if !waitUntil(2*time.Minute, polled) {
			b.Fatal("not every source was polled within two minutes")
		}
		cancel()
		<-done
		var peak, limited int64
		for i, h := range hosts {
			peak = max(peak, h.peak.Load())
			limited += h.limited.Load()
			h.mu.Lock()
			for path, n := range h.perPath {
				if n > 1 {
					b.Errorf("host %d (%s): %s fetched %d times in one pass", i+1, h.kind, path, n)
				}
			}
			h.mu.Unlock()
		}
		if peak > 2 {
			b.Errorf("peak fetches in flight to one host = %d; want at most poll.per_host = 2", peak)
		}
		b.ReportMetric(float64(peak), "peak-per-host")
		b.ReportMetric(float64(limited), "proxy-429s")
	}
}
