package query

import (
	"bytes"
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
// "Straße" is "strasse"). Accents stay: "Zürich" is not "Zurich" (though a
// phrase that writes a Latin word without them matches it with them; see
// Index).
// Everything else separates words: spaces, punctuation, symbols ("Apple™"
// is "apple"), hyphens ("China-US" is "china", "us") and dots ("3.5" is
// "3", "5"), except that single letters joined by stops are one word
// ("U.S." is "us", "a.m." is "am"), and a soft hyphen or a joiner inside a
// word is left out ("Wash\u00ADington" is "washington"). The zero-width
// non-joiner that Persian writes inside words separates them as a hyphen
// does ("می\u200Cخواهد" is "مي", "خواهد"; see Index), as does a
// zero-width space ("Bundes\u200Bregierung"), and so does a digit
// before an Arabic letter: "٢٠٢٦م", a year and the letter of its era, is
// "2026", "م". An apostrophe between two letters stays in the word
// ("o'brien", "don't"; the modifier letter U+02BC that Ukrainian writes,
// "пʼять", is the apostrophe "п'ять"), except after an elided French or Italian article or
// preposition, which is a word of its own ("l'Europe" is "l", "europe"),
// and a possessive "'s" is dropped, so "Jinping's" is the word "jinping". Han, Hiragana and Katakana, and
// Thai, Lao, Khmer and Myanmar, written without spaces, make one word of
// each character (a letter with the marks that follow it), so a phrase of
// such characters matches anywhere inside a run of them. Greek accents,
// the diaeresis of the Russian "ё" and Arabic and Hebrew vowel points are
// left out, and the forms of the Arabic alef, yeh and kaf are one (see
// Fold).
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

// Version numbers the way phrases match text. It changes when the same
// rules come to match other text, so that a store can tell that its
// stories' topics, decided under an earlier version, must be decided
// again. Version 2: a phrase does not span the end of a sentence, "U.S."
// is the word "us", an acronym in capitals is not the word in small
// letters, and "C++" and "C#" are not "C". Version 3: a Latin word written
// without accents matches the word with them, an acronym that is a common
// word too matches only capitals, and words joined by a hyphen match the
// word they make ("e-mail" and "email"). Version 4: an elided French or
// Italian article or preposition is a word of its own ("l'Europe").
// Version 5: the text a story is tested on leaves out the lines its
// sources print under every item (ingest.StoryText).
// Also in version 5: Thai, Lao, Khmer and Burmese letters are words of their own,
// as Han and Kana are; a word of Hangul matches the words that start with
// it ("서울" finds "서울에서"); Greek is compared without its accents
// ("Αθήνα" finds "ΑΘΗΝΑ"), Russian "ё" as "е", and Arabic and Hebrew
// without their vowel points. Version 6: a Turkish name with its ending
// after an apostrophe is the name too ("İstanbul" finds "İstanbul'da").
// Version 7: the ideographic comma and the katakana middle dot separate
// the parts of a feed category, as a comma does ("政治・経済"). Version 8:
// the Arabic alef is one letter with a hamza or madda or without ("أحمد"
// finds "احمد"), and Persian and Arabic "ی" and "ي", "ک" and "ك" are one;
// a soft hyphen or a joiner inside a word is left out ("Wash\u00ADington"
// is "washington"); an Arabic or Hebrew word with a particle written on it
// is the word too ("القاهرة" finds "بالقاهرة", "ירושלים" "בירושלים");
// Hindi is compared without the nukta, and with the candrabindu and a
// nasal with a virama as the anusvara ("हिंदी" finds "हिन्दी"); a phrase
// does not span the Hindi danda, the Arabic question mark and semicolon or
// the other scripts' stops ("भारत। सरकार"); a digit of any script is its
// ASCII digit ("٢٠٢٦" is "2026"); and a fullwidth "＊" makes a prefix.
// Version 9: the zero-width non-joiner joins the parts of a Persian word
// as a hyphen joins two words ("می\u200Cخواهد" finds "میخواهد", and the
// other way round), the Arabic letter of an era after a year is a word of
// its own ("2026" finds "٢٠٢٦م"), and single guillemets quote a phrase in
// a query ("‹Conseil fédéral›", "›Neue Zürcher‹"). Version 10: a
// zero-width space inside a word joins its parts as a hyphen does
// ("Bundesregierung" finds "Bundes\u200Bregierung"). Version 11: the
// modifier letter apostrophe that Ukrainian writes (U+02BC) is an
// apostrophe ("п'ять" finds "пʼять").
const Version = 11

// Prefix marks a word of a phrase as a prefix: "econom*" in a phrase is the
// word "econom" + Prefix, and matches "economy", "economic" and "econom".
const Prefix = "*"

// Break marks a word of a phrase that a sentence may end before: in the
// phrase "Yahoo! Japan" the word "japan" is Break + "japan". Elsewhere a
// phrase does not span the end of a sentence.
const Break = "."

// Join marks a word of a phrase joined to the word before it by a hyphen:
// in the phrase "e-mail" the word "mail" is Join + "mail". Such a pair
// matches the two words, and the one word they make ("email").
const Join = "-"

// minPrefix is the fewest characters a prefix may have: a shorter one
// matches too many words to mean anything.
const minPrefix = 3

// Phrase returns the words of a phrase rule: the words of s as Words splits
// them, each written as the rule means it. A word written with a "*" at its
// end ("econom*", "prime minist*") is a prefix and comes back with Prefix
// appended. A word of two to four letters written in capitals, an acronym
// ("US", "WHO", "U.S."), comes back in capitals: it does not match the word
// written in small letters ("us", "who"), though it matches it in any other
// case ("Nato" for "NATO") unless it is a common word too ("Us" is not
// "US", nor "It" "IT"). A word written with "+", "++" or "#" at its end ("C++", "C#") keeps it, and
// matches only the word that has it. A word after the end of a sentence
// ("Yahoo! Japan") comes back with Break before it, and a word joined to
// the one before it by a hyphen ("e-mail") with Join. A "*" that does not end
// a word, a prefix of fewer than three characters and a phrase without
// letters or digits are errors. The fullwidth "＊" that Chinese and
// Japanese input methods type is a "*".
func Phrase(s string) ([]string, error) {
	s = strings.ReplaceAll(s, "＊", Prefix)
	prefix := map[int]bool{} // word index -> the word is a prefix
	if strings.Contains(s, Prefix) {
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
	}
	sc := getScratch()
	defer putScratch(sc)
	sc.tokenise(s)
	if sc.len() == 0 {
		return nil, errors.New("no letters or digits")
	}
	words := make([]string, sc.len())
	for i := range words {
		w, m := string(sc.word(i)), sc.marks[i]
		if prefix[i] && utf8.RuneCountInString(w) < minPrefix {
			return nil, fmt.Errorf("the prefix %s* is shorter than %d characters", w, minPrefix)
		}
		if m&markCapital != 0 && !prefix[i] {
			w = strings.ToUpper(w)
		}
		if m&markBreak != 0 {
			w = Break + w
		}
		if m&markJoined != 0 {
			w = Join + w
		}
		w += tailText[m.tail()]
		if prefix[i] {
			w += Prefix
		}
		words[i] = w
	}
	return words, nil
}

// word is one word of a phrase as Index compares it.
type word struct {
	text    string // folded, without Prefix, Break or a tail
	prefix  bool   // matches any word that starts with text
	capital bool   // does not match the word written without capitals
	common  bool   // an acronym that is a common word too ("IT", "WHO"): matches only capitals
	breaks  bool   // may follow the end of a sentence
	joined  bool   // joined to the word before it by a hyphen
	tail    mark   // the word must end so; tailNone: any way
	bare    bool   // written without accents: matches a Latin word with them too
}

// parseWord returns the word that w, a word returned by Phrase or Words,
// stands for.
func parseWord(w string) word {
	var p word
	w, p.joined = strings.CutPrefix(w, Join)
	w, p.breaks = strings.CutPrefix(w, Break)
	w, p.prefix = strings.CutSuffix(w, Prefix)
	for t := tailHash; t > tailNone; t-- {
		if rest, ok := strings.CutSuffix(w, tailText[t]); ok {
			w, p.tail = rest, t
			break
		}
	}
	p.capital = strings.ToLower(w) != w
	p.text = Fold(w)
	p.prefix = p.prefix || hangulWord(p.text)
	p.common = p.capital && commonWords[p.text]
	_, accented := appendBareLatin(nil, []byte(p.text))
	p.bare = !accented
	return p
}

// matches reports whether the word w of a text, with its mark m and its
// form without accents bare (nil when it has none to take off), is p: as
// it stands, or without a Turkish ending after an apostrophe (cutSuffix).
func (p word) matches(w, bare []byte, m mark) bool {
	if p.matchesForm(w, bare, m) {
		return true
	}
	stem, ok := cutSuffix(w)
	if !ok {
		return false
	}
	bareStem, _ := cutSuffix(bare)
	return p.matchesForm(stem, bareStem, m)
}

// turkishSuffixes are the endings Turkish writes after an apostrophe on a
// name, folded as words are ("ı" is "i"): its cases, plural, possessive
// and copula in each of their forms ("İstanbul'da", "Erdoğan'ın",
// "Türkiye'nin", "NATO'ya", "AB'ye", "Ankara'daki").
var turkishSuffixes = func() map[string]bool {
	m := make(map[string]bool)
	for _, s := range strings.Fields(`a e ya ye ı i u ü yı yi yu yü da de ta te dan den tan ten
		ın in un ün nın nin nun nün la le yla yle daki deki taki teki lar ler ları leri lara lere
		larda lerde lardan lerden ların lerin larla lerle sı si su sü na ne nda nde ndan nden nı ni
		nu nü dır dir dur dür tır tir tur tür ca ce ça çe lı li lu lü`) {
		m[Fold(s)] = true
	}
	return m
}()

// cutSuffix returns w, a folded word, without the Turkish ending that
// follows its apostrophe ("istanbul'da" is "istanbul"), and whether it had
// one. Other words with an apostrophe are whole words: "o'brien" is not
// "o" and "brien", nor "don't" "don".
func cutSuffix(w []byte) ([]byte, bool) {
	i := bytes.IndexByte(w, '\'')
	if i <= 0 || !turkishSuffixes[string(w[i+1:])] {
		return nil, false
	}
	return w[:i], true
}

// matchesForm is matches for one form of the text's word.
func (p word) matchesForm(w, bare []byte, m mark) bool {
	switch {
	case p.capital && m&markLower != 0, p.common && m&markCapital == 0:
		return false
	case p.tail != tailNone && m.tail() != p.tail:
		return false
	case p.prefix:
		return len(w) >= len(p.text) && string(w[:len(p.text)]) == p.text ||
			p.bare && len(bare) >= len(p.text) && string(bare[:len(p.text)]) == p.text
	}
	return string(w) == p.text || p.bare && bare != nil && string(bare) == p.text
}

// appendBareLatin appends w, a folded word in NFC, to dst without the
// accents of its Latin letters ("zürich" is "zurich", "são" is "sao"), and
// reports whether it had any. Only accents on Latin letters go: a letter of
// its own, such as "ø" or "ł", stays, and so does every mark in other
// scripts, where a mark may be a vowel that tells two words apart.
func appendBareLatin(dst, w []byte) ([]byte, bool) {
	changed, latin := false, false
	bases := latinBases()
	for i := 0; i < len(w); {
		c := w[i]
		if c < utf8.RuneSelf {
			dst = append(dst, c)
			latin = isASCIILetter(c)
			i++
			continue
		}
		r, size := utf8.DecodeRune(w[i:])
		i += size
		switch {
		case bases[r] != 0:
			dst = utf8.AppendRune(dst, bases[r])
			latin, changed = true, true
		case unicode.Is(unicode.Mn, r) && latin:
			changed = true // a mark with no precomposed letter, after a Latin one
		default:
			dst = utf8.AppendRune(dst, r)
			latin = unicode.Is(unicode.Latin, r)
		}
	}
	return dst, changed
}

// latinBases maps each precomposed Latin letter with accents to its letter
// without them, as Unicode decomposes it: "ü" to "u", "ǖ" to "u", "ệ" to
// "e". Letters of their own ("ø", "ł", "ß") are not in it.
var latinBases = sync.OnceValue(func() map[rune]rune {
	bases := make(map[rune]rune)
	for _, block := range [][2]rune{{0x00C0, 0x024F}, {0x1E00, 0x1EFF}} {
		for r := block[0]; r <= block[1]; r++ {
			d := []rune(norm.NFD.String(string(r)))
			if len(d) < 2 || !unicode.Is(unicode.Latin, d[0]) {
				continue
			}
			marks := true
			for _, m := range d[1:] {
				marks = marks && unicode.Is(unicode.Mn, m)
			}
			if marks {
				bases[r] = d[0]
			}
		}
	}
	return bases
})

// scratch holds one tokenised text: every word's bytes, concatenated, where
// each word ends, and what the text said around each word (its marks).
type scratch struct {
	buf   []byte
	ends  []int
	marks []mark
	// Each word without the accents of its Latin letters, end to end, and
	// where each ends (Index.findIn): a word without any has none.
	bareBuf  []byte
	bareEnds []int
	hasBare  bool   // a word may have accents to take off: bareEnds holds each word's end
	joined   []byte // two words joined by a hyphen, as one (Index.findIn)
	stem     []byte // a word without its Arabic particle, its article restored (Index.findFrom)
}

// mark is what a word's letters alone do not say: whether it was written
// in capitals, whether a sentence ended before it, and the "+" or "#" that
// ended it ("C++", "C#").
type mark uint8

const (
	markLower   mark = 1 << iota // written without a capital letter ("us", not "US" or "Us")
	markCapital                  // written in capitals, two to maxAcronym, and no small letter ("US", "U.S.")
	markBreak                    // a sentence ended between the word before and this one
	markTail0                    // two bits: the word's tail (tailPlus, tailPlusPlus, tailHash)
	markTail1
	markJoined // joined to the word before it by a hyphen, without a space ("e-mail")
)

// Tails: what a word may carry at its end, without a space, that makes it
// another word: "C++" is not "C", nor "C#".
const (
	tailNone mark = iota
	tailPlus
	tailPlusPlus
	tailHash
)

// commonWords are English words of two to four letters that an acronym in
// capitals spells too: a rule's "IT", "WHO" or "US" matches them only
// written in capitals, not "It is…" or "Who said…" at the start of a
// sentence, while "NATO" matches "Nato".
var commonWords = map[string]bool{
	"am": true, "an": true, "as": true, "at": true, "be": true, "by": true, "do": true, "go": true,
	"he": true, "if": true, "in": true, "is": true, "it": true, "me": true, "my": true, "no": true,
	"of": true, "oh": true, "on": true, "or": true, "so": true, "to": true, "up": true, "us": true,
	"we": true, "all": true, "and": true, "any": true, "are": true, "but": true, "can": true,
	"did": true, "for": true, "had": true, "has": true, "her": true, "him": true, "his": true,
	"how": true, "its": true, "may": true, "nor": true, "not": true, "now": true, "off": true,
	"our": true, "out": true, "she": true, "the": true, "too": true, "was": true, "who": true,
	"why": true, "yes": true, "you": true, "also": true, "been": true, "does": true, "from": true,
	"have": true, "here": true, "into": true, "just": true, "more": true, "most": true, "much": true,
	"must": true, "only": true, "over": true, "said": true, "same": true, "some": true, "such": true,
	"than": true, "that": true, "them": true, "then": true, "they": true, "this": true, "very": true,
	"were": true, "what": true, "when": true, "whom": true, "will": true, "with": true, "your": true,
}

// maxAcronym is the most capitals a word of a phrase may have to be taken
// as an acronym that may not match the word in small letters: those that
// are words too ("US", "WHO", "IT", "AIDS") are short, and a longer word in
// capitals ("COVID", "TAIWAN") is meant in any case.
const maxAcronym = 4

var tailText = [...]string{tailNone: "", tailPlus: "+", tailPlusPlus: "++", tailHash: "#"}

func (m mark) tail() mark { return m >> 3 & 3 }

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

func getScratch() *scratch { return scratchPool.Get().(*scratch) }

func putScratch(sc *scratch) {
	if cap(sc.buf) > 1<<20 { // do not keep one huge story's buffer forever
		return
	}
	scratchPool.Put(sc)
}

func (sc *scratch) len() int { return len(sc.ends) }

// bareWord returns word i without the accents of its Latin letters, or nil
// when it has none.
func (sc *scratch) bareWord(i int) []byte {
	if !sc.hasBare {
		return nil
	}
	start := 0
	if i > 0 {
		start = sc.bareEnds[i-1]
	}
	if start == sc.bareEnds[i] {
		return nil
	}
	return sc.bareBuf[start:sc.bareEnds[i]]
}

func (sc *scratch) word(i int) []byte {
	start := 0
	if i > 0 {
		start = sc.ends[i-1]
	}
	return sc.buf[start:sc.ends[i]]
}

// abbreviations are the words that a full stop follows without ending a
// sentence ("Mr. Smith", "St. Louis", "Jan. 6"), as Words folds them. A
// single letter ("J. K. Rowling") and letters joined by stops ("U.S.") are
// abbreviations too.
var abbreviations = map[string]bool{
	"mr": true, "mrs": true, "ms": true, "dr": true, "st": true, "jr": true, "sr": true, "prof": true,
	"gen": true, "sen": true, "rep": true, "gov": true, "lt": true, "col": true, "sgt": true, "capt": true,
	"cmdr": true, "adm": true, "maj": true, "rev": true, "hon": true, "pres": true, "supt": true, "insp": true,
	"no": true, "nos": true, "vs": true, "etc": true, "inc": true, "ltd": true, "co": true, "corp": true,
	"bros": true, "mt": true, "ft": true, "ave": true, "approx": true, "dept": true, "est": true, "fig": true,
	"jan": true, "feb": true, "mar": true, "apr": true, "jun": true, "jul": true, "aug": true, "sep": true,
	"sept": true, "oct": true, "nov": true, "dec": true,
}

// endsSentence reports whether the punctuation that ends at s[i:] is
// followed by the end of the text, a space or a character of a script
// written without spaces, closing quotes and brackets between: "Taiwan.
// Security" ends a sentence, "U.S.-China" and "3.5" do not.
func endsSentence(s string, i int) bool {
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case unicode.IsSpace(r) || isSolo(r):
			return true
		case r == '"' || r == '\'' || r == ')' || r == ']' || r == '”' || r == '’' || r == '»':
			i += size
		default:
			return false
		}
	}
	return true
}

// isFullStop reports whether r, beyond ASCII, ends a sentence: the
// ideographic stop and the fullwidth forms that Chinese and Japanese write
// without a space after them, an ellipsis, and the stops of other scripts
// (stopsAnywhere).
func isFullStop(r rune) bool {
	switch r {
	case '。', '．', '！', '？', '；', '：', '…', '｡':
		return true
	}
	return stopsAnywhere(r)
}

// stopsAnywhere reports whether r ends a sentence wherever it stands, as
// no abbreviation or number uses it: the ideographic stop, the danda and
// double danda of Hindi and other Indic scripts, the Arabic question mark
// and semicolon, the Urdu full stop, and the full stops of Armenian,
// Ethiopic, Burmese and Khmer.
func stopsAnywhere(r rune) bool {
	switch r {
	case '。', '｡', '।', '॥', '؟', '؛', '۔', '։', '።', '။', '។':
		return true
	}
	return false
}

// tokenise replaces the scratch's words with those of s.
func (sc *scratch) tokenise(s string) {
	sc.buf, sc.ends, sc.marks = sc.buf[:0], sc.ends[:0], sc.marks[:0]
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, " ") // norm would pass the bytes after an invalid one through unnormalised
	}
	s = norm.NFC.String(s) // returns s itself, without copying, when already NFC
	caseKnown := true
	// Only a word beyond ASCII may have accents to take off (Index.findIn).
	sc.hasBare = hasWordBeyondASCII(s)
	if sc.hasBare {
		s, caseKnown = foldWords(s)
	}
	inWord := false
	pendingBreak := false
	pendingJoin := false // a hyphen ended the word before, and the next begins at once
	// The word being read: where it starts in buf, where its last segment
	// starts ("s" in "U.S"), its capitals and small letters, whether it is
	// letters joined by stops, and its tail.
	start, seg, capitals, small, dotted, tail := 0, 0, 0, 0, false, tailNone
	beginWord := func() {
		if inWord {
			return
		}
		inWord = true
		start = len(sc.buf)
		seg, capitals, small, dotted, tail = start, 0, 0, false, tailNone
	}
	endWord := func() {
		if !inWord {
			return
		}
		inWord = false
		// A possessive "'s" belongs to the word before it, with any accent
		// on its "s" (which the word's form without accents leaves off).
		for {
			end := len(sc.buf)
			last, n := utf8.DecodeLastRune(sc.buf[start:end])
			for end-n > start && unicode.Is(unicode.Mn, last) {
				end -= n
				last, n = utf8.DecodeLastRune(sc.buf[start:end])
			}
			end -= n
			if end-start < 2 || sc.buf[end-1] != '\'' || last != 's' && latinBases()[last] != 's' {
				break
			}
			sc.buf = sc.buf[:end-1]
			if small > 0 {
				small--
			} else {
				capitals--
			}
		}
		var m mark
		switch {
		case !caseKnown:
		case capitals == 0:
			m |= markLower
		case capitals >= 2 && capitals <= maxAcronym && small == 0:
			m |= markCapital
		}
		if pendingBreak && len(sc.ends) > 0 {
			m |= markBreak
		}
		if pendingJoin {
			m |= markJoined
		}
		pendingBreak, pendingJoin = false, false
		m |= tail << 3
		sc.ends = append(sc.ends, len(sc.buf))
		sc.marks = append(sc.marks, m)
	}
	// abbreviation reports whether the word being read, which a full stop
	// follows, is an abbreviation rather than the end of a sentence.
	abbreviation := func() bool {
		return dotted || oneLetter(sc.buf[start:]) || abbreviations[string(sc.buf[start:])]
	}
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf && c != '\'' { // the common case, ASCII, first
			i++
			if pendingJoin && !inWord && !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
				pendingJoin = false // a hyphen and then no word at once: "well- known"
			}
			switch {
			case 'a' <= c && c <= 'z' || '0' <= c && c <= '9':
				beginWord()
				sc.buf = append(sc.buf, c)
				if c >= 'a' {
					small++
				}
			case 'A' <= c && c <= 'Z':
				beginWord()
				sc.buf = append(sc.buf, c+'a'-'A')
				capitals++
			case c == '.' && inWord && len(sc.buf)-seg == 1 && isASCIILetter(sc.buf[seg]) &&
				i+1 < len(s) && isASCIILetter(s[i]) && s[i+1] == '.':
				// Letters joined by stops are one word: "U.S." is "us",
				// as "US" is.
				seg, dotted = len(sc.buf), true
			case c == '+' && inWord || c == '#' && inWord:
				tail = tailHash
				if c == '+' {
					tail = tailPlus
					if i < len(s) && s[i] == '+' {
						tail = tailPlusPlus
						i++
					}
				}
				endWord()
			case c == '-' && inWord:
				endWord()
				pendingJoin = true
			case c == '.' || c == '!' || c == '?' || c == ';' || c == ':':
				if endsSentence(s, i) && (c != '.' || !inWord || !abbreviation()) {
					endWord()
					pendingBreak = true
				}
				endWord()
			default:
				endWord()
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if pendingJoin && !inWord && (!isWordRune(r) || isSolo(r)) {
			pendingJoin = false
		}
		switch {
		case invisible(r):
			// Neither a letter nor a space to a reader: "Wash\u00ADington"
			// is the word "washington".
		case (r == '\u2010' || r == '\u2011' || r == zwnj || r == zwsp) && inWord:
			// The hyphen and the non-breaking hyphen; the zero-width
			// non-joiner, which Persian writes between the parts of a word
			// ("می\u200Cخواهد") where other text joins them or puts a
			// space; and the zero-width space, which some sites write into
			// long words where a line may break ("Bundes\u200Bregierung"):
			// a word of each part, joined as by a hyphen. Between the
			// letters of Thai or Khmer, each a word, it is their word
			// break, and joins nothing.
			endWord()
			pendingJoin = true
		case isSolo(r):
			endWord()
			beginWord()
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
			endWord()
		case inWord && isApostrophe(r):
			// Inside a word only when a letter or digit follows. This comes
			// before the letters: Ukrainian writes its apostrophe as the
			// modifier letter U+02BC ("пʼять") as often as with the
			// keyboard's ("п'ять"), which a rule types.
			if i < len(s) {
				next, _ := utf8.DecodeRuneInString(s[i:])
				if isWordRune(next) && !isSolo(next) {
					if elided[string(sc.buf[start:])] {
						endWord() // "l'Europe": the article is a word of its own
						continue
					}
					sc.buf = append(sc.buf, '\'')
					continue
				}
			}
			endWord()
		case r == '\u02BC':
			endWord() // outside a word, a quotation mark, as the other apostrophes are
		case isWordRune(r):
			if inWord && eraLetter(sc.buf[start:], r) {
				// A year with the Arabic letter of its era ("٢٠٢٦م") is
				// the number and the letter: "2026" finds it.
				endWord()
			}
			beginWord()
			if unicode.IsUpper(r) || unicode.IsTitle(r) {
				capitals++
			} else if unicode.IsLower(r) {
				small++
			}
			sc.buf = utf8.AppendRune(sc.buf, fold(r))
		case isFullStop(r):
			// The fullwidth forms and the ellipsis end a sentence where
			// the ASCII stops they stand for do ("３．５" is a number); the
			// ideographic stop wherever it stands.
			if stopsAnywhere(r) || endsSentence(s, i) && (r != '．' || !inWord || !abbreviation()) {
				endWord()
				pendingBreak = true
			}
			endWord()
		default:
			endWord()
		}
	}
	endWord()
}

// zwnj is the zero-width non-joiner, and zwsp the zero-width space.
const (
	zwnj = '\u200c'
	zwsp = '\u200b'
)

// eraLetter reports whether r, an Arabic letter, follows w, the word being
// read, that ends in a digit: the letter that Arabic and Persian write
// after a year for its era ("٢٠٢٦م", "١٤٤٧هـ", "۱۴۰۵ش") is a word of its own.
func eraLetter(w []byte, r rune) bool {
	return len(w) > 0 && '0' <= w[len(w)-1] && w[len(w)-1] <= '9' && r >= 0x0600 &&
		unicode.Is(unicode.Arabic, r) && unicode.IsLetter(r)
}

// invisible reports whether r is a character that a word may hold and a
// reader does not see: the soft hyphen, which marks where a line may break
// (HTML's "&shy;", which German and Dutch sites put in long words), the
// zero-width joiner, which asks for a form of the letters around it
// (Indic scripts use it inside words), the word joiner and the zero-width
// no-break space. The zero-width space and the non-joiner join two words
// as a hyphen does (see tokenise); the zero-width space between letters
// of Thai and Khmer, each a word, is their word break.
func invisible(r rune) bool {
	return r == '\u00ad' || r == '\u200d' || r == '\u2060' || r == '\ufeff'
}

// oneLetter reports whether w is one letter, with or without marks on it
// ("J", "É", "B" + U+0301).
func oneLetter(w []byte) bool {
	switch {
	case len(w) == 1:
		return true
	case len(w) == 0, w[0] < utf8.RuneSelf && w[1] < utf8.RuneSelf:
		return false // two ASCII letters or digits at least, or none
	}
	n := 0
	for i := 0; i < len(w); {
		r, size := utf8.DecodeRune(w[i:])
		i += size
		if !unicode.IsMark(r) {
			n++
		}
	}
	return n == 1
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func isASCIILetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	}
	return unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.IsMark(r)
}

// isSolo reports whether r is from a script written without spaces between
// words, where each character is taken as a word of its own: Han, Hiragana
// and Katakana, and the letters of Thai, Lao, Khmer and Myanmar (with the
// marks that follow them).
func isSolo(r rune) bool {
	switch {
	case r < 0x0E00:
		return false
	case r <= 0x0EFF, 0x1000 <= r && r <= 0x109F, 0x1780 <= r && r <= 0x17FF: // Thai, Lao; Myanmar; Khmer
		return unicode.IsLetter(r)
	}
	return r >= 0x2E80 && unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana)
}

// hangulWord reports whether w, a folded word, is two syllables or more of
// Korean, written in Hangul. Korean writes its particles and endings on the
// word ("서울에서", in Seoul; "한국은행은"): a rule's word of Hangul matches
// every text word that starts with it (see parseWord).
func hangulWord(w string) bool {
	n := 0
	for _, r := range w {
		if !unicode.Is(unicode.Hangul, r) {
			return false
		}
		n++
	}
	return n >= 2
}

// optionalMarks maps what Fold leaves out of letters written with or
// without them: the accents and breathings of Greek (tonos and dialytika,
// and the polytonic ones), which its capitals
// leave off ("Αθήνα" is written "ΑΘΗΝΑ"), mapped from each precomposed
// letter to its letter without them (and, to -2, the combining accents
// left after a Greek letter); the Russian "ё", which most text writes
// "е"; the Arabic alef with a hamza or madda, which much text writes
// without it, and the Persian and Arabic forms of "ي" and "ك", which
// keyboards interchange, mapped to one form; and, mapped to -1, the vowel
// points and other marks of Arabic and
// Hebrew, which most text leaves out, and the Arabic tatweel, which only
// stretches a word.
var optionalMarks = sync.OnceValue(func() map[rune]rune {
	m := make(map[rune]rune)
	for _, block := range [][2]rune{{0x0370, 0x03FF}, {greekExtended, greekExtendedEnd}} {
		for r := block[0]; r <= block[1]; r++ {
			d := []rune(norm.NFD.String(string(r)))
			if len(d) < 2 || !unicode.Is(unicode.Greek, d[0]) || slices.ContainsFunc(d[1:], keptMark) {
				continue
			}
			m[r] = d[0]
		}
	}
	for r := rune(0x0300); r <= 0x036F; r++ { // left after a Greek letter without a precomposed form
		if !keptMark(r) {
			m[r] = -2
		}
	}
	for r := rune(0x0591); r <= 0x05C7; r++ { // Hebrew points and accents
		if unicode.Is(unicode.Mn, r) {
			m[r] = -1
		}
	}
	for r := rune(0x0610); r <= 0x061A; r++ { // Arabic honorifics and small letters above
		m[r] = -1
	}
	for r := rune(0x064B); r <= 0x065F; r++ { // Arabic harakat
		m[r] = -1
	}
	m['Ё'], m['ё'] = 'Е', 'е'
	// The alef that Arabic writes with a hamza or madda, or without:
	// "أحمد" and "احمد", "إيران" and "ايران", "القرآن" and "القران".
	for _, r := range "أإآٱ" {
		m[r] = 'ا'
	}
	// The letters that Persian and Arabic write apart and keyboards
	// interchange: Persian "ی" and "ک" and Arabic "ي" and "ك" ("ایران",
	// "ايران"). The Arabic "ى" stays: "على" (on) is not "علي" (Ali).
	m['ی'], m['ک'] = 'ي', 'ك'
	m[0x0670] = -1 // superscript alef
	m[0x0640] = -1 // tatweel
	return m
})

// keptMark reports whether r stays on a Greek letter: anything but a
// combining accent or breathing, and the ypogegrammeni (iota subscript),
// which case folding writes as the letter "ι".
func keptMark(r rune) bool { return !unicode.Is(unicode.Mn, r) || r == 0x0345 }

// dropOptionalMarks returns s, in NFKC, without the marks of
// optionalMarks: the Greek accents on letters, the diaeresis of "ё", and
// the Arabic and Hebrew vowel points, in NFKC again (a mark left after a
// letter that lost its accent may compose with it). It returns s itself
// when s has none.
func dropOptionalMarks(s string) string {
	marks := optionalMarks()
	var b strings.Builder
	greek := false // the rune before was a Greek letter
	for i, r := range s {
		if (r < 0x0300 || r > 0x06FF) && (r < greekExtended || r > greekExtendedEnd) {
			if b.Cap() > 0 {
				b.WriteRune(r)
			}
			greek = false
			continue
		}
		to, ok := marks[r]
		if ok && to == -2 && !greek {
			ok = false // an acute or a diaeresis on a letter of another script stays
		}
		switch {
		case ok && b.Cap() == 0:
			b.Grow(len(s))
			b.WriteString(s[:i])
			fallthrough
		case ok:
			if to >= 0 {
				b.WriteRune(to)
			}
		case b.Cap() > 0:
			b.WriteRune(r)
		}
		if !ok || to >= 0 { // a mark left out leaves the letter before it
			greek = unicode.Is(unicode.Greek, r)
		}
	}
	if b.Cap() > 0 {
		s = norm.NFKC.String(b.String())
	}
	return plainDevanagari(s)
}

// plainDevanagari returns s, in NFKC, with the spellings of one Hindi
// word that writers choose between made one: the nukta left out ("ज़िला"
// and "जिला", "फ़ैसला" and "फैसला"), the candrabindu written as the
// anusvara ("हैँ" and "हैं"), and a nasal consonant with a virama before
// another consonant written as the anusvara ("हिन्दी" and "हिंदी"). It
// returns s itself when s has no Devanagari.
func plainDevanagari(s string) string {
	if !strings.Contains(s, "\xe0\xa4") && !strings.Contains(s, "\xe0\xa5") {
		return s // Devanagari is U+0900 to U+097F
	}
	rs := []rune(s)
	out := rs[:0]
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case r == 0x093C: // nukta
			continue
		case r == 0x0929: // letters with a nukta that NFC composes
			r = 'न'
		case r == 0x0931:
			r = 'र'
		case r == 0x0934:
			r = 'ळ'
		case r == 0x0901: // candrabindu
			r = 0x0902
		case strings.ContainsRune("ङञणनम", r) && i+2 < len(rs) && rs[i+1] == 0x094D && devanagariConsonant(rs[i+2]):
			r = 0x0902 // the nasal and its virama are the anusvara
			i++
		}
		out = append(out, r)
	}
	return string(out)
}

// devanagariConsonant reports whether r is a consonant of Devanagari.
func devanagariConsonant(r rune) bool {
	return 0x0915 <= r && r <= 0x0939 || 0x0958 <= r && r <= 0x095F
}

// elided holds the French and Italian articles, pronouns and prepositions
// written with an apostrophe before the word they join, folded: "l'Europe",
// "d'Israël", "qu'il", "dell'Unione". Each is a word of its own, so that
// "Europe" matches "l'Europe" as it matches "the Europe" — names in these
// languages follow one more often than not. An apostrophe after any other
// letters stays in the word ("O'Brien", "don't").
var elided = map[string]bool{
	"c": true, "d": true, "j": true, "l": true, "m": true, "n": true, "s": true, "t": true,
	"qu": true, "jusqu": true, "lorsqu": true, "puisqu": true, "quoiqu": true, "presqu": true,
	"all": true, "dall": true, "dell": true, "nell": true, "sull": true, "coll": true,
	"un": true, "quell": true, "quest": true, "sant": true,
}

func isApostrophe(r rune) bool {
	return r == '\'' || r == '\u2019' || r == '\u02BC' || r == '\uFF07'
}

// Fold returns s in the form Words compares words in and categories are
// compared in: Unicode NFKC normalisation, so that fullwidth letters,
// ligatures, superscripts and other compatibility forms are their plain
// letters and digits and decomposed accents are composed, and full case
// folding, so that "ß" is "ss" and "Σ", "σ" and "ς" are one letter. The
// dotted and dotless "i" of Turkish both fold to "i", as "I" does. The
// marks that writers of a script leave out or not are left out: Greek
// accents, which capitals drop ("ΑΘΗΝΑ" is "αθηνα", as "Αθήνα" is), the
// diaeresis of the Russian "ё", and Arabic and Hebrew vowel points and the
// Arabic tatweel. Hindi is compared without the nukta, and with the
// candrabindu and a nasal with a virama before a consonant as the anusvara
// (plainDevanagari). The Arabic alef is one letter with a hamza or madda or
// without ("أ", "إ", "آ" and "ٱ" are "ا"), and so are the Persian and
// Arabic yeh ("ی" and "ي") and kaf ("ک" and "ك"). Fold returns s itself, without copying, when it is ASCII
// without capitals.
func Fold(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if norm.NFKC.QuickSpanString(s) < len(s) {
		s = norm.NFKC.String(s)
	}
	return dropOptionalMarks(foldNormal(s))
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
//
// It reports whether the case of s is left to the splitting, and so known
// to it.
func foldWords(s string) (string, bool) {
	if norm.NFKC.QuickSpanString(s) < len(s) {
		s = norm.NFKC.String(spaceSymbols(s))
	}
	s = dropOptionalMarks(s)
	if foldsByRune(s) {
		return s, true
	}
	// Folding may expand a letter into one with an accent ("ᾴ" is "ά" and
	// "ι").
	return dropOptionalMarks(foldNormal(s)), false
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
// a word, an apostrophe nor a full stop, and that NFKC decomposes, with a
// space.
func spaceSymbols(s string) string {
	var b strings.Builder
	for i, r := range s {
		sym := r >= utf8.RuneSelf && !isWordRune(r) && !isSolo(r) && !isApostrophe(r) && !isFullStop(r) &&
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

// fold maps r to the one form its upper and lower cases share, and a
// digit of any script to its ASCII digit ("٢٠٢٦", "२०२६" and "2026" are
// one number).
func fold(r rune) rune {
	if r < utf8.RuneSelf {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}
	if d, ok := digits()[r]; ok {
		return d
	}
	return unicode.ToLower(unicode.ToUpper(r))
}

// digits maps each decimal digit beyond ASCII to its ASCII digit: the
// Arabic-Indic and Persian digits, Devanagari's, Bengali's, Thai's and the
// others of Unicode's Nd, each script's zero to nine in a run of its own.
var digits = sync.OnceValue(func() map[rune]rune {
	m := make(map[rune]rune)
	add := func(lo, hi, stride uint32) {
		for r := lo; r <= hi; r += stride {
			if r >= utf8.RuneSelf {
				m[rune(r)] = '0' + rune(r-lo)%10
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

// Index finds many phrases in a text in one pass: each text is split into
// words once, and a phrase is looked up by its first word. An Index is built
// with Add and then only read, so one Index may be used by many goroutines.
//
// A word of a phrase written without accents matches a Latin word of the
// text with or without them, as a search box does: "Zurich" and "Sao Paulo"
// find "Zürich" and "São Paulo". A word written with them matches only
// them: "Zürich" does not find "Zurich", nor "año" "ano".
//
// The first word of a phrase in Arabic or Hebrew matches the word with the
// particles those languages write on the word they precede (see eachStem):
// "القاهرة" finds "بالقاهرة" and "للقاهرة", and "ירושלים" "בירושלים".
//
// Words joined by a hyphen match the one word they make, both ways: the
// phrase "e-mail" finds "email", and "email" finds "e-mail" (as well as
// "e-mail" finding "e mail", since a hyphen separates words). So do the
// parts of a Persian word joined by a zero-width non-joiner: "می\u200Cخواهد"
// finds "میخواهد", and "میخواهد" "می\u200Cخواهد"; and those of a word a
// zero-width space is written into: "Bundesregierung" finds
// "Bundes\u200Bregierung".
type Index struct {
	// Each phrase's ways of being written, and the id of the phrase each
	// way stands for: "e-mail" is written "e mail" and "email".
	ways  [][]word
	wayID []int32
	n     int                // distinct phrases
	ids   map[string]int     // phrase words joined by a space -> id
	first map[string][]int32 // first word -> ways that start with it
	// Ways that start with a prefix, by that prefix, and the lengths in
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
	id := x.n
	x.n++
	x.ids[key] = id
	p := make([]word, len(words))
	for i, w := range words {
		p[i] = parseWord(w)
	}
	x.addWay(p, id)
	// Each pair of words joined by a hyphen is written as one word too,
	// one pair at a time: "e-mail" as "email".
	for i := 1; i < len(p); i++ {
		if !p[i].joined {
			continue
		}
		one := p[i]
		one.text = p[i-1].text + p[i].text
		one.breaks, one.joined = p[i-1].breaks, p[i-1].joined
		one.capital = p[i-1].capital && p[i].capital
		one.common = false
		one.bare = p[i-1].bare && p[i].bare
		x.addWay(slices.Concat(p[:i-1], []word{one}, p[i+1:]), id)
	}
	return id
}

// addWay adds p as a way of writing the phrase id.
func (x *Index) addWay(p []word, id int) {
	way := int32(len(x.ways))
	x.ways = append(x.ways, p)
	x.wayID = append(x.wayID, int32(id))
	if p[0].prefix {
		x.firstPrefix[p[0].text] = append(x.firstPrefix[p[0].text], way)
		if n := len(p[0].text); !slices.Contains(x.prefixLens, n) {
			x.prefixLens = append(x.prefixLens, n)
			slices.Sort(x.prefixLens)
		}
	} else {
		x.first[p[0].text] = append(x.first[p[0].text], way)
	}
}

// Len returns the number of distinct phrases added.
func (x *Index) Len() int { return x.n }

// Find sets found[id] for every phrase that appears in one of fields. A
// phrase matches whole words, in order, within one field: it never spans two
// fields. found must have at least Len elements; entries already true stay so.
func (x *Index) Find(found []bool, fields []string) {
	if x.n == 0 {
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
	// Each word without accents, found before the phrases are read, since
	// a phrase reads the words after its first.
	sc.bareBuf, sc.bareEnds = sc.bareBuf[:0], sc.bareEnds[:0]
	start := 0
	for i := 0; sc.hasBare && i < n; i++ {
		end := sc.ends[i]
		if w := sc.buf[start:end]; !isASCII(w) {
			at := len(sc.bareBuf)
			var changed bool
			if sc.bareBuf, changed = appendBareLatin(sc.bareBuf, w); !changed {
				sc.bareBuf = sc.bareBuf[:at]
			}
		}
		sc.bareEnds = append(sc.bareEnds, len(sc.bareBuf))
		start = end
	}
	start = 0
	for i := 0; i < n; i++ {
		end := sc.ends[i]
		w := sc.buf[start:end]
		start = end
		x.findFrom(sc, i, 0, w, sc.bareWord(i), sc.marks[i], found)
		if i+1 < n && sc.marks[i+1]&markJoined != 0 {
			// Two words joined by a hyphen, as the one word they make.
			sc.joined = append(append(sc.joined[:0], w...), sc.word(i+1)...)
			next := sc.marks[i+1]
			m := sc.marks[i]&next&(markLower|markCapital) | next&(markTail0|markTail1)
			x.findFrom(sc, i, 1, sc.joined, nil, m, found)
		}
	}
}

// findFrom looks up the ways of writing a phrase that start with w, the
// word at i of sc (or, when skip is 1, the words at i and i+1 joined into
// one), with bare its form without accents (nil when it has none) and m
// its marks, and sets found for each phrase the words after it complete.
func (x *Index) findFrom(sc *scratch, i, skip int, w, bare []byte, m mark, found []bool) {
	x.findForm(sc, i, skip, w, bare, m, w, found)
	if bare != nil {
		x.findForm(sc, i, skip, w, bare, m, bare, found)
	}
	// A Turkish name with its ending ("istanbul'da") starts the phrases
	// that start with the name.
	if stem, ok := cutSuffix(w); ok {
		x.findForm(sc, i, skip, w, bare, m, stem, found)
		if bareStem, ok := cutSuffix(bare); ok {
			x.findForm(sc, i, skip, w, bare, m, bareStem, found)
		}
	}
	// An Arabic or Hebrew word with a particle written on it
	// ("بالقاهرة", "בירושלים") starts the phrases that start with the
	// word.
	if len(w) > 0 && 0xD7 <= w[0] && w[0] <= 0xD9 {
		eachStem(w, &sc.stem, func(stem []byte) {
			x.findForm(sc, i, skip, stem, nil, m, stem, found)
		})
	}
}

// eachStem calls yield with w, a folded word, without each particle that
// Arabic or Hebrew may have written on it: in Arabic "و" (and), "ف" (so),
// "ب" (in, by), "ل" (for) and "ك" (as), and "و" or "ف" before one of the
// last three ("بالقاهرة", "وإيران", "وبغداد"), with the article that "ل"
// takes the alef of restored ("للقاهرة" is "ل" and "القاهرة"); in Hebrew
// "ו" (and), "ה" (the), "ב" (in), "ל" (to), "מ" (from), "ש" (that) and
// "כ" (as), and "ו" or "ש" before one of the others ("בירושלים",
// "והכנסת"). What is left has three letters at least: a word of two
// letters after a letter that may be a particle is most often a word of
// three ("מים", water, is not "ים", sea, with "מ"; nor "وطن", homeland,
// "طن", ton, with "و"). buf holds a stem that is not a part of w.
func eachStem(w []byte, buf *[]byte, yield func([]byte)) {
	r0, n0 := utf8.DecodeRune(w)
	r1, n1 := utf8.DecodeRune(w[n0:])
	var first, second string // the particles that may stand first, and after "و", "ف", "ו" or "ש"
	switch {
	case unicode.Is(unicode.Arabic, r0):
		first, second = "وفبلك", "بلك"
		if r0 != 'و' && r0 != 'ف' {
			second = ""
		}
	case unicode.Is(unicode.Hebrew, r0):
		first, second = "והבלמשכ", "הבלמכ"
		if r0 != 'ו' && r0 != 'ש' {
			second = ""
		}
	default:
		return
	}
	if !strings.ContainsRune(first, r0) {
		return
	}
	try := func(cut int, particle rune) {
		rest := w[cut:]
		if utf8.RuneCount(rest) < 3 {
			return
		}
		yield(rest)
		if particle == 'ل' && bytes.HasPrefix(rest, []byte("ل")) {
			*buf = append(append((*buf)[:0], "ا"...), rest...) // "لل" + word is "ل" + "ال" + word
			yield(*buf)
		}
	}
	try(n0, r0)
	if second != "" && strings.ContainsRune(second, r1) {
		try(n0+n1, r1)
	}
}

// findForm is findFrom for one form of the word, as written or without
// accents. Most words start no phrase: they are looked up without a call.
func (x *Index) findForm(sc *scratch, i, skip int, w, bare []byte, m mark, form []byte, found []bool) {
	if ways := x.first[string(form)]; len(ways) > 0 { // no allocation for the lookup
		x.findAt(sc, i, skip, w, bare, m, ways, found)
	}
	for _, l := range x.prefixLens {
		if l > len(form) {
			break
		}
		if ways := x.firstPrefix[string(form[:l])]; len(ways) > 0 {
			x.findAt(sc, i, skip, w, bare, m, ways, found)
		}
	}
}

// findAt sets found for the phrase of each of ways whose first word is w
// (see findFrom) and whose other words follow it in sc, from i+1+skip.
func (x *Index) findAt(sc *scratch, i, skip int, w, bare []byte, m mark, ways []int32, found []bool) {
	for _, way := range ways {
		id := x.wayID[way]
		if found[id] {
			continue
		}
		p := x.ways[way]
		if i+skip+len(p) > sc.len() {
			continue
		}
		// The first word matched by its letters; its marks, and the words
		// after it, are checked here.
		ok := p[0].matches(w, bare, m)
		for j := 1; ok && j < len(p); j++ {
			k := i + skip + j
			mk := sc.marks[k]
			ok = (mk&markBreak == 0 || p[j].breaks) && p[j].matches(sc.word(k), sc.bareWord(k), mk)
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
