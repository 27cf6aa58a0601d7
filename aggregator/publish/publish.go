// Package publish renders Tributary's topics as RSS 2.0, Atom 1.0 and JSON
// Feed 1.1 documents with gorilla/feeds, caches the bytes per topic and
// format until the topic changes, and serves them, with the web pages, the
// OPML list and the health check, over HTTP.
//
// A published feed holds one entry per story, newest first, ties broken by
// story id, so that the same stored data always gives the same bytes and the
// same ETag. The entry's id is a URN made of the story id
// (urn:tributary:story:<id>), which no later item of the story changes.
//
// gorilla/feeds v1.2.0 is used for what it does well (the document structs
// and their mapping) and worked around where its output falls short:
//
//   - every item gets an Id, a Created and an Updated time and its HTML in
//     Content, so RSS items get a <guid>, JSON Feed items an id and
//     content_html, and Atom entries a stable id and a valid <updated>;
//   - the feed gets an author, as RFC 4287 requires of a feed whose entries
//     may lack one;
//   - the library has no per-item categories and writes Atom's single
//     category without its required term attribute, and it has no self,
//     hub or next links: the rendered AtomFeed, RssFeed and JSONFeed values
//     are wrapped in small structs that add repeated <category term="…"/>
//     (Atom), <category> (RSS), "tags" (JSON Feed), one author per person
//     (Atom's <author>, RSS's dc:creator, as RSS's <author> must be an
//     e-mail address, JSON Feed's authors), atom:link (RSS) and the links;
//   - an RSS item without a link gets no <link>, where the library writes an
//     empty one;
//   - the library gives an item one enclosure, and none to JSON Feed: every
//     enclosure of the face item becomes an Atom rel="enclosure" link and a
//     JSON Feed attachment (with mime_type and size_in_bytes), the first
//     one RSS's <enclosure>;
//   - RSS titles, dc:creator and categories, plain text, write &, < and >
//     as &#x26;, &#x3C; and &#x3E;, which the most readers decode the same;
//   - every string is cleaned of invalid UTF-8 and of the control characters
//     that XML 1.0 forbids before it reaches the encoder.
//
// Paging follows RFC 5005: /topics/{id}.atom?before=<cursor> serves the
// entries older than the cursor, and every full page links to the next older
// one (Atom and RSS rel="next", JSON Feed next_url). The first page is the
// cached one; older pages are kept too, the last asked for, within a
// budget of bytes. A topic's max_per_source cap applies to each page on its
// own; a story it skipped is not shown on a later page either. The HTML pages (/ and /topics/{id})
// show the same cached first pages.
//
// An entry is published at its story's Time, the earliest date of its
// items that name no original, else of all its items, unless a source
// dated the story later than it came in: it is then published at its
// arrival, so that no feed announces a time still to come.
//
// A first page's Last-Modified (older pages have an ETag alone) is the
// newest Updated among its stories, or, when a change moved no story's
// Updated (a source renamed, a story leaving the topic, a reload that
// changed a title) yet changed the bytes, the time of that change; never
// earlier than the settings it was rendered with took effect, as the store
// recorded it (SettingsSince), so that a restart with an edited config
// dates its new bytes too; never a time later than the response's, and
// never an earlier one than the same bytes were served with, across a
// restart too: the date each feed was served with last is kept in the
// store with its bytes' tag (recordServed), so that after a restart those
// bytes keep it and others are dated later. A feed that changed twice within a second keeps
// the date its first version was served with, which then earns no 304,
// until a request in a later second dates it anew. If-None-Match is
// preferred whenever a client sends both.
package publish

import (
	"context"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/tributary-feeds/tributary/aggregator"
)

// DefaultLimit is the number of entries of a topic feed whose limit is not set.
const DefaultLimit = 50

// headlinesPerTopic is the number of stories the front page shows per topic.
const headlinesPerTopic = 5

// Publisher renders and serves the topic feeds. Its methods are safe for
// concurrent use.
type Publisher struct {
	store  aggregator.Store
	logger *slog.Logger
	m      *metrics

	now     atomic.Pointer[func() time.Time]
	state   atomic.Pointer[state]
	rates   rateCache     // the front page's items per day
	front   pageCache     // the front page
	older   *olderCache   // the older pages last asked for
	serials atomic.Uint64 // the last topicCache serial given

	// since is when the settings the feeds are rendered with last changed,
	// as recorded in the store (SettingsSince); the zero time until then.
	since atomic.Pointer[settingsTime]

	served servedRecords // the first pages' dates as served, on their way to the store
}

// state is one configuration's view: its topics and their caches. SetConfig
// swaps it as a whole, so a reload drops every cached byte at once.
type state struct {
	cfg    *aggregator.Config
	base   string // server.base_url without a trailing slash
	hubs   []string
	lang   string        // publish.language: the language of a topic that gives none
	topics []*topicCache // in configuration order
	byID   map[string]*topicCache
	names  map[string]string // source id → configured name

	opml struct { // the OPML list, written once (opmlDoc)
		once sync.Once
		doc  *generated
		err  error
	}
}

// topicCache holds a topic's rendered first page in every format. gen counts
// the changes announced by Changed; a cached value is fresh while it was
// built at the current gen.
type topicCache struct {
	cfg     aggregator.TopicConfig
	serial  uint64 // tells apart the caches of every configuration (olderKey)
	gen     atomic.Uint64
	pageMu  sync.Mutex
	page    atomic.Pointer[cachedPage]
	formats [numFormats]formatCache
	counts  [numFormats]requestCounters
	html    pageCache // the first page of /topics/{id}

	// failed is set while the topic's first page cannot be read from the
	// store: /healthz reports it until a read passes.
	failed atomic.Pointer[readFailure]
}

// readFailure is why a topic's first page could not be read, and since when.
type readFailure struct {
	since time.Time
	err   error
}

// requestCounters are a topic and format's metric series, looked up once.
type requestCounters struct {
	ok, notModified, notModifiedTotal prometheus.Counter
}

type cachedPage struct {
	gen  uint64
	page *page
}

type formatCache struct {
	mu  sync.Mutex
	cur atomic.Pointer[rendered]
}

// rendered is one format's bytes of one page, ready to serve: the plain
// and the gzip variant, each with its response headers built once.
type rendered struct {
	gen      uint64
	plain    variant
	gz       variant
	modified time.Time // zero when the page is empty
	links    []string  // the Link header's values, or nil

	// shared is set when other bytes were served with the same
	// Last-Modified, the feed having changed twice within one second: a
	// date a client sends back cannot tell which it holds, so it earns no
	// 304 until the document is given a later date of its own (settle).
	shared bool
}

// variant is one content coding of a rendered document. Its header values
// are slices of length and capacity 1, shared by every response: a handler
// that adds a value appends to a copy, never to them.
type variant struct {
	body     []byte
	etag     string // strong: a digest of the uncompressed bytes, marked per coding
	header   http.Header
	notModOK http.Header // the headers of a 304
}

// New returns a Publisher of the given topics (the built-in "all" among
// them), reading stories from st. Its metrics are registered on reg unless
// reg is nil. A nil logger discards logs.
func New(cfg *aggregator.Config, st aggregator.Store, topics []aggregator.TopicConfig, reg prometheus.Registerer, logger *slog.Logger) *Publisher {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	p := &Publisher{
		store:  st,
		logger: logger.With("component", "publish"),
		older:  newOlderCache(),
	}
	p.m = newMetrics(reg, p.logger)
	now := time.Now
	p.now.Store(&now)
	p.SetConfig(cfg, topics)
	return p
}

// SetClock sets the clock the web pages judge source states by (backing off
// until a time still to come). The default is time.Now.
func (p *Publisher) SetClock(now func() time.Time) { p.now.Store(&now) }

func (p *Publisher) clock() time.Time {
	if now := p.now.Load(); now != nil {
		return (*now)()
	}
	return time.Now()
}

// SetConfig replaces the configuration and the topics, after a reload. Every
// cached feed is dropped and rebuilt on its next request.
func (p *Publisher) SetConfig(cfg *aggregator.Config, topics []aggregator.TopicConfig) {
	if cfg == nil {
		cfg = &aggregator.Config{}
	}
	s := &state{
		cfg:   cfg,
		base:  baseURL(cfg),
		hubs:  publishedHubs(cfg.Publish.Hubs),
		lang:  cfg.Publish.Language,
		byID:  make(map[string]*topicCache, len(topics)),
		names: make(map[string]string, len(cfg.Sources)),
	}
	for _, src := range cfg.Sources {
		if src.Name != "" {
			s.names[src.SourceID()] = src.Name
		}
	}
	old := p.state.Load()
	for _, t := range topics {
		if _, dup := s.byID[t.ID]; dup || t.ID == "" {
			continue
		}
		if t.Limit <= 0 {
			t.Limit = DefaultLimit
		}
		tc := &topicCache{cfg: t, serial: p.serials.Add(1)}
		for f := range numFormats {
			tc.counts[f] = requestCounters{
				ok:               p.m.requests.WithLabelValues(t.ID, f.String(), "200"),
				notModified:      p.m.requests.WithLabelValues(t.ID, f.String(), "304"),
				notModifiedTotal: p.m.notModified.WithLabelValues(t.ID, f.String()),
			}
		}
		if prev := old.topicCache(t.ID); prev != nil {
			// The documents served so far stay, stale, for the first render
			// to compare with: one the new configuration changes (a title,
			// a source's name, base_url) gets a new Last-Modified, though no
			// story's Updated moved. Each copy has generation 0, which the
			// new cache never has: a request still on the old topics may
			// render one at the generation read here, after a Changed, and
			// it must not pass for a document of the new configuration.
			tc.gen.Store(prev.gen.Load() + 1)
			// A topic that could not be read is still reported by
			// /healthz, which reads it again, rather than forgotten
			// until a reader asks for it.
			tc.failed.Store(prev.failed.Load())
			for f := range numFormats {
				if r := prev.formats[f].cur.Load(); r != nil {
					stale := *r
					stale.gen = 0
					tc.formats[f].cur.Store(&stale)
				}
			}
		}
		s.topics = append(s.topics, tc)
		s.byID[t.ID] = tc
	}
	p.state.Store(s)
	p.older.clear()
	// A topic the reload removed takes its request series with it, or every
	// topic ever configured would keep its series while the daemon runs.
	if old != nil {
		for _, tc := range old.topics {
			if s.byID[tc.cfg.ID] == nil {
				p.m.requests.DeletePartialMatch(prometheus.Labels{"topic": tc.cfg.ID})
				p.m.notModified.DeletePartialMatch(prometheus.Labels{"topic": tc.cfg.ID})
			}
		}
	}
}

// topicLabel is the metric label of topic id: itself while it is
// configured, else unknownTopicLabel, so that a request still served under
// a configuration a reload replaced adds no series of a topic removed.
func (p *Publisher) topicLabel(id string) string {
	if p.state.Load().byID[id] == nil {
		return unknownTopicLabel
	}
	return id
}

// topicCache returns the cache of topic id, or nil; s may be nil.
func (s *state) topicCache(id string) *topicCache {
	if s == nil {
		return nil
	}
	return s.byID[id]
}

// Changed marks the cached feeds of the given topics stale, after an ingest
// commit changed them; with no topics, every topic is marked. Each is
// rebuilt once, on its next request. Unknown topics are ignored.
func (p *Publisher) Changed(topics ...string) {
	s := p.state.Load()
	if len(topics) == 0 {
		for _, tc := range s.topics {
			tc.gen.Add(1)
		}
		return
	}
	for _, id := range topics {
		if tc := s.byID[id]; tc != nil {
			tc.gen.Add(1)
		}
	}
}

// firstPage returns the topic's first page at the current gen, building it
// once however many requests ask at the same time.
func (p *Publisher) firstPage(ctx context.Context, s *state, tc *topicCache) (*page, uint64, error) {
	gen := tc.gen.Load()
	if c := tc.page.Load(); c != nil && c.gen == gen {
		return c.page, gen, nil
	}
	tc.pageMu.Lock()
	defer tc.pageMu.Unlock()
	gen = tc.gen.Load() // read before the store: a Changed during the read makes this page stale
	if c := tc.page.Load(); c != nil && c.gen == gen {
		return c.page, gen, nil
	}
	// The page is shared by every waiting request: one client going away
	// must not fail the build for the others.
	pg, err := p.buildPage(context.WithoutCancel(ctx), s, tc.cfg, nil)
	if err != nil {
		since := p.clock()
		if f := tc.failed.Load(); f != nil {
			since = f.since
		}
		tc.failed.Store(&readFailure{since: since, err: err})
		return nil, 0, err
	}
	tc.failed.Store(nil)
	tc.page.Store(&cachedPage{gen: gen, page: pg})
	return pg, gen, nil
}

// cached returns the topic's first page rendered in format f, rendering it
// at most once per change of the topic.
func (p *Publisher) cached(ctx context.Context, s *state, tc *topicCache, f format) (*rendered, error) {
	fc := &tc.formats[f]
	gen := tc.gen.Load()
	if r := fc.cur.Load(); r != nil && r.gen == gen && !r.shared {
		return r, nil
	}
	fc.mu.Lock()
	defer fc.mu.Unlock()
	pg, gen, err := p.firstPage(ctx, s, tc)
	if err != nil {
		return nil, err
	}
	if r := fc.cur.Load(); r != nil && r.gen == gen {
		return p.settle(tc, f, r), nil
	}
	var prev served
	havePrev := false
	if c := fc.cur.Load(); c != nil {
		prev, havePrev = served{etag: c.plain.etag, modified: c.modified, shared: c.shared}, true
	} else {
		// The first document since the start: the one served last
		// before it, as the store recorded it.
		prev, havePrev = p.lastServed(ctx, tc.cfg.ID, f)
	}
	r, err := p.renderServed(s, pg, f, havePrev)
	if err != nil {
		return nil, err
	}
	if havePrev {
		switch {
		case prev.etag == r.plain.etag:
			// The same bytes keep the Last-Modified they were served with:
			// moving it back would let a later change fall before a date
			// a client already holds.
			r.restamp(f, prev.modified)
			r.shared = prev.shared
		case !r.modified.After(prev.modified):
			// The bytes changed but no story's Updated moved past the date
			// served last (a story left the topic, a source was renamed,
			// or the feed changed twice within a second): a client that
			// sends only If-Modified-Since must still get the new document.
			now := p.clock().Truncate(time.Second)
			r.shared = !now.After(prev.modified)
			if r.shared {
				now = prev.modified
			}
			r.restamp(f, now)
		}
	}
	r.gen = gen
	fc.cur.Store(r)
	if !havePrev || prev != (served{etag: r.plain.etag, modified: r.modified, shared: r.shared}) {
		p.recordServed(tc.cfg.ID, f, r)
	}
	return p.settle(tc, f, r), nil
}

// settle gives r, the current document of fc, a Last-Modified of its own
// once the clock has passed the one it shares with other bytes served
// before, and returns the document to serve. Its formatCache's mu is held.
func (p *Publisher) settle(tc *topicCache, f format, r *rendered) *rendered {
	if !r.shared {
		return r
	}
	now := p.clock().Truncate(time.Second)
	if !now.After(r.modified) {
		return r
	}
	settled := *r
	settled.restamp(f, now)
	settled.shared = false
	tc.formats[f].cur.Store(&settled)
	p.recordServed(tc.cfg.ID, f, &settled)
	return &settled
}

// restamp gives r a new Last-Modified.
func (r *rendered) restamp(f format, modified time.Time) {
	r.modified = modified
	r.plain = newVariant(f, r.plain.body, r.plain.etag, "", modified, r.links)
	r.gz = newVariant(f, r.gz.body, r.gz.etag, "gzip", modified, r.links)
}

// publishedHubs returns the WebSub hubs as the feeds and their Link
// headers name them: as links are published (safeLink), without the user
// name and password that the pings to a hub may carry, which every reader
// would be shown, and with the bytes a URI cannot hold percent-encoded, as
// a Link header's <…> ends at the first '>'. A hub with no such form is
// left out; it is pinged all the same.
func publishedHubs(hubs []string) []string {
	var out []string
	for _, h := range cleanList(hubs) {
		if l := safeLink(strings.ReplaceAll(h, " ", "%20")); l != "" && !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	return out
}

// baseURL is the absolute URL prefix of every link Tributary publishes.
func baseURL(cfg *aggregator.Config) string {
	b := strings.TrimRight(strings.TrimSpace(cfg.Server.BaseURL), "/")
	if b == "" {
		listen := cfg.Server.Listen
		if listen == "" {
			listen = "127.0.0.1:8080"
		}
		b = "http://" + listen
	}
	return xmlText(b)
}
