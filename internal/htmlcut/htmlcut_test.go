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
