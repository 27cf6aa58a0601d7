package ingest

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/near"
)

// Story merging. Items arrive in any order: the second outlet's report of
// an event may resemble neither the first closely enough to join it, and a
// third may then resemble both. Once an item has joined (or started) a
// story, that story is compared as a whole with the other stories the
// item's lookup found; two stories whose members resemble each other on
// average (average linkage) become one.

// KeyStory is the Match.Key of the first member of a story merged into
// another: it joined by the resemblance of the two stories as wholes.
const KeyStory = "story"

// mergeStories merges into st, or st into, each story among the last
// lookup's candidates whose members resemble st's on average at least the
// threshold, best first.
func (s *session) mergeStories(st *aggregator.Story) error {
	if !s.in.near || len(s.candidates) == 0 {
		return nil
	}
	for {
		prof, err := s.profile(st)
		if err != nil {
			return err
		}
		var other *aggregator.Story
		var score float64
		for _, c := range s.candidates {
			if c.ID == st.ID {
				continue
			}
			if _, gone := s.merged[c.ID]; gone || shareReporter(st, c, s.named, s.points) {
				continue
			}
			cp, err := s.profile(c)
			if err != nil {
				return err
			}
			v := near.Discount(near.Linkage(prof, cp), near.Gap(prof, cp))
			if v < s.in.threshold || v <= score {
				continue
			}
			if ok, err := s.namesAgree(st, c); err != nil || !ok {
				if err != nil {
					return err
				}
				continue
			}
			if two, err := s.seriesMembers(st, c); err != nil || two {
				if err != nil {
					return err
				}
				continue
			}
			if two, err := s.distinctMembers(st, c); err != nil || two {
				if err != nil {
					return err
				}
				continue
			}
			if two, err := s.otherPages(st, c); err != nil || two {
				if err != nil {
					return err
				}
				continue
			}
			other, score = c, v

		}
		if other == nil {
			return nil
		}
		keep, gone := st, other
		if first(other).Before(first(st)) || first(other).Equal(first(st)) && other.ID < st.ID {
			keep, gone = other, st
		}
		if err := s.merge(keep, gone, score); err != nil {
			return err
		}
		st = keep
	}
}

// merge moves every member of gone into keep, deletes gone, and leaves a
// merge key that leads lookups from gone's id to keep.
func (s *session) merge(keep, gone *aggregator.Story, score float64) error {
	s.touch(keep)
	moved := slices.Clone(gone.Members)
	if len(moved) > 0 && moved[0].Match.Reason == aggregator.ReasonNew {
		with, err := s.closest(moved[0].Item, keep)
		if err != nil {
			return err
		}
		moved[0].Match = aggregator.Match{Reason: aggregator.ReasonNear, Key: KeyStory, Score: round(score), With: with}
	}
	for _, m := range moved {
		it, err := s.item(m.Item)
		if isNotFound(err) {
			continue
		}
		if err != nil {
			return fmt.Errorf("story %s: merging into %s: %w", gone.ID, keep.ID, err)
		}
		it.StoryID = keep.ID
		if err := s.putItem(it); err != nil {
			return fmt.Errorf("story %s: merging into %s: %w", gone.ID, keep.ID, err)
		}
		keep.Members = append(keep.Members, m)
	}
	if before, ok := s.before[gone.ID]; ok {
		s.removed = append(s.removed, before)
		delete(s.before, gone.ID)
		s.dirty = slices.DeleteFunc(s.dirty, func(id string) bool { return id == gone.ID })
	} else {
		s.removed = append(s.removed, gone.Topics)
	}
	delete(s.stories, gone.ID)
	delete(s.profiles, gone.ID)
	delete(s.profiles, keep.ID)
	s.merged[gone.ID] = keep.ID
	for id, to := range s.merged {
		if to == gone.ID {
			s.merged[id] = keep.ID
		}
	}
	if err := s.tx.DeleteStory(gone.ID); err != nil {
		return fmt.Errorf("story %s: merging into %s: %w", gone.ID, keep.ID, err)
	}
	ref := aggregator.KeyRef{Story: keep.ID, Item: gone.ID, Time: first(gone)}
	if err := s.tx.AddKey(mergedPrefix+gone.ID, ref); err != nil {
		return fmt.Errorf("story %s: merging into %s: %w", gone.ID, keep.ID, err)
	}
	return nil
}

// closest returns the member of st most similar to the item, for
// explaining a merge.
func (s *session) closest(itemID string, st *aggregator.Story) (string, error) {
	d, err := s.doc(itemID)
	if err != nil || d == nil {
		return st.ID, err
	}
	with, best := st.ID, -1.0
	members := st.Members
	if len(members) > maxCompared {
		members = members[len(members)-maxCompared:]
	}
	for _, m := range members {
		md, err := s.doc(m.Item)
		if err != nil {
			return "", err
		}
		if md == nil {
			continue
		}
		if v := near.Similarity(d, md).Value; v > best {
			with, best = m.Item, v
		}
	}
	return with, nil
}

// namesAgree reports whether some member of a and some member of b could
// be one report by their words alone (near.Similarity above zero): two
// stories of one kind of event (two matches' results, two companies'
// quarters) resemble each other on average while no report of one names
// what a report of the other names.
func (s *session) namesAgree(a, b *aggregator.Story) (bool, error) {
	recent := func(st *aggregator.Story) []aggregator.Member {
		if len(st.Members) > maxCompared {
			return st.Members[len(st.Members)-maxCompared:]
		}
		return st.Members
	}
	for _, ma := range recent(a) {
		da, err := s.doc(ma.Item)
		if err != nil {
			return false, err
		}
		if da == nil {
			continue
		}
		for _, mb := range recent(b) {
			db, err := s.doc(mb.Item)
			if err != nil {
				return false, err
			}
			if db != nil && near.Similarity(da, db).Value > 0 {
				return true, nil
			}
		}
	}
	return false, nil
}

// seriesMembers reports whether a member of a and a member of b carry one
// headline but for its figures, each with a figure the other lacks
// (near.FiguresDisagree): items of a series written to one template, a
// health agency's bulletins of two days ("Measles outbreak in Brakeby: 9
// new cases confirmed", "…: 7 new cases confirmed"), whoever posts them. A
// scraper's copy of the first day's, without its first paragraph and
// posted the next afternoon, beside the second day's, is no report of the
// second day's figures, however alike the two stories are on average, as
// compare keeps such a copy out of the story of the member it resembles
// most. A story that already holds a member under the other's headline,
// figures and all, is no other report of the series: a wire's report
// whose headline's count it updated in place ("…: 3 dead", "…: 5 dead")
// takes a copy of its new text, stored before the update, though its
// story still holds a scraper's cut copy of the old. A copy's headline
// that adds a part of its own to the series' ("Earthquake 4.9 south of
// Crete - felt in Heraklion") carries the series' headline in its part
// with the figures (seriesForms).
func (s *session) seriesMembers(a, b *aggregator.Story) (bool, error) {
	type titled struct {
		forms []seriesForm
		doc   *near.Doc
	}
	titles := func(st *aggregator.Story) ([]titled, error) {
		its, err := s.recentItems(st)
		if err != nil {
			return nil, err
		}
		out := make([]titled, 0, len(its))
		for _, it := range its {
			d, err := s.doc(it.ID)
			if err != nil {
				return nil, err
			}
			out = append(out, titled{seriesForms(it.Title), d})
		}
		return out, nil
	}
	ta, err := titles(a)
	if err != nil {
		return false, err
	}
	tb, err := titles(b)
	if err != nil {
		return false, err
	}
	holds := func(ts []titled, y titled) bool {
		return slices.ContainsFunc(ts, func(x titled) bool {
			_, agree := seriesAgree(x.forms, y.forms)
			return agree
		})
	}
	for _, x := range ta {
		for _, y := range tb {
			if disagree, _ := seriesAgree(x.forms, y.forms); !disagree {
				continue
			}
			// A copy of a report made before a figure in it was
			// corrected is still a copy of it.
			if x.doc != nil && y.doc != nil && near.Similarity(x.doc, y.doc).Kind() == "copy" {
				continue
			}
			if holds(ta, y) || holds(tb, x) {
				continue
			}
			return true, nil
		}
	}
	return false, nil
}

// seriesForm is a headline, or a part of one, as a series' headlines are
// compared: its text and its template (near.Template).
type seriesForm struct{ text, template string }

// seriesForms returns the forms of headline title that may be a series'
// headline: the whole, and each of its parts (near.Segments) that holds a
// figure and three words or more besides, as a copy's headline keeps the
// series' headline and adds a part of its own ("Earthquake 4.9 south of
// Crete - felt in Heraklion").
func seriesForms(title string) []seriesForm {
	forms := []seriesForm{{title, near.Template(title)}}
	segs := near.Segments(title)
	if len(segs) < 2 {
		return forms
	}
	for _, seg := range segs {
		tmpl := near.Template(seg)
		if near.Figureless(seg) == seg || len(strings.Fields(tmpl)) < 3 {
			continue
		}
		forms = append(forms, seriesForm{seg, tmpl})
	}
	return forms
}

// seriesAgree compares two headlines' forms (seriesForms) of one
// template: disagree when a pair of them differ in their figures, each
// with a figure the other lacks (near.FiguresDisagree), and agree when a
// pair of them do not.
func seriesAgree(a, b []seriesForm) (disagree, agree bool) {
	for _, x := range a {
		for _, y := range b {
			if x.template != y.template {
				continue
			}
			if near.FiguresDisagree(x.text, y.text) {
				disagree = true
			} else {
				agree = true
			}
		}
	}
	return disagree, agree
}

// distinctMembers reports whether a member of a and a member of b are two
// posts of one source (distinctPosts), which no join puts in one story: a
// weather service's warnings for two regions under one template stay two
// stories, though a copy of one, stored first, made the other a copy in its
// story rather than its outlet's own report (shareReporter). Two pointers
// of one aggregator (pointer) are not told apart by their headlines: each
// stands for the report it names.
func (s *session) distinctMembers(a, b *aggregator.Story) (bool, error) {
	for _, ma := range recentMembers(a) {
		for _, mb := range recentMembers(b) {
			if ma.Source != mb.Source {
				continue
			}
			ia, err := s.item(ma.Item)
			if isNotFound(err) {
				break
			}
			if err != nil {
				return false, err
			}
			ib, err := s.item(mb.Item)
			if isNotFound(err) {
				continue
			}
			if err != nil {
				return false, err
			}
			if s.points(ma) && s.points(mb) {
				// Two pointers are told apart by the reports they
				// stand for, which the stories' other members are.
				continue
			}
			if distinctPosts(ia, ib) {
				return true, nil
			}
		}
	}
	return false, nil
}

// otherPages reports whether a member of a names as its original a page
// of the site of a member of b under another link, or the other way round,
// and is no copy of it (otherPageOfOrigin): a scraper's copies of a wire's
// two price lists of one afternoon, one a phone's and one a smaller
// model's, each of the report its link names, stay two stories, as the
// wire's two reports do.
func (s *session) otherPages(a, b *aggregator.Story) (bool, error) {
	as, err := s.recentItems(a)
	if err != nil {
		return false, err
	}
	bs, err := s.recentItems(b)
	if err != nil {
		return false, err
	}
	// Once the page named is stored, it is compared with the other page
	// itself, and the item that names it tells nothing more.
	holds := func(its []aggregator.Item, named []string) bool {
		return slices.ContainsFunc(its, func(it aggregator.Item) bool {
			return slices.Contains(named, LinkOf(it)) || slices.Contains(named, it.Link)
		})
	}
	for _, x := range as {
		for _, y := range bs {
			switch {
			case otherPageOfOrigin(x, y) && !holds(as, x.OriginLinks) && !holds(bs, x.OriginLinks):
			case otherPageOfOrigin(y, x) && !holds(as, y.OriginLinks) && !holds(bs, y.OriginLinks):
			default:
				continue
			}
			dx, err := s.doc(x.ID)
			if err != nil {
				return false, err
			}
			dy, err := s.doc(y.ID)
			if err != nil {
				return false, err
			}
			if dx != nil && dy != nil && near.Similarity(dx, dy).Kind() == "copy" {
				continue
			}
			return true, nil
		}
	}
	return false, nil
}

// recentItems returns the stored items of st's recent members, in their
// order; a member whose item is gone (pruned) is left out.
func (s *session) recentItems(st *aggregator.Story) ([]aggregator.Item, error) {
	var out []aggregator.Item
	for _, m := range recentMembers(st) {
		it, err := s.item(m.Item)
		if isNotFound(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, nil
}

// recentMembers returns the members of st that are compared, its last
// maxCompared.
func recentMembers(st *aggregator.Story) []aggregator.Member {
	if len(st.Members) > maxCompared {
		return st.Members[len(st.Members)-maxCompared:]
	}
	return st.Members
}

// shareReporter reports whether two stories each hold an outlet's own
// report from the same source: an outlet's second report on an event is a
// follow-up or another angle, so such stories stay apart. Members that
// joined as copies (an exact key, or a copied text) do not count, unless
// they came before the member they copy, or a copy that named them did
// (reported). Nor do pointers, an aggregator's headlines over a link to
// the report each stands for: two of them in the two stories of one
// report, one naming the wire's article and one a paper's copy of it,
// are the aggregator's pointers at one report, not two reports of its own.
// Whether a member is a pointer is asked only of members of a source that
// reports in both stories: it reads the member's item, and a story of
// hundreds of members is not read whole for every story it is compared
// with.
func shareReporter(a, b *aggregator.Story, named, points func(aggregator.Member) bool) bool {
	ra, rb := reporters(a, named), reporters(b, named)
	own := func(ms []aggregator.Member) bool {
		return slices.ContainsFunc(ms, func(m aggregator.Member) bool { return !points(m) })
	}
	for src, mb := range rb {
		if ma, ok := ra[src]; ok && own(ma) && own(mb) {
			return true
		}
	}
	return false
}

// reporters returns the members of st that are their outlet's own report
// (reported), by source.
func reporters(st *aggregator.Story, named func(aggregator.Member) bool) map[string][]aggregator.Member {
	times := make(map[string]time.Time, len(st.Members))
	for _, m := range st.Members {
		times[m.Item] = m.Time
	}
	out := map[string][]aggregator.Member{}
	for _, m := range st.Members {
		if reported(times, m, named) {
			out[m.Source] = append(out[m.Source], m)
		}
	}
	return out
}

// points reports whether a member is a pointer: an item that only points
// at the report it names as its original.
func (s *session) points(m aggregator.Member) bool {
	it, err := s.item(m.Item)
	if err != nil || len(it.OriginLinks) == 0 {
		return false
	}
	d, err := s.doc(m.Item)
	if err != nil {
		return false
	}
	return pointer(it, d)
}

// named reports whether a member joined its story by an origin key as the
// original that a stored copy named, its own link: the copy came first.
func (s *session) named(m aggregator.Member) bool {
	if m.Match.Reason != aggregator.ReasonOrigin || m.Match.Key == "" {
		return false
	}
	it, err := s.item(m.Item)
	if err != nil {
		return false
	}
	return m.Match.Key == LinkOf(it) || m.Match.Key == it.Link
}

// reported tells whether a member of a story, whose members' times by
// item are times, is its outlet's own report rather than a copy of another
// member. A member that joined as a copy of a
// member published after it is the original, which its copy, stored
// first, made look like a copy: a charity's press release fetched after
// the sites that copied it is still the charity's own report, and its
// next release stays a story of its own. So is an original that joined
// the story of a copy that named it, stored before it (named): a wire's
// price list of a phone's smaller model, fetched after a scraper's copy
// of it, stays apart from the story of its price list of the phone.
func reported(times map[string]time.Time, m aggregator.Member, named func(aggregator.Member) bool) bool {
	switch m.Match.Reason {
	case aggregator.ReasonNew:
		return true
	case aggregator.ReasonOrigin:
		return named(m)
	case aggregator.ReasonNear:
		if m.Match.Key != "copy" {
			return true
		}
		if w, ok := times[m.Match.With]; ok {
			return m.Time.Before(w)
		}
	}
	return false
}

// first returns the earliest time of a story's members.
func first(st *aggregator.Story) (t time.Time) {
	for i, m := range st.Members {
		if i == 0 || m.Time.Before(t) {
			t = m.Time
		}
	}
	return t
}
