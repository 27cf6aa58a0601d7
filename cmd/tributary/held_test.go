package main

import (
	"bytes"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator/feedtest"
)

// TestHeldHostSourcesShowWaiting runs the daemon on five sources of one
// host that answers each 503 with an hour's Retry-After. Once two have been
// answered the host is held, and the sources not fetched by then are
// never fetched while it is: status and the front page show each of them
// waiting until the hold is over, for the host's answer, where they read
// "never fetched" (on the page "not fetched yet"), with no due time, for
// the hour.
func TestHeldHostSourcesShowWaiting(t *testing.T) {
	dir, yml := busyHost(t, 5, "server:\n  listen: \"127.0.0.1:0\"\n", "")
	d := startDaemon(t, saveConfig(t, dir, yml))
	cli := saveConfig(t, t.TempDir(), strings.Replace(yml, "127.0.0.1:0", d.addr, 1))

	status := func() string {
		var out, errOut bytes.Buffer
		if err := run(t.Context(), []string{"status", "-config", cli}, &out, &errOut); err != nil {
			t.Fatalf("status: %v\n%s", err, errOut.String())
		}
		return out.String()
	}
	// The scheduler spreads the first polls over 5 s; two answers hold
	// the host, and per_host lets no more than one other be in flight.
	var lines []string
	waitFor(t, "two sources answered 503", 20*time.Second, func() bool {
		lines = lines[:0]
		answered := 0
		for l := range strings.Lines(status()) {
			if strings.HasPrefix(l, "Busy") {
				lines = append(lines, l)
			}
			if strings.Contains(l, "backing off until") {
				answered++
			}
		}
		return answered >= 2
	})
	waiting := 0
	for _, l := range lines {
		if f := strings.Fields(l); len(f) > 3 && f[2] == "-" {
			// Never fetched: due when the hold is over, saying why.
			if !strings.Contains(l, "waiting until") || !strings.Contains(l, "held: rate_limited: http 503 service unavailable") ||
				strings.Contains(l, "never fetched") {
				t.Errorf("status line of a source never fetched on the held host:\n%s\nwant it waiting until the hold is over, for the host's 503", l)
			}
			waiting++
		}
	}
	if waiting == 0 {
		t.Fatalf("no source left unfetched once the host was held:\n%s", strings.Join(lines, ""))
	}
	_, page := d.get(t, "/")
	if n := strings.Count(string(page), "waiting until"); n != waiting || strings.Contains(string(page), "not fetched yet") {
		t.Errorf("front page shows %d sources waiting (not fetched yet: %v); want the %d never fetched waiting",
			n, strings.Contains(string(page), "not fetched yet"), waiting)
	}
}

// busyHost serves n sources, "Busy 0" to "Busy n-1", of one loopback host
// that answers each 503 with an hour's Retry-After, and returns a folder
// for the store and a config of them: head before its storage section,
// poll among its poll keys (a 30-minute interval, private hosts allowed).
func busyHost(t *testing.T, n int, head, poll string) (dir, yml string) {
	t.Helper()
	o := feedtest.NewOrigin(t)
	for i := range n {
		o.Handle(fmt.Sprintf("/busy/%d.rss", i), func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "3600")
			http.Error(w, "Busy, come back later", http.StatusServiceUnavailable)
		})
	}
	dir = t.TempDir()
	var b strings.Builder
	fmt.Fprintf(&b, "%sstorage:\n  path: %q\npoll:\n  interval: 30m\n%s  allow_private: true\nsources:\n",
		head, filepath.Join(dir, "data", "tributary.db"), poll)
	for i := range n {
		fmt.Fprintf(&b, "  - url: %q\n    name: \"Busy %d\"\n", o.URL(fmt.Sprintf("/busy/%d.rss", i)), i)
	}
	return dir, b.String()
}
