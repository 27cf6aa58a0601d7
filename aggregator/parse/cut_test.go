package parse

import (
	"fmt"
	"html"
	"strings"
	"testing"
	"unicode/utf8"

	nethtml "golang.org/x/net/html"
)

func TestCutHTML(t *testing.T) {
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
		if got := cutHTML(tt.in, tt.max); got != tt.want {
			t.Errorf("%s: cutHTML(%q, %d) = %q; want %q", tt.name, tt.in, tt.max, got, tt.want)
		}
	}
}

// TestHugeItem: an item of megabytes keeps its first maxHTML bytes, cut
// where HTML allows, and the items beside it keep all of theirs.
func TestHugeItem(t *testing.T) {
	var para strings.Builder
	for i := range 20000 {
		fmt.Fprintf(&para, "<p>Paragraph %d of a <b>very</b> long &amp; hostile article.</p>", i)
	}
	huge := para.String()
	body := `<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>https://site.example/</link><description>d</description>` +
		`<item><title>Huge</title><link>https://site.example/huge</link><description>` + html.EscapeString(huge) + `</description></item>` +
		`<item><title>Small</title><link>https://site.example/small</link><description>&lt;p&gt;A short report.&lt;/p&gt;</description></item>` +
		`</channel></rss>`
	f, err := Parse([]byte(body), "application/rss+xml", testFeedURL, "src1", testNow, Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkFeed(t, "huge", f)
	if len(f.Items) != 2 {
		t.Fatalf("got %d items; want 2", len(f.Items))
	}
	got := f.Items[0].Summary + f.Items[0].Content
	if len(huge) <= maxHTML {
		t.Fatalf("the test item is %d bytes; want more than %d", len(huge), maxHTML)
	}
	if len(got) > maxHTML+64 || len(got) < maxHTML-256 {
		t.Errorf("huge item keeps %d bytes; want about %d", len(got), maxHTML)
	}
	if !strings.HasPrefix(got, "<p>Paragraph 0 of a <b>very</b> long &amp; hostile article.</p>") || !strings.Contains(got[len(got)-16:], ellipsis) {
		t.Errorf("huge item = %.80q … %q; want its start, and an ellipsis where it was cut", got, got[max(0, len(got)-40):])
	}
	if open := unclosed(got); len(open) != 0 {
		t.Errorf("huge item leaves %v open", open)
	}
	if small := f.Items[1].Summary + f.Items[1].Content; small != "<p>A short report.</p>" {
		t.Errorf("small item = %q; want it whole", small)
	}
}

// unclosed returns the elements that s opens more often than it closes,
// counted by name (void elements aside).
func unclosed(s string) []string {
	opened := map[string]int{}
	z := nethtml.NewTokenizer(strings.NewReader(s))
	for tt := z.Next(); tt != nethtml.ErrorToken; tt = z.Next() {
		name, _ := z.TagName()
		switch {
		case tt == nethtml.StartTagToken && !voidElements[string(name)]:
			opened[string(name)]++
		case tt == nethtml.EndTagToken:
			opened[string(name)]--
		}
	}
	var out []string
	for name, n := range opened {
		if n > 0 {
			out = append(out, name)
		}
	}
	return out
}

// FuzzCutHTML holds cutHTML to its promises on any sanitised HTML: within
// max plus the end tags it adds, valid UTF-8, every element closed, nothing
// unsafe, and the input itself when it fits.
func FuzzCutHTML(f *testing.F) {
	f.Add("<p>one <b>two</b> three &amp; four</p><ul><li>five</li></ul>", 20)
	f.Add("<div><p>ééé ëëë</p></div>", 9)
	f.Add("plain words only", 5)
	for _, p := range xssPayloads {
		f.Add(p, 16)
	}
	f.Fuzz(func(t *testing.T, in string, max int) {
		if max < 0 || max > 1<<16 {
			return
		}
		s := Sanitize(in, "https://site.example/")
		got := cutHTML(s, max)
		if len(s) <= max {
			if got != s {
				t.Fatalf("cutHTML(%q, %d) = %q; want it unchanged", s, max, got)
			}
			return
		}
		if !utf8.ValidString(got) {
			t.Fatalf("cutHTML(%q, %d) = %q: invalid UTF-8", s, max, got)
		}
		if open := unclosed(got); len(open) != 0 {
			t.Fatalf("cutHTML(%q, %d) = %q leaves %v open", s, max, got, open)
		}
		if why := unsafeHTML(got); why != "" {
			t.Fatalf("cutHTML(%q, %d) = %q: unsafe: %s", s, max, got, why)
		}
		body := strings.TrimSuffix(strings.TrimRight(got, "</>abcdefghijklmnopqrstuvwxyz0123456789"), ellipsis)
		if len(body) > max {
			t.Fatalf("cutHTML(%q, %d) = %q: %d bytes before its end tags", s, max, got, len(body))
		}
	})
}
