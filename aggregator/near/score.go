package near

import (
	"math"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"
)

// Score is the similarity of two Docs and the signals it is made of, for
// explaining a decision.
type Score struct {
	Cosine float64       // tf-idf cosine of all terms
	Title  float64       // IDF-weighted share of the shorter headline's terms found in the other headline
	Copy   float64       // share of the shorter text's shingles found in the other text
	Entity float64       // IDF-weighted share of the names and numbers of the Doc with fewer found in the other
	Apart  time.Duration // how far apart the two Docs' times are
	Value  float64       // the similarity: 0 (unrelated) to 1 (the same text)
	Named  bool          // both Docs have names or numbers, so that Entity tells whether they agree
	Shared int           // number of terms the two Docs have in common
	// Distinct is set by the caller for two posts of one source by other
	// authors or with other media files: however alike and close in
	// time, they are not one report in two forms (oneReportGap).
	Distinct bool
}

// Constants of the score. They are few on purpose: each is a property of
// news text in general, not of any set of feeds.
const (
	// minCopyShingles is the fewest shingles a text needs before its
	// containment in another says it was copied from it (six words).
	minCopyShingles = 4
	// copyMin is the containment from which one text is a copy of the
	// other: a copy keeps most of its original's word sequences, while two
	// reports written apart share a few phrases at most.
	copyMin = 0.8
	// copyTitleMin is the share of headline words a copy must keep, so
	// that two items sharing only a stock paragraph are not copies.
	copyTitleMin = 0.3
	// copyOwnTitleCosine is the cosine a copy under a headline of its own
	// (one that keeps less than copyTitleMin of its original's, or none: a
	// radio station's "Today's weather" over a forecast service's text)
	// must have with its original: a copy of half the original scores
	// about 0.7 (√½), while an item whose text is only a paragraph that a
	// longer one carries too scores little more than that paragraph's
	// share of the longer text.
	copyOwnTitleCosine = 0.6
	// minShared is the fewest terms two reports written apart must have
	// in common: two texts that share one or two words (the words of a
	// stock headline such as "Pictures of the day" or "Morning briefing",
	// a name and one other word) share a subject at most, however close
	// their cosine, which in texts of a headline and a line or no text at
	// all those few words make.
	minShared = 3
	// NamesMin is the share of names and numbers (Entity) that two
	// reports written apart must have in common when both have some: two
	// reports of one event name the same people, places and figures, while
	// reports of two events of one kind ("X beat Y 2-1 on Monday night",
	// two companies' quarterly results) share the words of their kind.
	NamesMin = 0.5
	// HalfLife is the time apart at which a rewrite's similarity counts
	// half: reports of one event cluster in time, while follow-ups,
	// reactions and next-day updates come later. Outlets in other time
	// zones report one event up to half a day apart; on the labelled
	// corpus 15 hours joins more of them than 12 at a higher precision,
	// and 24 hours takes next-day follow-ups too (README, "Evaluation").
	HalfLife = 15 * time.Hour
)

// Similarity scores how likely two Docs carry the same report. A copy (one
// text contained in the other, the headlines agreeing) scores its
// containment; a rewrite scores the tf-idf cosine of the two Docs' terms,
// discounted by how far apart in time they are.
func Similarity(a, b *Doc) Score {
	var s Score
	var dot, na, nb float64
	var titleShared, titleA, titleB float64
	var entShared, entA, entB float64
	idf := func(t Term) float64 { return float64(t.IDF) / 16 }
	only := func(t Term, norm, title, ent *float64) {
		w := t.weight()
		*norm += w * w
		if t.Title {
			*title += idf(t)
		}
		if t.Entity {
			*ent += idf(t)
		}
	}
	i, j := 0, 0
	for i < len(a.Terms) || j < len(b.Terms) {
		switch {
		case j >= len(b.Terms) || i < len(a.Terms) && a.Terms[i].Hash < b.Terms[j].Hash:
			only(a.Terms[i], &na, &titleA, &entA)
			i++
		case i >= len(a.Terms) || b.Terms[j].Hash < a.Terms[i].Hash:
			only(b.Terms[j], &nb, &titleB, &entB)
			j++
		default:
			ta, tb := a.Terms[i], b.Terms[j]
			only(ta, &na, &titleA, &entA)
			only(tb, &nb, &titleB, &entB)
			dot += ta.weight() * tb.weight()
			s.Shared++
			// The two were weighed at different times: the shared term
			// counts with the smaller of its two IDFs.
			w := min(idf(ta), idf(tb))
			if ta.Title && tb.Title {
				titleShared += w
			}
			if ta.Entity || tb.Entity {
				entShared += w
			}
			i++
			j++
		}
	}
	if na > 0 && nb > 0 {
		s.Cosine = dot / math.Sqrt(na*nb)
	}
	if small := min(titleA, titleB); small > 0 {
		s.Title = min(1, titleShared/small)
	}
	if small := min(entA, entB); small > 0 {
		s.Entity = min(1, entShared/small)
		s.Named = true
	}
	if n := min(len(a.Shingles), len(b.Shingles)); n >= minCopyShingles {
		s.Copy = float64(intersect(a.Shingles, b.Shingles)) / float64(n)
	}
	s.Apart = a.Time.Sub(b.Time).Abs()
	s.Value = s.rewrite()
	if s.copied() {
		s.Value = max(s.Value, s.Copy)
	}
	return s
}

// rewrite is the similarity of two reports written apart: none when they
// share fewer than minShared terms, or when both name people, places or
// figures and fewer than NamesMin of them agree.
func (s Score) rewrite() float64 {
	if s.Shared < minShared || s.NamesDisagree() {
		return 0
	}
	return s.Words()
}

// Words is the similarity of two reports written apart by their words
// alone, before the names are checked: their cosine, discounted for the
// time between them.
func (s Score) Words() float64 {
	return s.Cosine / (1 + float64(s.Apart)/float64(HalfLife))
}

// NamesDisagree reports whether both texts name people, places or figures
// and fewer than NamesMin of them agree, so that the two are no rewrite of
// one report, however many other words they share.
func (s Score) NamesDisagree() bool { return s.Named && s.Entity < NamesMin }

// copied reports whether one text is a copy of the other. A copy keeps
// some of the names and figures of what it copies: two texts that both
// have some and share none share a template or a source's standing lines
// (a newsletter's greeting and sign-off around its links, a notice's
// standard advice), not a report, however much of their wording agrees.
// A copy keeps its original's headline words, or, under a headline of its
// own or none, enough of its original's text (copyOwnTitleCosine): a
// headline of its own that happens to share a word with the original's is
// still its own.
func (s Score) copied() bool {
	if s.Named && s.Entity == 0 {
		return false
	}
	return s.Copy >= copyMin && (s.Title >= copyTitleMin || s.Cosine >= copyOwnTitleCosine)
}

// OwnCopy returns s, the score of two items of one source, with their
// containment over the whole of both texts (contained, which returns it,
// as Containment does) where that is the greater and their headlines and
// names agree as those of one report's two forms do (oneReport, whatever
// the time between them; contained is called only then): a notice that
// its source updates under a new link keeps the old text, but for a line
// put before it that the Doc's shingles of its first words miss. Two posts
// of one template share most of their sentences too, but not their
// figures (a company's daily notices of shares bought back), nor their
// headlines (two posts of a blog over one long note on its author).
func (s Score) OwnCopy(contained func() float64) Score {
	if s.Distinct || s.Title < oneReportTitle || s.Named && s.Entity < oneReportNames {
		return s
	}
	c := contained()
	if c <= s.Copy {
		return s
	}
	s.Copy = c
	s.Value = s.rewrite()
	if s.copied() {
		s.Value = max(s.Value, s.Copy)
	}
	return s
}

// HasText reports whether d's text holds words enough for its containment
// in another text to tell a copy: six, which make minCopyShingles word
// 3-shingles. A headline over a link labelled "Read more" has two.
func (d *Doc) HasText() bool { return d.Words >= minCopyShingles+2 }

// NotCopy returns s scored as two texts written apart: for two items that
// are no copy of each other however much of their wording agrees
// (FiguresDisagree).
func (s Score) NotCopy() Score {
	s.Copy = 0
	s.Value = s.rewrite()
	return s
}

// FiguresDisagree reports whether two headlines both carry figures and
// each has one the other lacks. A copy keeps the figures of what it
// copies, while the items of a series differ in theirs and little else:
// releases "v2.4.1" and "v2.4.2", earthquakes "M 4.6 - 97 km SSE of …" and
// "M 5.2 - 98 km SSE of …", "Page 13" and "Page 14", a 2–1 and a 1–1. A
// headline that only adds figures ("UPDATE 2", a year) still agrees.
func FiguresDisagree(a, b string) bool {
	fa, fb := figures(a), figures(b)
	if len(fa) == 0 || len(fb) == 0 {
		return false
	}
	return lacks(fa, fb) && lacks(fb, fa)
}

// HeadlineNamesDisagree reports whether two headlines each name someone or
// something the other does not hold: a word written with a capital where
// a sentence does not begin ("Yellow warning of thunderstorms: Northern
// Uplands" and "…: Eastern Moors") whose word the other headline lacks,
// however written. One source's items of a series under one template
// differ so, where a flash and its full story ("Tram derails in Harwood",
// "Passengers hurt as tram derails on Harwood's Castle Street") add names
// at most.
func HeadlineNamesDisagree(a, b string) bool {
	return HeadlineNamesDisagreeIn(a, "", b, "")
}

// HeadlineNamesDisagreeIn is HeadlineNamesDisagree for two headlines with
// the texts under them (HTML fragments, as Text reads them). A headline in
// title case, whose every word has its capital, names what its own text
// writes with a capital where a sentence does not begin: "Nordmark
// National Bank Holds Key Rate At 3.25%" names "Nordmark", "National" and
// "Bank", and "Bank Of Varesia Cuts Key Rate To 2.75%" "Bank" and
// "Varesia", so that a site that writes its headlines so tells one
// template's items apart as a site that writes them in sentence case does.
func HeadlineNamesDisagreeIn(a, textA, b, textB string) bool {
	wa, wb := words(unshout(a)), words(unshout(b))
	return namesMissing(wa, wb, textNames(wa, textA)) && namesMissing(wb, wa, textNames(wb, textB))
}

// NamesDisagreeIn reports whether two items, each a headline and a text
// (an HTML fragment, as Text reads it), hold the same words but for names,
// each holding one the other lacks: a weather service's warnings for two
// counties under one headline, whose texts differ in the county alone
// ("* WHERE...Alder County." and "* WHERE...Birchwood County."), or a
// wire's two one-line reports of one template ("Gold steady ahead of jobs
// data", "Silver steady …"). A name here is a word written with a capital
// wherever it stands in its item, at the start of a sentence too; figures
// are passed over, as FiguresDisagree tells them. A rewrite or an update of
// a report changes words that are not names, and a flash and its full
// story add names at most. A word in capitals is a name, as an acronym
// is. Only short texts, of namesTextLen bytes or
// less each, and items that share at least minNamesShared words, are
// read: a series' template is short, and a few words tell nothing.
func NamesDisagreeIn(a, textA, b, textB string) bool {
	if a == b && textA == textB || len(textA) > namesTextLen || len(textB) > namesTextLen {
		return false
	}
	ha, hna := nameTerms(unshout(a), nil, nil)
	hb, hnb := nameTerms(unshout(b), nil, nil)
	if !onlyNames(ha, hb, hna) || !onlyNames(hb, ha, hnb) {
		return false // the texts are read only for headlines that agree so
	}
	// A text is read as written, not as unshout reads one mostly in
	// capitals: a weather service's alert shouts its kind
	// ("...WINTER WEATHER ADVISORY IN EFFECT...") and writes the places
	// it is for with their capitals.
	ta, na := nameTerms(Text(textA), ha, hna)
	tb, nb := nameTerms(Text(textB), hb, hnb)
	shared := 0
	for t := range ta {
		if tb[t] {
			shared++
		}
	}
	return shared >= minNamesShared && onlyNames(ta, tb, na) && onlyNames(tb, ta, nb) &&
		len(ta) > shared && len(tb) > shared
}

// FiguresDisagreeUnder reports whether two items under one headline, the
// same words and figures, have short texts (HTML fragments, as Text reads
// them, of namesTextLen bytes or less each) whose figures disagree, each
// holding one the other lacks: a register's two airworthiness directives
// of one day under "Airworthiness Directives; Corvina Aerospace
// Airplanes", one for the "Model C-72" and one for the "Model C-90", or a
// league's results under one standing headline. An article and its video
// under one headline, or a flash and its story, tell one event's figures,
// and the shorter tells fewer.
func FiguresDisagreeUnder(a, textA, b, textB string) bool {
	if textA == textB || len(textA) > namesTextLen || len(textB) > namesTextLen {
		return false
	}
	wa, wb := words(unshout(a)), words(unshout(b))
	if len(wa) == 0 || len(wa) != len(wb) {
		return false
	}
	for i := range wa {
		if wa[i].term != wb[i].term || wa[i].number != wb[i].number {
			return false
		}
	}
	fa, fb := figures(Text(textA)), figures(Text(textB))
	return len(fa) > 0 && len(fb) > 0 && lacks(fa, fb) && lacks(fb, fa)
}

// Limits of NamesDisagreeIn and FiguresDisagreeUnder.
const (
	namesTextLen   = 4096
	minNamesShared = 5
)

// nameTerms adds to terms, and returns, the terms of the words of s that
// are neither function words nor figures, and adds to names, and returns,
// those of them written with a capital wherever they stand, in s and in
// what terms held before.
func nameTerms(s string, terms, names map[string]bool) (map[string]bool, map[string]bool) {
	all, caps := map[string]bool{}, map[string]bool{}
	lower := map[string]bool{}
	for t := range terms {
		all[t] = true
		if !names[t] {
			lower[t] = true
		}
	}
	eachWord(s, func(w word) bool {
		if w.term == "" || w.number {
			return true
		}
		all[w.term] = true
		if w.initial || w.acronym {
			caps[w.term] = true
		} else {
			lower[w.term] = true
		}
		return true
	})
	for t := range names {
		caps[t] = true
	}
	for t := range lower {
		delete(caps, t)
	}
	return all, caps
}

// onlyNames reports whether every term of a that b lacks is a name.
func onlyNames(a, b, names map[string]bool) bool {
	for t := range a {
		if !b[t] && !names[t] {
			return false
		}
	}
	return true
}

// HeadlinesOverOneText reports whether two headlines each hold a word the
// other lacks over texts (HTML fragments, as Text reads them) that hold the
// same words but for their figures and none of those: a series written to
// one template whose text is the same standing lines, told apart by its
// headlines alone ("Fishing fleet statistics: October 2026" and "…:
// September 2026" over "Monthly statistics on the size and landings of the
// fishing fleet."; a reading list's books over "author: … rating: 4 …").
// An item given again under a new headline keeps its text's words too, but
// its headline tells what that text says: the words it changed are mostly
// in the text. Texts without words tell nothing.
func HeadlinesOverOneText(a, textA, b, textB string) bool {
	if a == b {
		return false
	}
	ha, hb, differ := headlineTerms(a, b)
	if !differ {
		return false
	}
	ta, tb := contentTerms(Text(textA)), contentTerms(Text(textB))
	if len(ta) == 0 || len(ta) != len(tb) {
		return false
	}
	for t := range ta {
		if !tb[t] {
			return false
		}
	}
	return ownTerms(ha, hb, ta) && ownTerms(hb, ha, ta)
}

// HeadlinesDiffer reports whether two headlines, over texts (HTML
// fragments, as Text reads them), each hold a word, neither a function
// word nor a figure, that the other headline lacks and none of those is
// in the other's text: "…: the arrivals – in pictures" over a caption of
// guests arriving, and "…: the winners – in pictures" over one of the
// winners. A headline given again with words added ("UPDATE 1", "WATCH:")
// lacks none of the other's; an article given again under a new headline
// ("Fire breaks out at Lindmoor chemical plant", "Lindmoor plant fire:
// residents told to shut windows"), its text the same or edited, tells in
// its text what its headline says, and the words each headline changed
// are in the other's text. Empty texts hold no words: with them the
// headlines alone are compared, which a caller may do first, before it
// reads anything else of the items.
func HeadlinesDiffer(a, textA, b, textB string) bool {
	ha, hb, differ := headlineTerms(a, b)
	if !differ {
		return false
	}
	return ownTerms(ha, hb, contentTerms(Text(textB))) && ownTerms(hb, ha, contentTerms(Text(textA)))
}

// headlineTerms returns the terms of headlines a and b (contentTerms), and
// whether each holds one the other lacks: HeadlinesDiffer and
// HeadlinesOverOneText read the texts only for headlines that differ so.
func headlineTerms(a, b string) (ha, hb map[string]bool, differ bool) {
	ha, hb = contentTerms(a), contentTerms(b)
	return ha, hb, ownTerms(ha, hb, nil) && ownTerms(hb, ha, nil)
}

// ShortText reports whether a text (an HTML fragment) is short as a
// series' template is, namesTextLen bytes or less, as NamesDisagreeIn and
// FiguresDisagreeUnder read texts.
func ShortText(fragment string) bool { return len(fragment) <= namesTextLen }

// ownTerms reports whether headline terms a hold one that headline terms b
// lack, none of them in text.
func ownTerms(a, b, text map[string]bool) bool {
	own := false
	for t := range a {
		if b[t] {
			continue
		}
		if text[t] {
			return false
		}
		own = true
	}
	return own
}

// contentTerms returns the terms of the words of s that are neither
// function words nor figures.
func contentTerms(s string) map[string]bool {
	terms := map[string]bool{}
	eachWord(unshout(s), func(w word) bool {
		if w.term != "" && !w.number {
			terms[w.term] = true
		}
		return true
	})
	return terms
}

// textNames returns, for a headline in title case, the terms of the words
// that its text (an HTML fragment) writes with a capital where a sentence
// does not begin, or in capitals, as a weather service's alert shouts its
// kind ("...WINTER STORM WARNING IN EFFECT..."); nil for any other
// headline, whose capitals tell its names.
func textNames(headline []word, fragment string) map[string]bool {
	if !titleCase(headline) || fragment == "" {
		return nil
	}
	names := map[string]bool{}
	eachWord(Text(fragment), func(w word) bool {
		if w.capital && w.term != "" {
			names[w.term] = true
		}
		return true
	})
	return names
}

// namesMissing reports whether headline a has a name whose word headline
// b lacks. A headline of fewer than three words ("USA Riots") has no names
// to tell, nor has one in title case, whose every word may have its
// capital, unless names, the names its text writes, tell them.
func namesMissing(a, b []word, names map[string]bool) bool {
	content := 0
	for _, w := range a {
		if w.term != "" && !w.number {
			content++
		}
	}
	title := titleCase(a)
	if content < 3 || title && names == nil {
		return false
	}
	for _, w := range a {
		if w.number || w.term == "" {
			continue
		}
		if title && !names[w.term] || !title && !w.capital {
			continue
		}
		if !slices.ContainsFunc(b, func(x word) bool { return x.term == w.term }) {
			return true
		}
	}
	return false
}

// lacks reports whether a has a figure, counted with its repeats, that b
// lacks.
func lacks(a, b []string) bool {
	count := make(map[string]int, len(b))
	for _, f := range b {
		count[f]++
	}
	for _, f := range a {
		if count[f] == 0 {
			return true
		}
		count[f]--
	}
	return false
}

// figures returns the numbers of a text, each a run of digits that may
// hold a point or a comma between digits ("2.4.1", "11,204"), or a count
// from two to twelve in English words, which headlines write so ("Four
// dead", "death toll rises to nine") and a copy's headline may write in
// digits; digits first, then words, as written. A count joined by a hyphen
// to the tens before it is the number the two write ("Twenty-two dead" is
// 22, "thirty-one" 31), and one joined to a fraction after it is no count
// ("two-thirds").
func figures(s string) []string {
	out := digitRuns(s)
	for _, w := range strings.FieldsFunc(hyphens.Replace(s), func(r rune) bool { return !unicode.IsLetter(r) && r != '-' }) {
		parts := strings.Split(strings.ToLower(w), "-")
		for i, p := range parts {
			var tens string
			if i > 0 {
				tens = tensWords[parts[i-1]]
			}
			n, ok := countWords[p]
			if p == "one" {
				n = "1" // a count after tens alone ("twenty-one")
			}
			switch {
			case tens != "" && len(n) == 1:
				out = append(out, tens+n)
			case !ok || i+1 < len(parts) && fractionWords[parts[i+1]]:
				// No count, or a fraction's ("two-thirds").
			default:
				out = append(out, n)
			}
		}
	}
	return out
}

// Figureless returns s without the figures FiguresDisagree reads: its
// digits, and its counts in words ("seven", "twenty-two"), so that the
// headlines of one template under other counts ("Measles in Brakeby: 7
// new cases", "…: nine new cases") are one string.
func Figureless(s string) string {
	s = hyphens.Replace(s)
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case unicode.IsDigit(r):
			i += n
		case unicode.IsLetter(r):
			j := i + n
			for j < len(s) {
				r, n := utf8.DecodeRuneInString(s[j:])
				if !unicode.IsLetter(r) && r != '-' {
					break
				}
				j += n
			}
			if !isCount(s[i:j]) {
				b.WriteString(s[i:j])
			}
			i = j
		default:
			b.WriteRune(r)
			i += n
		}
	}
	return b.String()
}

// Template returns the words of headline s, in the form near-duplicate
// detection compares them (TitleWords), without its figures (Figureless),
// joined by spaces: the headlines of one template under other figures are
// one template in capitals or small letters, and in Greek with or without
// the accents that Greek capitals leave off ("ΣΕΙΣΜΟΣ 4,9 ΡΙΧΤΕΡ ΝΟΤΙΑ
// ΤΗΣ ΚΡΗΤΗΣ" and "Σεισμός 4,2 Ρίχτερ νότια της Κρήτης").
func Template(s string) string {
	return strings.Join(TitleWords(Figureless(s)), " ")
}

// isCount reports whether the word w is a count in words as figures reads
// one: each of its parts a count or a ten, "one" after a ten
// ("twenty-one").
func isCount(w string) bool {
	parts := strings.Split(strings.ToLower(w), "-")
	for i, p := range parts {
		_, count := countWords[p]
		_, ten := tensWords[p]
		if !count && !ten && !(p == "one" && i > 0 && tensWords[parts[i-1]] != "") {
			return false
		}
	}
	return true
}

// countWords spells the counts that figures reads in words. "One" is not
// among them: it is as often a pronoun ("one of", "the one that") as a
// count.
var countWords = map[string]string{
	"two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7",
	"eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12",
}

// hyphens writes the Unicode hyphens that join words, the hyphen and the
// non-breaking hyphen some publishing systems put in headlines
// ("Twenty‑two dead"), as the hyphen-minus.
var hyphens = strings.NewReplacer("\u2010", "-", "\u2011", "-")

// tensWords spells the tens that a count in words follows, with a hyphen,
// as the first figure of the number they write.
var tensWords = map[string]string{
	"twenty": "2", "thirty": "3", "forty": "4", "fifty": "5", "sixty": "6", "seventy": "7", "eighty": "8", "ninety": "9",
}

// fractionWords are the words after a hyphen that make a count in words
// before them a fraction.
var fractionWords = map[string]bool{
	"third": true, "thirds": true, "quarter": true, "quarters": true, "fifth": true, "fifths": true,
	"sixth": true, "sixths": true, "seventh": true, "sevenths": true, "eighth": true, "eighths": true,
	"ninth": true, "ninths": true, "tenth": true, "tenths": true, "twelfth": true, "twelfths": true,
}

// digitRuns returns the runs of digits of a text as figures reads them,
// each digit written as its ASCII digit and each separator between two
// digits as a point or a comma: a copy that writes a headline's
// full-width digits in ASCII ("震度４", "震度4"), or Persian digits and
// decimal separator in the Latin ones ("۵٫۲", "5.2"), has its figures.
func digitRuns(s string) []string {
	var out []string
	var run []byte
	prevDigit := false
	for i, r := range s {
		if d, ok := asciiDigit(r); ok {
			run = append(run, d)
			prevDigit = true
			continue
		}
		if sep := figureSeparator(r); sep != 0 && prevDigit {
			next, _ := utf8.DecodeRuneInString(s[i+utf8.RuneLen(r):])
			if _, ok := asciiDigit(next); ok {
				run = append(run, sep)
				prevDigit = false
				continue
			}
		}
		if len(run) > 0 {
			out = append(out, string(run))
			run = run[:0]
		}
		prevDigit = false
	}
	if len(run) > 0 {
		out = append(out, string(run))
	}
	return out
}

// asciiDigit returns the ASCII digit that r, a decimal digit of any
// script, writes.
func asciiDigit(r rune) (byte, bool) {
	if '0' <= r && r <= '9' {
		return byte(r), true
	}
	if r < utf8.RuneSelf || !unicode.IsDigit(r) {
		return 0, false
	}
	d, ok := otherDigits()[r]
	return d, ok
}

// otherDigits maps each decimal digit beyond ASCII to its ASCII digit:
// Unicode's Nd holds each script's zero to nine in a run of its own.
var otherDigits = sync.OnceValue(func() map[rune]byte {
	m := make(map[rune]byte)
	add := func(lo, hi, stride uint32) {
		for r := lo; r <= hi; r += stride {
			if r >= utf8.RuneSelf {
				m[rune(r)] = '0' + byte((r-lo)%10)
			}
		}
	}
	for _, rg := range unicode.Nd.R16 {
		add(uint32(rg.Lo), uint32(rg.Hi), uint32(rg.Stride))
	}
	for _, rg := range unicode.Nd.R32 {
		add(rg.Lo, rg.Hi, rg.Stride)
	}
	return m
})

// figureSeparator returns the point or comma that r writes between two
// digits of a figure ("4.9", "11,204", the full-width "４．９", the Arabic
// decimal and thousands separators "٤٫٩", "١١٬٢٠٤"), or 0.
func figureSeparator(r rune) byte {
	switch r {
	case '.', '．', '\u066B':
		return '.'
	case ',', '，', '\u066C':
		return ','
	}
	return 0
}

// intersect counts the values two sorted slices share.
func intersect(a, b []uint32) int {
	n, i, j := 0, 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] < b[j]:
			i++
		case a[i] > b[j]:
			j++
		default:
			n++
			i++
			j++
		}
	}
	return n
}

// DefaultThreshold is the similarity at or above which an item joins a
// story when the configuration does not say.
const DefaultThreshold = 0.33

// Kind names the signal that decided the score: "copy" when one text is a
// copy of the other, "rewrite" otherwise.
func (s Score) Kind() string {
	if s.copied() && s.Copy >= s.rewrite() {
		return "copy"
	}
	return "rewrite"
}

// StoryScore combines the scores of an item against each member of a story,
// and its cosine with the story's Profile (already discounted for time),
// into the item's similarity to the story, and returns the index of the
// member that decided it (-1 for no scores). same[i] tells whether member i
// comes from the item's own source.
//
// A copy of any member belongs to the story. Otherwise the item is compared
// with the story as a whole, its centroid: terms that several outlets
// agree on add up there while each outlet's own wording is diluted, so a
// report that shares the story's core joins it even when it resembles each
// member a little less, and a chain of small resemblances (one member
// each) does not. The centroid counts for at most maxCentroidGain times the
// best member's score. The cosine with the centroid is the average cosine
// with the members times n/|P| for n members summing to P, and n/|P| grows
// as √n when the members agree on nothing: unbounded, a story that took one
// stray report would take the next more easily, and grow without end on
// what the texts of one field have in common. A story that already has a
// report from the item's source takes no rewrite from it, as an outlet's
// second report on an event is a follow-up or another angle, not the same
// report, unless the two are one report in two forms (oneReportGap).
// Neither rule holds back a rewrite that scores strongRewrite
// against a member of another source: that close, it is the same report
// reworded (an article spinner's synonyms, say), and a site that re-posts
// several of one story's reports is not an outlet following up its own.
func StoryScore(scores []Score, same []bool, centroid float64) (float64, int) {
	if len(scores) == 0 {
		return 0, -1
	}
	best, own := 0, false
	for i, s := range scores {
		if s.Value > scores[best].Value {
			best = i
		}
		own = own || i < len(same) && same[i]
	}
	if scores[best].Kind() == "copy" {
		return scores[best].Value, best
	}
	if v := scores[best].Value; v >= strongRewrite && !same[best] {
		return v, best
	}
	if own && !oneReport(scores[best], same[best]) {
		return 0, best
	}
	return min(centroid, maxCentroidGain*scores[best].Value), best
}

// An outlet's two items on one event, at most oneReportGap apart and
// under headlines that share at least oneReportTitle of the shorter's
// weighted words, are one report in two forms (an article and its video,
// a flash and the full story): a follow-up, a reaction or another angle
// comes hours later, or under a headline of its own. A rewrite whose
// closest member in the story is such an item of its own source is scored
// like one of another source's. At two or three hours apart the labelled
// corpus joins an outlet's follow-ups too, and without the headlines'
// agreeing, other reports of one outlet beside scraper copies. Two forms
// of one report also name the same people, places and figures: of the
// two items' names, at least oneReportNames of the fewer are in the
// other, where an outlet's two reports of two events of one kind under
// one template ("Man charged over Leeds stabbing", "Man charged over
// Leeds shooting") share the town, the police force and the court, but
// not the people charged or hurt.
const (
	oneReportGap   = time.Hour
	oneReportTitle = 0.5
	oneReportNames = 2.0 / 3
)

// oneReport reports whether s scores an item against another of its own
// source (same) that is one report with it in another form.
func oneReport(s Score, same bool) bool {
	return same && !s.Distinct && s.Apart <= oneReportGap && s.Title >= oneReportTitle &&
		(!s.Named || s.Entity >= oneReportNames)
}

// strongRewrite is the score against one member of another source at which
// a rewrite joins its story whatever the story's centroid, and whatever
// other reports of the item's own source it holds, say.
const strongRewrite = 0.6

// maxCentroidGain bounds what a story's centroid adds to an item's best
// score against one of its members. Every join of the labelled corpus
// stays within it. On the bench's generated feeds, whose texts share one
// small vocabulary, stories grew by taking unrelated items into their
// centroids: at 2,000 feeds the pair precision against the generator was
// 0.44 with the centroid bounded by 1.5 times the members' average cosine
// instead, and 0.58 with this bound.
const maxCentroidGain = 1.2
