package publish_test

import (
	"testing"
	"time"
)

// putEdgeStories stores, in the topics all and world and newer than the
// fixture's, stories that ordinary sources send but the fixture lacks: one
// whose item has no link. It returns their ids.
func putEdgeStories(t *testing.T, f *fixture) []string {
	t.Helper()
	ids := putStories(t, f.db, storySpec{
		at: t0.Add(5 * time.Hour), topics: []string{"all", "world"},
		items: []itemSpec{
			{src: srcBeta, guid: "b-nolink", title: "A note without a page", content: "<p>Only in the feed.</p>"},
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
	}
}
