package publish_test

import (
	"strings"
	"testing"
)

// TestSchemeOnlyRelativeLinks polls a feed whose item's HTML links to
// "http:timetable%20winter%202026.html", a relative reference with its
// scheme written before it, as old pages write them and browsers read
// them under an http page, and reads the published feeds: the link
// resolves against the item's link with its escapes as written, not
// escaped again (timetable%2520winter).
func TestSchemeOnlyRelativeLinks(t *testing.T) {
	d, _ := pollFixture(t, "schemeonly.rss", "/ferry.rss")

	wants := []string{
		`href="http://ferry.example/notices/timetable%20winter%202026.html"`,
		`href="http://ferry.example/fares/ferry%2Dfares.html?year=2026"`,
	}
	for _, ext := range []string{".atom", ".rss", ".json"} {
		body, got := d.feedHTML(t, ext)
		for _, want := range wants {
			if !strings.Contains(got, want) {
				t.Errorf("/topics/all%s does not carry %s in the item's HTML:\n%s", ext, want, body)
			}
		}
		if strings.Contains(got, "%25") {
			t.Errorf("/topics/all%s escapes an escape again:\n%s", ext, body)
		}
	}
}
