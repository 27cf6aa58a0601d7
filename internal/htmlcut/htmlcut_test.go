package htmlcut

import "testing"

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
		{"nested", "<div><p><b>bold</b> text and more text</p></div>", 27, "<div><p><b>bold</b> text …</p></div>"},
		{"void elements stay unclosed", "<p>a<br>b<img src=\"x\"> c d e f g</p>", 26, "<p>a<br>b<img src=\"x\"> c …</p>"},
		{"no character reference cut", "<p>one &amp; two</p>", 11, "<p>one …</p>"},
		{"no rune cut", "<p>ééééé</p>", 8, "<p>éé…</p>"},
		{"stray end tag", "<p>a</b> b c d e</p>", 12, "<p>a</b> b …</p>"},
		{"text alone", "one two three", 8, "one two …"},
		{"no word cut", "<p>one</p> three four", 14, "<p>one</p> …"},
		{"misnested", "<p>a<b>bb</p> cc dd ee", 16, "<p>a<b>bb</p> …</b>"},
	}
	for _, tt := range tests {
		if got := Cut(tt.in, tt.max); got != tt.want {
			t.Errorf("%s: Cut(%q, %d) = %q; want %q", tt.name, tt.in, tt.max, got, tt.want)
		}
	}
}
