package poller_test

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/feedtest"
	"github.com/tributary-feeds/tributary/aggregator/poller"
	"github.com/tributary-feeds/tributary/store"
)

// TestFeedBrokenOffReadWholeNext serves a feed whose body, delimited by
// the closing of the connection alone, is cut off in its fourth item at
// the first fetch, under the validators of the whole feed: the three items
// before the cut are stored, and the next poll asks for the whole feed
// again rather than sending those validators back, which its server
// answers with a 304, so that the last two items are stored too.
func TestFeedBrokenOffReadWholeNext(t *testing.T) {
	const etag = `"whole"`
	p, db, url, clk, stored := brokenOff(t, etag, 1)
	if o := p.PollAll(t.Context(), nil)[0]; o.Result != "ok" || stored() != 3 {
		t.Fatalf("first poll: %s, %v, %d items stored; want ok and the 3 before the cut", o.Result, o.Err, stored())
	}
	clk.Add(time.Hour)
	if o := p.PollAll(t.Context(), nil)[0]; o.Result != "ok" || stored() != 5 {
		t.Errorf("second poll: %s, %v, %d items stored; want ok and all 5", o.Result, o.Err, stored())
	}
	if st := state(t, db, url); st.ETag != etag {
		t.Errorf("ETag kept after the whole feed was read: %q; want %q", st.ETag, etag)
	}
}

// TestFeedBrokenOffTwiceReadWholeNext serves a feed cut off in its fourth
// item, at the same byte, at the first two fetches, under the validators
// of the whole feed, as a program that stops at the same item each time
// writes it: the second answer, the same bytes as the first, does not give
// the source those validators either, so that the third poll, once the
// whole feed is served, reads it rather than being answered with a 304.
func TestFeedBrokenOffTwiceReadWholeNext(t *testing.T) {
	p, db, url, clk, stored := brokenOff(t, `"whole"`, 2)
	for poll := 1; poll <= 2; poll++ {
		o := p.PollAll(t.Context(), nil)[0]
		if o.Err != nil || stored() != 3 {
			t.Fatalf("poll %d: %s, %v, %d items stored; want the 3 before the cut", poll, o.Result, o.Err, stored())
		}
		if st := state(t, db, url); st.ETag != "" {
			t.Fatalf("poll %d of the cut feed: ETag %q taken; want none", poll, st.ETag)
		}
		clk.Add(time.Hour)
	}
	if o := p.PollAll(t.Context(), nil)[0]; o.Result != "ok" || stored() != 5 {
		t.Errorf("third poll: %s, %v, %d items stored; want ok and all 5", o.Result, o.Err, stored())
	}
}

// brokenOff serves five reports under etag from a raw loopback server,
// their body delimited by the closing of the connection alone and cut off
// in the fourth item at the first cuts fetches, whole with its length
// after them, and a 304 to a request that sends etag back. It returns a
// poller of that one source on a clock of its own, its store, the
// source's URL, the clock and a count of the items stored.
func brokenOff(t *testing.T, etag string, cuts int) (*poller.Poller, *store.DB, string, *feedtest.Clock, func() int) {
	t.Helper()
	feed := reports(5)
	var (
		mu       sync.Mutex
		requests int
	)
	addr := feedtest.RawServer(t, func(c net.Conn) {
		req, err := http.ReadRequest(bufio.NewReader(c))
		if err != nil {
			return
		}
		mu.Lock()
		requests++
		cutOff := requests <= cuts
		mu.Unlock()
		switch {
		case req.Header.Get("If-None-Match") == etag:
			fmt.Fprintf(c, "HTTP/1.1 304 Not Modified\r\nETag: %s\r\n\r\n", etag)
		case cutOff:
			cut := feed[:len(feed)*7/10]
			fmt.Fprintf(c, "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nETag: %s\r\nConnection: close\r\n\r\n%s", etag, cut)
		default:
			fmt.Fprintf(c, "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nETag: %s\r\nContent-Length: %d\r\n\r\n%s", etag, len(feed), feed)
		}
	})
	url := "http://" + addr + "/reports.rss"
	db := mustOpen(t)
	clk := feedtest.NewClock(time.Date(2026, 11, 4, 12, 0, 0, 0, time.UTC))
	p := newPoller(t, config(t, "", url), db, clk.Now)
	stored := func() int {
		n := 0
		if err := db.Export(t.Context(), func(aggregator.Item, aggregator.Story) error { n++; return nil }); err != nil {
			t.Fatal(err)
		}
		return n
	}
	return p, db, url, clk, stored
}
