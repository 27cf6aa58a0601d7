// Package topic decides which topics take a story, from the topic rules in
// config.yaml.
//
// A topic takes a story by its sources or by its match rules:
//
//   - sources: the story has an item from one of the named sources (by
//     configured name or URL);
//   - match: every given kind of rule holds — any (at least one phrase
//     appears; with at_least N, N different phrases, one in a title
//     counting twice), all (every phrase appears), none (no phrase appears), query
//     (the boolean expression is true) and categories (some item's feed
//     category, or a part of a category that joins several, "World/Europe"
//     or "UK, Crime", equals one of these, folded as phrases are:
//     query.FoldLabel).
//
// A topic with both sources and match rules takes a story that satisfies
// either: the sources are taken whole, and other stories are taken on their
// text. A topic with neither takes every story; only the topic "all" may be
// written so, and unless the configuration defines "all", a built-in "all"
// that takes every story comes first.
//
// Phrases match whole words, case-insensitively, in each text field
// separately (a phrase never spans a title and a summary) and in each feed
// category as text. Words are split and folded as query.Words says: "AI"
// does not match "said", "US" does not match "bus", a possessive "'s" is
// dropped, so "Xi Jinping" matches "Xi Jinping's", and compatibility forms
// are their plain letters, so "Taiwan" matches "ＴＡＩＷＡＮ". A phrase
// does not span the end of a sentence, an acronym in capitals ("US") does
// not match the word in small letters ("us"), and "C++" is not "C"
// (query.Phrase). A word
// written with a "*" at its end is a prefix (query.Phrase): "econom*"
// matches "economy".
package topic

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/topic/query"
)

// Set is a compiled set of topics. It implements aggregator.Tagger and is
// safe for concurrent use.
type Set struct {
	topics []*compiled
	index  *query.Index // every phrase of every topic, each once
	titles bool         // some topic counts phrases, and those in titles twice
	pool   sync.Pool    // *scan
}

var _ aggregator.Tagger = (*Set)(nil)

// Verdict says whether one topic takes a story, and why.
type Verdict struct {
	Topic string // topic id
	Taken bool
	Why   string // the rule that took the story, or the one that kept it out
}

type phrase struct {
	text string // as configured
	id   int    // in Set.index; -1 for a phrase without words
}

type compiled struct {
	cfg     aggregator.TopicConfig
	builtin bool
	every   bool              // no rules: takes every story
	sources map[string]string // SourceID -> the reference as configured
	refs    []string          // the references, in configuration order

	hasMatch bool
	any      []phrase
	atLeast  int // how many of any must appear, a phrase in a title counting twice
	all      []phrase
	none     []phrase
	query    *query.Query
	qids     []int             // index id of each query term
	cats     map[string]string // folded category -> as configured
	catList  []string
}

// scan is what Tag learns about one story before it asks the topics.
type scan struct {
	found   []bool   // by phrase id
	inTitle []bool   // by phrase id, when some topic counts phrases
	cats    []string // the story's categories, folded
}

// Compile compiles topics, resolving each topic's sources (configured names
// or URLs) against sources. Unless topics has one with id aggregator.AllTopic,
// a built-in topic "all" taking every story comes first. It returns an error
// naming the topic for an unknown source, a query that does not parse, a
// duplicate id, or a topic without rules (other than "all").
func Compile(topics []aggregator.TopicConfig, sources []aggregator.SourceConfig) (*Set, error) {
	byRef := make(map[string]string, 2*len(sources)) // name or URL -> SourceID
	for _, src := range sources {
		byRef[src.URL] = src.SourceID()
	}
	for _, src := range sources {
		if src.Name != "" {
			byRef[src.Name] = src.SourceID() // a name wins over an equal URL
		}
	}

	s := &Set{index: query.NewIndex()}
	s.pool.New = func() any { return new(scan) }
	hasAll := false
	for _, t := range topics {
		if t.ID == aggregator.AllTopic {
			hasAll = true
		}
	}
	if !hasAll {
		s.topics = append(s.topics, &compiled{
			cfg:     aggregator.TopicConfig{ID: aggregator.AllTopic, Title: "All stories", Description: "Every story from every source, once.", Limit: 50},
			builtin: true,
			every:   true,
		})
	}

	var errs []error
	seen := make(map[string]bool)
	for i, t := range topics {
		name := fmt.Sprintf("topic %q", t.ID)
		if t.ID == "" {
			name = fmt.Sprintf("topics[%d]", i)
		}
		if seen[t.ID] {
			errs = append(errs, fmt.Errorf("%s: duplicate id", name))
			continue
		}
		seen[t.ID] = true
		c := &compiled{cfg: t}
		if len(t.Sources) > 0 {
			c.sources = make(map[string]string, len(t.Sources))
			for _, ref := range t.Sources {
				id, ok := byRef[ref]
				if !ok {
					errs = append(errs, fmt.Errorf("%s: sources: unknown source %q", name, ref))
					continue
				}
				if _, dup := c.sources[id]; !dup {
					c.sources[id] = ref
					c.refs = append(c.refs, ref)
				}
			}
		}
		m := t.Match
		var bad []error
		c.any, bad = s.phrases(m.Any, bad)
		c.all, bad = s.phrases(m.All, bad)
		c.none, bad = s.phrases(m.None, bad)
		for _, err := range bad {
			errs = append(errs, fmt.Errorf("%s: match: phrase %w", name, err))
		}
		switch {
		case m.AtLeast < 0:
			errs = append(errs, fmt.Errorf("%s: match.at_least: must not be negative", name))
		case m.AtLeast > 0 && len(m.Any) == 0:
			errs = append(errs, fmt.Errorf("%s: match.at_least: counts the phrases of match.any, which has none", name))
		case m.AtLeast > 2*len(m.Any):
			errs = append(errs, fmt.Errorf("%s: match.at_least: %d can never be met: match.any has %d phrases, each counting at most twice (in a title)",
				name, m.AtLeast, len(m.Any)))
		case m.AtLeast > 1:
			c.atLeast = m.AtLeast
			s.titles = true
		}
		if strings.TrimSpace(m.Query) != "" {
			q, err := query.Parse(m.Query)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: match.query: %w", name, err))
			} else {
				c.query = q
				for _, words := range q.Terms() {
					c.qids = append(c.qids, s.index.Add(words))
				}
			}
		}
		if len(m.Categories) > 0 {
			c.cats = make(map[string]string, len(m.Categories))
			for _, cat := range m.Categories {
				if _, dup := c.cats[query.FoldLabel(cat)]; !dup {
					c.cats[query.FoldLabel(cat)] = cat
					c.catList = append(c.catList, cat)
				}
			}
		}
		c.hasMatch = len(m.Any)+len(m.All)+len(m.None)+len(m.Categories) > 0 || strings.TrimSpace(m.Query) != ""
		if !c.hasMatch && len(t.Sources) == 0 {
			if t.ID != aggregator.AllTopic {
				errs = append(errs, fmt.Errorf("%s: no rules: give sources or match", name))
			}
			c.every = true
		}
		s.topics = append(s.topics, c)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return s, nil
}

// phrases adds texts to the index and returns them; a text that is not a
// phrase (see query.Phrase) never matches, and its error joins errs.
func (s *Set) phrases(texts []string, errs []error) ([]phrase, []error) {
	out := make([]phrase, len(texts))
	for i, text := range texts {
		words, err := query.Phrase(text)
		if err != nil {
			errs = append(errs, fmt.Errorf("%q: %w", text, err))
		}
		out[i] = phrase{text: text, id: s.index.Add(words)}
	}
	return out, errs
}

// Topics returns the compiled topics in configuration order, the built-in
// "all" first when the configuration does not define one.
func (s *Set) Topics() []aggregator.TopicConfig {
	out := make([]aggregator.TopicConfig, len(s.topics))
	for i, c := range s.topics {
		out[i] = c.cfg
	}
	return out
}

// Tag returns the ids of the topics that take the story, in configuration
// order, the built-in "all" included.
func (s *Set) Tag(st aggregator.StoryText) []string {
	sc := s.scan(st)
	defer s.pool.Put(sc)
	var out []string
	for _, c := range s.topics {
		if c.every || c.takesBySource(st) || c.hasMatch && c.check(sc, false) == "" {
			out = append(out, c.cfg.ID)
		}
	}
	return out
}

// Explain returns one Verdict per topic, in the order of Topics.
func (s *Set) Explain(st aggregator.StoryText) []Verdict {
	sc := s.scan(st)
	defer s.pool.Put(sc)
	out := make([]Verdict, 0, len(s.topics))
	for _, c := range s.topics {
		out = append(out, c.explain(st, sc))
	}
	return out
}

func (s *Set) scan(st aggregator.StoryText) *scan {
	sc := s.pool.Get().(*scan)
	n := s.index.Len()
	if cap(sc.found) < n {
		sc.found = make([]bool, n)
	}
	sc.found = sc.found[:n]
	clear(sc.found)
	sc.inTitle = sc.inTitle[:0]
	if s.titles {
		if cap(sc.inTitle) < n {
			sc.inTitle = make([]bool, n)
		}
		sc.inTitle = sc.inTitle[:n]
		clear(sc.inTitle)
		s.index.Find(sc.inTitle, st.Titles)
		copy(sc.found, sc.inTitle)
	} else {
		s.index.Find(sc.found, st.Titles)
	}
	s.index.Find(sc.found, st.Fields)
	s.index.Find(sc.found, st.Categories) // categories count as text too
	sc.cats = sc.cats[:0]
	for _, cat := range st.Categories {
		sc.cats = appendCategory(sc.cats, query.FoldLabel(cat))
	}
	return sc
}

// categorySeparators join several categories in one, as feeds send them:
// a path ("World/Europe", "News > World", as RSS 2.0 writes a hierarchy)
// or a list ("UK, Crime"; in Chinese and Japanese "国际、亚洲", "政治・経済").
// Their fullwidth forms are these once folded.
const categorySeparators = "/,;|>、・"

// appendCategory appends cat, folded, and, when it joins several, each of
// them: a topic's category matches any of the parts as well as the whole.
func appendCategory(cats []string, cat string) []string {
	cats = append(cats, cat)
	if !strings.ContainsAny(cat, categorySeparators) {
		return cats
	}
	for part := range strings.FieldsFuncSeq(cat, func(r rune) bool { return strings.ContainsRune(categorySeparators, r) }) {
		if part = strings.TrimSpace(part); part != "" && part != cat {
			cats = append(cats, part)
		}
	}
	return cats
}

func (c *compiled) takesBySource(st aggregator.StoryText) bool {
	return c.sourceOf(st) != ""
}

// sourceOf returns the configured reference of the first of the story's
// sources that the topic names, or "".
func (c *compiled) sourceOf(st aggregator.StoryText) string {
	if len(c.sources) == 0 {
		return ""
	}
	for _, id := range st.Sources {
		if ref, ok := c.sources[id]; ok {
			return ref
		}
	}
	return ""
}

func (sc *scan) has(p phrase) bool { return p.id >= 0 && sc.found[p.id] }

// check returns "" when every given match rule holds. Otherwise it says
// which rule fails when explain is set, and returns "no" without building a
// message when not.
func (c *compiled) check(sc *scan, explain bool) string {
	fail := func(why func() string) string {
		if !explain {
			return "no"
		}
		return why()
	}
	if len(c.any) > 0 {
		if c.atLeast > 1 {
			if n := c.countAny(sc); n < c.atLeast {
				return fail(func() string {
					return fmt.Sprintf("match.any: %d of at_least %d from %s", n, c.atLeast, quoteList(c.any))
				})
			}
		} else if !slices.ContainsFunc(c.any, sc.has) {
			return fail(func() string { return "match.any: none of " + quoteList(c.any) })
		}
	}
	for _, p := range c.all {
		if !sc.has(p) {
			return fail(func() string { return fmt.Sprintf("match.all: no %q", p.text) })
		}
	}
	for _, p := range c.none {
		if sc.has(p) {
			return fail(func() string { return fmt.Sprintf("match.none %q", p.text) })
		}
	}
	if c.query != nil && !c.evalQuery(sc) {
		return fail(func() string { return "query false: " + c.query.String() + c.queryFound(sc) })
	}
	if len(c.cats) > 0 && c.category(sc) == "" {
		return fail(func() string { return "match.categories: none of " + quoteStrings(c.catList) })
	}
	return ""
}

// countAny counts the different phrases of any in the story, those in a
// title twice.
func (c *compiled) countAny(sc *scan) int {
	n := 0
	for i, p := range c.any {
		switch {
		case !sc.has(p) || slices.ContainsFunc(c.any[:i], func(q phrase) bool { return q.id == p.id }):
		case p.id < len(sc.inTitle) && sc.inTitle[p.id]:
			n += 2
		default:
			n++
		}
	}
	return n
}

func (c *compiled) evalQuery(sc *scan) bool {
	return c.query.Eval(func(i int) bool { id := c.qids[i]; return id >= 0 && sc.found[id] })
}

// queryFound says which of the query's terms the story has.
func (c *compiled) queryFound(sc *scan) string {
	var found []string
	for i, id := range c.qids {
		if id >= 0 && sc.found[id] {
			found = append(found, c.query.Term(i))
		}
	}
	if len(found) == 0 {
		return " (found none of its terms)"
	}
	return " (found " + strings.Join(found, ", ") + ")"
}

// category returns the configured category the story has, or "".
func (c *compiled) category(sc *scan) string {
	for _, cat := range sc.cats {
		if as, ok := c.cats[cat]; ok {
			return as
		}
	}
	return ""
}

// matchHolds describes the match rules that took the story.
func (c *compiled) matchHolds(sc *scan) string {
	var why []string
	if c.atLeast > 1 {
		var found []phrase
		for _, p := range c.any {
			if sc.has(p) {
				found = append(found, p)
			}
		}
		why = append(why, fmt.Sprintf("match.any %s (%d of at_least %d)", quoteList(found), c.countAny(sc), c.atLeast))
	} else {
		for _, p := range c.any {
			if sc.has(p) {
				why = append(why, fmt.Sprintf("match.any %q", p.text))
				break
			}
		}
	}
	if len(c.all) > 0 {
		why = append(why, "match.all "+quoteList(c.all))
	}
	if c.query != nil {
		why = append(why, "query "+c.query.String()+c.queryFound(sc))
	}
	if len(c.cats) > 0 {
		why = append(why, fmt.Sprintf("match.categories %q", c.category(sc)))
	}
	if len(why) == 0 && len(c.none) > 0 {
		why = append(why, "match.none: none of "+quoteList(c.none))
	}
	return strings.Join(why, "; ")
}

func (c *compiled) explain(st aggregator.StoryText, sc *scan) Verdict {
	v := Verdict{Topic: c.cfg.ID}
	if c.every {
		v.Taken, v.Why = true, "every story"
		return v
	}
	if ref := c.sourceOf(st); ref != "" {
		v.Taken, v.Why = true, fmt.Sprintf("source %q", ref)
		return v
	}
	var why []string
	if len(c.refs) > 0 {
		why = append(why, "no item from "+quoteStrings(c.refs))
	}
	if c.hasMatch {
		fail := c.check(sc, true)
		if fail == "" {
			v.Taken, v.Why = true, c.matchHolds(sc)
			return v
		}
		why = append(why, fail)
	}
	v.Why = strings.Join(why, "; ")
	return v
}

func quoteList(ps []phrase) string {
	texts := make([]string, len(ps))
	for i, p := range ps {
		texts[i] = p.text
	}
	return quoteStrings(texts)
}

func quoteStrings(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}
