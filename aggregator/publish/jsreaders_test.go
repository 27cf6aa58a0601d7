package publish_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
	"time"
)

// jsReaders is the folder of read.js, which reads a document with three
// JavaScript feed readers: rss-parser, feedparser (Node's) and
// feed-extractor. `npm install` there fetches them (.ci/run does).
const jsReaders = "testdata/jsreaders"

// markup matches an HTML tag in a title.
var markup = regexp.MustCompile(`<[^>]*>`)

// jsEntry is one entry as a JavaScript reader understood it.
type jsEntry struct {
	ID, Title, Link, Date string
}

// jsRead is what one JavaScript reader understood of a document.
type jsRead struct {
	Error   string
	Title   string
	Entries []jsEntry
}

// jsReader returns a function that reads a document of the given format
// (rss, atom or json) with every JavaScript reader that reads it, or skips
// the test when Node.js or the readers are not installed (under CI=true,
// their absence fails it).
func jsReader(t *testing.T) func(format string, body []byte) map[string]jsRead {
	t.Helper()
	node, err := exec.LookPath("node")
	if err == nil {
		_, err = os.Stat(filepath.Join(jsReaders, "node_modules", "rss-parser"))
	}
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("JavaScript feed readers missing (%v); run npm install in aggregator/publish/%s", err, jsReaders)
		}
		t.Skipf("JavaScript feed readers missing (%v); run npm install in aggregator/publish/%s", err, jsReaders)
	}
	dir := t.TempDir()
	return func(format string, body []byte) map[string]jsRead {
		t.Helper()
		file := filepath.Join(dir, "feed."+format)
		if err := os.WriteFile(file, body, 0o600); err != nil {
			t.Fatal(err)
		}
		cmd := exec.CommandContext(t.Context(), node, filepath.Join(jsReaders, "read.js"), file, format)
		var got map[string]jsRead
		runJSON(t, "read.js", cmd, &got)
		return got
	}
}

// TestJSReaders reads the topics' feeds in every format, with the fixture's
// stories, the hostile story and the edge stories, with three JavaScript
// feed readers: each must read every document without an error, with the
// topic's title and the entries of the JSON Feed, in order, with their ids,
// titles, links and dates.
func TestJSReaders(t *testing.T) {
	read := jsReader(t)
	f := newFixture(t)
	putHostileStory(t, f)
	putEdgeStories(t, f)
	for _, topic := range []string{"all", "world"} {
		want := jsonFeedOf(t, f, topic)
		for _, format := range []string{"rss", "atom", "json"} {
			name := topic + "." + format
			_, body := f.get(t, "/topics/"+name)
			for reader, got := range read(format, body) {
				if got.Error != "" {
					t.Errorf("%s by %s: %s", name, reader, got.Error)
					continue
				}
				wantTitle := want.Title
				if format == "rss" {
					wantTitle = asRSSText(wantTitle)
				}
				if got.Title != wantTitle {
					t.Errorf("%s by %s: title %q; want %q", name, reader, got.Title, wantTitle)
				}
				if len(got.Entries) != len(want.Items) {
					t.Errorf("%s by %s: %d entries; want %d", name, reader, len(got.Entries), len(want.Items))
					continue
				}
				for i, e := range got.Entries {
					w := want.Items[i]
					date := w.Published.UTC().Truncate(time.Second).Format("2006-01-02T15:04:05")
					if format == "rss" {
						w.Title = asRSSText(w.Title)
					}
					if reader == "feedparser" {
						// It takes every title for HTML and shows its text:
						// "Tom & Jerry <b>bold</b>" reads "Tom & Jerry bold".
						w.Title = markup.ReplaceAllString(w.Title, "")
					}
					if e.ID != w.ID || e.Title != w.Title || e.Link != w.URL || len(e.Date) < len(date) || e.Date[:len(date)] != date {
						t.Errorf("%s by %s, entry %d: %q %q %q %s; want %q %q %q %s", name, reader, i,
							e.ID, e.Title, e.Link, e.Date, w.ID, w.Title, w.URL, date)
					}
				}
			}
		}
	}
}

// jsonFeed is a topic's JSON Feed as the reader tests compare with it.
type jsonFeed struct {
	Title string
	Items []struct {
		ID, Title, URL string
		Published      time.Time `json:"date_published"`
		Authors        []struct{ Name string }
	}
}

// jsonFeedOf reads a topic's JSON Feed, which must carry at least the
// fixture's three stories.
func jsonFeedOf(t *testing.T, f *fixture, topic string) jsonFeed {
	t.Helper()
	_, doc := f.get(t, "/topics/"+topic+".json")
	var want jsonFeed
	if err := json.Unmarshal(doc, &want); err != nil {
		t.Fatalf("%s.json: %v", topic, err)
	}
	if len(want.Items) < 3 {
		t.Fatalf("%s.json has %d items; want the fixture's stories", topic, len(want.Items))
	}
	return want
}
