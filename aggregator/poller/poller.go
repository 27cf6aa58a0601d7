package poller

import (
	"container/heap"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/fetch"
	"github.com/tributary-feeds/tributary/aggregator/ingest"
	"github.com/tributary-feeds/tributary/aggregator/parse"
)

// Notifier is told which topics changed after each commit, so their cached
// feeds are rebuilt. *publish.Publisher implements it.
type Notifier interface {
	Changed(topics ...string)
}

// Options tune a Poller; the zero value is fine for the daemon.
type Options struct {
	Tick       time.Duration         // how often due sources are looked for; default 1s
	FirstDelay time.Duration         // spread of never-fetched sources' first polls; default 5s
	Now        func() time.Time      // clock; default time.Now
	Registerer prometheus.Registerer // metrics; nil: none
	Notify     Notifier              // told of changed topics; nil: nobody
	Logger     *slog.Logger          // default slog.Default()
}

// Outcome is the result of one poll of one source.
type Outcome struct {
	Source     string // SourceID
	Name       string
	URL        string
	Result     string // ok, not_modified, unchanged, error, gone, rate_limited, disabled, skipped
	New        int    // new items stored
	Updated    int    // edited items updated in place
	Duplicates int    // new items that joined an existing story
	NewStories int
	Expired    int // items older than storage.retention, left out
	SameText   int // new items left out: their story holds ingest.MaxSameText items of the source, one with their text
	Err        error
	Duration   time.Duration
	// Until is, for a source skipped (PollPolitely), when the wait its
	// last failure set ends: a Retry-After its server sent, or the backoff.
	Until time.Time
	// Reason is, for a source skipped, the last result and error recorded
	// on it ("rate_limited: http 429 too many requests from …").
	Reason string
	// MovedTo is, for a source asked, the URL it is read at when that is
	// not the configured one (a permanent redirect or its HTML page led it
	// there, at this poll or an earlier one), or empty.
	MovedTo string
}

// pipeline is everything that changes on a config reload.
type pipeline struct {
	cfg     *aggregator.Config
	fopts   fetch.Options // as read from cfg, fetcher's options before defaults
	fetcher *fetch.Fetcher
	ing     *ingest.Ingester
	popts   parse.Options
	ids     []string       // SourceID of each of cfg.Sources
	index   map[string]int // position of each of ids
	hosts   []string       // host name of each of cfg.Sources' URLs
}

// queuePerFetch is how many sources may be in progress per fetch slot:
// one fetching, the others read and waiting for the store. A source frees
// its fetch slot once its feed is parsed, so the next fetches run while
// the store commits, and feeds that wait meanwhile share one transaction.
const queuePerFetch = 2

// feedsPerCommit is how many fetched feeds one transaction stores at most.
// Fewer commits cost less CPU, but a transaction's dirty pages are held in
// the heap until written and leave as many free pages in the file: at
// 1,000 feeds, 8 feeds a commit took about 7% less CPU than 4 and 45 MB
// more peak memory, and grew the store by 7%.
const feedsPerCommit = 4

// has reports whether the source id is configured in pl.
func (pl *pipeline) has(id string) bool {
	_, ok := pl.index[id]
	return ok
}

// source returns the configuration of the source id, if pl has it.
func (pl *pipeline) source(id string) (aggregator.SourceConfig, bool) {
	i, ok := pl.index[id]
	if !ok {
		return aggregator.SourceConfig{}, false
	}
	return pl.cfg.Sources[i], true
}

// inProgress is how many sources a pipeline polls at once, fetching or
// waiting to be stored.
func (pl *pipeline) inProgress() int { return max(pl.cfg.Poll.Concurrency, 1) * queuePerFetch }

// Poller fetches every configured source on its schedule and ingests what it
// reads. Its methods are safe for concurrent use.
type Poller struct {
	st     aggregator.Store
	notify Notifier
	log    *slog.Logger
	m      *metrics
	now    func() time.Time
	tick   time.Duration
	first  time.Duration
	// started is when the poller was made, and elapsed, when a test sets
	// it, the time passed since then on the monotonic clock
	// (retentionNow).
	started time.Time
	elapsed func(now time.Time) time.Duration
	// history is the latest fetch the store had recorded at the start,
	// and witnessed the newest item date a feed has brought since, less
	// the time counted until it was read (attest): with the time counted
	// since the start, what the store and the feeds vouch the time has
	// come to (retentionNow). history is zero when the store had recorded
	// no fetch: nothing then contradicts the clock.
	history   time.Time // set by New
	attestMu  sync.Mutex
	witnessed time.Time
	// jumpLogged is how far the clock was ahead of the time counted when
	// the prune last said so (less, once the count caught up), or zero,
	// and attestLogged how far it was ahead of what the store and the
	// feeds attest: a jump is logged once, not at every prune for the
	// rest of the run.
	jumpMu       sync.Mutex
	jumpLogged   aheadLogged
	attestLogged aheadLogged

	// pending holds source states that carry no items (304s, unchanged
	// bodies, failures) until the next flush writes them in one
	// transaction: a pass of thousands of 304s costs a few commits, not
	// one each. A crash loses at most a repeated conditional request.
	pendMu  sync.Mutex
	pending map[string]aggregator.SourceState
	// writing holds the states a flush is writing, still read by state
	// until they are committed: a poll that began meanwhile would
	// otherwise read the state before them and undo them. A fetched feed
	// whose transaction writes its source's newer state takes the older
	// one out (supersede), and the flush then leaves it unwritten.
	writing map[string]aggregator.SourceState
	flushMu sync.Mutex // one flush at a time

	fetching *slots // fetches in flight, across reloads: poll.concurrency

	mu       sync.Mutex
	pl       *pipeline
	due      map[string]time.Time // next due time per source id
	stale    map[string]bool      // sources whose state is to follow the configuration anew (refresh); true: due anew whatever the state says
	running  map[string]bool      // sources being polled now
	moved    map[string]string    // host a source is fetched from, by id, when it moved from its configured URL
	fetches  map[string]int       // sources per host started and not yet fetched
	series   map[string]string    // name of each configured source's last-success series, by id
	held     map[string]hold      // Retry-After a host last answered one of its sources with, by host (holdHost)
	via      map[string]string    // host that answered a source's last fetch, by id, when a redirect led away from its own
	restored bool                 // the holds the stored states tell of are read (restoreHolds)
	stuck    map[string]bool      // hosts whose last fetch ran out of time, until one answers (hostFree)
	onStuck  int                  // sources started against stuck hosts and not yet fetched
	named    map[string]int       // sources in series by name: feeds with one title share a series
	changed  chan struct{}        // closed, and replaced, when a poll ends, a fetch ends or the configuration changes
	dueBuf   []dueSource          // dueNow's buffer, kept between calls
	reloaded bool                 // the configuration changed since due was loaded
	rnd      *rand.Rand
	lastTick time.Time
	stopped  bool
	// storeErr is the error of the last write to the store, nil once one
	// succeeds, and storeFailing when the writes began to fail: a full
	// disk or a broken file makes the daemon unhealthy (Healthy).
	storeErr     error
	storeFailing time.Time
	// retagging is set while RetagIfChanged re-decides the stored
	// stories, and retagAgain when a reload asked for it meanwhile: the
	// call in progress then looks again, under the new configuration.
	retagging, retagAgain bool
}

// New returns a Poller for cfg that stores into st and tags stories with
// tagger.
func New(cfg *aggregator.Config, tagger aggregator.Tagger, st aggregator.Store, opts Options) (*Poller, error) {
	p := &Poller{
		st:      st,
		notify:  opts.Notify,
		log:     opts.Logger,
		m:       newMetrics(opts.Registerer),
		now:     opts.Now,
		tick:    opts.Tick,
		first:   opts.FirstDelay,
		due:     make(map[string]time.Time),
		stale:   make(map[string]bool),
		pending: make(map[string]aggregator.SourceState),
		running: make(map[string]bool),
		moved:   make(map[string]string),
		fetches: make(map[string]int),
		series:  make(map[string]string),
		held:    make(map[string]hold),
		via:     make(map[string]string),
		stuck:   make(map[string]bool),
		named:   make(map[string]int),
		changed: make(chan struct{}),
		rnd:     rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 0x7269627574617279)),

		fetching: newSlots(1), // Reload sets the bound from cfg
	}
	if p.log == nil {
		p.log = slog.Default()
	}
	p.log = p.log.With("component", "poller")
	if p.now == nil {
		p.now = time.Now
	}
	p.started = p.now()
	// A store's last fetch is a time its clock has seen. A store that
	// cannot be read fails where its states are read next.
	if states, err := st.Sources(context.Background()); err == nil {
		for _, s := range states {
			if s.LastFetch.After(p.history) {
				p.history = s.LastFetch
			}
		}
	}
	if p.tick <= 0 {
		p.tick = time.Second
	}
	if p.first == 0 {
		p.first = 5 * time.Second
	}
	if err := p.Reload(cfg, tagger); err != nil {
		return nil, err
	}
	if b, ok := st.(batcher); ok {
		b.SetMaxBatch(feedsPerCommit)
	}
	return p, nil
}

// Reload swaps in a new configuration. Sources added start on their first
// poll, removed ones stop, changed ones take their new settings at their
// next poll, except their name, which their stored state takes at once,
// their interval: a source whose interval changed is due anew from its
// last fetch, and their URL: a source configured at another URL is fetched
// there soon (Run's next pass does these, refresh). A fetch in flight
// finishes with the fetch settings it began with, and its items are filed
// under the new configuration.
func (p *Poller) Reload(cfg *aggregator.Config, tagger aggregator.Tagger) error {
	fo, err := fetch.OptionsFrom(cfg.Poll)
	if err != nil {
		return fmt.Errorf("poll options: %w", err)
	}
	pl := &pipeline{
		cfg:   cfg,
		fopts: fo,
		ing:   ingest.New(cfg, tagger),
		popts: parse.Options{MaxItems: cfg.Poll.MaxItems},
		index: make(map[string]int, len(cfg.Sources)),
	}
	for i, src := range cfg.Sources {
		id := src.SourceID()
		pl.ids = append(pl.ids, id)
		pl.hosts = append(pl.hosts, hostName(src.URL))
		pl.index[id] = i
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	// The same fetch options keep the same Fetcher: its per-host bound
	// (poll.per_host) and its open connections carry over. New options
	// take a new Fetcher, and while fetches begun before the reload end,
	// a host may have up to both bounds' fetches in flight. The old one's
	// idle connections are closed now, and those of its fetches in flight
	// when they end (fetchFeed), rather than each staying open until it
	// times out.
	if old := p.pl; old != nil && reflect.DeepEqual(old.fopts, fo) {
		pl.fetcher = old.fetcher
	} else {
		pl.fetcher = fetch.New(fo)
		if old != nil {
			old.fetcher.CloseIdleConnections()
		}
	}
	p.fetching.setLimit(cfg.Poll.Concurrency)
	if old := p.pl; old != nil {
		// Its due time was reckoned with the old interval: cut from a day
		// to minutes, it would otherwise hold the source for up to a day.
		// A shorter poll.max_backoff cuts the waits already set (a
		// Retry-After, a backoff) to it alike.
		shorter := cfg.Poll.MaxBackoff < old.cfg.Poll.MaxBackoff
		for i, id := range pl.ids {
			src, ok := old.source(id)
			if ok && (shorter || configured(old.cfg, src) != configured(cfg, cfg.Sources[i])) {
				p.stale[id] = true
			}
			if ok && src.URL != cfg.Sources[i].URL {
				// Configured at another URL, the same source is fetched
				// there from now on, soon, as a source added is; where
				// the old one had moved to or redirected no longer
				// says where it is read.
				p.stale[id] = true
				delete(p.moved, id)
				delete(p.via, id)
			}
		}
	}
	p.pl = pl
	for id := range p.due {
		if !pl.has(id) {
			delete(p.due, id)
		}
	}
	for id := range p.moved {
		if !pl.has(id) {
			delete(p.moved, id)
		}
	}
	for id := range p.via {
		if !pl.has(id) {
			delete(p.via, id)
		}
	}
	if len(p.stuck) > 0 {
		hosts := make(map[string]bool, len(pl.hosts))
		for i := range pl.ids {
			hosts[p.hostOf(pl, i)] = true
		}
		for _, h := range p.via {
			hosts[h] = true // a redirect's target that ran out of time
		}
		for h := range p.stuck {
			if !hosts[h] {
				delete(p.stuck, h)
			}
		}
	}
	// A source removed takes its metric series with it, or every source
	// ever configured would keep one for as long as the daemon runs.
	for id := range p.series {
		if !pl.has(id) {
			p.dropSeries(id)
		}
	}
	// Sources added are scheduled by the next pass of Run, which reads
	// their stored state first.
	p.reloaded = true
	p.signal()
	return nil
}

// signal wakes whoever waits for a place to start a source; p.mu is held.
func (p *Poller) signal() {
	close(p.changed)
	p.changed = make(chan struct{})
}

// hostOf returns the host that the i-th source of pl is fetched from now:
// its configured URL's, or where it moved permanently; p.mu is held.
func (p *Poller) hostOf(pl *pipeline, i int) string {
	if h, ok := p.moved[pl.ids[i]]; ok {
		return h
	}
	return pl.hosts[i]
}

// hostName returns the host of raw as the fetcher's per-host bound counts
// it (fetch.HostKey): every way of writing one host is one host, for the
// bound, for a hold and for a host that does not answer.
func hostName(raw string) string { return fetch.HostKey(raw) }

// hostFree reports whether another source of host may start its fetch:
// fewer than poll.per_host of its sources are fetching or waiting to. A
// source waiting for its host would hold a place, and a fetch slot, that
// another host's source could use. A host whose last fetch ran out of time
// (stuck) gets one fetch at a time until it answers again, and such hosts
// together at most half the fetch slots (stuckShare): hosts that accept
// connections and never answer would otherwise hold every slot for
// poll.timeout, round after round, and no other source be fetched; p.mu
// is held.
func (p *Poller) hostFree(pl *pipeline, host string) bool {
	if p.stuck[host] {
		return p.fetches[host] == 0 && p.onStuck < stuckShare(pl)
	}
	n := pl.fetcher.Options().PerHost
	return n < 0 || p.fetches[host] < n
}

// viaOf returns the host that a redirect led the i-th source of pl to at
// its last fetch (answered), when that is not host, the one it is fetched
// from, else ""; p.mu is held.
func (p *Poller) viaOf(pl *pipeline, i int, host string) string {
	if via := p.via[pl.ids[i]]; via != host {
		return via
	}
	return ""
}

// placeFree reports whether a source fetched from host, whose last fetch a
// redirect led on to via ("" for none), may start its fetch: both hosts are
// free (hostFree). A site whose feeds a temporary redirect sends on to a
// feed proxy would otherwise have the proxy asked for all of them at once,
// whatever poll.per_host says, each waiting on the proxy in a fetch slot;
// p.mu is held.
func (p *Poller) placeFree(pl *pipeline, host, via string) bool {
	return p.hostFree(pl, host) && (via == "" || p.hostFree(pl, via))
}

// stuckShare is how many fetches the hosts whose last fetch ran out of
// time may have in flight together: half of poll.concurrency, at least
// one.
func stuckShare(pl *pipeline) int { return max(pl.cfg.Poll.Concurrency/2, 1) }

// timedOut records whether the fetch of a source at host ran out of time
// at the host at, the last one it asked (stuck), or was answered there, or
// failed otherwise, which ends it. When a redirect led the fetch from host
// on to at, host answered it, and is not stuck whatever at did: a site
// whose feed a redirect sends to a proxy that does not answer keeps its
// other feeds' share of the fetch slots, and the proxy, not the site,
// gets one fetch at a time.
func (p *Poller) timedOut(host, at string, stuck bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if at == "" {
		at = host
	}
	if at != host {
		delete(p.stuck, host)
	}
	if stuck {
		p.stuck[at] = true
	} else {
		delete(p.stuck, at)
	}
}

// hold is the latest Retry-After that a host answered one of its sources
// with: the wait it asked for, from the answer, and whether the host as a
// whole is held.
type hold struct {
	source string // the source first asked to wait
	at     time.Time
	wait   time.Duration
	host   bool   // another source was asked to wait meanwhile
	reason string // the answer, as its source records it ("rate_limited: http 429 …")
}

// holdHost records that the source id was answered err, when err is a 429
// or a 503 with a Retry-After. When another source of the same host is
// asked to wait before the first one's wait is over, the server is asking
// its client to wait, not one feed's reader: the whole host is then held
// until the wait of the latest answer is over, where a feed proxy or a newspaper with
// dozens of feeds on one host would otherwise be asked for each of its
// feeds in turn, and refuse each. One feed of a host rate-limited alone
// holds only itself. The host held is the one that answered: where a
// redirect led the source, not the host of its URL.
func (p *Poller) holdHost(pl *pipeline, st *aggregator.SourceState, err error) {
	var se *fetch.StatusError
	if !errors.As(err, &se) || se.RetryAfter <= 0 {
		return
	}
	id := st.ID
	host := hostName(se.URL)
	reason := "rate_limited: " + errorText(hideSecrets(err, st.URL, st.ConfigURL))
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	for h, w := range p.held {
		if !now.Before(w.end(pl)) {
			delete(p.held, h) // over: no host stays in the map for long
		}
	}
	// The latest answer tells how long the server wants its client to
	// wait now: a feed that asked for a day alone keeps its own wait, not
	// its host's.
	w, ok := p.held[host]
	p.held[host] = w.answer(ok, id, now, se.RetryAfter, reason)
}

// answer returns the hold of a host after it asked its source id, at at,
// to wait for wait, given its hold w (held: one not over at at): the host
// as a whole is held once a second source is asked to wait.
func (w hold) answer(held bool, id string, at time.Time, wait time.Duration, reason string) hold {
	return hold{source: id, at: at, wait: wait, host: held && (w.host || w.source != id), reason: reason}
}

// viaHost returns the host of answerURL, the URL that answered a fetch of
// the source at sourceURL, when a redirect led there from sourceURL's
// host, else "".
func viaHost(sourceURL, answerURL string) string {
	if host := hostName(answerURL); host != hostName(sourceURL) {
		return host
	}
	return ""
}

// answered records on the source the host that answered its fetch at
// answerURL, or that a redirect led it to and where it failed, when that
// is not the host of its URL: a host held (holdHost), or one that does not
// answer (stuck), holds the sources it is reached through too, or a site
// whose feeds all redirect to a held feed proxy would have the proxy asked
// for each of them in turn.
func (p *Poller) answered(st *aggregator.SourceState, answerURL string) {
	if answerURL == "" {
		return // no answer: the host that answered last stays the one known
	}
	st.ViaHost = viaHost(st.URL, answerURL)
	p.mu.Lock()
	defer p.mu.Unlock()
	if st.ViaHost == "" {
		delete(p.via, st.ID)
		return
	}
	p.via[st.ID] = st.ViaHost
}

// restoreHolds takes up what the stored states tell of the hosts, before a
// source starts: the host a redirect leads each configured source to, and,
// once, the hosts held and the hosts whose last fetch ran out of time
// (restoreStuck). A hold is otherwise in memory only, and a restart
// during a long one would ask the host for every one of its sources at
// once. A source answered with a Retry-After keeps the wait and the host
// that answered in its state; the answers are replayed in the order they
// came, as holdHost took them. A state stored by an earlier version,
// without the host, counts under its URL's; p.mu is held.
func (p *Poller) restoreHolds(pl *pipeline, states []aggregator.SourceState) {
	for _, st := range states {
		src, ok := pl.source(st.ID)
		if !ok {
			continue
		}
		// A source whose URL was edited is read there, no longer where
		// a redirect led the old one.
		via := st.ConfiguredAt(src.URL).ViaHost
		if _, seen := p.via[st.ID]; !seen && via != "" {
			p.via[st.ID] = fetch.HostNameKey(via) // as written by an earlier version too
		}
	}
	if p.restored {
		return
	}
	p.restored = true
	p.restoreStuck(pl, states)
	var answers []aggregator.SourceState
	for _, st := range states {
		if st.LastResult == "rate_limited" && st.RetryAfter > 0 && !st.Disabled {
			answers = append(answers, st)
		}
	}
	slices.SortStableFunc(answers, func(a, b aggregator.SourceState) int {
		return a.LastFetch.Compare(b.LastFetch)
	})
	held := make(map[string]hold)
	for _, st := range answers {
		host := fetch.HostNameKey(st.ViaHost)
		if host == "" {
			host = hostName(st.URL)
		}
		w, ok := held[host]
		ok = ok && st.LastFetch.Before(w.end(pl)) // else that hold was over when this answer came
		held[host] = w.answer(ok, st.ID, st.LastFetch, st.RetryAfter, st.LastResult+": "+st.LastError)
	}
	for h, w := range held {
		if _, newer := p.held[h]; !newer {
			p.held[h] = w
		}
	}
}

// restoreStuck marks as stuck (hostFree) each host of a configured source
// whose latest fetch, by the stored states, ran out of time: the state
// records the error's message alone (fetch.TimedOut). Known in memory only,
// hosts that take connections and never answer would otherwise hold every
// fetch slot again after each restart, and at each run of tributary poll,
// until each had run out of time once more; p.mu is held.
func (p *Poller) restoreStuck(pl *pipeline, states []aggregator.SourceState) {
	type fetched struct {
		at    time.Time
		stuck bool
	}
	last := make(map[string]fetched)
	note := func(host string, at time.Time, stuck bool) {
		if l, seen := last[host]; !seen || at.After(l.at) {
			last[host] = fetched{at, stuck}
		}
	}
	for _, st := range states {
		src, ok := pl.source(st.ID)
		if !ok || st.Disabled || st.LastFetch.IsZero() {
			continue
		}
		if s := st.ConfiguredAt(src.URL); s.URL != st.URL {
			continue // configured at another URL since: not fetched there yet
		}
		// As timedOut took it: the host the fetch asked last, the target
		// of the redirect it failed at, or the host that answered it
		// (ViaHost, known when it answered: a status), and the source's
		// own, which answered with the redirect.
		host := hostName(st.URL)
		at := host
		target, timedOut := fetch.TimedOutAt(st.LastError)
		timedOut = timedOut && st.LastResult == "error"
		switch {
		case target != "":
			at = hostName(target)
		case st.ViaHost != "" && st.LastStatus != 0:
			at = fetch.HostNameKey(st.ViaHost)
		}
		if at != host {
			note(host, st.LastFetch, false)
		}
		note(at, st.LastFetch, timedOut)
	}
	for host, l := range last {
		if l.stuck {
			p.stuck[host] = true
		}
	}
}

// holding reports whether host is held at now by the Retry-Afters of two
// of its sources (holdHost), which wait poll.max_backoff at most, as a
// source's own does; p.mu is held. A hold from after now, set before the
// clock was set back, is over.
func (p *Poller) holding(pl *pipeline, host string, now time.Time) bool {
	w, ok := p.held[host]
	return ok && w.host && !now.Before(w.at) && now.Before(w.end(pl))
}

// end is when the hold w is over: its wait from the answer, at most
// poll.max_backoff. An expired hold stays in p.held until the next
// Retry-After (holdHost), so that the sources it kept waiting count their
// lag from its end.
func (w hold) end(pl *pipeline) time.Time { return w.at.Add(min(w.wait, pl.cfg.Poll.MaxBackoff)) }

// heldAt returns the hold that keeps the i-th source of pl waiting at now,
// and its host: its own host's, or that of the host a redirect led it to
// last (answered), the later ending of the two; p.mu is held.
func (p *Poller) heldAt(pl *pipeline, i int, now time.Time) (hold, string, bool) {
	var (
		found hold
		by    string
	)
	for _, host := range []string{p.hostOf(pl, i), p.via[pl.ids[i]]} {
		if host == "" || !p.holding(pl, host, now) {
			continue
		}
		if w := p.held[host]; by == "" || w.end(pl).After(found.end(pl)) {
			found, by = w, host
		}
	}
	return found, by, by != ""
}

// begin counts a source as started against host, and against via, the
// host a redirect led its last fetch to ("" for none), until the returned
// func, which must be called at least once, tells that its fetch ended;
// p.mu is held.
func (p *Poller) begin(host, via string) (fetched func()) {
	hosts := []string{host}
	if via != "" {
		hosts = append(hosts, via)
	}
	for _, h := range hosts {
		p.fetches[h]++
	}
	stuck := p.stuck[host] || via != "" && p.stuck[via]
	if stuck {
		p.onStuck++
	}
	return sync.OnceFunc(func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		for _, h := range hosts {
			if p.fetches[h]--; p.fetches[h] <= 0 {
				delete(p.fetches, h)
			}
		}
		if stuck {
			p.onStuck--
		}
		p.signal()
	})
}

// wrote records the outcome of a write to the store, for Healthy.
func (p *Poller) wrote(err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err == nil {
		p.storeErr, p.storeFailing = nil, time.Time{}
		return
	}
	if p.storeErr == nil {
		p.storeFailing = p.now()
	}
	p.storeErr = err
}

// Healthy reports whether the scheduler loop is running and keeping up,
// and the store takes its writes.
func (p *Poller) Healthy() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case p.stopped:
		return errors.New("scheduler stopped")
	case p.storeErr != nil:
		return fmt.Errorf("store writes failing since %s: %w", p.storeFailing.UTC().Format(time.RFC3339), p.storeErr)
	case p.lastTick.IsZero():
		return errors.New("scheduler not started")
	case p.now().Sub(p.lastTick) > 10*p.tick+5*time.Second:
		return fmt.Errorf("scheduler stalled since %s", p.lastTick.UTC().Format(time.RFC3339))
	}
	return nil
}

// Run polls due sources until ctx is done, then waits for fetches in flight
// (their store writes complete) and returns nil.
func (p *Poller) Run(ctx context.Context) error {
	if err := p.loadDue(ctx); err != nil {
		if ctx.Err() != nil {
			// Stopped while it read the sources: a shutdown, as below.
			p.mu.Lock()
			p.stopped = true
			p.mu.Unlock()
			return nil
		}
		return err
	}
	var wg sync.WaitGroup
	defer func() {
		wg.Wait()
		p.flush(ctx)
		p.mu.Lock()
		p.stopped = true
		p.mu.Unlock()
	}()
	t := time.NewTicker(p.tick)
	defer t.Stop()
	var (
		lastPrune time.Time
		pruned    time.Duration // the retention of the last prune
		pruning   atomic.Bool
	)
	ticked := true
	for {
		p.mu.Lock()
		reloaded := p.reloaded
		p.mu.Unlock()
		if reloaded {
			// Sources added by a reload start on their first poll, and
			// those whose interval it changed are scheduled anew.
			if err := p.loadDue(ctx); err != nil && ctx.Err() == nil {
				p.log.ErrorContext(ctx, "scheduling the sources of the new configuration", "err", err)
				p.mu.Lock()
				p.reloaded = true // try again at the next pass
				p.mu.Unlock()
			}
		}
		now := p.now()
		p.mu.Lock()
		p.lastTick = now
		pl := p.pl
		starts := p.dueNow(pl, now)
		wake := p.changed
		p.mu.Unlock()
		for _, s := range starts {
			wg.Go(func() {
				defer s.fetched()
				id := s.src.SourceID()
				p.pollSource(ctx, pl, s.src, s.fetched)
				p.mu.Lock()
				delete(p.running, id)
				if _, ok := p.stale[id]; ok {
					// A reload changed its configuration during the poll,
					// which ended under the old one.
					p.reloaded = true
				}
				if d, ok := p.due[id]; ok && !d.After(now) && ctx.Err() == nil {
					// The poll ended without scheduling itself (its state
					// could not be read): try again later rather than on
					// every tick.
					p.due[id] = p.now().Add(storeRetry)
				}
				p.signal()
				p.mu.Unlock()
			})
		}
		if ticked {
			// Buffered states are written once a tick, not once a poll.
			p.flush(ctx)
			if r := pl.cfg.Storage.Retention; r > 0 && (now.Sub(lastPrune) >= pruneEvery(r) || r < pruned) && !pruning.Load() {
				// Beside the loop: a prune after a long stop, or after the
				// retention was cut, deletes many stories, batch after
				// batch, and sources still come due meanwhile.
				lastPrune, pruned = now, r
				pruning.Store(true)
				wg.Go(func() {
					defer pruning.Store(false)
					p.prune(ctx, now, pl)
				})
			}
		}
		// A poll or a fetch that ends frees a place: the next due source
		// starts then, not at the next tick, so that a first run of
		// thousands of sources takes as long as their fetches do.
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			ticked = true
		case <-wake:
			ticked = false
		}
	}
}

// start is a source the scheduler starts, with its func that frees its
// host's place (begin).
type start struct {
	src     aggregator.SourceConfig
	fetched func()
}

// dueNow picks the sources to start at now, most overdue first (in
// configuration order among equals): each due, not running, with a free
// place among the sources in progress and among its host's fetches. It
// marks them running; p.mu is held. It runs whenever a poll or a fetch
// ends, so with thousands of sources due it takes the few it can start
// from a heap rather than sorting them all, in a buffer it keeps.
func (p *Poller) dueNow(pl *pipeline, now time.Time) []start {
	limit := pl.inProgress()
	if len(p.running) >= limit {
		return nil
	}
	h := dueHeap(p.dueBuf[:0])
	for i, id := range pl.ids {
		if d, ok := p.due[id]; ok && !p.running[id] && !d.After(now) {
			h = append(h, dueSource{i, d})
		}
	}
	heap.Init(&h)
	var starts []start
	for len(h) > 0 && len(p.running) < limit {
		c := heap.Pop(&h).(dueSource)
		host := p.hostOf(pl, c.i)
		via := p.viaOf(pl, c.i, host)
		if _, _, held := p.heldAt(pl, c.i, now); held || !p.placeFree(pl, host, via) {
			continue
		}
		p.running[pl.ids[c.i]] = true
		// A source its host's hold kept waiting is late from the hold's
		// end: the server asked for the wait.
		due := c.due
		for _, h := range []string{host, p.via[pl.ids[c.i]]} {
			if w, ok := p.held[h]; ok && w.host && w.end(pl).After(due) && !w.end(pl).After(now) {
				due = w.end(pl)
			}
		}
		p.m.lag.Observe(now.Sub(due).Seconds())
		starts = append(starts, start{src: pl.cfg.Sources[c.i], fetched: p.begin(host, via)})
	}
	p.dueBuf = h[:0]
	return starts
}

// dueSource is a due source, by its index in the configuration.
type dueSource struct {
	i   int
	due time.Time
}

// dueHeap orders due sources most overdue first, then in configuration
// order.
type dueHeap []dueSource

func (h dueHeap) Len() int { return len(h) }
func (h dueHeap) Less(a, b int) bool {
	if c := h[a].due.Compare(h[b].due); c != 0 {
		return c < 0
	}
	return h[a].i < h[b].i
}
func (h dueHeap) Swap(a, b int) { h[a], h[b] = h[b], h[a] }
func (h *dueHeap) Push(x any)   { *h = append(*h, x.(dueSource)) }
func (h *dueHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// loadDue reads every configured source's next due time from the store,
// for the sources it has none for yet, and brings the stored state of the
// sources whose configuration changed in line with it (refresh).
func (p *Poller) loadDue(ctx context.Context) error {
	p.mu.Lock()
	p.reloaded = false // a reload from now on asks for another pass
	p.mu.Unlock()
	states, err := p.st.Sources(ctx)
	if err != nil {
		return fmt.Errorf("loading sources: %w", err)
	}
	byID := make(map[string]aggregator.SourceState, len(states))
	for _, s := range states {
		byID[s.ID] = s
	}
	now := p.now()
	p.mu.Lock()
	p.restoreHolds(p.pl, states)
	for _, src := range p.pl.cfg.Sources {
		id := src.SourceID()
		s, ok := byID[id]
		if ok && (s.Name != displayName(src, s) || s.Interval != 0 && s.Interval != configured(p.pl.cfg, src) || s.ConfigURL != src.URL) {
			// Renamed, its interval changed, or configured at another
			// URL while it was not scheduled: the daemon was stopped,
			// or the source not configured. The state read here may be
			// older than one waiting to be flushed: refresh reads the
			// latest.
			if _, ok := p.stale[id]; !ok {
				p.stale[id] = false
			}
		}
		s = s.ConfiguredAt(src.URL)
		if _, has := p.series[id]; ok && !has && !s.LastSuccess.IsZero() {
			// Fetched before this daemon started, or before a reload
			// added it back: its series tells its last success from the
			// start, not from its next fetch.
			p.setSeries(id, displayName(src, s), s.LastSuccess)
		}
		if _, ok := p.due[id]; ok {
			continue
		}
		if ok && s.URL != "" && s.URL != src.URL {
			p.moved[id] = hostName(s.URL)
		}
		switch {
		case ok && s.Disabled:
			// A gone source stays off until its URL changes in the config.
		case ok && !s.NextDue.IsZero():
			p.due[id] = s.NextDue
			if s.LastFetch.After(now) || overlong(p.pl.cfg, s) {
				// Fetched after now: the clock has been set back since,
				// and the due time it set would hold the source until the
				// clock caught up. Or waiting longer than poll.max_backoff
				// allows, as an earlier version left it.
				p.stale[id] = true
			}
		default:
			spread := min(p.first, interval(p.pl.cfg, src, s)/2)
			p.due[id] = now.Add(firstOffset(id, spread))
		}
	}
	stale := make(map[string]bool)
	for id, resched := range p.stale {
		switch {
		case !p.pl.has(id):
			delete(p.stale, id)
		case p.running[id]:
			// Its poll, which ends under the configuration it began
			// with, asks for another pass.
		default:
			delete(p.stale, id)
			stale[id] = resched
		}
	}
	p.mu.Unlock()
	p.refresh(ctx, stale)
	return nil
}

// refresh brings the state of the sources in stale in line with the
// configuration: a source renamed takes its new name, one configured at
// another URL is taken up there (ConfiguredAt) and due soon, as a source
// added is, and one whose configured interval differs from the one its due
// time was reckoned with, or whose value in stale is true, is due anew from
// its last fetch (rescheduled). The states of a rename or a new URL are
// flushed at once, others with the next flush; a rename then marks every
// topic's feeds stale, since they name their stories' sources. Only Run's
// loop starts polls, and it calls this between them: none of the sources
// is being polled.
func (p *Poller) refresh(ctx context.Context, stale map[string]bool) {
	if len(stale) == 0 {
		return
	}
	type named struct {
		id, name string
		success  time.Time
	}
	var renamed []named
	moved := false // a source configured at another URL
	for id, resched := range stale {
		st, err := p.state(ctx, id)
		if errors.Is(err, aggregator.ErrNotFound) {
			continue // never fetched: its first poll is scheduled already
		} else if err != nil {
			if ctx.Err() == nil {
				p.log.ErrorContext(ctx, "reading source state", "source", id, "err", err)
			}
			continue
		}
		now := p.now()
		p.mu.Lock()
		src, ok := p.pl.source(id)
		if !ok || p.running[id] {
			p.mu.Unlock()
			continue
		}
		changed := false
		if name := displayName(src, st); name != st.Name {
			st.Name = name
			renamed = append(renamed, named{id, name, st.LastSuccess})
			changed = true
		}
		iv := configured(p.pl.cfg, src)
		if st.ConfigURL != src.URL {
			// Its URL was edited: the same source, its stories kept, is
			// fetched at the new one, soon, as a source added is.
			log := p.log.With("source", id)
			if src.Name != "" {
				log = log.With("name", src.Name)
			}
			if st.ConfigURL != "" {
				log.InfoContext(ctx, "source configured at a new URL", "old_url", st.ConfigURL, "config_url", src.URL)
			}
			st = st.ConfiguredAt(src.URL)
			spread := min(p.first, interval(p.pl.cfg, src, st)/2)
			p.due[id] = now.Add(firstOffset(id, spread))
			delete(p.moved, id)
			delete(p.via, id)
			changed, moved = true, true
		} else if (resched || st.Interval != 0 && st.Interval != iv) && !st.Disabled && !st.LastFetch.IsZero() {
			st.NextDue = rescheduled(p.pl.cfg, src, st, now, p.rnd)
			st.Interval = iv
			p.due[id] = st.NextDue
			changed = true
		}
		if changed {
			p.pendMu.Lock()
			p.pending[id] = st
			p.pendMu.Unlock()
		}
		p.mu.Unlock()
	}
	if len(renamed) == 0 {
		if moved {
			// Written at once: a restart binds the source by the URL
			// its state is configured at (aggregator.BindSources).
			p.flush(ctx)
		}
		return
	}
	// The series first: whoever reads the new name in the store (status,
	// the web page) finds the metrics under it too.
	for _, r := range renamed {
		if !r.success.IsZero() {
			p.setLastSuccess(r.id, r.name, r.success)
		}
	}
	p.flush(ctx)
	if p.notify != nil {
		p.notify.Changed()
	}
}

// pruneEvery is how often Run prunes under the retention r: hourly, or a
// tenth of a retention shorter than ten hours, at least every minute, so
// that a short retention holds. A reload that cuts the retention prunes at
// the next tick.
func pruneEvery(r time.Duration) time.Duration {
	return min(time.Hour, max(r/10, time.Minute))
}

// Prune deletes the stories older than storage.retention, as Run does
// hourly, and the states of the sources no longer configured that the
// retention has taken every story of (forget). It does nothing when the
// retention is 0 (keep everything).
func (p *Poller) Prune(ctx context.Context) {
	p.mu.Lock()
	pl := p.pl
	p.mu.Unlock()
	if pl.cfg.Storage.Retention > 0 {
		p.prune(ctx, p.now(), pl)
	}
}

// retentionNow is the time the retention counts back from at now: now,
// unless
//
//   - the wall clock has moved further ahead since the poller started
//     than the system's monotonic clock has counted, as when the clock is
//     set ahead while the daemon runs (by hand, or a time service stepping
//     it): then the time at the start plus the time counted (counted);
//   - or the clock is further ahead than what the store and the feeds
//     attest, the latest fetch the store had recorded at the start, or the
//     newest item date a feed has brought since, plus the time counted
//     since (see attest), as when the clock was set ahead while the daemon
//     was stopped: then that.
//
// A clock set a year ahead would otherwise prune every story, and leave
// out every item read, as older than the retention. A clock set back is
// taken as it is: it prunes less.
func (p *Poller) retentionNow(now time.Time) time.Time {
	passed := p.passed(now)
	t := now
	if counted := p.counted(now); counted.Before(now.Round(0)) {
		t = counted
	}
	if p.history.IsZero() {
		return t
	}
	p.attestMu.Lock()
	attested := later(p.history, p.witnessed)
	p.attestMu.Unlock()
	if a := attested.Add(passed); a.Before(t.Round(0)) {
		t = a
	}
	return t
}

// counted is the time at now by the time counted since the start: from
// the clock at the start, or, when that was behind both the store's last
// fetch and the newest item date a feed has brought since (less the time
// counted until it was read: attest), as on a machine that starts with a
// clock of its own until a time service sets it, from the earlier of
// those two. The retention so prunes again once the clock is set right,
// where counting from the clock at the start it would prune nothing, a
// year behind, until the next restart; it counts from the store's last
// fetch then, behind the right time by as long as the daemon was stopped.
// Both are asked for, so that a last fetch stored by a clock that was
// ahead then does not let a clock that jumps ahead now prune early.
func (p *Poller) counted(now time.Time) time.Time {
	from := p.started.Round(0)
	p.attestMu.Lock()
	witnessed := p.witnessed
	p.attestMu.Unlock()
	if !witnessed.IsZero() && !p.history.IsZero() {
		from = later(from, earlier(p.history, witnessed))
	}
	return from.Add(p.passed(now))
}

// stampAt is the time a feed read at now is read at: the time its items
// are first seen, and the latest it may date them. That is now, unless the
// clock is behind the store's last fetch before the start plus the time
// counted since (it was set back while the daemon was stopped, or the
// machine started with a clock of its own), and the feed dates items
// later than now, up to that: then the newest of those dates. Items read
// while the clock was set back a year would otherwise be dated a year
// back, and pruned, or put at the end of their topics, once the clock is
// right. A clock ahead of what the store saw before is taken as it is.
// feed reads the feed at a time.
func (p *Poller) stampAt(now time.Time, feed func(time.Time) []aggregator.Item) time.Time {
	if p.history.IsZero() {
		return now
	}
	limit := p.history.Add(p.passed(now))
	if !limit.After(now.Round(0)) {
		return now
	}
	stamp := now
	for _, it := range feed(limit) {
		if it.Dated && it.Published.After(stamp) {
			stamp = it.Published
		}
	}
	return stamp
}

// earlier returns the earlier of a and b.
func earlier(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// later returns the later of a and b.
func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// passed is the time passed from the poller's start to now, on the
// monotonic clock when both times carry its reading.
func (p *Poller) passed(now time.Time) time.Duration {
	if p.elapsed != nil {
		return p.elapsed(now)
	}
	return now.Sub(p.started)
}

// attest raises the time the feeds vouch for by the newest item of a feed
// read at now that its source dated: the source's clock says that time has
// come. An item the feed did not date is dated by the time it was read at,
// and parse takes no date later than that: now, but while the clock is
// behind the store's last fetch (stampAt).
func (p *Poller) attest(now time.Time, items []aggregator.Item) {
	var newest time.Time
	for _, it := range items {
		if it.Dated && it.Published.After(newest) {
			newest = it.Published
		}
	}
	if newest.IsZero() {
		return
	}
	base := newest.Add(-p.passed(now))
	p.attestMu.Lock()
	defer p.attestMu.Unlock()
	p.witnessed = later(p.witnessed, base)
}

// prune deletes the stories older than the retention at now and tells the
// publisher, then forgets the sources no longer configured whose stories
// are gone.
func (p *Poller) prune(ctx context.Context, now time.Time, pl *pipeline) {
	r := pl.cfg.Storage.Retention
	from := p.retentionNow(now)
	cutoff := from.Add(-r)
	clock, counted := now.Round(0), p.counted(now)
	ahead, unattested := clock.Sub(counted), clock.Sub(from.Round(0))
	p.jumpMu.Lock()
	jumped := p.jumpLogged.note(ahead, time.Minute)
	unattestedJumped := p.attestLogged.note(unattested, r)
	p.jumpMu.Unlock()
	switch {
	case ahead > time.Minute:
		if jumped {
			p.log.WarnContext(ctx, "the clock moved further ahead than the time counted since the start; the retention counts back from no later than the time counted",
				"clock", now.UTC().Format(time.RFC3339), "counted", counted.UTC().Format(time.RFC3339))
		}
	case unattested > r:
		// Ahead by less, the clock may be right, and the store was
		// stopped a while or its feeds are quiet.
		if unattestedJumped {
			p.log.WarnContext(ctx, "the clock is further ahead than the store's last fetch and its feeds' newest items attest; the retention counts back from what they attest",
				"clock", now.UTC().Format(time.RFC3339), "attested", from.UTC().Format(time.RFC3339))
		}
	}
	n, err := p.st.Prune(ctx, cutoff)
	if err != nil {
		p.log.ErrorContext(ctx, "prune failed", "err", err)
		return
	}
	if n > 0 {
		p.log.InfoContext(ctx, "pruned stories", "stories", n, "before", cutoff.UTC().Format(time.RFC3339))
		if p.notify != nil {
			var ids []string
			for _, t := range pl.cfg.Topics {
				ids = append(ids, t.ID)
			}
			p.notify.Changed(append(ids, aggregator.AllTopic)...)
		}
	}
	p.forget(ctx, cutoff)
}

// aheadLogged is how far the clock was ahead of a time it is checked
// against when a prune last said so, or zero. It stays as it is while the
// clock and that time move on together, from prune to prune.
type aheadLogged time.Duration

// note records that the clock is ahead by d, more than limit calls for a
// word, and reports whether that is a jump to log: the first, or another
// since. As the feeds vouch for later times the time checked against
// catches up, and the clock is then less ahead than logged, which is no
// new jump; back within limit, the next jump is logged again.
func (a *aheadLogged) note(d, limit time.Duration) bool {
	switch {
	case d <= limit:
		*a = 0
		return false
	case d > time.Duration(*a)+time.Minute:
		*a = aheadLogged(d)
		return true
	default:
		*a = min(*a, aheadLogged(d))
		return false
	}
}

// forget deletes the stored state of every source no longer configured
// that was last fetched before cutoff (the retention) and that no stored
// story has an item from any more: the retention has taken all it
// brought, and the operator, who sees it in status as not configured
// until then, expects it gone. A source that comes back before that takes
// up its state again.
func (p *Poller) forget(ctx context.Context, cutoff time.Time) {
	states, err := p.st.Sources(ctx)
	if err != nil {
		if ctx.Err() == nil {
			p.log.ErrorContext(ctx, "reading source states", "err", err)
		}
		return
	}
	p.mu.Lock()
	pl := p.pl // as now: a reload may have brought a source back
	p.mu.Unlock()
	var ids []string
	names := map[string]string{}
	for _, st := range states {
		if !pl.has(st.ID) && st.LastFetch.Before(cutoff) {
			ids = append(ids, st.ID)
			names[st.ID] = st.Name
		}
	}
	if len(ids) == 0 {
		return
	}
	gone, err := p.st.ForgetSources(ctx, ids)
	if err != nil {
		if ctx.Err() == nil {
			p.log.ErrorContext(ctx, "forgetting sources no longer configured", "err", err)
		}
		return
	}
	for _, id := range gone {
		p.log.InfoContext(ctx, "forgot source no longer configured", "source", id, "name", names[id])
	}
}

// PollAll polls every enabled source once, at most poll.concurrency
// fetching at a time, calling progress (if not nil) after each source, and
// returns the outcomes in configuration order. It fetches a source still
// waiting out a Retry-After or the backoff after its failures too (see
// PollPolitely).
func (p *Poller) PollAll(ctx context.Context, progress func(Outcome)) []Outcome {
	return p.pollAll(ctx, progress, false, false)
}

// PollForced is PollAll for the sources disabled by a 410 Gone too, which
// nothing else asks again: one whose feed is read is enabled again, one
// gone still stays disabled. It is what tributary poll -force runs, for an
// operator who knows the feed is back.
func (p *Poller) PollForced(ctx context.Context, progress func(Outcome)) []Outcome {
	return p.pollAll(ctx, progress, false, true)
}

// PollPolitely is PollAll for a pass run now and again, from cron say: a
// source whose stored state says to wait — its server asked for it with a
// Retry-After, or it backs off after failures — until a time still to come
// is not fetched. Its outcome is "skipped", with no error, Until that time
// and the Reason recorded. So is a source whose host is held, as the
// daemon holds it (holdHost): by the Retry-Afters of two of its sources,
// answered in this pass or stored by an earlier one, Until the hold is
// over and with the Reason of the latest answer. A source merely not due
// yet by its interval is fetched all the same: a conditional GET makes
// that cheap.
func (p *Poller) PollPolitely(ctx context.Context, progress func(Outcome)) []Outcome {
	return p.pollAll(ctx, progress, true, false)
}

// pollAll is PollAll, PollPolitely when polite, and PollForced when gone.
func (p *Poller) pollAll(ctx context.Context, progress func(Outcome), polite, gone bool) []Outcome {
	p.mu.Lock()
	pl := p.pl
	p.mu.Unlock()
	srcs := pl.cfg.Sources
	out := make([]Outcome, len(srcs))
	started := make([]bool, len(srcs))
	if polite {
		// A state that cannot be read fails its source's poll, which
		// tells.
		if states, err := p.latest(ctx); err == nil {
			p.mu.Lock()
			p.restoreHolds(pl, states)
			p.mu.Unlock()
		}
	}
	limit := pl.inProgress()
	var wg sync.WaitGroup
	var pmu sync.Mutex
	active, first := 0, 0 // sources in progress; every source before first has started
	for first < len(srcs) {
		// In the configuration's order, but a source whose host has
		// poll.per_host fetches going waits and lets the next ones pass.
		var starts []int
		var fetched []func()
		p.mu.Lock()
		for i := first; i < len(srcs) && active < limit; i++ {
			if started[i] {
				continue
			}
			host := p.hostOf(pl, i)
			via := p.viaOf(pl, i, host)
			if !p.placeFree(pl, host, via) {
				continue
			}
			started[i] = true
			active++
			starts = append(starts, i)
			fetched = append(fetched, p.begin(host, via))
		}
		for first < len(srcs) && started[first] {
			first++
		}
		wake := p.changed
		p.mu.Unlock()
		for k, i := range starts {
			wg.Go(func() {
				defer func() {
					fetched[k]()
					p.mu.Lock()
					active--
					p.signal()
					p.mu.Unlock()
				}()
				skipped := false
				if polite {
					out[i], skipped = p.waiting(ctx, pl, srcs[i])
					if o, held := p.heldOutcome(ctx, pl, i); held && (!skipped || o.Until.After(out[i].Until)) {
						out[i], skipped = o, true
					}
				}
				if !skipped {
					out[i] = p.pollSourceGone(ctx, pl, srcs[i], fetched[k], gone)
				}
				if progress != nil {
					pmu.Lock()
					progress(out[i])
					pmu.Unlock()
				}
			})
		}
		if first < len(srcs) {
			<-wake
		}
	}
	wg.Wait()
	p.flush(ctx)
	return out
}

// waiting returns the outcome "skipped" for the source src, and true, when
// its latest state says to wait until a time after now (waitEnd). A source
// never fetched, or whose state cannot be read, is not waiting: its poll
// tells.
func (p *Poller) waiting(ctx context.Context, pl *pipeline, src aggregator.SourceConfig) (Outcome, bool) {
	id := src.SourceID()
	st, err := p.state(ctx, id)
	if err != nil {
		return Outcome{}, false
	}
	st = st.ConfiguredAt(src.URL) // the waits of an old URL hold no more
	now := p.now()
	p.mu.Lock()
	until, ok := waitEnd(pl.cfg, src, st, now, p.rnd)
	p.mu.Unlock()
	if !ok {
		return Outcome{}, false
	}
	return Outcome{Source: id, Name: displayName(src, st), URL: st.URL, Result: "skipped",
		Until: until, Reason: st.LastResult + ": " + st.LastError}, true
}

// heldOutcome returns the outcome "skipped" for the i-th source of pl, and
// true, when its host is held now (heldAt): Until the hold is over, for
// the Reason the host's latest answer gave. A source disabled by a 410
// Gone is not skipped: the hold's end would not bring it back, and its
// poll says it is disabled, as status does.
func (p *Poller) heldOutcome(ctx context.Context, pl *pipeline, i int) (Outcome, bool) {
	src := pl.cfg.Sources[i]
	now := p.now()
	p.mu.Lock()
	w, host, held := p.heldAt(pl, i, now)
	p.mu.Unlock()
	if !held {
		return Outcome{}, false
	}
	id := pl.ids[i]
	st, err := p.state(ctx, id)
	if err == nil && st.ConfiguredAt(src.URL).Disabled {
		return Outcome{}, false
	}
	if err != nil || st.URL == "" {
		st.URL = src.URL
	}
	return Outcome{Source: id, Name: displayName(src, st), URL: st.URL, Result: "skipped",
		Until: w.end(pl), Reason: heldReason(host, w)}, true
}

// pollSource fetches, parses and ingests one source and records the outcome
// on the source, whatever happened. It calls fetched once the fetch is over
// (and may leave that to its caller when it returns before fetching).
func (p *Poller) pollSource(ctx context.Context, pl *pipeline, src aggregator.SourceConfig, fetched func()) Outcome {
	return p.pollSourceGone(ctx, pl, src, fetched, false)
}

// pollSourceGone is pollSource, which fetches a source disabled by a 410
// Gone too when gone is true, and enables it again when it reads its feed.
func (p *Poller) pollSourceGone(ctx context.Context, pl *pipeline, src aggregator.SourceConfig, fetched func(), gone bool) Outcome {
	id := src.SourceID()
	log := p.log.With("source", id)
	if src.Name != "" {
		log = log.With("name", src.Name) // the operator's, where the id is a digest
	}
	start := p.now()
	st, err := p.state(ctx, id)
	if errors.Is(err, aggregator.ErrNotFound) {
		st = aggregator.SourceState{ID: id}
	} else if err != nil {
		// A shutdown is no error: the source waits for the next run.
		if ctx.Err() == nil {
			log.ErrorContext(ctx, "reading source state", "err", err)
		}
		return Outcome{Source: id, Name: displayName(src, aggregator.SourceState{}), URL: src.URL, Result: "error", Err: err}
	}
	if st.ConfigURL != "" && st.ConfigURL != src.URL {
		log.InfoContext(ctx, "source configured at a new URL", "old_url", st.ConfigURL, "config_url", src.URL)
	}
	st = st.ConfiguredAt(src.URL)
	st.Name = displayName(src, st)
	orig := st // as stored: what a failed write leaves the source
	o := Outcome{Source: id, Name: st.Name, URL: st.URL}
	if st.Disabled && !gone {
		o.Result = "disabled"
		o.Err = errors.New(st.LastError)
		return o
	}
	iv := interval(pl.cfg, src, st)
	renamed := false // the source took its feed's new title as its name
	from := st.URL
	feed, res, err := p.fetchSlot(ctx, pl, &st, fetched)
	fetched()
	if err == nil && st.URL != from {
		// Said once, when it happens: the config names an old address,
		// which the operator may want to correct.
		log.InfoContext(ctx, "source moved", "config_url", st.ConfigURL, "feed_url", st.URL)
	}
	// The body is read: what is left waits for the store, where twice
	// poll.concurrency sources may wait at once, each body up to
	// poll.max_bytes.
	bodyBytes := len(res.Body)
	res.Body = nil
	p.mu.Lock()
	if st.URL != src.URL {
		p.moved[id] = hostName(st.URL)
	} else {
		delete(p.moved, id)
	}
	p.mu.Unlock()
	if ctx.Err() != nil && err != nil {
		// Shutting down: leave the source as it was, to be polled next run.
		o.Result, o.Err = "error", ctx.Err()
		return o
	}
	if st.URL != st.ConfigURL {
		o.MovedTo = st.URL
	}
	st.LastFetch = start
	st.Fetches++
	st.Interval = configured(pl.cfg, src)
	end := p.now()
	o.Duration = end.Sub(start)
	p.m.latency.Observe(o.Duration.Seconds())
	if err != nil {
		// Waits count from the answer, so Retry-After is honoured to the letter.
		o.Result, o.Err = p.failure(&st, err, end, iv, pl.cfg.Poll.MaxBackoff)
		if st.LastStatus == 0 {
			// The server answered, but what it sent could not be read
			// (a page, a body cut short): 0 would say it never did.
			st.LastStatus = res.Status
		}
		p.m.fetches.WithLabelValues(o.Result).Inc()
		logFailure(ctx, log, st, o.Result, o.Err)
		p.save(ctx, &st, log)
		return o
	}
	p.m.bytes.Observe(float64(bodyBytes))
	st.LastStatus = res.Status
	st.LastSuccess = start
	st.Failures, st.FailingSince, st.LastError, st.RetryAfter = 0, time.Time{}, "", 0
	st.Disabled = false // back, when a forced poll asked it after a 410
	// A 304 may give new validators too (RFC 9111, section 4.3.4); fetch
	// keeps the ones sent where it gives none. A feed that broke off before
	// its end keeps those it had: sent back, the answer's would have its
	// server say that nothing changed, and the items after the break would
	// not be read until the feed changes.
	if feed == nil || !feed.Cut {
		st.ETag, st.LastModified = res.ETag, res.LastModified
	}
	if res.NotModified {
		st.NotModified++
		o.Result = "not_modified"
	} else {
		o.Result = "unchanged"
	}
	ttl := res.MaxAge
	if feed != nil {
		o.Result = "ok"
		st.Title, st.SiteURL, st.Hub = feed.Title, feed.SiteURL, feed.Hub
		st.SkipHours, st.SkipDays = feed.SkipHours, feed.SkipDays
		if name := displayName(src, st); name != st.Name {
			// A source named by its feed's title changes name with it
			// (and its last-success series, in setLastSuccess).
			renamed = st.Name != ""
			st.Name = name
		}
		o.Name = st.Name
		st.FeedTTL = max(ttl, feed.TTL)
	} else {
		// A 304 or the same body: the feed's own <ttl> or sy:updatePeriod,
		// read when it was parsed, still holds, and a max-age on this
		// answer may only lengthen it.
		st.FeedTTL = max(st.FeedTTL, ttl)
	}
	iv = interval(pl.cfg, src, st)
	p.mu.Lock()
	next := start.Add(jitter(iv, p.rnd))
	p.mu.Unlock()
	st.NextDue = skip(next, st.SkipHours, st.SkipDays)
	st.LastResult = o.Result
	p.m.fetches.WithLabelValues(o.Result).Inc()
	p.setLastSuccess(id, st.Name, start)
	if feed == nil {
		p.save(ctx, &st, log)
		log.DebugContext(ctx, "fetched", "feed_url", st.URL, "result", o.Result, "status", res.Status,
			"duration", o.Duration)
		return o
	}
	var r ingest.Result
	p.supersede(id) // the transaction below writes the newer state
	p.attest(start, feed.Items)
	// Once the feed is read, its items are committed even if a shutdown
	// begins meanwhile: the transaction is short and losing them would cost
	// a refetch that conditional GET would then answer with 304.
	items := feed.Items
	if r := pl.cfg.Storage.Retention; r > 0 {
		// Items older than the retention would be pruned within the hour
		// and stored again at the next poll: leave them out.
		cutoff := p.retentionNow(start).Add(-r)
		items = slices.DeleteFunc(slices.Clone(items), func(it aggregator.Item) bool { return it.Published.Before(cutoff) })
		o.Expired = len(feed.Items) - len(items)
	}
	// The items' text is worked on before the write transaction, so that
	// other sources' fetches use the second core while the store commits.
	read := func(fn func(aggregator.Tx) error) error { return p.st.View(context.WithoutCancel(ctx), fn) }
	prep, err := guarded("preparing items", func() (*ingest.Prepared, error) { return pl.ing.Prepare(read, st, items) })
	if err != nil {
		// The write below reads the store again and does the work itself.
		if !logPanic(ctx, log, err, "the write does the work again", "feed_url", st.URL) {
			log.DebugContext(ctx, "preparing items", "feed_url", st.URL, "err", err)
		}
		prep = nil
	}
	before := st
	// A reload while the feed was fetched has its items filed under the
	// new settings (topics, the source's tags and priority, whether it is
	// configured at all): the retagging that the reload starts re-decides
	// the stories stored before it, not these.
	ing := p.ingester()
	if ing != pl.ing {
		prep = nil // worked on under the settings replaced
	}
	_, err = guarded("storing feed", func() (struct{}, error) {
		return struct{}{}, p.write(context.WithoutCancel(ctx), func(tx aggregator.Tx) error {
			// This may run twice (see write): start from the same values.
			st = before
			var err error
			if prep != nil {
				r, err = ing.ApplyPrepared(tx, prep)
			} else {
				r, err = ing.Apply(tx, st, items)
			}
			if err != nil {
				return err
			}
			st.Items += int64(r.New)
			return tx.PutSource(st)
		})
	})
	var pe *PanicError
	if errors.As(err, &pe) {
		// Items that trip a bug in the ingest fail their own source, as a
		// parser's panic does. The transaction was rolled back; the source
		// keeps its old validators, so that its next poll, after the
		// backoff, reads the feed again.
		failed := orig
		failed.URL, failed.LastFetch, failed.Fetches, failed.Interval = st.URL, start, orig.Fetches+1, st.Interval
		o.Result, o.Err = p.failure(&failed, err, p.now(), iv, pl.cfg.Poll.MaxBackoff)
		logFailure(ctx, log, failed, o.Result, o.Err)
		p.save(ctx, &failed, log)
		return o
	}
	p.wrote(err)
	if err != nil {
		o.Result, o.Err = "error", fmt.Errorf("storing feed: %w", err)
		// The source keeps its stored validators, so that its next poll
		// reads the feed again, and carries the store's error, to be seen
		// in status: its state waits in memory for a write that passes.
		failed := orig
		failed.URL, failed.LastFetch, failed.Fetches, failed.Interval = st.URL, start, orig.Fetches+1, st.Interval
		failed.Failures++
		if failed.FailingSince.IsZero() {
			failed.FailingSince = end
		}
		failed.LastError, failed.LastResult, failed.LastStatus, failed.RetryAfter = errorText(o.Err), "error", 0, 0
		// The feed is not at fault: it is read again as soon as the store
		// may take it, not after a backoff.
		failed.NextDue = p.now().Add(storeRetry)
		log.ErrorContext(ctx, "storing feed", "feed_url", st.URL, "next_due", failed.NextDue, "err", err)
		p.save(ctx, &failed, log)
		return o
	}
	p.setDue(id, st.NextDue)
	r.Topics = p.refile(ctx, log, ing, items, r.Topics)
	o.New, o.Updated, o.Duplicates, o.NewStories, o.SameText = r.New, r.Updated, r.Duplicates, r.NewStories, r.SameText
	p.m.items.WithLabelValues("new").Add(float64(r.New))
	p.m.items.WithLabelValues("updated").Add(float64(r.Updated))
	p.m.items.WithLabelValues("unchanged").Add(float64(r.Unchanged))
	p.m.items.WithLabelValues("expired").Add(float64(o.Expired))
	p.m.stories.Add(float64(r.NewStories))
	p.m.duplicates.Add(float64(r.Duplicates))
	switch {
	case p.notify == nil:
	case renamed:
		// The published feeds name every story's sources: every topic
		// that holds one of this source's stories changes.
		p.notify.Changed()
	case len(r.Topics) > 0:
		p.notify.Changed(r.Topics...)
	}
	log.DebugContext(ctx, "fetched", "feed_url", st.URL, "result", o.Result, "status", res.Status,
		"items", len(feed.Items), "expired", o.Expired, "same_text", r.SameText, "new_items", r.New, "new_stories", r.NewStories, "duplicates", r.Duplicates,
		"duration", o.Duration)
	return o
}

// ingester returns the Ingester of the configuration in force.
func (p *Poller) ingester() *ingest.Ingester {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.pl.ing
}

// refile re-decides the stories of items, just committed by ing, under the
// configuration in force, when a reload replaced ing's before the commit:
// the retagging that the reload started may have listed the stored
// stories before these were among them, and they would keep the topics
// and tags of the configuration replaced until the next edit. It returns
// topics, the topics the commit changed, with those that this changed.
func (p *Poller) refile(ctx context.Context, log *slog.Logger, ing *ingest.Ingester, items []aggregator.Item, topics []string) []string {
	for {
		cur := p.ingester()
		if cur == ing {
			return topics
		}
		ing = cur
		var changed []string
		err := p.st.Update(context.WithoutCancel(ctx), func(tx aggregator.Tx) error {
			var stories []string
			for _, it := range items {
				stored, err := tx.Item(it.ID)
				if errors.Is(err, aggregator.ErrNotFound) {
					continue // not stored: a copy of an item stored before
				}
				if err != nil {
					return fmt.Errorf("item %s: %w", it.ID, err)
				}
				stories = append(stories, stored.StoryID)
			}
			slices.Sort(stories)
			var err error
			changed, err = ing.Retag(tx, p.now(), slices.Compact(stories)...)
			return err
		})
		if err != nil {
			log.ErrorContext(ctx, "retagging the stories of a feed stored during a reload", "err", err)
			return topics
		}
		topics = append(topics, changed...)
		slices.Sort(topics)
		topics = slices.Compact(topics)
	}
}

// fetchSlot runs fetchFeed in one of the Poller's fetch slots.
func (p *Poller) fetchSlot(ctx context.Context, pl *pipeline, st *aggregator.SourceState, fetched func()) (*parse.Feed, fetch.Result, error) {
	if err := p.fetching.acquire(ctx); err != nil {
		return nil, fetch.Result{}, err
	}
	p.m.inFlight.Inc()
	defer func() {
		p.m.inFlight.Dec()
		p.fetching.release()
	}()
	return p.fetchFeed(ctx, pl, st, fetched)
}

// closeRetired closes the idle connections of pl's Fetcher when a reload
// replaced it: a fetch that began before the reload has just returned its
// connection to it, and nothing will use that connection again.
func (p *Poller) closeRetired(pl *pipeline) {
	p.mu.Lock()
	retired := p.pl.fetcher != pl.fetcher
	p.mu.Unlock()
	if retired {
		pl.fetcher.CloseIdleConnections()
	}
}

// fetchFeed fetches the source and parses the body when it changed. A nil
// feed with a nil error means 304 or an unchanged body. An HTML page that
// links a feed is followed once, and the source then moves to that feed.
// A permanent redirect moves the source only when a feed was read where it
// led (parsed, the same body as last time, or a 304): one to a page that
// names no feed, or to a body that is no feed, leaves the source where it
// was, to be asked again at its next poll. It calls fetched once the
// source's host has answered.
func (p *Poller) fetchFeed(ctx context.Context, pl *pipeline, st *aggregator.SourceState, fetched func()) (*parse.Feed, fetch.Result, error) {
	host := hostName(st.URL)
	res, err := pl.fetcher.Fetch(ctx, fetch.Request{URL: st.URL, ETag: st.ETag, LastModified: st.LastModified})
	// The URL last asked: the one that answered, or the redirect's target
	// where the fetch failed.
	last := res.FinalURL
	var re *fetch.RedirectError
	if errors.As(err, &re) {
		last = re.URL
	}
	if ctx.Err() == nil {
		p.timedOut(host, hostName(last), errors.Is(err, fetch.ErrTimeout))
	}
	p.answered(st, last)
	p.holdHost(pl, st, err) // before the host's next source may start
	fetched()
	p.closeRetired(pl)
	if err != nil {
		return nil, res, err
	}
	sum := sha256.Sum256(res.Body)
	hash := hex.EncodeToString(sum[:])
	if res.NotModified || hash == st.BodyHash {
		if res.MovedTo != "" {
			st.URL = res.MovedTo
		}
		return nil, res, nil
	}
	parseBody := func(res fetch.Result) (*parse.Feed, error) {
		parseAt := func(now time.Time) (*parse.Feed, error) {
			return guarded("parsing feed", func() (*parse.Feed, error) {
				return parse.Parse(res.Body, res.ContentType, res.FinalURL, st.ID, now, pl.popts)
			})
		}
		now := p.stampAt(p.now(), func(at time.Time) []aggregator.Item {
			if feed, err := parseAt(at); err == nil {
				return feed.Items
			}
			return nil
		})
		feed, err := parseAt(now)
		return feed, emptyAnswer(err, res)
	}
	feed, err := parseBody(res)
	var page *parse.HTMLPageError
	switch {
	case errors.As(err, &page) && (page.Alternate == res.FinalURL || page.Alternate == st.URL):
		return nil, res, fmt.Errorf("%w, which is the page itself", err)
	case errors.As(err, &page) && page.Alternate != "":
		pageURL := st.URL
		if res.MovedTo != "" {
			pageURL = res.MovedTo
		}
		res, err = pl.fetcher.Fetch(ctx, fetch.Request{URL: page.Alternate})
		p.holdHost(pl, st, err)
		p.closeRetired(pl)
		if err == nil {
			feed, err = parseBody(res)
		}
		if err != nil {
			// Followed once: a page that links to another page fails here.
			err = untitled(err, res.FinalURL, st)
			return nil, res, fmt.Errorf("feed %s linked from the HTML page at %s: %w", page.Alternate, pageURL, err)
		}
		st.URL = page.Alternate
		if res.MovedTo != "" {
			st.URL = res.MovedTo
		}
		sum = sha256.Sum256(res.Body)
		hash = hex.EncodeToString(sum[:])
	case err != nil:
		return nil, res, untitled(err, res.FinalURL, st)
	case res.MovedTo != "":
		st.URL = res.MovedTo
	}
	if feed == nil || !feed.Cut {
		// A feed that broke off is not the body to compare the next
		// with: the same cut again would be taken as unchanged, with the
		// validators of its answer, which pollSourceGone keeps from a
		// cut feed, and the items after the cut not read until the feed
		// changes.
		st.BodyHash = hash
	}
	return feed, res, nil
}

// untitled returns err, or, when err reports an HTML page at pageURL by
// its title (parse.HTMLPageError) and a redirect led there from the
// source's hosts, err without the title: the web pages show the source's
// error to anyone, and hide such a host, whose page may be on the
// operator's network.
func untitled(err error, pageURL string, st *aggregator.SourceState) error {
	var page *parse.HTMLPageError
	if !errors.As(err, &page) || page.Title == "" {
		return err
	}
	if host := hostName(pageURL); host == hostName(st.URL) || host == hostName(st.ConfigURL) {
		return err
	}
	titled := page.Error()
	page.Title = ""
	return &hiddenError{msg: strings.Replace(err.Error(), titled, page.Error(), 1), err: err}
}

// emptyAnswer returns err, a parse error, with a message that says what the
// server answered when its body was empty or only white space: "the server
// answered 204 No Content, with no feed" tells an operator where to look,
// where "empty document" leaves them to guess whose document. It keeps
// err's kind (parse.ErrNotFeed).
func emptyAnswer(err error, res fetch.Result) error {
	if !errors.Is(err, parse.ErrNotFeed) || strings.TrimSpace(string(res.Body)) != "" {
		return err
	}
	status := fmt.Sprintf("%d %s", res.Status, http.StatusText(res.Status))
	var what string
	switch {
	case res.Status == http.StatusNoContent:
		what = status + ", with no feed"
	case len(res.Body) == 0:
		what = status + " with an empty body, not a feed"
	default:
		what = status + " with a body of only white space, not a feed"
	}
	return &hiddenError{msg: aggregator.RedactURL(res.FinalURL) + ": the server answered " + what, err: err}
}

// failure records err on the source and schedules the next try: Retry-After
// when the server gave one with a 429 or a 503 (rate_limited), else
// exponential backoff; 410 Gone disables the source. It returns the
// outcome's result and error, err with the source's credentials hidden (see
// hideSecrets).
func (p *Poller) failure(st *aggregator.SourceState, err error, now time.Time, iv, maxBackoff time.Duration) (string, error) {
	st.Failures++
	if st.FailingSince.IsZero() {
		st.FailingSince = now
	}
	err = hideSecrets(err, st.URL, st.ConfigURL)
	st.LastError = errorText(err)
	st.LastResult = "error"
	st.LastStatus = 0
	st.RetryAfter = 0
	p.mu.Lock()
	wait := min(jitter(backoff(iv, st.Failures, maxBackoff), p.rnd), maxBackoff)
	p.mu.Unlock()
	var se *fetch.StatusError
	if errors.As(err, &se) {
		st.LastStatus = se.Code
		switch {
		case se.Code == 410:
			st.Disabled = true
			st.LastResult = "gone"
			st.NextDue = time.Time{}
			p.setDue(st.ID, time.Time{})
			return "gone", err
		case se.RetryAfter > 0:
			st.LastResult = "rate_limited"
			wait = max(wait, se.RetryAfter)
			// Kept apart from the backoff, for a reload that reckons
			// the due time anew (rescheduled).
			st.RetryAfter = now.Add(se.RetryAfter).Sub(st.LastFetch)
			// And the host that answered, whose hold (holdHost) a restart
			// finds again there (restoreHolds).
			st.ViaHost = viaHost(st.URL, se.URL)
		}
	}
	st.NextDue = now.Add(wait)
	p.setDue(st.ID, st.NextDue)
	return st.LastResult, err
}

// logFailure logs a failed poll of the source st once, with err as the
// source records it: at warn, or, when err is a panic caught on the way, at
// error with the panic's stack.
func logFailure(ctx context.Context, log *slog.Logger, st aggregator.SourceState, result string, err error) {
	attrs := []any{"feed_url", st.URL, "result", result, "status", st.LastStatus,
		"failures", st.Failures, "next_due", st.NextDue, "err", err}
	if !logPanic(ctx, log, err, "the source is marked failed", attrs...) {
		log.WarnContext(ctx, "fetch failed", attrs...)
	}
}

// maxErrorText is the most bytes of an error a source records. An error
// can quote what the origin sent, such as a redirect's Location of tens of
// kilobytes, and is shown on a line of its own in status and on the web
// page.
const maxErrorText = 1000

// hideSecrets returns err, or, when its message quotes a credential, an
// error that wraps err and whose message gives it as "xxxxx": the password
// of one of the source's URLs (a page discovered on the source, a redirect
// from it), and the password or credential query values of every URL it
// quotes (see aggregator.RedactURL). The recorded error is shown on the web
// pages, logged and printed by tributary poll.
func hideSecrets(err error, urls ...string) error {
	msg := err.Error()
	for _, raw := range urls {
		u, perr := url.Parse(raw)
		if perr != nil || u.User == nil {
			continue
		}
		if pw, ok := u.User.Password(); ok && pw != "" {
			user := u.User.Username()
			for _, s := range []string{u.User.String(), url.UserPassword(user, pw).String(), user + ":" + pw} {
				msg = strings.ReplaceAll(msg, s+"@", user+":"+aggregator.Redacted+"@")
			}
		}
	}
	msg = aggregator.RedactURLs(msg)
	if msg == err.Error() {
		return err
	}
	return &hiddenError{msg: msg, err: err}
}

// hiddenError is an error whose message hides something that the message
// of the error it wraps quotes: credentials (hideSecrets), the title of a
// page on another host (untitled).
type hiddenError struct {
	msg string
	err error
}

func (e *hiddenError) Error() string { return e.msg }
func (e *hiddenError) Unwrap() error { return e.err }

// errorText returns err's message cut to maxErrorText bytes, ending in "…"
// when cut.
func errorText(err error) string {
	msg := err.Error()
	if len(msg) <= maxErrorText {
		return msg
	}
	cut := maxErrorText - len("…")
	for cut > 0 && !utf8.RuneStart(msg[cut]) {
		cut--
	}
	return msg[:cut] + "…"
}

// batcher is a store that can share one transaction among concurrent
// writers (group commit). *store.DB implements it.
type batcher interface {
	Batch(ctx context.Context, fn func(aggregator.Tx) error) error
	SetMaxBatch(n int)
}

// write commits one fetched feed. Where the store can, concurrent fetches
// share a transaction, so one fsync serves several feeds; fn may then run
// more than once and must start from the same values each time.
func (p *Poller) write(ctx context.Context, fn func(aggregator.Tx) error) error {
	if b, ok := p.st.(batcher); ok {
		return b.Batch(ctx, fn)
	}
	return p.st.Update(ctx, fn)
}

// storeRetry is how soon a source is polled again after the store failed
// to take what its poll brought.
const storeRetry = time.Minute

// Sources returns the state of every source the store holds or the poller
// keeps in memory, the latest of each: a state waiting for the next flush,
// or that a failed write left in memory, stands in for the stored one. A
// source whose host is held (holdHost) is due when the hold is over, as
// the scheduler will start it, not at the time it is left waiting past,
// and its Held says why.
func (p *Poller) Sources(ctx context.Context) ([]aggregator.SourceState, error) {
	states, err := p.latest(ctx)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.held) == 0 || p.pl == nil {
		return states, nil
	}
	now := p.now()
	for i := range states {
		st := &states[i]
		j, ok := p.pl.index[st.ID]
		if !ok || st.Disabled {
			continue
		}
		w, host, held := p.heldAt(p.pl, j, now)
		if !held {
			continue
		}
		if end := w.end(p.pl); !st.NextDue.After(end) {
			st.NextDue, st.Held = end, heldReason(host, w)
		}
	}
	return states, nil
}

// Shown is Sources with, besides, a state for each configured source never
// fetched whose host is held, due when the hold is over and saying why: as
// the status table and the web pages show the sources, where such a source
// would read "never fetched", with no time, for as long as the server
// asked its client to wait. A state is not stored for it: the sources that
// a reload binds are those Sources returns.
func (p *Poller) Shown(ctx context.Context) ([]aggregator.SourceState, error) {
	states, err := p.Sources(ctx)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.held) == 0 || p.pl == nil {
		return states, nil
	}
	known := make(map[string]bool, len(states))
	for _, st := range states {
		known[st.ID] = true
	}
	now := p.now()
	for i, id := range p.pl.ids {
		if known[id] {
			continue
		}
		w, host, held := p.heldAt(p.pl, i, now)
		if !held {
			continue
		}
		known[id] = true
		src := p.pl.cfg.Sources[i]
		states = append(states, aggregator.SourceState{ID: id, ConfigURL: src.URL, URL: src.URL, Name: src.Name,
			NextDue: w.end(p.pl), Held: heldReason(host, w)})
	}
	return states, nil
}

// ShownStored is Shown as a scheduler started on the store would show the
// sources: the hosts held again from the waits that the stored states
// record (restoreHolds), as a start holds them. It is for a reader of the
// store while no daemon runs (tributary status), where holds in memory
// are none: a source never fetched on a held host would read "never
// fetched", and one fetched before due before the hold is over. It writes
// nothing, and is meant for a Poller that runs no poll.
func (p *Poller) ShownStored(ctx context.Context) ([]aggregator.SourceState, error) {
	states, err := p.st.Sources(ctx)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	for _, st := range states {
		// As loadDue reads it: a source that moved is held by its new
		// host, unless its URL was edited since (ConfiguredAt), which
		// is fetched there.
		src, ok := p.pl.source(st.ID)
		if !ok {
			continue
		}
		if s := st.ConfiguredAt(src.URL); s.URL != "" && s.URL != src.URL {
			if _, seen := p.moved[st.ID]; !seen {
				p.moved[st.ID] = hostName(s.URL)
			}
		}
	}
	p.restoreHolds(p.pl, states)
	p.mu.Unlock()
	return p.Shown(ctx)
}

// heldReason is the Held of a source that the hold w of host keeps
// waiting, in the words of the skipped line of a poll.
func heldReason(host string, w hold) string { return "host " + host + " held: " + w.reason }

// latest returns the state of every source, those in memory standing in
// for the stored ones (Sources).
func (p *Poller) latest(ctx context.Context) ([]aggregator.SourceState, error) {
	stored, err := p.st.Sources(ctx)
	if err != nil {
		return nil, err
	}
	p.pendMu.Lock()
	defer p.pendMu.Unlock()
	if len(p.pending) == 0 && len(p.writing) == 0 {
		return stored, nil
	}
	latest := func(id string) (aggregator.SourceState, bool) {
		if st, ok := p.pending[id]; ok {
			return st, true
		}
		st, ok := p.writing[id]
		return st, ok
	}
	seen := make(map[string]bool, len(stored))
	for i, st := range stored {
		seen[st.ID] = true
		if mem, ok := latest(st.ID); ok {
			stored[i] = mem
		}
	}
	for _, m := range []map[string]aggregator.SourceState{p.pending, p.writing} {
		for id := range m {
			if !seen[id] {
				seen[id] = true
				st, _ := latest(id)
				stored = append(stored, st)
			}
		}
	}
	return stored, nil
}

// flushAt is how many buffered source states make save flush at once.
const flushAt = 256

// save buffers the source state alone (no items) for the next flush and
// schedules the source.
func (p *Poller) save(ctx context.Context, st *aggregator.SourceState, log *slog.Logger) {
	p.pendMu.Lock()
	p.pending[st.ID] = *st
	full := len(p.pending) >= flushAt
	p.pendMu.Unlock()
	if full {
		p.flush(ctx)
	}
	if !st.Disabled {
		p.setDue(st.ID, st.NextDue)
	}
}

// flush writes every buffered source state in one transaction.
func (p *Poller) flush(ctx context.Context) {
	p.flushMu.Lock()
	defer p.flushMu.Unlock()
	p.pendMu.Lock()
	if len(p.pending) == 0 {
		p.pendMu.Unlock()
		return
	}
	n := len(p.pending)
	p.writing = p.pending
	p.pending = make(map[string]aggregator.SourceState, n)
	p.pendMu.Unlock()
	defer func() {
		p.pendMu.Lock()
		p.writing = nil
		p.pendMu.Unlock()
	}()
	err := p.st.Update(context.WithoutCancel(ctx), func(tx aggregator.Tx) error {
		// The states to write are read only now, while this transaction
		// holds the store's one writer: a fetched feed that took its
		// source's older state out (supersede) before this point is left
		// out, and one that takes it out later commits its newer state
		// after this commits. An older state never lands on a newer one.
		p.pendMu.Lock()
		states := slices.Collect(maps.Values(p.writing))
		p.pendMu.Unlock()
		for _, st := range states {
			if err := tx.PutSource(st); err != nil {
				return err
			}
		}
		return nil
	})
	p.wrote(err)
	if err != nil {
		p.log.ErrorContext(ctx, "saving source states", "sources", n, "err", err)
		// The states wait for the next flush, unless a newer one of the
		// same source came meanwhile.
		p.pendMu.Lock()
		for id, st := range p.writing {
			if _, newer := p.pending[id]; !newer {
				p.pending[id] = st
			}
		}
		p.pendMu.Unlock()
	}
}

// supersede drops the source's buffered state, waiting or being flushed,
// before a transaction writes a newer one: a flush that has taken the
// older state but not yet written it leaves it out.
func (p *Poller) supersede(id string) {
	p.pendMu.Lock()
	defer p.pendMu.Unlock()
	delete(p.pending, id)
	delete(p.writing, id)
}

// state returns the source's latest state: buffered, else stored.
func (p *Poller) state(ctx context.Context, id string) (aggregator.SourceState, error) {
	p.pendMu.Lock()
	st, ok := p.pending[id]
	if !ok {
		st, ok = p.writing[id]
	}
	p.pendMu.Unlock()
	if ok {
		return st, nil
	}
	return p.st.Source(ctx, id)
}

// setLastSuccess sets the source's last-success series, under its current
// name: the series of a name it had before goes, or a feed retitling
// itself at every poll, or an operator renaming sources, would grow the
// metrics without end. A source that a reload removed during its poll
// gets none.
func (p *Poller) setLastSuccess(id, name string, t time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.pl.has(id) {
		return
	}
	p.setSeries(id, name, t)
}

// setSeries sets the source's last-success series; p.mu is held.
func (p *Poller) setSeries(id, name string, t time.Time) {
	if old, ok := p.series[id]; !ok || old != name {
		if ok {
			p.dropSeries(id)
		}
		p.series[id] = name
		p.named[name]++
	}
	p.m.lastSuccess.WithLabelValues(name).Set(float64(t.Unix()))
}

// dropSeries forgets the source's last-success series, and deletes it
// unless another source carries the same name; p.mu is held.
func (p *Poller) dropSeries(id string) {
	name, ok := p.series[id]
	if !ok {
		return
	}
	delete(p.series, id)
	if p.named[name]--; p.named[name] > 0 {
		return
	}
	delete(p.named, name)
	p.m.lastSuccess.DeleteLabelValues(name)
}

func (p *Poller) setDue(id string, t time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if t.IsZero() {
		delete(p.due, id)
		return
	}
	p.due[id] = t
}

// displayName is the configured name, else the feed's title, else the
// host, path and query of its URL (aggregator.URLName): several feeds of
// one host that were never read (a newspaper's sections behind a proxy
// that refuses them all) are told apart in status and the log, and a token
// in the query reads "xxxxx".
func displayName(src aggregator.SourceConfig, st aggregator.SourceState) string {
	switch {
	case src.Name != "":
		return src.Name
	case st.Title != "":
		return st.Title
	}
	return aggregator.URLName(src.URL)
}

// Notifiers tells each of its members, in order.
type Notifiers []Notifier

// Changed implements Notifier.
func (ns Notifiers) Changed(topics ...string) {
	for _, n := range ns {
		n.Changed(topics...)
	}
}

// retag re-decides the topics of every stored story with the configuration
// of pl, after a reload changed topics or source tags, in batches of a few
// hundred stories per transaction, and tells the notifier which topics
// changed. It returns how many stories it looked at.
func (p *Poller) retag(ctx context.Context, pl *pipeline) (int, error) {
	ids, err := p.st.StoryIDs(ctx)
	if err != nil {
		return 0, fmt.Errorf("listing stories: %w", err)
	}
	const batch = 500
	changed := map[string]bool{}
	// The topics that the batches committed changed are published anew
	// though a later batch fails: the retry finds those stories decided
	// already, and would leave their feeds as they were.
	defer func() {
		if len(changed) > 0 && p.notify != nil {
			p.notify.Changed(slices.Collect(maps.Keys(changed))...)
		}
	}()
	for start := 0; start < len(ids); start += batch {
		chunk := ids[start:min(start+batch, len(ids))]
		var topics []string
		err := p.st.Update(ctx, func(tx aggregator.Tx) error {
			var err error
			topics, err = pl.ing.Retag(tx, p.now(), chunk...)
			return err
		})
		if err != nil {
			return start, fmt.Errorf("retagging stories: %w", err)
		}
		for _, t := range topics {
			changed[t] = true
		}
	}
	return len(ids), nil
}
