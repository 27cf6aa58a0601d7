package publish_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"mime"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/mmcdole/gofeed"

	"github.com/tributary-feeds/tributary/aggregator"
)

var formats = []string{"rss", "atom", "json"}

// TestGolden compares every format of two topics with testdata/golden;
// go test -run TestGolden -update rewrites the files.
func TestGolden(t *testing.T) {
	f := newFixture(t)
	for _, topic := range []string{"world", "paged", "empty"} {
		for _, ext := range formats {
			name := topic + "." + ext
			t.Run(name, func(t *testing.T) {
				_, got := f.get(t, "/topics/"+name)
				path := filepath.Join("testdata", "golden", name)
				if *update {
					if err := os.WriteFile(path, got, 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("reading golden file (run with -update to create it): %v", err)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("GET /topics/%s differs from %s (run go test -update after checking the change):\ngot:\n%s", name, path, got)
				}
			})
		}
	}
}

// TestParseBack reads every format back with gofeed, as a reader would.
func TestParseBack(t *testing.T) {
	f := newFixture(t)
	want := []struct {
		id, title, link string
		others          []string // other sources' names, as text
		categories      []string
	}{
		{id: "urn:tributary:story:" + f.ids[0], title: "Talks resume in Beijing", link: "https://alpha.example/2024/talks",
			others: []string{"Beta Wire", `<script>alert("x")</script> Gazette & Co`}, categories: []string{"world", "china-us", "diplomacy"}},
		{id: "urn:tributary:story:" + f.ids[1], title: "Tom & Jerry <b>bold</b> markets", link: "https://beta.example/news/2", categories: []string{"markets"}},
	}
	parser := gofeed.NewParser()
	for _, ext := range formats {
		t.Run(ext, func(t *testing.T) {
			_, body := f.get(t, "/topics/world."+ext)
			feed, err := parser.Parse(bytes.NewReader(body))
			if err != nil {
				t.Fatalf("gofeed Parse(world.%s) = %v", ext, err)
			}
			// RSS, whose readers differ on whether titles are text or
			// HTML, gives them without tags.
			text := func(s string) string { return s }
			if ext == "rss" {
				text = asRSSText
			}
			if want := text("World <news> & more"); feed.Title != want {
				t.Errorf("feed title = %q; want %q", feed.Title, want)
			}
			if len(feed.Items) != len(want) {
				t.Fatalf("world.%s has %d items; want %d", ext, len(feed.Items), len(want))
			}
			for i, w := range want {
				it := feed.Items[i]
				if it.GUID != w.id {
					t.Errorf("item %d id = %q; want %q", i, it.GUID, w.id)
				}
				if it.Title != text(w.title) {
					t.Errorf("item %d title = %q; want %q", i, it.Title, text(w.title))
				}
				if it.Link != w.link {
					t.Errorf("item %d link = %q; want %q", i, it.Link, w.link)
				}
				if !slices.Equal(it.Categories, w.categories) {
					t.Errorf("item %d categories = %q; want %q", i, it.Categories, w.categories)
				}
				html := it.Content
				if html == "" {
					html = it.Description
				}
				text := htmlText(t, html)
				if len(w.others) > 0 && !strings.Contains(text, "Also reported by") {
					t.Errorf("item %d content %q lacks the other sources", i, html)
				}
				if len(w.others) == 0 && strings.Contains(text, "Also reported by") {
					t.Errorf("item %d content %q lists other sources; it has none", i, html)
				}
				for _, o := range w.others {
					if !strings.Contains(text, o) {
						t.Errorf("item %d content text %q does not name %q", i, text, o)
					}
				}
				if strings.Contains(html, "<script") || strings.Contains(html, "javascript:") {
					t.Errorf("item %d content %q carries script", i, html)
				}
				if it.PublishedParsed == nil || it.UpdatedParsed == nil && ext != "rss" {
					t.Errorf("item %d dates: published %v, updated %v", i, it.PublishedParsed, it.UpdatedParsed)
				}
			}
			first := feed.Items[0]
			if first.PublishedParsed != nil && !first.PublishedParsed.Equal(t0.Add(3*time.Hour)) {
				t.Errorf("item 0 published = %v; want %v", first.PublishedParsed, t0.Add(3*time.Hour))
			}
			if len(first.Authors) == 0 || first.Authors[0].Name != "Ann Writer" {
				t.Errorf("item 0 authors = %v; want Ann Writer", first.Authors)
			}
			// The second story has no author: the source name stands in.
			if a := feed.Items[1].Authors; len(a) == 0 || a[0].Name != "Beta Wire" {
				t.Errorf("item 1 authors = %v; want Beta Wire", a)
			}
			// The other sources are linked.
			if html := first.Content + first.Description; !strings.Contains(html, `href="https://beta.example/news/1?id=7&amp;ref=x"`) {
				t.Errorf("item 0 content %q does not link Beta Wire's item", html)
			}
		})
	}
}

// htmlText returns the text of an HTML fragment (its character data, with
// entities decoded), by reading it as XML inside a wrapper element.
func htmlText(t *testing.T, frag string) string {
	t.Helper()
	dec := xml.NewDecoder(strings.NewReader("<div>" + frag + "</div>"))
	dec.Strict = false
	dec.AutoClose = xml.HTMLAutoClose
	dec.Entity = xml.HTMLEntity
	var b strings.Builder
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		if cd, ok := tok.(xml.CharData); ok {
			b.Write(cd)
		}
	}
	return b.String()
}

// atomDoc is the structure RFC 4287 requires, as read with encoding/xml.
type atomDoc struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string      `xml:"id"`
	Title   string      `xml:"title"`
	Updated string      `xml:"updated"`
	Authors []atomName  `xml:"author"`
	Links   []atomLink  `xml:"link"`
	Entries []atomEntry `xml:"entry"`
}

type atomName struct {
	Name string `xml:"name"`
}

type atomLink struct {
	Rel    string `xml:"rel,attr"`
	Href   string `xml:"href,attr"`
	Type   string `xml:"type,attr"`
	Length string `xml:"length,attr"`
}

type atomEntry struct {
	ID         string     `xml:"id"`
	Title      string     `xml:"title"`
	Updated    string     `xml:"updated"`
	Published  string     `xml:"published"`
	Authors    []atomName `xml:"author"`
	Links      []atomLink `xml:"link"`
	Categories []struct {
		Term string `xml:"term,attr"`
	} `xml:"category"`
	Content struct {
		Type string `xml:"type,attr"`
		Body string `xml:",chardata"`
	} `xml:"content"`
}

func checkAtom(t *testing.T, name string, body []byte) atomDoc {
	t.Helper()
	var doc atomDoc
	if err := xml.Unmarshal(body, &doc); err != nil {
		t.Fatalf("%s: not well-formed Atom: %v", name, err)
	}
	if doc.ID == "" || doc.Title == "" {
		t.Errorf("%s: feed id %q, title %q; want both", name, doc.ID, doc.Title)
	}
	checkDate(t, name, "feed updated", time.RFC3339, doc.Updated)
	for _, l := range doc.Links {
		if !isAbsURL(l.Href) {
			t.Errorf("%s: feed link rel=%q href %q is not an absolute URL", name, l.Rel, l.Href)
		}
	}
	feedAuthor := len(doc.Authors) > 0 && doc.Authors[0].Name != ""
	ids := map[string]bool{}
	for i, e := range doc.Entries {
		if e.ID == "" || ids[e.ID] {
			t.Errorf("%s: entry %d id %q is empty or repeated", name, i, e.ID)
		}
		ids[e.ID] = true
		if e.Title == "" {
			t.Errorf("%s: entry %d has no title", name, i)
		}
		checkDate(t, name, fmt.Sprintf("entry %d updated", i), time.RFC3339, e.Updated)
		if e.Published != "" {
			checkDate(t, name, fmt.Sprintf("entry %d published", i), time.RFC3339, e.Published)
		}
		if !feedAuthor && len(e.Authors) == 0 {
			t.Errorf("%s: entry %d has no author and the feed has none", name, i)
		}
		for _, a := range e.Authors {
			if a.Name == "" {
				t.Errorf("%s: entry %d has an author without a name", name, i)
			}
		}
		for _, l := range e.Links {
			if !isAbsURL(l.Href) {
				t.Errorf("%s: entry %d link rel=%q href %q is not an absolute URL", name, i, l.Rel, l.Href)
			}
			if l.Type != "" && !isMediaType(l.Type) {
				t.Errorf("%s: entry %d link type %q is not a media type", name, i, l.Type)
			}
			if n, err := strconv.ParseInt(l.Length, 10, 64); l.Length != "" && (err != nil || n <= 0) {
				t.Errorf("%s: entry %d link length %q is not a size", name, i, l.Length)
			}
		}
		if e.Content.Type != "html" || e.Content.Body == "" {
			t.Errorf("%s: entry %d content type %q, %d bytes; want html, not empty", name, i, e.Content.Type, len(e.Content.Body))
		}
		for _, c := range e.Categories {
			if c.Term == "" {
				t.Errorf("%s: entry %d has a category without term", name, i)
			}
		}
	}
	return doc
}

type rssDoc struct {
	Channel struct {
		// atom:link first: a field without a namespace matches any.
		AtomLinks   []atomLink   `xml:"http://www.w3.org/2005/Atom link"`
		Title       string       `xml:"title"`
		Link        string       `xml:"link"`
		Description string       `xml:"description"`
		Items       []rssItemDoc `xml:"item"`
	} `xml:"channel"`
}

type rssItemDoc struct {
	Links []string `xml:"link"`
	GUID  struct {
		ID          string `xml:",chardata"`
		IsPermaLink string `xml:"isPermaLink,attr"`
	} `xml:"guid"`
	PubDate    string `xml:"pubDate"`
	Enclosures []struct {
		URL    string `xml:"url,attr"`
		Length string `xml:"length,attr"`
		Type   string `xml:"type,attr"`
	} `xml:"enclosure"`
	Title       string   `xml:"title"`
	Description string   `xml:"description"`
	Categories  []string `xml:"category"`
	Creators    []string `xml:"http://purl.org/dc/elements/1.1/ creator"`
}

// rssPlainText finds the RSS elements that hold plain text.
var rssPlainText = regexp.MustCompile(`<(title|dc:creator|category)>([^<]*)</`)

func checkRSS(t *testing.T, name string, body []byte) rssDoc {
	t.Helper()
	var doc rssDoc
	if err := xml.Unmarshal(body, &doc); err != nil {
		t.Fatalf("%s: not well-formed RSS: %v", name, err)
	}
	// Plain text (titles, names, categories) writes &, < and > as the
	// hexadecimal references that the most readers decode the same.
	for _, m := range rssPlainText.FindAllSubmatch(body, -1) {
		if bytes.Contains(m[2], []byte("&amp;")) || bytes.Contains(m[2], []byte("&lt;")) || bytes.Contains(m[2], []byte("&gt;")) {
			t.Errorf("%s: <%s>%s</%s>: want &, < and > as &#x26;, &#x3C; and &#x3E; in plain text", name, m[1], m[2], m[1])
		}
	}
	ch := doc.Channel
	if ch.Title == "" || !isAbsURL(ch.Link) || ch.Description == "" {
		t.Errorf("%s: channel title %q, link %q, description %q; want all three, the link absolute", name, ch.Title, ch.Link, ch.Description)
	}
	for i, it := range ch.Items {
		// An item's link is optional, but one that is there is a URL.
		if len(it.Links) > 1 || len(it.Links) == 1 && !isAbsURL(it.Links[0]) {
			t.Errorf("%s: item %d links %q; want none, or one absolute URL", name, i, it.Links)
		}
		if it.GUID.ID == "" || it.GUID.IsPermaLink != "false" {
			t.Errorf("%s: item %d guid %q isPermaLink %q; want an id, false", name, i, it.GUID.ID, it.GUID.IsPermaLink)
		}
		checkDate(t, name, fmt.Sprintf("item %d pubDate", i), time.RFC1123Z, it.PubDate)
		if it.Title == "" || it.Description == "" {
			t.Errorf("%s: item %d title %q, description of %d bytes; want both", name, i, it.Title, len(it.Description))
		}
		if len(it.Creators) == 0 {
			t.Errorf("%s: item %d has no dc:creator", name, i)
		}
		// RSS 2.0: one enclosure, with its three attributes required.
		for _, e := range it.Enclosures {
			if n, err := strconv.ParseInt(e.Length, 10, 64); err != nil || n < 0 || !isAbsURL(e.URL) || !isMediaType(e.Type) {
				t.Errorf("%s: item %d enclosure %+v; want an absolute url, a length in bytes and a media type", name, i, e)
			}
		}
		if len(it.Enclosures) > 1 {
			t.Errorf("%s: item %d has %d enclosures; readers take one", name, i, len(it.Enclosures))
		}
	}
	return doc
}

type jsonDoc struct {
	Version string `json:"version"`
	Title   string `json:"title"`
	FeedURL string `json:"feed_url"`
	NextURL string `json:"next_url"`
	Authors []struct {
		Name string `json:"name"`
	} `json:"authors"`
	Hubs []struct {
		Type string `json:"type"`
		URL  string `json:"url"`
	} `json:"hubs"`
	Items *[]struct {
		ID          string   `json:"id"`
		URL         string   `json:"url"`
		Title       string   `json:"title"`
		ContentHTML string   `json:"content_html"`
		Published   string   `json:"date_published"`
		Modified    string   `json:"date_modified"`
		Tags        []string `json:"tags"`
		Authors     []struct {
			Name string `json:"name"`
		} `json:"authors"`
		Attachments []struct {
			URL      string `json:"url"`
			MIMEType string `json:"mime_type"`
			Size     *int64 `json:"size_in_bytes"`
		} `json:"attachments"`
	} `json:"items"`
}

func checkJSON(t *testing.T, name string, body []byte) jsonDoc {
	t.Helper()
	if !json.Valid(body) || !utf8.Valid(body) {
		t.Fatalf("%s: not valid UTF-8 JSON", name)
	}
	var doc jsonDoc
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if doc.Version != "https://jsonfeed.org/version/1.1" || doc.Title == "" {
		t.Errorf("%s: version %q, title %q; want JSON Feed 1.1 with a title", name, doc.Version, doc.Title)
	}
	if doc.Items == nil {
		t.Fatalf("%s: no items array", name)
	}
	for i, it := range *doc.Items {
		if it.ID == "" || it.ContentHTML == "" {
			t.Errorf("%s: item %d id %q, content_html of %d bytes; want both", name, i, it.ID, len(it.ContentHTML))
		}
		checkDate(t, name, fmt.Sprintf("item %d date_published", i), time.RFC3339, it.Published)
		if it.Modified != "" {
			checkDate(t, name, fmt.Sprintf("item %d date_modified", i), time.RFC3339, it.Modified)
		}
		for _, a := range it.Attachments {
			if !isAbsURL(a.URL) || !isMediaType(a.MIMEType) || a.Size != nil && *a.Size <= 0 {
				t.Errorf("%s: item %d attachment %q %q; want an absolute url, a mime_type and no size or a positive one", name, i, a.URL, a.MIMEType)
			}
		}
	}
	return doc
}

// checkDate checks that a date of a feed is in the layout its format wants
// and plausible to a validator: not before 1970, and not later than a day
// after the fixture's clock.
func checkDate(t *testing.T, name, what, layout, value string) {
	t.Helper()
	d, err := time.Parse(layout, value)
	if err != nil {
		t.Errorf("%s: %s %q: %v", name, what, value, err)
		return
	}
	if d.Year() < 1970 || d.After(fixedNow().Add(24*time.Hour)) {
		t.Errorf("%s: %s %s is not a plausible date by the clock of %s", name, what, value, fixedNow().Format(time.RFC3339))
	}
}

// isAbsURL reports whether s is an absolute http(s) URL with a host.
func isAbsURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// isMediaType reports whether s is a media type: type/subtype and
// parameters.
func isMediaType(s string) bool {
	mt, _, err := mime.ParseMediaType(s)
	return err == nil && strings.Count(mt, "/") == 1 && !strings.HasPrefix(mt, "/") && !strings.HasSuffix(mt, "/")
}

// TestStructure validates every topic in every format against the rules of
// its specification that readers rely on.
func TestStructure(t *testing.T) {
	f := newFixture(t)
	for _, tc := range topicsCfg {
		_, atom := f.get(t, "/topics/"+tc.ID+".atom")
		doc := checkAtom(t, tc.ID+".atom", atom)
		if !hasLink(doc.Links, "self", testBase+"/topics/"+tc.ID+".atom") {
			t.Errorf("%s.atom links %v; want rel=self", tc.ID, doc.Links)
		}
		if len(doc.Authors) == 0 || doc.Authors[0].Name != "Tributary" {
			t.Errorf("%s.atom feed authors %v; want Tributary", tc.ID, doc.Authors)
		}
		_, rss := f.get(t, "/topics/"+tc.ID+".rss")
		rdoc := checkRSS(t, tc.ID+".rss", rss)
		if !hasLink(rdoc.Channel.AtomLinks, "self", testBase+"/topics/"+tc.ID+".rss") {
			t.Errorf("%s.rss atom:links %v; want rel=self", tc.ID, rdoc.Channel.AtomLinks)
		}
		_, js := f.get(t, "/topics/"+tc.ID+".json")
		jdoc := checkJSON(t, tc.ID+".json", js)
		if jdoc.FeedURL != testBase+"/topics/"+tc.ID+".json" {
			t.Errorf("%s.json feed_url = %q", tc.ID, jdoc.FeedURL)
		}
	}
}

func hasLink(links []atomLink, rel, href string) bool {
	for _, l := range links {
		if l.Rel == rel && l.Href == href {
			return true
		}
	}
	return false
}

// TestHubs checks that configured WebSub hubs are announced in every format.
func TestHubs(t *testing.T) {
	f := newFixture(t)
	cfg := *f.cfg
	cfg.Publish.Hubs = []string{"https://hub.example/", "https://hub2.example/websub"}
	f.pub.SetConfig(&cfg, topicsCfg)
	_, atom := f.get(t, "/topics/world.atom")
	doc := checkAtom(t, "world.atom", atom)
	_, rss := f.get(t, "/topics/world.rss")
	rdoc := checkRSS(t, "world.rss", rss)
	_, js := f.get(t, "/topics/world.json")
	jdoc := checkJSON(t, "world.json", js)
	for _, h := range cfg.Publish.Hubs {
		if !hasLink(doc.Links, "hub", h) {
			t.Errorf("world.atom links %v; want hub %s", doc.Links, h)
		}
		if !hasLink(rdoc.Channel.AtomLinks, "hub", h) {
			t.Errorf("world.rss atom:links %v; want hub %s", rdoc.Channel.AtomLinks, h)
		}
		if !slices.ContainsFunc(jdoc.Hubs, func(j struct {
			Type string `json:"type"`
			URL  string `json:"url"`
		}) bool {
			return j.URL == h && j.Type == "WebSub"
		}) {
			t.Errorf("world.json hubs %v; want %s", jdoc.Hubs, h)
		}
	}
}

// TestHubsPublishedAsURIs configures a hub whose URL carries a user name
// and password, for its pings, and bytes a URI cannot hold: every format
// and the Link header name it without the credentials, which every reader
// was shown, and percent-encoded, where the Link header's <…> ended at its
// '>' and named another hub.
func TestHubsPublishedAsURIs(t *testing.T) {
	f := newFixture(t)
	cfg := *f.cfg
	cfg.Publish.Hubs = []string{"https://pinger:secret@hub.example/a b>c"}
	f.pub.SetConfig(&cfg, topicsCfg)
	const want = "https://hub.example/a%20b%3Ec"
	resp, atom := f.get(t, "/topics/world.atom")
	if !hasLink(checkAtom(t, "world.atom", atom).Links, "hub", want) {
		t.Errorf("world.atom: no hub link %s in\n%s", want, atom)
	}
	if links := resp.Header.Values("Link"); !slices.Contains(links, "<"+want+`>; rel="hub"`) {
		t.Errorf("world.atom: Link headers %q; want <%s>; rel=\"hub\"", links, want)
	}
	_, rss := f.get(t, "/topics/world.rss")
	if !hasLink(checkRSS(t, "world.rss", rss).Channel.AtomLinks, "hub", want) {
		t.Errorf("world.rss: no hub link %s in\n%s", want, rss)
	}
	_, js := f.get(t, "/topics/world.json")
	if hubs := checkJSON(t, "world.json", js).Hubs; len(hubs) != 1 || hubs[0].URL != want {
		t.Errorf("world.json hubs %v; want %s", hubs, want)
	}
	for _, b := range [][]byte{atom, rss, js, []byte(strings.Join(resp.Header.Values("Link"), ","))} {
		if bytes.Contains(b, []byte("secret")) {
			t.Errorf("a published document names the hub's password:\n%s", b)
		}
	}
}

// TestLanguage checks that publish.language and a topic's language are
// declared in every format, in canonical form, and that a feed declares
// none when neither is set.
func TestLanguage(t *testing.T) {
	f := newFixture(t)
	declared := func(topic string) (rss, atom, js string) {
		t.Helper()
		_, b := f.get(t, "/topics/"+topic+".rss")
		var r struct {
			Language string `xml:"channel>language"`
		}
		if err := xml.Unmarshal(b, &r); err != nil {
			t.Fatalf("%s.rss: %v", topic, err)
		}
		_, b = f.get(t, "/topics/"+topic+".atom")
		var a struct {
			Lang string `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
		}
		if err := xml.Unmarshal(b, &a); err != nil {
			t.Fatalf("%s.atom: %v", topic, err)
		}
		_, b = f.get(t, "/topics/"+topic+".json")
		var j struct {
			Language *string `json:"language"`
		}
		if err := json.Unmarshal(b, &j); err != nil {
			t.Fatalf("%s.json: %v", topic, err)
		}
		if j.Language != nil {
			js = *j.Language
		}
		return r.Language, a.Lang, js
	}
	if rss, atom, js := declared("world"); rss != "" || atom != "" || js != "" {
		t.Errorf("world without a language declares %q, %q, %q; want none", rss, atom, js)
	}
	cfg := *f.cfg
	cfg.Publish.Language = "en-gb"
	topics := slices.Clone(topicsCfg)
	topics[1].Language = "de"
	f.pub.SetConfig(&cfg, topics)
	for topic, want := range map[string]string{"world": "de", "all": "en-GB", "paged": "en-GB"} {
		if rss, atom, js := declared(topic); rss != want || atom != want || js != want {
			t.Errorf("%s declares %q (RSS), %q (Atom), %q (JSON Feed); want %q", topic, rss, atom, js, want)
		}
	}
}

// TestHostileInput stores items full of control characters, invalid UTF-8,
// CDATA terminators and markup, and checks every format stays well-formed
// and carries none of it as markup.
func TestHostileInput(t *testing.T) {
	f := newFixture(t)
	ids := putHostileStory(t, f)
	for _, topic := range []string{"all", "world"} {
		_, atom := f.get(t, "/topics/"+topic+".atom")
		checkXMLRoundTrip(t, topic+".atom", atom)
		doc := checkAtom(t, topic+".atom", atom)
		if doc.Entries[0].ID != "urn:tributary:story:"+ids[0] {
			t.Errorf("%s.atom entry 0 id = %q; want the hostile story first", topic, doc.Entries[0].ID)
		}
		for _, bad := range []string{"<script", "onerror", "javascript:"} {
			if strings.Contains(doc.Entries[0].Content.Body, bad) {
				t.Errorf("%s.atom entry 0 content %q contains %q", topic, doc.Entries[0].Content.Body, bad)
			}
		}
		_, rss := f.get(t, "/topics/"+topic+".rss")
		checkXMLRoundTrip(t, topic+".rss", rss)
		checkRSS(t, topic+".rss", rss)
		_, js := f.get(t, "/topics/"+topic+".json")
		checkJSON(t, topic+".json", js)
		if _, err := gofeed.NewParser().Parse(bytes.NewReader(atom)); err != nil {
			t.Errorf("gofeed Parse(%s.atom) = %v", topic, err)
		}
	}
}

// checkXMLRoundTrip decodes body token by token with encoding/xml, which
// rejects malformed XML, invalid UTF-8 and forbidden characters.
func checkXMLRoundTrip(t *testing.T, name string, body []byte) {
	t.Helper()
	if !utf8.Valid(body) {
		t.Errorf("%s: invalid UTF-8", name)
	}
	dec := xml.NewDecoder(bytes.NewReader(body))
	var out bytes.Buffer
	enc := xml.NewEncoder(&out)
	for {
		tok, err := dec.Token()
		if err != nil {
			if err.Error() != "EOF" {
				t.Fatalf("%s: not well-formed XML: %v", name, err)
			}
			break
		}
		if err := enc.EncodeToken(xml.CopyToken(tok)); err != nil {
			t.Fatalf("%s: re-encoding token %v: %v", name, tok, err)
		}
	}
	if err := enc.Flush(); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

// putHostileStory stores a story whose every field is hostile — control
// characters, invalid UTF-8, CDATA ends, script, a javascript: link — in the
// topics all and world, newest of all, and returns its id.
func putHostileStory(t *testing.T, f *fixture) []string {
	t.Helper()
	evil := aggregator.SourceState{ID: aggregator.SourceID("https://evil.example/"), URL: "https://evil.example/", Name: "Evil\x00\x01 <img src=x onerror=alert(1)> \xff\xfe Source"}
	if err := f.db.PutSource(t.Context(), evil); err != nil {
		t.Fatal(err)
	}
	ids := putStories(t, f.db, storySpec{
		at: t0.Add(10 * time.Hour), topics: []string{"all", "world"}, tags: []string{"bad\x0btag", "]]>", "<tag>"},
		items: []itemSpec{
			{src: evil, guid: "evil-1", title: "Bad\x00 title \x1b]]> <script>alert(1)</script> \xc3\x28 end\ufffe",
				link:    "https://evil.example/a?b=1&c=<2>",
				content: "<p>text ]]> more\x07 \xed\xa0\x80 <![CDATA[ x ]]> <img src=\"javascript:alert(1)\" onerror=\"alert(2)\"></p>",
				authors: []string{"Mal\x08lory <mal@evil.example>"}},
			{src: srcAlpha, guid: "evil-2", title: "Other \x02 side", link: "javascript:alert(1)"},
		},
	})
	f.pub.Changed("all", "world")
	return ids
}
