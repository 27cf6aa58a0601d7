package near

import (
	"strings"
	"testing"
	"unicode/utf8"
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
