package store

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/ingest"
	"github.com/tributary-feeds/tributary/aggregator/topic"
)

// life simulates a store's long life: sources polled every few hours over
// weeks of simulated time, each fetch giving the source's latest items
// (new ones, the same again, some edited), reports of one event from
// several outlets and re-posts naming their original, stories pruned as
// they age past the retention.
type life struct {
	tb      testing.TB
	d       *DB
	twin    *DB         // when set, a store that takes the same fetches, without failures
	fail    func() bool // whether a fetch first runs in a transaction that fails
	rng     *rand.Rand
	in      *ingest.Ingester
	cfg     *aggregator.Config
	now     time.Time
	sources []aggregator.SourceState
	feeds   map[string][]aggregator.Item // source id → its feed, newest last
	events  []lifeEvent
	seq     int
	edits   int
	vocab   []string
}

type lifeEvent struct {
	at    time.Time
	words []string
	orig  string // link of the first report, for re-posts to name
}

func newLife(tb testing.TB, d *DB, sources int, seed uint64) *life {
	l := &life{tb: tb, d: d, rng: rand.New(rand.NewPCG(seed, 11)), now: t0, feeds: map[string][]aggregator.Item{}}
	syll := []string{"ka", "lo", "mi", "ren", "tas", "vo", "zu", "pel", "dar", "nik", "sor", "bu", "fe", "gor", "hal"}
	for i := 0; i < 3000; i++ {
		var b strings.Builder
		for j := 0; j < 2+i%3; j++ {
			b.WriteString(syll[l.rng.IntN(len(syll))])
		}
		fmt.Fprintf(&b, "%d", i%10)
		l.vocab = append(l.vocab, b.String())
	}
	l.cfg = &aggregator.Config{Topics: []aggregator.TopicConfig{
		{ID: "alpha", Title: "Alpha", Match: aggregator.MatchConfig{Any: l.vocab[:40]}},
		{ID: "beta", Title: "Beta", Match: aggregator.MatchConfig{Any: l.vocab[40:80]}},
	}}
	for i := range sources {
		url := fmt.Sprintf("https://outlet-%d.test/feed", i)
		l.sources = append(l.sources, aggregator.SourceState{ID: aggregator.SourceID(url), URL: url, ConfigURL: url})
		l.cfg.Sources = append(l.cfg.Sources, aggregator.SourceConfig{URL: url, Tags: []string{fmt.Sprint("t", i%3)}})
	}
	l.reconfigure()
	return l
}

// reconfigure builds the ingester from l.cfg, as a reload does.
func (l *life) reconfigure() {
	set, err := topic.Compile(l.cfg.Topics, l.cfg.Sources)
	if err != nil {
		l.tb.Fatal(err)
	}
	l.in = ingest.New(l.cfg, set)
}

func (l *life) sentence(words []string) string {
	var b strings.Builder
	for i := 0; i < 12; i++ {
		if i > 0 {
			b.WriteByte(' ')
		}
		if l.rng.IntN(3) == 0 {
			b.WriteString(words[l.rng.IntN(len(words))])
		} else {
			b.WriteString(l.vocab[80+l.rng.IntN(len(l.vocab)-80)])
		}
	}
	return b.String() + "."
}

// report makes a new item of source s about event e.
func (l *life) report(s aggregator.SourceState, e *lifeEvent) aggregator.Item {
	l.seq++
	guid := fmt.Sprintf("%s/story/%d", strings.TrimSuffix(s.URL, "/feed"), l.seq)
	var sum strings.Builder
	for range 3 + l.rng.IntN(4) {
		sum.WriteString("<p>" + l.sentence(e.words) + "</p>")
	}
	it := aggregator.Item{
		ID: aggregator.ItemID(s.ID, guid), SourceID: s.ID, GUID: guid, Link: guid, CanonicalLink: guid,
		Title:   strings.Join(e.words[:4], " ") + " " + l.vocab[80+l.rng.IntN(100)],
		Summary: sum.String(), Published: l.now.Add(-time.Duration(l.rng.IntN(60)) * time.Minute),
		FirstSeen: l.now, Dated: true, Categories: []string{"news"},
	}
	switch {
	case e.orig == "":
		e.orig = guid
	case l.rng.IntN(5) == 0:
		it.OriginLinks = []string{e.orig} // a re-post naming the first report
	case l.rng.IntN(8) == 0:
		// A copy under another link with the first report's text.
		for _, f := range l.feeds {
			for _, o := range f {
				if o.Link == e.orig {
					it.Title, it.Summary = o.Title, o.Summary
				}
			}
		}
	}
	it.Hash = fmt.Sprintf("%x", len(it.Title)) + it.Title + it.Summary
	return it
}

// pinned returns the items a feed gives at every fetch: a page without a
// date, which the parser dates when first seen, and one dated the day
// the simulation began.
func (l *life) pinned(s aggregator.SourceState) []aggregator.Item {
	about := aggregator.Item{
		ID: aggregator.ItemID(s.ID, "about"), SourceID: s.ID, GUID: "about", Link: "https://pinned.test/about",
		Title: "About this site", Summary: "<p>We report on everything, every day.</p>",
		Published: l.now, FirstSeen: l.now, Hash: "about",
	}
	rules := about
	rules.ID, rules.GUID, rules.Link, rules.Title, rules.Hash = aggregator.ItemID(s.ID, "rules"), "rules", "https://pinned.test/rules", "House rules", "rules"
	rules.Published, rules.Dated = t0, true
	return []aggregator.Item{about, rules}
}

// step advances the clock by d and polls every source once.
func (l *life) step(d time.Duration) {
	l.now = l.now.Add(d)
	// New events, and events older than two days forgotten.
	for range 1 + l.rng.IntN(3) {
		w := make([]string, 8)
		for i := range w {
			w[i] = l.vocab[l.rng.IntN(len(l.vocab))]
		}
		l.events = append(l.events, lifeEvent{at: l.now, words: w})
	}
	l.events = slices.DeleteFunc(l.events, func(e lifeEvent) bool { return l.now.Sub(e.at) > 48*time.Hour })
	for _, s := range l.sources {
		f := l.feeds[s.ID]
		for range l.rng.IntN(3) {
			f = append(f, l.report(s, &l.events[l.rng.IntN(len(l.events))]))
		}
		// Some items are edited, some of them again and again.
		for i := range f {
			if l.rng.IntN(40) == 0 || i == 0 && l.rng.IntN(2) == 0 {
				l.edits++
				f[i].Summary += fmt.Sprintf("<p>Update %d.</p>", l.edits)
				f[i].Hash = fmt.Sprint("edit-", l.edits)
			}
		}
		if len(f) > 12 {
			f = f[len(f)-12:]
		}
		l.feeds[s.ID] = f
		items := slices.Clone(f)
		if s.ID == l.sources[len(l.sources)-1].ID {
			items = append(items, l.pinned(s)...)
		}
		l.poll(s, items)
	}
}

// poll files one fetch of s as the poller does: items older than the
// retention left out, the items and the source's state in one transaction.
func (l *life) poll(s aggregator.SourceState, items []aggregator.Item) {
	items = slices.DeleteFunc(items, func(it aggregator.Item) bool { return it.Published.Before(l.now.Add(-lifeRetention)) })
	file := func(d *DB, failing bool) {
		err := d.Batch(context.Background(), func(tx aggregator.Tx) error {
			if _, err := l.in.Apply(tx, s, items); err != nil {
				return err
			}
			s.NextDue = l.now.Add(time.Hour)
			if failing {
				return errRollback
			}
			return tx.PutSource(s)
		})
		if err != nil && !(failing && errors.Is(err, errRollback)) {
			l.tb.Fatalf("%v: poll %s: %v", l.now, s.URL, err)
		}
	}
	if l.fail != nil && l.fail() {
		file(l.d, true)
	}
	file(l.d, false)
	if l.twin != nil {
		file(l.twin, false)
	}
}

// lifeSources returns how many sources a simulation polls: n, fewer under
// the race detector.
func lifeSources(n int) int {
	if raceEnabled {
		return 2
	}
	return n
}

// lifeRetention is the simulated storage.retention: a week, so that a
// simulated month reaches its steady state.
const lifeRetention = 7 * 24 * time.Hour

func (l *life) prune() int {
	n, err := l.d.Prune(context.Background(), l.now.Add(-lifeRetention))
	if err != nil {
		l.tb.Fatalf("%v: prune: %v", l.now, err)
	}
	if l.twin != nil {
		if _, err := l.twin.Prune(context.Background(), l.now.Add(-lifeRetention)); err != nil {
			l.tb.Fatalf("%v: prune: %v", l.now, err)
		}
	}
	return n
}

// keysPerBucket counts the keys of every bucket, nested ones by their
// parent's name and theirs.
func keysPerBucket(d *DB) map[string]int {
	out := map[string]int{}
	d.db.View(func(btx *bolt.Tx) error {
		return btx.ForEach(func(name []byte, b *bolt.Bucket) error {
			return b.ForEach(func(k, v []byte) error {
				if v == nil {
					out[string(name)+"/"+string(k)] = b.Bucket(k).Stats().KeyN
					return nil
				}
				out[string(name)]++
				return nil
			})
		})
	})
	return out
}

// TestLongLife polls sources for a simulated month with a week's
// retention, pruning after every round of fetches as the poller does, and checks
// after each day that every index agrees with the records, that a prune
// deleted the stories before its cutoff and nothing else, and that the
// buckets stop growing once items age out as fast as they arrive. On the
// way a source leaves the configuration, a topic is renamed and every
// story retagged, and the store is closed and opened again.
func TestLongLife(t *testing.T) {
	path := filepath.Join(t.TempDir(), "agg.db")
	var mu sync.RWMutex // held by readers, and to swap d on a restart
	d := mustOpenPath(t, path)
	d.db.NoSync = true // what is tested here is not durability
	l := newLife(t, d, lifeSources(6), 1)

	// Readers run through it all and see whole stories.
	var stop atomic.Bool
	var wg sync.WaitGroup
	wg.Go(func() {
		for !stop.Load() {
			mu.RLock()
			err := d.TopicStories(context.Background(), aggregator.AllTopic, time.Time{}, func(st aggregator.Story, items []aggregator.Item) bool {
				for _, it := range items {
					if it.StoryID != st.ID {
						t.Errorf("reader: story %s holds item %s of story %s", st.ID, it.ID, it.StoryID)
						return false
					}
				}
				return true
			})
			if err != nil {
				t.Errorf("reader: %v", err)
			}
			if _, err := d.Stats(context.Background()); err != nil {
				t.Errorf("reader: %v", err)
			}
			mu.RUnlock()
			time.Sleep(20 * time.Millisecond)
		}
	})
	defer func() { stop.Store(true); wg.Wait() }()

	removed := l.sources[0]
	var weekly []map[string]int
	for day := 1; day <= 28; day++ {
		switch day {
		case 9: // a source leaves the configuration
			l.sources = l.sources[1:]
			l.cfg.Sources = l.cfg.Sources[1:]
			l.reconfigure()
		case 11: // a topic is renamed, and every story retagged
			l.cfg.Topics[1].ID = "gamma"
			l.reconfigure()
			ids, err := d.StoryIDs(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			mustUpdate(t, d, func(tx aggregator.Tx) error {
				_, err := l.in.Retag(tx, l.now, ids...)
				return err
			})
		case 13: // a restart
			mu.Lock()
			if err := d.Close(); err != nil {
				t.Fatal(err)
			}
			d = mustOpenPath(t, path)
			d.db.NoSync = true
			l.d = d
			mu.Unlock()
		}
		for range 12 {
			l.step(2 * time.Hour)
			before := storyTimes(t, d)
			cutoff := l.now.Add(-lifeRetention)
			l.prune()
			after := storyTimes(t, d)
			for id, last := range before {
				if _, kept := after[id]; kept == last.Before(cutoff) {
					t.Errorf("%v: story %s, its last item of %v, kept %v by a prune before %v", l.now, id, last, kept, cutoff)
				}
			}
		}
		for _, p := range inconsistencies(d) {
			t.Errorf("day %d: %s", day, p)
		}
		if t.Failed() {
			t.FailNow()
		}
		if day%7 == 0 {
			k := keysPerBucket(d)
			size, _ := d.Size()
			t.Logf("day %d (%d reports, %d edits): file %d B, keys %v", day, l.seq, l.edits, size, k)
			k[" file size"] = int(size)
			weekly = append(weekly, k)
		}
	}
	// From the second week on, what the store holds stays about the same.
	for name, n := range weekly[len(weekly)-1] {
		if was := weekly[1][name]; n > was*5/4+16 && !(name == " file size" && n <= was+growStep) {
			t.Errorf("bucket %s grows: %d keys at day 14, %d at day 28", name, was, n)
		}
	}
	mustView(t, d, func(tx *tx) {
		if b := tx.topics.Bucket([]byte("beta")); b != nil && b.Stats().KeyN > 0 {
			t.Errorf("topic beta, renamed, still holds %d stories", b.Stats().KeyN)
		}
	})
	// The page without a date was stored again after each prune.
	mustView(t, d, func(tx *tx) {
		about := l.pinned(l.sources[len(l.sources)-1])[0]
		if it, err := tx.Item(about.ID); err != nil || l.now.Sub(it.Published) > lifeRetention {
			t.Errorf("the undated page fetched at every poll: %v, published %v; want it stored again after its prune", err, it.Published)
		}
	})
	err := d.Export(t.Context(), func(it aggregator.Item, _ aggregator.Story) error {
		if it.SourceID == removed.ID {
			t.Errorf("item %s of the source removed on day 9 is still stored", it.ID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// storyTimes returns the time of the last item of every stored story,
// among the items it still holds, which a prune keeps it for.
func storyTimes(tb testing.TB, d *DB) map[string]time.Time {
	out := map[string]time.Time{}
	mustView(tb, d, func(t *tx) {
		t.stories.ForEach(func(k, _ []byte) error {
			st, err := t.Story(string(k))
			if err != nil {
				tb.Error(err)
			}
			last := st.Time
			for _, m := range st.Members {
				if it, err := t.Item(m.Item); err == nil && (it.StoryID == "" || it.StoryID == st.ID) && m.Time.After(last) {
					last = m.Time
				}
			}
			out[st.ID] = last
			return nil
		})
	})
	return out
}

func mustView(tb testing.TB, d *DB, fn func(*tx)) {
	tb.Helper()
	err := d.db.View(func(btx *bolt.Tx) error {
		fn(d.newTx(btx))
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
}

// Transactions that fail leave nothing behind, in the file or in the
// store's memory (its filters, its cache of features, the counters not
// yet written): a store whose fetches sometimes first run in a
// transaction that fails after filing everything files them as a store
// without failures does.
func TestLifeWithFailures(t *testing.T) {
	d, twin := mustOpen(t), mustOpen(t)
	d.db.NoSync, twin.db.NoSync = true, true
	l := newLife(t, d, lifeSources(6), 2)
	l.twin = twin
	l.fail = func() bool { return l.rng.IntN(4) == 0 }
	for range 12 * 12 {
		l.step(2 * time.Hour)
		l.prune()
	}
	if a, b := snapshotLife(t, d), snapshotLife(t, twin); a != b {
		t.Errorf("with failures:\n%s\nwithout:\n%s", a, b)
	}
	for _, p := range inconsistencies(d) {
		t.Error(p)
	}
}

// snapshotLife spells what a store holds: its stories with their members,
// the refs of every key and band, and the document frequencies.
func snapshotLife(tb testing.TB, d *DB) string {
	if err := d.writeCounts(); err != nil {
		tb.Fatal(err)
	}
	var b strings.Builder
	mustView(tb, d, func(t *tx) {
		t.stories.ForEach(func(k, _ []byte) error {
			st, _ := t.Story(string(k))
			fmt.Fprintf(&b, "story %s %v %s %v:", st.ID, st.Time, st.Face, st.Topics)
			for _, m := range st.Members {
				fmt.Fprintf(&b, " %s/%s/%s", m.Item, m.Match.Reason, m.Match.With)
			}
			b.WriteByte('\n')
			return nil
		})
		for _, bk := range []*bolt.Bucket{t.keys, t.bands} {
			bk.ForEach(func(k, v []byte) error {
				refs, _ := decodeRefs(v)
				fmt.Fprintf(&b, "ref %x %v\n", k, refs)
				return nil
			})
		}
		t.counts.Bucket([]byte("df")).ForEach(func(k, v []byte) error {
			fmt.Fprintf(&b, "df %x %x\n", k, v)
			return nil
		})
	})
	return b.String()
}
