package publish_test

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator/feedtest"
)

// TestNoCredentialsInItemHTML polls a feed whose item links, in its HTML,
// to URLs with a user name or a password before the host (one that makes
// a link read as another site's, one that hands out a password, a picture
// behind one) and reads the published feeds: as the entry's own link, the
// URLs in its HTML are published without them, and a mailto: link is
// left as it is.
func TestNoCredentialsInItemHTML(t *testing.T) {
	doc, err := os.ReadFile("testdata/userinfo.rss")
	if err != nil {
		t.Fatal(err)
	}
	clk := feedtest.NewClock(time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC))
	w := newWorld(t)
	w.o.Feed("/gazette.rss", "application/rss+xml", doc)
	d := newDaemon(t, clk, fmt.Sprintf("server:\n  base_url: %q\npoll:\n  interval: 24h\n  allow_private: true\nsources:\n  - url: %q\n", testBase, w.o.URL("/gazette.rss")))
	d.poll()

	// The HTML is escaped once more in the XML feeds, and in JSON its
	// & and < are written as \u0026 and \u003c.
	unescape := strings.NewReplacer("&amp;", "&", "&#34;", `"`, `\u0026`, "&", `\u003c`, "<", `\u003e`, ">", `\"`, `"`)
	wants := []string{
		`href="https://ferry-offers.example/winter"`,
		`href="https://intranet.gazette.example/timetable.pdf"`,
		`src="https://cdn.gazette.example/ferry.jpg"`,
		`href="mailto:desk@gazette.example"`,
	}
	for _, ext := range []string{".atom", ".rss", ".json"} {
		body := d.feed(t, "/topics/all"+ext)
		got := unescape.Replace(unescape.Replace(string(body)))
		for _, want := range wants {
			if !strings.Contains(got, want) {
				t.Errorf("/topics/all%s does not carry %s in the item's HTML:\n%s", ext, want, body)
			}
		}
		for _, secret := range []string{"tickets.example@", "hunter2", "editor", "cdn-pass", "cdn-user"} {
			if strings.Contains(got, secret) {
				t.Errorf("/topics/all%s carries %q in the item's HTML:\n%s", ext, secret, body)
			}
		}
	}
}
