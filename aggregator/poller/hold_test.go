package poller

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/ops"
	"github.com/tributary-feeds/tributary/aggregator/topic"
	"github.com/tributary-feeds/tributary/store"
)

// TestRetryAfterHoldsTheHost polls three sources behind one feed proxy,
// which rate-limits the client as a whole, beside a source on another
// host. One source answered 429 with a Retry-After holds only itself; once
// a second one is, the scheduler starts none of the proxy's sources until
// that wait is over, where each would have asked, and been refused, in
// turn; the other host's source is started all the same. The host is held
// as long as the latest answer asks, not as long as the first feed's own
// wait.
func TestRetryAfterHoldsTheHost(t *testing.T) {
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		wait := "3600"
		if r.URL.Path == "/a.rss" {
			wait = "21600" // one feed of the proxy asks for six hours
		}
		w.Header().Set("Retry-After", wait)
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	t.Cleanup(proxy.Close)
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>Other</title><link>https://other.example/</link><description>d</description></channel></rss>`)
	}))
	t.Cleanup(other.Close)
	urls := []string{proxy.URL + "/a.rss", proxy.URL + "/b.rss", proxy.URL + "/c.rss",
		// Another host name for the same loopback address.
		strings.Replace(other.URL, "127.0.0.1", "localhost", 1) + "/feed.rss"}
	now := time.Date(2026, 11, 3, 12, 0, 0, 0, time.UTC)
	p, cfg := clockedPoller(t, "poll:\n  interval: 30m\n  max_backoff: 6h\n  timeout: 5s\n  per_host: 2\n  allow_private: true\n", urls, func() time.Time { return now })
	pl := p.pl
	limited := func(src aggregator.SourceConfig) {
		t.Helper()
		if o := p.pollSource(t.Context(), pl, src, func() {}); o.Result != "rate_limited" {
			t.Fatalf("poll of %s = %s (%v); want rate_limited", src.URL, o.Result, o.Err)
		}
	}
	started := func(at time.Time) []string { return startedAt(p, at) }
	limited(cfg.Sources[0])
	if got, want := started(now.Add(time.Minute)), urls[1:]; !slices.Equal(got, want) {
		t.Errorf("started a minute after one source's 429 = %q; want %q", got, want)
	}
	limited(cfg.Sources[1])
	if got, want := started(now.Add(time.Minute)), urls[3:]; !slices.Equal(got, want) {
		t.Errorf("started a minute after two sources' 429 = %q; want only the other host's %q", got, want)
	}
	if got, want := started(now.Add(59*time.Minute)), urls[3:]; !slices.Equal(got, want) {
		t.Errorf("started 59 minutes after the 429s = %q; want only the other host's %q", got, want)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(p.m.lag)
	lagSum := func() float64 {
		mfs, err := reg.Gather()
		if err != nil || len(mfs) != 1 {
			t.Fatalf("gathering the lag: %v", err)
		}
		return mfs[0].GetMetric()[0].GetHistogram().GetSampleSum()
	}
	before := lagSum()
	if got, want := started(now.Add(61*time.Minute)), urls[1:]; !slices.Equal(got, want) {
		t.Errorf("started once the Retry-After is over = %q; want %q (poll.per_host 2, most overdue first)", got, want)
	}
	// The other host's source, due since the start, is 61 minutes late;
	// the proxy's two are late from the hold's end, a minute before, not
	// from when they fell due: the proxy asked for the wait.
	if got, want := lagSum()-before, (61+1+1)*time.Minute.Seconds(); got != want {
		t.Errorf("lag of the three starts %.0f s; want %.0f s", got, want)
	}
}

// TestHeldHostShowsInSources holds a feed proxy's sources after two of
// them were answered 429 with a Retry-After, and reads the sources' states
// as status and the front page do: the proxy's third source, fetched
// before and due again meanwhile, is due when the hold is over, not at the
// time it is left waiting past.
func TestHeldHostShowsInSources(t *testing.T) {
	urls := heldProxy(t)
	now := time.Date(2026, 11, 3, 12, 0, 0, 0, time.UTC)
	p, _ := holdProxy(t, urls, now)
	states, err := p.Sources(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	want := now.Add(time.Hour)
	found := false
	for _, st := range states {
		if st.ID != aggregator.SourceID(urls[2]) {
			continue
		}
		found = true
		if !st.NextDue.Equal(want) {
			t.Errorf("%s next due %s in the sources' states; want %s, when its host's hold is over", urls[2], st.NextDue, want)
		}
	}
	if !found {
		t.Fatalf("no state of %s among %d", urls[2], len(states))
	}
}

// TestHeldHostShowsItsSourcesWaiting holds a feed proxy after two of its
// sources were answered 429 with an hour's Retry-After, and reads the
// sources' states as status and the front page do (Shown): the proxy's
// source read before, and its source never fetched, are each waiting until
// the hold is over, saying which host is held and what it answered, where
// the one never fetched read "never fetched", with no due time, for as long
// as the hold lasted. The states a reload binds (Sources) hold none for the
// source never fetched.
func TestHeldHostShowsItsSourcesWaiting(t *testing.T) {
	urls := heldProxy(t)
	urls = append(urls, strings.TrimSuffix(urls[0], "/a.rss")+"/d.rss")
	now := time.Date(2026, 11, 3, 12, 0, 0, 0, time.UTC)
	p, _ := holdProxy(t, urls, now)
	now = now.Add(2 * time.Minute)
	shown, err := p.Shown(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	until := time.Date(2026, 11, 3, 13, 0, 0, 0, time.UTC)
	host := strings.TrimPrefix(strings.TrimSuffix(urls[0], "/a.rss"), "http://")
	host = host[:strings.LastIndexByte(host, ':')]
	want := "waiting until 2026-11-03 13:00:00Z (host " + host + " held: rate_limited: http 429 too many requests from "
	for _, u := range urls[2:] {
		i := slices.IndexFunc(shown, func(st aggregator.SourceState) bool { return st.ID == aggregator.SourceID(u) })
		if i < 0 {
			t.Errorf("no state of %s among the %d shown; want it waiting for its host", u, len(shown))
			continue
		}
		st := shown[i]
		if got := ops.State(st, now); !st.NextDue.Equal(until) || !strings.HasPrefix(got, want) {
			t.Errorf("%s shown due %s, %q; want due %s, %q…", u, st.NextDue, got, until, want)
		}
	}
	stored, err := p.Sources(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if slices.ContainsFunc(stored, func(st aggregator.SourceState) bool { return st.ID == aggregator.SourceID(urls[3]) }) {
		t.Errorf("Sources holds a state of %s, never fetched; want none", urls[3])
	}
	now = until
	shown, err = p.Shown(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range shown {
		if got := ops.State(st, now); strings.HasPrefix(got, "waiting") {
			t.Errorf("%s shown %q once the hold is over; want it waiting no more", st.URL, got)
		}
	}
}

// clockedPoller returns a poller of the sources at urls, with the poll
// settings given (a YAML block), a store of its own and the clock now, its
// due times loaded as the daemon's start loads them.
func clockedPoller(t *testing.T, poll string, urls []string, now func() time.Time) (*Poller, *aggregator.Config) {
	t.Helper()
	return clockedPollerOn(t, openStore(t), poll, urls, now)
}

// openStore opens a new store in a test's folder, closed when it ends.
func openStore(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.Open(filepath.Join(t.TempDir(), "tributary.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// clockedPollerOn is clockedPoller on the store db, as a restart finds it.
func clockedPollerOn(t *testing.T, db *store.DB, poll string, urls []string, now func() time.Time) (*Poller, *aggregator.Config) {
	t.Helper()
	var b strings.Builder
	b.WriteString(poll + "storage:\n  retention: 0\nsources:\n")
	for _, u := range urls {
		fmt.Fprintf(&b, "  - url: %q\n", u)
	}
	cfg, err := aggregator.Load(strings.NewReader(b.String()), "test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tags, err := topic.Compile(cfg.Topics, cfg.Sources)
	if err != nil {
		t.Fatal(err)
	}
	p, err := New(cfg, tags, db, Options{Now: now, FirstDelay: time.Nanosecond, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.loadDue(t.Context()); err != nil {
		t.Fatal(err)
	}
	return p, cfg
}

// startedAt returns the URLs of the sources the scheduler of p starts at
// at, sorted, and lets them go again as if their polls had ended at once.
func startedAt(p *Poller, at time.Time) []string {
	p.mu.Lock()
	starts := p.dueNow(p.pl, at)
	p.mu.Unlock()
	var urls []string
	for _, s := range starts {
		s.fetched()
		p.mu.Lock()
		delete(p.running, aggregator.SourceID(s.src.URL))
		p.mu.Unlock()
		urls = append(urls, s.src.URL)
	}
	slices.Sort(urls)
	return urls
}

// TestHostHoldSurvivesRestart holds a feed proxy after two of its sources
// were answered 429 with an hour's Retry-After, and starts a scheduler
// anew on the same store, as a restart of the daemon does: the proxy's
// third source, due again meanwhile, waits for the hold all the same,
// where a restart asked the proxy for every one of its sources at once.
func TestHostHoldSurvivesRestart(t *testing.T) {
	urls := heldProxy(t)
	const poll = "poll:\n  interval: 1m\n  min_interval: 1m\n  max_backoff: 6h\n  timeout: 5s\n  per_host: 3\n  allow_private: true\n"
	now := time.Date(2026, 11, 3, 12, 0, 0, 0, time.UTC)
	db := openStore(t)
	p, cfg := clockedPollerOn(t, db, poll, urls, func() time.Time { return now })
	for i, want := range []string{"ok", "rate_limited", "rate_limited"} {
		src := cfg.Sources[(i+2)%3] // c first, then a and b
		if o := p.pollSource(t.Context(), p.pl, src, func() {}); o.Result != want {
			t.Fatalf("poll of %s = %s (%v); want %s", src.URL, o.Result, o.Err, want)
		}
	}
	p.flush(t.Context())

	restarted, _ := clockedPollerOn(t, db, poll, urls, func() time.Time { return now })
	if got := startedAt(restarted, now.Add(10*time.Minute)); len(got) != 0 {
		t.Errorf("started 10 minutes after the 429s, after a restart = %q; want none until the proxy's hold is over", got)
	}
	if got := startedAt(restarted, now.Add(61*time.Minute)); !slices.Equal(got, urls) {
		t.Errorf("started once the Retry-After is over = %q; want %q", got, urls)
	}
}

// TestHoldFollowsRedirects holds a feed proxy that a site's feeds redirect
// to: the proxy, not the site, answers two of them 429 with an hour's
// Retry-After. The host held is the one that answered, so the source
// configured on the proxy itself waits, and so does the site's third
// feed, which the redirect leads to the proxy too, where the site's host,
// held by nothing, let it ask the proxy and be refused in turn. A restart
// finds the same hold.
func TestHoldFollowsRedirects(t *testing.T) {
	var limiting atomic.Bool
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if limiting.Load() {
			w.Header().Set("Retry-After", "3600")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprintf(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>%s</title><link>https://proxy.example/</link><description>d</description></channel></rss>`, r.URL.Path)
	}))
	t.Cleanup(proxy.Close)
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, proxy.URL+"/site"+r.URL.Path, http.StatusFound)
	}))
	t.Cleanup(site.Close)
	siteURL := strings.Replace(site.URL, "127.0.0.1", "localhost", 1) // a host of its own
	urls := []string{siteURL + "/a.rss", siteURL + "/b.rss", siteURL + "/c.rss", proxy.URL + "/direct.rss"}
	const poll = "poll:\n  interval: 1m\n  min_interval: 1m\n  max_backoff: 6h\n  timeout: 5s\n  per_host: 4\n  allow_private: true\n"
	now := time.Date(2026, 11, 3, 12, 0, 0, 0, time.UTC)
	db := openStore(t)
	p, cfg := clockedPollerOn(t, db, poll, urls, func() time.Time { return now })
	for _, src := range cfg.Sources {
		if o := p.pollSource(t.Context(), p.pl, src, func() {}); o.Result != "ok" {
			t.Fatalf("poll of %s = %s (%v); want ok", src.URL, o.Result, o.Err)
		}
	}
	limiting.Store(true)
	for _, src := range cfg.Sources[:2] {
		if o := p.pollSource(t.Context(), p.pl, src, func() {}); o.Result != "rate_limited" {
			t.Fatalf("poll of %s = %s (%v); want rate_limited", src.URL, o.Result, o.Err)
		}
	}
	if got := startedAt(p, now.Add(10*time.Minute)); len(got) != 0 {
		t.Errorf("started 10 minutes after the proxy's 429s = %q; want none until its hold is over", got)
	}
	p.flush(t.Context())

	restarted, _ := clockedPollerOn(t, db, poll, urls, func() time.Time { return now })
	if got := startedAt(restarted, now.Add(10*time.Minute)); len(got) != 0 {
		t.Errorf("started 10 minutes after the proxy's 429s, after a restart = %q; want none until its hold is over", got)
	}
	want := slices.Sorted(slices.Values(urls))
	if got := startedAt(restarted, now.Add(61*time.Minute)); !slices.Equal(got, want) {
		t.Errorf("started once the Retry-After is over = %q; want %q", got, want)
	}
}

// heldProxy serves three feeds, /a.rss, /b.rss and /c.rss, as a feed proxy
// that answers the first two 429 with an hour's Retry-After and the third
// with an empty feed, and returns their URLs.
func heldProxy(t *testing.T) []string {
	t.Helper()
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/c.rss" {
			w.Header().Set("Content-Type", "application/rss+xml")
			fmt.Fprint(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>C</title><link>https://c.example/</link><description>d</description></channel></rss>`)
			return
		}
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	t.Cleanup(proxy.Close)
	return []string{proxy.URL + "/a.rss", proxy.URL + "/b.rss", proxy.URL + "/c.rss"}
}

// holdProxy starts a poller of the sources at urls (heldProxy's, and any
// more) on a clock stopped at now, polls the third, which its host answers,
// and then the first two, which the proxy answers 429: the proxy is held.
func holdProxy(t *testing.T, urls []string, now time.Time) (*Poller, *aggregator.Config) {
	t.Helper()
	p, cfg := clockedPoller(t, "poll:\n  interval: 1m\n  min_interval: 1m\n  max_backoff: 6h\n  timeout: 5s\n  allow_private: true\n", urls, func() time.Time { return now })
	if o := p.pollSource(t.Context(), p.pl, cfg.Sources[2], func() {}); o.Err != nil {
		t.Fatalf("poll of %s: %v", urls[2], o.Err)
	}
	for _, src := range cfg.Sources[:2] {
		if o := p.pollSource(t.Context(), p.pl, src, func() {}); o.Result != "rate_limited" {
			t.Fatalf("poll of %s = %s (%v); want rate_limited", src.URL, o.Result, o.Err)
		}
	}
	return p, cfg
}
