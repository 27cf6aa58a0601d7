package publish_test

import (
	"fmt"
	"os"
	"os/exec"
	"slices"
	"testing"
)

// xfFeed is what XML::Feed understood of a feed (testdata/xmlfeed/read.pl).
type xfFeed struct {
	Format, Title, Link string
	Entries             []xfEntry
}

type xfEntry struct {
	ID, Title, Link, Issued, Modified string
	Authors, Categories               []string
	Enclosures                        []struct{ URL, Type, Length string }
	Content, Summary                  *struct{ Type, Body string }
}

// xmlFeed returns a function that has XML::Feed, the Perl feed library
// (over XML::RSS and XML::Atom) behind Perl's planets and aggregators,
// fetch a feed URL and returns what it understood, or skips the test when
// Perl or XML::Feed is missing (Debian's libxml-feed-perl; .ci/run
// installs it, and under CI=true its absence fails the test).
func xmlFeed(t *testing.T) func(url string) xfFeed {
	t.Helper()
	perl, err := exec.LookPath("perl")
	if err == nil {
		err = exec.Command(perl, "-MXML::Feed", "-MJSON::PP", "-e", "1").Run()
	}
	needReader(t, err, "perl with XML::Feed", "libxml-feed-perl")
	return func(url string) xfFeed {
		t.Helper()
		cmd := exec.CommandContext(t.Context(), perl, "testdata/xmlfeed/read.pl", url)
		// XML::Feed fetches through any proxy the environment names:
		// the test's server is on loopback, which no proxy reaches.
		cmd.Env = append(os.Environ(), "no_proxy=127.0.0.1,localhost")
		var got xfFeed
		runJSON(t, "XML::Feed", cmd, &got)
		return got
	}
}

// TestXMLFeed has XML::Feed, the Perl library that reads feeds for Perl's
// planets and aggregators, fetch the topic world's RSS and Atom feeds over
// HTTP, with the fixture's stories, the edge stories and the rich story.
// It must read each as the format it is and show of every entry exactly
// what the stored items say: id, title, link, dates, authors, categories,
// media files, HTML and summary. It must also read the feeds of the topic
// all with the hostile story, each of whose fields holds what XML forbids
// or HTML runs, with that story first. XML::Feed reads no JSON Feed.
func TestXMLFeed(t *testing.T) {
	read := xmlFeed(t)
	f, want, h, hostile := worldAndHostile(t)
	for _, name := range []string{"all.rss", "all.atom"} {
		got := read(h.srv.URL + "/topics/" + name)
		if len(got.Entries) == 0 || got.Entries[0].ID != hostile || got.Entries[0].Link != "https://evil.example/a?b=1&c=%3C2%3E" {
			t.Errorf("%s: XML::Feed read %d entries, the first %+v; want %q first, at its item's link, escaped", name, len(got.Entries), got.Entries[:min(len(got.Entries), 1)], hostile)
		}
	}
	for _, format := range []string{"rss", "atom"} {
		name := "world." + format
		got := read(f.srv.URL + "/topics/" + name)
		wantFormat, wantTitle := "Atom", f.topic["world"].Title
		if format == "rss" {
			wantFormat, wantTitle = "RSS 2.0", asRSSText(wantTitle)
		}
		if got.Format != wantFormat || got.Title != wantTitle || got.Link != testBase+"/topics/world" {
			t.Errorf("%s: XML::Feed read it as %q titled %q, linking %q; want %s, %q, %q",
				name, got.Format, got.Title, got.Link, wantFormat, wantTitle, testBase+"/topics/world")
		}
		if len(got.Entries) != len(want) {
			t.Fatalf("%s: %d entries; want %d", name, len(got.Entries), len(want))
		}
		for i, w := range want {
			e := got.Entries[i]
			where := fmt.Sprintf("%s entry %d (%s)", name, i, w.title)
			var encs []string
			for _, enc := range e.Enclosures {
				encs = append(encs, enc.URL+" "+enc.Type+" "+enc.Length)
			}
			wantTitle, wantLink, wantModified, wantEncs := w.title, w.link, w.updated, w.enclosures
			// XML::Feed gives the first author's name alone of an Atom
			// entry.
			wantAuthors := names(w.authors)[:1]
			wantSummary := []string{"", w.summary}
			if w.summary == "" {
				wantSummary = nil
			}
			if format == "rss" {
				// RSS gives titles without tags, one enclosure, no
				// updated date and the HTML as the description, which
				// XML::Feed takes for the content (and for no summary,
				// with no content:encoded beside it). Its authors are
				// its dc:creator elements, all of them.
				wantTitle, wantModified, wantAuthors, wantSummary = asRSSText(wantTitle), "", names(w.authors), nil
				wantEncs = wantEncs[:min(len(wantEncs), 1)]
				if wantLink == "" {
					// XML::Feed takes an item's guid for its link when
					// it has none, though isPermaLink="false" says the
					// guid is no URL: RSS gives it as an id, and
					// Tributary publishes it so.
					wantLink = w.id
				}
			}
			if e.ID != w.id || e.Title != wantTitle || e.Link != wantLink || e.Issued != w.published || e.Modified != wantModified {
				t.Errorf("%s: id %q title %q link %q issued %s modified %s; want %q %q %q %s %s",
					where, e.ID, e.Title, e.Link, e.Issued, e.Modified, w.id, wantTitle, wantLink, w.published, wantModified)
			}
			if !slices.Equal(e.Authors, wantAuthors) || !slices.Equal(e.Categories, w.categories) || !slices.Equal(encs, wantEncs) {
				t.Errorf("%s: authors %q, categories %q, enclosures %q; want %q, %q, %q",
					where, e.Authors, e.Categories, encs, wantAuthors, w.categories, wantEncs)
			}
			if content := xfContent(e.Content); !sameContent(t, content, []string{"text/html", w.content}) {
				t.Errorf("%s: content %q; want %q", where, content, w.content)
			}
			if summary := xfContent(e.Summary); !sameContent(t, summary, wantSummary) {
				t.Errorf("%s: summary %q; want %q", where, summary, wantSummary)
			}
		}
	}
}

// xfContent returns XML::Feed's content or summary as its type and text,
// nil for none.
func xfContent(c *struct{ Type, Body string }) []string {
	if c == nil {
		return nil
	}
	return []string{c.Type, c.Body}
}
