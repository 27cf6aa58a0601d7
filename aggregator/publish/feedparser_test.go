package publish_test

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// feedparserScript reads a feed document on standard input with Python's
// Universal Feed Parser, the library behind many feed readers and tools,
// and prints what it understood as JSON. Its argument is the document's
// Content-Type.
const feedparserScript = `
import json, sys, time, feedparser
d = feedparser.parse(sys.stdin.buffer.read(), response_headers={"content-type": sys.argv[1]})
out = {"version": d.get("version", ""), "bozo": bool(d.get("bozo")), "error": str(d.get("bozo_exception", "")),
       "title": d.feed.get("title", ""), "entries": []}
for e in d.entries:
    out["entries"].append({
        "id": e.get("id", ""), "title": e.get("title", ""), "link": e.get("link", ""),
        "published": time.strftime("%Y-%m-%dT%H:%M:%SZ", e.published_parsed) if e.get("published_parsed") else "",
        "author": e.get("author", ""),
        "authors": [a.get("name", "") for a in e.get("authors", [])],
        "tags": [t.get("term", "") for t in e.get("tags", [])],
        "html": (e.get("content") or [{}])[0].get("value", "") or e.get("summary", ""),
    })
json.dump(out, sys.stdout)
`

type fpFeed struct {
	Version string
	Bozo    bool
	Error   string
	Title   string
	Entries []struct {
		ID, Title, Link, Published, Author, HTML string
		Tags, Authors                            []string
	}
}

// feedparser returns a command that runs feedparserScript, or skips the
// test when no Python with feedparser is installed (Debian's
// python3-feedparser; .ci/run installs it, and under CI=true its absence
// fails the test).
func feedparser(t *testing.T) func(contentType string, body []byte) fpFeed {
	t.Helper()
	python := feedparserPython(t)
	return func(contentType string, body []byte) fpFeed {
		t.Helper()
		cmd := exec.CommandContext(t.Context(), python, "-c", feedparserScript, contentType)
		cmd.Stdin = bytes.NewReader(body)
		var f fpFeed
		runJSON(t, "feedparser", cmd, &f)
		return f
	}
}

// feedparserPython returns a Python that has feedparser, or skips the test
// when there is none (under CI=true, fails it).
func feedparserPython(t *testing.T) string {
	t.Helper()
	if p := findFeedparser(); p != "" {
		return p
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no python3 with feedparser; install Debian's python3-feedparser")
	}
	t.Skip("no python3 with feedparser (Debian's python3-feedparser)")
	return ""
}

// findFeedparser returns a Python that has feedparser, or "".
func findFeedparser() string {
	for _, p := range []string{"/usr/bin/python3", "python3"} {
		if exec.Command(p, "-c", "import feedparser").Run() == nil {
			return p
		}
	}
	return ""
}

// runJSON runs cmd, a reader named name, and decodes what it prints into v;
// it fails the test with the reader's standard error if it fails.
func runJSON(t *testing.T, name string, cmd *exec.Cmd, v any) {
	t.Helper()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v\n%s", name, err, stderr.String())
	}
	if err := json.Unmarshal(out, v); err != nil {
		t.Fatalf("%s output %q: %v", name, out, err)
	}
}

// TestFeedparser reads every topic's RSS and Atom feeds with a reader
// other than the one Tributary parses its sources with: each must parse
// without a complaint (feedparser's "bozo" flag), as the format it claims,
// both with the same entries, ids, links, titles, dates and categories.
func TestFeedparser(t *testing.T) {
	parse := feedparser(t)
	f := newFixture(t)
	// Debian's feedparser (6.0) predates JSON Feed: TestParseBack reads that.
	versions := map[string]string{"rss": "rss20", "atom": "atom10"}
	for _, tc := range topicsCfg {
		var first fpFeed
		for _, ext := range []string{"rss", "atom"} {
			name := tc.ID + "." + ext
			resp, body := f.get(t, "/topics/"+name)
			got := parse(resp.Header.Get("Content-Type"), body)
			if got.Bozo {
				t.Errorf("%s: feedparser found it ill-formed: %s", name, got.Error)
			}
			if got.Version != versions[ext] {
				t.Errorf("%s: feedparser read it as %q; want %q", name, got.Version, versions[ext])
			}
			wantTitle := tc.Title
			if ext == "rss" {
				wantTitle = asRSSText(wantTitle) // RSS gives text without tags
			}
			if got.Title != wantTitle {
				t.Errorf("%s: title %q; want %q", name, got.Title, wantTitle)
			}
			if ext == "rss" {
				first = got
				continue
			}
			// Every format says the same of each entry.
			if len(got.Entries) != len(first.Entries) {
				t.Errorf("%s: %d entries; %s.rss has %d", name, len(got.Entries), tc.ID, len(first.Entries))
				continue
			}
			for i, e := range got.Entries {
				w := first.Entries[i]
				if e.ID != w.ID || asRSSText(e.Title) != w.Title || e.Link != w.Link || e.Published != w.Published || !slices.Equal(e.Tags, w.Tags) {
					t.Errorf("%s entry %d: %q %q %q %s %q; %s.rss has %q %q %q %s %q", name, i,
						e.ID, e.Title, e.Link, e.Published, e.Tags, tc.ID, w.ID, w.Title, w.Link, w.Published, w.Tags)
				}
			}
		}
	}

	// The fixture's values, read back: ids, links, titles with markup
	// characters, categories, the face's author and the other sources.
	resp, atom := f.get(t, "/topics/world.atom")
	got := parse(resp.Header.Get("Content-Type"), atom)
	if len(got.Entries) != 2 {
		t.Fatalf("world.atom: %d entries; want 2", len(got.Entries))
	}
	e := got.Entries[0]
	if e.ID != "urn:tributary:story:"+f.ids[0] || e.Link != "https://alpha.example/2024/talks" || e.Title != "Talks resume in Beijing" ||
		e.Published != "2024-03-01T12:00:00Z" || e.Author != "Ann Writer" || !slices.Equal(e.Tags, []string{"world", "china-us", "diplomacy"}) {
		t.Errorf("world.atom entry 0 = %+v", e)
	}
	if !strings.Contains(e.HTML, "Beta Wire") || !strings.Contains(e.HTML, "https://beta.example/news/1?id=7&amp;ref=x") || strings.Contains(e.HTML, "<script") {
		t.Errorf("world.atom entry 0 content %q: want the other sources linked and no script", e.HTML)
	}
	if e := got.Entries[1]; e.Title != "Tom & Jerry <b>bold</b> markets" {
		t.Errorf("world.atom entry 1 title = %q; want the markup characters as text", e.Title)
	}
}

// TestFeedparserHostile reads feeds that carry a story whose every field is
// hostile: feedparser must find them well-formed, with the story first.
// (feedparser sanitises HTML itself, so TestHostileInput checks for script.)
func TestFeedparserHostile(t *testing.T) {
	parse := feedparser(t)
	f := newFixture(t)
	ids := putHostileStory(t, f)
	readBack(t, parse, f, func(name string, got fpFeed) {
		if len(got.Entries) == 0 || got.Entries[0].ID != "urn:tributary:story:"+ids[0] {
			t.Errorf("%s: feedparser read %d entries; want the hostile story first", name, len(got.Entries))
			return
		}
		if e := got.Entries[0]; e.Link != "https://evil.example/a?b=1&c=%3C2%3E" {
			t.Errorf("%s: entry link %q; want the item's link, escaped", name, e.Link)
		}
	})
}

// readBack reads the RSS and Atom feeds of the topics all and world with
// feedparser, checks that it finds each well-formed, and hands each to check.
func readBack(t *testing.T, parse func(string, []byte) fpFeed, f *fixture, check func(name string, got fpFeed)) {
	t.Helper()
	for _, name := range []string{"all.rss", "all.atom", "world.rss", "world.atom"} {
		resp, body := f.get(t, "/topics/"+name)
		got := parse(resp.Header.Get("Content-Type"), body)
		if got.Bozo {
			t.Errorf("%s: feedparser found it ill-formed: %s", name, got.Error)
		}
		check(name, got)
	}
}

// TestFeedparserEdge reads feeds that carry the edge stories (no link,
// several authors, enclosures): feedparser must find them well-formed, with
// the stories first and the story without a link left without one.
func TestFeedparserEdge(t *testing.T) {
	parse := feedparser(t)
	f := newFixture(t)
	ids := putEdgeStories(t, f)
	readBack(t, parse, f, func(name string, got fpFeed) {
		if len(got.Entries) < 2 || got.Entries[0].ID != "urn:tributary:story:"+ids[0] || got.Entries[1].ID != "urn:tributary:story:"+ids[1] {
			t.Errorf("%s: feedparser read %d entries; want the edge stories first", name, len(got.Entries))
			return
		}
		// feedparser takes an Atom entry's id for its link when it has
		// none.
		if e := got.Entries[0]; (e.Link != "" && e.Link != e.ID) || !slices.Equal(e.Authors, []string{"Ann Writer", "Bo Reporter"}) {
			t.Errorf("%s: entry 0 link %q, authors %q; want no link, Ann Writer and Bo Reporter", name, e.Link, e.Authors)
		}
	})
}
