package poller_test

import (
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/feedtest"
	"github.com/tributary-feeds/tributary/aggregator/poller"
	"github.com/tributary-feeds/tributary/aggregator/topic"
)

// tarpit is a host on a loopback address of its own that accepts
// connections and never answers.
type tarpit struct {
	ln    net.Listener
	mu    sync.Mutex
	conns []net.Conn
}

func newTarpit(t *testing.T, addr string) *tarpit {
	t.Helper()
	ln, err := net.Listen("tcp", addr+":0")
	if err != nil {
		t.Skipf("listening on %s: %v", addr, err)
	}
	tp := &tarpit{ln: ln}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			tp.mu.Lock()
			tp.conns = append(tp.conns, c)
			tp.mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		tp.mu.Lock()
		defer tp.mu.Unlock()
		for _, c := range tp.conns {
			c.Close()
		}
	})
	return tp
}

// accepted returns how many connections the tarpit has taken.
func (tp *tarpit) accepted() int {
	tp.mu.Lock()
	defer tp.mu.Unlock()
	return len(tp.conns)
}

func (tp *tarpit) url(path string) string { return "http://" + tp.ln.Addr().String() + path }

// TestStuckHostsLeaveSlots runs the scheduler over eight hosts that accept
// connections and never answer, four of them with two sources, more than
// poll.concurrency's eight fetch slots. Once their fetches have run out of
// time, each such host gets one fetch at a time, and they together at most
// half the slots: when they are due again, and sources of a healthy host
// come due while the stuck hosts' new fetches hang, the healthy sources
// are fetched, where the stuck hosts held every slot for poll.timeout.
func TestStuckHostsLeaveSlots(t *testing.T) {
	var tarpits []*tarpit
	var stuckURLs []string
	for i := range 8 {
		tp := newTarpit(t, fmt.Sprintf("127.0.0.%d", i+2))
		tarpits = append(tarpits, tp)
		stuckURLs = append(stuckURLs, tp.url("/a.rss"))
		if i < 4 {
			stuckURLs = append(stuckURLs, tp.url("/b.rss"))
		}
	}
	healthy := feedtest.NewOrigin(t)
	var healthyPaths, healthyURLs []string
	for i := range 4 {
		path := fmt.Sprintf("/h%d.rss", i)
		healthy.Feed(path, "application/rss+xml", smallFeed(i))
		healthyPaths = append(healthyPaths, path)
		healthyURLs = append(healthyURLs, healthy.URL(path))
	}
	const settings = "  interval: 5m\n  concurrency: 8\n  per_host: 2\n  timeout: "
	reload := func(p *poller.Poller, cfg *aggregator.Config) {
		t.Helper()
		tags, err := topic.Compile(cfg.Topics, cfg.Sources)
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Reload(cfg, tags); err != nil {
			t.Fatal(err)
		}
	}
	clk := feedtest.NewClock(time.Date(2026, 11, 3, 12, 0, 0, 0, time.UTC))
	db := mustOpen(t)
	p := newPollerWith(t, config(t, settings+"300ms", stuckURLs...), db,
		poller.Options{Now: clk.Now, Tick: 10 * time.Millisecond, FirstDelay: time.Nanosecond})
	run(t, p)

	// Every stuck source's first fetch runs out of time.
	timedOut := func() bool {
		states, err := p.Sources(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, st := range states {
			if strings.Contains(st.LastError, "timeout") {
				n++
			}
		}
		return n == len(stuckURLs)
	}
	if !waitUntil(20*time.Second, timedOut) {
		t.Fatal("the stuck hosts' fetches did not all run out of time")
	}
	before := make([]int, len(tarpits))
	for i, tp := range tarpits {
		before[i] = tp.accepted()
	}

	// Due again, with time enough to hang through the rest of the test.
	reload(p, config(t, settings+"1m", stuckURLs...))
	clk.Add(10 * time.Minute)
	again := func() bool {
		n := 0
		for i, tp := range tarpits {
			n += tp.accepted() - before[i]
		}
		return n >= 4
	}
	if !waitUntil(20*time.Second, again) {
		t.Fatal("the stuck hosts were not asked again once due")
	}
	reload(p, config(t, settings+"1m", append(stuckURLs, healthyURLs...)...))
	fetched := func() bool {
		for _, path := range healthyPaths {
			if healthy.Count(path) == 0 {
				return false
			}
		}
		return true
	}
	// The stuck hosts' new fetches hang for 20 s, the wait for response
	// headers under a poll.timeout of a minute: the healthy ones are
	// fetched long before, or never in that time.
	if !waitUntil(10*time.Second, fetched) {
		t.Errorf("the healthy host's sources were not fetched while the stuck hosts hung; want them fetched in the slots left")
	}
	total := 0
	for i, tp := range tarpits {
		n := tp.accepted() - before[i]
		total += n
		if n > 1 {
			t.Errorf("stuck host %s was asked %d times at once; want one fetch at a time", tp.ln.Addr(), n)
		}
	}
	if total > 4 {
		t.Errorf("the stuck hosts were asked %d times at once; want at most 4, half the fetch slots", total)
	}
}
