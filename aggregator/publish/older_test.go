package publish_test

import (
	"bytes"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestOlderPagesKept checks that an older page (?before=) asked for again
// with nothing changed is served from the bytes rendered the first time,
// in every format and as HTML, and that a change of its topic has it
// rendered anew, showing the change.
func TestOlderPagesKept(t *testing.T) {
	f := newFixture(t)
	_, body := f.get(t, "/topics/paged.json")
	next := checkJSON(t, "first page", body).NextURL
	u, err := url.Parse(next)
	if err != nil || u.RawQuery == "" {
		t.Fatalf("next_url = %q", next)
	}
	paths := []string{
		"/topics/paged.atom?" + u.RawQuery, "/topics/paged.rss?" + u.RawQuery,
		"/topics/paged.json?" + u.RawQuery, "/topics/paged?" + u.RawQuery,
	}
	first := map[string][]byte{}
	for _, p := range paths {
		_, first[p] = f.get(t, p)
	}
	reads := f.st.reads.Load()
	for _, p := range paths {
		resp, body := f.get(t, p)
		if !bytes.Equal(body, first[p]) {
			t.Errorf("GET %s again: other bytes", p)
		}
		if _, gz := f.get(t, p, "Accept-Encoding: gzip"); !bytes.Equal(gunzip(t, gz), first[p]) {
			t.Errorf("GET %s again with gzip: other bytes", p)
		}
		if resp.Header.Get("ETag") == "" {
			t.Errorf("GET %s: no ETag", p)
		}
	}
	if got := f.st.reads.Load() - reads; got != 0 {
		t.Errorf("asking for %d older pages again read the topic %d times; want 0", len(paths), got)
	}

	// A story older than the cursor joins the topic: the page shows it.
	putStories(t, f.db, storySpec{
		at: t0.Add(90 * time.Minute), topics: []string{"all", "paged"},
		items: []itemSpec{{src: srcBeta, guid: "b-late", title: "Late arrival", link: "https://beta.example/late"}},
	})
	f.pub.Changed("all", "paged")
	for _, p := range paths {
		_, body := f.get(t, p)
		if !strings.Contains(string(body), "Late arrival") {
			t.Errorf("GET %s after the topic changed: no new story in\n%s", p, body)
		}
	}

	// A reload renames the topic: the pages show the new title.
	topics := slices.Clone(topicsCfg)
	for i := range topics {
		if topics[i].ID == "paged" {
			topics[i].Title = "Renamed by a reload"
		}
	}
	f.pub.SetConfig(f.cfg, topics)
	for _, p := range paths {
		_, body := f.get(t, p)
		if !strings.Contains(string(body), "Renamed by a reload") {
			t.Errorf("GET %s after a reload renamed the topic: the old title in\n%s", p, body)
		}
	}
}
