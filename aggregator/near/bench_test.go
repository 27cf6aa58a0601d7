package near

import (
	"strings"
	"testing"
	"time"
)

// BenchmarkFingerprint measures the near-duplicate features of one item of
// about 2 KB of HTML: text extraction, the Doc, weighing, index bands and
// the encoded form that is stored.
func BenchmarkFingerprint(b *testing.B) {
	para := "<p>Engineers closed the old harbour bridge after inspectors found cracks in two of its supports, " +
		"as ferry crews added sailings for a third day in Portmere and commuters queued across the river.</p>"
	html := strings.Repeat(para, 9)
	title := "Portmere harbour bridge closed as inspectors find cracked supports"
	at := time.Date(2020, 5, 29, 4, 0, 0, 0, time.UTC)
	b.SetBytes(int64(len(html)))
	b.ReportAllocs()
	for b.Loop() {
		d := NewDoc(title, Lines(Text(html)), at)
		d.Weigh(100_000, make([]uint32, len(d.Terms)))
		_ = d.Bands()
		_ = d.Encode()
	}
}

// BenchmarkSimilarity measures the comparison of one item with one stored
// candidate and with a story profile of three members, as a lookup does for
// each candidate story.
func BenchmarkSimilarity(b *testing.B) {
	at := time.Date(2020, 5, 29, 4, 0, 0, 0, time.UTC)
	body := func(place string) []string {
		return Lines(Text(strings.Repeat("<p>Engineers closed the old harbour bridge in "+place+
			" after inspectors found cracks in two of its supports, as ferry crews added sailings for a third day.</p>", 6)))
	}
	doc := NewDoc("Portmere harbour bridge closed as inspectors find cracked supports", body("Portmere"), at)
	other := NewDoc("Harbour bridge shut in Portmere over cracked supports", body("the city"), at)
	prof := &Profile{}
	for _, place := range []string{"Portmere", "the city", "the port"} {
		d := NewDoc("Bridge closed in "+place, body(place), at)
		d.Weigh(100_000, make([]uint32, len(d.Terms)))
		prof.Add(d)
	}
	for _, d := range []*Doc{doc, other} {
		d.Weigh(100_000, make([]uint32, len(d.Terms)))
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = Similarity(doc, other)
		_ = prof.Centroid(doc)
	}
}
