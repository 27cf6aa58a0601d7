package parse

import (
	"fmt"
	"html"
	"strings"
	"testing"
	"unicode/utf8"

	nethtml "golang.org/x/net/html"

	"github.com/tributary-feeds/tributary/internal/htmlcut"
)

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
	if !strings.HasPrefix(got, "<p>Paragraph 0 of a <b>very</b> long &amp; hostile article.</p>") || !strings.Contains(got[len(got)-16:], htmlcut.Ellipsis) {
		t.Errorf("huge item = %.80q … %q; want its start, and an ellipsis where it was cut", got, got[max(0, len(got)-40):])
	}
	if open := unclosed(got); len(open) != 0 {
		t.Errorf("huge item leaves %v open", open)
	}
	if small := f.Items[1].Summary + f.Items[1].Content; small != "<p>A short report.</p>" {
		t.Errorf("small item = %q; want it whole", small)
	}
}

// TestHugeNestedItem: an item whose HTML nests elements thousands deep
// keeps no more than maxHTML bytes either, end tags included, where the
// end tags of what it kept took it to twice that and more.
func TestHugeNestedItem(t *testing.T) {
	for _, nest := range []string{"<b>", "<div><p>", "<ul><li>item "} {
		huge := strings.Repeat(nest, 400000/len(nest)) + "end"
		body := `<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>https://site.example/</link><description>d</description>` +
			`<item><title>Nested</title><link>https://site.example/nested</link><description>` + html.EscapeString(huge) + `</description></item>` +
			`</channel></rss>`
		f, err := Parse([]byte(body), "application/rss+xml", testFeedURL, "src1", testNow, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if len(f.Items) != 1 {
			t.Fatalf("%s: got %d items; want 1", nest, len(f.Items))
		}
		got := f.Items[0].Summary + f.Items[0].Content
		if len(got) > maxHTML+len(htmlcut.Ellipsis) || len(got) < maxHTML/2 {
			t.Errorf("%s nested: the item keeps %d bytes; want at most %d", nest, len(got), maxHTML)
		}
		if open := unclosed(got); len(open) != 0 {
			t.Errorf("%s nested: the item leaves %v open", nest, open)
		}
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
		case tt == nethtml.StartTagToken && !htmlcut.VoidElements[string(name)]:
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

// FuzzCutHTML holds htmlcut.Cut to its promises on any sanitised HTML: within
// max, end tags included, but for the ellipsis, valid UTF-8, every element
// closed, nothing unsafe, and the input itself when it fits.
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
		got := htmlcut.Cut(s, max)
		if len(s) <= max {
			if got != s {
				t.Fatalf("htmlcut.Cut(%q, %d) = %q; want it unchanged", s, max, got)
			}
			return
		}
		if !utf8.ValidString(got) {
			t.Fatalf("htmlcut.Cut(%q, %d) = %q: invalid UTF-8", s, max, got)
		}
		if open := unclosed(got); len(open) != 0 {
			t.Fatalf("htmlcut.Cut(%q, %d) = %q leaves %v open", s, max, got, open)
		}
		if why := unsafeHTML(got); why != "" {
			t.Fatalf("htmlcut.Cut(%q, %d) = %q: unsafe: %s", s, max, got, why)
		}
		if len(got) > max+len(htmlcut.Ellipsis) {
			t.Fatalf("htmlcut.Cut(%q, %d) = %q: %d bytes with its end tags", s, max, got, len(got))
		}
	})
}

// TestLongTitleClosesIsolate: a title cut to its most runes still closes
// the isolate it opens, which would otherwise turn around what a reader
// shows after it (the source's name, the date).
func TestLongTitleClosesIsolate(t *testing.T) {
	long := "&#x2067;" + strings.Repeat("word ", 100)
	body := `<?xml version="1.0"?><rss version="2.0"><channel><title>` + long + `</title><link>https://site.example/</link><description>d</description>` +
		`<item><title>` + long + `</title><link>https://site.example/long</link><description>A report.</description></item>` +
		`</channel></rss>`
	f, err := Parse([]byte(body), "application/rss+xml", testFeedURL, "src1", testNow, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Items) != 1 {
		t.Fatalf("got %d items; want 1", len(f.Items))
	}
	for what, title := range map[string]string{"feed": f.Title, "item": f.Items[0].Title} {
		if !strings.HasSuffix(title, "\u2069") || utf8.RuneCountInString(title) > maxTitle+1 {
			t.Errorf("%s title %q: want it cut to about %d runes and ending in U+2069, which closes its isolate", what, title, maxTitle)
		}
	}
}

// TestLongTitleKeepsCharactersWhole: a title cut to its most runes is cut
// between two characters as a reader sees them, where a cut between runes
// left half a flag (a letter in a box), a hand without its skin tone, an
// Indic consonant without the conjunct it began, or a Hangul syllable
// without its vowel.
func TestLongTitleKeepsCharactersWhole(t *testing.T) {
	tests := []struct {
		name    string
		char    string
		partial int // runes of char that a cut at maxTitle-1 runes would keep
	}{
		{"family emoji", "👨\u200d👩\u200d👧", 2},
		{"family emoji, at its joiner", "👨\u200d👩\u200d👧", 3},
		{"flag", "🇫🇷", 1},
		{"skin tone", "👋🏽", 1},
		{"Devanagari conjunct", "क्ष", 2},
		{"Devanagari conjunct, at its virama", "क्ष", 1},
		{"Bengali vowel sign", "কি", 1},
		{"Hangul jamo", "\u1112\u1161\u11ab", 2},
		{"Thai vowel am", "น้ำ", 2},
		{"combining accents", "e\u0302\u0301", 1},
	}
	for _, tt := range tests {
		pad := strings.Repeat("a", maxTitle-1-tt.partial)
		title := pad + tt.char + " and more words after it"
		body := `<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>https://site.example/</link><description>d</description>` +
			`<item><title>` + title + `</title><link>https://site.example/long</link><description>A report.</description></item>` +
			`</channel></rss>`
		f, err := Parse([]byte(body), "application/rss+xml", testFeedURL, "src1", testNow, Options{})
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if len(f.Items) != 1 {
			t.Fatalf("%s: got %d items; want 1", tt.name, len(f.Items))
		}
		if got, want := f.Items[0].Title, pad+"…"; got != want {
			t.Errorf("%s: title ends %q; want %q, the character whole or left out", tt.name, got[len(pad)-3:], want[len(pad)-3:])
		}
	}
}

// TestDerivedTitleEnds: a title made of the first words of an item's text
// ends in one ellipsis, and closes the isolate those words leave open,
// where long words gave a title ending in "……", and the twelve words of
// a right-to-left text whose isolate closed after them left it open.
func TestDerivedTitleEnds(t *testing.T) {
	long := strings.Repeat("x", 60)
	tests := []struct{ text, want string }{
		{strings.Repeat(long+" ", 20), strings.Repeat(long+" ", 4) + long[:299-4*61] + "…"},
		{"&#x2067;" + strings.Repeat("كلمة ", 20) + "&#x2069; end", "\u2067" + strings.TrimSpace(strings.Repeat("كلمة ", 12)) + "…\u2069"},
	}
	for _, tt := range tests {
		body := `<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>https://site.example/</link><description>d</description>` +
			`<item><link>https://site.example/a</link><description>` + tt.text + `</description></item>` +
			`</channel></rss>`
		f, err := Parse([]byte(body), "application/rss+xml", testFeedURL, "src1", testNow, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if len(f.Items) != 1 {
			t.Fatalf("got %d items; want 1", len(f.Items))
		}
		if got := f.Items[0].Title; got != tt.want {
			t.Errorf("title of an item without one, from %.40q…: got %q; want %q", tt.text, got, tt.want)
		}
	}
}

// TestTitleOfMaxRunesKeptWhole checks that a title of exactly maxTitle
// runes, more bytes than runes, is kept whole, and one a rune longer is
// cut to maxTitle runes with its "…".
func TestTitleOfMaxRunesKeptWhole(t *testing.T) {
	for _, n := range []int{maxTitle, maxTitle + 1} {
		title := strings.Repeat("é", n-1) + "z"
		body := `<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>https://site.example/</link><description>d</description>` +
			`<item><title>` + title + `</title><link>https://site.example/long</link><description>A report.</description></item>` +
			`</channel></rss>`
		f, err := Parse([]byte(body), "application/rss+xml", testFeedURL, "src1", testNow, Options{})
		if err != nil || len(f.Items) != 1 {
			t.Fatalf("title of %d runes: %v, items %v", n, err, f)
		}
		want := title
		if n > maxTitle {
			want = strings.Repeat("é", maxTitle-1) + "…"
		}
		if got := f.Items[0].Title; got != want {
			t.Errorf("title of %d runes published as %d runes ending %q; want %d ending %q",
				n, utf8.RuneCountInString(got), string([]rune(got)[utf8.RuneCountInString(got)-2:]), utf8.RuneCountInString(want), string([]rune(want)[utf8.RuneCountInString(want)-2:]))
		}
	}
}
