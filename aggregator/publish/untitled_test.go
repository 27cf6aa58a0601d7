package publish_test

import (
	"encoding/json"
	"encoding/xml"
	"strings"
	"testing"
)

// TestUntitledHasNoPlaceholderBody polls a feed whose items have no title
// and no text, one with a link alone and one with a media file alone: each
// is published titled "(untitled)" in every format, and with no content,
// where the placeholder title was its body too ("<p>(untitled)</p>").
// JSON Feed, which asks every item for content_html or content_text, has
// an empty content_text, and Atom, which asks an entry without a link for
// content, an empty <content>.
func TestUntitledHasNoPlaceholderBody(t *testing.T) {
	d, _ := pollFixture(t, "untitled.rss", "/fen.rss")

	var rss rssDoc
	if err := xml.Unmarshal(d.feed(t, "/topics/all.rss"), &rss); err != nil {
		t.Fatalf("all.rss: %v", err)
	}
	if len(rss.Channel.Items) != 2 {
		t.Fatalf("all.rss has %d items; want 2", len(rss.Channel.Items))
	}
	for i, it := range rss.Channel.Items {
		if it.Title != "(untitled)" || strings.TrimSpace(it.Description) != "" {
			t.Errorf("all.rss item %d: title %q, description %q; want (untitled) and none", i, it.Title, it.Description)
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
		if e.Title != "(untitled)" || strings.TrimSpace(e.Content.Body) != "" {
			t.Errorf("all.atom entry %d: title %q, content %q; want (untitled) and none", i, e.Title, e.Content.Body)
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
		if it.Title != "(untitled)" || it.ContentHTML != nil || it.ContentText == nil || *it.ContentText != "" {
			t.Errorf("all.json item %d: title %q, content_html %v, content_text %v; want (untitled), no content_html and an empty content_text", i, it.Title, it.ContentHTML, it.ContentText)
		}
	}
}
