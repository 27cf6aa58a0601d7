package poller_test

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator/feedtest"
	"github.com/tributary-feeds/tributary/aggregator/poller"
)

// TestRedirectedSourcesShareTheHostsBound configures sources on two hosts
// whose feeds a temporary redirect sends on to a third, a feed proxy, with
// poll.per_host at 1: once a fetch has shown where each leads, the proxy
// is asked for one at a time, as a source configured on it would be, not
// for one per host that sends sources there.
func TestRedirectedSourcesShareTheHostsBound(t *testing.T) {
	for _, mode := range []string{"serve", "poll"} {
		t.Run(mode, func(t *testing.T) {
			body := fixture(t, "news.rss")
			var (
				learnt   atomic.Bool // the first poll is over: the proxy holds its answers
				inFlight atomic.Int32
				asked    atomic.Int32
				once     sync.Once
			)
			overlap := make(chan struct{})
			ln, err := net.Listen("tcp", "127.0.0.2:0")
			if err != nil {
				t.Skipf("no second loopback address: %v", err)
			}
			proxy := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if learnt.Load() {
					if inFlight.Add(1) > 1 {
						once.Do(func() { close(overlap) })
					}
					// Held a while, for a second request to come meanwhile
					// if one was let through.
					select {
					case <-overlap:
					case <-time.After(300 * time.Millisecond):
					}
					inFlight.Add(-1)
					asked.Add(1)
				}
				w.Header().Set("Content-Type", "application/rss+xml")
				w.Write(body)
			}))
			proxy.Listener.Close()
			proxy.Listener = ln
			proxy.Start()
			t.Cleanup(proxy.Close)

			site := feedtest.NewOrigin(t)
			var urls []string
			for _, path := range []string{"/a.rss", "/b.rss", "/c.rss"} {
				site.Redirect(path, proxy.URL+path, http.StatusFound)
				urls = append(urls, site.URL(path))
			}
			// The third source on another host name of the site.
			urls[2] = strings.Replace(urls[2], "127.0.0.1", "localhost", 1)
			cfg := config(t, "  concurrency: 4\n  per_host: 1", urls...)
			clk := feedtest.NewClock(time.Date(2026, 11, 4, 12, 0, 0, 0, time.UTC))
			p := newPollerWith(t, cfg, mustOpen(t), poller.Options{Tick: 10 * time.Millisecond, FirstDelay: time.Millisecond, Now: clk.Now})
			p.PollAll(t.Context(), nil)
			learnt.Store(true)
			if mode == "serve" {
				clk.Add(2 * time.Hour) // every source due again
				stop := run(t, p)
				if !waitUntil(10*time.Second, func() bool { return asked.Load() == 3 }) {
					t.Fatalf("the proxy was asked for %d of the 3 sources", asked.Load())
				}
				stop()
			} else {
				p.PollAll(t.Context(), nil)
			}
			select {
			case <-overlap:
				t.Error("the proxy was asked for two sources at once; poll.per_host is 1")
			default:
			}
		})
	}
}
