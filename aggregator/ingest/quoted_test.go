package ingest

import (
	"strings"
	"testing"

	"github.com/tributary-feeds/tributary/aggregator"
)

// TestQuotesHeadline checks the notice that quotes an item's headline
// whole: a correction names the report it corrects, also a report that
// came as its headline alone, with no text to weigh the notice's own words
// against, and a report corrected in place, whose notice quotes its
// headline as it read before with the wrong word and the right one; a
// follow-up of more words of its own than half the report's is a story of
// its own, and so is a notice that quotes another headline of the kind.
func TestQuotesHeadline(t *testing.T) {
	const headline = "Harbour bridge to close for six weeks of repairs"
	report := aggregator.Item{Title: headline, Summary: "<p>" + strings.Repeat("The council said the harbour bridge will shut while engineers replace its bearings. ", 4) + "</p>"}
	bare := aggregator.Item{Title: headline}
	correction := aggregator.Item{Title: "Correction", Summary: `<p>An item headlined "` + headline + `" gave the wrong month: the works begin in May.</p>`}
	followUp := aggregator.Item{Title: "Bridge works delayed", Summary: `<p>Yesterday we reported "` + headline + `". ` +
		strings.Repeat("Today the contractor said the steel would arrive late and the closure would start a month after planned. ", 3) + `</p>`}
	const before = "Harbour bridge to close for five weeks of repairs"
	corrected := aggregator.Item{Title: "Correction", Summary: `<p>In the item headlined "` + before + `", please read "six" instead of "five". The item has been corrected.</p>`}
	otherWeeks := aggregator.Item{Title: "Correction", Summary: `<p>In the item headlined "` + before + `", please read "May" instead of "June". The item has been corrected.</p>`}
	tests := []struct {
		name       string
		it, quoted aggregator.Item
		want       bool
	}{
		{"correction of a report", correction, report, true},
		{"correction of a headline alone", correction, bare, true},
		{"follow-up of a report", followUp, report, false},
		{"correction of a report corrected in place", corrected, report, true},
		{"correction of another figure than the headline's", otherWeeks, report, false},
	}
	for _, tt := range tests {
		if got := quotesHeadline(tt.it, tt.quoted); got != tt.want {
			t.Errorf("%s: quotesHeadline = %v; want %v", tt.name, got, tt.want)
		}
	}
}
