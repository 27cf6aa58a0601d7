// Package ingest files the items of one fetched feed into stories: it skips
// unchanged items, updates edited ones in place, and gives each new item a
// story — the story of an item it shares an exact key with (GUID, canonical
// link, a named original, the same text), else of a near-duplicate report,
// else a new one — and then re-decides each changed story's face, topics and
// tags.
package ingest

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"html"
	"slices"
	"strings"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/near"
	"github.com/tributary-feeds/tributary/aggregator/parse"
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
	againRead int // the most of a source's stored items at one link storedAgain compares a new item with
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
		againRead: aggregator.DefaultMaxItems,
	}
	if cfg == nil {
		return in
	}
	in.againRead = max(in.againRead, cfg.Poll.MaxItems)
	if cfg.Dedup.Window > 0 {
		in.window = cfg.Dedup.Window
	}
	in.near = cfg.Dedup.NearEnabled()
	if t := cfg.Dedup.Threshold; t > 0 && t <= 1 {
		in.threshold = t
	}
	for _, s := range cfg.Sources {
		id := s.SourceID()
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
	Unchanged  int      // items already stored as they are, and SameText
	SameText   int      // new items left out as their story holds MaxSameText items of their source, one with their text or copied
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
	whole  near.Whole // the shingles of the whole of lines, once compared whole (containment)
	chrome []string   // counter keys of its lines and headline segments
	plain  plainText  // its summary and content as plain text
	// leftOut is set by add on a new item it left out: its story holds
	// MaxSameText items of its source, one with its text or one it copies
	// (sameTextFull).
	leftOut bool
}

// Apply files the items of one fetch of src in tx. Items whose stored Hash
// is unchanged are not written at all; edited items are replaced in place
// and stay in their story; new items join the story they duplicate or start
// one. Items are taken oldest first, so the outcome does not depend on the
// order of the feed. Apply neither writes src nor commits tx.
func (in *Ingester) Apply(tx aggregator.Tx, src aggregator.SourceState, items []aggregator.Item) (Result, error) {
	return in.ApplyPrepared(tx, &Prepared{src: src, items: order(items)})
}

// Prepared is a fetch's items with the work Apply does on their text done
// ahead, outside the write transaction: extracting each item's text,
// removing the source's chrome and building its near-duplicate Doc cost
// more than everything else Apply does, and need only reads.
type Prepared struct {
	src   aggregator.SourceState
	items []aggregator.Item // in Apply's order, without repeated or empty ids
	// What the text work went by: the source's table of recurring lines
	// and the items that were new or edited, as stored then (none when
	// Apply made the Prepared, so nothing is reused).
	blob []byte
	work []*pending
	// How each of items was stored then, in items order, when the store
	// can tell (itemStamper): ApplyPrepared decodes only the items whose
	// stored version changed since.
	seen []storedItem
}

// storedItem is what classify found of one item.
type storedItem struct {
	stamp  uint64           // itemStamper's stamp of the stored version
	stored bool             // an item with the id was stored
	old    *aggregator.Item // the stored version, when it differs from the fetched one
}

// itemStamper is implemented by a Tx that can tell whether an item's
// stored version changed without decoding it (*store's Tx does): the
// stamp of a stored item changes whenever the item is stored anew.
type itemStamper interface {
	ItemStamp(id string) (stamp uint64, stored bool, err error)
}

// Prepare does ahead the work Apply would do on the text of the items of
// one fetch of src. read runs a function in a read-only transaction; the
// text work itself runs after it, with no transaction open. ApplyPrepared
// files the items, and redoes the work only when the source's stored
// state changed in between.
func (in *Ingester) Prepare(read func(func(aggregator.Tx) error) error, src aggregator.SourceState, items []aggregator.Item) (*Prepared, error) {
	p := &Prepared{src: src, items: order(items)}
	err := read(func(tx aggregator.Tx) error {
		var res Result
		var err error
		if p.work, p.seen, err = classify(tx, p.items, &res, nil); err != nil {
			return err
		}
		if len(p.work) > 0 {
			p.blob, err = tx.Blob(linesBlob(p.sourceID()))
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	in.texts(decodeLines(p.blob), p.work)
	return p, nil
}

// ApplyPrepared is Apply for items that Prepare has worked on. It may run
// more than once on the same Prepared (as in a retried transaction).
func (in *Ingester) ApplyPrepared(tx aggregator.Tx, prep *Prepared) (Result, error) {
	var res Result
	work, _, err := classify(tx, prep.items, &res, prep.seen)
	if err != nil || len(work) == 0 {
		return res, err
	}
	s := newSession(in, tx)
	work, again, err := s.prepare(prep.sourceID(), work, prep)
	if err != nil {
		return res, err
	}
	res.Unchanged += again

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
		if p.leftOut {
			res.Unchanged++
			res.SameText++
			continue
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

// prepare readies the pending items of a fetch of the source: their text,
// worked out now unless prep (which may be nil) has it, and their counts.
// It leaves out the new items the source gave before under another GUID
// (storedAgain) and returns the rest, and how many it left out.
func (s *session) prepare(sourceID string, work []*pending, prep *Prepared) ([]*pending, int, error) {
	lines, blob, err := lineCounts(s.tx, sourceID)
	if err != nil {
		return nil, 0, err
	}
	if prep == nil || !prep.reuse(work, blob) {
		s.in.texts(lines, work)
	}
	var items []aggregator.Item
	if prep != nil {
		items = prep.items
	}
	kept, err := s.storedAgain(work, items)
	if err != nil {
		return nil, 0, err
	}
	if err := s.in.count(s.tx, sourceID, lines, kept); err != nil {
		return nil, 0, err
	}
	s.chrome.tables[sourceID] = lines // as counted with this fetch's items, and stored
	return kept, len(work) - len(kept), nil
}

// storedAgain returns work without the new items that are items their
// source gave before under another GUID: the same link (or none), title,
// summary, content and media files, stored within the dedup window or
// earlier in work, of the fetch's items. Some feeds give an item a new GUID at every fetch;
// storing it each time would grow the store and its story by an item a
// poll, and its lines would count as the source's chrome. Some give its
// link a new query too (a session, a timestamp): a stored item of the
// source with the same text at the same link but for its query is that
// item as well, unless the fetch still lists it at its own link, where the
// query names the page ("notice.php?id=102"). A daily show's episodes under one title and description,
// without links, differ in their files. An item at the same link, under
// the same title and with the same files, whose text differs from the
// stored one's in its figures alone (a count of readers, the time of the
// fetch), is that item edited when the fetch no longer lists the stored
// one and the feed does not date it a day later (anotherDay): it is made
// an edit of it, its id and GUID, and updates it in place. One dated a day
// later is the next report of a series under one title, a daily
// bulletin's; one dated hours later is dated by the fetch.
func (s *session) storedAgain(work []*pending, items []aggregator.Item) ([]*pending, error) {
	type item struct{ link, title, summary, content, files string }
	var fetched map[item]bool   // the new items of this fetch kept so far
	listed := map[string]bool{} // the links of this fetch's items, schemeless
	ids := map[string]bool{}    // the ids of this fetch's items
	for _, it := range items {
		listed[schemeless(LinkOf(it))] = true
		ids[it.ID] = true
	}
	var claimed map[string]bool // the stored items edits were made of
	// The refs of the source's items under each dedup key, read once a
	// fetch: each new item at a link is compared with these alone, where
	// it was compared with every ref under the link, which a hostile feed
	// of thousands of items at one link and title made a pass over
	// thousands of refs for each of its items.
	own := map[string][]aggregator.KeyRef{}
	ofSource := map[string]bool{} // story id + "\x00" + item id of the source's members of the stories read
	read := map[string]bool{}     // the stories whose members ofSource holds
	// The texts without their figures of the stored items compared, each
	// made once a fetch: every new item at a link is compared with every
	// item stored under it.
	bare := map[string][2]string{}
	kept := work[:0:0]
	for _, p := range work {
		if p.old != nil {
			kept = append(kept, p)
			continue
		}
		it := p.it
		link := LinkOf(it)
		key := item{schemeless(link), it.Title, it.Summary, it.Content, files(it)}
		again := fetched[key]
		var edited *aggregator.Item
		if !again {
			// The stored items under the same link, in either scheme (a
			// site that moved to https rewrites its feed's links), else
			// of the same text.
			var dedupKeys []string
			texted := p.doc != nil && p.doc.Digest != ""
			switch {
			case specificLink(link):
				dedupKeys = []string{linkPrefix + "https://" + key.link, linkPrefix + "http://" + key.link}
				if texted && queryless(key.link) != key.link {
					dedupKeys = append(dedupKeys, textPrefix+p.doc.Digest)
				}
			case texted:
				dedupKeys = []string{textPrefix + p.doc.Digest}
			}
			var refs []aggregator.KeyRef
			var mine *[2]string // key's texts without their figures, once needed
			for _, k := range dedupKeys {
				r, ok := own[k]
				if !ok {
					var err error
					if r, err = s.ownRefs(k, it.SourceID, ofSource, read); err != nil {
						return nil, err
					}
					own[k] = r
				}
				refs = append(refs, r...)
			}
			for _, r := range refs {
				if !within(r.Time, it.Published, s.in.window) {
					continue
				}
				// Read once a session: each of a fetch's items at one
				// link is compared with the source's items stored under it.
				old, err := s.item(r.Item)
				if errors.Is(err, aggregator.ErrNotFound) {
					continue // pruned since
				}
				if err != nil {
					return nil, fmt.Errorf("item %s: %w", r.Item, err)
				}
				was := item{schemeless(LinkOf(old)), old.Title, old.Summary, old.Content, files(old)}
				if was.link != key.link && queryless(was.link) == queryless(key.link) && !listed[was.link] {
					// The same page, under a query made anew; one still
					// listed at its own is another page its query names.
					was.link = key.link
				}
				if old.SourceID == it.SourceID && key == was {
					again = true
					break
				}
				if edited == nil && old.SourceID == it.SourceID && key.link != "" && was.link == key.link &&
					was.title == key.title && was.files == key.files && !ids[old.ID] && !claimed[old.ID] &&
					!(it.Dated && old.Dated && it.Published.Sub(old.Published) >= anotherDay) {
					// Dated a day later by the feed, it is the next of a
					// series under one title (a daily bulletin, whose
					// figures are its news), not this item given again;
					// one dated hours later is dated by the fetch, as
					// some feeds date every item, with its GUID made anew.
					if mine == nil {
						mine = &[2]string{digitless(key.summary), digitless(key.content)}
					}
					theirs, ok := bare[old.ID]
					if !ok {
						theirs = [2]string{digitless(was.summary), digitless(was.content)}
						bare[old.ID] = theirs
					}
					if theirs != *mine {
						continue
					}
					edited = &old
				}
			}
		}
		if again {
			continue
		}
		if edited != nil {
			// The item the source gave before at the same link, under
			// the same title, and no longer lists: this is that item,
			// under a GUID made anew, its text the same but for its
			// figures (a count of readers, the time of the fetch).
			// Stored as a new item at every fetch, it would add a member
			// to its story at each.
			p.it.ID, p.it.GUID = edited.ID, edited.GUID
			p.old = edited
			if claimed == nil {
				claimed = map[string]bool{}
			}
			claimed[edited.ID] = true
		}
		if fetched == nil {
			fetched = map[item]bool{}
		}
		fetched[key] = true
		kept = append(kept, p)
	}
	return kept, nil
}

// ownRefs returns the refs under the dedup key k of the source's items,
// the newest s.in.againRead of them, oldest first, as storedAgain compares
// a new item with them. A ref whose story is gone counts as the source's:
// its item tells. A link many sources carry holds thousands of refs: the
// ref's story (which the session reads once, and reads anyway to file the
// item) tells which are items of this source before any item is decoded;
// ofSource and read keep, across calls, which items of the stories read
// are the source's.
//
// The newest againRead are enough: an item a feed gives again under a new
// GUID was stored when the feed listed it before, and one fetch lists at
// most poll.max_items items (500 by default, the least againRead is), so
// the item it was is among the source's items filed at the link by the
// fetch before; only a feed that listed more than that many other items
// at the one link since could hide it, and such a feed is what the bound
// is for.
func (s *session) ownRefs(k, sourceID string, ofSource, read map[string]bool) ([]aggregator.KeyRef, error) {
	refs, err := s.tx.Keys(k)
	if err != nil {
		return nil, fmt.Errorf("dedup key: %w", err)
	}
	var out []aggregator.KeyRef
	for i := len(refs) - 1; i >= 0 && len(out) < s.in.againRead; i-- {
		r := refs[i]
		st, err := s.story(r.Story)
		if err != nil && !errors.Is(err, aggregator.ErrNotFound) {
			return nil, err
		}
		if st != nil {
			if !read[st.ID] {
				read[st.ID] = true
				for _, m := range st.Members {
					if m.Source == sourceID {
						ofSource[st.ID+"\x00"+m.Item] = true
					}
				}
			}
			if !ofSource[st.ID+"\x00"+r.Item] {
				continue
			}
		}
		out = append(out, r)
	}
	slices.Reverse(out)
	return out, nil
}

// digitless returns s without its ASCII digits: the counters a page writes
// into an item's text ("Read 26 times"), which storedAgain passes over.
// Counts written in words are news, not counters (near.Figureless leaves
// those out too).
func digitless(s string) string {
	return strings.Map(func(r rune) rune {
		if '0' <= r && r <= '9' {
			return -1
		}
		return r
	}, s)
}

// queryless returns link without its query and fragment.
func queryless(link string) string {
	if i := strings.IndexAny(link, "?#"); i >= 0 {
		return link[:i]
	}
	return link
}

// files returns the URLs of an item's media files, in order, one a line.
func files(it aggregator.Item) string {
	var b strings.Builder
	for _, e := range it.Enclosures {
		b.WriteString(e.URL)
		b.WriteByte('\n')
	}
	return b.String()
}

// schemeless returns link without its scheme, http or https: a source's
// item under either is the same item.
func schemeless(link string) string {
	for _, p := range []string{"https://", "http://"} {
		if rest, ok := strings.CutPrefix(link, p); ok {
			return rest
		}
	}
	return link
}

// sourceID names the source whose recurring lines the items are read by.
func (p *Prepared) sourceID() string {
	if p.src.ID == "" && len(p.items) > 0 {
		return p.items[0].SourceID
	}
	return p.src.ID
}

// reuse gives work the text worked out by Prepare, when Prepare went by
// the same table of recurring lines and the same new and edited items:
// then the work is what it would be now. It reports whether it did.
func (p *Prepared) reuse(work []*pending, blob []byte) bool {
	if len(work) != len(p.work) || !bytes.Equal(blob, p.blob) {
		return false
	}
	for i, w := range work {
		pw := p.work[i]
		if w.it.ID != pw.it.ID || w.it.Hash != pw.it.Hash || (w.old == nil) != (pw.old == nil) ||
			w.old != nil && w.old.Hash != pw.old.Hash {
			return false
		}
	}
	for i, w := range work {
		pw := p.work[i]
		w.lines, w.title, w.chrome, w.plain = pw.lines, pw.title, pw.chrome, pw.plain
		w.doc = pw.doc.Clone() // count weighs it: a second run must start afresh
	}
	return true
}

// order returns items oldest first (then by id), without empty or
// repeated ids.
func order(items []aggregator.Item) []aggregator.Item {
	items = slices.Clone(items)
	slices.SortStableFunc(items, func(a, b aggregator.Item) int {
		return cmp.Or(a.Published.Compare(b.Published), cmp.Compare(a.ID, b.ID))
	})
	seen := make(map[string]bool, len(items))
	return slices.DeleteFunc(items, func(it aggregator.Item) bool {
		if it.ID == "" || seen[it.ID] {
			return true
		}
		seen[it.ID] = true
		return false
	})
}

// classify returns the items that are new or edited against what tx holds,
// and counts the unchanged ones in res. Where tx is an itemStamper it also
// returns what it found of each item, and takes from known (what an
// earlier classify of the same items returned, or nil) the items whose
// stamp has not changed instead of decoding them again.
func classify(tx aggregator.Tx, items []aggregator.Item, res *Result, known []storedItem) ([]*pending, []storedItem, error) {
	stamper, _ := tx.(itemStamper)
	var seen []storedItem
	if stamper != nil {
		seen = make([]storedItem, len(items))
	}
	var work []*pending
	for i, it := range items {
		var k *storedItem
		if len(known) == len(items) {
			k = &known[i]
		}
		si, err := storedVersion(tx, stamper, it, k)
		if err != nil {
			return nil, nil, fmt.Errorf("item %s: %w", it.ID, err)
		}
		if seen != nil {
			seen[i] = si
		}
		switch {
		case !si.stored:
			work = append(work, &pending{it: it})
		case si.old == nil:
			res.Unchanged++
		default:
			old := *si.old // the pending item's own copy
			work = append(work, &pending{it: it, old: &old})
		}
	}
	return work, seen, nil
}

// storedVersion returns what tx holds of the fetched item it: known (which
// may be nil) when stamper finds it stored as it was then, else what
// decoding the stored version tells.
func storedVersion(tx aggregator.Tx, stamper itemStamper, it aggregator.Item, known *storedItem) (storedItem, error) {
	var si storedItem
	if stamper != nil {
		var err error
		if si.stamp, si.stored, err = stamper.ItemStamp(it.ID); err != nil {
			return si, err
		}
		if known != nil && known.stored == si.stored && known.stamp == si.stamp {
			return *known, nil
		}
		if !si.stored {
			return si, nil
		}
	}
	old, err := tx.Item(it.ID)
	switch {
	case errors.Is(err, aggregator.ErrNotFound):
		si.stored = false
		return si, nil
	case err != nil:
		return si, err
	}
	si.stored = true
	if old.Hash != it.Hash && !redated(old, it) || languageRead(old, it) {
		si.old = &old
	}
	return si, nil
}

// redated reports whether the fetched item it is the stored item old as it
// was, but for a later date or none, tracking parameters in its link, or
// parameters that bust caches in its pictures' URLs (samePictures): some
// feeds date every item by the time of the fetch, or move its date
// whenever they are regenerated, and some add a query that changes at
// every fetch, to the link or to each picture or media file. Such an item is unchanged:
// an item keeps the date it was first stored under (edit), so there is
// nothing to write, and its story must not be announced as changed at
// every poll. A date moved earlier is a correction, and an edit.
func redated(old, it aggregator.Item) bool {
	if it.Published.Before(old.Published) || LinkOf(it) != LinkOf(old) {
		return false
	}
	it.Link, it.Published, it.Dated = old.Link, old.Published, old.Dated
	if it.Summary != old.Summary && samePictures(it.Summary, old.Summary) {
		it.Summary = old.Summary
	}
	if it.Content != old.Content && samePictures(it.Content, old.Content) {
		it.Content = old.Content
	}
	if len(it.Enclosures) == len(old.Enclosures) {
		files := slices.Clone(it.Enclosures) // it shares the caller's
		for i, e := range files {
			if o := old.Enclosures[i]; e.URL != o.URL && samePicture(html.EscapeString(e.URL), html.EscapeString(o.URL)) {
				files[i].URL = o.URL
			}
		}
		it.Enclosures = files
	}
	return it.EditHash() == old.Hash
}

// reread reports whether the fetched item it is the stored item old (as
// redated sees it) but for its authors or its categories, each of which is
// old's as the parser now reads it: an author (parse.Author) "By Jane Doe
// | Reuters" is "Jane Doe (Reuters)" and "Jane Doe (jane@x.example)" is
// "Jane Doe", a category "<p>World</p>" is "World" (readCategories),
// where an earlier version stored them whole. The source changed nothing:
// what is new is the reading of the text it wrote all along.
func reread(old, it aggregator.Item) bool {
	changed := false
	if !slices.Equal(old.Authors, it.Authors) {
		if !readAs(old.Authors, it.Authors, readAuthor) {
			return false
		}
		it.Authors, changed = old.Authors, true
	}
	if !slices.Equal(old.Categories, it.Categories) {
		if !slices.Equal(readCategories(old.Categories), it.Categories) {
			return false
		}
		it.Categories, changed = old.Categories, true
	}
	return changed && redated(old, it)
}

// readCategories returns stored categories as the parser now reads them
// (parse.CategoryText), each once whatever its case, as the parser lists
// them: one of markup alone ("<span></span>") is none now, and one that
// reads as another ("<p>World</p>" beside "World") is that one.
func readCategories(cats []string) []string {
	out := make([]string, 0, len(cats))
	for _, c := range cats {
		c = parse.CategoryText(c)
		if c != "" && !slices.ContainsFunc(out, func(o string) bool { return strings.EqualFold(o, c) }) {
			out = append(out, c)
		}
	}
	return out
}

// readAs reports whether now is old, each read anew by read.
func readAs(old, now []string, read func(string) string) bool {
	if len(old) != len(now) {
		return false
	}
	for i, a := range old {
		if read(a) != now[i] {
			return false
		}
	}
	return true
}

// languageRead reports whether the fetched item it is the stored item old
// (as redated or reread sees it) but for the language its source
// declares, which old lacks: it was stored by a version that kept no
// item's language. The source changed nothing, but the item is written
// again to take the language, once; until then its entries would never
// say it.
func languageRead(old, it aggregator.Item) bool {
	if old.Language != "" || it.Language == "" {
		return false
	}
	return old.Hash == it.Hash || redated(old, it) || reread(old, it)
}

// readAuthor returns a stored author as the parser now reads an author
// (parse.Author): the name, else the address alone. An item stored by an
// earlier version keeps its authors as that version read them.
func readAuthor(a string) string {
	name, addr := parse.Author(a)
	return cmp.Or(name, addr)
}

// texts extracts each pending item's text, removes the source's chrome
// (by lines, the source's table of recurring lines, and the fetch's own
// items) from it and builds its Doc, not yet weighed.
func (in *Ingester) texts(lines *near.LineCounts, work []*pending) {
	inFetch := map[string]int{}
	raw := make([][]string, len(work))
	rawKeys := make([][]string, len(work))
	leads := make([][]string, len(work))
	segs := make([][]string, len(work))
	var keys []string
	for i, p := range work {
		p.plain = plainOf(p.it)
		raw[i], rawKeys[i] = p.plain.lines()
		leads[i] = leadKeys(raw[i])
		segs[i] = near.Segments(p.it.Title)
		p.chrome = chromeKeys(rawKeys[i], leads[i], segs[i])
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
	for i, p := range work {
		p.lines = stripChrome(raw[i], rawKeys[i], leads[i], p.plain.footers(p.it.Title, isChrome), isChrome)
		p.title = cleanTitle(p.it.Title, segs[i], isChrome)
		p.doc = near.NewDoc(p.title, p.lines, p.it.Published)
	}
}

// count records the new items' lines and headline segments in the
// source's table of recurring lines and their terms in the document
// frequencies, and weighs each pending item's Doc by those.
func (in *Ingester) count(tx aggregator.Tx, sourceID string, lines *near.LineCounts, work []*pending) error {
	var chromeAdds []string
	for _, p := range work {
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
	keysOf := make([][]string, len(work)) // each Doc's term keys, in Terms order
	for i, p := range work {
		tk := p.doc.TermKeys()
		keysOf[i] = tk
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
	for i, p := range work {
		f := make([]uint32, len(p.doc.Terms))
		for j, k := range keysOf[i] {
			f[j] = df[index[k]]
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

// lineCounts reads a source's table of recurring lines, and returns it
// and its stored bytes. A source that has none yet may have the counters
// of an earlier build: they are dropped, and the table learns the source's
// chrome again from its next items. A damaged table is started afresh
// rather than failing the fetch (decodeLines).
func lineCounts(tx aggregator.Tx, sourceID string) (*near.LineCounts, []byte, error) {
	b, err := tx.Blob(linesBlob(sourceID))
	if err != nil {
		return nil, nil, fmt.Errorf("recurring lines: %w", err)
	}
	if b == nil {
		if err := tx.DropCounts(chromeNamespace(sourceID)); err != nil {
			return nil, nil, fmt.Errorf("recurring lines: %w", err)
		}
	}
	return decodeLines(b), b, nil
}

// decodeLines decodes a stored table of recurring lines; a damaged one is
// started afresh.
func decodeLines(b []byte) *near.LineCounts {
	c, err := near.DecodeLineCounts(b)
	if err != nil {
		c, _ = near.DecodeLineCounts(nil)
	}
	return c
}
