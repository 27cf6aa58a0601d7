package publish

import (
	"container/list"
	"context"
	"runtime"
	"sync"
)

// olderBudget is how many bytes the older pages kept take at most, both
// codings counted.
const olderBudget = 32 << 20

// olderHTML stands for the HTML page of a topic in an olderKey, beside
// the feed formats.
const olderHTML = numFormats

// olderKey names an older page as rendered: the topic's cache (one
// configuration's, by its serial number, so that a page kept holds no
// configuration a reload replaced), the topic's generation when the
// render began, the settings date the documents were dated by, the format
// and the cursor. A change of the topic, a reload or a new settings date
// gives every page a new key, so a page kept is never served after what
// it shows changed.
type olderKey struct {
	topic  uint64
	gen    uint64
	since  *settingsTime
	f      format
	before string
}

// olderEntry is a kept older page: a feed document or an HTML page.
type olderEntry struct {
	key  olderKey
	doc  *rendered
	html *htmlPage
	size int
	// linked is set when a page links to this one: the first page, or an
	// older page kept, of the same generation (Publisher.linkedTo). Only
	// such a page is kept, so that cursors made up, each a page of its
	// own, cannot push out the pages crawlers walk: a cursor that names a
	// story of the topic, but no page's next link, is one too.
	linked bool
	// next is the cursor of the page this one links to; "" when none.
	next string
}

// nextKey names the pages of one generation of a topic's cache that start
// at cursor before, in any format.
type nextKey struct {
	topic  uint64
	gen    uint64
	before string
}

func (e *olderEntry) nextKey() nextKey {
	return nextKey{topic: e.key.topic, gen: e.key.gen, before: e.next}
}

// olderCache keeps the older pages (?before=) last asked for, up to
// olderBudget bytes, and lets a few render at once. A crawler that walks
// every older page of every topic in every format, and comes back to walk
// them again, costs a render a page once, not at each visit; clients
// that ask for cursors no page links to (each renders anew, and is not
// kept) hold at most the render slots, and the first pages, kept apart,
// are served meanwhile.
type olderCache struct {
	mu    sync.Mutex
	size  int
	byKey map[olderKey]*list.Element
	lru   list.List // of *olderEntry, most recently used first
	slots chan struct{}
	nexts map[nextKey]int // the next links of the pages kept, how many link each
}

func newOlderCache() *olderCache {
	return &olderCache{
		byKey: map[olderKey]*list.Element{},
		nexts: map[nextKey]int{},
		slots: make(chan struct{}, max(1, runtime.GOMAXPROCS(0)/2)),
	}
}

// get returns the entry kept for key, or nil.
func (c *olderCache) get(key olderKey) *olderEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	el := c.byKey[key]
	if el == nil {
		return nil
	}
	c.lru.MoveToFront(el)
	return el.Value.(*olderEntry)
}

// put keeps e, and lets go of the pages used longest ago until the kept
// ones fit in olderBudget. A page larger than the budget is not kept.
func (c *olderCache) put(e *olderEntry) {
	if e.size > olderBudget {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byKey[e.key] != nil {
		return
	}
	c.byKey[e.key] = c.lru.PushFront(e)
	c.size += e.size
	if e.next != "" {
		c.nexts[e.nextKey()]++
	}
	for c.size > olderBudget {
		old := c.lru.Remove(c.lru.Back()).(*olderEntry)
		delete(c.byKey, old.key)
		c.size -= old.size
		if old.next != "" {
			if k := old.nextKey(); c.nexts[k] > 1 {
				c.nexts[k]--
			} else {
				delete(c.nexts, k)
			}
		}
	}
}

// linked reports whether a page kept links to the page of key.
func (c *olderCache) linked(key olderKey) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.nexts[nextKey{topic: key.topic, gen: key.gen, before: key.before}] > 0
}

// clear lets go of every page kept, after a reload: none of them will be
// asked for again.
func (c *olderCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.byKey)
	clear(c.nexts)
	c.lru.Init()
	c.size = 0
}

// render returns the page of key, kept or made by build, which runs in
// one of the render slots; it waits for a slot until ctx ends.
func (c *olderCache) render(ctx context.Context, key olderKey, build func() (*olderEntry, error)) (*olderEntry, error) {
	if e := c.get(key); e != nil {
		return e, nil
	}
	select {
	case c.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-c.slots }()
	// Another request may have rendered it while this one waited.
	if e := c.get(key); e != nil {
		return e, nil
	}
	e, err := build()
	if err != nil {
		return nil, err
	}
	e.key = key
	if e.linked {
		c.put(e)
	}
	return e, nil
}

// linkedTo reports whether the older page of key is one a page links to:
// the first page of the topic at the same generation, or an older page
// kept. A crawler that follows the next links from the first page meets
// only such pages; a cursor made up, of a story's id and date too, names
// none.
func (p *Publisher) linkedTo(tc *topicCache, key olderKey) bool {
	if c := tc.page.Load(); c != nil && c.gen == key.gen && c.page.next == key.before {
		return true
	}
	return p.older.linked(key)
}

// olderKeyOf is the key of topic tc's older page before the cursor in
// format f (olderHTML for the HTML page), as of now.
func (p *Publisher) olderKeyOf(tc *topicCache, f format, before string) olderKey {
	return olderKey{topic: tc.serial, gen: tc.gen.Load(), since: p.since.Load(), f: f, before: before}
}
