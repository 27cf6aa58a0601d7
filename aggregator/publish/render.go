package publish

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"html"
	"mime"
	"net/http"
	"net/mail"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/feeds"
	"golang.org/x/net/idna"
	"golang.org/x/text/language"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/parse"
	"github.com/tributary-feeds/tributary/internal/htmlcut"
)

// format is one of the published document formats.
type format int

const (
	formatRSS format = iota
	formatAtom
	formatJSON
	numFormats
)

// formatInfo describes a format: its URL extension, media type and label.
var formatInfo = [numFormats]struct {
	ext, contentType, mediaType, label string
}{
	formatRSS:  {".rss", "application/rss+xml; charset=utf-8", "application/rss+xml", "RSS"},
	formatAtom: {".atom", "application/atom+xml; charset=utf-8", "application/atom+xml", "Atom"},
	formatJSON: {".json", "application/feed+json; charset=utf-8", "application/feed+json", "JSON Feed"},
}

func (f format) String() string { return strings.TrimPrefix(formatInfo[f].ext, ".") }

// formatByExt returns the format served under extension ext (".atom").
func formatByExt(ext string) (format, bool) {
	for f := range numFormats {
		if formatInfo[f].ext == ext {
			return f, true
		}
	}
	return 0, false
}

// feedAuthor is the author of every published feed. Entries name their own
// authors, but RFC 4287 wants a feed-level author whenever an entry might
// lack one, and a merged feed has no single author of its own.
const feedAuthor = "Tributary"

// storyURN is the stable id of a story's entry in every feed: it depends on
// the story id alone, so a better item of the story changes nothing.
func storyURN(id string) string { return "urn:tributary:story:" + xmlText(id) }

func topicURN(id string) string { return "urn:tributary:topic:" + xmlText(id) }

// A feed document's entries share feedHTML bytes of their items' HTML:
// each takes at most what the entries before it left, and no less than
// entryExcerpt. The items of real feeds, tens of kilobytes at most, never
// reach it; sources of items of hundreds of kilobytes (an item keeps 256
// KiB) would otherwise make documents of tens of megabytes, more than
// readers fetch, and hold them in the cache in every format.
const (
	feedHTML     = 4 << 20
	entryExcerpt = 4 << 10
)

// entryHTML is the HTML of a story's entry: the face item's content (else
// its summary, else its title), cut to about limit bytes, then the list of
// the other sources that carried the story, with their links. Every piece
// of text in the list is escaped here.
func entryHTML(v *storyView, limit int) string {
	body := v.Face.Content
	if strings.TrimSpace(body) == "" {
		body = v.Face.Summary
	}
	// Items are sanitised when they are stored; doing it again, with the
	// same policy, keeps the published feeds safe whatever the store holds,
	// and leaves the HTML of a stored item as it is.
	body = htmlcut.Cut(strings.TrimSpace(xmlText(closed(withoutIDs(asciiHosts(parse.Sanitize(body, "")))))), limit)
	var b strings.Builder
	switch {
	case body == "" && oneLine(v.Face.Title) == "" && bareLink(v) != "":
		// An item with no title and no text shows its page, else its
		// media file: the placeholder its entry is titled with is no body.
		// With neither, the placeholder is (below): every format wants a
		// body that is not blank.
		u := html.EscapeString(bareLink(v))
		b.WriteString(`<p><a href="` + u + `" rel="` + parse.LinkRel + `">` + u + `</a></p>`)
	case body == "":
		b.WriteString("<p>")
		b.WriteString(html.EscapeString(v.Title))
		b.WriteString("</p>")
	default:
		b.WriteString(body)
	}
	if len(v.Others) > 0 {
		b.WriteString("\n<p>Also reported by:</p>\n<ul>\n")
		for _, o := range v.Others {
			b.WriteString("<li>")
			if o.Link != "" {
				b.WriteString(`<a href="`)
				b.WriteString(html.EscapeString(o.Link))
				b.WriteString(`" rel="` + parse.LinkRel + `">`)
				b.WriteString(html.EscapeString(o.Source))
				b.WriteString("</a>")
			} else {
				b.WriteString(html.EscapeString(o.Source))
			}
			if o.Title != "" {
				b.WriteString(": ")
				b.WriteString(html.EscapeString(o.Title))
			}
			b.WriteString("</li>\n")
		}
		b.WriteString("</ul>")
	}
	return b.String()
}

// entrySummary is the most of a face item's summary an entry carries
// beside its content: a summary is a sentence or two.
const entrySummary = 1 << 10

// summaryHTML returns the face item's summary, sanitised and cut to about
// entrySummary bytes, when the item has content too, and "" otherwise: an
// item with a summary alone has it as its entry's content.
func summaryHTML(v *storyView) string {
	if strings.TrimSpace(v.Face.Content) == "" {
		return ""
	}
	return htmlcut.Cut(strings.TrimSpace(xmlText(closed(withoutIDs(asciiHosts(parse.Sanitize(v.Face.Summary, "")))))), entrySummary)
}

// authorsOf returns the face item's authors, else the face source's name.
func authorsOf(v *storyView) []string {
	if a := cleanList(v.Face.Authors); len(a) > 0 {
		return a
	}
	return []string{v.Source}
}

// feedUpdated is the feed-level update time: the newest story's Updated,
// never the time of rendering, so that unchanged data renders to unchanged
// bytes. An empty feed says the Unix epoch, a valid and constant time.
func (pg *page) feedUpdated() time.Time {
	if pg.updated.IsZero() {
		return time.Unix(0, 0).UTC()
	}
	return pg.updated.UTC()
}

// genericFeed builds the gorilla/feeds Feed of a page, with every trap of
// the library avoided: ids, both times and Content set on every item, and a
// feed author.
func (s *state) genericFeed(pg *page) *feeds.Feed {
	t := pg.topic
	f := &feeds.Feed{
		Title:       oneLine(t.Title),
		Link:        &feeds.Link{Href: s.topicURL(t.ID, "", "")},
		Description: oneLine(t.Description),
		Author:      &feeds.Author{Name: feedAuthor},
		Updated:     pg.feedUpdated(),
		Id:          topicURN(t.ID),
	}
	if f.Title == "" {
		f.Title = oneLine(t.ID)
	}
	budget := feedHTML
	for i := range pg.stories {
		v := &pg.stories[i]
		content := entryHTML(v, max(budget, entryExcerpt))
		budget -= len(content)
		it := &feeds.Item{
			Title:       v.Title,
			Link:        &feeds.Link{Href: v.Link},
			Id:          storyURN(v.ID),
			IsPermaLink: "false",
			// Whole seconds, as RSS and Atom write them: JSON Feed would
			// write the second's nine digits, and one entry's dates would
			// differ between its formats.
			Created: v.Time.Truncate(time.Second),
			Updated: v.Updated.Truncate(time.Second),
			Content: content,
		}
		if encs := enclosuresOf(v); len(encs) > 0 {
			// RSS carries one enclosure an item; Atom and JSON Feed get
			// them all from atomDoc and jsonDoc.
			e := encs[0]
			it.Enclosure = &feeds.Enclosure{Url: e.url, Type: e.typ, Length: strconv.FormatInt(e.length, 10)}
		}
		f.Items = append(f.Items, it)
	}
	return f
}

// enclosure is a media file of a story's face item, ready to publish.
type enclosure struct {
	url    string // an absolute http(s) URL
	typ    string // a media type
	length int64  // in bytes; 0 when unknown
}

// enclosuresOf returns the face item's enclosures that have a URL worth a
// link, each with a valid media type in its canonical form ("audio/mpeg;",
// which validators reject, becomes "audio/mpeg"). When the source gave
// none, one that is not a media type, or one that names no kind of file
// (application/octet-stream, which servers send for files they know
// nothing of), the file's extension names it (podcast apps play only what
// is typed as audio or video), else it is application/octet-stream.
func enclosuresOf(v *storyView) []enclosure {
	var out []enclosure
	for _, e := range v.Face.Enclosures {
		u := safeLink(e.URL)
		if u == "" {
			continue
		}
		typ := "application/octet-stream"
		mt, params, err := mime.ParseMediaType(oneLine(e.Type))
		if t, ok := mediaTypeByExtension[strings.ToLower(path.Ext(urlPath(u)))]; ok && (err != nil || !strings.Contains(mt, "/") || unknownType[mt]) {
			typ = t
		} else if err == nil && strings.Contains(mt, "/") && !unknownType[mt] {
			typ = cmp.Or(mime.FormatMediaType(mt, params), typ)
		}
		out = append(out, enclosure{url: u, typ: typ, length: max(e.Length, 0)})
	}
	return out
}

// bareLink is what an entry with no title and no text points at: the
// face item's page, else its first media file, else "".
func bareLink(v *storyView) string {
	if v.Link != "" {
		return v.Link
	}
	if e := enclosuresOf(v); len(e) > 0 {
		return e[0].url
	}
	return ""
}

// unknownType are the media types that name no kind of file: what servers
// and storage buckets send for a file whose kind they do not know.
var unknownType = map[string]bool{
	"application/octet-stream": true, "binary/octet-stream": true, "application/binary": true,
	"application/unknown": true, "application/x-unknown-content-type": true,
	"application/force-download": true, "application/x-download": true,
}

// mediaTypeByExtension types the media files feeds carry most by their
// files' extensions. Go's own table (mime.TypeByExtension) knows none of
// the audio and video types without the system's, which a container lacks.
var mediaTypeByExtension = map[string]string{
	".mp3": "audio/mpeg", ".m4a": "audio/mp4", ".aac": "audio/aac", ".ogg": "audio/ogg",
	".oga": "audio/ogg", ".opus": "audio/ogg", ".flac": "audio/flac", ".wav": "audio/wav",
	".mp4": "video/mp4", ".m4v": "video/mp4", ".webm": "video/webm", ".mov": "video/quicktime",
	".ogv": "video/ogg", ".pdf": "application/pdf", ".epub": "application/epub+zip",
	".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".gif": "image/gif",
	".webp": "image/webp",
}

// urlPath returns the path of the absolute URL u, or "".
func urlPath(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return ""
	}
	return p.Path
}

// render encodes a page in format f, compresses it and computes its
// validators.
func (p *Publisher) render(s *state, pg *page, f format) (*rendered, error) {
	return p.renderServed(s, pg, f, true)
}

// renderServed is render for a document that may have been served before
// (served) or was never served, in this process or, as the store records,
// before it.
func (p *Publisher) renderServed(s *state, pg *page, f format, served bool) (*rendered, error) {
	start := time.Now()
	doc := pg
	if at := p.settingsSince().at; pg.updated.IsZero() && !at.IsZero() {
		// A page without stories was last changed when the settings that
		// define it took effect. The Unix epoch, said otherwise, is a date
		// validators call implausible.
		dated := *pg
		dated.updated = at
		doc = &dated
	}
	var buf bytes.Buffer
	var err error
	switch f {
	case formatAtom:
		err = writeXML(&buf, s.atomDoc(doc))
	case formatRSS:
		err = writeXML(&buf, s.rssDoc(doc))
	case formatJSON:
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		err = enc.Encode(s.jsonDoc(doc))
	default:
		err = fmt.Errorf("format %d: %w", f, errUnknownFormat)
	}
	if err != nil {
		return nil, fmt.Errorf("rendering topic %s as %s: %w", pg.topic.ID, f, err)
	}
	body := buf.Bytes()
	var zb bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&zb, gzip.BestSpeed)
	zw.Write(body) // writes to a bytes.Buffer cannot fail
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("compressing topic %s: %w", pg.topic.ID, err)
	}
	etag := etagOf(body)
	// A Last-Modified later than the response's Date is never sent (RFC
	// 9110, section 8.8.2.1): a client would send it back, and miss every
	// change made before that time came.
	r := &rendered{modified: pg.updated.Truncate(time.Second)}
	if since := p.settingsSince(); floorAtSettings(since, served) && !r.modified.IsZero() && (r.modified.Before(since.at) || since.now && r.modified.Equal(since.at)) {
		// Rendered under settings that changed after the newest story:
		// the bytes may differ from what a client got before, though no
		// story moved; when they changed at this start, the second may
		// have dated other bytes just before it.
		r.modified, r.shared = since.at, since.now
	}
	if now := p.clock().Truncate(time.Second); r.modified.After(now) {
		r.modified = now
	}
	r.links = s.linkHeader(pg, f)
	r.plain = newVariant(f, body, etag, "", r.modified, r.links)
	r.gz = newVariant(f, zb.Bytes(), strings.TrimSuffix(etag, `"`)+`-gz"`, "gzip", r.modified, r.links)
	p.m.render.WithLabelValues(f.String()).Observe(time.Since(start).Seconds())
	return r, nil
}

// linkHeader returns the Link header values (RFC 8288) of a page in format
// f: when hubs are configured, each hub and the document's own URL, which
// WebSub subscribers discover from the response's headers (WebSub, section
// 4), whatever the format; nil otherwise.
func (s *state) linkHeader(pg *page, f format) []string {
	if len(s.hubs) == 0 {
		return nil
	}
	links := make([]string, 0, len(s.hubs)+1)
	for _, h := range s.hubs {
		links = append(links, "<"+h+`>; rel="hub"`)
	}
	return append(links, "<"+s.topicURL(pg.topic.ID, formatInfo[f].ext, pg.before)+`>; rel="self"`)
}

// feedExposeHeaders are the response headers, besides those every browser
// shows, that a web page reading a feed from another origin may read: the
// tag to revalidate with, and the WebSub links.
const feedExposeHeaders = "ETag, Link"

// newVariant builds the headers of one coding of a document. A feed is
// public and read-only: any web page may read it (CORS), as web-based
// readers that fetch feeds in the browser do. No credentials are allowed,
// so a browser sends none.
func newVariant(f format, body []byte, etag, encoding string, modified time.Time, links []string) variant {
	one := func(v string) []string { return []string{v} }
	v := variant{body: body, etag: etag, notModOK: http.Header{
		"Etag":                          one(etag),
		"Cache-Control":                 one(feedCacheControl),
		"Vary":                          one("Accept-Encoding"),
		"Access-Control-Allow-Origin":   one("*"),
		"Access-Control-Expose-Headers": one(feedExposeHeaders),
	}}
	if !modified.IsZero() {
		v.notModOK["Last-Modified"] = one(modified.UTC().Format(http.TimeFormat))
	}
	v.header = v.notModOK.Clone()
	v.header["Content-Type"] = one(formatInfo[f].contentType)
	v.header["Content-Length"] = one(strconv.Itoa(len(body)))
	v.header["X-Content-Type-Options"] = one("nosniff")
	if len(links) > 0 {
		v.header["Link"] = links
	}
	if encoding != "" {
		v.header["Content-Encoding"] = one(encoding)
	}
	return v
}

func writeXML(buf *bytes.Buffer, doc any) error {
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(buf)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	buf.WriteByte('\n')
	return nil
}

// Atom 1.0.

// atomFeed adds what feeds.AtomFeed lacks: any number of links (self, hub,
// next) and entries with categories.
type atomFeed struct {
	Lang string `xml:"xml:lang,attr,omitempty"`
	*feeds.AtomFeed
	Links   []feeds.AtomLink
	Entries []*atomEntry `xml:"entry"`
}

// atomEntry adds repeated categories with the term attribute RFC 4287
// requires (feeds.AtomEntry has a single category without one) and one
// author element per author (the library has room for one).
type atomEntry struct {
	Lang string `xml:"xml:lang,attr,omitempty"` // the story's language where it is not the feed's
	*feeds.AtomEntry
	Authors    []*feeds.AtomAuthor
	Categories []atomCategory
}

type atomCategory struct {
	XMLName xml.Name `xml:"category"`
	Term    string   `xml:"term,attr"`
}

func (s *state) atomDoc(pg *page) *atomFeed {
	af := (&feeds.Atom{Feed: s.genericFeed(pg)}).AtomFeed()
	af.Id = topicURN(pg.topic.ID)
	af.Updated = pg.feedUpdated().Format(time.RFC3339)
	af.Link = nil
	doc := &atomFeed{AtomFeed: af, Lang: s.language(pg.topic)}
	doc.Links = append(doc.Links,
		feeds.AtomLink{Href: s.topicURL(pg.topic.ID, "", ""), Rel: "alternate", Type: "text/html"},
		feeds.AtomLink{Href: s.topicURL(pg.topic.ID, ".atom", pg.before), Rel: "self", Type: formatInfo[formatAtom].mediaType},
	)
	for _, h := range s.hubs {
		doc.Links = append(doc.Links, feeds.AtomLink{Href: h, Rel: "hub"})
	}
	if pg.before != "" {
		doc.Links = append(doc.Links, feeds.AtomLink{Href: s.topicURL(pg.topic.ID, ".atom", ""), Rel: "first", Type: formatInfo[formatAtom].mediaType})
	}
	if pg.next != "" {
		doc.Links = append(doc.Links, feeds.AtomLink{Href: s.topicURL(pg.topic.ID, ".atom", pg.next), Rel: "next", Type: formatInfo[formatAtom].mediaType})
	}
	for i, e := range af.Entries {
		v := &pg.stories[i]
		e.Published = v.Time.Format(time.RFC3339)
		// The library always writes an alternate link, empty or not, and
		// one enclosure at most: the links are written anew.
		e.Links = e.Links[:0]
		if v.Link != "" {
			e.Links = append(e.Links, feeds.AtomLink{Href: v.Link, Rel: "alternate"})
		}
		for _, enc := range enclosuresOf(v) {
			l := feeds.AtomLink{Href: enc.url, Rel: "enclosure", Type: enc.typ}
			if enc.length > 0 {
				l.Length = strconv.FormatInt(enc.length, 10)
			}
			e.Links = append(e.Links, l)
		}
		if sum := summaryHTML(v); sum != "" {
			// The source's summary, beside its content: readers show it in
			// their lists of entries, as they do the source's.
			e.Summary = &feeds.AtomSummary{Content: sum, Type: "html"}
		}
		ae := &atomEntry{AtomEntry: e, Lang: entryLanguage(v, doc.Lang)}
		for _, a := range peopleOf(v) {
			ae.Authors = append(ae.Authors, atomAuthor(a))
		}
		for _, t := range v.Tags {
			ae.Categories = append(ae.Categories, atomCategory{Term: t})
		}
		doc.Entries = append(doc.Entries, ae)
	}
	af.Entries = nil
	return doc
}

// atomAuthor is the Atom person of author a: its name, and its e-mail
// address in <email>. <email> holds an addr-spec (RFC 4287, section
// 3.2.3), which is ASCII: a domain written in Unicode is given in its
// ASCII form, and an address that has none is left out (see atomEmail).
func atomAuthor(a person) *feeds.AtomAuthor {
	return &feeds.AtomAuthor{AtomPerson: feeds.AtomPerson{Name: a.name, Email: atomEmail(a.addr)}}
}

// person is an author as the formats publish it: the name a reader shows,
// and the e-mail address given for it, or "".
type person struct{ name, addr string }

// peopleOf returns the authors of a story's entry (authorsOf) as personOf
// names them, each name once, with the address of its first: authors that
// a source gave by their addresses alone are all named by the source, and
// every format lists the source once, as RSS's dc:creator does.
func peopleOf(v *storyView) []person {
	var out []person
	for _, a := range authorsOf(v) {
		name, addr := personOf(a, v.Source)
		if !slices.ContainsFunc(out, func(p person) bool { return p.name == name }) {
			out = append(out, person{name, addr})
		}
	}
	return out
}

// personOf returns the name of author a of an item from source, and its
// e-mail address when it was given as one. An author given as an e-mail
// address, bare (what RSS's <author> holds) or with a name ("desk@x.example
// (Night Desk)", "Night Desk <desk@x.example>", "Night Desk
// (desk@x.example)", "Desk, Night <desk@x.example>"), is named by the name, else
// by the source: every format publishes the name where a reader shows the
// author's name (Atom's <name>, RSS's dc:creator, JSON Feed's name), and
// validators warn of an address there.
func personOf(a, source string) (name, addr string) {
	if parsed, err := mail.ParseAddress(a); err == nil {
		return cmp.Or(oneLine(parsed.Name), source), parsed.Address
	}
	// The forms net/mail refuses, which parse stores as the name alone
	// but earlier versions stored whole: a name with a comma not quoted
	// before its address, a name before its address in parentheses.
	if strings.Contains(a, "@") {
		if name, addr := parse.Author(a); addr != "" {
			return cmp.Or(oneLine(name), source), addr
		}
	}
	return a, ""
}

// names returns the names of people.
func names(people []person) []string {
	out := make([]string, 0, len(people))
	for _, p := range people {
		out = append(out, p.name)
	}
	return out
}

// atomEmail returns the address addr as Atom's <email> holds it, an
// addr-spec of RFC 2822 in ASCII, with a domain written in Unicode in its
// IDNA ASCII form (desk@bücher.example is desk@xn--bcher-kva.example),
// or "" when it has no such form: a local part outside ASCII or one that
// must be quoted ("night desk"@…, which net/mail gives unquoted), or a
// domain that is no DNS name of two labels or more (desk@localhost,
// desk@[127.0.0.1]), which validators refuse.
func atomEmail(addr string) string {
	at := strings.LastIndexByte(addr, '@')
	if at <= 0 {
		return ""
	}
	local, domain := addr[:at], addr[at+1:]
	if !dotAtom(local) {
		return ""
	}
	if !isASCII(domain) {
		d, err := idna.Lookup.ToASCII(domain)
		if err != nil {
			return ""
		}
		domain = d
	}
	labels := strings.Split(domain, ".")
	if len(labels) < 2 {
		return ""
	}
	for _, l := range labels {
		if l == "" || l[0] == '-' || l[len(l)-1] == '-' {
			return ""
		}
		for i := range len(l) {
			if c := l[i]; !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-') {
				return ""
			}
		}
	}
	return local + "@" + domain
}

// dotAtom reports whether s is a dot-atom of RFC 2822: ASCII letters,
// digits and the symbols of atext, in runs joined by single dots.
func dotAtom(s string) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' || strings.Contains(s, "..") {
		return false
	}
	for i := range len(s) {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || strings.IndexByte("!#$%&'*+-/=?^_`{|}~", c) >= 0) {
			return false
		}
	}
	return true
}

// language is the language a topic's feeds declare: its own, else
// publish.language, in canonical form ("en-us" is "en-US"); "" for none.
func (s *state) language(t aggregator.TopicConfig) string {
	tag := cmp.Or(t.Language, s.lang)
	if tag == "" {
		return ""
	}
	parsed, err := language.Parse(tag)
	if err != nil {
		return "" // not from a configuration that passed Validate
	}
	return parsed.String()
}

// entryLanguage is the language of story v's entry in a feed that declares
// feedLang: its face item's, when its source declared one other than
// feedLang, else "" (the entry is in the feed's language, or unknown).
func entryLanguage(v *storyView, feedLang string) string {
	if v.Lang == "" || v.Lang == feedLang {
		return ""
	}
	return v.Lang
}

// RSS 2.0.

// rssDoc is the <rss> element with the namespaces of the extensions used.
type rssDoc struct {
	XMLName   xml.Name    `xml:"rss"`
	Version   string      `xml:"version,attr"`
	AtomNS    string      `xml:"xmlns:atom,attr"`
	DCNS      string      `xml:"xmlns:dc,attr"`
	ContentNS string      `xml:"xmlns:content,attr"`
	Channel   *rssChannel `xml:"channel"`
}

// rssChannel writes its own title, ahead of the library's fields, to
// encode it as plain text.
type rssChannel struct {
	Title rssText `xml:"title"`
	*feeds.RssFeed
	AtomLinks []rssAtomLink
	Items     []*rssItem `xml:"item"`
}

// rssText is the plain text of an RSS element. RSS never said whether
// titles and the like may hold HTML, and readers decode them differently:
// "&", "<" and ">" are written as the character references &#x26;, &#x3C;
// and &#x3E;, which the RSS Advisory Board's profile recommends as read
// the same by the most readers (validators warn about &amp; and &lt;).
// Readers that take the text for HTML read the tags in it as elements, so
// it is written without them (withoutTags). The text is written as it is
// otherwise, so it is cleaned for XML (xmlText) here.
type rssText string

var rssTextEscaper = strings.NewReplacer("&", "&#x26;", "<", "&#x3C;", ">", "&#x3E;")

func (t rssText) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	return e.EncodeElement(struct {
		S string `xml:",innerxml"`
	}{rssTextEscaper.Replace(withoutTags(xmlText(string(t))))}, start)
}

// rssAtomLink is atom:link, the RSS way to say self, hub and next.
type rssAtomLink struct {
	XMLName xml.Name `xml:"atom:link"`
	Href    string   `xml:"href,attr"`
	Rel     string   `xml:"rel,attr"`
	Type    string   `xml:"type,attr,omitempty"`
}

// rssItem adds repeated categories and dc:creator (RSS's own <author> must
// be an e-mail address, which a merged feed rarely has). Its own title, link
// and description, written in the library's order, hide the library's: an
// item without a link has no <link> at all, where the library would write
// an empty one, which is no URL, and one with nothing to show (entryHTML)
// no <description>, which must not be blank: its title is enough for RSS.
type rssItem struct {
	Title       rssText `xml:"title"`
	Link        string  `xml:"link,omitempty"`
	Description string  `xml:"description,omitempty"`
	*feeds.RssItem
	Creators   []rssText `xml:"dc:creator"`
	Categories []rssText `xml:"category"`
}

func (s *state) rssDoc(pg *page) *rssDoc {
	rf := (&feeds.Rss{Feed: s.genericFeed(pg)}).RssFeed()
	rf.ManagingEditor = ""
	rf.Generator = feedAuthor
	rf.Language = s.language(pg.topic)
	if rf.Description == "" {
		rf.Description = "Stories about " + rf.Title + ", merged from many sources."
	}
	ch := &rssChannel{Title: rssText(cmp.Or(withoutTags(rf.Title), pg.topic.ID)), RssFeed: rf}
	ch.AtomLinks = append(ch.AtomLinks, rssAtomLink{Href: s.topicURL(pg.topic.ID, ".rss", pg.before), Rel: "self", Type: formatInfo[formatRSS].mediaType})
	for _, h := range s.hubs {
		ch.AtomLinks = append(ch.AtomLinks, rssAtomLink{Href: h, Rel: "hub"})
	}
	if pg.before != "" {
		ch.AtomLinks = append(ch.AtomLinks, rssAtomLink{Href: s.topicURL(pg.topic.ID, ".rss", ""), Rel: "first", Type: formatInfo[formatRSS].mediaType})
	}
	if pg.next != "" {
		ch.AtomLinks = append(ch.AtomLinks, rssAtomLink{Href: s.topicURL(pg.topic.ID, ".rss", pg.next), Rel: "next", Type: formatInfo[formatRSS].mediaType})
	}
	for i, ri := range rf.Items {
		v := &pg.stories[i]
		// One copy of the HTML, in description, which every reader reads.
		desc := ri.Content.Content
		ri.Content = nil
		creators := rssTexts(names(peopleOf(v)))
		if len(creators) == 0 {
			creators = rssTexts([]string{v.Source}) // the authors were all tags
		}
		ch.Items = append(ch.Items, &rssItem{Title: rssText(cmp.Or(withoutTags(ri.Title), "(untitled)")), Link: ri.Link, Description: desc, RssItem: ri,
			Creators: creators, Categories: rssTexts(v.Tags)})
	}
	rf.Items = nil
	return &rssDoc{
		Version:   "2.0",
		AtomNS:    "http://www.w3.org/2005/Atom",
		DCNS:      "http://purl.org/dc/elements/1.1/",
		ContentNS: "http://purl.org/rss/1.0/modules/content/",
		Channel:   ch,
	}
}

// rssTexts returns the members of in as RSS text, less those that are
// empty, or the same as one before, once written without tags.
func rssTexts(in []string) []rssText {
	out := make([]rssText, 0, len(in))
	for _, s := range in {
		t := rssText(withoutTags(xmlText(s)))
		if t != "" && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

// JSON Feed 1.1.

// jsonFeed always writes items, which JSON Feed requires even when empty
// (feeds.JSONFeed omits an empty list).
type jsonFeed struct {
	*feeds.JSONFeed
	Items []*jsonItem `json:"items"`
}

// jsonItem adds the item's enclosures as attachments, which the library
// leaves out (and whose size it names "size", where JSON Feed says
// size_in_bytes).
type jsonItem struct {
	*feeds.JSONItem
	Attachments []jsonAttachment `json:"attachments,omitempty"`
	Language    string           `json:"language,omitempty"` // the story's language where it is not the feed's
}

// jsonAttachment is a JSON Feed attachment: url and mime_type are required.
type jsonAttachment struct {
	URL         string `json:"url"`
	MIMEType    string `json:"mime_type"`
	SizeInBytes int64  `json:"size_in_bytes,omitempty"`
}

func (s *state) jsonDoc(pg *page) *jsonFeed {
	jf := (&feeds.JSON{Feed: s.genericFeed(pg)}).JSONFeed()
	jf.HomePageUrl = s.topicURL(pg.topic.ID, "", "")
	jf.Language = s.language(pg.topic)
	jf.FeedUrl = s.topicURL(pg.topic.ID, ".json", "")
	if pg.next != "" {
		jf.NextUrl = s.topicURL(pg.topic.ID, ".json", pg.next)
	}
	for _, h := range s.hubs {
		jf.Hubs = append(jf.Hubs, &feeds.JSONHub{Type: "WebSub", Url: h})
	}
	doc := &jsonFeed{JSONFeed: jf, Items: make([]*jsonItem, 0, len(jf.Items))}
	for i, ji := range jf.Items {
		v := &pg.stories[i]
		ji.Tags = v.Tags
		for _, a := range peopleOf(v) {
			// An author's e-mail address is its URL, as mailto: (which
			// JSON Feed readers link to), beside its name.
			author := &feeds.JSONAuthor{Name: a.name}
			if addr := atomEmail(a.addr); addr != "" {
				author.Url = "mailto:" + addr
			}
			ji.Authors = append(ji.Authors, author)
		}
		ji.Author = ji.Authors[0] // JSON Feed 1.0 readers know only author
		// JSON Feed's summary is plain text.
		ji.Summary = parse.PlainText(summaryHTML(v))
		item := &jsonItem{JSONItem: ji, Language: entryLanguage(v, jf.Language)}
		for _, e := range enclosuresOf(v) {
			item.Attachments = append(item.Attachments, jsonAttachment{URL: e.url, MIMEType: e.typ, SizeInBytes: e.length})
		}
		doc.Items = append(doc.Items, item)
	}
	jf.Items = nil
	return doc
}

// floorAtSettings reports whether a document is dated no earlier than its
// settings took effect (since): the date is there for a client holding the
// document as it read under other settings. None does when the settings
// were recorded for the first time (a fresh store, which a poll may have
// filled), nor, when they did not change in this process, for a document
// never served before.
func floorAtSettings(since settingsTime, served bool) bool {
	return !since.first && (since.now || served)
}
