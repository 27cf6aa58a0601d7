package query

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// FuzzParseQuery checks that no query panics the parser, that every error
// is an *Error with a column inside the query (or just past its end), and
// that a query that parses prints in a form that parses back to the same
// structure and prints the same again.
func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{
		`("Xi Jinping" OR Beijing) AND (Taiwan OR "national security") NOT sport`,
		`(A OR B) AND (C OR "d e") NOT sport`,
		"a b OR NOT (c d)",
		"“curly quotes” OR x",
		"„Anführungszeichen“ OR „cudzysłów” NOT „x",
		"U.S. AND 中国",
		`econom* OR "prime minist*" NOT ec*`,
		`«Единая Россия» OR »Deutsche Bahn« OR 「東京 電力」 OR （北京 ＯＲ 上海） NOT 『x "y" ”z』 econom＊`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := Parse(s)
		if err != nil {
			var qe *Error
			if !errors.As(err, &qe) {
				t.Fatalf("Parse(%q) error %v is a %T, want *Error", s, err, err)
			}
			if qe.Column < 1 || qe.Column > utf8.RuneCountInString(s)+1 {
				t.Fatalf("Parse(%q) error at column %d, outside 1..%d", s, qe.Column, utf8.RuneCountInString(s)+1)
			}
			return
		}
		printed := q.String()
		q2, err := Parse(printed)
		if err != nil {
			t.Fatalf("Parse(%q).String() = %q, which does not parse: %v", s, printed, err)
		}
		if a, b := q.dump(), q2.dump(); a != b {
			t.Fatalf("Parse(%q) = %s, but its String %q parses to %s", s, a, printed, b)
		}
		if again := q2.String(); again != printed {
			t.Fatalf("String of Parse(%q) = %q; want %q", printed, again, printed)
		}
		// A query that Constant says is the same whatever the text is so
		// on a text of every term and on an empty one.
		if value, ok := q.Constant(); ok {
			var all []string
			for _, words := range q.Terms() {
				all = append(all, strings.Join(words, " "))
			}
			if q.Match(all...) != value || q.Match() != value {
				t.Fatalf("Parse(%q).Constant() = %v, but it matches its terms %v and nothing %v", s, value, q.Match(all...), q.Match())
			}
		}
		// A query's own terms are found in the text made of them.
		var text []string
		for _, words := range q.Terms() {
			text = append(text, strings.Join(words, " "))
		}
		found := make([]bool, q.index.Len())
		q.index.Find(found, text)
		for i, id := range q.ids {
			if !found[id] {
				t.Fatalf("Parse(%q): term %q not found in its own words %q", s, q.Terms()[i], text)
			}
		}
	})
}

// FuzzWords checks that splitting is stable: the words of a text, joined
// by spaces, split into the same words; and that a text split with its
// letters decomposed or in capitals has the same words.
func FuzzWords(f *testing.F) {
	for _, s := range []string{"Xi Jinping's visit to the U.S.", "Cafe\u0301 ΛΌΓΟΣ", "中国外交部 서울", "O'Brien don't 'quoted'",
		"“Quoted” — O’Brien’s \u037e\u2000end", "ＴＡＩＷＡＮ ﬁnance Straße ᾼ x² Apple™ ﾀﾜｰ", "São Paulo ZÜRICH Łódź Việt Nam q̃ край",
		"بالقاهرة أحمد ایران בירושלים Wash\u00adington हिन्दी ज़िला"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		w := Words(s)
		if w2 := Words(strings.Join(w, " ")); !slices.Equal(w, w2) {
			t.Fatalf("Words(%+q) = %+q, but Words of them joined = %+q", s, w, w2)
		}
		// Text whose only runes beyond ASCII are not parts of words is
		// not folded: a word rune appended after a separator must not
		// change the words before it.
		if w3 := Words(s + " é"); !slices.Equal(w3[:len(w3)-1], w) {
			t.Fatalf("Words(%+q) = %+q, but with a word beyond ASCII after it %+q", s, w, w3)
		}
		// Words leaves the folding of most text to the splitting, rune by
		// rune: only where that gives what Fold gives.
		if n := norm.NFKC.String(spaceSymbols(norm.NFC.String(strings.ToValidUTF8(s, " ")))); foldsByRune(n) && strings.Map(fold, n) != foldNormal(n) {
			t.Fatalf("foldsByRune(%+q) = true, but folded rune by rune it is %+q, not %+q", n, strings.Map(fold, n), foldNormal(n))
		}
		// A phrase rule matches the text it was written from: its
		// capitals, sentence ends and tails are the text's own.
		if words, err := Phrase(s); err == nil {
			x := NewIndex()
			id := x.Add(words)
			found := make([]bool, x.Len())
			x.Find(found, []string{s})
			if !found[id] {
				t.Fatalf("Phrase(%+q) = %+q, which is not found in %+q", s, words, s)
			}
		}
		// Written in small letters without the accents of its Latin
		// letters, a phrase still finds the text.
		var bare strings.Builder
		latin := false
		for _, r := range foldNormal(norm.NFKC.String(spaceSymbols(norm.NFC.String(strings.ToValidUTF8(s, " "))))) {
			switch b := latinBases()[r]; {
			case b != 0:
				bare.WriteRune(b)
				latin = true
			case unicode.Is(unicode.Mn, r) && latin:
			default:
				bare.WriteRune(r)
				latin = unicode.Is(unicode.Latin, r)
			}
		}
		// (Letters joined by stops are read as one word in ASCII only, so
		// taking accents off can join words: "A.ó." is two, "A.o." one.)
		if words, err := Phrase(bare.String()); err == nil && len(words) == len(w) {
			x := NewIndex()
			id := x.Add(words)
			found := make([]bool, x.Len())
			x.Find(found, []string{s})
			if !found[id] {
				t.Fatalf("Phrase(%+q) = %+q, which is not found in %+q", bare.String(), words, s)
			}
		}
		if nfd := norm.NFD.String(s); !slices.Equal(Words(nfd), w) {
			t.Fatalf("Words(%+q) = %+q, but Words of its NFD %+q = %+q", s, w, nfd, Words(nfd))
		}
		// In canonical order, so that a mark with a capital (U+0345 is
		// "Ι") stays where it was; a dot above (U+0307) after "I" makes it
		// the Turkish capital "İ", which folds to "i", but not after "i".
		if upper := strings.ToUpper(norm.NFC.String(s)); !strings.ContainsRune(s, 0x307) && !slices.Equal(Words(upper), w) {
			t.Fatalf("Words(%+q) = %+q, but Words(%+q) = %+q", s, w, upper, Words(upper))
		}
	})
}
