package publish_test

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
)

// putEdgeStories stores, in the topics all and world and newer than the
// fixture's, stories that ordinary sources send but the fixture lacks: one
// whose item has no link and two authors, and a podcast episode with enclosures, one of
// them of no known type. It returns their ids, newest first.
func putEdgeStories(t *testing.T, f *fixture) []string {
	t.Helper()
	ids := putStories(t, f.db, storySpec{
		at: t0.Add(5 * time.Hour), topics: []string{"all", "world"},
		items: []itemSpec{
			{src: srcBeta, guid: "b-nolink", title: "A note without a page", content: "<p>Only in the feed.</p>", authors: []string{"Ann Writer", "Bo Reporter"}},
		},
	}, storySpec{
		at: t0.Add(4 * time.Hour), topics: []string{"all", "world"},
		items: []itemSpec{
			{src: srcAlpha, guid: "a-episode", title: "Episode 12", link: "https://alpha.example/episodes/12", content: "<p>This week.</p>",
				encs: []aggregator.Enclosure{
					{URL: "https://cdn.alpha.example/ep12.mp3", Type: "audio/mpeg", Length: 4096},
					{URL: "https://cdn.alpha.example/ep12.ogg", Type: "audio ogg <x>"},
					{URL: "https://cdn.alpha.example/ep12.M4A?token=x"},
					{URL: "https://cdn.alpha.example/ep12/notes"},
					{URL: "javascript:alert(1)", Type: "audio/mpeg"},
				}},
		},
	})
	f.pub.Changed("all", "world")
	return ids
}

// TestEdgeStories holds the feeds of the edge stories to every structural
// rule.
func TestEdgeStories(t *testing.T) {
	f := newFixture(t)
	ids := putEdgeStories(t, f)
	for _, topic := range []string{"all", "world"} {
		_, atom := f.get(t, "/topics/"+topic+".atom")
		adoc := checkAtom(t, topic+".atom", atom)
		_, rss := f.get(t, "/topics/"+topic+".rss")
		rdoc := checkRSS(t, topic+".rss", rss)
		_, js := f.get(t, "/topics/"+topic+".json")
		jdoc := checkJSON(t, topic+".json", js)

		// The story without a link: no link anywhere, its text kept.
		if e := adoc.Entries[0]; e.ID != "urn:tributary:story:"+ids[0] || len(e.Links) != 0 {
			t.Errorf("%s.atom entry 0 = %s with links %v; want the story without a link, with none", topic, e.ID, e.Links)
		}
		if it := rdoc.Channel.Items[0]; it.GUID.ID != "urn:tributary:story:"+ids[0] || len(it.Links) != 0 {
			t.Errorf("%s.rss item 0 = %s with links %q; want the story without a link, with none", topic, it.GUID.ID, it.Links)
		}
		if it := (*jdoc.Items)[0]; it.ID != "urn:tributary:story:"+ids[0] || it.URL != "" {
			t.Errorf("%s.json item 0 = %s with url %q; want the story without a link, with none", topic, it.ID, it.URL)
		}

		// Each author of the first story, in every format.
		wantAuthors := []string{"Ann Writer", "Bo Reporter"}
		var got []string
		for _, a := range adoc.Entries[0].Authors {
			got = append(got, a.Name)
		}
		if !slices.Equal(got, wantAuthors) {
			t.Errorf("%s.atom entry 0 authors %q; want %q", topic, got, wantAuthors)
		}
		if got := rdoc.Channel.Items[0].Creators; !slices.Equal(got, wantAuthors) {
			t.Errorf("%s.rss item 0 dc:creator %q; want %q", topic, got, wantAuthors)
		}
		got = nil
		for _, a := range (*jdoc.Items)[0].Authors {
			got = append(got, a.Name)
		}
		if !slices.Equal(got, wantAuthors) {
			t.Errorf("%s.json item 0 authors %q; want %q", topic, got, wantAuthors)
		}

		// The episode: all its media files in Atom and JSON Feed, the
		// first in RSS, which has room for one; a file whose type the
		// source did not give, or gave wrong, typed by its extension when
		// that names one.
		wantMedia := []string{
			"https://cdn.alpha.example/ep12.mp3 audio/mpeg 4096", "https://cdn.alpha.example/ep12.ogg audio/ogg 0",
			"https://cdn.alpha.example/ep12.M4A?token=x audio/mp4 0", "https://cdn.alpha.example/ep12/notes application/octet-stream 0",
		}
		got = nil
		for _, l := range adoc.Entries[1].Links {
			if l.Rel == "enclosure" {
				got = append(got, fmt.Sprintf("%s %s %s", l.Href, l.Type, cmp.Or(l.Length, "0")))
			}
		}
		if !slices.Equal(got, wantMedia) {
			t.Errorf("%s.atom entry 1 enclosures %q; want %q", topic, got, wantMedia)
		}
		got = nil
		for _, a := range (*jdoc.Items)[1].Attachments {
			size := int64(0)
			if a.Size != nil {
				size = *a.Size
			}
			got = append(got, fmt.Sprintf("%s %s %d", a.URL, a.MIMEType, size))
		}
		if !slices.Equal(got, wantMedia) {
			t.Errorf("%s.json item 1 attachments %q; want %q", topic, got, wantMedia)
		}
		got = nil
		for _, e := range rdoc.Channel.Items[1].Enclosures {
			got = append(got, fmt.Sprintf("%s %s %s", e.URL, e.Type, e.Length))
		}
		if !slices.Equal(got, wantMedia[:1]) {
			t.Errorf("%s.rss item 1 enclosures %q; want %q", topic, got, wantMedia[:1])
		}
	}
}

// TestSameArticleUnderTwoSources stores a story whose article came in
// under two sources, as when an operator changes a source's URL (to https,
// or to where it moved) and it starts anew: the feeds and pages list it
// once, and count it as one source beside the other outlet's report.
func TestSameArticleUnderTwoSources(t *testing.T) {
	f := newFixture(t)
	moved := source("https://alpha.example/feed-new.xml", "Alpha News")
	ids := putStories(t, f.db, storySpec{
		at: t0.Add(6 * time.Hour), topics: []string{"all", "world"},
		items: []itemSpec{
			{src: srcAlpha, guid: "a-moved", title: "Harbour reopens", link: "https://alpha.example/harbour", content: "<p>Ships are back.</p>"},
			{src: moved, guid: "a-moved", title: "Harbour reopens", link: "https://alpha.example/harbour", content: "<p>Ships are back.</p>"},
			{src: srcBeta, guid: "b-harbour", title: "Port open again", link: "https://beta.example/port"},
		},
	})
	f.pub.Changed("all", "world")
	var doc jsonDoc
	_, body := f.get(t, "/topics/world.json")
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Items == nil || len(*doc.Items) == 0 || (*doc.Items)[0].ID != "urn:tributary:story:"+ids[0] {
		t.Fatalf("world.json does not start with the story")
	}
	html := (*doc.Items)[0].ContentHTML
	if n := strings.Count(html, "<li>"); n != 1 || !strings.Contains(html, "Beta Wire") {
		t.Errorf("the story's other sources: %q; want Beta Wire alone", html)
	}
	_, page := f.get(t, "/topics/world")
	d := parsePage(t, page)
	if !d.hasText("2 sources") {
		t.Errorf("the topic page does not count the story's sources as 2")
	}
	// Once from the headline, once among the story's carriers.
	if n := strings.Count(string(page), `href="https://alpha.example/harbour"`); n != 2 {
		t.Errorf("the topic page links the article %d times; want twice", n)
	}
}
