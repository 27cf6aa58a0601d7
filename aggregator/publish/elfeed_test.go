package publish_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
)

// efFeed is what elfeed understood of a feed (testdata/elfeed/read.el).
type efFeed struct {
	Type, Title string
	Entries     []efEntry
}

type efEntry struct {
	Namespace, ID, Title, Link, Content, ContentType string
	Date                                             float64
	Authors                                          []struct{ Name, Email string }
	Tags, Categories                                 []string
	Enclosures                                       []struct{ URL, Type, Length string }
}

// elfeed returns a function that has elfeed, the Emacs feed reader, read
// a feed document fetched from a URL with its own parser, in Emacs's batch
// mode, and returns what it understood, or skips the test when Emacs or
// elfeed is missing (Debian's emacs-nox and elpa-elfeed; .ci/run installs
// them, and under CI=true their absence fails the test).
func elfeed(t *testing.T) func(url string, doc []byte) efFeed {
	t.Helper()
	emacs, err := exec.LookPath("emacs")
	if err == nil {
		err = exec.Command(emacs, "--batch", "--eval", "(require 'elfeed)").Run()
	}
	needReader(t, err, "emacs with elfeed", "emacs-nox and elpa-elfeed")
	return func(url string, doc []byte) efFeed {
		t.Helper()
		dir := t.TempDir()
		in, out := filepath.Join(dir, "feed"), filepath.Join(dir, "read.json")
		if err := os.WriteFile(in, doc, 0o600); err != nil {
			t.Fatal(err)
		}
		cmd := exec.CommandContext(t.Context(), emacs, "--batch", "-l", "testdata/elfeed/read.el", url, in, out)
		cmd.Env = append(os.Environ(), "HOME="+dir, "ELFEED_DB="+filepath.Join(dir, "db"))
		if msg, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("elfeed: %v\n%s", err, msg)
		}
		read, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		var got efFeed
		if err := json.Unmarshal(read, &got); err != nil {
			t.Fatalf("elfeed output %q: %v", read, err)
		}
		return got
	}
}

// putLinklessEpisode stores, in the topic all, newer than the fixture's
// stories and older than the hostile story, an episode that has a media
// file and no page of its own, and returns its entry id.
func putLinklessEpisode(t *testing.T, f *fixture) string {
	t.Helper()
	ids := putStories(t, f.db, storySpec{
		at: t0.Add(9 * time.Hour), topics: []string{"all"},
		items: []itemSpec{{src: srcAlpha, guid: "a-feed-only-episode", title: "Episode 13", content: "<p>Only the sound.</p>",
			encs: []aggregator.Enclosure{{URL: "https://cdn.alpha.example/ep13.mp3", Type: "audio/mpeg", Length: 4096}}}},
	})
	f.pub.Changed("all")
	return "urn:tributary:story:" + ids[0]
}

// TestElfeed has elfeed, the Emacs feed reader, read the topic world's
// RSS and Atom feeds, fetched over HTTP, with the fixture's stories, the
// edge stories and the rich story, with the functions its updater calls
// on what it fetched. It must read each as the format it is and show of
// every entry exactly what the stored items say: id, title, link, date,
// authors, categories, media files and HTML. It must also read the feeds
// of the topic all with the hostile story, each of whose fields holds what
// XML forbids or HTML runs, with that story first, and an episode without
// a link next. elfeed reads no JSON Feed.
func TestElfeed(t *testing.T) {
	read := elfeed(t)
	f, want, h, hostile := worldAndHostile(t)
	episode := putLinklessEpisode(t, h)
	for _, name := range []string{"all.rss", "all.atom"} {
		feedURL := h.srv.URL + "/topics/" + name
		_, doc := h.get(t, "/topics/"+name)
		got := read(feedURL, doc)
		if len(got.Entries) < 2 || got.Entries[0].ID != hostile || got.Entries[0].Link != "https://evil.example/a?b=1&c=%3C2%3E" {
			t.Errorf("%s: elfeed read %d entries, the first %+v; want %q first, at its item's link, escaped", name, len(got.Entries), got.Entries[:min(len(got.Entries), 1)], hostile)
			continue
		}
		// For an entry without a link, elfeed takes an RSS item's guid
		// and an Atom entry's first link of any kind, here its media
		// file's.
		wantLink := map[string]string{"all.rss": episode, "all.atom": "https://cdn.alpha.example/ep13.mp3"}[name]
		if e := got.Entries[1]; e.ID != episode || e.Link != wantLink {
			t.Errorf("%s: entry 1 %q at %q; want the episode %q at %q", name, e.ID, e.Link, episode, wantLink)
		}
	}
	srvURL, err := url.Parse(f.srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"rss", "atom"} {
		name := "world." + format
		feedURL := f.srv.URL + "/topics/" + name
		_, doc := f.get(t, "/topics/"+name)
		got := read(feedURL, doc)
		wantType, wantTitle := ":atom", f.topic["world"].Title
		if format == "rss" {
			wantType, wantTitle = ":rss", asRSSText(wantTitle)
		}
		if got.Type != wantType || got.Title != wantTitle {
			t.Errorf("%s: elfeed read it as %s titled %q; want %s, %q", name, got.Type, got.Title, wantType, wantTitle)
		}
		if len(got.Entries) != len(want) {
			t.Fatalf("%s: %d entries; want %d", name, len(got.Entries), len(want))
		}
		for i, w := range want {
			e := got.Entries[i]
			where := fmt.Sprintf("%s entry %d (%s)", name, i, w.title)
			published, err := time.Parse(time.RFC3339, w.published)
			if err != nil {
				t.Fatal(err)
			}
			var authors, encs []string
			for _, a := range e.Authors {
				authors = append(authors, person(a.Name, a.Email))
			}
			for _, enc := range e.Enclosures {
				encs = append(encs, enc.URL+" "+enc.Type+" "+enc.Length)
			}
			// elfeed dates an Atom entry by its published date, ahead of
			// its updated date, and files an entry's id under the host
			// it fetched the feed from; its tags are its own, "unread"
			// for a new entry, and the categories sit beside them.
			wantTitle, wantLink, wantAuthors, wantEncs := w.title, w.link, w.authors, w.enclosures
			if format == "rss" {
				// RSS gives titles without tags, its authors as
				// dc:creator elements, names alone, and one enclosure.
				wantTitle, wantAuthors = asRSSText(wantTitle), names(w.authors)
				wantEncs = wantEncs[:min(len(wantEncs), 1)]
			}
			if wantLink == "" {
				// elfeed takes an RSS item's guid for its link when it
				// has none, though isPermaLink="false" says the guid is
				// no URL, and an Atom entry's base URL, the feed's own
				// URL, when it has no link: Tributary gives none.
				wantLink = map[string]string{"rss": w.id, "atom": feedURL}[format]
			}
			if e.Namespace != srvURL.Hostname() || e.ID != w.id || e.Title != wantTitle || e.Link != wantLink || e.Date != float64(published.Unix()) {
				t.Errorf("%s: id %q %q title %q link %q date %v; want %q %q %q %q %v", where, e.Namespace, e.ID, e.Title, e.Link, e.Date,
					srvURL.Hostname(), w.id, wantTitle, wantLink, published.Unix())
			}
			if !slices.Equal(authors, wantAuthors) || !slices.Equal(e.Tags, []string{"unread"}) || !slices.Equal(e.Categories, w.categories) || !slices.Equal(encs, wantEncs) {
				t.Errorf("%s: authors %q, tags %q, categories %q, enclosures %q; want %q, [unread], %q, %q",
					where, authors, e.Tags, e.Categories, encs, wantAuthors, w.categories, wantEncs)
			}
			if e.ContentType != "html" || !sameHTML(t, e.Content, w.content) {
				t.Errorf("%s: content (%s) %q; want (html) %q", where, e.ContentType, e.Content, w.content)
			}
		}
	}
}
