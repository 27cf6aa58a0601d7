package htmlcut

import (
	"unicode"
	"unicode/utf8"
)

// Boundary returns the last boundary between two characters as a reader
// sees them at or before byte i of s, which is a boundary between runes: a
// cut there leaves whole the letter with its accents and vowel signs, an
// emoji with its skin tone or the others a joiner joins to it ("👨‍👩‍👧"),
// a flag's two letters, a Hangul syllable written in jamo, and an Indic
// conjunct ("क्ष"). It returns 0 when s[:i] is part of its first character.
// It follows the grapheme clusters of Unicode's text segmentation (UAX #29)
// in the cases news text has, not in every detail.
func Boundary(s string, i int) int {
	for i > 0 && i < len(s) && !breaksAt(s, i) {
		_, size := utf8.DecodeLastRuneInString(s[:i])
		i -= size
	}
	return i
}

// Runes returns where to cut s so that what is kept, with the "…" that
// marks the cut, is at most n runes: the last boundary between two
// characters as a reader sees them (Boundary) after at most n-1 runes, or
// len(s) when s has no more than n runes and needs no cut. It is 0 when
// the first character alone is n-1 runes or more.
func Runes(s string, n int) int {
	if utf8.RuneCountInString(s) <= n {
		return len(s)
	}
	cut := 0
	for count := 0; count < n-1; count++ {
		_, size := utf8.DecodeRuneInString(s[cut:])
		cut += size
	}
	return Boundary(s, cut)
}

const (
	zwj  = '\u200d'
	zwnj = '\u200c'
)

// breaksAt reports whether a character ends at byte i of s, 0 < i < len(s).
func breaksAt(s string, i int) bool {
	before, _ := utf8.DecodeLastRuneInString(s[:i])
	after, _ := utf8.DecodeRuneInString(s[i:])
	switch {
	case extends(after):
		return false // a mark, a joiner, a skin tone: part of what it follows
	case before == zwj:
		return false // an emoji sequence, or a letter's half form
	case isRegional(before) && isRegional(after):
		// A flag is two regional indicators: break between pairs only.
		n := 0
		for j := i; j > 0; {
			r, size := utf8.DecodeLastRuneInString(s[:j])
			if !isRegional(r) {
				break
			}
			n++
			j -= size
		}
		return n%2 == 0
	case hangulJoins(before, after):
		return false
	case unicode.IsLetter(after) && afterLinker(s[:i]):
		return false // an Indic conjunct: a consonant, a virama, a consonant
	}
	return true
}

// extends reports whether r belongs to the character before it: a mark
// (combining accents, vowel signs, variation selectors), the Thai and Lao
// vowel "am", which Unicode counts a letter (the "ำ" of "น้ำ"), a joiner or
// non-joiner, an emoji skin tone, or a tag character of a flag's sequence.
func extends(r rune) bool {
	return r >= 0x300 && (unicode.In(r, unicode.Mn, unicode.Mc, unicode.Me) || r == 0x0E33 || r == 0x0EB3 ||
		r == zwj || r == zwnj || 0x1F3FB <= r && r <= 0x1F3FF || 0xE0020 <= r && r <= 0xE007F)
}

func isRegional(r rune) bool { return 0x1F1E6 <= r && r <= 0x1F1FF }

// linkers are the viramas that join the consonants on each side of them
// into one conjunct: Devanagari, Bengali, Gujarati, Oriya, Telugu and
// Malayalam (Unicode's Indic_Conjunct_Break=Linker).
var linkers = map[rune]bool{0x094D: true, 0x09CD: true, 0x0ACD: true, 0x0B4D: true, 0x0C4D: true, 0x0D4D: true}

// afterLinker reports whether s ends with a linker, perhaps followed by
// other marks or a joiner.
func afterLinker(s string) bool {
	for len(s) > 0 {
		r, size := utf8.DecodeLastRuneInString(s)
		switch {
		case linkers[r]:
			return true
		case !extends(r):
			return false
		}
		s = s[:len(s)-size]
	}
	return false
}

// hangulJoins reports whether the Hangul jamo or syllables a and b are one
// syllable: a leading consonant before a consonant, a vowel or a syllable,
// a vowel or a syllable without a final before a vowel or a final, and a
// final or a syllable with one before a final.
func hangulJoins(a, b rune) bool {
	ka, kb := hangulKind(a), hangulKind(b)
	switch ka {
	case hangulL:
		return kb == hangulL || kb == hangulV || kb == hangulLV || kb == hangulLVT
	case hangulV, hangulLV:
		return kb == hangulV || kb == hangulT
	case hangulT, hangulLVT:
		return kb == hangulT
	}
	return false
}

const (
	hangulNone = iota
	hangulL    // leading consonant
	hangulV    // vowel
	hangulT    // trailing consonant
	hangulLV   // syllable without a final
	hangulLVT  // syllable with a final
)

func hangulKind(r rune) int {
	switch {
	case 0x1100 <= r && r <= 0x115F, 0xA960 <= r && r <= 0xA97C:
		return hangulL
	case 0x1160 <= r && r <= 0x11A7, 0xD7B0 <= r && r <= 0xD7C6:
		return hangulV
	case 0x11A8 <= r && r <= 0x11FF, 0xD7CB <= r && r <= 0xD7FB:
		return hangulT
	case 0xAC00 <= r && r <= 0xD7A3:
		if (r-0xAC00)%28 == 0 {
			return hangulLV
		}
		return hangulLVT
	}
	return hangulNone
}
