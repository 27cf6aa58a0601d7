package publish_test

import (
	"strings"
	"testing"
)

// TestNoCredentialsInItemHTML polls a feed whose item links, in its HTML,
// to URLs with a user name or a password before the host (one that makes
// a link read as another site's, one that hands out a password, a picture
// behind one) and reads the published feeds: as the entry's own link, the
// URLs in its HTML are published without them, and a mailto: link is
// left as it is.
func TestNoCredentialsInItemHTML(t *testing.T) {
	d, _ := pollFixture(t, "userinfo.rss", "/gazette.rss")

	wants := []string{
		`href="https://ferry-offers.example/winter"`,
		`href="https://intranet.gazette.example/timetable.pdf"`,
		`src="https://cdn.gazette.example/ferry.jpg"`,
		`href="mailto:desk@gazette.example"`,
	}
	for _, ext := range []string{".atom", ".rss", ".json"} {
		body, got := d.feedHTML(t, ext)
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
