package publish_test

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestLargeItemsShareTheDocument: stories whose items are as large as an
// item may be (256 KiB of HTML) share one budget of a few megabytes a
// document: the newest carry their whole text, the others an excerpt, and
// every format stays well-formed.
func TestLargeItemsShareTheDocument(t *testing.T) {
	f := newFixture(t)
	const stories, paras = 30, 4500 // about 250 KB an item
	var specs []storySpec
	for i := range stories {
		var b strings.Builder
		for j := range paras {
			fmt.Fprintf(&b, "<p>Story %d, paragraph %d: a long report &amp; more.</p>", i, j)
		}
		fmt.Fprintf(&b, "<p>End of story %d.</p>", i)
		specs = append(specs, storySpec{
			at: t0.Add(time.Duration(10+stories-i) * time.Hour), topics: []string{"all"},
			items: []itemSpec{{src: srcAlpha, guid: fmt.Sprintf("long-%d", i), title: fmt.Sprintf("Long report %d", i),
				link: fmt.Sprintf("https://alpha.example/long/%d", i), content: b.String()}},
		})
	}
	putStories(t, f.db, specs...)
	f.pub.Changed("all")

	_, atom := f.get(t, "/topics/all.atom")
	doc := checkAtom(t, "all.atom", atom)
	_, rss := f.get(t, "/topics/all.rss")
	checkRSS(t, "all.rss", rss)
	_, js := f.get(t, "/topics/all.json")
	checkJSON(t, "all.json", js)
	for name, body := range map[string][]byte{"atom": atom, "rss": rss, "json": js} {
		if len(body) > 6<<20 {
			t.Errorf("all.%s is %d bytes; want the entries to share a few megabytes", name, len(body))
		}
	}
	whole, cut := 0, 0
	for i, e := range doc.Entries[:stories] {
		end := fmt.Sprintf("End of story %d.", i)
		switch {
		case strings.Contains(e.Content.Body, end):
			whole++
			if cut > 0 {
				t.Errorf("entry %d is whole after %d cut ones; want the newest whole", i, cut)
			}
		case strings.HasPrefix(e.Content.Body, fmt.Sprintf("<p>Story %d, paragraph 0:", i)) && strings.Contains(e.Content.Body, "…"):
			cut++
		default:
			t.Errorf("entry %d = %.60q…; want the item's text, whole or cut with an ellipsis", i, e.Content.Body)
		}
	}
	if whole < 10 || cut < 10 {
		t.Errorf("%d entries whole, %d cut; want the budget to hold about the first 16 whole", whole, cut)
	}
}
