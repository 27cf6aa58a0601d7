package publish_test

import (
	"strings"
	"testing"
)

// TestEnclosureLengths polls a podcast whose enclosures give a length past
// what any file has (more digits than an int64 holds), -1 and a length
// with spaces around it, and reads the published feeds: the first two are
// unknown, RSS's length="0" and no length in Atom and JSON Feed, not the
// largest int64 (9223372036854775807), and the third is read.
func TestEnclosureLengths(t *testing.T) {
	d, _ := pollFixture(t, "lengths.rss", "/sessions.rss")

	wants := map[string][]string{
		".rss": {
			`<enclosure url="https://sessions.example/audio/3.mp3" length="0" type="audio/mpeg">`,
			`<enclosure url="https://sessions.example/audio/2.mp3" length="0" type="audio/mpeg">`,
			`<enclosure url="https://sessions.example/audio/1.mp3" length="4194304" type="audio/mpeg">`,
		},
		".atom": {
			`<link href="https://sessions.example/audio/3.mp3" rel="enclosure" type="audio/mpeg">`,
			`<link href="https://sessions.example/audio/2.mp3" rel="enclosure" type="audio/mpeg">`,
			`<link href="https://sessions.example/audio/1.mp3" rel="enclosure" type="audio/mpeg" length="4194304">`,
		},
		".json": {
			`"url": "https://sessions.example/audio/3.mp3",
          "mime_type": "audio/mpeg"
        }`,
			`"url": "https://sessions.example/audio/2.mp3",
          "mime_type": "audio/mpeg"
        }`,
			`"url": "https://sessions.example/audio/1.mp3",
          "mime_type": "audio/mpeg",
          "size_in_bytes": 4194304`,
		},
	}
	for ext, want := range wants {
		body := string(d.feed(t, "/topics/all"+ext))
		for _, w := range want {
			if !strings.Contains(body, w) {
				t.Errorf("/topics/all%s does not carry %s:\n%s", ext, w, body)
			}
		}
		if strings.Contains(body, "9223372036854775807") {
			t.Errorf("/topics/all%s gives a length of the largest int64", ext)
		}
	}
}
