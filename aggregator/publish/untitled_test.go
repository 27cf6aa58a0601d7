package publish_test

import (
	"encoding/json"
	"encoding/xml"
	"strings"
	"testing"
)

// TestUntitledHasNoPlaceholderBody polls a feed whose items have no title
// and no text, one with a link alone and one with a media file alone: each
// is published titled "(untitled)" in every format, with a link to its page
// or its media file as its content, where the placeholder title was its
// body too ("<p>(untitled)</p>"), and then, for a while, nothing: a blank
// body that JSON Feed's and Atom's checks (TestSpecConformance) refuse.
func TestUntitledHasNoPlaceholderBody(t *testing.T) {
	want := []string{"https://fen.example/clips/41", "https://fen.example/audio/40.mp3"}
	shows := func(body, u string) bool {
		return strings.TrimSpace(body) == `<p><a href="`+u+`" rel="nofollow noopener noreferrer">`+u+`</a></p>`
	}
	d, _ := pollFixture(t, "untitled.rss", "/fen.rss")

	var rss rssDoc
	if err := xml.Unmarshal(d.feed(t, "/topics/all.rss"), &rss); err != nil {
		t.Fatalf("all.rss: %v", err)
	}
	if len(rss.Channel.Items) != 2 {
		t.Fatalf("all.rss has %d items; want 2", len(rss.Channel.Items))
	}
	for i, it := range rss.Channel.Items {
		if it.Title != "(untitled)" || !shows(it.Description, want[i]) {
			t.Errorf("all.rss item %d: title %q, description %q; want (untitled) and a link to %s", i, it.Title, it.Description, want[i])
		}
	}

	body := d.feed(t, "/topics/all.atom")
	var atom atomDoc
	if err := xml.Unmarshal(body, &atom); err != nil {
		t.Fatalf("all.atom: %v", err)
	}
	if len(atom.Entries) != 2 {
		t.Fatalf("all.atom has %d entries; want 2", len(atom.Entries))
	}
	for i, e := range atom.Entries {
		if e.Title != "(untitled)" || !shows(e.Content.Body, want[i]) {
			t.Errorf("all.atom entry %d: title %q, content %q; want (untitled) and a link to %s", i, e.Title, e.Content.Body, want[i])
		}
	}
	if n := strings.Count(string(body), "<content"); n != 2 {
		t.Errorf("all.atom has %d <content> elements; want one an entry:\n%s", n, body)
	}

	var doc struct {
		Items []struct {
			Title       string  `json:"title"`
			ContentHTML *string `json:"content_html"`
			ContentText *string `json:"content_text"`
		} `json:"items"`
	}
	if err := json.Unmarshal(d.feed(t, "/topics/all.json"), &doc); err != nil {
		t.Fatalf("all.json: %v", err)
	}
	if len(doc.Items) != 2 {
		t.Fatalf("all.json has %d items; want 2", len(doc.Items))
	}
	for i, it := range doc.Items {
		if it.Title != "(untitled)" || it.ContentHTML == nil || !shows(*it.ContentHTML, want[i]) || it.ContentText != nil {
			t.Errorf("all.json item %d: title %q, content_html %v, content_text %v; want (untitled), a link to %s and no content_text", i, it.Title, it.ContentHTML, it.ContentText, want[i])
		}
	}
}
