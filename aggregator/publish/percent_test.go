package publish_test

import (
	"strings"
	"testing"
)

// TestLonePercentInLinks polls a feed whose item's link, enclosure, and
// link and picture in its HTML hold a % that starts no escape
// ("coats-50%-off"), as browsers follow them, and reads the published
// feeds: each is published with the % written %25, a URI, rather than
// left out, which left the entry with no link to its article.
func TestLonePercentInLinks(t *testing.T) {
	d, _ := pollFixture(t, "percent.rss", "/outlet.rss")

	wants := map[string][]string{
		".rss": {
			"<link>https://outlet.example/offers/coats-50%25-off</link>",
			`<enclosure url="https://outlet.example/audio/advert-50%25.mp3" length="48213" type="audio/mpeg">`,
		},
		".atom": {
			`<link href="https://outlet.example/offers/coats-50%25-off" rel="alternate">`,
			`<link href="https://outlet.example/audio/advert-50%25.mp3" rel="enclosure" type="audio/mpeg" length="48213">`,
		},
		".json": {
			`"url": "https://outlet.example/offers/coats-50%25-off"`,
			`"url": "https://outlet.example/audio/advert-50%25.mp3"`,
		},
	}
	for ext, want := range wants {
		body, got := d.feedHTML(t, ext)
		want = append(want,
			`href="https://outlet.example/offers/coats-50%25-off?size=100%25"`,
			`src="https://outlet.example/img/coat-100%25wool.jpg"`)
		for _, w := range want {
			if !strings.Contains(got, w) {
				t.Errorf("/topics/all%s does not carry %s:\n%s", ext, w, body)
			}
		}
	}
}
