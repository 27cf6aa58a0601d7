package publish_test

import (
	"bytes"
	"fmt"
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

// TestCursorsBeyondTime: a cursor outside the years a date can be written
// in (0 to 9999) is refused with 400, in the feeds and on the HTML page,
// where one of 2^63-1 seconds gave an empty page; one late in year 9999
// gives the stories older than it, all of them.
func TestCursorsBeyondTime(t *testing.T) {
	f := newFixture(t)
	for _, before := range []string{"9223372036854775807.0.x", "-9223372036854775808.0.x", "253402300800.0.x", "-62167219201.0.x"} {
		for _, p := range []string{"/topics/world.atom", "/topics/world"} {
			if resp, _ := f.do(t, "GET", p+"?before="+before); resp.StatusCode != 400 {
				t.Errorf("GET %s?before=%s = %d; want 400", p, before, resp.StatusCode)
			}
		}
	}
	_, first := f.get(t, "/topics/world.atom")
	_, late := f.get(t, "/topics/world.atom?before=253402300799.0.x")
	if got, want := strings.Count(string(late), "<entry>"), strings.Count(string(first), "<entry>"); got != want || want == 0 {
		t.Errorf("GET /topics/world.atom?before=253402300799.0.x: %d entries; want the first page's %d", got, want)
	}
}

// TestMadeUpCursorsNotKept: an older page whose cursor names no story of
// the topic, as no next link does, is rendered at each request and not
// kept, so that cursors made up cannot push out the pages kept for the
// crawlers that follow the links.
func TestMadeUpCursorsNotKept(t *testing.T) {
	f := newFixture(t)
	_, body := f.get(t, "/topics/paged.json")
	u, err := url.Parse(checkJSON(t, "first page", body).NextURL)
	if err != nil || u.RawQuery == "" {
		t.Fatalf("next_url of the first page: %q, %v", u, err)
	}
	c, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		t.Fatal(err)
	}
	sec, _, _ := strings.Cut(c.Get("before"), ".")
	madeUp := url.Values{"before": {sec + ".0.no-such-story"}}.Encode()
	for _, q := range []string{u.RawQuery, madeUp} {
		for _, p := range []string{"/topics/paged.atom?" + q, "/topics/paged?" + q} {
			f.get(t, p)
			reads := f.st.reads.Load()
			f.get(t, p)
			got := f.st.reads.Load() - reads
			if q == madeUp && got == 0 {
				t.Errorf("GET %s again read the topic %d times; want a new render, the page not kept", p, got)
			}
			if q != madeUp && got != 0 {
				t.Errorf("GET %s again read the topic %d times; want 0, the page kept", p, got)
			}
		}
	}
}

// TestOffLinkCursorsNotKept: an older page whose cursor names a story of
// the topic, but is the next link of no page (a story's id and date, both
// in the feed, make one for every story), is rendered at each request and
// not kept, where it was kept as a page linked to, and such cursors, a
// page for each story, pushed out the pages crawlers walk. The pages the
// next links lead to, from the first page on, are kept.
func TestOffLinkCursorsNotKept(t *testing.T) {
	f := newFixture(t)
	_, body := f.get(t, "/topics/paged.json")
	doc := checkJSON(t, "first page", body)
	items := *doc.Items
	if len(items) == 0 {
		t.Fatal("first page: no items")
	}
	published, err := time.Parse(time.RFC3339, items[0].Published)
	if err != nil {
		t.Fatal(err)
	}
	offLink := url.Values{"before": {fmt.Sprintf("%d.0.%s", published.Unix(), strings.TrimPrefix(items[0].ID, "urn:tributary:story:"))}}.Encode()

	// The pages the links lead to: the second from the first page's
	// next_url, the third from the second's.
	second := queryOf(t, doc.NextURL)
	_, body = f.get(t, "/topics/paged.json?"+second)
	third := queryOf(t, checkJSON(t, "second page", body).NextURL)

	for _, q := range []string{second, third, offLink} {
		for _, p := range []string{"/topics/paged.atom?" + q, "/topics/paged?" + q} {
			if resp, _ := f.get(t, p); resp.StatusCode != 200 {
				t.Fatalf("GET %s = %d; want 200", p, resp.StatusCode)
			}
			reads := f.st.reads.Load()
			f.get(t, p)
			got := f.st.reads.Load() - reads
			if q == offLink && got == 0 {
				t.Errorf("GET %s again read the topic %d times; want a new render, the page not kept", p, got)
			}
			if q != offLink && got != 0 {
				t.Errorf("GET %s again read the topic %d times; want 0, the page kept", p, got)
			}
		}
	}
}

// queryOf returns the query of a page's next link.
func queryOf(t *testing.T, next string) string {
	t.Helper()
	u, err := url.Parse(next)
	if err != nil || u.RawQuery == "" {
		t.Fatalf("next link %q: %v", next, err)
	}
	return u.RawQuery
}
