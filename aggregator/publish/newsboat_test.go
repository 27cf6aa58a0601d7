package publish_test

import (
	"net/mail"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// newsboatCache reads what newsboat stored of the one feed it fetched, from
// its SQLite cache, with Python's own sqlite3 module.
const newsboatCache = `
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
feeds = db.execute("SELECT rssurl, title FROM rss_feed").fetchall()
items = db.execute("SELECT guid, title, url, pubDate, author, content FROM rss_item ORDER BY id").fetchall()
json.dump({"feeds": [{"url": u, "title": t} for u, t in feeds],
           "items": [{"guid": g, "title": t, "url": u, "date": d, "author": a, "content": c} for g, t, u, d, a, c in items]}, sys.stdout)
`

// nbCache is what newsboat stored of a feed.
type nbCache struct {
	Feeds []struct{ URL, Title string }
	Items []struct {
		GUID, Title, URL, Author, Content string
		Date                              int64
	}
}

// newsboat returns a function that has newsboat, the terminal feed reader,
// fetch one feed URL into a fresh cache and returns what it stored and
// what it logged, or skips the test when newsboat or python3 is missing
// (Debian's newsboat; .ci/run installs it, and under CI=true its absence
// fails the test).
func newsboat(t *testing.T) func(url string) (nbCache, string) {
	t.Helper()
	nb, err := exec.LookPath("newsboat")
	var python string
	if err == nil {
		python, err = exec.LookPath("python3")
	}
	needReader(t, err, "newsboat or python3", "newsboat")
	return func(url string) (nbCache, string) {
		t.Helper()
		dir := t.TempDir()
		urls, conf, cache, log := filepath.Join(dir, "urls"), filepath.Join(dir, "config"), filepath.Join(dir, "cache.db"), filepath.Join(dir, "log")
		for name, text := range map[string]string{urls: url + "\n", conf: ""} {
			if err := os.WriteFile(name, []byte(text), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		// -x reload fetches every feed of the list and exits; log level 4
		// keeps warnings and errors.
		cmd := exec.CommandContext(t.Context(), nb, "-u", urls, "-C", conf, "-c", cache, "-x", "reload", "-l", "4", "-d", log)
		cmd.Env = append(os.Environ(), "HOME="+dir, "XDG_CONFIG_HOME="+dir, "XDG_DATA_HOME="+dir)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("newsboat -x reload %s: %v\n%s", url, err, out)
		}
		logged, _ := os.ReadFile(log)
		var got nbCache
		runJSON(t, "newsboat's cache", exec.CommandContext(t.Context(), python, "-c", newsboatCache, cache), &got)
		return got, string(logged)
	}
}

// TestNewsboat has newsboat, a terminal feed reader with a parser of its
// own (libxml2), fetch the topics' RSS and Atom feeds over HTTP, with the
// fixture's stories, the hostile story and the edge stories: it must log
// no error or warning, and store the topic's title and every entry of the
// JSON Feed, by its id, with its title, link, date and authors.
func TestNewsboat(t *testing.T) {
	fetch := newsboat(t)
	f := newFixture(t)
	putHostileStory(t, f)
	putEdgeStories(t, f)
	for _, topic := range []string{"all", "world"} {
		want := jsonFeedOf(t, f, topic)
		for _, format := range []string{"rss", "atom"} {
			name := topic + "." + format
			got, logged := fetch(f.srv.URL + "/topics/" + name)
			for _, line := range strings.Split(logged, "\n") {
				if strings.Contains(line, "ERROR") || strings.Contains(line, "CRITICAL") || strings.Contains(line, "WARNING") {
					t.Errorf("%s: newsboat logged %s", name, line)
				}
			}
			// RSS gives titles and names without tags.
			text := func(s string) string { return s }
			if format == "rss" {
				text = asRSSText
			}
			if len(got.Feeds) != 1 || got.Feeds[0].Title != text(want.Title) {
				t.Errorf("%s: newsboat stored feeds %+v; want one titled %q", name, got.Feeds, text(want.Title))
			}
			if len(got.Items) != len(want.Items) {
				t.Errorf("%s: newsboat stored %d entries; want %d", name, len(got.Items), len(want.Items))
			}
			// newsboat stores a document's entries oldest first.
			byGUID := map[string]int{}
			for i, e := range got.Items {
				byGUID[e.GUID] = i
			}
			for _, w := range want.Items {
				i, ok := byGUID[w.ID]
				if !ok {
					t.Errorf("%s: newsboat did not store entry %q", name, w.ID)
					continue
				}
				e := got.Items[i]
				var authors []string
				for _, a := range w.Authors {
					name := a.Name
					if addr, err := mail.ParseAddress(name); format == "atom" && err == nil && addr.Name != "" {
						// Atom gives the address its own <email>.
						name = addr.Name
					}
					authors = append(authors, text(name))
				}
				author := strings.Join(authors, ", ")
				if format == "rss" && slices.Contains(authors, e.Author) {
					// Of several dc:creator elements, newsboat keeps one.
					author = e.Author
				}
				if e.Title != text(w.Title) || e.URL != w.URL || e.Date != w.Published.Unix() || e.Author != author {
					t.Errorf("%s, entry %s: newsboat stored %q %q %s %q; want %q %q %s %q", name, w.ID,
						e.Title, e.URL, time.Unix(e.Date, 0).UTC().Format(time.RFC3339), e.Author,
						text(w.Title), w.URL, w.Published.UTC().Format(time.RFC3339), author)
				}
			}
		}
	}
}
