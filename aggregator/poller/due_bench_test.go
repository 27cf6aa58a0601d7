package poller

import (
	"fmt"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/fetch"
)

// BenchmarkDueNow measures one pass of the scheduler over n sources that are
// all due, on n hosts, as at the first start of a large configuration, when
// a pass follows every poll and fetch that ends.
func BenchmarkDueNow(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			cfg := &aggregator.Config{}
			cfg.Poll.Concurrency = 8
			cfg.Poll.PerHost = 2
			pl := &pipeline{cfg: cfg, fetcher: fetch.New(fetch.Options{PerHost: 2})}
			p := &Poller{due: map[string]time.Time{}, running: map[string]bool{}, moved: map[string]string{}, fetches: map[string]int{}, changed: make(chan struct{}), m: newMetrics(prometheus.NewRegistry())}
			now := time.Now()
			for i := range n {
				u := fmt.Sprintf("https://h%d.example/feed", i)
				cfg.Sources = append(cfg.Sources, aggregator.SourceConfig{URL: u})
				id := aggregator.SourceID(u)
				pl.ids = append(pl.ids, id)
				pl.hosts = append(pl.hosts, fmt.Sprintf("h%d.example", i))
				p.due[id] = now.Add(-time.Duration(i) * time.Second)
			}
			for b.Loop() {
				starts := p.dueNow(pl, now)
				for _, s := range starts {
					s.fetched()
					delete(p.running, aggregator.SourceID(s.src.URL))
				}
			}
		})
	}
}
