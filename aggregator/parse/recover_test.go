package parse

import (
	"fmt"
	"strings"
	"testing"
)

// brokenFeed writes a feed of five items, the third of them damaged by
// bad, in the given format ("rss", "atom" or "rdf"), all on one line or
// with each item on a line of its own.
func brokenFeed(format, bad string, oneLine bool) string {
	sep := "\n"
	if oneLine {
		sep = ""
	}
	var head, item, tail string
	switch format {
	case "rss":
		head = `<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Broken Desk</title><link>https://broken.example/</link><description>Desk</description>`
		item = `<item><title>%s</title><link>https://broken.example/%d</link><guid>b%d</guid><description>Story %[2]d.</description></item>`
		tail = `</channel></rss>`
	case "atom":
		head = `<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Broken Log</title><id>urn:broken</id><link href="https://broken.example/"/><updated>2024-03-01T10:00:00Z</updated>`
		item = `<entry><title>%s</title><link href="https://broken.example/%d"/><id>b%d</id><updated>2024-03-01T10:00:00Z</updated><summary>Story %[2]d.</summary></entry>`
		tail = `</feed>`
	case "rdf":
		head = `<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"><channel rdf:about="https://broken.example/"><title>Broken Notes</title><link>https://broken.example/</link><description>Notes</description></channel>`
		item = `<item rdf:about="b%[3]d"><title>%[1]s</title><link>https://broken.example/%[2]d</link><description>Story %[2]d.</description></item>`
		tail = `</rdf:RDF>`
	}
	var b strings.Builder
	b.WriteString(head + sep)
	for i := 1; i <= 5; i++ {
		title := fmt.Sprintf("Story number %d", i)
		if i == 3 {
			title = bad
		}
		fmt.Fprintf(&b, item+sep, title, i, i)
	}
	b.WriteString(tail + sep)
	return b.String()
}

// TestParseBrokenMidway checks that a feed damaged in its third item keeps
// the two before it, whether the feed is written on one line, as generated
// feeds often are, or an item a line, and whatever its format.
func TestParseBrokenMidway(t *testing.T) {
	damage := map[string]string{
		"unescaped <":         "Story three a < b",
		"unterminated CDATA":  "<![CDATA[Story three",
		"unterminated quotes": `Story <em class="x>three</em>`,
	}
	for _, format := range []string{"rss", "atom", "rdf"} {
		for name, bad := range damage {
			for _, oneLine := range []bool{true, false} {
				doc := brokenFeed(format, bad, oneLine)
				what := fmt.Sprintf("%s, %s, one line %v", format, name, oneLine)
				f, err := Parse([]byte(doc), "", testFeedURL, "s", testNow, Options{})
				if err != nil {
					t.Errorf("%s: Parse error %v; want the items before the damage", what, err)
					continue
				}
				checkFeed(t, what, f)
				var got []string
				for _, it := range f.Items {
					got = append(got, it.Title)
				}
				if strings.Join(got, "|") != "Story number 1|Story number 2" {
					t.Errorf("%s: items %q; want the two before the damage", what, got)
				}
				if !strings.HasPrefix(f.Title, "Broken ") {
					t.Errorf("%s: feed title %q; want it kept", what, f.Title)
				}
				if f.Cut {
					t.Errorf("%s: Cut; want a feed damaged midway, which ends with its end tag, not taken for one that broke off", what)
				}
			}
		}
	}
}

// TestParseBrokenOff checks that a feed whose bytes stop in its third item
// (a connection closed early, where nothing said where the body ends)
// keeps the two items before, and is marked Cut, wherever in the item it
// stops; a whole feed, however it ends, is not.
func TestParseBrokenOff(t *testing.T) {
	for _, format := range []string{"rss", "atom", "rdf"} {
		for _, oneLine := range []bool{true, false} {
			whole := brokenFeed(format, "Story number 3", oneLine)
			// Behind a DOCTYPE with a subset, a comment and spaces too.
			whole = strings.Replace(whole, "?>", `?><!DOCTYPE x [<!ENTITY desk "Desk">]><!-- generated -->`, 1) + "\n\n"
			f, err := Parse([]byte(whole), "", testFeedURL, "s", testNow, Options{})
			if err != nil || len(f.Items) != 5 || f.Cut {
				t.Fatalf("%s, one line %v, whole: Parse = %v, Cut %v; want 5 items, not cut", format, oneLine, err, f != nil && f.Cut)
			}
			third := strings.Index(whole, "Story number 3")
			for _, at := range []int{third - 12, third, third + 20, third + 60} {
				what := fmt.Sprintf("%s, one line %v, cut at %d", format, oneLine, at)
				f, err := Parse([]byte(whole[:at]), "", testFeedURL, "s", testNow, Options{})
				if err != nil {
					t.Errorf("%s: Parse error %v; want the items before the cut", what, err)
					continue
				}
				if len(f.Items) != 2 || !f.Cut {
					t.Errorf("%s: %d items, Cut %v; want the 2 before the cut, and Cut", what, len(f.Items), f.Cut)
				}
			}
		}
	}
}

// TestParseDamageAfterItems checks that damage after the last item, in the
// channel's own elements, costs none of the items.
func TestParseDamageAfterItems(t *testing.T) {
	doc := strings.Replace(brokenFeed("rss", "Story number 3", true), `</channel>`, `<copyright>Desk & Co < 2024</copyright></channel>`, 1)
	f, err := Parse([]byte(doc), "", testFeedURL, "s", testNow, Options{})
	if err != nil || len(f.Items) != 5 {
		t.Fatalf("Parse = %v; want all 5 items", err)
	}
	checkFeed(t, "damage after items", f)
}

// TestParseBrokenMidwayTrailer checks that a feed damaged midway whose
// root element is followed by a comment or a processing instruction, as
// page caches append to what they serve, is not taken for one that broke
// off: it ended, and its validators are good.
func TestParseBrokenMidwayTrailer(t *testing.T) {
	trailers := []string{
		"<!-- served from cache in 0.012 seconds -->\n",
		"\n<!-- cached -->\n<!-- compressed -->",
		`<?cache-info hit="yes"?>`,
	}
	for _, format := range []string{"rss", "atom", "rdf"} {
		for _, trailer := range trailers {
			doc := brokenFeed(format, "Story three a < b", false) + trailer
			f, err := Parse([]byte(doc), "", testFeedURL, "s", testNow, Options{})
			if err != nil || len(f.Items) != 2 {
				t.Fatalf("%s, trailer %q: Parse = %v; want the 2 items before the damage", format, trailer, err)
			}
			if f.Cut {
				t.Errorf("%s, trailer %q: Cut; want a feed that ended with its root element's end tag, and a comment after it, not taken for one that broke off", format, trailer)
			}
		}
	}
	// One that broke off in an item is cut, whatever comes after.
	whole := brokenFeed("rss", "Story number 3", false)
	f, err := Parse([]byte(whole[:strings.Index(whole, "Story number 3")]+"<!-- tail -->"), "", testFeedURL, "s", testNow, Options{})
	if err != nil || !f.Cut {
		t.Errorf("broken off in an item, then a comment: Parse = %v, Cut %v; want Cut", err, f != nil && f.Cut)
	}
}
