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
	para := "<p>Protesters set a police precinct on fire after clashing with officers outside, as demonstrations " +
		"escalated for a third night in Minneapolis and rallies were held in other cities across the country.</p>"
	html := strings.Repeat(para, 9)
	title := "Minneapolis police station set on fire as protests spread across the US"
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
