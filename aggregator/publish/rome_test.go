package publish_test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// romeJars are Debian's librome-java and what it needs, the class path of
// testdata/rome/Read.java.
var romeJars = []string{
	"/usr/share/java/rome.jar",
	"/usr/share/java/rome-utils.jar",
	"/usr/share/java/jdom2.jar",
	"/usr/share/java/slf4j-api.jar",
	"/usr/share/java/slf4j-simple.jar",
}

// romeFeed is what ROME understood of a feed (testdata/rome/Read.java), in
// its default mode or, Strict, with its XML healer off and DOCTYPEs
// refused.
type romeFeed struct {
	URL                      string
	Strict                   bool
	Error, Type, Title, Link string
	Entries                  []romeEntry
}

type romeEntry struct {
	URI, Title, Link, Published, Updated, Author string
	Authors                                      []struct{ Name, Email string }
	Creators, Categories                         []string
	Enclosures                                   []struct {
		URL, Type string
		Length    int64
	}
	Contents, Description []struct{ Type, Value string }
}

// rome returns a function that has ROME, the Java feed library behind
// many Java readers and servers, fetch each feed URL and read it twice,
// in its default and in its strict mode, or skips the test when Java's
// source launcher (a JDK: a JRE alone has no compiler) or ROME is missing
// (Debian's default-jdk-headless and librome-java; .ci/run installs them,
// and under CI=true their absence fails the test).
func rome(t *testing.T) func(urls ...string) []romeFeed {
	t.Helper()
	java, err := exec.LookPath("java")
	if err == nil {
		var modules []byte
		modules, err = exec.Command(java, "--list-modules").Output()
		if err == nil && !strings.Contains(string(modules), "jdk.compiler@") {
			err = fmt.Errorf("%s has no compiler for its source launcher", java)
		}
	}
	for _, jar := range romeJars {
		if err == nil {
			_, err = os.Stat(jar)
		}
	}
	needReader(t, err, "a JDK or ROME", "default-jdk-headless and librome-java")
	return func(urls ...string) []romeFeed {
		t.Helper()
		args := append([]string{"-cp", strings.Join(romeJars, ":"), "testdata/rome/Read.java"}, urls...)
		var stderr strings.Builder
		cmd := exec.CommandContext(t.Context(), java, args...)
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("ROME: %v\n%s", err, stderr.String())
		}
		var feeds []romeFeed
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			var f romeFeed
			if err := json.Unmarshal([]byte(line), &f); err != nil {
				t.Fatalf("ROME output %q: %v", line, err)
			}
			feeds = append(feeds, f)
		}
		if len(feeds) != 2*len(urls) {
			t.Fatalf("ROME read %d feeds; want %d\n%s", len(feeds), 2*len(urls), stderr.String())
		}
		return feeds
	}
}

// readerWant is what a reader must show of an entry of the topic world
// holding the fixture's stories, putEdgeStories's and putRichStory's.
type readerWant struct {
	id, title, link, published, updated string
	content, summary                    string   // summary: Atom's, beside the content
	authors                             []string // "name <email>", or the name alone
	categories                          []string
	enclosures                          []string // "url type length", the URL as published, no length when unknown
}

// worldAndHostile publishes the topic world of one fixture with its
// stories, the edge stories and the rich story, and the topic all of
// another with the hostile story: the first fixture, what a reader must
// show of each of world's entries, the second fixture, and the hostile
// story's entry id.
func worldAndHostile(t *testing.T) (f *fixture, want []readerWant, h *fixture, hostile string) {
	t.Helper()
	f = newFixture(t)
	edge := putEdgeStories(t, f)
	rich := putRichStory(t, f)
	h = newFixture(t)
	return f, worldWants(f, edge, rich), h, "urn:tributary:story:" + putHostileStory(t, h)[0]
}

// worldWants returns readerWant for each entry of the topic world, newest
// first, the stories stored by newFixture, putEdgeStories (edge) and
// putRichStory (rich).
func worldWants(f *fixture, edge []string, rich string) []readerWant {
	urn := func(id string) string { return "urn:tributary:story:" + id }
	others := "\n<p>Also reported by:</p>\n<ul>\n" +
		`<li><a href="https://beta.example/news/1?id=7&amp;ref=x" rel="nofollow noopener noreferrer">Beta Wire</a>: Beijing talks resume</li>` + "\n" +
		`<li><a href="https://gamma.example/talks" rel="nofollow noopener noreferrer">&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; Gazette &amp; Co</a>: Talks &lt;resume&gt;</li>` + "\n</ul>"
	return []readerWant{
		{id: urn(rich), title: `R&D <beta> in Zürich: Café „Grün“ öffnet — 東京`, link: "https://alpha.example/de/2024/caf%C3%A9-gr%C3%BCn",
			published: "2024-03-01T17:00:00Z", updated: "2024-03-01T18:00:00Z", content: richContent, summary: richSummary,
			authors: []string{"Night Desk <desk@alpha.example>", "Zoë Müller"}, categories: []string{"économie", "R&D"},
			enclosures: []string{"https://img.alpha.example/caf%C3%A9.jpg image/jpeg 52011"}},
		{id: urn(edge[0]), title: "A note without a page", published: "2024-03-01T14:00:00Z", updated: "2024-03-01T14:00:00Z",
			content: "<p>Only in the feed.</p>", authors: []string{"Ann Writer", "Bo Reporter"}},
		// The enclosure at a javascript: URL is left out.
		{id: urn(edge[1]), title: "Episode 12", link: "https://alpha.example/episodes/12", published: "2024-03-01T13:00:00Z",
			updated: "2024-03-01T13:00:00Z", content: "<p>This week.</p>", authors: []string{"Alpha News"}, enclosures: []string{
				"https://cdn.alpha.example/ep12.mp3 audio/mpeg 4096", "https://cdn.alpha.example/ep12.ogg audio/ogg ",
				"https://cdn.alpha.example/ep12.M4A?token=x audio/mp4 ", "https://cdn.alpha.example/ep12/notes application/octet-stream "}},
		{id: urn(f.ids[0]), title: "Talks resume in Beijing", link: "https://alpha.example/2024/talks", published: "2024-03-01T12:00:00Z",
			updated: "2024-03-01T12:30:00Z", content: "<p>Officials met on <b>Friday</b>.</p>" + others, authors: []string{"Ann Writer"},
			categories: []string{"world", "china-us", "diplomacy"}},
		// The item's script and its javascript: link are left out.
		{id: urn(f.ids[1]), title: "Tom & Jerry <b>bold</b> markets", link: "https://beta.example/news/2", published: "2024-03-01T11:00:00Z",
			updated: "2024-03-01T11:00:00Z", content: "<p>Markets fell.  x </p>", authors: []string{"Beta Wire"}, categories: []string{"markets"}},
	}
}

// TestROME has ROME, the Java library that reads feeds for many Java
// readers and servers, fetch the topic world's RSS and Atom feeds over
// HTTP, with the fixture's stories, the edge stories and the rich story,
// and read each with SyndFeedInput, as they use it and in its strict mode
// (no XML healer, no DOCTYPE). Both must read each as the format it is,
// without an error, and show of every entry exactly what the stored items
// say: id, title, link, dates, authors, categories, media files, HTML and
// summary. ROME, in either mode, must also read the feeds of the topic all
// with the hostile story, each of whose fields holds what XML forbids or
// HTML runs, with that story first. ROME reads no JSON Feed.
func TestROME(t *testing.T) {
	read := rome(t)
	f, want, h, hostile := worldAndHostile(t)
	rssURL, atomURL := f.srv.URL+"/topics/world.rss", f.srv.URL+"/topics/world.atom"
	feeds := read(rssURL, atomURL, h.srv.URL+"/topics/all.rss", h.srv.URL+"/topics/all.atom")
	for i := 4; i < len(feeds); i += 2 {
		if !reflect.DeepEqual(feeds[i].Entries, feeds[i+1].Entries) {
			t.Errorf("%s: ROME's strict mode read other entries than its default mode", feeds[i].URL)
		}
	}
	for _, got := range feeds[4:] {
		name := fmt.Sprintf("%s (strict %v)", got.URL, got.Strict)
		if got.Error != "" || len(got.Entries) == 0 {
			t.Errorf("%s: ROME read %d entries with error %q; want the hostile story first and no error", name, len(got.Entries), got.Error)
			continue
		}
		if e := got.Entries[0]; e.URI != hostile || e.Link != "https://evil.example/a?b=1&c=%3C2%3E" {
			t.Errorf("%s: entry 0 %q at %q; want %q at its item's link, escaped", name, e.URI, e.Link, hostile)
		}
	}
	for _, got := range feeds[:4] {
		format := map[string]string{rssURL: "rss", atomURL: "atom"}[got.URL]
		name := fmt.Sprintf("world.%s (strict %v)", format, got.Strict)
		wantType, wantTitle := "atom_1.0", f.topic["world"].Title
		if format == "rss" {
			wantType, wantTitle = "rss_2.0", asRSSText(wantTitle)
		}
		if got.Error != "" || got.Type != wantType {
			t.Errorf("%s: ROME read it as %q with error %q; want %s and none", name, got.Type, got.Error, wantType)
			continue
		}
		if got.Title != wantTitle || got.Link != testBase+"/topics/world" {
			t.Errorf("%s: title %q, link %q; want %q, %q", name, got.Title, got.Link, wantTitle, testBase+"/topics/world")
		}
		if len(got.Entries) != len(want) {
			t.Fatalf("%s: %d entries; want %d", name, len(got.Entries), len(want))
		}
		for i, w := range want {
			e := got.Entries[i]
			where := fmt.Sprintf("%s entry %d (%s)", name, i, w.title)
			var authors, encs []string
			for _, a := range e.Authors {
				authors = append(authors, person(a.Name, a.Email))
			}
			for _, enc := range e.Enclosures {
				encs = append(encs, enc.URL+" "+enc.Type+" "+romeLength(enc.Length))
			}
			wantTitle, wantUpdated, wantAuthors, wantEncs := w.title, w.updated, w.authors, w.enclosures
			// Atom's content is ROME's contents, its summary ROME's
			// description.
			wantContents, wantDescription := []string{"html", w.content}, []string{"html", w.summary}
			if w.summary == "" {
				wantDescription = nil
			}
			creators, wantCreators := e.Creators, names(w.authors)[:1]
			if format == "rss" {
				// RSS gives titles without tags, one enclosure, no
				// updated date and the HTML as the description. Its
				// authors are its dc:creator elements, which ROME
				// gives through its Dublin Core module, all of them,
				// and through getAuthor, the first alone, but not
				// through getAuthors.
				wantTitle, wantUpdated, wantAuthors = asRSSText(wantTitle), "", nil
				wantEncs = wantEncs[:min(len(wantEncs), 1)]
				wantContents, wantDescription = nil, []string{"text/html", w.content}
				wantCreators = names(w.authors)
			}
			if e.URI != w.id || e.Title != wantTitle || e.Link != w.link || e.Published != w.published || e.Updated != wantUpdated {
				t.Errorf("%s: uri %q title %q link %q published %s updated %s; want %q %q %q %s %s",
					where, e.URI, e.Title, e.Link, e.Published, e.Updated, w.id, wantTitle, w.link, w.published, wantUpdated)
			}
			if e.Author != names(w.authors)[0] || !slices.Equal(authors, wantAuthors) || !slices.Equal(creators, wantCreators) {
				t.Errorf("%s: author %q, authors %q, dc:creator %q; want %q, %q, %q",
					where, e.Author, authors, creators, names(w.authors)[0], wantAuthors, wantCreators)
			}
			if !slices.Equal(e.Categories, w.categories) || !slices.Equal(encs, wantEncs) {
				t.Errorf("%s: categories %q, enclosures %q; want %q, %q", where, e.Categories, encs, w.categories, wantEncs)
			}
			if contents := romeContent(e.Contents); !sameContent(t, contents, wantContents) {
				t.Errorf("%s: contents %q; want %q", where, contents, wantContents)
			}
			if description := romeContent(e.Description); !sameContent(t, description, wantDescription) {
				t.Errorf("%s: description %q; want %q", where, description, wantDescription)
			}
		}
	}
}

// romeContent returns ROME's contents, or its description, as their type
// and text, nil for none; ROME gives at most one of each for these feeds.
func romeContent(cs []struct{ Type, Value string }) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Type, c.Value)
	}
	return out
}

// sameContent reports whether the type and HTML of got and want agree.
func sameContent(t *testing.T, got, want []string) bool {
	t.Helper()
	if len(got) != len(want) {
		return false
	}
	return len(got) == 0 || got[0] == want[0] && sameHTML(t, got[1], want[1])
}

// romeLength is an enclosure's length as ROME gives it: 0 when the feed
// gives none.
func romeLength(n int64) string {
	if n == 0 {
		return ""
	}
	return strconv.FormatInt(n, 10)
}

// person is an author written "name <email>", or the name alone.
func person(name, email string) string {
	if email == "" {
		return name
	}
	return name + " <" + email + ">"
}
