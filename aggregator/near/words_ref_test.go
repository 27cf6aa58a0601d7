package near

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	unorm "golang.org/x/text/unicode/norm"
)

// eachWordUnicode is eachWord as it was before it read ASCII without the
// Unicode tables, and unshoutUnicode unshout. eachWord and unshout must
// return what they return for every input: TestWordsMatchUnicode and
// FuzzWordsMatchUnicode compare them.
func eachWordUnicode(s string, yield func(word) bool) {
	if !isNFC(s) {
		s = unorm.NFC.String(s)
	}
	sentenceStart := true
	i := 0
	for i < len(s) {
		r, n := rune(s[i]), 1
		if r >= utf8.RuneSelf {
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
		ascii, apostrophe := true, false
		first := r
		for i < len(s) {
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
		if !stopWords[norm] || w.acronym {
			w.term = stem(norm)
		}
		if !yield(w) {
			return
		}
		sentenceStart = false
	}
}

func unshoutUnicode(s string) string {
	upper, letters := 0, 0
	for _, r := range s {
		if unicode.IsLetter(r) {
			letters++
			if unicode.IsUpper(r) {
				upper++
			}
		}
	}
	if letters >= 12 && upper*10 > letters*6 {
		return strings.ToLower(s)
	}
	return s
}

func wordsUnicode(s string) []word {
	var out []word
	eachWordUnicode(s, func(w word) bool {
		out = append(out, w)
		return true
	})
	return out
}

func checkWordsMatchUnicode(t *testing.T, in string) {
	t.Helper()
	got, want := words(in), wordsUnicode(in)
	if len(got) != len(want) {
		t.Fatalf("words(%q) = %+v; the Unicode reading gives %+v", in, got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("words(%q)[%d] = %+v; the Unicode reading gives %+v", in, i, got[i], want[i])
		}
	}
	if got, want := unshout(in), unshoutUnicode(in); got != want {
		t.Fatalf("unshout(%q) = %q; the Unicode reading gives %q", in, got, want)
	}
}

func TestWordsMatchUnicode(t *testing.T) {
	for _, in := range wordSamples {
		checkWordsMatchUnicode(t, in)
	}
	// Every ASCII character, alone and between words.
	for c := range utf8.RuneSelf {
		checkWordsMatchUnicode(t, string(rune(c)))
		checkWordsMatchUnicode(t, "Ab"+string(rune(c))+"cD 9"+string(rune(c))+"x")
	}
}

// FuzzWordsMatchUnicode checks that eachWord and unshout, which read ASCII
// without the Unicode tables, return what the Unicode reading returns.
func FuzzWordsMatchUnicode(f *testing.F) {
	for _, s := range wordSamples {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		checkWordsMatchUnicode(t, in)
	})
}

var wordSamples = []string{
	"",
	"Mayor says the U.S. will leave the W.H.O. today: \"No.\" Why? Floyd's didn't",
	"THE MINISTER SAID ON TUESDAY THAT 22K PEOPLE LEFT | Reuters",
	"rock'n'roll 'quoted' O'Neill's x' 1990s 3.5% $12bn",
	"Ha\u0300 No\u0302\u0323i khởi công cầu, Ελλάδα ΠΛΟΙΑ",
	"東京湾を震源とする地震、都内で震度５弱。マグニチュード５．３",
	"台风“海葵”登陆台湾东部，第4号台风",
	"น้ำท่วมหนักในเชียงใหม่ ประชาชนกว่า 3,200 ครัวเรือน",
	"caf\u00e9 Ca\u0301fe\u0301 \u2019s Trump\u2019s and Biden\u02bcs",
	"\u0301\u0e49ก\xff\u30fcー",
}
