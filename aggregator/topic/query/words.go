package query

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// Words splits s into the words phrase matching compares, in order.
//
// A word is a run of letters, digits and combining marks, in the form Fold
// gives it: compatibility forms are their plain letters ("ＴＡＩＷＡＮ" and
// "ﬁnance" are "taiwan" and "finance"), a precomposed "é" equals "e"
// followed by U+0301, and case is folded fully ("Σ" and "ς" compare equal,
// "Straße" is "strasse"). Accents stay: "Zürich" is not "Zurich".
// Everything else separates words: spaces, punctuation, symbols ("Apple™"
// is "apple"), hyphens ("China-US" is "china", "us") and dots ("U.S." is
// "u", "s"). An apostrophe between two letters stays in the word
// ("o'brien", "don't"), and a possessive "'s" is dropped, so "Jinping's" is
// the word "jinping". Han, Hiragana and Katakana, written without spaces,
// make one word of each character, so a phrase of such characters matches
// anywhere inside a run of them.
func Words(s string) []string {
	sc := getScratch()
	defer putScratch(sc)
	sc.tokenise(s)
	out := make([]string, sc.len())
	for i := range out {
		out[i] = string(sc.word(i))
	}
	return out
}

// Prefix marks a word of a phrase as a prefix: "econom*" in a phrase is the
// word "econom" + Prefix, and matches "economy", "economic" and "econom".
const Prefix = "*"

// minPrefix is the fewest characters a prefix may have: a shorter one
// matches too many words to mean anything.
const minPrefix = 3

// Phrase returns the words of a phrase rule: the words of s as Words splits
// them, where a word written with a "*" at its end ("econom*", "prime
// minist*") is a prefix and comes back with Prefix appended. A "*" that does
// not end a word, a prefix of fewer than three characters and a phrase
// without letters or digits are errors.
func Phrase(s string) ([]string, error) {
	if !strings.Contains(s, Prefix) {
		words := Words(s)
		if len(words) == 0 {
			return nil, errors.New("no letters or digits")
		}
		return words, nil
	}
	prefix := map[int]bool{} // word index -> the word is a prefix
	for i := 0; i < len(s); i++ {
		if s[i] != '*' {
			continue
		}
		before, _ := utf8.DecodeLastRuneInString(s[:i])
		after, _ := utf8.DecodeRuneInString(s[i+1:])
		if i == 0 || !isWordRune(before) || i+1 < len(s) && isWordRune(after) {
			return nil, errors.New("a * must end a word, as in econom*")
		}
		prefix[len(Words(s[:i]))-1] = true
	}
	words := Words(s)
	for i, w := range words {
		if !prefix[i] {
			continue
		}
		if utf8.RuneCountInString(w) < minPrefix {
			return nil, fmt.Errorf("the prefix %s* is shorter than %d characters", w, minPrefix)
		}
		words[i] = w + Prefix
	}
	return words, nil
}

// word is one word of a phrase as Index compares it.
type word struct {
	text   string // without Prefix
	prefix bool   // matches any word that starts with text
}

func (w word) matches(b []byte) bool {
	if w.prefix {
		return len(b) >= len(w.text) && string(b[:len(w.text)]) == w.text
	}
	return string(b) == w.text
}

// scratch holds one tokenised text: every word's bytes, concatenated, and
// where each word ends.
type scratch struct {
	buf  []byte
	ends []int
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

func getScratch() *scratch { return scratchPool.Get().(*scratch) }

func putScratch(sc *scratch) {
	if cap(sc.buf) > 1<<20 { // do not keep one huge story's buffer forever
		return
	}
	scratchPool.Put(sc)
}

func (sc *scratch) len() int { return len(sc.ends) }

func (sc *scratch) word(i int) []byte {
	start := 0
	if i > 0 {
		start = sc.ends[i-1]
	}
	return sc.buf[start:sc.ends[i]]
}

// tokenise replaces the scratch's words with those of s.
func (sc *scratch) tokenise(s string) {
	sc.buf, sc.ends = sc.buf[:0], sc.ends[:0]
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, " ") // norm would pass the bytes after an invalid one through unnormalised
	}
	s = norm.NFC.String(s) // returns s itself, without copying, when already NFC
	if hasWordBeyondASCII(s) {
		s = foldWords(s)
	}
	inWord := false
	endWord := func() {
		if !inWord {
			return
		}
		inWord = false
		start := 0
		if n := len(sc.ends); n > 0 {
			start = sc.ends[n-1]
		}
		// A possessive "'s" belongs to the word before it.
		for len(sc.buf)-start > 2 && sc.buf[len(sc.buf)-1] == 's' && sc.buf[len(sc.buf)-2] == '\'' {
			sc.buf = sc.buf[:len(sc.buf)-2]
		}
		sc.ends = append(sc.ends, len(sc.buf))
	}
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf && c != '\'' { // the common case, ASCII, first
			i++
			switch {
			case 'a' <= c && c <= 'z' || '0' <= c && c <= '9':
				sc.buf = append(sc.buf, c)
				inWord = true
			case 'A' <= c && c <= 'Z':
				sc.buf = append(sc.buf, c+'a'-'A')
				inWord = true
			default:
				endWord()
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case isSolo(r):
			endWord()
			sc.buf = utf8.AppendRune(sc.buf, fold(r))
			// Marks that follow (for example a voiced sound mark) stay with it.
			for i < len(s) {
				m, msize := utf8.DecodeRuneInString(s[i:])
				if !unicode.IsMark(m) {
					break
				}
				sc.buf = utf8.AppendRune(sc.buf, m)
				i += msize
			}
			inWord = true
			endWord()
		case isWordRune(r):
			sc.buf = utf8.AppendRune(sc.buf, fold(r))
			inWord = true
		case inWord && isApostrophe(r):
			// Inside a word only when a letter or digit follows.
			if i < len(s) {
				next, _ := utf8.DecodeRuneInString(s[i:])
				if isWordRune(next) && !isSolo(next) {
					sc.buf = append(sc.buf, '\'')
					continue
				}
			}
			endWord()
		default:
			endWord()
		}
	}
	endWord()
}

func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	}
	return unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.IsMark(r)
}

// isSolo reports whether r is from a script written without spaces between
// words, where each character is taken as a word of its own.
func isSolo(r rune) bool {
	return r >= 0x2E80 && unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana)
}

func isApostrophe(r rune) bool {
	return r == '\'' || r == '\u2019' || r == '\u02BC' || r == '\uFF07'
}

// Fold returns s in the form Words compares words in and categories are
// compared in: Unicode NFKC normalisation, so that fullwidth letters,
// ligatures, superscripts and other compatibility forms are their plain
// letters and digits and decomposed accents are composed, and full case
// folding, so that "ß" is "ss" and "Σ", "σ" and "ς" are one letter. The
// dotted and dotless "i" of Turkish both fold to "i", as "I" does. Fold
// returns s itself, without copying, when it is ASCII without capitals.
func Fold(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if norm.NFKC.QuickSpanString(s) < len(s) {
		s = norm.NFKC.String(s)
	}
	return foldNormal(s)
}

// FoldLabel is the form labels are compared in, feed categories and story
// tags: folded as words are (Fold), so that "ＴＥＣＨ" equals "Tech" and "Σ"
// equals "ς", trimmed, and each run of white space one space.
func FoldLabel(s string) string {
	s = Fold(s)
	if !oneSpaced(s) {
		s = strings.Join(strings.Fields(s), " ")
	}
	return s
}

// oneSpaced reports whether s has no space at its ends, none after another
// and none but U+0020: whether its fields joined by spaces are s itself.
func oneSpaced(s string) bool {
	return !strings.HasPrefix(s, " ") && !strings.HasSuffix(s, " ") && !strings.Contains(s, "  ") &&
		!strings.ContainsFunc(s, func(r rune) bool { return r != ' ' && unicode.IsSpace(r) })
}

// foldWords is Fold for text in NFC to be split into words, except that
// it leaves to the splitting the case folding that goes rune by rune (see
// foldsByRune). A symbol or other separator whose compatibility form has
// letters ("™" is "TM", "℃" is "°C") becomes a space first, so that it
// separates words as it does in text that is not folded: "Apple™" is the
// word "apple", not "appletm". NFC before, so that a mark after a symbol
// has composed with it (U+00A8 + U+0301 is the symbol U+0385) rather than
// being left a word of its own.
func foldWords(s string) string {
	if norm.NFKC.QuickSpanString(s) < len(s) {
		s = norm.NFKC.String(spaceSymbols(s))
	}
	if foldsByRune(s) {
		return s
	}
	return foldNormal(s)
}

// foldsByRune reports whether folding s, which is NFKC, rune by rune with
// fold gives what Fold gives: whether s has neither a mark, with which a
// folded letter before it could compose, nor a letter that folds to more
// than one (see expand). Most text beyond ASCII has neither.
func foldsByRune(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < utf8.RuneSelf {
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == 'ß' || r == 'ẞ' || greekExtended <= r && r <= greekExtendedEnd || unicode.IsMark(r) {
			return false
		}
		i += size - 1
	}
	return true
}

// foldNormal folds the case of s, which is NFKC, and normalises again:
// folding can leave a sequence that composes ("J" + U+030C folds to
// "j" + U+030C, which is "ǰ"), and the folded form of a folded text must
// be itself.
func foldNormal(s string) string {
	var b strings.Builder
	done := 0 // s[:done] is in b, once b is in use
	flush := func(i int) {
		if b.Cap() == 0 {
			b.Grow(len(s) + utf8.UTFMax)
		}
		b.WriteString(s[done:i])
	}
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				flush(i)
				b.WriteByte(c + 'a' - 'A')
				done = i + 1
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		f := fold(r)
		if full, ok := expand(f); ok {
			flush(i)
			b.WriteString(full)
			done = i + size
		} else if f != r {
			flush(i)
			b.WriteRune(f)
			done = i + size
		}
		i += size
	}
	if b.Cap() == 0 {
		return s // nothing to fold
	}
	b.WriteString(s[done:])
	return norm.NFKC.String(b.String())
}

// spaceSymbols replaces each rune of s beyond ASCII that is neither part of
// a word nor an apostrophe, and that NFKC decomposes, with a space.
func spaceSymbols(s string) string {
	var b strings.Builder
	for i, r := range s {
		sym := r >= utf8.RuneSelf && !isWordRune(r) && !isSolo(r) && !isApostrophe(r) &&
			norm.NFKC.PropertiesString(s[i:]).Decomposition() != nil
		switch {
		case sym && b.Cap() == 0:
			b.Grow(len(s))
			b.WriteString(s[:i])
			b.WriteByte(' ')
		case sym:
			b.WriteByte(' ')
		case b.Cap() > 0:
			b.WriteRune(r)
		}
	}
	if b.Cap() == 0 {
		return s
	}
	return b.String()
}

// expand returns the full case folding of f, a rune in its simple folded
// form (see fold), when that is more than one letter: "ß" is "ss", and a
// Greek vowel with a ypogegrammeni (iota subscript) is the vowel and "ι".
// The other letters that full case folding expands (ligatures such as "ﬁ",
// "ŉ") are compatibility forms, which NFKC has expanded before.
func expand(f rune) (string, bool) {
	if f != 'ß' && (f < greekExtended || f > greekExtendedEnd) {
		return "", false
	}
	full, ok := fullFold[f]
	return full, ok
}

const greekExtended, greekExtendedEnd = 0x1F00, 0x1FFF

// fullFold is expand's table, made with the full case folding of x/text.
var fullFold = func() map[rune]string {
	m := make(map[rune]string)
	c := cases.Fold()
	add := func(r rune) {
		f := fold(r)
		if full := norm.NFKC.String(c.String(string(f))); utf8.RuneCountInString(full) > 1 {
			m[f] = strings.Map(fold, full)
		}
	}
	add('ß')
	for r := rune(greekExtended); r <= greekExtendedEnd; r++ {
		add(r)
	}
	return m
}()

// fold maps r to the one form its upper and lower cases share.
func fold(r rune) rune {
	if r < utf8.RuneSelf {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}
	return unicode.ToLower(unicode.ToUpper(r))
}

// Index finds many phrases in a text in one pass: each text is split into
// words once, and a phrase is looked up by its first word. An Index is built
// with Add and then only read, so one Index may be used by many goroutines.
type Index struct {
	phrases [][]word
	ids     map[string]int     // phrase words joined by a space -> id
	first   map[string][]int32 // first word -> ids of the phrases that start with it
	// Phrases that start with a prefix, by that prefix, and the lengths in
	// bytes of those prefixes, shortest first: a text's word is looked up
	// once for each length.
	firstPrefix map[string][]int32
	prefixLens  []int
}

// NewIndex returns an empty Index.
func NewIndex() *Index {
	return &Index{ids: make(map[string]int), first: make(map[string][]int32), firstPrefix: make(map[string][]int32)}
}

// Add adds the phrase made of words (as returned by Words or Phrase) and
// returns its id, the same id for the same words. It returns -1 for an
// empty phrase, which never matches.
func (x *Index) Add(words []string) int {
	if len(words) == 0 {
		return -1
	}
	key := strings.Join(words, " ")
	if id, ok := x.ids[key]; ok {
		return id
	}
	id := len(x.phrases)
	p := make([]word, len(words))
	for i, w := range words {
		text, prefix := strings.CutSuffix(w, Prefix)
		p[i] = word{text: text, prefix: prefix}
	}
	x.phrases = append(x.phrases, p)
	x.ids[key] = id
	if p[0].prefix {
		x.firstPrefix[p[0].text] = append(x.firstPrefix[p[0].text], int32(id))
		if n := len(p[0].text); !slices.Contains(x.prefixLens, n) {
			x.prefixLens = append(x.prefixLens, n)
			slices.Sort(x.prefixLens)
		}
	} else {
		x.first[p[0].text] = append(x.first[p[0].text], int32(id))
	}
	return id
}

// Len returns the number of distinct phrases added.
func (x *Index) Len() int { return len(x.phrases) }

// Find sets found[id] for every phrase that appears in one of fields. A
// phrase matches whole words, in order, within one field: it never spans two
// fields. found must have at least Len elements; entries already true stay so.
func (x *Index) Find(found []bool, fields []string) {
	if len(x.phrases) == 0 {
		return
	}
	sc := getScratch()
	defer putScratch(sc)
	for _, f := range fields {
		sc.tokenise(f)
		x.findIn(sc, found)
	}
}

func (x *Index) findIn(sc *scratch, found []bool) {
	n := sc.len()
	start := 0
	for i := 0; i < n; i++ {
		end := sc.ends[i]
		w := sc.buf[start:end]
		start = end
		x.findAt(sc, i, x.first[string(w)], found) // no allocation for the lookup
		for _, l := range x.prefixLens {
			if l > len(w) {
				break
			}
			x.findAt(sc, i, x.firstPrefix[string(w[:l])], found)
		}
	}
}

// findAt sets found for each of the phrases ids whose first word matched
// word i of sc and whose other words follow it there.
func (x *Index) findAt(sc *scratch, i int, ids []int32, found []bool) {
	for _, id := range ids {
		if found[id] {
			continue
		}
		p := x.phrases[id]
		if i+len(p) > sc.len() {
			continue
		}
		ok := true
		for j := 1; j < len(p); j++ {
			if !p[j].matches(sc.word(i + j)) {
				ok = false
				break
			}
		}
		if ok {
			found[id] = true
		}
	}
}

// hasWordBeyondASCII reports whether s has a letter, digit or mark beyond
// ASCII, or a character that makes a word of its own (isSolo): only those
// fold to another form, and only a mark composes with what comes before
// it. Curly quotes and dashes, which most English text has, change nothing.
func hasWordBeyondASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < utf8.RuneSelf {
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if isWordRune(r) || isSolo(r) {
			return true
		}
		i += size - 1
	}
	return false
}
