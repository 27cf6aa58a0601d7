package publish_test

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator/feedtest"
)

// TestSchemeOnlyRelativeLinks polls a feed whose item's HTML links to
// "http:timetable%20winter%202026.html", a relative reference with its
// scheme written before it, as old pages write them and browsers read
// them under an http page, and reads the published feeds: the link
// resolves against the item's link with its escapes as written, not
// escaped again (timetable%2520winter).
func TestSchemeOnlyRelativeLinks(t *testing.T) {
	doc, err := os.ReadFile("testdata/schemeonly.rss")
	if err != nil {
		t.Fatal(err)
	}
	clk := feedtest.NewClock(time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC))
	w := newWorld(t)
	w.o.Feed("/ferry.rss", "application/rss+xml", doc)
	d := newDaemon(t, clk, fmt.Sprintf("server:\n  base_url: %q\npoll:\n  interval: 24h\n  allow_private: true\nsources:\n  - url: %q\n", testBase, w.o.URL("/ferry.rss")))
	d.poll()

	// The HTML is escaped once more in the XML feeds, and in JSON its
	// & and < are written as \u0026 and \u003c.
	unescape := strings.NewReplacer("&amp;", "&", "&#34;", `"`, `\u0026`, "&", `\u003c`, "<", `\u003e`, ">", `\"`, `"`)
	wants := []string{
		`href="http://ferry.example/notices/timetable%20winter%202026.html"`,
		`href="http://ferry.example/fares/ferry%2Dfares.html?year=2026"`,
	}
	for _, ext := range []string{".atom", ".rss", ".json"} {
		body := d.feed(t, "/topics/all"+ext)
		got := unescape.Replace(unescape.Replace(string(body)))
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
