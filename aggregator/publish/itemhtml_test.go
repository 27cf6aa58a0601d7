package publish_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"
	"golang.org/x/net/html"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/parse"
)

// publishedHTML returns the HTML of each entry of the topic's feed in every
// format, as a reader gets it: gofeed's content of an Atom entry or a JSON
// Feed item, the description of an RSS item.
func publishedHTML(t *testing.T, f *fixture, topic string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, format := range formats {
		_, body := f.get(t, "/topics/"+topic+"."+format)
		feed, err := gofeed.NewParser().Parse(bytes.NewReader(body))
		if err != nil {
			t.Fatalf("%s.%s: %v", topic, format, err)
		}
		for _, it := range feed.Items {
			h := it.Content
			if format == "rss" {
				h = it.Description
			}
			out[format] = append(out[format], h)
		}
	}
	return out
}

// TestPublishedItemHTML checks that the item HTML the store holds, which
// parse sanitised, is published as it is, its links' rel included, and
// that the links to the other sources carry the same rel.
func TestPublishedItemHTML(t *testing.T) {
	f := newFixture(t)
	body := parse.Sanitize(`<p>Read <a href="/full.html" target="_blank">the full report</a>.</p><p><img src="/i/a.png" alt="A harbour"></p>`,
		"https://alpha.example/news/x.html")
	putStories(t, f.db, storySpec{
		at: t0.Add(20 * time.Hour), topics: []string{aggregator.AllTopic},
		items: []itemSpec{
			{src: srcAlpha, guid: "html-1", title: "Harbour works", link: "https://alpha.example/news/x.html", content: body},
			{src: srcBeta, guid: "html-2", title: "Harbour works begin", link: "https://beta.example/harbour"},
		},
	})
	f.pub.Changed(aggregator.AllTopic)
	for format, entries := range publishedHTML(t, f, aggregator.AllTopic) {
		got := entries[0]
		if !strings.HasPrefix(got, body) {
			t.Errorf("%s: entry HTML\n%s\ndoes not begin with the item's HTML\n%s", format, got, body)
		}
		links := 0
		z := html.NewTokenizer(strings.NewReader(got))
		for tt := z.Next(); tt != html.ErrorToken; tt = z.Next() {
			tok := z.Token()
			if tok.Type != html.StartTagToken || tok.Data != "a" {
				continue
			}
			links++
			rel := ""
			for _, a := range tok.Attr {
				if a.Key == "rel" {
					rel = a.Val
				}
			}
			if rel != "nofollow noopener noreferrer" {
				t.Errorf("%s: link %v has rel %q", format, tok, rel)
			}
		}
		if links != 2 {
			t.Errorf("%s: %d links in %s; want the item's and the other source's", format, links, got)
		}
	}
}
