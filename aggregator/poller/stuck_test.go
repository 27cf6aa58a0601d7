package poller_test

import (
	"context"
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

// TestStuckHostsLeaveSlotsAfterRestart is TestStuckHostsLeaveSlots across
// a restart: a scheduler started on the store where the stuck hosts' last
// fetches ran out of time knows them from their sources' states. Due again
// at the start, beside a healthy host's sources never fetched, the stuck
// hosts get one fetch at a time and half the slots together, and the
// healthy sources are fetched while those fetches hang, where after a
// restart each stuck host took its poll.per_host of every slot again until
// its fetches had run out of time once more.
func TestStuckHostsLeaveSlotsAfterRestart(t *testing.T) {
	r := restartOnStuck(t)
	run(t, r.p)
	r.check(t)
}

// TestStuckHostsLeaveSlotsInPoll is TestStuckHostsLeaveSlotsAfterRestart
// for tributary poll, which starts on the store as the daemon does.
func TestStuckHostsLeaveSlotsInPoll(t *testing.T) {
	r := restartOnStuck(t)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() {
		defer close(done)
		r.p.PollPolitely(ctx, nil)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	r.check(t)
}

// stuckRestart is a Poller started on a store where the last fetch of
// each of eight hosts' sources ran out of time, with those sources due
// again and a healthy host's sources never fetched.
type stuckRestart struct {
	p            *poller.Poller
	tarpits      []*tarpit
	before       []int // connections each tarpit took before p started
	healthy      *feedtest.Origin
	healthyPaths []string
}

func restartOnStuck(t *testing.T) *stuckRestart {
	t.Helper()
	r := &stuckRestart{healthy: feedtest.NewOrigin(t)}
	var stuckURLs []string
	for i := range 8 {
		tp := newTarpit(t, fmt.Sprintf("127.0.0.%d", i+2))
		r.tarpits = append(r.tarpits, tp)
		stuckURLs = append(stuckURLs, tp.url("/a.rss"), tp.url("/b.rss"))
	}
	var healthyURLs []string
	for i := range 4 {
		path := fmt.Sprintf("/h%d.rss", i)
		r.healthy.Feed(path, "application/rss+xml", smallFeed(i))
		r.healthyPaths = append(r.healthyPaths, path)
		healthyURLs = append(healthyURLs, r.healthy.URL(path))
	}
	const settings = "  interval: 5m\n  concurrency: 8\n  per_host: 2\n  timeout: "
	clk := feedtest.NewClock(time.Date(2026, 11, 3, 12, 0, 0, 0, time.UTC))
	db := mustOpen(t)
	opts := poller.Options{Now: clk.Now, Tick: 10 * time.Millisecond, FirstDelay: time.Nanosecond}
	first := newPollerWith(t, config(t, settings+"300ms", stuckURLs...), db, opts)
	stop := run(t, first)
	timedOut := func() bool {
		states, err := first.Sources(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, st := range states {
			if strings.HasPrefix(st.LastError, "timeout after") {
				n++
			}
		}
		return n == len(stuckURLs)
	}
	if !waitUntil(20*time.Second, timedOut) {
		t.Fatal("the stuck hosts' fetches did not all run out of time")
	}
	stop()
	for _, tp := range r.tarpits {
		r.before = append(r.before, tp.accepted())
	}
	// An hour later, every stuck source due, with time enough to hang
	// through the rest of the test.
	clk.Add(time.Hour)
	r.p = newPollerWith(t, config(t, settings+"1m", append(stuckURLs, healthyURLs...)...), db, opts)
	return r
}

// check waits for the healthy sources to be fetched while the stuck hosts'
// fetches hang, and checks that those hosts were asked one at a time, and
// together at most half the fetch slots.
func (r *stuckRestart) check(t *testing.T) {
	t.Helper()
	fetched := func() bool {
		for _, path := range r.healthyPaths {
			if r.healthy.Count(path) == 0 {
				return false
			}
		}
		return true
	}
	// The stuck hosts' new fetches hang for 20 s, the wait for response
	// headers under a poll.timeout of a minute.
	if !waitUntil(10*time.Second, fetched) {
		t.Errorf("the healthy host's sources were not fetched while the stuck hosts hung; want them fetched in the slots left")
	}
	total := 0
	for i, tp := range r.tarpits {
		n := tp.accepted() - r.before[i]
		total += n
		if n > 1 {
			t.Errorf("stuck host %s was asked %d times at once; want one fetch at a time", tp.ln.Addr(), n)
		}
	}
	if total > 4 {
		t.Errorf("the stuck hosts were asked %d times at once; want at most 4, half the fetch slots", total)
	}
}
