package ingest

import (
	"errors"
	"fmt"
	"math/bits"
	"net"
	"net/url"
	"slices"
	"strings"
	"time"
	"unsafe"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/near"
	"github.com/tributary-feeds/tributary/aggregator/parse"
	"github.com/tributary-feeds/tributary/aggregator/topic/query"
)

// Limits of one near-duplicate lookup, so that its cost stays flat however
// large the store and however big a story grows.
const (
	bandRead      = 64           // a band holding more refs than this is not read: a term that many items of one day share names a topic, not a story
	bandCap       = bandRead + 1 // a band is not grown past one ref more than bandRead: the refs after it would never be read
	maxCandidates = 8            // stories compared in full
	maxCompared   = 24           // members of one story compared, the most recent
)

// session is one Apply: the transaction, the stories it changed, and the
// Docs it has read.
type session struct {
	in      *Ingester
	tx      aggregator.Tx
	stories map[string]*aggregator.Story
	before  map[string][]string // topics of each changed story before the change
	dirty   []string            // ids of changed stories, in order of change
	kept    map[string]int      // of each changed story, its members before the change; 0 once one of them changed (grow)
	shown   map[string]shown    // of each changed story, what its entries showed before the change
	redone  map[string]bool     // ids of edited items, true when the edit changed their title or link
	docs    map[string]*near.Doc
	items   map[string]aggregator.Item // items read or written in this session, as stored
	plain   map[string]plainText       // plain text of the fetch's new and edited items
	chrome  *chromeTables              // sources' tables of recurring lines, for the topics' text
	now     time.Time                  // latest first-seen time of the fetch's items

	profiles   map[string]*near.Profile // story id → profile of its recent members; dropped when they change
	candidates []*aggregator.Story      // the stories the last nearest compared
	ownCopy    map[string]bool          // of those, the ids of the ones holding a copy of the item from its source
	wholes     map[string]near.Whole    // item id → the shingles of its whole text, once OwnCopy read it
	merged     map[string]string        // id of a story merged away → id of the story that took its members
	removed    [][]string               // topics of the stories merged away

	// Scratch of nearest, kept between its calls: story key → index in hitList.
	hitIndex map[string]int
	hitList  []hit
	key      []byte // eachRef's story key, for a Tx that is not a bandVisitor
	keyBytes int    // the most bytes of keys a lookup held
}

// hit is what nearest gathers of a story found through the bands: the
// distinct index terms it shares with the Doc, a term being a bit of mask.
// key is the story as the bands hold it (eachRef), and id its id once
// spelt.
type hit struct {
	key  string
	id   string
	mask uint64
}

func newSession(in *Ingester, tx aggregator.Tx) *session {
	return &session{
		in:      in,
		tx:      tx,
		stories: map[string]*aggregator.Story{},
		before:  map[string][]string{},
		kept:    map[string]int{},
		shown:   map[string]shown{},
		redone:  map[string]bool{},
		docs:    map[string]*near.Doc{},
		items:   map[string]aggregator.Item{},
		plain:   map[string]plainText{},
		chrome:  newChromeTables(tx),

		profiles: map[string]*near.Profile{},
		merged:   map[string]string{},
		ownCopy:  map[string]bool{},
		wholes:   map[string]near.Whole{},
		hitIndex: map[string]int{},
	}
}

// story returns the story id, from the session or the store. For a story
// that was merged into another it returns the one that took its members.
func (s *session) story(id string) (*aggregator.Story, error) {
	for hops := 0; ; hops++ {
		if to, ok := s.merged[id]; ok {
			id = to
			continue
		}
		if st, ok := s.stories[id]; ok {
			return st, nil
		}
		st, err := s.tx.Story(id)
		if errors.Is(err, aggregator.ErrNotFound) && hops < maxHops {
			to, ok, rerr := s.redirect(id)
			if rerr != nil {
				return nil, rerr
			}
			if ok {
				s.merged[id] = to
				continue
			}
		}
		if err != nil {
			return nil, fmt.Errorf("story %s: %w", id, err)
		}
		s.stories[id] = &st
		return &st, nil
	}
}

// maxHops bounds the chain of merges followed from a story id.
const maxHops = 8

// redirect returns the story that a story merged away was merged into, as
// recorded under its merge key.
func (s *session) redirect(id string) (string, bool, error) {
	refs, err := s.tx.Keys(mergedPrefix + id)
	if err != nil {
		return "", false, fmt.Errorf("story %s: merge key: %w", id, err)
	}
	if len(refs) == 0 {
		return "", false, nil
	}
	return refs[len(refs)-1].Story, true, nil
}

// touch marks a story changed.
func (s *session) touch(st *aggregator.Story) {
	if _, ok := s.before[st.ID]; ok {
		return
	}
	s.before[st.ID] = slices.Clone(st.Topics)
	if s.before[st.ID] == nil {
		s.before[st.ID] = []string{}
	}
	s.kept[st.ID] = len(st.Members)
	s.shown[st.ID] = shownOf(st)
	s.dirty = append(s.dirty, st.ID)
}

// shown is what a story's entries in the published feeds show of it,
// besides its face's fields: the face, the time, the tags, and the other
// sources, each by its first item.
type shown struct {
	face   string
	time   time.Time
	tags   []string
	firsts map[string]string // source → its first member's item id
}

func shownOf(st *aggregator.Story) shown {
	sh := shown{face: st.Face, time: st.Time, tags: slices.Clone(st.Tags), firsts: map[string]string{}}
	for _, m := range st.Members {
		if _, ok := sh.firsts[m.Source]; !ok {
			sh.firsts[m.Source] = m.Item
		}
	}
	return sh
}

// changedShown reports whether what the story's entries show changed in
// this session: another face, time or tags, another source listed (not one
// that only brought an article again, onlyAgain), or an edit of
// the face or of the title or link of a source's first item. A member that
// joins from a source the entry lists already, or an edit of what the
// entry does not show, leaves the entry as it was, and its updated date
// with it: feed readers show an entry whose updated date moves as new
// again (RFC 4287 keeps atom:updated for significant changes).
func (s *session) changedShown(st *aggregator.Story) bool {
	was, ok := s.shown[st.ID]
	if !ok {
		return true
	}
	now := shownOf(st)
	if now.face != was.face || !now.time.Equal(was.time) || !sameTags(was.tags, now.tags) {
		return true
	}
	for src := range was.firsts {
		if _, ok := now.firsts[src]; !ok {
			return true
		}
	}
	for src, id := range now.firsts {
		first, ok := was.firsts[src]
		if !ok && !s.onlyAgain(st, src) || ok && first != id {
			return true
		}
	}
	for id, titleOrLink := range s.redone {
		if id == st.Face || titleOrLink && now.firsts[s.items[id].SourceID] == id {
			return true
		}
	}
	return false
}

// sameTags reports whether a story's tags now are the tags it had, each
// as it was or, a category that an earlier version stored with its markup,
// as the parser now reads it (parse.CategoryText). Tags are sorted and
// one whatever their case (addTags): a category read anew may take
// another place among them ("<p>politics</p>" is "politics", after
// "all"), or be one with another tag ("<b>World</b>" beside the topic
// "world"), or be none, and the story shows the same tags all the same.
func sameTags(was, now []string) bool {
	if slices.Equal(was, now) {
		return true
	}
	had := make(map[string]bool, len(was))    // the tags it had, as now read
	reread := make(map[string]bool, len(was)) // those that read otherwise now
	for _, t := range was {
		r := parse.CategoryText(t)
		k := query.FoldLabel(r)
		if k == "" {
			continue // markup alone ("<span></span>"), now no category
		}
		had[k] = true
		if r != t {
			reread[k] = true
		}
	}
	has := make(map[string]bool, len(now))
	for _, t := range now {
		k := query.FoldLabel(t)
		if !had[k] || !reread[k] && !slices.Contains(was, t) {
			return false
		}
		has[k] = true
	}
	return len(has) == len(had)
}

// onlyAgain reports whether every item of source src in the story is an
// article another source of the story brought at the same link: the same
// article come in again, under a source whose URL the operator changed (to
// https, or to where its feed moved). The entries neither list such a
// source nor count it, so its joining changes nothing they show. An item
// that cannot be read counts as listed.
func (s *session) onlyAgain(st *aggregator.Story, src string) bool {
	for _, m := range st.Members {
		if m.Source != src {
			continue
		}
		it, err := s.item(m.Item)
		if err != nil || !s.sharesLink(st, it) {
			return false
		}
	}
	return true
}

// sharesLink reports whether an item of another source in st has its link,
// found through the index of canonical links. A lookup that fails counts as
// no such item.
func (s *session) sharesLink(st *aggregator.Story, it aggregator.Item) bool {
	link := LinkOf(it)
	if it.Link == "" || !specificLink(link) {
		return false
	}
	refs, err := s.tx.Keys(linkPrefix + link)
	if err != nil {
		return false
	}
	for _, ref := range refs {
		if ref.Story != st.ID || ref.Item == it.ID {
			continue
		}
		if other, err := s.item(ref.Item); err == nil && other.SourceID != it.SourceID && other.Link == it.Link {
			return true
		}
	}
	return false
}

func (s *session) seen(it aggregator.Item) {
	if it.FirstSeen.After(s.now) {
		s.now = it.FirstSeen
	}
}

// add files a new item: it joins the story of an exact key, else of a
// near-duplicate, else starts a story. It reports whether it joined one.
func (s *session) add(p *pending) (bool, error) {
	it := &p.it
	s.seen(*it)
	keys := exactKeys(*it, p.doc)
	var st *aggregator.Story
	var m aggregator.Match
	var copied []*aggregator.Story
	notFiled := ""   // a link another source's item holds, that this one only claims (otherAtLink)
	namedBy := false // it joined by its link, which a stored item named as its original
	posts := false   // its source posted another item under its link or GUID (postUnderLink)
	s.candidates = s.candidates[:0]
	for _, k := range keys.lookup {
		ref, ok, err := s.lookupKey(k, *it)
		if err != nil {
			return false, err
		}
		if !ok {
			continue
		}
		if k.reason != aggregator.ReasonText && k.reason != aggregator.ReasonOrigin {
			other, err := s.postUnderLink(p, ref)
			if err != nil {
				return false, err
			}
			if other {
				posts = true
				continue
			}
		}
		if k.reason == aggregator.ReasonOrigin {
			page, err := s.sitePage(p, k)
			if err != nil {
				return false, err
			}
			if page {
				continue
			}
		}
		if strings.HasPrefix(k.key, guidPrefix) {
			other, err := s.otherUnderGUID(p, ref)
			if err != nil {
				return false, err
			}
			if other {
				continue
			}
		}
		if strings.HasPrefix(k.key, linkPrefix) && k.reason != aggregator.ReasonOrigin {
			other, err := s.otherAtLink(p, ref)
			if err != nil {
				return false, err
			}
			if other {
				notFiled = k.key
				continue
			}
		}
		st, err = s.story(ref.Story)
		if errors.Is(err, aggregator.ErrNotFound) {
			continue // pruned since
		}
		if err != nil {
			return false, err
		}
		m = aggregator.Match{Reason: k.reason, Key: k.shown, With: ref.Item}
		namedBy = strings.HasPrefix(k.key, originPrefix)
		break
	}
	switch {
	case s.in.near && pointer(*it, p.doc):
		// It joins its original by that link, or its original it, and
		// nothing by its headline's words.
	case st == nil && s.in.near:
		var err error
		st, m, err = s.nearest(p)
		if err != nil {
			return false, err
		}
	case s.in.near:
		// The item joined by its key, but the stories it resembles are
		// still read, for merging: an original that a headline-only
		// pointer named joins the pointer's story, which a copy of the
		// original's text, in a story of its own, must join too. A story
		// that holds a copy of the item from its own source (s.ownCopy)
		// joins it whatever the two stories' likeness as wholes: a
		// notice its source updated under a new link, stored first, took
		// a consumer site's cut copy of it, and the notice itself, coming
		// last, joined a trade site's copy by the link that copy names, a
		// day from the update, the likeness of the two stories discounted
		// by that day and each holding a notice of the source.
		// So does the story whose member the item copies from another
		// source, when the item joined by its link as the page that a
		// headline alone (an aggregator's, over "Read more") named
		// before it came: a paper's re-post of a wire's report is the
		// wire's report all the same, and its outlet's other reports in
		// the wire's story (a live page) would keep the two apart as
		// two reports of one outlet. An item that joined by another
		// key, as a copy joins the report its "Source link" names, is
		// compared as any: a scraper's copy of one report whose link
		// names another of the wire's brings the story of the first
		// no nearer the second. Nor does an item at a page under which
		// its source posts others (a station's news page, under which
		// its feed gives each bulletin): the headline named the page,
		// not the report, and the reports of every bulletin re-posted
		// there would become one story.
		best, bm, err := s.nearest(p)
		if err != nil {
			return false, err
		}
		for _, c := range s.candidates {
			if s.ownCopy[c.ID] && c.ID != st.ID {
				copied = append(copied, c)
			}
		}
		if best != nil && best.ID != st.ID && bm.Key == "copy" && !s.ownCopy[best.ID] && namedBy && !posts {
			byPointer, err := s.isPointer(m.With)
			if err != nil {
				return false, err
			}
			if byPointer {
				copied = append(copied, best)
			}
		}
	}
	if st != nil {
		full, err := s.sameTextFull(p, st, m)
		if err != nil {
			return false, err
		}
		if full {
			p.leftOut = true
			return true, nil
		}
	}
	joined := st != nil
	if st == nil {
		st = &aggregator.Story{ID: it.ID}
		s.stories[st.ID] = st
		m = aggregator.Match{Reason: aggregator.ReasonNew}
	}
	s.touch(st)
	it.StoryID = st.ID
	st.Members = append(st.Members, aggregator.Member{Item: it.ID, Source: it.SourceID, Time: it.Published, Match: m})

	ref := aggregator.KeyRef{Story: st.ID, Item: it.ID, Time: it.Published}
	for _, k := range keys.file {
		if k == notFiled {
			continue
		}
		if err := s.tx.AddKey(k, ref); err != nil {
			return false, fmt.Errorf("item %s: %w", it.ID, err)
		}
	}
	if err := s.file(p, ref); err != nil {
		return false, err
	}
	if err := s.putItem(*it); err != nil {
		return false, err
	}
	delete(s.profiles, st.ID)
	st, err := s.mergeNamers(p, st)
	if err != nil {
		return false, err
	}
	for _, c := range copied {
		if st, err = s.mergeCopied(st, c); err != nil {
			return false, err
		}
	}
	if err := s.mergeStories(st); err != nil {
		return false, err
	}
	return joined, nil
}

// isPointer reports whether the stored item id is a headline alone over a
// link to the report it stands for (pointer). An item that cannot be found
// is none.
func (s *session) isPointer(id string) (bool, error) {
	it, err := s.item(id)
	if isNotFound(err) {
		return false, nil
	}
	if err != nil || len(it.OriginLinks) == 0 {
		return false, err
	}
	d, err := s.doc(id)
	if err != nil {
		return false, err
	}
	return pointer(it, d), nil
}

// MaxSameText is the most items of one source a story takes past which a
// new item of that source with the text of one of them, or a copy of it,
// at another link, is left out as unchanged. A source that gives an item a
// new link (and GUID) at every poll, over the same headline and text, would
// otherwise add a member to its story at every poll, and keep the story
// from ever growing older than the retention. The stories of the evaluation sets hold at most
// six items of one outlet; a live page's entries, each joining its story,
// have texts of their own and are not held back.
const MaxSameText = 64

// sameTextFull reports whether the new item p, about to join st by the
// match m, is to be left out: st holds MaxSameText items of p's source
// already, and p joins it by the text of one of them (rule 3: the same text
// digest, which an item of fewer than eight words has not) or as a copy of
// one of them (rule 4), as the text given again with a word changed at
// every poll does.
func (s *session) sameTextFull(p *pending, st *aggregator.Story, m aggregator.Match) (bool, error) {
	if m.Reason != aggregator.ReasonText && (m.Reason != aggregator.ReasonNear || m.Key != "copy") {
		return false, nil
	}
	n := 0
	for _, x := range st.Members {
		if x.Source == p.it.SourceID {
			n++
		}
	}
	if n < MaxSameText {
		return false, nil
	}
	other, err := s.item(m.With)
	if isNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("item %s: %w", m.With, err)
	}
	return other.SourceID == p.it.SourceID, nil
}

// mergeNamers merges into st, or st into, each other story that holds a
// stored copy naming the new item as its original, and returns the story
// that holds the item then. Each such copy would have joined the item had
// it come first; arriving before it, copies from several sources (an
// aggregator's headline over "Read more", a link blog's comment whose
// external_url names the report, a scraper's "Source link") each started a
// story of their own, and the item, joining one by its key, is what makes
// them one. The links a lookup passes over are passed over here too: an
// item at another place of a page, and a page of the site that two items
// of one source name.
func (s *session) mergeNamers(p *pending, st *aggregator.Story) (*aggregator.Story, error) {
	own := LinkOf(p.it)
	if !specificLink(own) {
		return st, nil
	}
	// Copies name the item's page by any of its addresses, and the
	// article's page of an item at its mobile page (exactKeys).
	keys := append([]string{originPrefix + own}, linkForms(originPrefix, own)...)
	for _, page := range parse.MobilePages(own) {
		if specificLink(page) {
			keys = append(keys, originPrefix+page)
		}
	}
	for _, key := range keys {
		var err error
		if st, err = s.mergeNamersOf(p, st, key); err != nil {
			return nil, err
		}
	}
	return st, nil
}

// mergeNamersOf merges into st the stories of copies filed under key, the
// origin key of one of the item's page's addresses, as mergeNamers does.
func (s *session) mergeNamersOf(p *pending, st *aggregator.Story, key string) (*aggregator.Story, error) {
	link := key[len(originPrefix):]
	k := exactKey{key, aggregator.ReasonOrigin, link}
	refs, err := s.tx.Keys(k.key)
	if err != nil {
		return nil, fmt.Errorf("dedup key: %w", err)
	}
	checked := false
	// The most recent refs are read, as sitePage reads them.
	for _, r := range refs[max(0, len(refs)-bandRead):] {
		if r.Item == p.it.ID || !within(r.Time, p.it.Published, s.in.window) {
			continue
		}
		other, err := s.story(r.Story)
		if isNotFound(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if other.ID == st.ID {
			continue
		}
		elsewhere, err := s.otherPlace(k, p.it, r, refs)
		if err != nil {
			return nil, err
		}
		if elsewhere {
			continue
		}
		found, err := s.foundOther(r, link)
		if err != nil {
			return nil, err
		}
		if found {
			continue
		}
		if !checked {
			page, err := s.sitePage(p, k)
			if err != nil || page {
				return st, err
			}
			checked = true
		}
		keep, gone := st, other
		if first(other).Before(first(st)) || first(other).Equal(first(st)) && other.ID < st.ID {
			keep, gone = other, st
		}
		// The moved story's first member is explained as the key it joins
		// by, not as a merge of stories, when it is the item or a copy
		// that names it; any other joins by no link a copy names.
		if m := &gone.Members[0]; m.Match.Reason == aggregator.ReasonNew {
			switch {
			case m.Item == p.it.ID:
				m.Match = aggregator.Match{Reason: aggregator.ReasonOrigin, Key: link, With: r.Item}
			case slices.ContainsFunc(refs, func(x aggregator.KeyRef) bool { return x.Item == m.Item }):
				m.Match = aggregator.Match{Reason: aggregator.ReasonOrigin, Key: link, With: p.it.ID}
			}
		}
		if err := s.merge(keep, gone, 1); err != nil {
			return nil, err
		}
		st = keep
	}
	return st, nil
}

// mergeCopied merges st and other, a story that holds a copy of the item
// st took from the item's own source (another version of it), unless
// other is st by now, and returns the story that holds the item then.
func (s *session) mergeCopied(st, other *aggregator.Story) (*aggregator.Story, error) {
	other, err := s.story(other.ID)
	if isNotFound(err) {
		return st, nil
	}
	if err != nil || other.ID == st.ID {
		return st, err
	}
	keep, gone := st, other
	if first(other).Before(first(st)) || first(other).Equal(first(st)) && other.ID < st.ID {
		keep, gone = other, st
	}
	if err := s.merge(keep, gone, 1); err != nil {
		return nil, err
	}
	return keep, nil
}

// file stores an item's Doc and files it in the near-duplicate index.
func (s *session) file(p *pending, ref aggregator.KeyRef) error {
	s.docs[p.it.ID] = p.doc
	if err := s.tx.PutFeatures(p.it.ID, p.doc.Encode()); err != nil {
		return fmt.Errorf("item %s: features: %w", p.it.ID, err)
	}
	if pointer(p.it, p.doc) {
		return nil // found by its original's link, not by its words
	}
	return s.fileBands(p, ref)
}

// fileBands files an item's Doc in the near-duplicate index.
func (s *session) fileBands(p *pending, ref aggregator.KeyRef) error {
	bands := p.doc.Bands()
	if bf, ok := s.tx.(bandFiler); ok {
		keys := make([][]byte, len(bands))
		for i, b := range bands {
			keys[i] = b.Key
		}
		if _, err := bf.AddBands(keys, ref, bandCap); err != nil {
			return fmt.Errorf("item %s: %w", p.it.ID, err)
		}
		return nil
	}
	for _, b := range bands {
		n, err := s.bandLen(b.Key)
		if err != nil {
			return fmt.Errorf("item %s: %w", p.it.ID, err)
		}
		if n >= bandCap {
			continue
		}
		if err := s.tx.AddBand(b.Key, ref); err != nil {
			return fmt.Errorf("item %s: %w", p.it.ID, err)
		}
	}
	return nil
}

// edit replaces an edited item in place: it keeps its story, its first-seen
// time and its time, unless the feed now dates it earlier. An edit of what
// the story's entries show moves its Updated to the fetch, so that they
// say it changed.
func (s *session) edit(p *pending) error {
	it := &p.it
	old := p.old
	s.seen(*it) // before FirstSeen is the stored one: the story changed at this fetch
	// Authors, categories or a language read anew from what the source
	// still writes are no edit of its: the item takes them, and its entry
	// keeps its updated date.
	if !reread(*old, *it) && !languageRead(*old, *it) {
		s.redone[it.ID] = it.Title != old.Title || it.Link != old.Link
	}
	it.StoryID = old.StoryID
	it.FirstSeen = old.FirstSeen
	// A feed that dates an item by the fetch, or moves its date when it
	// edits it, would otherwise move its story to the top of every topic
	// at each change; a date moved earlier corrects a wrong one.
	if !it.Dated || !it.Published.Before(old.Published) {
		it.Published, it.Dated = old.Published, old.Dated
		it.Hash = it.EditHash() // of what is stored, for redated to compare with
		p.doc.Time = it.Published
	}
	st, err := s.story(old.StoryID)
	if err == nil {
		it.StoryID = st.ID // the story it was in may have merged into another
	}
	if errors.Is(err, aggregator.ErrNotFound) {
		// The story was pruned while the feed kept the item: file it anew.
		p.old = nil
		_, err := s.add(p)
		return err
	}
	if err != nil {
		return err
	}
	s.touch(st)
	s.kept[st.ID] = 0 // a member changed: the story is refreshed from every member
	for i := range st.Members {
		if st.Members[i].Item == it.ID {
			st.Members[i].Time = it.Published
		}
	}
	ref := aggregator.KeyRef{Story: st.ID, Item: it.ID, Time: it.Published}
	oldKeys := exactKeys(*old, nil).file
	for _, k := range exactKeys(*it, p.doc).file {
		if slices.Contains(oldKeys, k) {
			continue
		}
		if err := s.tx.AddKey(k, ref); err != nil {
			return fmt.Errorf("item %s: %w", it.ID, err)
		}
	}
	// An edit is an update of its report when its text still resembles
	// the old one; one that does not is another article under a link
	// the site reused, whose story is not the old text's.
	update := false
	if s.in.near {
		was, err := s.doc(it.ID)
		if err != nil && !isNotFound(err) {
			return err
		}
		update = was != nil && sameReport(p.doc, was, s.in.threshold)
		// A pointer was filed by no words (file); edited to carry a
		// text, it is filed by that text as any item with one, or a
		// copy of the text, coming later, would never find it.
		if was != nil && pointer(*old, was) && !pointer(*it, p.doc) {
			if err := s.fileBands(p, ref); err != nil {
				return err
			}
		}
	}
	s.docs[it.ID] = p.doc
	delete(s.profiles, st.ID)
	if err := s.tx.PutFeatures(it.ID, p.doc.Encode()); err != nil {
		return fmt.Errorf("item %s: features: %w", it.ID, err)
	}
	if err := s.putItem(*it); err != nil {
		return err
	}
	if !update || pointer(*it, p.doc) {
		return nil
	}
	// The updated text may resemble stories the old one did not: a copy
	// of this version, stored before it.
	if _, _, err := s.nearest(p); err != nil {
		return err
	}
	return s.mergeStories(st)
}

// postUnderLink reports whether the stored item of ref, found under the
// pending item's link or GUID, is another post of its source under one
// link: an item of the same source, under another GUID, whose text is no
// version of the pending item's (sameReport). A site that reuses a link
// for a new article, or a live page whose entries come as items under the
// page's link, gives each its own GUID; a source that makes up a new GUID
// at every fetch gives the same text. Without near-duplicate detection
// one link stays one story.
func (s *session) postUnderLink(p *pending, ref aggregator.KeyRef) (bool, error) {
	was, err := s.storedDoc(p, ref, func(other aggregator.Item) bool {
		return other.SourceID == p.it.SourceID && other.GUID != p.it.GUID
	})
	if err != nil || was == nil {
		return false, err
	}
	return !sameReport(p.doc, was, s.in.threshold), nil
}

// storedDoc returns, for the rules that tell two items under one key
// apart by their words (postUnderLink, otherUnderGUID), the Doc of the
// stored item of ref when near-duplicate detection is on and that item is
// one the rule asks about (of, given the item); else nil.
func (s *session) storedDoc(p *pending, ref aggregator.KeyRef, of func(aggregator.Item) bool) (*near.Doc, error) {
	if !s.in.near || p.doc == nil {
		return nil, nil
	}
	other, err := s.item(ref.Item)
	if isNotFound(err) {
		return nil, nil
	}
	if err != nil || !of(other) {
		return nil, err
	}
	return s.doc(ref.Item)
}

// sitePage reports whether the link that an origin key k joins by is one
// that two items of one source name as their original under headlines
// that share no word (near.Score.Title of zero): a page of the site rather
// than one report, as the show's page under each of a podcast's episodes
// when its feed holds the latest alone (parse drops such a link within one
// fetch). An aggregator that lists one report twice, under two headlines,
// names it under headlines that share the report's names. For a link the item names
// (linkPrefix) the other item is of its source; for the item's own link
// (originPrefix) two items of any one source.
func (s *session) sitePage(p *pending, k exactKey) (bool, error) {
	if !s.in.near || p.doc == nil {
		return false, nil
	}
	refs, err := s.tx.Keys(originPrefix + k.shown)
	if err != nil {
		return false, fmt.Errorf("dedup key: %w", err)
	}
	naming := map[string][]*near.Doc{} // source → Docs of its items naming the link
	if strings.HasPrefix(k.key, linkPrefix) {
		naming[p.it.SourceID] = []*near.Doc{p.doc}
	}
	// The most recent refs are read, as a band's: a link that many
	// sources name is a report that many copied.
	for _, r := range refs[max(0, len(refs)-bandRead):] {
		if r.Item == p.it.ID {
			continue
		}
		other, err := s.item(r.Item)
		if isNotFound(err) {
			continue
		}
		if err != nil {
			return false, err
		}
		d, err := s.doc(r.Item)
		if err != nil {
			return false, err
		}
		if d == nil {
			continue
		}
		for _, e := range naming[other.SourceID] {
			if d.TitleLen > 0 && e.TitleLen > 0 && near.Similarity(d, e).Title == 0 {
				return true, nil
			}
		}
		naming[other.SourceID] = append(naming[other.SourceID], d)
	}
	return false, nil
}

// otherUnderGUID reports whether the stored item of ref, found under the
// pending item's GUID, is another source's item whose words share nothing
// with the pending item's (near.Similarity of zero, as namesAgree judges
// two stories): papers of one group whose shared publishing system gives
// two of their reports one GUID. A partner's copy under the original's
// GUID, or an aggregator's headline, shares its words. Without
// near-duplicate detection one GUID stays one story.
func (s *session) otherUnderGUID(p *pending, ref aggregator.KeyRef) (bool, error) {
	was, err := s.storedDoc(p, ref, func(other aggregator.Item) bool { return other.SourceID != p.it.SourceID })
	if err != nil || was == nil {
		return false, err
	}
	return near.Similarity(p.doc, was).Value == 0, nil
}

// otherAtLink reports whether the stored item of ref, found under the
// pending item's link, is another source's item under the same GUID and at
// the same link whose words share nothing with the pending item's: the
// rule of otherUnderGUID, which the link key would pass by. A source that
// sends another's GUIDs and links over words of its own (spam, dated
// before them) would otherwise join that source's story and, as its
// earliest item, take its entry's title and text under that source's link. Such an
// item is not filed under the link (add), so that the items that come to
// the link later find the story of the item whose link it is. Two
// sources' items at one link under GUIDs of their own join whatever their
// words, as an aggregator's headline of its own over the article does.
func (s *session) otherAtLink(p *pending, ref aggregator.KeyRef) (bool, error) {
	if !globalGUID(p.it.GUID) {
		return false, nil
	}
	was, err := s.storedDoc(p, ref, func(other aggregator.Item) bool {
		return other.SourceID != p.it.SourceID && other.GUID == p.it.GUID && LinkOf(other) == LinkOf(p.it)
	})
	if err != nil || was == nil {
		return false, err
	}
	return near.Similarity(p.doc, was).Value == 0, nil
}

// sameReport reports whether an item's edited text (of Doc now) is a
// version of its old text (of Doc was): a copy of it, or a rewrite that
// scores threshold against it.
func sameReport(now, was *near.Doc, threshold float64) bool {
	sc := near.Similarity(now, was)
	return sc.Kind() == "copy" || sc.Value >= threshold
}

// putItem stores an item and keeps it for the session's later reads.
func (s *session) putItem(it aggregator.Item) error {
	if err := s.tx.PutItem(it); err != nil {
		return fmt.Errorf("item %s: %w", it.ID, err)
	}
	s.items[it.ID] = it
	delete(s.wholes, it.ID)
	return nil
}

// item returns a stored item, from the session when it read or wrote it.
func (s *session) item(id string) (aggregator.Item, error) {
	if it, ok := s.items[id]; ok {
		return it, nil
	}
	it, err := s.tx.Item(id)
	if err != nil {
		return it, err
	}
	s.items[id] = it
	return it, nil
}

// lookupKey returns the newest ref under k of another item whose time is
// within the window of it's. Under the item's text, another post of its
// source does not count (distinctPosts); under a link, nor does an item of
// another place in the page (otherPlace); under the item's link as an
// original a copy names, nor does a copy already in a story with another
// original it names (foundOther).
func (s *session) lookupKey(k exactKey, it aggregator.Item) (aggregator.KeyRef, bool, error) {
	refs, err := s.tx.Keys(k.key)
	if err != nil {
		return aggregator.KeyRef{}, false, fmt.Errorf("dedup key: %w", err)
	}
	// Under the item's text, whether another post of its source is one
	// (distinctPosts) is asked of an item with authors, enclosures, an id
	// in its link's path or no title of its own; which it has is read once, not for every ref:
	// untitled reads its whole text.
	byText := k.reason == aggregator.ReasonText && len(refs) > 0 &&
		(len(it.Authors) > 0 || len(it.Enclosures) > 0 || hasIDSegment(LinkOf(it)) || untitled(it))
	for i := len(refs) - 1; i >= 0; i-- {
		r := refs[i]
		if r.Item == it.ID || !within(r.Time, it.Published, s.in.window) {
			continue
		}
		elsewhere, err := s.otherPlace(k, it, r, refs)
		if err != nil {
			return aggregator.KeyRef{}, false, err
		}
		if elsewhere {
			continue
		}
		if strings.HasPrefix(k.key, originPrefix) {
			found, err := s.foundOther(r, k.shown)
			if err != nil {
				return aggregator.KeyRef{}, false, err
			}
			if found {
				continue
			}
		}
		if byText {
			other, err := s.item(r.Item)
			if err != nil && !isNotFound(err) {
				return aggregator.KeyRef{}, false, err
			}
			if distinctPosts(it, other) {
				continue
			}
		}
		return r, true, nil
	}
	return aggregator.KeyRef{}, false, nil
}

// foundOther reports whether the copy of ref, filed under the link of an
// original it names, is in a story with another original it names. A
// digest that credits each report it lists ("Source: …" under each) joins
// the first of them to come; another it names comes to that story as any
// report does, by its words, or the digest would make one story of every
// report it lists.
func (s *session) foundOther(ref aggregator.KeyRef, named string) (bool, error) {
	cp, err := s.item(ref.Item)
	if isNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if len(cp.OriginLinks) < 2 {
		return false, nil
	}
	var st *aggregator.Story
	for _, o := range cp.OriginLinks {
		if o == named || o == LinkOf(cp) || !specificLink(o) {
			continue
		}
		refs, err := s.tx.Keys(linkPrefix + o)
		if err != nil {
			return false, fmt.Errorf("dedup key: %w", err)
		}
		if len(refs) == 0 {
			continue
		}
		if st == nil {
			if st, err = s.story(ref.Story); isNotFound(err) {
				return false, nil
			} else if err != nil {
				return false, err
			}
		}
		for _, r := range refs {
			if slices.ContainsFunc(st.Members, func(m aggregator.Member) bool { return m.Item == r.Item }) {
				return true, nil
			}
		}
	}
	return false, nil
}

// otherPlace reports whether the item of ref, one of refs filed under a
// link key k of it, is at another place of the page that link names than
// it is. The canonical link drops a link's fragment, but a live page gives
// each of its entries a link to its own place in the page
// ("…/live#entry-2"): an item at one place is not the item at another, and
// an item under the page's link without a place is none of several such
// items (it is the one when the page's items hold one place, as a link to
// "#top" of an article does). A link that an item names as its original
// has lost its fragment: it names no item at a place, nor the page's when
// items at places are stored under it, so that a copy of one entry, whose
// "Source link" points at the page, is left to its words, which tell which
// entry it copies. A fragment of parameters ("#xtor=RSS-3", "#ref=rss")
// tracks a click, as a query's do, and names no place.
func (s *session) otherPlace(k exactKey, it aggregator.Item, ref aggregator.KeyRef, refs []aggregator.KeyRef) (bool, error) {
	switch {
	case strings.HasPrefix(k.key, originPrefix):
		// A stored item named it's link as its original.
		if place(it.Link) != "" {
			return true, nil
		}
		under, err := s.tx.Keys(linkPrefix + LinkOf(it))
		if err != nil {
			return false, fmt.Errorf("dedup key: %w", err)
		}
		return s.holdsPlace(under, it, "")
	case !strings.HasPrefix(k.key, linkPrefix) || k.reason == aggregator.ReasonGUID:
		return false, nil
	}
	other, err := s.item(ref.Item)
	if isNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	here, there := place(it.Link), place(other.Link)
	switch {
	case k.reason == aggregator.ReasonOrigin: // it names the link as its original
		if there != "" {
			return true, nil
		}
		return s.holdsPlace(refs, it, "")
	case here == there:
		return false, nil
	case there == "":
		// it is at a place of the page, other under the page's link: the
		// page's item stands for it only while the page's items hold no
		// other place, or each entry after it would join it, and the
		// entries one another through it.
		return s.holdsPlace(refs, it, here)
	case here != "":
		return true, nil
	}
	// it is under the page's link, other at a place of the page: the one
	// place its items hold, or one of several.
	return s.holdsPlace(refs, it, there)
}

// holdsPlace reports whether an item of refs other than it, within the
// window of it, is at a place of its page other than but. The most recent
// refs are read, as a band's: a link that many sources carry holds
// thousands, and a live page's entries come in turn.
func (s *session) holdsPlace(refs []aggregator.KeyRef, it aggregator.Item, but string) (bool, error) {
	for _, r := range refs[max(0, len(refs)-bandRead):] {
		if r.Item == it.ID || !within(r.Time, it.Published, s.in.window) {
			continue
		}
		x, err := s.item(r.Item)
		if isNotFound(err) {
			continue
		}
		if err != nil {
			return false, err
		}
		if p := place(x.Link); p != "" && p != but {
			return true, nil
		}
	}
	return false, nil
}

// place returns the fragment of a link that names a place in its page, or
// "" for none: a fragment of parameters (one with "=") tracks a click.
func place(link string) string {
	_, frag, ok := strings.Cut(link, "#")
	if !ok || strings.Contains(frag, "=") {
		return ""
	}
	return frag
}

// articleLines returns the body lines of a stored item of a source
// fetched in this session without the source's chrome, as its table of
// recurring lines now tells them.
func (s *session) articleLines(it aggregator.Item) []string {
	lines := s.chrome.tables[it.SourceID]
	plain := plainOf(it)
	raw, keys := plain.lines()
	leads := leadKeys(raw)
	isChrome := map[string]bool{}
	if lines != nil {
		for _, k := range chromeKeys(keys, leads, nil) {
			isChrome[k] = lines.Count(k) >= near.ChromeMin
		}
	}
	return stripChrome(raw, keys, leads, plain.footers(it.Title, isChrome), isChrome)
}

// containment returns the share of the shorter of the texts of a pending
// item and another item of its source that the other holds, over the
// whole of both (near.Containment). Each text is read word by word once a
// session, however many items it is compared with: a feed of long posts
// under one headline would otherwise have each post's text read again for
// every post of the source compared with it.
func (s *session) containment(p *pending, other aggregator.Item) float64 {
	if p.whole == nil {
		p.whole = near.NewWhole(p.lines)
	}
	w, ok := s.wholes[other.ID]
	if !ok {
		w = near.NewWhole(s.articleLines(other))
		s.wholes[other.ID] = w
	}
	return near.Containment(p.whole, w)
}

// pointer reports whether an item only points at the report it names as
// its original: an aggregator's headline over one "Read more" link, whose
// text holds too few words to be compared as a copy (near.Doc.HasText).
// It stands for that report, and joins it by the link when either comes
// (rule 2 of the README's "Stories"). Its headline alone, a handful of
// words that are mostly names, is too little to place it by: so placed, a
// headline of how a candidate won the election joined the wire's profile
// of her, both naming her and the country, and took the report it stood
// for into that story when the report came. So a pointer neither looks
// up stories by its words nor is filed where other items look them up.
func pointer(it aggregator.Item, doc *near.Doc) bool {
	return len(it.OriginLinks) > 0 && doc != nil && !doc.HasText()
}

// distinctPosts reports whether two items of one source are two posts
// whatever their words: both name their authors and none the same (two
// members' replies of "Same here on Linux." in one forum thread), each
// read as the parser now reads it (readAuthor: an item stored by an
// earlier version may name "By Jane Doe" whom its edit names "Jane Doe"), both
// carry media files and none the same (a daily show's episodes under one
// title and description), their headlines each name what the other's
// lacks, its text telling the names of a headline in title case
// (near.HeadlineNamesDisagreeIn: a weather service's warnings for two
// regions under one template), their headlines each hold words the
// other's lacks over one standing text that holds none of them
// (near.HeadlinesOverOneText: a statistics office's monthly releases, a
// reading list's books), they hold the same words but for names, each a
// name the other lacks (near.NamesDisagreeIn: a weather service's warnings
// for two counties under one headline), their short texts carry other
// pictures under headlines that differ (otherPictures: a picture agency's
// two galleries of one evening), their short texts under one
// headline each hold a figure the other's lacks
// (near.FiguresDisagreeUnder: a register's two directives of one day for
// two models of one maker), they are pages of the site told apart by an
// id alone (idPages: a code host's commits "…/commit/5f6a7b8…" and
// "…/commit/0a1b2c3…", both "Fix typo in README"), or they are an
// account's posts on other days (otherDayPosts). One item posted twice, as
// a site's one article under two links, has the same author and files.
// Items of two sources are left to their words: a site that copies
// another's item names its own author, and a network's feed may serve a
// show's file from its own host.
func distinctPosts(a, b aggregator.Item) bool {
	if a.SourceID != b.SourceID {
		return false
	}
	return near.HeadlineNamesDisagreeIn(a.Title, itemText(a), b.Title, itemText(b)) ||
		near.HeadlinesOverOneText(a.Title, itemText(a), b.Title, itemText(b)) ||
		near.NamesDisagreeIn(a.Title, itemText(a), b.Title, itemText(b)) ||
		near.FiguresDisagreeUnder(a.Title, itemText(a), b.Title, itemText(b)) ||
		disjoint(a.Authors, b.Authors, func(x string) string { return strings.ToLower(readAuthor(x)) }) ||
		disjoint(a.Enclosures, b.Enclosures, func(e aggregator.Enclosure) string { return e.URL }) ||
		otherPictures(a, b) ||
		otherDayPosts(a, b) ||
		idPages(LinkOf(a), LinkOf(b))
}

// idPages reports whether two links name two pages of one site told apart
// by an id alone: the same host, query and path but for one segment, an id
// in both (idSegment), as a code host names each commit by its hash and a
// forum each post by its number. A site that gives one article at two
// addresses names it by its words ("/news/draft-3141",
// "/news/greyholm-gouda-recall"), or in another folder.
func idPages(a, b string) bool {
	ua, err := url.Parse(a)
	if err != nil {
		return false
	}
	ub, err := url.Parse(b)
	if err != nil || !strings.EqualFold(ua.Host, ub.Host) || ua.RawQuery != ub.RawQuery {
		return false
	}
	pa := strings.Split(strings.Trim(ua.EscapedPath(), "/"), "/")
	pb := strings.Split(strings.Trim(ub.EscapedPath(), "/"), "/")
	if len(pa) != len(pb) {
		return false
	}
	differ := -1
	for i := range pa {
		if pa[i] == pb[i] {
			continue
		}
		if differ >= 0 {
			return false
		}
		differ = i
	}
	return differ >= 0 && idSegment(pa[differ]) && idSegment(pb[differ])
}

// idSegment reports whether a segment of a path is an id: three digits or
// more ("55012"), or seven hexadecimal digits or more with a letter and a
// digit among them, as a commit's hash is written, whole or cut
// ("5f6a7b8", "compare/0a1b2c3d4e...5f6a7b8c9d" has the two, joined by
// dots).
func idSegment(seg string) bool {
	letters, digits := 0, 0
	for i := 0; i < len(seg); i++ {
		switch c := seg[i]; {
		case '0' <= c && c <= '9':
			digits++
		case 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F':
			letters++
		case c == '.':
		default:
			return false
		}
	}
	if letters == 0 {
		return digits >= 3 && !strings.Contains(seg, ".")
	}
	return digits > 0 && letters+digits >= 7
}

// hasIDSegment reports whether a link's path has a segment that is an id
// (idSegment).
func hasIDSegment(link string) bool {
	u, err := url.Parse(link)
	if err != nil {
		return false
	}
	return slices.ContainsFunc(strings.Split(u.EscapedPath(), "/"), idSegment)
}

// anotherDay is how far apart a feed dates two posts of another day: a
// feed that dates its items by the fetch moves their dates by the hours
// between polls.
const anotherDay = 12 * time.Hour

// otherDayPosts reports whether two items of one source are posts of an
// account that titles none, as Mastodon's and Bluesky's are (untitled),
// each at a page of its own and dated by the feed twelve hours or more
// apart: a ferry operator that posts "The 07:30 sailing is cancelled
// because of fog" on Tuesday and again on Thursday has posted twice. A
// site's one article under two links has a headline, and the same date at
// both.
func otherDayPosts(a, b aggregator.Item) bool {
	if !a.Dated || !b.Dated || a.Published.Sub(b.Published).Abs() < anotherDay {
		return false
	}
	la, lb := LinkOf(a), LinkOf(b)
	if !specificLink(la) || !specificLink(lb) || pagePath(la) == pagePath(lb) {
		return false
	}
	return untitled(a) && untitled(b)
}

// pagePath returns a link without its query and fragment: a feed that
// stamps its links with a session or a time gives one page under many.
func pagePath(link string) string {
	if i := strings.IndexAny(link, "?#"); i >= 0 {
		return link[:i]
	}
	return link
}

// untitled reports whether an item has no title of its own: its title is
// the first words of its text, as a post without one is titled when its
// feed is read, with "…" where its text goes on past them, or the whole of
// its text. A site whose texts begin with their headline, as a line of its
// own before the article, titles its items: its text goes on past the
// headline, which ends in no "…".
func untitled(it aggregator.Item) bool {
	title := near.TitleWords(it.Title)
	if len(title) == 0 {
		return false
	}
	text := near.TitleWords(near.Text(itemText(it)))
	if len(text) < len(title) || !slices.Equal(text[:len(title)], title) {
		return false
	}
	return len(text) == len(title) || strings.HasSuffix(strings.TrimSpace(it.Title), "…")
}

// otherPageOfOrigin reports whether b is a page of the site that a names
// as its original, under another link than the one named: a copy is of the
// one report its original's link names, and another page of that site,
// which it does not copy, is another report of the site (a company's
// release of one product beside its release of another, written to one
// template), however many words the two share.
//
// A page under the same last part of its path as the one named (its print
// or mobile path, "/print/news/…/tram-approved" for "/news/…/tram-approved")
// is the article named.
func otherPageOfOrigin(a, b aggregator.Item) bool {
	bh, bs := siteOf(LinkOf(b))
	if bh == "" {
		return false
	}
	named := false
	for _, o := range a.OriginLinks {
		if !specificLink(o) || o == LinkOf(a) {
			continue
		}
		oh, os := siteOf(o)
		if oh != bh {
			continue
		}
		if os == bs {
			return false
		}
		named = true
	}
	return named
}

// siteOf returns the host of a link in lower case, without "www.", "m.",
// "amp." or "mobile.", and the last part of its path.
func siteOf(link string) (host, last string) {
	u, err := url.Parse(link)
	if err != nil {
		return "", ""
	}
	host = strings.ToLower(u.Hostname())
	for _, p := range []string{"www.", "m.", "amp.", "mobile."} {
		host = strings.TrimPrefix(host, p)
	}
	path := strings.Trim(u.EscapedPath(), "/")
	path = strings.TrimSuffix(strings.TrimSuffix(path, "/amp"), ".amp")
	return host, path[strings.LastIndex(path, "/")+1:]
}

// itemText returns the text of an item, its content or else its summary.
func itemText(it aggregator.Item) string {
	if it.Content != "" {
		return it.Content
	}
	return it.Summary
}

// disjoint reports whether a and b both have values and share none, as
// key gives them.
func disjoint[T any](a, b []T, key func(T) string) bool {
	if len(a) == 0 || len(b) == 0 {
		return false
	}
	for _, x := range a {
		for _, y := range b {
			if key(x) == key(y) {
				return false
			}
		}
	}
	return true
}

// ItemByLink finds a stored item at one of links (ItemAt) through the
// dedup keys items are filed under (an item's canonical link, the article's
// page of its mobile page, its GUID), or returns an error wrapping aggregator.ErrNotFound. Of
// several, it returns the one LinkRank ranks lowest, of those ranked alike
// the first stored: the item whose own link is links[0] comes before
// another whose canonical link is, as the entries of a live page
// ("…/live#entry-2") all are, and before one at a later link. An item filed under none — its
// link names a site's front page, say — is found only by walking the store
// (store.DB.ItemByLink), which ranks items alike.
func ItemByLink(tx aggregator.Tx, links ...string) (aggregator.Item, error) {
	var found aggregator.Item
	best := -1 // found's LinkRank
	for _, link := range links {
		if link == "" {
			continue
		}
		for _, key := range []string{linkPrefix + link, guidPrefix + link} {
			refs, err := tx.Keys(key)
			if err != nil {
				return aggregator.Item{}, fmt.Errorf("dedup key: %w", err)
			}
			for _, r := range refs {
				it, err := tx.Item(r.Item)
				if errors.Is(err, aggregator.ErrNotFound) {
					continue
				}
				if err != nil {
					return it, err
				}
				if r := LinkRank(it, links); r >= 0 && (best < 0 || r < best) {
					found, best = it, r
				}
				if best == 0 {
					return found, nil
				}
			}
		}
	}
	if best >= 0 {
		return found, nil
	}
	return aggregator.Item{}, fmt.Errorf("item with link %s: %w", strings.Join(links, " or "), aggregator.ErrNotFound)
}

// LinkRank ranks the item by the first of links it is at (ItemAt): twice
// that link's index, and one more when the item is there by its canonical
// link (or its mobile page) rather than its own link; -1 when it is at
// none. Given a link's addresses as LinkForms orders them, the lower, the
// closer the item is to the link as given: of two items under one
// canonical link, the one whose own link is the link given comes first.
// ItemByLink, and the walk of the store for items filed under no key
// (store.DB.ItemByLink), take the item ranked lowest.
func LinkRank(it aggregator.Item, links []string) int {
	for i, l := range links {
		switch {
		case l == "":
		case it.Link == l:
			return 2 * i
		case ItemAt(it, l):
			return 2*i + 1
		}
	}
	return -1
}

// ItemAt reports whether the item is at link: its link or its canonical
// link is link, or its canonical link is a mobile (AMP) page of the page at
// link, under which ingest files it too (exactKeys).
func ItemAt(it aggregator.Item, link string) bool {
	if link == "" {
		return false
	}
	return it.Link == link || it.CanonicalLink == link || slices.Contains(parse.MobilePages(LinkOf(it)), link)
}

// A LinkForm is one of the addresses ingest takes for the page at a link.
type LinkForm struct {
	Link string // the address
	How  string // how it comes from the link given, in words; "" for the link itself
}

// LinkForms returns the addresses ingest takes for the page at link, the
// link itself first: its canonical form (without tracking parameters and
// session ids), that form's other addresses (linkForms: http or https,
// "www." or not, a trailing "/" or not), and, when link is a mobile (AMP)
// page, its article's page with that page's other addresses. An item at
// any of them, or at a mobile page of one (ItemAt), is the item at link as
// ingest sees it; the earlier forms are the closer ones.
func LinkForms(link string) []LinkForm {
	forms := []LinkForm{{Link: link}}
	seen := map[string]bool{link: true}
	add := func(l, how string) {
		if l != "" && !seen[l] {
			seen[l] = true
			forms = append(forms, LinkForm{l, how})
		}
	}
	c := parse.CanonicalURL(link)
	if c == "" {
		return forms
	}
	add(c, "the canonical form of the link given (tracking parameters and session ids dropped)")
	for _, f := range linkForms("", c) {
		add(f, `another address of the page given (http or https, with or without "www." and a trailing "/")`)
	}
	for _, page := range parse.MobilePages(c) {
		add(page, "the article's page of the mobile (AMP) page given")
		for _, f := range linkForms("", page) {
			add(f, "another address of the article's page of the mobile (AMP) page given")
		}
	}
	return forms
}

func within(a, b time.Time, window time.Duration) bool {
	d := a.Sub(b)
	return d <= window && d >= -window
}

// exactKey is one dedup key of an item, as looked up.
type exactKey struct {
	key    string // the stored key
	reason string // the Match reason when it matches
	shown  string // the key as explained to an operator
}

// itemKeys are the exact keys an item is looked up under, and filed under.
type itemKeys struct {
	lookup []exactKey
	file   []string
}

// Prefixes of exact keys.
const (
	guidPrefix   = "g:" // a GUID that names the item the world over
	linkPrefix   = "l:" // the canonical link of an item
	originPrefix = "o:" // the canonical link of an original that a copy names
	textPrefix   = "t:" // the digest of the normalised text
	mergedPrefix = "m:" // the id of a story merged into another; its ref names the other
)

// exactKeys returns the keys of it in the order they are trusted.
func exactKeys(it aggregator.Item, doc *near.Doc) itemKeys {
	var k itemKeys
	link := LinkOf(it)
	linked := specificLink(link)
	global := globalGUID(it.GUID)
	// An item whose GUID is its own link, as most are, is filed under it
	// once, as its link: one entry less in the index.
	guidIsLink := global && linked && it.GUID == link
	if global {
		k.lookup = append(k.lookup, exactKey{guidPrefix + it.GUID, aggregator.ReasonGUID, it.GUID})
		// A GUID that is an article's link names what that link names.
		if specificLink(it.GUID) {
			k.lookup = append(k.lookup, exactKey{linkPrefix + it.GUID, aggregator.ReasonGUID, it.GUID})
		}
		if !guidIsLink {
			k.file = append(k.file, guidPrefix+it.GUID)
		}
	}
	if linked {
		if !guidIsLink { // else looked up above, as the GUID
			k.lookup = append(k.lookup, exactKey{linkPrefix + link, aggregator.ReasonLink, link})
		}
		// An original arriving after a copy that named it. A copy that
		// named another of its page's addresses (linkForms) is found by
		// mergeNamers, once the item is filed.
		k.lookup = append(k.lookup, exactKey{originPrefix + link, aggregator.ReasonOrigin, link})
		k.file = append(k.file, linkPrefix+link)
		// A feed that links its items' mobile (AMP) pages publishes each
		// report at its article's page too, which other feeds link and
		// copies name: the item is known by that page as well.
		for _, page := range parse.MobilePages(link) {
			if !specificLink(page) {
				continue
			}
			k.lookup = append(k.lookup,
				exactKey{linkPrefix + page, aggregator.ReasonLink, page},
				exactKey{originPrefix + page, aggregator.ReasonOrigin, page})
			k.file = append(k.file, linkPrefix+page)
		}
	}
	for _, o := range it.OriginLinks {
		if !specificLink(o) || o == link {
			continue
		}
		k.lookup = append(k.lookup, exactKey{linkPrefix + o, aggregator.ReasonOrigin, o})
		for _, key := range linkForms(linkPrefix, o) {
			if key[len(linkPrefix):] != link {
				k.lookup = append(k.lookup, exactKey{key, aggregator.ReasonOrigin, o})
			}
		}
		k.file = append(k.file, originPrefix+o)
	}
	if doc != nil && doc.Digest != "" {
		k.lookup = append(k.lookup, exactKey{textPrefix + doc.Digest, aggregator.ReasonText, doc.Digest})
		k.file = append(k.file, textPrefix+doc.Digest)
	}
	return k
}

// linkForms returns, after prefix, each other address of the page at the
// canonical link link that copies, aggregators and feeds write for it: in
// the other of "http" and "https", with "www." put before its host or
// taken from it, and with a "/" put after its path or taken from it (but
// for a file's path, "….html"), each alone and together. A site answers
// at each with the one page, or a redirect to it. It returns none for a
// link in neither scheme or to a front page.
func linkForms(prefix, link string) []string {
	scheme, rest, ok := strings.Cut(link, "://")
	if !ok || scheme != "http" && scheme != "https" {
		return nil
	}
	host, path, ok := strings.Cut(rest, "/")
	if !ok || host == "" {
		return nil
	}
	path, query, hasQuery := strings.Cut("/"+path, "?")
	if path == "/" && !hasQuery {
		return nil
	}
	schemes := []string{scheme, "https"}
	if scheme == "https" {
		schemes[1] = "http"
	}
	hosts := []string{host}
	if bare, ok := strings.CutPrefix(host, "www."); ok {
		if strings.Contains(bare, ".") {
			hosts = append(hosts, bare)
		}
	} else if name, _, _ := strings.Cut(host, ":"); strings.Contains(name, ".") && net.ParseIP(name) == nil {
		hosts = append(hosts, "www."+host)
	}
	paths := []string{path}
	last := path[strings.LastIndex(strings.TrimSuffix(path, "/"), "/")+1:]
	switch {
	case path == "/" || strings.Contains(last, "."):
	case strings.HasSuffix(path, "/"):
		paths = append(paths, strings.TrimSuffix(path, "/"))
	default:
		paths = append(paths, path+"/")
	}
	if hasQuery {
		query = "?" + query
	}
	// The forms are written into one string and sliced from it: an item's
	// lookup makes them for its link and each original it names.
	n := len(schemes)*len(hosts)*len(paths) - 1
	var b strings.Builder
	b.Grow(n * (len(prefix) + len(link) + len("s://www./")))
	ends := make([]int, 0, n)
	for _, sc := range schemes {
		for _, h := range hosts {
			for _, p := range paths {
				if sc == scheme && h == host && p == path {
					continue // link itself
				}
				b.WriteString(prefix)
				b.WriteString(sc)
				b.WriteString("://")
				b.WriteString(h)
				b.WriteString(p)
				b.WriteString(query)
				ends = append(ends, b.Len())
			}
		}
	}
	all := b.String()
	forms := make([]string, len(ends))
	start := 0
	for i, end := range ends {
		forms[i], start = all[start:end], end
	}
	return forms
}

// LinkOf is the link an item is known by: its canonical link, else its
// link. explain names an item by it too.
func LinkOf(it aggregator.Item) string {
	if it.CanonicalLink != "" {
		return it.CanonicalLink
	}
	return it.Link
}

// globalGUID reports whether a GUID can name an item across sources: a URL,
// a URN or tag URI, or a long opaque string. Short or numeric GUIDs ("123")
// are unique only within their feed, where the item id already tells items
// apart.
func globalGUID(g string) bool {
	if len(g) < 16 {
		return false
	}
	if strings.Contains(g, "://") || strings.HasPrefix(g, "urn:") || strings.HasPrefix(g, "tag:") {
		return true
	}
	digits := 0
	for _, r := range g {
		if r >= '0' && r <= '9' {
			digits++
		}
	}
	return len(g) >= 32 && digits < len(g)
}

// specificLink reports whether a link names one article rather than a
// site's home page, which some feeds give every item.
func specificLink(link string) bool {
	u, err := url.Parse(link)
	if err != nil || u.Host == "" {
		return false
	}
	return strings.Trim(u.Path, "/") != "" || u.RawQuery != ""
}

// bandSizer is implemented by a Tx that can tell a band's number of refs
// without decoding them (*store's Tx does).
type bandSizer interface {
	BandLen(band []byte) (int, error)
}

// bandVisitor is implemented by a Tx that hands over a band's refs without
// spelling their ids, when there are at most limit of them, with one lookup
// (*store's Tx does): a lookup reads hundreds of refs an item and needs
// the ids of the few stories it compares. RefID spells a story's key.
type bandVisitor interface {
	VisitBandUpTo(band []byte, limit int, skip string, fn func(story []byte, at time.Time)) (int, error)
	RefID(key string) string
}

// bandFiler is implemented by a Tx that files a ref under many bands at
// once, skipping the full ones (*store's Tx does).
type bandFiler interface {
	AddBands(bands [][]byte, ref aggregator.KeyRef, limit int) (int, error)
}

// bandLen returns the number of refs filed under band.
func (s *session) bandLen(band []byte) (int, error) {
	if bs, ok := s.tx.(bandSizer); ok {
		return bs.BandLen(band)
	}
	refs, err := s.tx.Band(band)
	return len(refs), err
}

// eachRef calls fn with the story and time of each ref filed under band
// but item's, and reports the band full, calling fn for none, when it holds
// more than bandRead refs: a term that common names a topic, not a story,
// and its refs would cost more to read than they tell. fn gets the story as
// a key, good until it returns, that refID spells.
func (s *session) eachRef(band []byte, item string, fn func(story []byte, at time.Time)) (bool, error) {
	if bv, ok := s.tx.(bandVisitor); ok {
		n, err := bv.VisitBandUpTo(band, bandRead, item, fn)
		return n > bandRead, err
	}
	if bs, ok := s.tx.(bandSizer); ok {
		n, err := bs.BandLen(band)
		if err != nil || n == 0 || n > bandRead {
			return n > bandRead, err
		}
	}
	refs, err := s.tx.Band(band)
	if err != nil || len(refs) > bandRead {
		return len(refs) > bandRead, err
	}
	for _, r := range refs {
		if r.Item != item {
			s.key = append(s.key[:0], r.Story...)
			fn(s.key, r.Time)
		}
	}
	return false, nil
}

// refID returns the id of the story that eachRef passed as key.
func (s *session) refID(key string) string {
	if bv, ok := s.tx.(bandVisitor); ok {
		return bv.RefID(key)
	}
	return key
}

// nearest finds the story, among those with items within the window, that
// the pending item duplicates. It returns a nil story when none scores at
// least the threshold. The stories it compared stay in s.candidates, for
// merging once the item is filed.
func (s *session) nearest(p *pending) (*aggregator.Story, aggregator.Match, error) {
	s.candidates = s.candidates[:0]
	clear(s.ownCopy)
	doc := p.doc
	bands, per := doc.LookupBands(s.in.window)
	if len(bands) == 0 {
		return nil, aggregator.Match{}, nil
	}
	// The bands come a term at a time, heaviest term first, per bands a
	// term (one for each bucket of the window). A term whose band is full
	// in some bucket is a topic of the day, and the next term is read in
	// its place, until near.LookupTerms were read. While fewer stories
	// than are compared in full were found, the rest of the terms the Doc
	// is filed under are read too: a copy cut to its first paragraphs
	// under a headline of its own can weigh words its original has, but
	// not among the terms that one was filed under, where many of its
	// words were equally rare; a lookup that found few stories costs
	// little to carry on.
	clear(s.hitIndex)
	hits := s.hitList[:0]
	var bit uint64 // the term being read
	// The hits' keys, end to end, in one allocation: a lookup finds
	// hundreds of stories. Bytes once appended are never written again,
	// so a string made of them stays as it is.
	keys := make([]byte, 0, s.keyBytes)
	count := func(key []byte, at time.Time) {
		if !within(at, doc.Time, s.in.window) {
			return
		}
		i, ok := s.hitIndex[string(key)]
		if !ok {
			i = len(hits)
			var k string
			if len(key) > 0 {
				start := len(keys)
				keys = append(keys, key...)
				k = unsafe.String(&keys[start], len(key))
			}
			s.hitIndex[k] = i
			hits = append(hits, hit{key: k})
		}
		hits[i].mask |= bit
	}
	var topics uint64       // the terms found to be topic words, a bit each
	var weights [64]float64 // each term's weight
	read := 0
	for t := 0; t < len(weights) && (t+1)*per <= len(bands) && (read < near.LookupTerms || len(hits) < maxCandidates); t++ {
		term := bands[t*per : (t+1)*per]
		weights[t] = term[0].Weight
		bit = 1 << t
		topic := false
		for _, b := range term {
			full, err := s.eachRef(b.Key, p.it.ID, count)
			if err != nil {
				return nil, aggregator.Match{}, fmt.Errorf("near-duplicate index: %w", err)
			}
			topic = topic || full
		}
		if topic {
			topics |= bit
		} else {
			read++
		}
	}
	s.keyBytes = max(s.keyBytes, cap(keys))
	if len(s.merged) > 0 {
		hits = s.redirectHits(hits)
	}
	s.hitList = hits
	if len(hits) == 0 {
		return nil, aggregator.Match{}, nil
	}
	top := topStories(hits, topics, weights[:], maxCandidates)

	var best *aggregator.Story
	var bestMatch aggregator.Match
	for _, h := range top {
		id := h.id
		if id == "" {
			id = s.refID(h.key)
		}
		st, err := s.story(id)
		if errors.Is(err, aggregator.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, aggregator.Match{}, err
		}
		if slices.ContainsFunc(s.candidates, func(c *aggregator.Story) bool { return c.ID == st.ID }) {
			continue // reached twice: through refs filed before and after a merge
		}
		s.candidates = append(s.candidates, st)
		m, err := s.compare(p, st)
		if err != nil {
			return nil, aggregator.Match{}, err
		}
		if m.Score >= s.in.threshold && (best == nil || m.Score > bestMatch.Score) {
			best, bestMatch = st, m
		}
	}
	return best, bestMatch, nil
}

// redirectHits spells the id of each hit and puts the hits of a story
// merged away in this session under the story that took its members, as
// one hit that shares the terms of both.
func (s *session) redirectHits(hits []hit) []hit {
	byID := make(map[string]int, len(hits))
	out := hits[:0]
	for _, h := range hits {
		h.id = s.refID(h.key)
		if to, ok := s.merged[h.id]; ok {
			h.id = to
		}
		if i, ok := byID[h.id]; ok {
			out[i].mask |= h.mask
			continue
		}
		byID[h.id] = len(out)
		out = append(out, h)
	}
	return out
}

// topStories returns the n hits a lookup ranks first, by selection (hits
// can number thousands). A story ranks by the weights of the Doc's own
// words it shares, the terms that are not topic words (weights[t] is term
// t's weight, topics their mask), then by the weights of all the terms it
// shares, then by key: a story that shares a report's own words comes
// before stories that share only its topics, which many do.
func topStories(hits []hit, topics uint64, weights []float64, n int) []hit {
	type ranked struct {
		hit
		own, weight float64
	}
	before := func(a, b ranked) bool {
		if a.own != b.own {
			return a.own > b.own
		}
		if a.weight != b.weight {
			return a.weight > b.weight
		}
		return a.key < b.key
	}
	top := make([]ranked, 0, n+1)
	for _, h := range hits {
		r := ranked{hit: h}
		for m := h.mask; m != 0; m &= m - 1 {
			t := bits.TrailingZeros64(m)
			r.weight += weights[t]
			if topics&(1<<t) == 0 {
				r.own += weights[t]
			}
		}
		i := len(top)
		for i > 0 && before(r, top[i-1]) {
			i--
		}
		if i >= n {
			continue
		}
		top = slices.Insert(top, i, r)
		if len(top) > n {
			top = top[:n]
		}
	}
	out := make([]hit, len(top))
	for i, r := range top {
		out[i] = r.hit
	}
	return out
}

// compare scores an item's Doc against a story: against each of its recent
// members within the window, and against their profile. A member whose
// headline disagrees with the item's on its figures (near.FiguresDisagree),
// or another post of its source (distinctPosts), is no copy of it, and the
// latter no form of its report either (near.Score.Distinct). Nor does a
// rewrite join the story when its headline disagrees on its figures with
// that of the member it resembles most, or when it names as its original
// another page of the site of a member it does not copy, or such a member
// so names it (otherPageOfOrigin).
func (s *session) compare(p *pending, st *aggregator.Story) (aggregator.Match, error) {
	doc, it := p.doc, p.it
	members := st.Members
	if len(members) > maxCompared {
		members = members[len(members)-maxCompared:]
	}
	var scores []near.Score
	var same []bool
	var withs []string
	for _, m := range members {
		d, err := s.doc(m.Item)
		if err != nil {
			return aggregator.Match{}, err
		}
		if d == nil || !within(d.Time, doc.Time, s.in.window) {
			continue
		}
		if q, ok, err := s.quoted(doc, d, it, m); err != nil || ok {
			return q, err
		}
		sc := near.Similarity(doc, d)
		own := m.Source == it.SourceID
		if sc.Kind() == "copy" || own {
			// Read only for a copy or another item of the source: a
			// member's headline and authors are not in its Doc.
			other, err := s.item(m.Item)
			if err != nil && !isNotFound(err) {
				return aggregator.Match{}, err
			}
			sc.Distinct = distinctPosts(it, other)
			if own && sc.Kind() != "copy" && other.ID != "" {
				sc = sc.OwnCopy(func() float64 { return s.containment(p, other) })
			}
			if sc.Kind() == "copy" && (sc.Distinct || near.FiguresDisagree(it.Title, other.Title)) {
				sc = sc.NotCopy()
			}
			if own && sc.Kind() == "copy" {
				s.ownCopy[st.ID] = true
			}
		}
		scores = append(scores, sc)
		same = append(same, own)
		withs = append(withs, m.Item)
	}
	prof, err := s.profile(st)
	if err != nil {
		return aggregator.Match{}, err
	}
	centroid := near.Discount(prof.Centroid(doc), prof.Apart(doc.Time))
	v, i := near.StoryScore(scores, same, centroid)
	if i < 0 {
		return aggregator.Match{}, nil
	}
	if v >= s.in.threshold && scores[i].Kind() != "copy" {
		// A report written apart that counts another figure in its
		// headline than the member it resembles most ("death toll rises
		// to seven", "… to nine") tells of another moment of the event.
		other, err := s.item(withs[i])
		if err != nil && !isNotFound(err) {
			return aggregator.Match{}, err
		}
		if near.FiguresDisagree(it.Title, other.Title) {
			return aggregator.Match{}, nil
		}
		for j, id := range withs {
			if scores[j].Kind() == "copy" {
				continue
			}
			other, err := s.item(id)
			if isNotFound(err) {
				continue
			}
			if err != nil {
				return aggregator.Match{}, err
			}
			if otherPageOfOrigin(it, other) || otherPageOfOrigin(other, it) {
				return aggregator.Match{}, nil
			}
		}
	}
	return aggregator.Match{Reason: aggregator.ReasonNear, Score: round(v), With: withs[i], Key: scores[i].Kind()}, nil
}

// quoted returns an origin match when the item it (of Doc doc) quotes the
// headline of the stored item id (of Doc d) whole, or that one quotes the
// item's: a wire's correction ("In the story headlined "…", please read
// …") names the report it corrects by its headline, not its link, and
// shares little else with it. Only a source's own items name each other
// so: another outlet's column or newsletter that quotes the headline is
// about the report, not part of it (quotesHeadline keeps apart the
// source's own digests). Only a pair of one source whose Docs hold the
// other's headline words is read.
func (s *session) quoted(doc, d *near.Doc, it aggregator.Item, m aggregator.Member) (aggregator.Match, bool, error) {
	if m.Source != it.SourceID {
		return aggregator.Match{}, false, nil
	}
	itQuotes, otherQuotes := holdsHeadline(doc, d), holdsHeadline(d, doc)
	if !itQuotes && !otherQuotes {
		return aggregator.Match{}, false, nil
	}
	id := m.Item
	other, err := s.item(id)
	if isNotFound(err) {
		return aggregator.Match{}, false, nil
	}
	if err != nil {
		return aggregator.Match{}, false, err
	}
	switch {
	case itQuotes && quotesHeadline(it, other):
		return aggregator.Match{Reason: aggregator.ReasonOrigin, Score: 1, With: id, Key: LinkOf(other)}, true, nil
	case otherQuotes && quotesHeadline(other, it):
		return aggregator.Match{Reason: aggregator.ReasonOrigin, Score: 1, With: id, Key: LinkOf(it)}, true, nil
	}
	return aggregator.Match{}, false, nil
}

// holdsHeadline reports whether the terms of a hold every term of b's
// headline, as a text that quotes the headline does.
func holdsHeadline(a, b *near.Doc) bool {
	if b.TitleLen < minQuotedHeadline {
		return false
	}
	i := 0
	for _, t := range b.Terms {
		if !t.Title {
			continue
		}
		for i < len(a.Terms) && a.Terms[i].Hash < t.Hash {
			i++
		}
		if i == len(a.Terms) || a.Terms[i].Hash != t.Hash {
			return false
		}
	}
	return true
}

// profile returns the term profile of a story's recent members, from the
// session's cache or built from their stored features. A member that is
// its headline alone over a link to the report it stands for (a link
// aggregator's headline over "Comments", a news finder's headline as the
// link to the report, near.Doc.HeadlineOnly, with an original named) is
// left out, unless the story holds nothing else: the report it points at
// has those words already, and counted again they drew the centroid
// towards the headline, so that a trade site's copy of three of a report's
// five paragraphs under a headline of its own, the next morning, scored
// below the threshold against the story of the report and a news finder's
// item of it.
func (s *session) profile(st *aggregator.Story) (*near.Profile, error) {
	if p, ok := s.profiles[st.ID]; ok {
		return p, nil
	}
	members := st.Members
	if len(members) > maxCompared {
		members = members[len(members)-maxCompared:]
	}
	p := &near.Profile{}
	var headlines []*near.Doc
	for _, m := range members {
		d, err := s.doc(m.Item)
		if err != nil {
			return nil, err
		}
		if d == nil {
			continue
		}
		if d.HeadlineOnly() {
			it, err := s.item(m.Item)
			if err != nil && !isNotFound(err) {
				return nil, err
			}
			if len(it.OriginLinks) > 0 {
				headlines = append(headlines, d)
				continue
			}
		}
		p.Add(d)
	}
	if p.Len() == 0 {
		for _, d := range headlines {
			p.Add(d)
		}
	}
	s.profiles[st.ID] = p
	return p, nil
}

// doc returns the Doc of a stored item, or nil when it has none.
func (s *session) doc(id string) (*near.Doc, error) {
	if d, ok := s.docs[id]; ok {
		return d, nil
	}
	b, err := s.tx.Features(id)
	if errors.Is(err, aggregator.ErrNotFound) {
		s.docs[id] = nil
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("item %s: features: %w", id, err)
	}
	d, err := near.Decode(b)
	if err != nil {
		// Features of an older encoding: the item is left out of
		// near-duplicate comparison rather than failing the fetch.
		d = nil
	}
	s.docs[id] = d
	return d, nil
}

func round(f float64) float64 { return float64(int(f*1000+0.5)) / 1000 }

func isNotFound(err error) bool { return errors.Is(err, aggregator.ErrNotFound) }
