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
