package publish_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/mail"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
)

// Namespaces of the published XML documents.
const (
	nsAtom    = "http://www.w3.org/2005/Atom"
	nsDC      = "http://purl.org/dc/elements/1.1/"
	nsContent = "http://purl.org/rss/1.0/modules/content/"
)

// specHubs are the WebSub hubs of TestSpecConformance's configuration.
var specHubs = []string{"https://hub.example/", "https://hub2.example/websub"}

// TestSpecConformance reads every document a topic is published as — each
// format's first page and every older page the next links lead to, and the
// OPML list — over HTTP, and holds each to the rules of its specification
// (RSS 2.0, RFC 4287, JSON Feed 1.1, OPML 2.0, RFC 3339 and RFC 822 dates,
// WebSub discovery) as strict validators read them, warnings included:
// the fixture's stories, the edge and hostile stories, a story whose
// author is a bare e-mail address, and a topic with no stories. Where
// they are installed, feedparser and xmllint must find every XML document
// well-formed too.
func TestSpecConformance(t *testing.T) {
	f := newFixture(t)
	putEdgeStories(t, f)
	putHostileStory(t, f)
	putStories(t, f.db, storySpec{
		at: t0.Add(6 * time.Hour), topics: []string{"all", "world"}, tags: []string{"world"},
		items: []itemSpec{{src: srcAlpha, guid: "a-mail", title: "Signed with an address", link: "https://alpha.example/mail",
			content: "<p>By e-mail.</p>", authors: []string{"desk@alpha.example"},
			encs: []aggregator.Enclosure{{URL: "https://cdn.alpha.example/mail.mp3", Type: "audio/mpeg;", Length: 1234}}}},
	})
	f.pub.Changed()
	cfg := *f.cfg
	cfg.Publish.Hubs = specHubs
	f.pub.SetConfig(&cfg, topicsCfg)
	if err := f.pub.SettingsSince(t.Context(), &cfg); err != nil {
		t.Fatal(err)
	}

	var xmlDocs []specDoc
	for _, tc := range topicsCfg {
		for _, ext := range formats {
			path := "/topics/" + tc.ID + "." + ext
			for page := 0; path != ""; page++ {
				if page > 10 {
					t.Fatalf("%s: more than 10 pages", tc.ID+"."+ext)
				}
				doc := fetchSpec(t, f, path)
				checkHeaders(t, doc, ext)
				var next string
				switch ext {
				case "atom":
					next = specAtom(t, doc, tc.ID)
				case "rss":
					next = specRSS(t, doc)
				case "json":
					next = specJSON(t, doc, tc.ID)
				}
				if ext != "json" {
					xmlDocs = append(xmlDocs, doc)
				}
				path = strings.TrimPrefix(next, testBase)
			}
		}
	}
	opml := fetchSpec(t, f, "/opml")
	specOPML(t, opml)
	xmlDocs = append(xmlDocs, opml)
	specReaders(t, xmlDocs)
}

// specDoc is one document as served: where it was fetched, its headers
// and its bytes.
type specDoc struct {
	url    string // absolute, under testBase: what a self link must say
	header http.Header
	body   []byte
}

func fetchSpec(t *testing.T, f *fixture, path string) specDoc {
	t.Helper()
	resp, body := f.get(t, path)
	return specDoc{url: testBase + path, header: resp.Header, body: body}
}

// checkHeaders checks a feed's Content-Type (the format's media type, in
// UTF-8, as the validator's UnexpectedContentType wants) and its WebSub
// discovery headers: a rel="hub" Link per hub and exactly one rel="self"
// naming the URL the document was fetched at.
func checkHeaders(t *testing.T, doc specDoc, ext string) {
	t.Helper()
	want := map[string]string{
		"rss":  "application/rss+xml; charset=utf-8",
		"atom": "application/atom+xml; charset=utf-8",
		"json": "application/feed+json; charset=utf-8",
	}[ext]
	if ct := doc.header.Get("Content-Type"); ct != want {
		t.Errorf("%s: Content-Type %q; want %q", doc.url, ct, want)
	}
	var hubs, self []string
	for _, v := range doc.header.Values("Link") {
		for l := range strings.SplitSeq(v, ",") {
			target, params, ok := strings.Cut(strings.TrimSpace(l), ";")
			if !ok || !strings.HasPrefix(target, "<") || !strings.HasSuffix(target, ">") {
				t.Errorf("%s: Link %q is not <URL>; rel=...", doc.url, l)
				continue
			}
			target = target[1 : len(target)-1]
			switch strings.TrimSpace(params) {
			case `rel="hub"`:
				hubs = append(hubs, target)
			case `rel="self"`:
				self = append(self, target)
			}
		}
	}
	if !slices.Equal(hubs, specHubs) || len(self) != 1 || self[0] != doc.url {
		t.Errorf("%s: Link headers %q: hubs %q, self %q; want hubs %q and one self, the URL fetched", doc.url, doc.header.Values("Link"), hubs, self, specHubs)
	}
}

// xnode is an element of a document read with encoding/xml, namespaces
// resolved: an undeclared prefix is left as the name's Space.
type xnode struct {
	name  xml.Name
	attrs []xml.Attr
	text  string
	kids  []*xnode
}

func parseTree(t *testing.T, name string, body []byte) *xnode {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(body))
	root := &xnode{}
	stack := []*xnode{root}
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s: not well-formed: %v", name, err)
		}
		top := stack[len(stack)-1]
		switch tok := tok.(type) {
		case xml.StartElement:
			n := &xnode{name: tok.Name, attrs: tok.Copy().Attr}
			top.kids = append(top.kids, n)
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			top.text += string(tok)
		}
	}
	if len(root.kids) != 1 {
		t.Fatalf("%s: %d root elements", name, len(root.kids))
	}
	return root.kids[0]
}

// all returns n's children named space:local.
func (n *xnode) all(space, local string) []*xnode {
	var out []*xnode
	for _, k := range n.kids {
		if k.name.Space == space && k.name.Local == local {
			out = append(out, k)
		}
	}
	return out
}

// one returns n's only child named space:local and reports an error when
// there is not exactly one.
func (n *xnode) one(t *testing.T, where, space, local string) *xnode {
	t.Helper()
	got := n.all(space, local)
	if len(got) != 1 {
		t.Errorf("%s: %d <%s> elements; want exactly one", where, len(got), local)
		if len(got) == 0 {
			return &xnode{}
		}
	}
	return got[0]
}

func (n *xnode) attr(local string) (string, bool) {
	for _, a := range n.attrs {
		if a.Name.Space == "" && a.Name.Local == local {
			return a.Value, true
		}
	}
	return "", false
}

// walk calls fn for n and every element below it.
func (n *xnode) walk(fn func(*xnode)) {
	fn(n)
	for _, k := range n.kids {
		k.walk(fn)
	}
}

// checkTree checks what validators check of every element: that it is in
// one of the namespaces the format declares for it (UnknownNamespace,
// MissingNamespace), and that an element with neither attributes nor
// children holds some text (NotBlank).
func checkTree(t *testing.T, where string, root *xnode, spaces ...string) {
	t.Helper()
	root.walk(func(n *xnode) {
		if !slices.Contains(spaces, n.name.Space) {
			t.Errorf("%s: <%s> in namespace %q; want one of %q", where, n.name.Local, n.name.Space, spaces)
		}
		if len(n.attrs) == 0 && len(n.kids) == 0 && strings.TrimSpace(n.text) == "" {
			t.Errorf("%s: empty <%s>", where, n.name.Local)
		}
	})
}

// plausible reports whether d is a date the feed validator accepts without
// its ImplausibleDate warning: from 1990 on, and not later than ten minutes
// after the clock.
func plausible(d time.Time) bool {
	return d.Year() >= 1990 && !d.After(fixedNow().Add(10*time.Minute))
}

// rfc3339 checks an RFC 3339 date-time, as Atom and JSON Feed want.
func rfc3339(t *testing.T, where, value string) {
	t.Helper()
	d, err := time.Parse(time.RFC3339, value)
	if err != nil || !rfc3339Re.MatchString(value) {
		t.Errorf("%s: %q is not an RFC 3339 date-time (%v)", where, value, err)
		return
	}
	if !plausible(d) {
		t.Errorf("%s: implausible date %s", where, value)
	}
}

var rfc3339Re = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$`)

// rfc822Re is RFC 822's date-time as RSS wants it, in the form RFC 2822
// recommends: a four-digit year, seconds, single spaces and a numeric zone
// or one of the zone names (no military zones).
var rfc822Re = regexp.MustCompile(`^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d ([+-]\d{4}|UT|GMT|[ECMP][SD]T)$`)

func rfc822(t *testing.T, where, value string) {
	t.Helper()
	d, err := mail.ParseDate(value)
	if err != nil || !rfc822Re.MatchString(value) {
		t.Errorf("%s: %q is not an RFC 822 date-time with a four-digit year (%v)", where, value, err)
		return
	}
	if d.Format("Mon") != value[:3] {
		t.Errorf("%s: %q names the wrong day of the week", where, value)
	}
	if !plausible(d) {
		t.Errorf("%s: implausible date %s", where, value)
	}
}

// mimeRe is a media type as the feed validator reads one: type/subtype,
// then parameters, each after a semicolon.
var mimeRe = regexp.MustCompile(`^[^\s()<>,;:\\"/[\]?=]+/[^\s()<>,;:\\"/[\]?=]+(\s*;\s*[^\s()<>,;:\\"/[\]?=]+=("(\\"|[^"])*"|[^\s()<>,;:\\"/[\]?=]+))*$`)

// emailRe finds an e-mail address in text.
var emailRe = regexp.MustCompile(`[^\s<>()@]+@[^\s<>()@]+\.[^\s<>()@]+`)

// urnRe is a URN as the feed validator reads one (RFC 2141).
var urnRe = regexp.MustCompile(`^urn:[a-zA-Z0-9][a-zA-Z0-9-]{1,31}:([a-zA-Z0-9()+,.:=@;$_!*'-]|%[0-9A-Fa-f]{2})+$`)

// isID reports whether s is an identifier a validator accepts: a URN or an
// absolute http(s) URL.
func isID(s string) bool { return urnRe.MatchString(s) || isAbsURL(s) }

// specAtom checks an Atom document against RFC 4287 and the validator's
// warnings, and returns its rel="next" link.
func specAtom(t *testing.T, doc specDoc, topic string) (next string) {
	t.Helper()
	where := doc.url
	feed := parseTree(t, where, doc.body)
	checkTree(t, where, feed, nsAtom)
	if feed.name.Local != "feed" {
		t.Fatalf("%s: root <%s>; want <feed>", where, feed.name.Local)
	}
	if id := feed.one(t, where, nsAtom, "id").text; id != "urn:tributary:topic:"+topic || !isID(id) {
		t.Errorf("%s: feed id %q", where, id)
	}
	feed.one(t, where, nsAtom, "title")
	rfc3339(t, where+" feed updated", feed.one(t, where, nsAtom, "updated").text)
	feedAuthor := len(feed.all(nsAtom, "author")) > 0
	rels := map[string][]string{}
	for _, l := range feed.all(nsAtom, "link") {
		rel, _ := l.attr("rel")
		href, _ := l.attr("href")
		rels[rel] = append(rels[rel], href)
		if typ, ok := l.attr("type"); ok && !mimeRe.MatchString(typ) {
			t.Errorf("%s: link rel=%s type %q is not a media type (InvalidMIMEType)", where, rel, typ)
		}
	}
	if !slices.Equal(rels["self"], []string{doc.url}) {
		t.Errorf("%s: rel=self links %q; want one, the URL fetched", where, rels["self"])
	}
	if len(rels["alternate"]) != 1 || len(rels["next"]) > 1 {
		t.Errorf("%s: rel=alternate %q, next %q; want one alternate, at most one next", where, rels["alternate"], rels["next"])
	}
	ids := map[string]bool{}
	for i, e := range feed.all(nsAtom, "entry") {
		ew := fmt.Sprintf("%s entry %d", where, i)
		id := e.one(t, ew, nsAtom, "id").text
		if !isID(id) || ids[id] {
			t.Errorf("%s: id %q is no IRI or is repeated (DuplicateEntries)", ew, id)
		}
		ids[id] = true
		e.one(t, ew, nsAtom, "title")
		rfc3339(t, ew+" updated", e.one(t, ew, nsAtom, "updated").text)
		for _, p := range e.all(nsAtom, "published") {
			rfc3339(t, ew+" published", p.text)
		}
		authors := e.all(nsAtom, "author")
		if len(authors) == 0 && !feedAuthor {
			t.Errorf("%s: no author, and the feed has none", ew)
		}
		for _, a := range authors {
			name := a.one(t, ew+" author", nsAtom, "name").text
			if strings.TrimSpace(name) == "" || emailRe.MatchString(name) {
				t.Errorf("%s: author name %q is empty or holds an e-mail address (ContainsEmail)", ew, name)
			}
			for _, m := range a.all(nsAtom, "email") {
				if addr, err := mail.ParseAddress(m.text); err != nil || addr.Address != m.text {
					t.Errorf("%s: author email %q is not an addr-spec", ew, m.text)
				}
			}
		}
		alternate := 0
		for _, l := range e.all(nsAtom, "link") {
			rel, _ := l.attr("rel")
			href, _ := l.attr("href")
			if !isAbsURL(href) {
				t.Errorf("%s: link rel=%s href %q is not an absolute URL", ew, rel, href)
			}
			if rel == "alternate" {
				alternate++
			}
			if typ, ok := l.attr("type"); ok && !mimeRe.MatchString(typ) {
				t.Errorf("%s: link rel=%s type %q is not a media type (InvalidMIMEType)", ew, rel, typ)
			}
			if n, ok := l.attr("length"); ok {
				if v, err := strconv.ParseInt(n, 10, 64); err != nil || v < 0 {
					t.Errorf("%s: link length %q", ew, n)
				}
			}
		}
		content := e.all(nsAtom, "content")
		if alternate > 1 || (alternate == 0 && len(content) == 0) {
			t.Errorf("%s: %d alternate links and %d contents; want an alternate link or content, one alternate at most", ew, alternate, len(content))
		}
		for _, c := range content {
			if typ, _ := c.attr("type"); typ != "html" || strings.TrimSpace(c.text) == "" {
				t.Errorf("%s: content type %q with %d bytes; want html, not empty", ew, typ, len(c.text))
			}
		}
		for _, c := range e.all(nsAtom, "category") {
			if term, _ := c.attr("term"); strings.TrimSpace(term) == "" {
				t.Errorf("%s: category without term", ew)
			}
		}
	}
	if len(rels["next"]) == 1 {
		return rels["next"][0]
	}
	return ""
}

// specRSS checks an RSS document against RSS 2.0 and the validator's
// warnings, and returns its atom:link rel="next".
func specRSS(t *testing.T, doc specDoc) (next string) {
	t.Helper()
	where := doc.url
	rss := parseTree(t, where, doc.body)
	checkTree(t, where, rss, "", nsAtom, nsDC, nsContent)
	if v, _ := rss.attr("version"); rss.name.Local != "rss" || v != "2.0" {
		t.Fatalf("%s: root <%s version=%q>; want <rss version=\"2.0\">", where, rss.name.Local, v)
	}
	ch := rss.one(t, where, "", "channel")
	ch.one(t, where, "", "title")
	ch.one(t, where, "", "description")
	if l := ch.one(t, where, "", "link").text; !isAbsURL(l) {
		t.Errorf("%s: channel link %q", where, l)
	}
	for _, el := range []string{"pubDate", "lastBuildDate"} {
		for _, d := range ch.all("", el) {
			rfc822(t, where+" channel "+el, d.text)
		}
	}
	// managingEditor and webMaster must be e-mail addresses (InvalidContact);
	// a merged feed has none to give.
	for _, el := range []string{"managingEditor", "webMaster", "author", "language", "ttl"} {
		if len(ch.all("", el)) > 0 {
			t.Errorf("%s: channel has <%s>", where, el)
		}
	}
	rels := map[string][]string{}
	for _, l := range ch.all(nsAtom, "link") {
		rel, _ := l.attr("rel")
		href, _ := l.attr("href")
		rels[rel] = append(rels[rel], href)
	}
	if !slices.Equal(rels["self"], []string{doc.url}) {
		t.Errorf("%s: atom:link rel=self %q; want one, the URL fetched (MissingAtomSelfLink, SelfDoesntMatchLocation)", where, rels["self"])
	}
	guids := map[string]bool{}
	for i, it := range ch.all("", "item") {
		iw := fmt.Sprintf("%s item %d", where, i)
		if len(it.all("", "title")) == 0 && len(it.all("", "description")) == 0 {
			t.Errorf("%s: neither title nor description", iw)
		}
		for _, el := range []string{"title", "description", "link", "guid", "pubDate", "enclosure"} {
			if len(it.all("", el)) > 1 {
				t.Errorf("%s: %d <%s> elements", iw, len(it.all("", el)), el)
			}
		}
		if len(it.all("", "author")) > 0 {
			t.Errorf("%s: <author> beside dc:creator (DuplicateItemSemantics)", iw)
		}
		for _, l := range it.all("", "link") {
			if !isAbsURL(l.text) {
				t.Errorf("%s: link %q", iw, l.text)
			}
		}
		g := it.one(t, iw, "", "guid")
		perma, _ := g.attr("isPermaLink")
		if guids[g.text] || (perma == "false") == isAbsURL(g.text) {
			t.Errorf("%s: guid %q isPermaLink=%q; want unique, a permalink only when a URL", iw, g.text, perma)
		}
		guids[g.text] = true
		rfc822(t, iw+" pubDate", it.one(t, iw, "", "pubDate").text)
		for _, e := range it.all("", "enclosure") {
			u, _ := e.attr("url")
			n, _ := e.attr("length")
			typ, _ := e.attr("type")
			if v, err := strconv.ParseInt(n, 10, 64); err != nil || v < 0 || !isAbsURL(u) || !mimeRe.MatchString(typ) {
				t.Errorf("%s: enclosure url %q length %q type %q", iw, u, n, typ)
			}
		}
	}
	if len(rels["next"]) == 1 {
		return rels["next"][0]
	}
	return ""
}

// specJSON checks a JSON Feed document against JSON Feed 1.1 and returns
// its next_url.
func specJSON(t *testing.T, doc specDoc, topic string) (next string) {
	t.Helper()
	where := doc.url
	var feed struct {
		Version *string            `json:"version"`
		Title   *string            `json:"title"`
		FeedURL string             `json:"feed_url"`
		NextURL string             `json:"next_url"`
		Authors []map[string]any   `json:"authors"`
		Items   *[]json.RawMessage `json:"items"`
	}
	if err := json.Unmarshal(doc.body, &feed); err != nil {
		t.Fatalf("%s: %v", where, err)
	}
	if feed.Version == nil || *feed.Version != "https://jsonfeed.org/version/1.1" || feed.Title == nil || *feed.Title == "" {
		t.Errorf("%s: version %v, title %v; want JSON Feed 1.1 with a title", where, feed.Version, feed.Title)
	}
	if feed.FeedURL != testBase+"/topics/"+topic+".json" {
		t.Errorf("%s: feed_url %q; want the feed's own URL", where, feed.FeedURL)
	}
	if feed.NextURL != "" && !isAbsURL(feed.NextURL) {
		t.Errorf("%s: next_url %q", where, feed.NextURL)
	}
	checkJSONAuthors(t, where, feed.Authors)
	if feed.Items == nil {
		t.Fatalf("%s: no items array", where)
	}
	ids := map[string]bool{}
	for i, raw := range *feed.Items {
		iw := fmt.Sprintf("%s item %d", where, i)
		var it struct {
			ID            any              `json:"id"`
			URL           string           `json:"url"`
			ContentHTML   *string          `json:"content_html"`
			ContentText   *string          `json:"content_text"`
			DatePublished string           `json:"date_published"`
			DateModified  string           `json:"date_modified"`
			Authors       []map[string]any `json:"authors"`
			Tags          []string         `json:"tags"`
			Attachments   []struct {
				URL      string `json:"url"`
				MIMEType string `json:"mime_type"`
			} `json:"attachments"`
		}
		if err := json.Unmarshal(raw, &it); err != nil {
			t.Errorf("%s: %v", iw, err)
			continue
		}
		id, ok := it.ID.(string)
		if !ok || id == "" || ids[id] {
			t.Errorf("%s: id %v; want a unique, non-empty string", iw, it.ID)
		}
		ids[id] = true
		if (it.ContentHTML == nil || *it.ContentHTML == "") && (it.ContentText == nil || *it.ContentText == "") {
			t.Errorf("%s: neither content_html nor content_text", iw)
		}
		if it.URL != "" && !isAbsURL(it.URL) {
			t.Errorf("%s: url %q", iw, it.URL)
		}
		rfc3339(t, iw+" date_published", it.DatePublished)
		if it.DateModified != "" {
			rfc3339(t, iw+" date_modified", it.DateModified)
		}
		checkJSONAuthors(t, iw, it.Authors)
		for _, a := range it.Attachments {
			if !isAbsURL(a.URL) || !mimeRe.MatchString(a.MIMEType) {
				t.Errorf("%s: attachment url %q mime_type %q", iw, a.URL, a.MIMEType)
			}
		}
		if slices.Contains(it.Tags, "") {
			t.Errorf("%s: an empty tag", iw)
		}
	}
	return feed.NextURL
}

// checkJSONAuthors checks JSON Feed 1.1 author objects: each has a name,
// url or avatar, and nothing else.
func checkJSONAuthors(t *testing.T, where string, authors []map[string]any) {
	t.Helper()
	for _, a := range authors {
		if len(a) == 0 {
			t.Errorf("%s: an empty author object", where)
		}
		for k, v := range a {
			if s, ok := v.(string); !ok || s == "" || !slices.Contains([]string{"name", "url", "avatar"}, k) {
				t.Errorf("%s: author %q: %v", where, k, v)
			}
		}
	}
}

// specOPML checks the OPML list against OPML 2.0 and the validator's OPML
// checks, which know only some of the head elements OPML 2.0 lists.
func specOPML(t *testing.T, doc specDoc) {
	t.Helper()
	where := doc.url
	if ct := doc.header.Get("Content-Type"); ct != "text/x-opml; charset=utf-8" {
		t.Errorf("%s: Content-Type %q", where, ct)
	}
	opml := parseTree(t, where, doc.body)
	checkTree(t, where, opml, "")
	if v, _ := opml.attr("version"); opml.name.Local != "opml" || v != "2.0" {
		t.Errorf("%s: root <%s version=%q>; want <opml version=\"2.0\">", where, opml.name.Local, v)
	}
	head := opml.one(t, where, "", "head")
	head.one(t, where, "", "title")
	known := []string{"title", "dateCreated", "dateModified", "ownerName", "ownerEmail", "ownerId", "expansionState",
		"vertScrollState", "windowTop", "windowLeft", "windowBottom", "windowRight"}
	for _, k := range head.kids {
		if !slices.Contains(known, k.name.Local) {
			t.Errorf("%s: head element <%s> that the validator does not know (UndefinedElement)", where, k.name.Local)
		}
	}
	outlines := opml.one(t, where, "", "body").all("", "outline")
	if len(outlines) != len(topicsCfg) {
		t.Errorf("%s: %d outlines; want %d", where, len(outlines), len(topicsCfg))
	}
	for i, o := range outlines {
		text, _ := o.attr("text")
		title, _ := o.attr("title")
		typ, _ := o.attr("type")
		xmlURL, _ := o.attr("xmlUrl")
		htmlURL, _ := o.attr("htmlUrl")
		if text == "" || title == "" || typ != "rss" || !isAbsURL(xmlURL) || !isAbsURL(htmlURL) {
			t.Errorf("%s: outline %d text %q title %q type %q xmlUrl %q htmlUrl %q", where, i, text, title, typ, xmlURL, htmlURL)
		}
	}
}

// specReaders reads every XML document with feedparser (its bozo flag) and
// xmllint, where they are installed.
func specReaders(t *testing.T, docs []specDoc) {
	t.Helper()
	var parse func(string, []byte) fpFeed
	if exec.Command("/usr/bin/python3", "-c", "import feedparser").Run() == nil {
		parse = feedparser(t)
	}
	xmllint, _ := exec.LookPath("xmllint")
	for _, d := range docs {
		if parse != nil && !strings.HasSuffix(d.url, "/opml") {
			if got := parse(d.header.Get("Content-Type"), d.body); got.Bozo {
				t.Errorf("%s: feedparser found it ill-formed: %s", d.url, got.Error)
			}
		}
		if xmllint != "" {
			cmd := exec.CommandContext(t.Context(), xmllint, "--noout", "--nonet", "-")
			cmd.Stdin = bytes.NewReader(d.body)
			if out, err := cmd.CombinedOutput(); err != nil || len(out) > 0 {
				t.Errorf("xmllint %s: %v\n%s", d.url, err, out)
			}
		}
	}
}
