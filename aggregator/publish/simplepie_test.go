package publish_test

import (
	"fmt"
	"html"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	xhtml "golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/parse"
)

// simplePieLibrary is where Debian's libphp-simplepie installs SimplePie,
// which testdata/simplepie/read.php loads.
const simplePieLibrary = "/usr/share/php/simplepie/SimplePie.compiled.php"

// spFeed is what SimplePie understood of a feed (testdata/simplepie/read.php).
type spFeed struct {
	Error   string
	Types   []string
	Title   string
	Entries []spEntry
}

type spEntry struct {
	ID, Title, Link, Date, Content, Description string
	Authors                                     []struct{ Name, Email string }
	Categories                                  []string
	Enclosures                                  []struct{ URL, Type, Length string }
}

// simplePie returns a function that has SimplePie, the PHP feed library
// behind WordPress and many web readers, fetch a feed URL and returns what
// it understood, or skips the test when PHP, its XML extension or
// SimplePie is missing (Debian's php-cli, php-xml and libphp-simplepie;
// .ci/run installs them, and under CI=true their absence fails the test).
func simplePie(t *testing.T) func(url string) spFeed {
	t.Helper()
	php, err := exec.LookPath("php")
	if err == nil {
		_, err = os.Stat(simplePieLibrary)
	}
	if err == nil {
		err = exec.Command(php, "-r", `exit(function_exists("xml_parser_create") ? 0 : 1);`).Run()
	}
	needReader(t, err, "php with its XML extension, or SimplePie,", "php-cli, php-xml and libphp-simplepie")
	return func(url string) spFeed {
		t.Helper()
		var got spFeed
		runJSON(t, "SimplePie", exec.CommandContext(t.Context(), php, "testdata/simplepie/read.php", url), &got)
		return got
	}
}

// richLink, richContent and richSummary are the face item of
// putRichStory's story: its link has letters outside ASCII, and its HTML,
// as parse stores it, a picture and links made absolute from relative ones.
var (
	richLink    = "https://alpha.example/de/2024/café-grün"
	richContent = parse.Sanitize(`<p>Die <b>Grünen</b> trafen sich im Café &amp; sprachen über „R&amp;D“. <a href="/de/mehr?a=1&amp;b=2">Mehr dazu</a></p>`+
		`<p><img src="bilder/café.jpg" alt="Café Grün" width="640" height="480"></p>`, richLink)
	richSummary = "<p>Kurz: das Café öffnet.</p>"
)

// putRichStory stores, newest in the topics all and world, a story whose
// face item has what readers' sanitisers and parsers work on: a title with
// markup characters and text outside ASCII, an author given as an e-mail
// address with a name and one with a name alone, categories outside ASCII
// and with an ampersand, a picture as enclosure, a summary beside its
// content, and HTML with a picture and links. It returns the story's id.
func putRichStory(t *testing.T, f *fixture) string {
	t.Helper()
	ids := putStories(t, f.db, storySpec{
		at: t0.Add(8 * time.Hour), upd: time.Hour, topics: []string{"all", "world"}, tags: []string{"économie", "R&D"},
		items: []itemSpec{{src: srcAlpha, guid: "rich-1", title: `R&D <beta> in Zürich: Café „Grün“ öffnet — 東京`, link: richLink,
			content: richContent, summary: richSummary,
			authors: []string{"desk@alpha.example (Night Desk)", "Zoë Müller"},
			encs:    []aggregator.Enclosure{{URL: "https://img.alpha.example/café.jpg", Type: "image/jpeg", Length: 52011}}}},
	})
	f.pub.Changed("all", "world")
	return ids[0]
}

// sameHTML reports whether HTML a and b are the same elements, attributes
// and text, however each writes its characters (SimplePie writes "ü" as
// "&uuml;", an image as "<img …>" where another writes "<img …/>").
func sameHTML(t *testing.T, a, b string) bool {
	t.Helper()
	return normalHTML(t, a) == normalHTML(t, b)
}

func normalHTML(t *testing.T, h string) string {
	t.Helper()
	ctx := &xhtml.Node{Type: xhtml.ElementNode, Data: "div", DataAtom: atom.Div}
	nodes, err := xhtml.ParseFragment(strings.NewReader(h), ctx)
	if err != nil {
		t.Fatalf("parsing %q: %v", h, err)
	}
	var b strings.Builder
	for _, n := range nodes {
		if err := xhtml.Render(&b, n); err != nil {
			t.Fatal(err)
		}
	}
	return b.String()
}

// spWant is what SimplePie must show of an entry.
type spWant struct {
	id, title, link, date, content string
	summary                        string   // Atom's, beside the content
	authors                        []string // "name <email>", or the name alone
	categories, enclosures         []string // enclosures as "url type length"
}

// TestSimplePie has SimplePie, the PHP library that reads feeds for
// WordPress and many web readers, fetch the topic world's RSS and Atom
// feeds over HTTP, with the fixture's stories, the edge stories and a
// story whose face item has markup in its title, text outside ASCII, an
// author with an e-mail address, categories, a picture, a summary and
// HTML with links and a picture. It must read each as the format it is,
// without an error, and show of every entry exactly what the stored
// items say: id, title, link, date, authors, categories, media files and
// HTML. SimplePie reads no JSON Feed: TestParseBack and the JavaScript
// readers read that.
func TestSimplePie(t *testing.T) {
	read := simplePie(t)
	f := newFixture(t)
	edge := putEdgeStories(t, f)
	rich := putRichStory(t, f)
	urn := func(id string) string { return "urn:tributary:story:" + id }
	others := "\n<p>Also reported by:</p>\n<ul>\n" +
		`<li><a href="https://beta.example/news/1?id=7&amp;ref=x" rel="nofollow noopener noreferrer">Beta Wire</a>: Beijing talks resume</li>` + "\n" +
		`<li><a href="https://gamma.example/talks" rel="nofollow noopener noreferrer">&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; Gazette &amp; Co</a>: Talks &lt;resume&gt;</li>` + "\n</ul>"
	want := []spWant{
		{id: urn(rich), title: `R&D <beta> in Zürich: Café „Grün“ öffnet — 東京`, link: "https://alpha.example/de/2024/caf%C3%A9-gr%C3%BCn",
			date: "2024-03-01T17:00:00Z", content: richContent, summary: richSummary, authors: []string{"Night Desk <desk@alpha.example>", "Zoë Müller"},
			categories: []string{"économie", "R&D"}, enclosures: []string{"https://img.alpha.example/café.jpg image/jpeg 52011"}},
		{id: urn(edge[0]), title: "A note without a page", date: "2024-03-01T14:00:00Z", content: "<p>Only in the feed.</p>",
			authors: []string{"Ann Writer", "Bo Reporter"}},
		{id: urn(edge[1]), title: "Episode 12", link: "https://alpha.example/episodes/12", date: "2024-03-01T13:00:00Z", content: "<p>This week.</p>",
			authors: []string{"Alpha News"}, enclosures: []string{
				"https://cdn.alpha.example/ep12.mp3 audio/mpeg 4096", "https://cdn.alpha.example/ep12.ogg audio/ogg ",
				"https://cdn.alpha.example/ep12.M4A?token=x audio/mp4 ", "https://cdn.alpha.example/ep12/notes application/octet-stream "}},
		{id: urn(f.ids[0]), title: "Talks resume in Beijing", link: "https://alpha.example/2024/talks", date: "2024-03-01T12:00:00Z",
			content: "<p>Officials met on <b>Friday</b>.</p>" + others, authors: []string{"Ann Writer"}, categories: []string{"world", "china-us", "diplomacy"}},
		// The item's script and its javascript: link are left out.
		{id: urn(f.ids[1]), title: "Tom & Jerry <b>bold</b> markets", link: "https://beta.example/news/2", date: "2024-03-01T11:00:00Z",
			content: "<p>Markets fell.  x </p>", authors: []string{"Beta Wire"}, categories: []string{"markets"}},
	}
	for _, format := range []string{"rss", "atom"} {
		name := "world." + format
		got := read(f.srv.URL + "/topics/" + name)
		wantType := map[string]string{"rss": "rss20", "atom": "atom10"}[format]
		if got.Error != "" || !slices.Equal(got.Types, []string{wantType}) {
			t.Errorf("%s: SimplePie read it as %q with error %q; want %s and none", name, got.Types, got.Error, wantType)
		}
		wantTitle := f.topic["world"].Title
		if format == "rss" {
			wantTitle = asRSSText(wantTitle)
		}
		if title := html.UnescapeString(got.Title); title != wantTitle {
			t.Errorf("%s: title %q; want %q", name, title, wantTitle)
		}
		if len(got.Entries) != len(want) {
			t.Fatalf("%s: %d entries; want %d", name, len(got.Entries), len(want))
		}
		for i, w := range want {
			e := got.Entries[i]
			where := fmt.Sprintf("%s entry %d (%s)", name, i, w.title)
			wantTitle, wantAuthors, wantEncs, body := w.title, w.authors, w.enclosures, e.Content
			if format == "rss" {
				// RSS gives titles without tags, authors by their names
				// alone (dc:creator), one enclosure, and the HTML as the
				// description.
				wantTitle = asRSSText(wantTitle)
				wantAuthors = names(w.authors)
				wantEncs = wantEncs[:min(len(wantEncs), 1)]
				body = e.Description
			}
			var authors, cats, encs []string
			for _, a := range e.Authors {
				person := html2text(a.Name)
				if a.Email != "" {
					person += " <" + a.Email + ">"
				}
				authors = append(authors, person)
			}
			for _, c := range e.Categories {
				cats = append(cats, html2text(c))
			}
			for _, enc := range e.Enclosures {
				encs = append(encs, enc.URL+" "+enc.Type+" "+enc.Length)
			}
			if e.ID != w.id || html2text(e.Title) != wantTitle || e.Link != w.link || e.Date != w.date {
				t.Errorf("%s: id %q title %q link %q date %s; want %q %q %q %s", where, e.ID, html2text(e.Title), e.Link, e.Date, w.id, wantTitle, w.link, w.date)
			}
			if !slices.Equal(authors, wantAuthors) || !slices.Equal(cats, w.categories) || !slices.Equal(encs, wantEncs) {
				t.Errorf("%s: authors %q, categories %q, enclosures %q; want %q, %q, %q", where, authors, cats, encs, wantAuthors, w.categories, wantEncs)
			}
			if !sameHTML(t, body, w.content) {
				t.Errorf("%s: HTML\n%s\nwant\n%s", where, body, w.content)
			}
			if format == "atom" && !sameHTML(t, e.Description, w.summary) {
				t.Errorf("%s: summary %q; want %q", where, e.Description, w.summary)
			}
		}
	}
}

// html2text is text as SimplePie gives it, HTML with its characters
// escaped, unescaped.
func html2text(s string) string { return html.UnescapeString(s) }

// names returns the names of persons written "name <email>" or "name".
func names(persons []string) []string {
	out := make([]string, 0, len(persons))
	for _, p := range persons {
		name, _, _ := strings.Cut(p, " <")
		out = append(out, name)
	}
	return out
}
