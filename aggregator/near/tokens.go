package near

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	unorm "golang.org/x/text/unicode/norm"
)

// word is one word of a text, in the order written.
type word struct {
	norm    string // lower case, possessive removed: "floyd" for "Floyd's"
	term    string // norm stemmed; empty for a stop word
	capital bool   // written with a capital letter (or all capitals) where a sentence does not begin
	number  bool   // made of digits, perhaps with a unit letter: "112", "22k"
	acronym bool   // written in capitals only: "US", "WHO"
	initial bool   // begins with a capital letter, wherever it stands
	pair    bool   // two characters (or one) of a script written without spaces
}

// words splits s into words. Letters, digits and the marks on them make
// words; an apostrophe inside a word is dropped ("didn't" is "didnt",
// "Floyd's" is "floyd"), and so is a soft hyphen, a zero-width space,
// non-joiner or joiner between its letters ("Par\u00ADlia\u00ADment" is
// "parliament"). Scripts written without spaces between words
// (Chinese, Japanese, Thai, Lao, Khmer, Burmese) have no words to find
// without a dictionary: a run of their characters gives each pair of
// neighbouring characters as a word ("台湾海峡" is "台湾", "湾海", "海峡"),
// or its one character, so that two texts that share a name or a phrase
// share words. Hiragana, which write Japanese particles and endings, make
// stop words and end a run of kanji or katakana. The text is compared in
// NFC, so a copy whose accents are decomposed (U+0301 after the letter)
// has the words of its original, and Greek without its accents (which
// Greek capitals leave off) and the Russian "ё" as "е" (see plainLetters).
func words(s string) []word { return appendWords(make([]word, 0, len(s)/5+1), s) }

// appendWords appends the words of s to out, as words returns them.
func appendWords(out []word, s string) []word {
	eachWord(s, func(w word) bool {
		out = append(out, w)
		return true
	})
	return out
}

// wordBuffers hold NewDoc's body words between calls: a text of a few
// kilobytes has hundreds of words, which NewDoc needs only while it runs.
var wordBuffers = sync.Pool{New: func() any { return new([]word) }}

// eachWord calls yield with each word of s, as words returns them, until
// yield returns false.
func eachWord(s string, yield func(word) bool) {
	if !isNFC(s) {
		s = unorm.NFC.String(s)
	}
	sentenceStart := true
	i := 0
	for i < len(s) {
		r, n := rune(s[i]), 1
		if r < utf8.RuneSelf {
			// Most text is ASCII: what lies between its words is
			// passed over without the Unicode tables.
			switch asciiClass[r] {
			case asciiStop:
				sentenceStart = true
				i++
				continue
			case asciiOther:
				i++
				continue
			}
		} else {
			r, n = utf8.DecodeRuneInString(s[i:])
		}
		// An apostrophe stays only inside a word, a letter after it: the
		// modifier letter apostrophe "ʼ", a letter to Unicode, does not
		// start one.
		if !isWordRune(r) || isApostrophe(r) {
			if r == '.' || r == '!' || r == '?' || r == ':' || r == '"' || r == '“' || r == '‘' || r == '—' || r == '|' || r == '。' || r == '！' || r == '？' {
				sentenceStart = true
			}
			i += n
			continue
		}
		if spaceless(r) {
			var ok bool
			if i, ok = eachPair(s, i, yield); !ok {
				return
			}
			sentenceStart = false
			continue
		}
		start := i
		upper, letters, digits := 0, 0, 0
		ascii, apostrophe, hidden := true, false, false
		first := r
		for i < len(s) {
			if c := s[i]; c < utf8.RuneSelf && asciiClass[c] == asciiWord {
				// A letter or a digit of ASCII, as the switch below counts it.
				if c <= '9' {
					digits++
				} else {
					letters++
					if c <= 'Z' {
						upper++
					}
				}
				i++
				continue
			}
			r, n = rune(s[i]), 1
			if r >= utf8.RuneSelf {
				r, n = utf8.DecodeRuneInString(s[i:])
				ascii = false
			}
			if isApostrophe(r) {
				// An apostrophe followed by a letter stays inside the word.
				if next, _ := utf8.DecodeRuneInString(s[i+n:]); i+n < len(s) && unicode.IsLetter(next) {
					apostrophe = true
					i += n
					continue
				}
				break
			}
			if hiddenInWord(r) {
				// Left out where a letter follows: a copy whose CMS wrote
				// hyphenation hints into its words ("Par\u00ADlia\u00ADment")
				// has the words of the original.
				if next, _ := utf8.DecodeRuneInString(s[i+n:]); i+n < len(s) && isWordRune(next) && !spaceless(next) {
					hidden = true
					i += n
					continue
				}
				break
			}
			if !isWordRune(r) || spaceless(r) {
				break
			}
			switch {
			case r < utf8.RuneSelf: // a word rune: a letter or a digit
				if r <= '9' {
					digits++
				} else {
					letters++
					if r <= 'Z' {
						upper++
					}
				}
			case unicode.IsUpper(r):
				upper++
				letters++
			case unicode.IsLetter(r):
				letters++
			case unicode.IsDigit(r):
				digits++
			}
			i += n
		}
		raw := s[start:i]
		if hidden {
			raw = strings.Map(func(r rune) rune {
				if hiddenInWord(r) {
					return -1
				}
				return r
			}, raw)
		}
		// An acronym written with full stops, "U.S." or "W.H.O.", is one word.
		if letters == 1 && upper == 1 && i+2 < len(s) && s[i] == '.' && isASCIIUpper(s[i+1]) && s[i+2] == '.' {
			b := []byte(raw)
			for i+2 < len(s) && s[i] == '.' && isASCIIUpper(s[i+1]) && s[i+2] == '.' {
				b = append(b, s[i+1])
				upper++
				letters++
				i += 2
			}
			i++ // the last full stop
			raw = string(b)
		}
		norm := raw
		if apostrophe {
			possessive := strings.HasSuffix(raw, "s") && len(raw) > 2 && isApostrophe(lastRuneBefore(raw, 1))
			norm = strings.Map(func(r rune) rune {
				if isApostrophe(r) {
					return -1
				}
				return r
			}, raw)
			if possessive {
				norm = norm[:len(norm)-1]
			}
		}
		if upper > 0 || !ascii {
			norm = strings.ToLower(norm)
		}
		if !ascii {
			norm = plainLetters(norm)
		}
		w := word{norm: norm}
		w.number = digits > 0 && letters <= 2
		w.acronym = !w.number && upper >= 2 && upper == letters
		w.initial = unicode.IsUpper(first)
		w.capital = !w.number && (w.initial && !sentenceStart || w.acronym)
		// "US" and "WHO" are names, not the stop words "us" and "who".
		if w.acronym || !isStopWord(norm) {
			w.term = stem(norm)
		}
		if !yield(w) {
			return
		}
		sentenceStart = false
	}
}

func isASCIIUpper(c byte) bool { return c >= 'A' && c <= 'Z' }

// Classes of ASCII characters, for eachWord. A character of class
// asciiUnicode is read as any other, by the Unicode tables; an empty table
// reads all text that way (TestWordsMatchUnicode).
const (
	asciiUnicode = iota
	asciiWord    // a letter or a digit
	asciiStop    // ends a sentence: . ! ? : " |
	asciiOther   // neither in a word nor ending a sentence (an apostrophe is here)
)

// asciiClass is the class of each ASCII character, as the Unicode tables
// (isWordRune, isApostrophe) and eachWord's sentence ends make it.
var asciiClass = asciiClasses()

func asciiClasses() (t [utf8.RuneSelf]uint8) {
	for c := range utf8.RuneSelf {
		switch r := rune(c); {
		case isWordRune(r) && !isApostrophe(r):
			t[c] = asciiWord
		case r == '.' || r == '!' || r == '?' || r == ':' || r == '"' || r == '|':
			t[c] = asciiStop
		default:
			t[c] = asciiOther
		}
	}
	return t
}

// plainLetters returns w, a word in small letters, with the letters that
// writers of its script write one way or the other in one form: Greek
// vowels without their accents, which Greek capitals leave off ("ΠΛΟΙΑ"
// is "πλοια", as "πλοία" is), the final sigma as sigma ("ΟΔΟΣ" and "οδός"
// are "οδοσ"), the Russian "ё" as "е", the Arabic yeh and kaf as the
// Persian ones, which Persian typed on an Arabic keyboard writes so
// ("كرمان" is "کرمان"), the alef with a hamza, madda or wasla as the alef,
// which many writers leave off ("أحمد" is "احمد"), and a digit of any
// script as its ASCII digit.
func plainLetters(w string) string {
	if !strings.ContainsFunc(w, func(r rune) bool { return plainLetter(r) != r }) {
		return w
	}
	return strings.Map(plainLetter, w)
}

func plainLetter(r rune) rune {
	switch r {
	case 'ά':
		return 'α'
	case 'έ':
		return 'ε'
	case 'ή':
		return 'η'
	case 'ί', 'ϊ', 'ΐ':
		return 'ι'
	case 'ό':
		return 'ο'
	case 'ύ', 'ϋ', 'ΰ':
		return 'υ'
	case 'ώ':
		return 'ω'
	case 'ς':
		return 'σ'
	case 'ё':
		return 'е'
	case 'ي':
		return 'ی'
	case 'ك':
		return 'ک'
	case 'أ', 'إ', 'آ', 'ٱ':
		return 'ا'
	}
	if r >= 0x0660 && unicode.IsDigit(r) {
		if d, ok := asciiDigit(r); ok {
			return rune(d)
		}
	}
	return r
}

// lastRuneBefore returns the rune that stands k runes before the end of s.
func lastRuneBefore(s string, k int) rune {
	for range k {
		_, n := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-n]
	}
	r, _ := utf8.DecodeLastRuneInString(s)
	return r
}

// isWordRune reports whether r is part of a word: a letter, a digit, or a
// mark, which in many scripts is a vowel or a tone inside the word (Thai
// "น้ำ", Hindi "मुंबई").
func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)
}

// isNFC reports whether s is in Unicode NFC, quickly for ASCII: the check
// starts at the letter before the first rune beyond ASCII, with which a
// mark there would compose.
func isNFC(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return unorm.NFC.IsNormalString(s[max(0, i-1):])
		}
	}
	return true
}

// Scripts written without spaces between words, for spacelessClass.
const (
	notSpaceless = iota
	hanClass
	hiraganaClass
	katakanaClass
	southeastAsianClass // Thai, Lao, Khmer, Myanmar
)

// spaceless reports whether r is a letter of a script written without
// spaces between words: Han, Hiragana and Katakana (with the prolonged
// sound mark "ー"), Thai, Lao, Khmer and Myanmar.
func spaceless(r rune) bool { return spacelessClass(r) != notSpaceless }

// spacelessClass returns the script class of a letter of a script written
// without spaces, or notSpaceless.
func spacelessClass(r rune) int {
	switch {
	case r < 0x0E00:
		return notSpaceless
	case r <= 0x0EFF, 0x1000 <= r && r <= 0x109F, 0x1780 <= r && r <= 0x17FF: // Thai, Lao; Myanmar; Khmer
		if unicode.IsLetter(r) {
			return southeastAsianClass
		}
		return notSpaceless
	case r < 0x2E80:
		return notSpaceless
	case r == 'ー' || unicode.Is(unicode.Katakana, r):
		return katakanaClass
	case unicode.Is(unicode.Hiragana, r):
		return hiraganaClass
	case unicode.Is(unicode.Han, r):
		return hanClass
	}
	return notSpaceless
}

// maxPairRun bounds the characters of one run that eachPair reads into
// pairs; the rest of a longer run is skipped, as a text of such length
// without a space or a stop is no prose.
const maxPairRun = 1 << 12

// eachPair yields the words of the run of spaceless letters of one class
// that starts at s[i]: each pair of neighbouring characters, a character
// being a letter with the marks that follow it, or the one character of a
// run of one. In Japanese a change between kanji, hiragana and katakana
// ends a run: the particles and endings written in hiragana stand between
// the words ("東京湾を震源" is "東京湾", "を", "震源"), and they are stop
// words. It returns where the run ends and false when yield asked to stop.
func eachPair(s string, i int, yield func(word) bool) (int, bool) {
	class := notSpaceless
	prev := "" // the character before, with its marks
	for n := 0; i < len(s); n++ {
		r, size := utf8.DecodeRuneInString(s[i:])
		c := spacelessClass(r)
		if c == notSpaceless || class != notSpaceless && (c != class || leadingVowel(r)) {
			break
		}
		class = c
		start := i
		i += size
		for i < len(s) {
			m, msize := utf8.DecodeRuneInString(s[i:])
			if !unicode.IsMark(m) {
				break
			}
			i += msize
		}
		if n >= maxPairRun {
			continue
		}
		char := s[start:i]
		w := word{pair: true}
		switch {
		case prev != "":
			w.norm = prev + char
		case i >= len(s) || spacelessClass(nextRune(s[i:])) != class || leadingVowel(nextRune(s[i:])):
			w.norm = char // a run of one character
		}
		prev = char
		if w.norm == "" {
			continue
		}
		if class != hiraganaClass {
			w.term = w.norm
		}
		if !yield(w) {
			return i, false
		}
	}
	return i, true
}

// leadingVowel reports whether r is a Thai or Lao vowel written before the
// consonant it follows in speech ("เ", "แ", "โ", "ใ", "ไ"): it begins a
// syllable, so a run of Thai or Lao letters is split before it, and its
// pairs are those of syllables rather than of a syllable's end and the
// next one's start.
func leadingVowel(r rune) bool { return 0x0E40 <= r && r <= 0x0E44 || 0x0EC0 <= r && r <= 0x0EC4 }

func nextRune(s string) rune {
	r, _ := utf8.DecodeRuneInString(s)
	return r
}

// hiddenInWord reports whether r is a character that a reader does not
// see and that may stand inside a word: the soft hyphen ("&shy;"), which
// marks where a line may break, the zero-width space, which some sites put
// in long words for the same reason, the zero-width non-joiner, which
// Persian writes inside words ("می\u200Cخواهد"; text without it is read as
// the same word), the zero-width joiner, the word joiner and the zero-width
// no-break space.
func hiddenInWord(r rune) bool {
	switch r {
	case '\u00ad', '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff':
		return true
	}
	return false
}

func isApostrophe(r rune) bool { return r == '\'' || r == '’' || r == 'ʼ' }

// stemLen is where stem cuts a word. Cutting words to a fixed prefix
// conflates inflections ("protesters", "protesting") about as well as a full
// suffix stemmer does for matching, and does it for any word.
const stemLen = 6

// stem reduces a lower-case word to the form matched across reports: the
// plural "s" removed, then cut to stemLen runes.
func stem(w string) string {
	if len(w) > 3 && strings.HasSuffix(w, "ies") {
		w = w[:len(w)-3] + "y"
	} else if len(w) > 3 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") && !strings.HasSuffix(w, "us") && !strings.HasSuffix(w, "is") {
		w = w[:len(w)-1]
	}
	n := 0
	for i := range w {
		if n == stemLen {
			return w[:i]
		}
		n++
	}
	return w
}

// stopWords are English function words: they carry no topic and are left
// out of terms (but kept in shingles, where word order matters).
var stopWords = func() map[string]bool {
	m := map[string]bool{}
	for w := range strings.FieldsSeq(`a about above after again against all almost along already also although
am among an and another any anyone anything are around as at back be became because become been
before being below between both but by can cannot could did didnt do does doesnt doing dont done down
during each either else even ever every few for from further get gets getting got had has hasnt have
having he her here hers herself him himself his how however i if in into is isnt it its itself just
last least less like made make many may me might more most much must my myself near need never new
next no nor not now of off often on once one only or other others our ours ourselves out over own per
put rather really said same say says see seen she should since so some still such take than that the
their theirs them themselves then there these they thing things this those though through thus to
today too toward towards under until up upon us use used very via was wasnt we well were werent what
whats when where whether which while who whom whose why will with within without would wont yet you
your yours yourself yourselves s t ll ve re d m mr mrs ms`) {
		m[w] = true
	}
	return m
}()

// stopSlots holds the stop words open-addressed by their FNV-1a hash, for
// isStopWord: eachWord asks of every word, and a Go map's hashing and
// probing cost more than reading the word.
const (
	stopSlotBits = 9
	maxStopLen   = 10 // the longest stop word: "themselves", "yourselves"
)

var stopSlots = func() (t [1 << stopSlotBits]string) {
	for w := range stopWords {
		if len(w) > maxStopLen {
			panic("stop word longer than maxStopLen: " + w)
		}
		i := stopSlot(w)
		for t[i] != "" {
			i = (i + 1) & (1<<stopSlotBits - 1)
		}
		t[i] = w
	}
	return t
}()

func stopSlot(w string) uint32 { return fnv1a(fnvOffset, w) * 0x9E3779B1 >> (32 - stopSlotBits) }

// isStopWord reports whether w is one of stopWords.
func isStopWord(w string) bool {
	if w == "" || len(w) > maxStopLen {
		return false
	}
	for i := stopSlot(w); ; i = (i + 1) & (1<<stopSlotBits - 1) {
		switch stopSlots[i] {
		case w:
			return true
		case "":
			return false
		}
	}
}

// initials returns the acronyms that runs of capitalised words stand for:
// "who" for "World Health Organization", so that a report writing the name
// out matches one using its acronym. A run has at least three capitalised
// words; function words inside it ("Department of Labor") are skipped.
func initials(ws []word) []string {
	var out []string
	var run []byte
	flush := func() {
		if len(run) >= 3 && len(run) <= 6 {
			out = append(out, string(run))
		}
		run = run[:0]
	}
	for i, w := range ws {
		switch {
		case w.initial && !w.acronym && !w.number && w.norm != "":
			r, _ := utf8.DecodeRuneInString(w.norm)
			if r >= utf8.RuneSelf {
				flush()
				continue
			}
			run = append(run, byte(r))
		case len(run) > 0 && w.term == "" && i+1 < len(ws) && ws[i+1].initial:
			// "of", "and" inside a name
		default:
			flush()
		}
	}
	flush()
	return out
}

// TitleWords returns the words of s in the form near-duplicate detection
// compares them (lower case, in NFC, the pairs of scripts written without
// spaces), in order: a title made of a text's first words is a prefix of
// the text's, whatever the markup, punctuation or ellipsis around them.
func TitleWords(s string) []string {
	ws := words(s)
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = w.norm
	}
	return out
}
