package poller

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
)

// spellings returns the URLs of paths on a loopback server, its host
// written a different way for each: as an IPv4 address, and as the
// IPv4-mapped IPv6 addresses that connect to it. /ok.rss answers a feed,
// every other path 429 with an hour's Retry-After.
func spellings(t *testing.T, paths ...string) []string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/ok.rss" {
			w.Header().Set("Content-Type", "application/rss+xml")
			fmt.Fprint(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>OK</title><link>https://ok.example/</link><description>d</description></channel></rss>`)
			return
		}
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	t.Cleanup(srv.Close)
	port := srv.URL[strings.LastIndexByte(srv.URL, ':'):]
	hosts := []string{"127.0.0.1", "[::ffff:127.0.0.1]", "[0:0::FFFF:7f00:1]"}
	var urls []string
	for i, p := range paths {
		urls = append(urls, "http://"+hosts[i%len(hosts)]+port+p)
	}
	return urls
}

// TestHostSpellingsShareTheBound schedules two sources of one host, its
// name written two ways, with poll.per_host 1: one starts, and the other
// waits for it, as under one spelling. The scheduler decides before any
// fetch, so names that no resolver knows serve as well as a server.
func TestHostSpellingsShareTheBound(t *testing.T) {
	for _, urls := range [][]string{
		spellings(t, "/ok.rss", "/ok.rss"),
		{"http://bücher.example/a.rss", "http://xn--bcher-kva.example/b.rss"},
		{"http://b%C3%BCcher.example/a.rss", "https://XN--BCHER-KVA.example./b.rss"},
		{"https://news.example/a.rss", "https://NEWS.example.:443/b.rss"},
	} {
		now := time.Date(2026, 11, 3, 12, 0, 0, 0, time.UTC)
		p, _ := clockedPoller(t, "poll:\n  interval: 30m\n  timeout: 5s\n  per_host: 1\n  allow_private: true\n", urls, func() time.Time { return now })
		p.mu.Lock()
		starts := p.dueNow(p.pl, now.Add(time.Minute))
		p.mu.Unlock()
		var got []string
		for _, s := range starts {
			s.fetched()
			got = append(got, s.src.URL)
		}
		if len(got) != 1 {
			t.Errorf("of %q, started at once %q; want one of them (poll.per_host 1)", urls, got)
		}
	}
}

// TestHostHoldOfEarlierSpelling restarts on states that an earlier
// version stored, naming the host that answered two 429s, where a
// redirect led, in Unicode: the host is held all the same for a source
// configured on it in its ASCII form.
func TestHostHoldOfEarlierSpelling(t *testing.T) {
	urls := []string{"https://a.example/feed", "https://b.example/feed", "https://xn--bcher-kva.example/c.rss"}
	now := time.Date(2026, 11, 3, 12, 0, 0, 0, time.UTC)
	db := openStore(t)
	for i, u := range urls[:2] {
		at := now.Add(time.Duration(i) * time.Second)
		st := aggregator.SourceState{ID: aggregator.SourceID(u), ConfigURL: u, URL: u, Name: u,
			LastFetch: at, LastResult: "rate_limited", LastError: "http 429", LastStatus: 429, Failures: 1,
			FailingSince: at, RetryAfter: time.Hour, ViaHost: "bücher.example", NextDue: at.Add(time.Hour)}
		if err := db.PutSource(t.Context(), st); err != nil {
			t.Fatal(err)
		}
	}
	const poll = "poll:\n  interval: 1m\n  min_interval: 1m\n  max_backoff: 6h\n  timeout: 5s\n  per_host: 3\n"
	p, _ := clockedPollerOn(t, db, poll, urls, func() time.Time { return now })
	if got := startedAt(p, now.Add(10*time.Minute)); len(got) != 0 {
		t.Errorf("started 10 minutes after the 429s = %q; want none until the hold is over", got)
	}
}

// TestHostSpellingsShareTheHold answers 429 with a Retry-After to two
// sources of one host, its name written two ways: the host is held, and
// its third source, written a third way, does not start until the wait is
// over.
func TestHostSpellingsShareTheHold(t *testing.T) {
	urls := spellings(t, "/a.rss", "/b.rss", "/ok.rss")
	now := time.Date(2026, 11, 3, 12, 0, 0, 0, time.UTC)
	p, cfg := clockedPoller(t, "poll:\n  interval: 30m\n  max_backoff: 6h\n  timeout: 5s\n  per_host: 3\n  allow_private: true\n", urls, func() time.Time { return now })
	for _, src := range cfg.Sources[:2] {
		if o := p.pollSource(t.Context(), p.pl, src, func() {}); o.Result != "rate_limited" {
			t.Fatalf("poll of %s = %s (%v); want rate_limited", src.URL, o.Result, o.Err)
		}
	}
	if got := startedAt(p, now.Add(time.Minute)); len(got) != 0 {
		t.Errorf("started a minute after two sources' 429 = %q; want none (the host is held)", got)
	}
	if got, want := startedAt(p, now.Add(61*time.Minute)), slices.Sorted(slices.Values(urls)); !slices.Equal(got, want) {
		t.Errorf("started once the Retry-After is over = %q; want %q", got, want)
	}
}
