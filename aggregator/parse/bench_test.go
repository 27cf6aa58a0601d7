package parse

import (
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"
)

// cpuTime is the CPU time this process has used, which, unlike wall time,
// does not grow when other programs share the machine.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkParse parses a realistic 50-item news feed with 1–3 KB of HTML
// per item: decoding, gofeed, normalising, sanitising and hashing.
func BenchmarkParse(b *testing.B) {
	body := syntheticFeed(42, 50, 1024)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	cpu0 := cpuTime()
	for b.Loop() {
		f, err := Parse(body, "application/rss+xml; charset=utf-8", testFeedURL, "bench", testNow, Options{})
		if err != nil || len(f.Items) != 50 {
			b.Fatalf("Parse: %d items, %v", len(f.Items), err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*50), "µs/item")
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N*50), "cpu-µs/item")
}

// BenchmarkGofeedOnly is gofeed alone over the same bytes, with the image
// scan off, for the ratio of our work to the parser's.
func BenchmarkGofeedOnly(b *testing.B) {
	body := syntheticFeed(42, 50, 1024)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	cpu0 := cpuTime()
	for b.Loop() {
		if _, err := feedParser.Parse(bytesReader(body)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N*50), "cpu-µs/item")
}

// BenchmarkSanitize sanitises one item's HTML of about 2 KB.
func BenchmarkSanitize(b *testing.B) {
	f, err := feedParser.Parse(bytesReader(syntheticFeed(7, 1, 2048)))
	if err != nil {
		b.Fatal(err)
	}
	html := f.Items[0].Content
	b.SetBytes(int64(len(html)))
	b.ReportAllocs()
	cpu0 := cpuTime()
	for b.Loop() {
		Sanitize(html, "https://news.example/2024/03/01/story")
	}
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N), "cpu-µs/op")
}

func BenchmarkCanonicalURL(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		CanonicalURL("https://News.Example:443/2024/03/01/story-12?utm_source=rss&utm_medium=feed&id=3#top")
	}
}

// BenchmarkParseAtomLanguages parses a 500-entry Atom feed of about 1 MB
// whose entries' XHTML content marks passages with xml:lang, as a
// translator's blog does, while the entries have none of their own.
func BenchmarkParseAtomLanguages(b *testing.B) {
	var doc strings.Builder
	doc.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
		`<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en"><title>Notes</title><id>urn:notes</id><updated>2024-03-01T00:00:00Z</updated>`)
	para := strings.Repeat("A word in one tongue, and then in another. ", 4)
	for i := range 500 {
		fmt.Fprintf(&doc, `<entry><title>Note %d</title><id>urn:notes:%d</id><link href="https://notes.example/%d"/><updated>2024-03-01T00:00:00Z</updated>`+
			`<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">`, i, i, i)
		for range 10 {
			fmt.Fprintf(&doc, `<p>%s<span xml:lang="fr">un mot</span></p>`, para)
		}
		doc.WriteString(`</div></content></entry>`)
	}
	doc.WriteString(`</feed>`)
	body := []byte(doc.String())
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		f, err := Parse(body, "application/atom+xml", testFeedURL, "bench", testNow, Options{})
		if err != nil || len(f.Items) != 500 || f.Items[0].Language != "en" {
			b.Fatalf("Parse: %v", err)
		}
	}
}
