package publish_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/ingest"
	"github.com/tributary-feeds/tributary/aggregator/publish"
	"github.com/tributary-feeds/tributary/aggregator/topic"
	"github.com/tributary-feeds/tributary/store"
)

// live is a publisher over a store that the real ingest path fills, with a
// clock the test moves: the daemon's serve and poll halves, without the
// network.
type live struct {
	db     *store.DB
	cfg    *aggregator.Config
	topics []aggregator.TopicConfig
	in     *ingest.Ingester
	pub    *publish.Publisher
	reg    *prometheus.Registry
	srv    *httptest.Server
	hooked *hookStore

	mu  sync.Mutex
	now time.Time
}

var (
	liveWire  = source("https://wire.test/feed.xml", "Wire")
	livePaper = source("https://paper.test/rss", "Paper")
	liveThird = source("https://third.test/feed", "Third")
)

// liveTopics are the topics of a live publisher: volcano takes the stories
// that name the volcano.
func liveTopics(limit int) []aggregator.TopicConfig {
	return []aggregator.TopicConfig{
		{ID: aggregator.AllTopic, Title: "Everything", Limit: limit},
		{ID: "volcano", Title: "Volcano", Limit: limit, Match: aggregator.MatchConfig{Any: []string{"volcano"}}},
	}
}

func newLive(tb testing.TB, topics []aggregator.TopicConfig) *live {
	tb.Helper()
	l := &live{db: mustOpen(tb), reg: prometheus.NewRegistry(), now: t0}
	l.cfg = &aggregator.Config{
		Server:  aggregator.ServerConfig{Listen: "127.0.0.1:0", BaseURL: testBase},
		Sources: []aggregator.SourceConfig{{URL: liveWire.URL, Name: liveWire.Name}, {URL: livePaper.URL, Name: livePaper.Name}, {URL: liveThird.URL, Name: liveThird.Name}},
	}
	l.reload(tb, topics)
	l.hooked = &hookStore{Store: l.db}
	l.pub = publish.New(l.cfg, l.hooked, l.topics, l.reg, nil)
	l.pub.SetClock(l.clock)
	l.srv = httptest.NewServer(l.pub.Handler(nil))
	tb.Cleanup(l.srv.Close)
	return l
}

// reload compiles the topics and makes the ingester use them, as a reload
// does; the publisher is told by the caller (SetConfig), and the stored
// stories are retagged by retag.
func (l *live) reload(tb testing.TB, topics []aggregator.TopicConfig) {
	tb.Helper()
	l.cfg.Topics = topics
	set, err := topic.Compile(topics, l.cfg.Sources)
	if err != nil {
		tb.Fatalf("topic.Compile: %v", err)
	}
	l.topics = set.Topics()
	l.in = ingest.New(l.cfg, set)
}

// hookStore is the store as the publisher sees it; onStory, when set,
// runs before each story a topic read yields, as if other work committed
// while the publisher reads.
type hookStore struct {
	aggregator.Store
	onStory func(n int, st aggregator.Story)
}

func (h *hookStore) TopicStories(ctx context.Context, topic string, before time.Time, fn func(aggregator.Story, []aggregator.Item) bool) error {
	hook := h.onStory
	n := 0
	return h.Store.TopicStories(ctx, topic, before, func(st aggregator.Story, items []aggregator.Item) bool {
		if hook != nil {
			hook(n, st)
		}
		n++
		return fn(st, items)
	})
}

func (l *live) clock() time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.now
}

// advance moves the clock on by d.
func (l *live) advance(d time.Duration) {
	l.mu.Lock()
	l.now = l.now.Add(d)
	l.mu.Unlock()
}

// fetched files items of src as one fetch seen now and tells the
// publisher, as the poller does after its commit.
func (l *live) fetched(tb testing.TB, src aggregator.SourceState, items ...aggregator.Item) ingest.Result {
	tb.Helper()
	now := l.clock()
	for i := range items {
		items[i].FirstSeen = now
	}
	var res ingest.Result
	err := l.db.Update(tb.Context(), func(tx aggregator.Tx) error {
		var err error
		if res, err = l.in.Apply(tx, src, items); err != nil {
			return err
		}
		return tx.PutSource(src)
	})
	if err != nil {
		tb.Fatalf("ingest: %v", err)
	}
	if len(res.Topics) > 0 {
		l.pub.Changed(res.Topics...)
	}
	return res
}

// retag re-decides every stored story's topics, as a reload does.
func (l *live) retag(tb testing.TB) {
	tb.Helper()
	ids, err := l.db.StoryIDs(tb.Context())
	if err != nil {
		tb.Fatal(err)
	}
	var changed []string
	err = l.db.Update(tb.Context(), func(tx aggregator.Tx) error {
		changed, err = l.in.Retag(tx, l.clock(), ids...)
		return err
	})
	if err != nil {
		tb.Fatalf("Retag: %v", err)
	}
	if len(changed) > 0 {
		l.pub.Changed(changed...)
	}
}

// prune deletes the stories older than cutoff and tells the publisher.
func (l *live) prune(tb testing.TB, cutoff time.Time) int {
	tb.Helper()
	n, err := l.db.Prune(tb.Context(), cutoff)
	if err != nil {
		tb.Fatalf("Prune: %v", err)
	}
	if n > 0 {
		l.pub.Changed()
	}
	return n
}

// newsItem builds a normalised item of source s, as the parser would.
func newsItem(s aggregator.SourceState, guid, title, summary string, published time.Time) aggregator.Item {
	link := s.URL[:len(s.URL)-len("feed.xml")] + guid
	return aggregator.Item{
		ID: aggregator.ItemID(s.ID, guid), SourceID: s.ID, GUID: link, Link: link, CanonicalLink: link,
		Title: title, Summary: summary, Published: published, Dated: true, Hash: title + "\x00" + summary,
	}
}

// fetch requests path from the live server with the given headers.
func (l *live) fetch(tb testing.TB, path string, header map[string]string) (*http.Response, []byte) {
	tb.Helper()
	req, err := http.NewRequestWithContext(tb.Context(), http.MethodGet, l.srv.URL+path, nil)
	if err != nil {
		tb.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := client.Do(req)
	if err != nil {
		tb.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatalf("GET %s: %v", path, err)
	}
	if resp.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			tb.Fatalf("GET %s: gzip: %v", path, err)
		}
		if body, err = io.ReadAll(zr); err != nil {
			tb.Fatalf("GET %s: gzip: %v", path, err)
		}
	}
	return resp, body
}

var entryIDPattern = regexp.MustCompile(`urn:tributary:story:[^<"\s]+`)

// entryIDs returns the story ids of a feed document's entries, in order.
func entryIDs(body []byte) []string {
	var out []string
	for _, m := range entryIDPattern.FindAll(body, -1) {
		out = append(out, string(m[len("urn:tributary:story:"):]))
	}
	return out
}

// reader is one subscriber polling one document: it keeps what it was
// last given and revalidates it the way its kind of client does.
type reader struct {
	path   string
	gzip   bool
	by     string // "etag" sends If-None-Match only, "date" If-Modified-Since only
	etag   string
	lm     string
	lmTime time.Time
	body   []byte
}

// poll revalidates and checks the answer against the document's current
// bytes: 304 only when they did not change, Last-Modified never going
// back, one ETag never naming two documents, no entry twice.
func (r *reader) poll(tb testing.TB, l *live, etags map[string][32]byte, step string) {
	tb.Helper()
	h := map[string]string{}
	if r.gzip {
		h["Accept-Encoding"] = "gzip"
	}
	// The bytes now, unconditionally.
	cur, want := l.fetch(tb, r.path, h)
	if cur.StatusCode != http.StatusOK {
		tb.Fatalf("%s: GET %s = %d", step, r.path, cur.StatusCode)
	}
	switch {
	case r.body == nil:
	case r.by == "etag":
		h["If-None-Match"] = r.etag
	case r.by == "date":
		h["If-Modified-Since"] = r.lm
	}
	resp, body := l.fetch(tb, r.path, h)
	switch resp.StatusCode {
	case http.StatusNotModified:
		if r.body == nil {
			tb.Fatalf("%s: %s: 304 to an unconditional GET", step, r.path)
		}
		if !bytes.Equal(r.body, want) {
			tb.Errorf("%s: %s (gzip %v, by %s): 304 although the document changed\nheld: %s\nnow: %s", step, r.path, r.gzip, r.by, entryIDs(r.body), entryIDs(want))
		}
		return
	case http.StatusOK:
	default:
		tb.Fatalf("%s: %s: %d", step, r.path, resp.StatusCode)
	}
	etag, lm := resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
	sum := sha256.Sum256(body)
	if prev, ok := etags[etag]; ok && prev != sum {
		tb.Errorf("%s: %s: ETag %s names two different documents", step, r.path, etag)
	}
	etags[etag] = sum
	if lm != "" {
		t, err := http.ParseTime(lm)
		if err != nil {
			tb.Fatalf("%s: %s: Last-Modified %q: %v", step, r.path, lm, err)
		}
		if t.Before(r.lmTime) {
			tb.Errorf("%s: %s: Last-Modified went back from %s to %s", step, r.path, r.lm, lm)
		}
		if t.After(l.clock()) {
			tb.Errorf("%s: %s: Last-Modified %s is later than now, %s", step, r.path, lm, l.clock().Format(http.TimeFormat))
		}
		r.lmTime = t
	}
	ids := entryIDs(body)
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			tb.Errorf("%s: %s: entry %s twice", step, r.path, id)
		}
		seen[id] = true
	}
	r.etag, r.lm, r.body = etag, lm, body
}

// readers returns a reader of every topic, format, coding and kind.
func readers(topics ...string) []*reader {
	var out []*reader
	for _, t := range topics {
		for _, ext := range []string{".rss", ".atom", ".json"} {
			for _, gz := range []bool{false, true} {
				for _, by := range []string{"etag", "date"} {
					out = append(out, &reader{path: "/topics/" + t + ext, gzip: gz, by: by})
				}
			}
		}
	}
	return out
}

// The items of the merge scenario: a and b resemble each other too little
// to join, c resembles both, and the two stories merge into a's.
var (
	volcanoA = newsItem(liveWire, "volcano", "Volcano erupts near Grindavik, lava flows toward town",
		"Residents of Grindavik were evacuated as lava flowed from a fissure north of the town.", t0)
	volcanoB = newsItem(livePaper, "ash", "Iceland grounds flights as Grindavik volcano spreads ash",
		"Ash from the volcano near Grindavik closed Keflavik airport and grounded flights across Iceland.", t0.Add(time.Hour))
	volcanoC = newsItem(liveThird, "eruption", "Volcano erupts near Grindavik, lava flows toward the town",
		"Ash from the Grindavik volcano has closed Keflavik airport, grounding flights across Iceland.", t0.Add(2*time.Hour))
)

// TestReadersOverTime polls every topic, format and coding, by ETag and by
// date, through ingests, a merge, a change of face, a retag, a prune and
// reloads, some of them within one second.
func TestReadersOverTime(t *testing.T) {
	l := newLive(t, liveTopics(0))
	l.advance(3 * time.Hour)
	rs := readers(aggregator.AllTopic, "volcano")
	etags := map[string][32]byte{}
	pollAll := func(step string) {
		t.Helper()
		for _, r := range rs {
			r.poll(t, l, etags, step)
		}
	}
	budget := newsItem(livePaper, "budget", "Budget passes senate after a long night",
		"Lawmakers voted late to pass the budget, which funds schools and roads.", t0.Add(150*time.Minute))

	steps := []struct {
		name    string
		advance time.Duration
		do      func()
	}{
		{"first ingest", 0, func() { l.fetched(t, liveWire, volcanoA); l.fetched(t, livePaper, budget) }},
		{"a new story", 10 * time.Second, func() { l.fetched(t, livePaper, volcanoB) }},
		{"a merge in the same second", 0, func() { l.fetched(t, liveThird, volcanoC) }},
		{"nothing", 0, func() { l.pub.Changed() }},
		{"an earlier original, in the same second", 0, func() {
			d := newsItem(liveThird, "original", "Volcano erupts near Grindavik",
				"Residents of Grindavik were evacuated as lava flowed from a fissure north of the town. The eruption began at night.", t0.Add(-time.Hour))
			d.GUID = volcanoA.Link
			l.fetched(t, liveThird, d)
		}},
		{"a retag", 3 * time.Second, func() {
			topics := liveTopics(0)
			topics[1].Match.Any = []string{"budget"}
			l.reload(t, topics)
			l.pub.SetConfig(l.cfg, l.topics)
			l.retag(t)
		}},
		{"a prune in the same second", 0, func() {
			// Every volcano item is older than the cutoff, the budget not.
			if n := l.prune(t, t0.Add(2*time.Hour+time.Minute)); n != 1 {
				t.Fatalf("Prune pruned %d stories; want 1", n)
			}
		}},
		{"the same configuration", 2 * time.Second, func() { l.pub.SetConfig(l.cfg, l.topics) }},
		{"a new title", 0, func() {
			topics := liveTopics(0)
			topics[1].Match.Any = []string{"budget"}
			topics[0].Title = "All of it"
			l.reload(t, topics)
			l.pub.SetConfig(l.cfg, l.topics)
		}},
	}
	for _, s := range steps {
		l.advance(s.advance)
		s.do()
		pollAll(s.name)
		if t.Failed() {
			t.Fatalf("after %q", s.name)
		}
		_, body := l.fetch(t, "/topics/all.atom", nil)
		ids := entryIDs(body)
		switch s.name {
		case "a merge in the same second":
			// a's story is the older: it takes b's, and b's entry goes.
			if !slices.Contains(ids, volcanoA.ID) || slices.Contains(ids, volcanoB.ID) {
				t.Fatalf("after the merge, all.atom entries %v; want %s kept and %s gone", ids, volcanoA.ID, volcanoB.ID)
			}
		case "an earlier original, in the same second":
			if !slices.Contains(ids, volcanoA.ID) || !bytes.Contains(body, []byte("The eruption began at night.")) {
				t.Fatalf("after a new face, all.atom entries %v; want %s with the new face", ids, volcanoA.ID)
			}
		case "a prune in the same second":
			if slices.Contains(ids, volcanoA.ID) || len(ids) != 1 {
				t.Fatalf("after the prune, all.atom entries %v; want the budget story alone", ids)
			}
		}
	}
}

// TestLastModifiedTwoChangesInASecond checks that a feed that changes
// twice within one second is not answered 304 to a client holding the
// first version's date, and that once the clock moves on the current
// version gets a date of its own, which earns 304 again.
func TestLastModifiedTwoChangesInASecond(t *testing.T) {
	l := newLive(t, liveTopics(0))
	l.advance(3*time.Hour + 100*time.Millisecond)
	l.fetched(t, liveWire, volcanoA)
	resp, _ := l.fetch(t, "/topics/volcano.rss", nil)
	lm := resp.Header.Get("Last-Modified")

	l.advance(500 * time.Millisecond) // the same second
	l.fetched(t, livePaper, volcanoB)
	resp, body := l.fetch(t, "/topics/volcano.rss", map[string]string{"If-Modified-Since": lm})
	if resp.StatusCode != http.StatusOK || !slices.Contains(entryIDs(body), volcanoB.ID) {
		t.Fatalf("a second change within the second: If-Modified-Since %s got %d; want 200 with the new story", lm, resp.StatusCode)
	}
	if got := resp.Header.Get("Last-Modified"); got != lm {
		t.Errorf("within the second, Last-Modified = %s; want %s, not a time to come", got, lm)
	}

	l.advance(2 * time.Second)
	resp, _ = l.fetch(t, "/topics/volcano.rss", map[string]string{"If-Modified-Since": lm})
	lm2 := resp.Header.Get("Last-Modified")
	if resp.StatusCode != http.StatusOK || lm2 != l.clock().Truncate(time.Second).Format(http.TimeFormat) {
		t.Fatalf("a second later, If-Modified-Since %s got %d, Last-Modified %s; want 200 dated now", lm, resp.StatusCode, lm2)
	}
	l.advance(time.Minute)
	if resp, _ = l.fetch(t, "/topics/volcano.rss", map[string]string{"If-Modified-Since": lm2}); resp.StatusCode != http.StatusNotModified {
		t.Errorf("unchanged since %s: got %d; want 304", lm2, resp.StatusCode)
	}
	if got := resp.Header.Get("Last-Modified"); got != lm2 {
		t.Errorf("unchanged, Last-Modified = %s; want %s", got, lm2)
	}
}

// TestTopicRemovedByReload checks that a topic a reload removes answers 404
// at once, in every format and as a page, and leaves the front page and
// the OPML list, while one it adds is served at once.
func TestTopicRemovedByReload(t *testing.T) {
	l := newLive(t, liveTopics(0))
	l.advance(3 * time.Hour)
	l.fetched(t, liveWire, volcanoA)
	paths := []string{"/topics/volcano", "/topics/volcano.atom", "/topics/volcano.rss", "/topics/volcano.json", "/topics/volcano.atom?before=1.0.x"}
	for _, p := range paths[:4] {
		if resp, _ := l.fetch(t, p, nil); resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s = %d; want 200", p, resp.StatusCode)
		}
	}
	topics := liveTopics(0)
	topics[1] = aggregator.TopicConfig{ID: "lava", Title: "Lava", Match: aggregator.MatchConfig{Any: []string{"lava"}}}
	l.reload(t, topics)
	l.pub.SetConfig(l.cfg, l.topics)
	for _, p := range paths {
		if resp, _ := l.fetch(t, p, nil); resp.StatusCode != http.StatusNotFound {
			t.Errorf("after the reload, GET %s = %d; want 404", p, resp.StatusCode)
		}
	}
	for _, p := range []string{"/", "/opml"} {
		if _, body := l.fetch(t, p, nil); bytes.Contains(body, []byte("/topics/volcano")) {
			t.Errorf("after the reload, %s still links the removed topic", p)
		}
	}
	if resp, _ := l.fetch(t, "/topics/lava.atom", nil); resp.StatusCode != http.StatusOK {
		t.Errorf("after the reload, GET /topics/lava.atom = %d; want 200", resp.StatusCode)
	}
}
