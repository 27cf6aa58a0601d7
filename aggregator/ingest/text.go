package ingest

import (
	"fmt"
	"slices"
	"strings"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/near"
)

// plainText is an item's summary and content as plain text (near.Text),
// worked out once per fetch for the item's Doc and its story's topics.
type plainText struct{ summary, content string }

func plainOf(it aggregator.Item) plainText {
	return plainText{near.Text(it.Summary), near.Text(it.Content)}
}

// bodyLines returns the plain-text lines of an item's summary and content,
// each distinct line once, in order (content often repeats the summary).
func bodyLines(it aggregator.Item) []string {
	lines, _ := plainOf(it).lines()
	return lines
}

// lines returns the distinct lines of the summary and the content, in
// order, and the chrome counter key of each ("b" and its near.LineKey).
func (p plainText) lines() (lines, keys []string) {
	seen := map[string]bool{}
	for _, t := range []string{p.summary, p.content} {
		for _, l := range near.Lines(t) {
			k := "b" + near.LineKey(l)
			if seen[k] {
				continue
			}
			seen[k] = true
			lines = append(lines, l)
			keys = append(keys, k)
		}
	}
	return lines, keys
}

// footers returns the chrome counter keys of the lines that are a
// platform's footer of the item titled title (footerLine) in the summary,
// the content, or both, isChrome telling the source's recurring lines by
// their keys.
func (p plainText) footers(title string, isChrome map[string]bool) []string {
	var keys []string
	for _, t := range []string{p.summary, p.content} {
		ls := near.Lines(t)
		if i := footerLine(ls, title, func(k string) bool { return isChrome[k] }); i >= 0 {
			keys = append(keys, "b"+near.LineKey(ls[i]))
		}
	}
	return keys
}

// footerLine returns the index in ls, the lines of a text of the item
// titled title, of the platform's footer (near.Footer), or -1 for none:
// the last line that is not one of the source's recurring lines (recurs
// reports those by their chrome counter keys, "b" and their near.LineKey;
// nil for none). The platform prints its footer last, and a source may
// print its own lines under it on every item ("Share this: Facebook
// Twitter"); a line of the item's own after it is its text, and so is the
// footer then.
func footerLine(ls []string, title string, recurs func(key string) bool) int {
	for i := len(ls) - 1; i >= 0; i-- {
		if near.Footer(ls[i], title) {
			return i
		}
		if recurs == nil || !recurs("b"+near.LineKey(ls[i])) {
			return -1
		}
	}
	return -1
}

// leadKeys returns the chrome counter key ("l" and its near.LineKey) of
// each line's lead label (near.LeadLabel), or "" for a line without one.
// It returns nil when no line has one.
func leadKeys(lines []string) []string {
	var keys []string
	for i, l := range lines {
		label, ok := near.LeadLabel(l)
		if !ok {
			continue
		}
		if keys == nil {
			keys = make([]string, len(lines))
		}
		keys[i] = "l" + near.LineKey(label)
	}
	return keys
}

// chromeKeys returns the distinct per-source counter keys of an item's body
// lines (lineKeys, as plainText.lines returns them), of their lead labels
// (leads, as leadKeys returns them) and, for a headline of several
// segments, of its segments.
func chromeKeys(lineKeys, leads, segments []string) []string {
	keys := slices.Clip(lineKeys) // distinct already
	add := func(k string) {
		if !slices.Contains(keys[len(lineKeys):], k) {
			keys = append(keys, k)
		}
	}
	for _, k := range leads {
		if k != "" {
			add(k)
		}
	}
	if len(segments) < 2 {
		return keys
	}
	for _, s := range segments {
		add("t" + near.LineKey(s))
	}
	return keys
}

// stripChrome drops the lines that recur across the source's items, the
// platforms' footers that name each item (footers, their keys, from
// plainText.footers), the lines that point elsewhere under a lead label
// the source's items share ("READ ALSO: another headline", not a
// sentence), and lines that are not prose when the item has prose: what
// remains is the article. keys are the lines' chrome counter keys and
// leads their lead labels' (or nil).
func stripChrome(lines, keys, leads, footers []string, isChrome map[string]bool) []string {
	kept := make([]string, 0, len(lines))
	prose := make([]bool, 0, len(lines)) // near.Prose of each kept line, computed once
	anyProse := false
	for i, l := range lines {
		if isChrome[keys[i]] || slices.Contains(footers, keys[i]) {
			continue
		}
		if leads != nil && leads[i] != "" && isChrome[leads[i]] && !near.Sentence(l) {
			continue
		}
		p := near.Prose(l)
		kept = append(kept, l)
		prose = append(prose, p)
		anyProse = anyProse || p
	}
	if !anyProse {
		return kept
	}
	out := kept[:0]
	for i, l := range kept {
		if prose[i] {
			out = append(out, l)
		}
	}
	return out
}

// cleanTitle drops the headline segments that are labels ("BREAKING") or
// that recur across the source's items (a site name, a section), unless
// nothing would be left.
func cleanTitle(title string, segments []string, isChrome map[string]bool) string {
	if len(segments) < 2 {
		return title
	}
	var kept []string
	for _, s := range segments {
		if near.Label(s) || isChrome["t"+near.LineKey(s)] {
			continue
		}
		kept = append(kept, s)
	}
	if len(kept) == 0 || len(kept) == len(segments) {
		return title
	}
	return strings.Join(kept, ": ")
}

// MaxTopicMembers bounds the members whose text and categories decide a
// story's topics: its face and the first others to join. A story that
// hundreds of outlets carry is tagged at the cost of a few of them, on the
// text of its first reports rather than on every re-post. Its face, tags
// and sources still come from every member.
const MaxTopicMembers = 16

// StoryText gathers what the tagger decides the topics of st on, given its
// items in member order: the titles and the plain text of the summaries
// and contents of its face and first other items, up to MaxTopicMembers in
// all, without the lines their sources repeat in item after item (read
// from tx, see topicText), their feed categories, and the sources of every
// member.
func StoryText(tx aggregator.Tx, st aggregator.Story, items []aggregator.Item) (aggregator.StoryText, error) {
	chrome, err := newChromeTables(tx).load(topicItems(st.Face, items))
	if err != nil {
		return aggregator.StoryText{}, err
	}
	return storyText(&st, items, nil, chrome), nil
}

// storyText is StoryText taking the plain text of the items in known from
// there, and each source's table of recurring lines from chrome (a source
// without one keeps every line). items may hold only the face and the
// first MaxTopicMembers+1 members, which are all topicItems takes of a
// larger story.
func storyText(st *aggregator.Story, items []aggregator.Item, known map[string]plainText, chrome map[string]*near.LineCounts) aggregator.StoryText {
	var out aggregator.StoryText
	seen := make(map[string]bool, len(st.Members))
	for _, m := range st.Members {
		if !seen[m.Source] {
			seen[m.Source] = true
			out.Sources = append(out.Sources, m.Source)
		}
	}
	for _, it := range topicItems(st.Face, items) {
		p, ok := known[it.ID]
		if !ok {
			p = plainOf(it)
		}
		if it.Title != "" {
			out.Titles = append(out.Titles, it.Title)
		}
		lines := chrome[it.SourceID]
		for _, f := range []string{p.summary, p.content} {
			if f = topicText(f, it.Title, lines); f != "" {
				out.Fields = append(out.Fields, f)
			}
		}
		out.Categories = append(out.Categories, it.Categories...)
		out.Categories = append(out.Categories, it.CategoryTerms...)
	}
	return out
}

// topicItems returns the items whose text decides a story's topics: all of
// them up to MaxTopicMembers, else the face and the first others.
func topicItems(face string, items []aggregator.Item) []aggregator.Item {
	if len(items) <= MaxTopicMembers {
		return items
	}
	out := make([]aggregator.Item, 0, MaxTopicMembers)
	if i := slices.IndexFunc(items, func(it aggregator.Item) bool { return it.ID == face }); i >= 0 {
		out = append(out, items[i])
	}
	for _, it := range items {
		if len(out) == MaxTopicMembers {
			break
		}
		if it.ID != face {
			out = append(out, it)
		}
	}
	return out
}

// topicText returns the plain text t, of the item titled title, without
// the lines that recur across its source's items (lines, the source's
// table; nil keeps every line) and the platform's footer that names the
// item, its last line but for those (footerLine): a topic is decided on what an item
// says, not on what its source prints under every item (a podcast's
// sponsor and credits, a channel's links, a site's newsletter box, "The
// post … appeared first on <site>"), which would take every item of the
// source into a topic that names it.
func topicText(t, title string, lines *near.LineCounts) string {
	if t == "" {
		return t
	}
	counted := lines != nil && lines.Len() > 0
	all := near.Lines(t)
	var recurs func(string) bool
	if counted {
		recurs = func(k string) bool { return lines.Count(k) >= near.ChromeMin }
	}
	footer := footerLine(all, title, recurs)
	kept := make([]string, 0, len(all))
	for i, l := range all {
		if i == footer || counted && lines.Count("b"+near.LineKey(l)) >= near.ChromeMin {
			continue
		}
		kept = append(kept, l)
	}
	if len(kept) == len(all) {
		return t
	}
	return strings.Join(kept, "\n")
}

// chromeTables reads the sources' tables of recurring lines from a
// transaction, each once, for the text topics are decided on.
type chromeTables struct {
	tx     aggregator.Tx
	tables map[string]*near.LineCounts
}

func newChromeTables(tx aggregator.Tx) *chromeTables {
	return &chromeTables{tx: tx, tables: map[string]*near.LineCounts{}}
}

// load reads the tables of the items' sources that it has not read yet,
// and returns every table read.
func (c *chromeTables) load(items []aggregator.Item) (map[string]*near.LineCounts, error) {
	for _, it := range items {
		if _, ok := c.tables[it.SourceID]; ok {
			continue
		}
		b, err := c.tx.Blob(linesBlob(it.SourceID))
		if err != nil {
			return nil, fmt.Errorf("recurring lines of %s: %w", it.SourceID, err)
		}
		c.tables[it.SourceID] = decodeLines(b)
	}
	return c.tables, nil
}

// minQuotedHeadline is the fewest words (and terms) a headline needs for a
// text that quotes it to name its item: a quoted phrase of a few words
// ("a kick in the teeth") may be anyone's.
const minQuotedHeadline = 5

// quotesHeadline reports whether the summary or content of it holds the
// headline of quoted whole between quotation marks (or as it read before a
// correction in place, correctedHeadline), its case, its
// punctuation between words and its kind of quotation marks aside, fewer
// words outside its quotations than half of quoted's text (unquotedWords;
// any number when quoted has no text), and
// no other quotation as long as a headline but of quoted's own words
// (all but otherQuoteWords of them): a correction names the one story it
// corrects, and quotes its words ("please read "…" instead of "…""),
// where a digest or a newsletter that quotes several headlines is a list
// of reports, none of which it is part of.
func quotesHeadline(it, quoted aggregator.Item) bool {
	want := quoteWords(quoted.Title)
	if len(want) < minQuotedHeadline {
		return false
	}
	p := plainOf(it)
	found := false
	var others [][]string
	short := map[string]bool{}
	for _, text := range []string{p.summary, p.content} {
		for _, q := range quotations(text) {
			words := quoteWords(q)
			switch {
			case slices.Equal(words, want):
				found = true
			case len(words) >= minQuotedHeadline:
				others = append(others, words)
			default:
				for _, w := range words {
					short[w] = true
				}
			}
		}
	}
	if !found {
		others = slices.DeleteFunc(others, func(words []string) bool {
			if correctedHeadline(words, want, short) {
				found = true
				return true
			}
			return false
		})
	}
	if !found {
		return false
	}
	qp := plainOf(quoted)
	// A report that came as its headline alone has no text to weigh the
	// notice's own words against.
	if n := max(len(quoteWords(qp.summary)), len(quoteWords(qp.content))); n > 0 && unquotedWords(p) >= n/2 {
		return false
	}
	if len(others) == 0 {
		return true
	}
	own := map[string]bool{}
	for _, text := range []string{quoted.Title, qp.summary, qp.content} {
		for _, w := range quoteWords(text) {
			own[w] = true
		}
	}
	for _, words := range others {
		missing := 0
		for _, w := range words {
			if !own[w] {
				missing++
			}
		}
		if missing > otherQuoteWords {
			return false
		}
	}
	return true
}

// correctedHeadline reports whether the quotation words is the headline
// want as it read before a correction, which the notice quotes with the
// wrong word and the right one ("please read "1.9C" instead of "2.4C""):
// the two differ only in one or two words (otherQuoteWords) that each
// stand in a short quotation of the notice. A press office corrects its
// release in place and posts the notice beside it, so that the release is
// stored under its new headline by the time the notice quotes the old one.
func correctedHeadline(words, want []string, short map[string]bool) bool {
	if len(words) != len(want) {
		return false
	}
	differ := 0
	for i, w := range words {
		if w == want[i] {
			continue
		}
		if !short[w] || !short[want[i]] {
			return false
		}
		differ++
	}
	return differ > 0 && differ <= otherQuoteWords
}

// unquotedWords returns how many words an item's text holds outside its
// quotations, of its summary or its content, whichever holds more. A text
// that names a report by its headline is part of it when it is a notice
// about it, shorter than half of it (a correction, "please read … instead
// of …"); one as long as the report or longer is a report of its own (the
// next day's follow-up, "Yesterday we reported "…""), as another outlet's
// column is.
func unquotedWords(p plainText) int {
	n := 0
	for _, text := range []string{p.summary, p.content} {
		words := len(quoteWords(text))
		for _, q := range quotations(text) {
			words -= len(quoteWords(q))
		}
		n = max(n, words)
	}
	return n
}

// otherQuoteWords is how many words of another quotation in a text that
// quotes a headline may be missing from the headline's item for the
// quotation to be of that item: a correction quotes the wrong figure or
// name beside the right one.
const otherQuoteWords = 2

// quotations returns the spans of text between quotation marks, straight
// or curly, double or angled.
func quotations(text string) []string {
	var out []string
	start := -1
	for i, r := range text {
		switch r {
		case '"', '“', '”', '„', '«', '»':
			if start >= 0 {
				out = append(out, text[start:i])
				start = -1
			} else {
				start = i + len(string(r))
			}
		}
	}
	return out
}

// quoteWords returns the words of s in lower case, without the
// punctuation around them, and with curly apostrophes straight.
func quoteWords(s string) []string {
	s = strings.NewReplacer("’", "'", "‘", "'").Replace(strings.ToLower(s))
	var out []string
	for _, w := range strings.Fields(s) {
		w = strings.Trim(w, ".,;:!?'()[]-–—")
		if w != "" {
			out = append(out, w)
		}
	}
	return out
}
