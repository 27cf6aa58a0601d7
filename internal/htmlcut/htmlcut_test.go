package htmlcut

import (
	"strings"
	"testing"
)

func TestCut(t *testing.T) {
	tests := []struct {
		name string
		in   string
		max  int
		want string
	}{
		{"short enough", "<p>Hello world</p>", 18, "<p>Hello world</p>"},
		{"between words", "<p>one two three four</p>", 15, "<p>one two …</p>"},
		{"at a tag", "<p>one</p><p>two</p>", 12, "<p>one</p>…"},
		{"nested", "<div><p><b>bold</b> text and more text</p></div>", 35, "<div><p><b>bold</b> text …</p></div>"},
		{"void elements stay unclosed", "<p>a<br>b<img src=\"x\"> c d e f g</p>", 30, "<p>a<br>b<img src=\"x\"> c …</p>"},
		{"no character reference cut", "<p>one &amp; two</p>", 11, "<p>one …</p>"},
		{"no rune cut", "<p>ééééé</p>", 12, "<p>éé…</p>"},
		{"stray end tag", "<p>a</b> b c d e</p>", 15, "<p>a</b> b …</p>"},
		{"text alone", "one two three", 8, "one two …"},
		{"no word cut", "<p>one</p> three four", 14, "<p>one</p> …"},
		{"misnested", "<p>a<b>bb</p> cc dd ee", 18, "<p>a<b>bb</p> …</b>"},
		{"no flag cut", "<p>🇫🇷🇩🇪</p>", 19, "<p>🇫🇷…</p>"},
		{"no conjunct cut", "<p>aक्षत्रिय</p>", 16, "<p>a…</p>"},
		{"no emoji sequence cut", "<p>👨\u200d👩\u200d👧👋🏽</p>", 23, "<p>…</p>"},
		{"no skin tone cut", "<p>👨\u200d👩\u200d👧👋🏽</p>", 29, "<p>👨\u200d👩\u200d👧…</p>"},
		{"no character reference cut before a skin tone", "<p>a&#x1F44B;🏽 b</p>", 17, "<p>a…</p>"},
	}
	for _, tt := range tests {
		if got := Cut(tt.in, tt.max); got != tt.want {
			t.Errorf("%s: Cut(%q, %d) = %q; want %q", tt.name, tt.in, tt.max, got, tt.want)
		}
	}
}

// TestCutNestedDeep cuts HTML whose end tags would outweigh its text: the
// end tags count within max, so that a source of items nested thousands
// deep is cut to the size any other item is.
func TestCutNestedDeep(t *testing.T) {
	for _, in := range []string{
		strings.Repeat("<b>", 100000) + "x",
		strings.Repeat("<div><p>", 50000) + "x",
		strings.Repeat("<ul><li>word ", 30000),
	} {
		for _, size := range []int{40, 1 << 10, 256 << 10} {
			got := Cut(in, size)
			if len(got) > size+len(Ellipsis) {
				t.Errorf("Cut(%.20q…, %d) is %d bytes; want at most %d", in, size, len(got), size+len(Ellipsis))
			}
			if !strings.HasSuffix(strings.TrimRight(got, "</>abdilpuv"), Ellipsis) {
				t.Errorf("Cut(%.20q…, %d) = …%q; want it to end in an ellipsis and end tags", in, size, got[max(0, len(got)-40):])
			}
		}
	}
}

func TestBoundary(t *testing.T) {
	tests := []struct {
		s    string
		i    int
		want int
	}{
		{"abc", 2, 2},
		{"abc", 0, 0},
		{"abc", 3, 3},
		{"e\u0301x", 1, 0},                        // an accent typed as a mark
		{"ae\u0301x", 2, 1},                       // the letter before it
		{"🇫🇷🇩🇪", 4, 0},                            // inside the first flag
		{"🇫🇷🇩🇪", 8, 8},                            // between the flags
		{"🇫🇷🇩🇪", 12, 8},                           // inside the second
		{"x👋🏽", 5, 1},                             // a hand without its skin tone
		{"x👨\u200d👩\u200d👧", 8, 1},                // after a joiner
		{"x👨\u200d👩\u200d👧", 5, 1},                // before a joiner
		{"aक्ष", 4, 1},                            // a consonant without its virama
		{"aक्ष", 7, 1},                            // a conjunct without its last consonant
		{"क्ष त", 10, 10},                         // a space after the conjunct
		{"a\u1112\u1161\u11ab", 4, 1},             // Hangul jamo: a leading consonant without its vowel
		{"a\u1112\u1161\u11ab", 7, 1},             // a syllable without its final
		{"\ud55c\u11ab", 3, 0},                    // a syllable, and a final jamo after it
		{"\ud55c\u1112", 3, 3},                    // a syllable, and the start of another
		{"aน้ำ", 4, 1},                            // a Thai letter without its tone mark
		{"aน้ำ", 7, 1},                            // without its vowel am
		{"aน้ำb", 10, 10},                         //
		{"Nguye\u0302\u0303n", 7, 4},              // stacked accents
		{"🏴\U000e0067\U000e0062\U000e007f", 8, 0}, // a flag's tag sequence
	}
	for _, tt := range tests {
		if got := Boundary(tt.s, tt.i); got != tt.want {
			t.Errorf("Boundary(%+q, %d) = %d; want %d", tt.s, tt.i, got, tt.want)
		}
	}
}

// TestRunes checks where a text is cut to n runes with its "…": nowhere
// when it has n runes or fewer, else after n-1 runes at most, never inside
// a character as a reader sees it, and at 0 when the first character alone
// is too long.
func TestRunes(t *testing.T) {
	for _, c := range []struct {
		s    string
		n    int
		want int
	}{
		{"harbour", 7, 7},              // exactly n runes: no cut
		{"harbour", 8, 7},              // fewer
		{"harbours", 7, 6},             // one more: six runes and the "…"
		{"ab👋🏽cd", 4, 2},               // not between the hand and its skin tone
		{"ab👋🏽cd", 5, 10},              // the hand and its tone whole
		{"🇳🇿🇦🇺", 4, 16},                // four runes, two flags: no cut
		{"🇳🇿🇦🇺x", 4, 8},                // a flag whole, not half of the next
		{"e\u0301\u0301\u0301x", 3, 0}, // the first character alone is too long
	} {
		if got := Runes(c.s, c.n); got != c.want {
			t.Errorf("Runes(%q, %d) = %d; want %d", c.s, c.n, got, c.want)
		}
	}
}
