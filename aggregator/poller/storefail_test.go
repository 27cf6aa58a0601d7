package poller_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/feedtest"
	"github.com/tributary-feeds/tributary/aggregator/ops"
	"github.com/tributary-feeds/tributary/aggregator/poller"
	"github.com/tributary-feeds/tributary/aggregator/topic"
	"github.com/tributary-feeds/tributary/store"
)

// failingStore is the store with a fault: while armed, every write fails
// as on a full disk, after the transaction did its work, which is rolled
// back.
type failingStore struct {
	*store.DB
	armed atomic.Bool
}

var errDiskFull = errors.New("write tributary.db: no space left on device")

func (s *failingStore) fail(fn func(aggregator.Tx) error) func(aggregator.Tx) error {
	return func(tx aggregator.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		if s.armed.Load() {
			return errDiskFull
		}
		return nil
	}
}

func (s *failingStore) Batch(ctx context.Context, fn func(aggregator.Tx) error) error {
	return s.DB.Batch(ctx, s.fail(fn))
}

func (s *failingStore) Update(ctx context.Context, fn func(aggregator.Tx) error) error {
	return s.DB.Update(ctx, s.fail(fn))
}

// TestStoreWritesFailing: while the store refuses writes the daemon is
// unhealthy, with the store's error, and source states that could not be
// saved wait for the next write rather than being lost; once writes pass,
// it is healthy again.
func TestStoreWritesFailing(t *testing.T) {
	o := feedtest.NewOrigin(t)
	o.Feed("/a.rss", "application/rss+xml", smallFeed(1)) // validators on: 304 once read
	u := o.URL("/a.rss")
	db := &failingStore{DB: mustOpen(t)}
	p := newPoller(t, config(t, "", u), db, nil)
	storeUnhealthy := func() bool {
		err := p.Healthy()
		return err != nil && strings.Contains(err.Error(), "store writes failing") && strings.Contains(err.Error(), "no space left")
	}

	// A fetched feed's write fails: the source's items are not stored.
	db.armed.Store(true)
	if oc := p.PollAll(t.Context(), nil); len(oc) != 1 || !errors.Is(oc[0].Err, errDiskFull) {
		t.Fatalf("poll on a full disk: %+v; want the store's error", oc)
	}
	if !storeUnhealthy() {
		t.Errorf("Healthy() = %v on a full disk; want the store's error", p.Healthy())
	}

	db.armed.Store(false)
	p.PollAll(t.Context(), nil)
	if storeUnhealthy() {
		t.Errorf("Healthy() = %v once writes pass; want the store's error gone", p.Healthy())
	}
	if st := state(t, db, u); st.Items != 2 || st.NotModified != 0 {
		t.Fatalf("after the disk had room: %d items, %d 304s; want 2 and 0", st.Items, st.NotModified)
	}

	// A 304's state, buffered, fails to flush: it is not lost, and the
	// next poll counts on from it.
	db.armed.Store(true)
	p.PollAll(t.Context(), nil)
	if !storeUnhealthy() {
		t.Errorf("Healthy() = %v after a failed flush; want the store's error", p.Healthy())
	}
	db.armed.Store(false)
	p.PollAll(t.Context(), nil)
	if st := state(t, db, u); st.NotModified != 2 {
		t.Errorf("after a failed flush and another 304: %d 304s stored; want 2", st.NotModified)
	}
	if storeUnhealthy() {
		t.Errorf("Healthy() = %v once writes pass; want the store's error gone", p.Healthy())
	}
}

// TestStoreFailureShownOnSource: a feed the store could not take leaves its
// source failing with the store's error, with its stored validators, due
// again soon, and Sources, which status reads through the daemon, shows
// that state while the store still refuses to save it.
func TestStoreFailureShownOnSource(t *testing.T) {
	o := feedtest.NewOrigin(t)
	o.Feed("/a.rss", "application/rss+xml", smallFeed(1))
	u := o.URL("/a.rss")
	now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	db := &failingStore{DB: mustOpen(t)}
	p := newPoller(t, config(t, "", u), db, func() time.Time { return now })
	p.PollAll(t.Context(), nil)
	read := state(t, db, u)
	if read.Items != 2 || read.ETag == "" {
		t.Fatalf("first poll: %d items, ETag %q; want 2 and one", read.Items, read.ETag)
	}

	o.Feed("/a.rss", "application/rss+xml", smallFeed(2))
	now = now.Add(time.Hour)
	db.armed.Store(true)
	p.PollAll(t.Context(), nil)
	states, err := p.Sources(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(states) != 1 {
		t.Fatalf("Sources() on a full disk = %d states; want the one polled", len(states))
	}
	st := states[0]
	if st.LastResult != "error" || !strings.Contains(st.LastError, "no space left") || st.Failures != 1 || st.LastFetch.IsZero() {
		t.Errorf("Sources() on a full disk: result %q, error %q, %d failures, last fetch %v; want the store's error on the source", st.LastResult, st.LastError, st.Failures, st.LastFetch)
	}
	if st.ETag != read.ETag || st.BodyHash != read.BodyHash || st.Items != 2 {
		t.Errorf("Sources() on a full disk: ETag %q, %d items; want the stored %q and 2, so that the next poll reads the feed again", st.ETag, st.Items, read.ETag)
	}
	if want := now.Add(time.Minute); !st.NextDue.Equal(want) {
		t.Errorf("Sources() on a full disk: next due %v; want %v, not a backoff", st.NextDue, want)
	}
	rows, err := ops.Status(t.Context(), config(t, "", u), sourcesOf{db, p})
	if err != nil || len(rows) != 1 || !strings.Contains(ops.State(rows[0].SourceState, now), "no space left") {
		t.Errorf("status on a full disk = %+v, %v; want the store's error", rows, err)
	}

	// Once the disk has room, the feed is read and stored in full.
	db.armed.Store(false)
	now = now.Add(time.Minute)
	p.PollAll(t.Context(), nil)
	if st := state(t, db, u); st.Items != 4 || st.LastError != "" || st.Failures != 0 {
		t.Errorf("after the disk had room: %d items, error %q, %d failures; want 4, none, 0", st.Items, st.LastError, st.Failures)
	}
}

// sourcesOf is the store with the poller's view of the sources, as the
// daemon hands it to the command line.
type sourcesOf struct {
	*failingStore
	p *poller.Poller
}

func (s sourcesOf) Sources(ctx context.Context) ([]aggregator.SourceState, error) {
	return s.p.Sources(ctx)
}

// laterFailingStore is the store whose writes pass while left counts
// them down, and from then on fail as on a full disk, after the
// transaction did its work, which is rolled back.
type laterFailingStore struct {
	*store.DB
	left atomic.Int64
}

func (s *laterFailingStore) Update(ctx context.Context, fn func(aggregator.Tx) error) error {
	if s.left.Add(-1) >= 0 {
		return s.DB.Update(ctx, fn)
	}
	return s.DB.Update(ctx, func(tx aggregator.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		return errDiskFull
	})
}

// changes records the topics a poller said changed.
type changes struct {
	mu     sync.Mutex
	topics map[string]bool
}

func (c *changes) Changed(topics ...string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, t := range topics {
		c.topics[t] = true
	}
}

func (c *changes) has(topic string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.topics[topic]
}

// manyItemsFeed returns an RSS feed of n items, each with words of its own
// and the word "bridge".
func manyItemsFeed(name string, n int) []byte {
	r := rand.New(rand.NewPCG(uint64(len(name)), 3))
	word := func() string {
		b := make([]byte, 6+r.IntN(5))
		for i := range b {
			b[i] = byte('a' + r.IntN(26))
		}
		return string(b)
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<?xml version="1.0"?><rss version="2.0"><channel><title>%s</title><link>https://%s.example/</link><description>d</description>`, name, name)
	for i := range n {
		var text []string
		for range 24 {
			text = append(text, word())
		}
		fmt.Fprintf(&b, `<item><guid isPermaLink="false">%s-%d</guid><link>https://%s.example/%d</link><title>%s %s %s</title><description>%s near the bridge.</description><pubDate>%s</pubDate></item>`,
			name, i, name, i, word(), word(), word(), strings.Join(text, " "),
			time.Date(2026, 11, 3, 9, 0, 0, 0, time.UTC).Add(-time.Duration(i)*time.Minute).Format(time.RFC1123Z))
	}
	b.WriteString(`</channel></rss>`)
	return []byte(b.String())
}

// TestRetagFailingMidwayRepublishes: a retag whose later batch the store
// refuses, as on a full disk, still has the topics its committed batches
// changed published anew; the retry that follows finds those stories
// decided already and changes nothing of them.
func TestRetagFailingMidwayRepublishes(t *testing.T) {
	o := feedtest.NewOrigin(t)
	o.Feed("/a.rss", "application/rss+xml", manyItemsFeed("alpha", 300))
	o.Feed("/b.rss", "application/rss+xml", manyItemsFeed("beta", 300))
	db := &laterFailingStore{DB: mustOpen(t)}
	db.left.Store(1 << 30)
	cfg := config(t, "  timeout: 20s", o.URL("/a.rss"), o.URL("/b.rss"))
	now := func() time.Time { return time.Date(2026, 11, 4, 12, 0, 0, 0, time.UTC) }
	newPoller(t, cfg, db, now).PollAll(t.Context(), nil)
	ids, err := db.StoryIDs(t.Context())
	if err != nil || len(ids) <= 500 {
		t.Fatalf("%d stories stored, %v; the test needs more than one retag batch of 500", len(ids), err)
	}

	withTopic := config(t, "  timeout: 20s", o.URL("/a.rss"), o.URL("/b.rss"))
	withTopic.Topics = append(withTopic.Topics, aggregator.TopicConfig{
		ID: "roads", Title: "Roads", Match: aggregator.MatchConfig{Any: []string{"bridge"}},
	})
	tags, err := topic.Compile(withTopic.Topics, withTopic.Sources)
	if err != nil {
		t.Fatal(err)
	}
	seen := &changes{topics: map[string]bool{}}
	p, err := poller.New(withTopic, tags, db, poller.Options{Now: now, Logger: quiet, Notify: seen})
	if err != nil {
		t.Fatal(err)
	}
	db.left.Store(1) // the first batch commits, the second fails
	if _, err := p.RetagIfChanged(t.Context()); !errors.Is(err, errDiskFull) {
		t.Fatalf("RetagIfChanged with its second batch refused = %v; want the store's error", err)
	}
	if !seen.has("roads") {
		t.Error("the topic the committed batch changed was not published anew")
	}
	db.left.Store(1 << 30)
	if _, err := p.RetagIfChanged(t.Context()); err != nil {
		t.Fatal(err)
	}
	var inTopic int
	err = db.TopicStories(t.Context(), "roads", time.Time{}, func(aggregator.Story, []aggregator.Item) bool {
		inTopic++
		return true
	})
	if err != nil || inTopic != len(ids) {
		t.Errorf("topic roads after the retry: %d stories, %v; want all %d", inTopic, err, len(ids))
	}
}
