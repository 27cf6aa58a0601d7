// Package ingest files the items of one fetched feed into stories: it skips
// unchanged items, updates edited ones in place, and gives each new item a
// story — the story of an item it shares an exact key with (GUID, canonical
// link, a named original, the same text), else of a near-duplicate report,
// else a new one — and then re-decides each changed story's face, topics and
// tags.
package ingest

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/near"
)

// DefaultWindow is how far apart, by their own times, two items may be and
// still be matched, when the configuration does not say.
const DefaultWindow = 72 * time.Hour

// Ingester files fetched items into stories. It holds only configuration,
// so one Ingester may serve concurrent transactions.
type Ingester struct {
	window    time.Duration
	near      bool
	threshold float64             // for an item to join a story, and for two stories to merge
	priority  map[string]int      // SourceID → configured priority
	tags      map[string][]string // SourceID → configured tags
	tagger    aggregator.Tagger
}

// New returns an Ingester for cfg. tagger decides a story's topics; nil
// puts every story in the built-in topic only.
func New(cfg *aggregator.Config, tagger aggregator.Tagger) *Ingester {
	in := &Ingester{
		window:    DefaultWindow,
		near:      true,
		threshold: near.DefaultThreshold,
		priority:  map[string]int{},
		tags:      map[string][]string{},
		tagger:    tagger,
	}
	if cfg == nil {
		return in
	}
	if cfg.Dedup.Window > 0 {
		in.window = cfg.Dedup.Window
	}
	in.near = cfg.Dedup.NearEnabled()
	if t := cfg.Dedup.Threshold; t > 0 && t <= 1 {
		in.threshold = t
	}
	for _, s := range cfg.Sources {
		id := aggregator.SourceID(s.URL)
		in.priority[id] = s.Priority
		in.tags[id] = s.Tags
	}
	return in
}

// Threshold returns the near-duplicate similarity at or above which an item
// joins a story.
func (in *Ingester) Threshold() float64 { return in.threshold }

// Result counts what one Apply did.
type Result struct {
	New        int      // items stored for the first time
	Updated    int      // stored items whose content changed
	Unchanged  int      // items already stored as they are
	Duplicates int      // new items that joined an existing story
	NewStories int      // stories started
	Topics     []string // topics whose feeds changed, sorted
}

// pending is an item of the fetch that is new or edited.
type pending struct {
	it     aggregator.Item
	old    *aggregator.Item // the stored version of an edited item
	lines  []string         // body text lines, chrome removed
	title  string           // headline, labels and chrome segments removed
	doc    *near.Doc
	chrome []string  // counter keys of its lines and headline segments
	plain  plainText // its summary and content as plain text
}

// Apply files the items of one fetch of src in tx. Items whose stored Hash
// is unchanged are not written at all; edited items are replaced in place
// and stay in their story; new items join the story they duplicate or start
// one. Items are taken oldest first, so the outcome does not depend on the
// order of the feed. Apply neither writes src nor commits tx.
func (in *Ingester) Apply(tx aggregator.Tx, src aggregator.SourceState, items []aggregator.Item) (Result, error) {
	var res Result
	items = slices.Clone(items)
	slices.SortStableFunc(items, func(a, b aggregator.Item) int {
		return cmp.Or(a.Published.Compare(b.Published), cmp.Compare(a.ID, b.ID))
	})
	seen := map[string]bool{}
	var work []*pending
	for _, it := range items {
		if it.ID == "" || seen[it.ID] {
			continue
		}
		seen[it.ID] = true
		old, err := tx.Item(it.ID)
		switch {
		case errors.Is(err, aggregator.ErrNotFound):
			work = append(work, &pending{it: it})
		case err != nil:
			return res, fmt.Errorf("item %s: %w", it.ID, err)
		case old.Hash == it.Hash:
			res.Unchanged++
		default:
			work = append(work, &pending{it: it, old: &old})
		}
	}
	if len(work) == 0 {
		return res, nil
	}
	sourceID := src.ID
	if sourceID == "" {
		sourceID = work[0].it.SourceID
	}
	if err := in.prepare(tx, sourceID, work); err != nil {
		return res, err
	}

	s := newSession(in, tx)
	for _, p := range work {
		s.plain[p.it.ID] = p.plain
	}
	for _, p := range work {
		if p.old != nil {
			if err := s.edit(p); err != nil {
				return res, err
			}
			res.Updated++
			continue
		}
		joined, err := s.add(p)
		if err != nil {
			return res, err
		}
		res.New++
		if joined {
			res.Duplicates++
		} else {
			res.NewStories++
		}
	}
	topics, err := s.finish()
	if err != nil {
		return res, err
	}
	res.Topics = topics
	return res, nil
}

// prepare extracts each pending item's text, removes the source's chrome
// from it, builds and weighs its Doc, and counts its lines, headline
// segments and terms.
func (in *Ingester) prepare(tx aggregator.Tx, sourceID string, work []*pending) error {
	lines, err := lineCounts(tx, sourceID)
	if err != nil {
		return err
	}
	inFetch := map[string]int{}
	raw := make([][]string, len(work))
	segs := make([][]string, len(work))
	var keys []string
	for i, p := range work {
		p.plain = plainOf(p.it)
		raw[i] = p.plain.lines()
		segs[i] = near.Segments(p.it.Title)
		p.chrome = chromeKeys(raw[i], segs[i])
		for _, k := range p.chrome {
			if inFetch[k] == 0 {
				keys = append(keys, k)
			}
			inFetch[k]++
		}
	}
	isChrome := map[string]bool{}
	for _, k := range keys {
		isChrome[k] = int(lines.Count(k))+inFetch[k] >= near.ChromeMin
	}
	var chromeAdds []string
	for i, p := range work {
		p.lines = stripChrome(raw[i], isChrome)
		p.title = cleanTitle(p.it.Title, segs[i], isChrome)
		p.doc = near.NewDoc(p.title, p.lines, p.it.Published)
		if p.old == nil {
			chromeAdds = append(chromeAdds, p.chrome...)
		}
	}
	if len(chromeAdds) > 0 {
		lines.Add(chromeAdds)
		if err := tx.PutBlob(linesBlob(sourceID), lines.Encode()); err != nil {
			return fmt.Errorf("recurring lines: %w", err)
		}
	}

	// Document frequencies: the fetch's new items count before any of them
	// is weighed, so that even the first fetch into an empty store has
	// statistics to go by.
	var termKeys, dfAdds []string
	index := map[string]int{}
	for _, p := range work {
		tk := p.doc.TermKeys()
		for _, k := range tk {
			if _, ok := index[k]; !ok {
				index[k] = len(termKeys)
				termKeys = append(termKeys, k)
			}
		}
		if p.old == nil {
			dfAdds = append(append(dfAdds, tk...), docsKey)
		}
	}
	if len(dfAdds) > 0 {
		if err := tx.AddCounts(dfNamespace, dfAdds); err != nil {
			return fmt.Errorf("document frequencies: %w", err)
		}
	}
	df, err := tx.Counts(dfNamespace, append(termKeys, docsKey))
	if err != nil {
		return fmt.Errorf("document frequencies: %w", err)
	}
	docs := df[len(df)-1]
	for _, p := range work {
		f := make([]uint32, len(p.doc.Terms))
		for i, k := range p.doc.TermKeys() {
			f[i] = df[index[k]]
		}
		p.doc.Weigh(docs, f)
	}
	return nil
}

// Counter namespaces and keys.
const (
	dfNamespace = "df"     // term key → items that have the term; docsKey → items
	docsKey     = "#items" // not a term key: those are hex digits
)

// linesBlob names the blob of a source's table of recurring lines.
func linesBlob(sourceID string) string { return "lines/" + sourceID }

// chromeNamespace is the counter namespace where earlier builds counted
// every line a source's items carried, without bound.
func chromeNamespace(sourceID string) string { return "chrome/" + sourceID }

// lineCounts reads a source's table of recurring lines. A source that has
// none yet may have the counters of an earlier build: they are dropped, and
// the table learns the source's chrome again from its next items. A
// damaged table is started afresh rather than failing the fetch.
func lineCounts(tx aggregator.Tx, sourceID string) (*near.LineCounts, error) {
	b, err := tx.Blob(linesBlob(sourceID))
	if err != nil {
		return nil, fmt.Errorf("recurring lines: %w", err)
	}
	if b == nil {
		if err := tx.DropCounts(chromeNamespace(sourceID)); err != nil {
			return nil, fmt.Errorf("recurring lines: %w", err)
		}
	}
	c, err := near.DecodeLineCounts(b)
	if err != nil {
		c, _ = near.DecodeLineCounts(nil)
	}
	return c, nil
}
