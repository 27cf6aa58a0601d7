package near

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	unorm "golang.org/x/text/unicode/norm"
)

// FuzzText checks Text on any input: no panic, valid UTF-8 out, no empty or
// untrimmed lines, and Text of its own output is that output.
func FuzzText(f *testing.F) {
	for _, s := range []string{
		"",
		"<p>Crowds gathered.</p><p>Police said &quot;stay home&quot;.</p>",
		"Must read\nFriday, May 29, 2020 12°C New York\n- Advertisement -\nText […]",
		"<div><script>var x = '<p>';</script>a &lt;b&gt; &amp;amp; c</div>",
		"<nav>menu<nav>nested</nav></nav>tail",
		"\xff\xfe<br/>\x00\r\n&#0;&#xD800;",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := Text(in)
		if !utf8.ValidString(out) {
			t.Fatalf("Text(%q) = %q: not valid UTF-8", in, out)
		}
		for _, l := range Lines(out) {
			if l == "" || strings.TrimSpace(l) != l {
				t.Fatalf("Text(%q) = %q: empty or untrimmed line %q", in, out, l)
			}
		}
		if again := Text(out); again != out {
			t.Fatalf("Text(Text(%q)) = %q; want %q", in, again, out)
		}
	})
}

// FuzzTextMatchesTwoPass checks that Text, which reads a fragment once,
// returns what the two-pass textTwoPass returns.
func FuzzTextMatchesTwoPass(f *testing.F) {
	for _, s := range textSamples {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		if got, want := Text(in), textTwoPass(in); got != want {
			t.Fatalf("Text(%q) = %q; the two-pass reading gives %q", in, got, want)
		}
	})
}

// textSamples are fragments whose line breaks depend on the markup around
// them.
var textSamples = []string{
	"",
	"line one\nline two",
	"line one\nline two<b>bold</b>",
	"line one\nline two<br>three",
	"<p>a\nb</p>\nc",
	"a\n<script>\n<p>x</p>\n</script>\nb",
	"a\n<!-- <p> -->\nb",
	"<nav>menu\nitems</nav>\ntail",
	"<a title=\"<p>\">x\ny</a>",
	"a\n</p>b",
	"<img src=x>a\nb",
	"&lt;p&gt;a\nb",
	"\xff\n<div>\xfe</div>",
}

// FuzzWords checks words on any input: no panic, every word valid UTF-8
// and not empty, a term only where the word has one, and the words of the
// text in NFD those of the text in NFC.
func FuzzWords(f *testing.F) {
	for _, s := range []string{
		"Mayor says the U.S. will leave the W.H.O.",
		"Ha\u0300 No\u0302\u0323i khởi công cầu",
		"東京湾を震源とする地震、都内で震度５弱。マグニチュード５．３",
		"台风“海葵”登陆台湾东部，第4号台风",
		"น้ำท่วมหนักในเชียงใหม่ ประชาชนกว่า 3,200 ครัวเรือน",
		"한국은행, 기준금리 연 2.75%로 동결",
		"\u0301\u0e49ก\xff\u30fcー",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		if !utf8.ValidString(in) {
			in = strings.ToValidUTF8(in, "\uFFFD")
		}
		var got []string
		for _, w := range words(in) {
			if w.norm == "" || !utf8.ValidString(w.norm) {
				t.Fatalf("words(%q) has the word %q", in, w.norm)
			}
			if w.term != "" && !utf8.ValidString(w.term) {
				t.Fatalf("words(%q) has the term %q", in, w.term)
			}
			got = append(got, w.norm)
		}
		var nfd []string
		for _, w := range words(unorm.NFD.String(in)) {
			nfd = append(nfd, w.norm)
		}
		if !slices.Equal(got, nfd) && unorm.NFC.String(unorm.NFD.String(in)) == unorm.NFC.String(in) {
			t.Fatalf("words(%q) = %q; in NFD %q", in, got, nfd)
		}
	})
}
