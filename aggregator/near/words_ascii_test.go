package near

import (
	"testing"
	"unicode/utf8"
)

// unicodeReading returns what f returns when eachWord and unshout read
// every character by the Unicode tables, as they did before they read
// ASCII by asciiClass.
func unicodeReading[T any](f func() T) T {
	saved := asciiClass
	asciiClass = [utf8.RuneSelf]uint8{} // every class asciiUnicode
	defer func() { asciiClass = saved }()
	return f()
}

func checkWordsMatchUnicode(t *testing.T, in string) {
	t.Helper()
	got, want := words(in), unicodeReading(func() []word { return words(in) })
	if len(got) != len(want) {
		t.Fatalf("words(%q) = %+v; the Unicode reading gives %+v", in, got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("words(%q)[%d] = %+v; the Unicode reading gives %+v", in, i, got[i], want[i])
		}
	}
	if got, want := unshout(in), unicodeReading(func() string { return unshout(in) }); got != want {
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
