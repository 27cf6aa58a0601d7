package ingest

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/near"
	"github.com/tributary-feeds/tributary/aggregator/topic/query"
)

// finish re-decides every changed story's time, face, topics and tags,
// writes it, and returns the topics whose feeds changed.
func (s *session) finish() ([]string, error) {
	changed := map[string]bool{}
	for _, topics := range s.removed {
		for _, t := range topics {
			changed[t] = true
		}
	}
	for _, id := range s.dirty {
		st := s.stories[id]
		var err error
		if n := s.kept[id]; n > growAfter {
			err = s.in.grow(s.item, st, n, s.doc, s.plain, s.chrome)
		} else {
			err = s.in.refresh(s.item, st, s.doc, s.plain, s.chrome)
		}
		if err != nil {
			return nil, err
		}
		if s.now.After(st.Updated) && s.changedShown(st) {
			st.Updated = s.now
		}
		if err := s.tx.PutStory(*st); err != nil {
			return nil, fmt.Errorf("story %s: %w", st.ID, err)
		}
		for _, t := range s.before[id] {
			changed[t] = true
		}
		for _, t := range st.Topics {
			changed[t] = true
		}
	}
	return sortedKeys(changed), nil
}

// docFunc returns the stored Doc of an item, or nil when it has none.
type docFunc func(itemID string) (*near.Doc, error)

// storedDoc returns a docFunc that reads and decodes features from tx.
func storedDoc(tx aggregator.Tx) docFunc {
	return func(id string) (*near.Doc, error) {
		b, err := tx.Features(id)
		if isNotFound(err) {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("item %s: features: %w", id, err)
		}
		d, err := near.Decode(b)
		if err != nil {
			return nil, nil // an older encoding: the face is decided on the text
		}
		return d, nil
	}
}

// itemFunc returns a stored item.
type itemFunc func(itemID string) (aggregator.Item, error)

// refresh recomputes a story's time, face, topics and tags from its member
// items, calling the tagger once. items gives the members, docs their
// stored Docs, known the plain text of those already worked out (or nil),
// chrome their sources' tables of recurring lines.
func (in *Ingester) refresh(item itemFunc, st *aggregator.Story, docs docFunc, known map[string]plainText, chrome *chromeTables) error {
	items := make([]aggregator.Item, 0, len(st.Members))
	for _, m := range st.Members {
		it, err := item(m.Item)
		if err != nil {
			return fmt.Errorf("story %s: %w", st.ID, err)
		}
		items = append(items, it)
	}
	if len(items) == 0 {
		return nil
	}
	st.Time = storyTime(items)
	f, err := in.face(items, docs)
	if err != nil {
		return fmt.Errorf("story %s: %w", st.ID, err)
	}
	st.Face = f.ID
	if in.tagger != nil {
		tables, err := chrome.load(topicItems(st.Face, items))
		if err != nil {
			return fmt.Errorf("story %s: %w", st.ID, err)
		}
		st.Topics = in.tagger.Tag(storyText(st, items, known, tables))
	} else {
		st.Topics = []string{aggregator.AllTopic}
	}
	st.Tags = in.addTags(nil, st.Topics, items)
	return nil
}

// storyTime returns the time of a story of items: the earliest of
// those that name no original, its reports, or of all when each names one.
// A copy, a re-post, a headline over a link is published after the report
// it names; one dated before it would date the story so, and move it down
// every topic, past the stories of the hours between: a source that names
// other outlets' reports as its originals (in a <link rel="canonical">, an
// Atom <source>, a credit line) under items dated days back would push
// their stories out of the topics' feeds. (grow keeps the rule by the
// face: in.face ranks copies after reports of the same priority, so a
// story with a report for a face holds one, and it refreshes from every
// member a story with a copy for its face that gains a report or an
// earlier copy.)
func storyTime(items []aggregator.Item) time.Time {
	var t, all time.Time
	for i, it := range items {
		if i == 0 || it.Published.Before(all) {
			all = it.Published
		}
		if len(it.OriginLinks) == 0 && (t.IsZero() || it.Published.Before(t)) {
			t = it.Published
		}
	}
	if t.IsZero() {
		return all
	}
	return t
}

// maxCategoryTags bounds the tags a story takes from its items'
// categories: a story that hundreds of outlets carry would otherwise gather
// every category each of them gives, and each of its entries list them
// all. Its topics and its sources' configured tags are always kept.
const maxCategoryTags = 50

// addTags returns tags with the story's topics and the tags of the items'
// sources and their categories added, sorted. Tags that differ only in
// case, in compatibility forms or in spacing are one tag ("World",
// "world", "ＷＯＲＬＤ"; "New  York", "New York"), compared as topics
// compare categories (query.FoldLabel): the spelling met first — in tags,
// then the topics, then the items in member order — is kept. An item's
// categories are taken only while the story has fewer than
// maxCategoryTags tags.
func (in *Ingester) addTags(tags, topics []string, items []aggregator.Item) []string {
	seen := make(map[string]string, len(tags))
	add := func(t string) {
		if t = strings.TrimSpace(t); t == "" {
			return
		}
		if k := query.FoldLabel(t); seen[k] == "" {
			seen[k] = t
		}
	}
	for _, group := range [][]string{tags, topics} {
		for _, t := range group {
			add(t)
		}
	}
	for _, it := range items {
		for _, t := range in.tags[it.SourceID] {
			add(t)
		}
		for _, c := range it.Categories {
			if len(seen) >= maxCategoryTags {
				break
			}
			add(c)
		}
	}
	out := make([]string, 0, len(seen))
	for _, t := range seen {
		out = append(out, t)
	}
	slices.Sort(out)
	return out
}

// growAfter is the size past which a story that only gained members is
// refreshed from its face and the members it gained (grow) rather than
// from every member.
var growAfter = 2 * MaxTopicMembers

// grow is refresh for a story whose members up to n are as they were when
// it was last refreshed and which only gained the members after them. It
// reads the face, the members gained and the first members, whose text
// decides the topics, not every member: a member left alone cannot have
// become a better face, an earlier time or a new tag. When the topics
// change it refreshes the story from every member, so that its tags follow.
// (A reload of the configuration refreshes every story, Retag, so faces
// follow changed priorities.)
func (in *Ingester) grow(item itemFunc, st *aggregator.Story, n int, docs docFunc, known map[string]plainText, chrome *chromeTables) error {
	face, err := item(st.Face)
	if err != nil {
		return in.refresh(item, st, docs, known, chrome)
	}
	gained := make([]aggregator.Item, 0, len(st.Members)-n)
	for _, m := range st.Members[n:] {
		it, err := item(m.Item)
		if err != nil {
			return fmt.Errorf("story %s: %w", st.ID, err)
		}
		gained = append(gained, it)
		if len(face.OriginLinks) > 0 && (len(it.OriginLinks) == 0 || it.Published.Before(st.Time)) {
			// The face is a copy: of the outlet of highest
			// priority, it may outrank the story's reports, or the
			// story holds none. Whether a report dates the story,
			// and which, only its every member tells (storyTime).
			return in.refresh(item, st, docs, known, chrome)
		}
		if it.Published.Before(st.Time) && len(it.OriginLinks) == 0 {
			st.Time = it.Published
		}
	}
	f, err := in.face(append([]aggregator.Item{face}, gained...), docs)
	if err != nil {
		return fmt.Errorf("story %s: %w", st.ID, err)
	}
	st.Face = f.ID
	if in.tagger != nil {
		var text []aggregator.Item
		for i, m := range st.Members {
			if i > MaxTopicMembers && m.Item != st.Face {
				continue
			}
			it, err := item(m.Item)
			if err != nil {
				return fmt.Errorf("story %s: %w", st.ID, err)
			}
			text = append(text, it)
		}
		tables, err := chrome.load(text)
		if err != nil {
			return fmt.Errorf("story %s: %w", st.ID, err)
		}
		if topics := in.tagger.Tag(storyText(st, text, known, tables)); !slices.Equal(topics, st.Topics) {
			return in.refresh(item, st, docs, known, chrome)
		}
	}
	st.Tags = in.addTags(st.Tags, nil, gained)
	return nil
}

// face picks the item shown for a story: from the outlets of highest
// priority, an original rather than a copy that names its original, a full
// text rather than one cut short, then the earliest, then the longest. It
// reads how long and whether cut each text is from the members' stored
// Docs, and extracts the text only of a member that has none. Of members
// under one link, the same item given by two feeds (a project's release
// notes and its tag, a site's full-text feed and its summaries), one with
// less than half the words of another is given in part: cut short.
func (in *Ingester) face(items []aggregator.Item, docs docFunc) (aggregator.Item, error) {
	type ranked struct {
		it        aggregator.Item
		copy, cut bool
		words     int
	}
	rs := make([]ranked, len(items))
	for i, it := range items {
		d, err := docs(it.ID)
		if err != nil {
			return aggregator.Item{}, err
		}
		if d == nil {
			d = near.NewDoc(it.Title, bodyLines(it), it.Published)
		}
		rs[i] = ranked{it: it, copy: len(it.OriginLinks) > 0, cut: d.Truncated, words: d.Words}
	}
	most := map[string]int{} // the most words of the members under each link
	for _, r := range rs {
		if l := LinkOf(r.it); specificLink(l) {
			most[l] = max(most[l], r.words)
		}
	}
	for i, r := range rs {
		if l := LinkOf(r.it); specificLink(l) && 2*r.words < most[l] {
			rs[i].cut = true
		}
	}
	best := slices.MinFunc(rs, func(a, b ranked) int {
		return cmp.Or(
			cmp.Compare(in.priority[b.it.SourceID], in.priority[a.it.SourceID]),
			cmpBool(a.copy, b.copy),
			cmpBool(a.cut, b.cut),
			a.it.Published.Compare(b.it.Published),
			cmp.Compare(b.words, a.words),
			a.it.FirstSeen.Compare(b.it.FirstSeen),
			cmp.Compare(a.it.ID, b.it.ID),
		)
	})
	return best.it, nil
}

// cmpBool orders false before true.
func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// Retag re-decides the face, topics and tags of the stories with the given
// ids, for instance after the configuration's topics or source priorities
// or tags changed (an Ingester built from the new configuration does it),
// and writes those that changed. A story given another face (a source's
// priority changed) is updated at now, since its entries show another
// item, unless that is the same article as its old face, come in under a
// source's new URL; one whose topics or tags alone changed keeps its
// updated date, so that a topic's new rule does not show every story it
// touched as new again; so does one dated anew (a version that dated
// stories otherwise stored it), whose place in its topics' feeds moves.
// It returns the topics whose feeds changed, sorted. Stories that no
// longer exist are skipped.
func (in *Ingester) Retag(tx aggregator.Tx, now time.Time, storyIDs ...string) ([]string, error) {
	changed := map[string]bool{}
	chrome := newChromeTables(tx)
	for _, id := range storyIDs {
		st, err := tx.Story(id)
		if err != nil {
			if isNotFound(err) {
				continue
			}
			return nil, fmt.Errorf("story %s: %w", id, err)
		}
		before := st
		before.Topics = slices.Clone(st.Topics)
		before.Tags = slices.Clone(st.Tags)
		if err := in.refresh(tx.Item, &st, storedDoc(tx), nil, chrome); err != nil {
			return nil, err
		}
		if slices.Equal(before.Topics, st.Topics) && slices.Equal(before.Tags, st.Tags) && before.Face == st.Face &&
			before.Time.Equal(st.Time) {
			continue
		}
		if before.Face != st.Face && now.After(st.Updated) {
			shows, err := showsOtherFace(tx, before.Face, st.Face)
			if err != nil {
				return nil, fmt.Errorf("story %s: %w", id, err)
			}
			if shows {
				st.Updated = now
			}
		}
		if err := tx.PutStory(st); err != nil {
			return nil, fmt.Errorf("story %s: %w", id, err)
		}
		for _, t := range before.Topics {
			changed[t] = true
		}
		for _, t := range st.Topics {
			changed[t] = true
		}
	}
	return sortedKeys(changed), nil
}

// showsOtherFace reports whether a story's entries show something else
// with the item newFace as its face than with oldFace: not when the two are
// one article at one link, come in under a source's old and new URL.
func showsOtherFace(tx aggregator.Tx, oldFace, newFace string) (bool, error) {
	was, err := tx.Item(oldFace)
	if isNotFound(err) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	now, err := tx.Item(newFace)
	if err != nil {
		return false, err
	}
	// An item stored by an earlier version keeps its authors as that
	// version read them: the article is the same under a byline read anew.
	same := was.Link != "" && was.Link == now.Link && was.Title == now.Title && was.Summary == now.Summary &&
		was.Content == now.Content && slices.EqualFunc(was.Authors, now.Authors, func(a, b string) bool { return readAuthor(a) == readAuthor(b) })
	return !same, nil
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
