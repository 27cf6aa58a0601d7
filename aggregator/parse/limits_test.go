package parse

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/mmcdole/gofeed"
)

// nestedFeed is an RSS feed with one item holding an extension element
// nested depth deep, then the item's title.
func nestedFeed(depth int) []byte {
	var b strings.Builder
	b.WriteString(`<rss version="2.0" xmlns:x="urn:x"><channel><title>Deep</title><item><guid>d</guid>`)
	b.WriteString(strings.Repeat("<x:a>", depth))
	b.WriteString(strings.Repeat("</x:a>", depth))
	b.WriteString(`<title>Nested</title></item></channel></rss>`)
	return []byte(b.String())
}

// namespacedFeed is an RSS feed whose channel declares decls namespaces and
// whose one item holds elems empty elements.
func namespacedFeed(decls, elems int) []byte {
	var b strings.Builder
	b.WriteString(`<rss version="2.0"><channel`)
	for i := range decls {
		fmt.Fprintf(&b, ` xmlns:p%d="urn:p%d"`, i, i)
	}
	b.WriteString(`><title>Spaces</title><item><guid>n</guid><title>Many</title>`)
	b.WriteString(strings.Repeat("<p0:e/>", elems))
	b.WriteString(`</item></channel></rss>`)
	return []byte(b.String())
}

// TestParseTooComplex checks that a feed the XML reader could not read in
// bounded time and memory fails with a reason, before it is read: nested a
// hundred thousand deep (a few million deep overflows the stack and stops
// the process, a hundred thousand cost 130 MB), or with thousands of
// namespaces over thousands of elements.
func TestParseTooComplex(t *testing.T) {
	tests := []struct {
		name string
		body []byte
		msg  string
	}{
		{"nested", nestedFeed(100_000), "document too complex: elements nested more than 512 deep"},
		{"nested in a comment's shadow", // the DOCTYPE's quoted "<!--" opens no comment
			append([]byte(`<!DOCTYPE rss [<!ENTITY c "<!--">]>`), nestedFeed(5_000)...), "nested more than 512 deep"},
		{"namespaces", namespacedFeed(2_000, 2_200), "document too complex: more than 4194304 namespace bindings in scope"},
		// 1.7 million of them in a 10 MB feed held 540 MB.
		{"extension elements", namespacedFeed(1, 250_000), "document too complex: more than 50000 elements of other namespaces"},
		{"elements declaring a namespace", []byte(`<rss version="2.0"><channel><title>D</title><item><title>I</title>` +
			strings.Repeat(`<a xmlns="urn:x"/>`, 250_000) + `</item></channel></rss>`), "more than 50000 elements of other namespaces"},
		{"elements under a namespace", []byte(`<rss version="2.0"><channel><title>D</title><item xmlns="urn:x"><title>I</title>` +
			strings.Repeat(`<a/>`, 250_000) + `</item></channel></rss>`), "more than 50000 elements of other namespaces"},
		// 600,000 of them in one entry (9.6 MB) held 216 MB.
		{"elements of the feed's own", []byte(`<feed xmlns="http://www.w3.org/2005/Atom"><title>L</title><entry><id>1</id><title>E</title>` +
			strings.Repeat(`<link href="h"/>`, 300_000) + `</entry></feed>`), "document too complex: more than 250000 elements"},
		{"own elements over many items", []byte(`<rss version="2.0"><channel><title>D</title>` +
			strings.Repeat(`<item><title>I</title>`+strings.Repeat(`<category>c</category>`, 600)+`</item>`, 450) + `</channel></rss>`),
			"more than 250000 elements"},
	}
	for _, tt := range tests {
		_, err := Parse(tt.body, "application/rss+xml", testFeedURL, "s", testNow, Options{})
		if !errors.Is(err, ErrTooComplex) || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("%s: Parse error = %v; want ErrTooComplex saying %q", tt.name, err, tt.msg)
		}
	}

	// Below the limits, and with a sloppy document whose unclosed tags
	// the quick scan cannot pair up, the feed is read.
	var sloppy strings.Builder
	sloppy.WriteString(`<rss version="2.0"><channel><title>Sloppy</title>`)
	for i := range 600 {
		fmt.Fprintf(&sloppy, `<item><guid>s%d</guid><title>Item %d</title><description>one<br>two<p>three</description></item>`, i, i)
	}
	sloppy.WriteString(`</channel></rss>`)
	for _, tt := range []struct {
		name  string
		body  []byte
		items int
	}{
		{"nested 400 deep", nestedFeed(400), 1},
		{"40 namespaces", namespacedFeed(40, 50_000), 1},
		{"sloppy", []byte(sloppy.String()), 600},
	} {
		f, err := Parse(tt.body, "", testFeedURL, "s", testNow, Options{MaxItems: 1000})
		if err != nil || len(f.Items) != tt.items {
			t.Errorf("%s: Parse = %v; want %d items", tt.name, err, tt.items)
			continue
		}
		checkFeed(t, tt.name, f)
	}
}

// TestParseManyItemsCut checks that max_items bounds the work on a feed of
// tens of thousands of tiny items, XML or JSON: the document is cut after
// them, before the feed parser builds the rest.
func TestParseManyItemsCut(t *testing.T) {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0"?><rss version="2.0"><channel><title>Crowd</title><link>https://crowd.example/</link>`)
	for i := range 50_000 {
		fmt.Fprintf(&b, "<item><guid>%d</guid><title>T%d</title></item>\n", i, i)
	}
	b.WriteString(`</channel></rss>`)
	body := b.Bytes()

	var f *Feed
	var err error
	allocs := testing.AllocsPerRun(1, func() {
		f, err = Parse(body, "", testFeedURL, "s", testNow, Options{MaxItems: 20})
	})
	if err != nil || f.Title != "Crowd" || f.SiteURL != "https://crowd.example/" || len(f.Items) != 20 ||
		f.Items[0].GUID != "0" || f.Items[19].GUID != "19" {
		t.Fatalf("Parse = %+v, %v; want the channel and its first 20 items", f, err)
	}
	// Reading all 50,000 items takes about two million allocations.
	if allocs > 20_000 {
		t.Errorf("Parse of 50,000 items with MaxItems 20 made %.0f allocations; the rest should be cut unread", allocs)
	}

	// An Atom feed is cut the same way, after its entries.
	b.Reset()
	b.WriteString(`<feed xmlns="http://www.w3.org/2005/Atom"><title>Atoms</title>`)
	for i := range 100 {
		fmt.Fprintf(&b, "<entry><id>e%d</id><title>E%d</title></entry>", i, i)
	}
	b.WriteString(`</feed>`)
	f, err = Parse(b.Bytes(), "", testFeedURL, "s", testNow, Options{MaxItems: 3})
	if err != nil || f.Title != "Atoms" || len(f.Items) != 3 || f.Items[2].GUID != "e2" {
		t.Errorf("Parse(Atom, MaxItems 3) = %+v, %v; want the first 3 entries", f, err)
	}

	// And a JSON Feed, after the items of its array.
	b.Reset()
	b.WriteString(`{"version":"https://jsonfeed.org/version/1.1","title":"Jason","hubs":[{"type":"WebSub","url":"https://hub.example/"}],"items":[`)
	for i := range 50_000 {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":"j%d","content_text":"Item %d"}`, i, i)
	}
	b.WriteString(`]}`)
	body = bytes.Clone(b.Bytes())
	allocs = testing.AllocsPerRun(1, func() {
		f, err = Parse(body, "", testFeedURL, "s", testNow, Options{MaxItems: 20})
	})
	if err != nil || f.Title != "Jason" || f.Hub != "https://hub.example/" || len(f.Items) != 20 || f.Items[19].GUID != "j19" {
		t.Fatalf("Parse(JSON Feed, MaxItems 20) = %+v, %v; want the feed and its first 20 items", f, err)
	}
	if allocs > 20_000 {
		t.Errorf("Parse of a JSON Feed of 50,000 items with MaxItems 20 made %.0f allocations; the rest should be cut unread", allocs)
	}
}

// FuzzScanXML holds the quick scan to what the limits rely on: it never
// counts less than the decoder, so a document it lets through is within
// the limits, and it takes for a feed every document gofeed takes for one.
func FuzzScanXML(f *testing.F) {
	for _, s := range []string{
		`<rss><channel><item><x:a xmlns:x="u"><x:a/></x:a></item></channel></rss>`,
		`<!DOCTYPE rss [<!ENTITY c "<!--">]><rss><a><b><c/></b></a></rss>`,
		`<!DOCTYPE feed [<!ELEMENT feed ANY> <!-- > -->]><feed><entry/></feed>`,
		`<?xml version="1.0"?><!-- <rss> --><rdf:RDF xmlns:rdf="r"><item/></rdf:RDF>`,
		`<rss a="x"xmlns:p="u" b='>'><c xmlns='v'/></rss>`,
		`<rss><![CDATA[<a><b><c>]]><d><e></d></e></rss>`,
		`<feed><p>one<br>two</feed>`,
		`<html><body><rss></rss></body></html>`,
		`{"items":[{"content_html":"<rss><a><b>"}]}`,
		`<rdf:RDF xmlns="urn:rss1" xmlns:rdf="urn:rdf"><channel/><item/><rdf:li/></rdf:RDF>`,
		`<rss><item xmlns="urn:x"><a/><b xmlns=""/></item><x:c xmlns:x="urn:y"/></rss>`,
		`<feed xmlns="urn:atom"><entry><a xmlns='urn:x'><b></a><c/></entry></feed>`,
		// Attributes without a value, or without white space between them.
		`<rss xmlns:x="urn:x"><x:a b c d/><x:e f="1"g='2'/></rss>`,
	} {
		f.Add([]byte(s))
	}
	lim := xmlLimits{depth: 3, bindings: 4, extensions: 2, elements: maxElements}
	f.Fuzz(func(t *testing.T, b []byte) {
		s := scanXML(b, 1<<30, lim)
		if s.feed && !s.over && s.extensions <= lim.extensions {
			if err := checkXML(b, lim); err != nil {
				t.Fatalf("scanXML found the document within %+v, but the decoder finds %v", lim, err)
			}
		}
		if s.feed {
			// The scan counts no fewer elements than the decoder reads.
			d, n := feedDecoder(b), 0
			for {
				tok, err := d.Token()
				if err != nil {
					break
				}
				if _, ok := tok.(xml.StartElement); ok {
					n++
				}
			}
			if s.elements < n {
				t.Fatalf("scanXML counts %d elements, the decoder reads %d", s.elements, n)
			}
		}
		if !s.feed {
			if ft := gofeed.DetectFeedType(bytes.NewReader(b)); ft == gofeed.FeedTypeRSS || ft == gofeed.FeedTypeAtom {
				t.Fatalf("scanXML takes the document for no feed, gofeed for %v", ft)
			}
		}
	})
}

// TestExtensionAttributes checks that extension elements count with their
// attributes, which the parser keeps as well: 13,000 elements of three
// attributes each (52,000 in all) are refused, 12,000 (48,000) are read,
// and so is a podcast of 500 richly tagged episodes, which real feeds do
// not go beyond.
func TestExtensionAttributes(t *testing.T) {
	feed := func(n int) []byte {
		return []byte(`<rss version="2.0" xmlns:m="urn:m"><channel><title>M</title><item><title>I</title>` +
			strings.Repeat(`<m:x a="1" b="2" c="3"/>`, n) + `</item></channel></rss>`)
	}
	if _, err := Parse(feed(13_000), "", testFeedURL, "s", testNow, Options{}); !errors.Is(err, ErrTooComplex) ||
		!strings.Contains(err.Error(), "more than 50000 elements of other namespaces than the feed's, counted with their attributes") {
		t.Errorf("13,000 elements of three attributes: Parse error = %v; want ErrTooComplex", err)
	}
	if f, err := Parse(feed(12_000), "", testFeedURL, "s", testNow, Options{}); err != nil || len(f.Items) != 1 {
		t.Errorf("12,000 elements of three attributes: Parse = %v; want the item", err)
	}

	var b strings.Builder
	b.WriteString(`<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" xmlns:podcast="https://podcastindex.org/namespace/1.0" xmlns:media="http://search.yahoo.com/mrss/"><channel><title>Cast</title>`)
	for i := range 500 {
		fmt.Fprintf(&b, `<item><title>Episode %d</title><guid>e%d</guid>`+
			`<itunes:title>Episode %d</itunes:title><itunes:author>Host</itunes:author><itunes:subtitle>Talk</itunes:subtitle>`+
			`<itunes:summary>About it</itunes:summary><itunes:duration>3600</itunes:duration><itunes:explicit>false</itunes:explicit>`+
			`<itunes:episode>%d</itunes:episode><itunes:season>2</itunes:season><itunes:episodeType>full</itunes:episodeType>`+
			`<itunes:image href="https://cast.example/%d.jpg"/><media:content url="https://cast.example/%d.mp3" type="audio/mpeg" fileSize="1000" medium="audio"/>`+
			`<podcast:transcript url="https://cast.example/%d.vtt" type="text/vtt"/><podcast:chapters url="https://cast.example/%d.json" type="application/json+chapters"/>`+
			`<podcast:person role="host" img="https://cast.example/h.jpg">Host</podcast:person><podcast:person role="guest">Guest %d</podcast:person></item>`,
			i, i, i, i, i, i, i, i, i)
	}
	b.WriteString(`</channel></rss>`)
	f, err := Parse([]byte(b.String()), "", testFeedURL, "s", testNow, Options{MaxItems: 500})
	if err != nil || len(f.Items) != 500 {
		t.Errorf("a podcast of 500 episodes: Parse = %v; want its 500 items", err)
	}
}

// TestReadBudget checks that documents heavy with extension elements take
// their share of the budget that bounds what is held at once, and give it
// back, while light ones take none.
func TestReadBudget(t *testing.T) {
	release := reserve(readBudget)
	if reading.TryAcquire(1) {
		reading.Release(1)
		t.Fatalf("with the whole budget taken, a heavy document would still be read")
	}
	release()
	light := reserve(heavyExtensions)
	if !reading.TryAcquire(readBudget) {
		t.Fatalf("a light document took some of the budget, or a release gave none back")
	}
	reading.Release(readBudget)
	light()
}

// TestUnclosedLinks checks that an item of many links that are never closed
// is read in memory that grows with its length: each link's text ends where
// the next link begins, as a browser ends it, rather than at the end of the
// item. Read to the end, the texts of the five thousand links here took
// nearly two gigabytes, and a few megabytes of such links more memory than a
// machine has, and hours of a core.
func TestUnclosedLinks(t *testing.T) {
	item := func(html string) string {
		return `<item><guid>u</guid><title>Links</title><description><![CDATA[` + html + `]]></description></item>`
	}
	feed := func(items ...string) []byte {
		return []byte(`<rss version="2.0"><channel><title>Unclosed</title>` + strings.Join(items, "") + `</channel></rss>`)
	}

	body := feed(item(strings.Repeat(`<a href="https://links.example/x">word `, 5_000)))
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f, err := Parse(body, "application/rss+xml", testFeedURL, "s", testNow, Options{})
	runtime.ReadMemStats(&after)
	if err != nil || len(f.Items) != 1 {
		t.Fatalf("Parse = %v; want the item read", err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<20 {
		t.Errorf("parsing %d bytes of unclosed links allocated %d MiB; want a small multiple of the item", len(body), alloc>>20)
	}

	// A link's text is its own: "Source" credits the original
	// even though the next link begins before it is closed.
	f, err = Parse(feed(item(`<p>A re-post. <a href="https://origin.example/2026/story">Source`+
		`<a href="https://origin.example/about">about us</a></p>`)), "application/rss+xml", testFeedURL, "s", testNow, Options{})
	if err != nil || len(f.Items) != 1 {
		t.Fatalf("Parse = %v; want the item read", err)
	}
	if got, want := f.Items[0].OriginLinks, []string{"https://origin.example/2026/story"}; !slices.Equal(got, want) {
		t.Errorf("OriginLinks = %q; want %q", got, want)
	}
}

// TestScanEntryLanguages checks that the scan before the feed parser reads
// each Atom entry's own xml:lang, in order and only an entry's: nothing at
// all (nil) when xml:lang appears only inside entries, an entry without one
// as not said, xml:lang="" as said and empty, and an entry inside another
// as none of the feed's.
func TestScanEntryLanguages(t *testing.T) {
	const head = `<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en"><title>T</title><id>urn:x</id>`
	tests := []struct {
		name, entries string
		want          []entryLang
	}{
		{"in content alone", `<entry><id>1</id><content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p xml:lang="fr">mot</p></div></content></entry>` +
			`<entry xmlns:xml="http://www.w3.org/XML/1998/namespace"><id>2</id><summary>xml:lang="de"</summary></entry>`, nil},
		{"each entry's", `<entry xml:lang="ar"><id>1</id></entry><entry><id>2</id></entry><entry xml:lang=""><id>3</id></entry>` +
			`<a:entry xmlns:a="http://www.w3.org/2005/Atom" id='x' xml:lang = 'ku'><a:id>4</a:id></a:entry><entry xml:lang="pt&#45;BR"/>`,
			[]entryLang{{"ar", true}, {}, {"", true}, {"ku", true}, {"pt-BR", true}}},
		{"an entry inside one", `<entry xml:lang="he"><id>1</id><content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><entry xml:lang="fr"/><p>open</div></content></entry>` +
			`<entry xml:lang="fa"><id>2</id></entry>`, []entryLang{{"he", true}, {"fa", true}}},
		{"a value that names the attribute", `<entry title='xml:lang="fr"'><id>1</id></entry><entry xml:lang="sw"><id>2</id></entry>`,
			[]entryLang{{}, {"sw", true}}},
	}
	for _, tt := range tests {
		s := scanXML([]byte(head+tt.entries+`</feed>`), 1<<30, defaultLimits)
		if !slices.Equal(s.langs, tt.want) || (s.langs == nil) != (tt.want == nil) {
			t.Errorf("%s: languages %+v; want %+v", tt.name, s.langs, tt.want)
		}
	}
}
