package publish_test

import (
	"strings"
	"testing"

	"github.com/mmcdole/gofeed"
)

// TestEnclosureOfUnknownTypeTypedByExtension polls a podcast whose
// episodes are typed application/octet-stream or binary/octet-stream, as
// servers and storage buckets type files they know nothing of, and reads
// the published feeds as a podcast app does: an episode whose file's
// extension names its kind is typed by it (podcast apps play only what
// is typed as audio or video), and one without is published as
// application/octet-stream.
func TestEnclosureOfUnknownTypeTypedByExtension(t *testing.T) {
	d, _ := pollFixture(t, "untyped.rss", "/radio.rss")

	want := map[string]string{
		"https://files.radio.example/episodes/12-night-ferry.mp3":      "audio/mpeg",
		"https://files.radio.example/episodes/11-fish-market.M4A?dl=1": "audio/mp4",
		"https://files.radio.example/episodes/10/download":             "application/octet-stream",
	}
	for _, ext := range []string{".atom", ".rss", ".json"} {
		body := d.feed(t, "/topics/all"+ext)
		feed, err := gofeed.NewParser().Parse(strings.NewReader(string(body)))
		if err != nil {
			t.Fatalf("reading /topics/all%s: %v", ext, err)
		}
		seen := 0
		for _, it := range feed.Items {
			for _, e := range it.Enclosures {
				typ, ok := want[e.URL]
				if !ok {
					t.Errorf("/topics/all%s: entry %q has an enclosure %s", ext, it.Title, e.URL)
					continue
				}
				seen++
				if e.Type != typ {
					t.Errorf("/topics/all%s: enclosure %s typed %q; want %q", ext, e.URL, e.Type, typ)
				}
			}
		}
		if seen != len(want) {
			t.Errorf("/topics/all%s has %d enclosures; want %d:\n%s", ext, seen, len(want), body)
		}
	}
}
