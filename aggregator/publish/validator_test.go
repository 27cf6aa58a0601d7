package publish_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/mail"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/tributary-feeds/tributary/aggregator/parse"
)

// The W3C feed validator's rules, as its documentation lists its errors
// and warnings, that can apply to Tributary's RSS 2.0 and Atom 1.0 feeds,
// each stated over the parsed document, so that TestValidatorRules fails
// on a feed the validator would flag. A rule that names several of the
// validator's messages checks each. Two of its warnings are not held:
// ContainsUndeclaredHTML, for an Atom title of type text that quotes a tag
// (it is the title as its source wrote it; RSS gives it without the tag),
// and BadCharacters for U+FFFD, which stands where a source's own broken
// encoding lost a character.

// vdoc is one published document: where a reader fetched it (behind the
// reverse proxy of the test's base_url), its headers, bytes and tree.
type vdoc struct {
	format string // "rss" or "atom"
	url    string
	header http.Header
	body   []byte
	root   *xnode
}

// items returns the document's items (RSS) or entries (Atom).
func (d vdoc) items() []*xnode {
	if d.format == "rss" {
		if chs := d.root.all("", "channel"); len(chs) > 0 {
			return chs[0].all("", "item")
		}
		return nil
	}
	return d.root.all(nsAtom, "entry")
}

// top is the element that holds the feed's own metadata: <channel> or
// <feed>.
func (d vdoc) top() *xnode {
	if d.format == "rss" {
		if chs := d.root.all("", "channel"); len(chs) > 0 {
			return chs[0]
		}
		return &xnode{}
	}
	return d.root
}

// itemHTML returns the HTML of each item: RSS's description, Atom's
// content and summary of type html.
func (d vdoc) itemHTML() []string {
	var out []string
	for _, it := range d.items() {
		if d.format == "rss" {
			for _, n := range it.all("", "description") {
				out = append(out, n.text)
			}
			continue
		}
		for _, n := range append(it.all(nsAtom, "content"), it.all(nsAtom, "summary")...) {
			if typ, _ := n.attr("type"); typ == "html" {
				out = append(out, n.text)
			}
		}
	}
	return out
}

// htmlTags are the elements the validator knows as HTML (NotHtml, "Non-html
// tag"); acceptableTags those it finds safe (SecurityRisk), and
// acceptableAttrs the attributes (SecurityRiskAttr; data-* are accepted).
var (
	htmlTags = strings.Fields(`a abbr acronym address applet area article aside audio b base basefont bdi bdo big
		blockquote body br button canvas caption center cite code col colgroup command data datagrid datalist dd del
		details dfn dialog dir div dl dt em eventsource fieldset figcaption figure font footer form frame frameset h1 h2
		h3 h4 h5 h6 head header hgroup hr html i iframe img input ins isindex kbd label legend li link m main mark map
		menu meta meter nav noframes noscript object ol optgroup option output p param picture pre progress q rp rt ruby
		s samp script section select slot small source span strike strong style sub summary sup table tbody td template
		textarea tfoot th thead time title tr track tt u ul var xmp plaintext embed comment listing video wbr`)
	acceptableTags = strings.Fields(`a abbr acronym address area article aside audio b bdi big blockquote br button
		canvas caption center cite code col colgroup command data datagrid datalist dd del details dfn dialog dir div dl
		dt em eventsource fieldset figcaption figure footer font form header h1 h2 h3 h4 h5 h6 hgroup hr i img input ins
		keygen kbd label legend li m main map mark menu meter multicol nav nextid ol output optgroup option p picture pre
		progress q rp rt ruby s samp section select small sound source spacer span strike strong sub summary sup table
		tbody td template textarea time tfoot th thead tr track tt u ul var video noscript wbr`)
	acceptableAttrs = strings.Fields(`abbr accept accept-charset accesskey action align allow allowfullscreen alt as
		autoplay autocapitalize autocomplete autofocus axis background balance bgcolor bgproperties border bordercolor
		cellpadding cellspacing ch char charoff choff charset checked cite class clear color cols colspan compact
		contenteditable coords crossorigin data datetime decoding default delay dir dirname disabled download draggable
		enctype end face for form frame headers height hidden high href hreflang hspace icon id inputmode ismap itemid
		itemprop itemref itemscope itemtype kind label lang loading list longdesc loop low max maxlength media method min
		minlength multiple muted name nohref noshade nowrap open optimum pattern ping placeholder playsinline poster
		preload prompt radiogroup readonly referrerpolicy rel required rev reversed rows rowspan rules scope selected
		shape size sizes span spellcheck src srclang srcset start step summary tabindex target title translate type
		usemap valign value volume vspace width wrap xml:lang xmlns`)
)

// registeredRels are the link relations the validator knows
// (UnregisteredAtomLinkRel); historyRels those RFC 5005 keeps to feeds
// (FeedHistoryRelInEntry).
var (
	registeredRels = strings.Fields(`alternate current describedby edit edit-media enclosure first hub last license
		next next-archive payment prev-archive previous related replies search self service up via`)
	historyRels = strings.Fields(`current first last next next-archive prev-archive previous`)
)

// rfc2396Full is the validator's full URI (InvalidFullLink): ASCII only,
// so an IRI fails it (UriNotIri).
var rfc2396Full = regexp.MustCompile(`^[a-zA-Z][0-9a-zA-Z+\-.]*:(//)?[0-9a-zA-Z;/?:@&=+$.\-_!~*'()%,#]+$`)

// htmlEndTag is what the validator takes for HTML in plain text
// (ContainsHTML, ContainsUndeclaredHTML).
var htmlEndTag = regexp.MustCompile(`</\w+>`)

// rssChannelElems and rssItemElems are RSS 2.0's own elements
// (UndefinedElement).
var (
	rssChannelElems = strings.Fields(`title link description language copyright managingEditor webMaster pubDate
		lastBuildDate category generator docs cloud ttl image rating textInput skipHours skipDays item`)
	rssItemElems = strings.Fields(`title link description author category comments enclosure guid pubDate source`)
)

type validatorRule struct {
	name  string // the validator's messages the rule keeps away
	check func(d vdoc) []string
}

var validatorRules = []validatorRule{
	{"ObscureEncoding, NonstdEncoding, MissingEncoding", func(d vdoc) []string {
		if !bytes.HasPrefix(d.body, []byte(`<?xml version="1.0" encoding="UTF-8"?>`+"\n")) {
			return []string{fmt.Sprintf("prolog %.60q; want version 1.0, UTF-8", d.body)}
		}
		return nil
	}},
	{"UnexpectedContentType, NonSpecificMediaType, EncodingMismatch", func(d vdoc) []string {
		want := "application/" + d.format + "+xml; charset=utf-8"
		if ct := d.header.Get("Content-Type"); ct != want {
			return []string{fmt.Sprintf("Content-Type %q; want %q", ct, want)}
		}
		return nil
	}},
	{"UnexpectedText, AtomLinkNotEmpty", func(d vdoc) []string {
		var bad []string
		d.root.walk(func(n *xnode) {
			if len(n.kids) > 0 || slices.Contains([]string{"link", "category", "enclosure"}, n.name.Local) && len(n.attrs) > 0 {
				if strings.TrimSpace(n.text) != "" && !(d.format == "rss" && n.name.Local == "link" && n.name.Space == "") {
					bad = append(bad, fmt.Sprintf("text %q in <%s>", n.text, n.name.Local))
				}
			}
		})
		return bad
	}},
	{"UndefinedElement, MissingNamespace, UnknownNamespace", func(d vdoc) []string {
		var bad []string
		if d.format == "atom" {
			d.root.walk(func(n *xnode) {
				if n.name.Space != nsAtom {
					bad = append(bad, fmt.Sprintf("<%s> in %q", n.name.Local, n.name.Space))
				}
			})
			return bad
		}
		known := func(n *xnode, core []string) {
			for _, k := range n.kids {
				switch k.name.Space {
				case "":
					if !slices.Contains(core, k.name.Local) {
						bad = append(bad, fmt.Sprintf("<%s> in <%s>", k.name.Local, n.name.Local))
					}
				case nsAtom, nsDC, nsContent:
				default:
					bad = append(bad, fmt.Sprintf("<%s> in %q", k.name.Local, k.name.Space))
				}
			}
		}
		known(d.top(), rssChannelElems)
		for _, it := range d.items() {
			known(it, rssItemElems)
		}
		return bad
	}},
	{"AvoidNamespacePrefix, NonstdPrefix, ReservedPrefix, UseOfExtensionAttr", func(d vdoc) []string {
		if d.format == "atom" {
			if root := regexp.MustCompile(`<feed[^>]*>`).Find(d.body); !bytes.Contains(root, []byte(` xmlns="http://www.w3.org/2005/Atom"`)) || bytes.Contains(root, []byte("xmlns:")) {
				return []string{fmt.Sprintf("root %s; want the Atom namespace the default one, and no prefix", root)}
			}
		} else if !bytes.Contains(d.body, []byte(`<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/">`)) {
			return []string{"RSS namespaces not declared with their usual prefixes"}
		}
		var bad []string
		d.root.walk(func(n *xnode) {
			for _, a := range n.attrs {
				if a.Name.Space != "" && a.Name.Space != "xmlns" && !(d.format == "atom" && a.Name.Space == "http://www.w3.org/XML/1998/namespace") {
					bad = append(bad, fmt.Sprintf("attribute %s:%s on <%s>", a.Name.Space, a.Name.Local, n.name.Local))
				}
			}
		})
		return bad
	}},
	{"MissingAtomSelfLink, MissingSelf, SelfDoesntMatchLocation, RelativeSelf, SelfNotAtom", func(d vdoc) []string {
		space := nsAtom
		var self []string
		for _, l := range d.top().all(space, "link") {
			if rel, _ := l.attr("rel"); rel == "self" {
				href, _ := l.attr("href")
				typ, _ := l.attr("type")
				self = append(self, href+" "+typ)
			}
		}
		if want := d.url + " application/" + d.format + "+xml"; !slices.Equal(self, []string{want}) {
			return []string{fmt.Sprintf("self links %q; want one, %q", self, want)}
		}
		return nil
	}},
	{"UnregisteredAtomLinkRel, FeedHistoryRelInEntry, DuplicateAtomLink, MissingHref, AttrNotBlank", func(d vdoc) []string {
		var bad []string
		check := func(n *xnode, entry bool) {
			alternates := map[string]bool{}
			for _, l := range n.all(nsAtom, "link") {
				rel, ok := l.attr("rel")
				if !ok {
					rel = "alternate"
				}
				href, _ := l.attr("href")
				typ, _ := l.attr("type")
				lang, _ := l.attr("hreflang")
				if !slices.Contains(registeredRels, rel) || entry && slices.Contains(historyRels, rel) || href == "" {
					bad = append(bad, fmt.Sprintf("<link rel=%q href=%q> in <%s>", rel, href, n.name.Local))
				}
				if rel == "alternate" {
					if alternates[typ+" "+lang] {
						bad = append(bad, fmt.Sprintf("two alternate links of type %q in <%s>", typ, n.name.Local))
					}
					alternates[typ+" "+lang] = true
				}
				for _, a := range l.attrs {
					if strings.TrimSpace(a.Value) == "" {
						bad = append(bad, fmt.Sprintf("empty %s on <link rel=%q>", a.Name.Local, rel))
					}
				}
			}
		}
		check(d.top(), false)
		for _, it := range d.items() {
			check(it, true)
		}
		return bad
	}},
	{"InvalidMIMEType, InvalidMIMEAttribute, InvalidIntegerAttribute, UseZeroForUnknown, DuplicateEnclosure", func(d vdoc) []string {
		var bad []string
		d.root.walk(func(n *xnode) {
			if typ, ok := n.attr("type"); ok && (n.name.Local == "link" || n.name.Local == "enclosure") && !mimeRe.MatchString(typ) {
				bad = append(bad, fmt.Sprintf("<%s> type %q", n.name.Local, typ))
			}
			if length, ok := n.attr("length"); ok {
				if v, err := strconv.ParseInt(length, 10, 64); err != nil || v < 0 {
					bad = append(bad, fmt.Sprintf("<%s> length %q", n.name.Local, length))
				}
			}
			if n.name.Local == "enclosure" && n.name.Space == "" {
				if _, ok := n.attr("length"); !ok {
					bad = append(bad, "<enclosure> without length")
				}
			}
		})
		for _, it := range d.items() {
			if len(it.all("", "enclosure")) > 1 {
				bad = append(bad, "an item with more than one <enclosure>")
			}
		}
		return bad
	}},
	{"InvalidRFC2822Date, IncorrectDOW, ProblematicalRFC822Date, InvalidRFC3339Date, ImplausibleDate", func(d vdoc) []string {
		var bad []string
		d.root.walk(func(n *xnode) {
			switch {
			case d.format == "rss" && (n.name.Local == "pubDate" || n.name.Local == "lastBuildDate"):
				t, err := mail.ParseDate(n.text)
				if err != nil || !rfc822Re.MatchString(n.text) || t.Format("Mon") != n.text[:3] || !plausible(t) {
					bad = append(bad, fmt.Sprintf("<%s>%s", n.name.Local, n.text))
				}
			case d.format == "atom" && (n.name.Local == "updated" || n.name.Local == "published"):
				t, err := time.Parse(time.RFC3339, n.text)
				if err != nil || !rfc3339Re.MatchString(n.text) || !plausible(t) {
					bad = append(bad, fmt.Sprintf("<%s>%s", n.name.Local, n.text))
				}
			}
		})
		return bad
	}},
	{"MissingTitle, MissingLink, MissingDescription, MissingElement, NotBlank", func(d vdoc) []string {
		var bad []string
		need := func(n *xnode, space string, names ...string) {
			for _, name := range names {
				if els := n.all(space, name); len(els) != 1 || len(els[0].attrs) == 0 && strings.TrimSpace(els[0].text) == "" {
					bad = append(bad, fmt.Sprintf("<%s> has %d <%s>, or a blank one", n.name.Local, len(els), name))
				}
			}
		}
		if d.format == "rss" {
			need(d.top(), "", "title", "link", "description")
		} else {
			need(d.top(), nsAtom, "id", "title", "updated")
			for _, it := range d.items() {
				need(it, nsAtom, "id", "title", "updated")
			}
		}
		d.root.walk(func(n *xnode) {
			if len(n.kids) == 0 && len(n.attrs) == 0 && strings.TrimSpace(n.text) == "" {
				bad = append(bad, fmt.Sprintf("blank <%s>", n.name.Local))
			}
		})
		return bad
	}},
	{"ItemMustContainTitleOrDescription, MissingContentOrAlternate, MissingTextualContent", func(d vdoc) []string {
		var bad []string
		for i, it := range d.items() {
			if d.format == "rss" && len(it.all("", "title"))+len(it.all("", "description")) == 0 ||
				d.format == "atom" && len(it.all(nsAtom, "content"))+len(it.all(nsAtom, "summary")) == 0 {
				bad = append(bad, fmt.Sprintf("item %d has no text", i))
			}
		}
		return bad
	}},
	{"DuplicateElement, DuplicateItemSemantics, DuplicateSemantics", func(d vdoc) []string {
		var bad []string
		once := func(n *xnode, names ...string) {
			for _, name := range names {
				if len(n.all("", name)) > 1 {
					bad = append(bad, fmt.Sprintf("<%s> has %d <%s>", n.name.Local, len(n.all("", name)), name))
				}
			}
		}
		if d.format == "rss" {
			once(d.top(), "title", "link", "description", "language", "pubDate", "lastBuildDate", "generator", "managingEditor", "webMaster")
			for _, it := range d.items() {
				once(it, "title", "link", "description", "guid", "pubDate", "source", "comments")
				if len(it.all("", "author")) > 0 && len(it.all(nsDC, "creator")) > 0 || len(it.all("", "pubDate")) > 0 && len(it.all(nsDC, "date")) > 0 ||
					len(it.all("", "category")) > 0 && len(it.all(nsDC, "subject")) > 0 || len(it.all(nsContent, "encoded")) > 0 {
					bad = append(bad, "an item says a thing twice, in RSS's element and an extension's")
				}
			}
			if len(d.top().all("", "managingEditor")) > 0 && len(d.top().all(nsDC, "creator")) > 0 {
				bad = append(bad, "managingEditor beside dc:creator")
			}
		}
		return bad
	}},
	{"InvalidLanguage", func(d vdoc) []string {
		var langs []string
		for _, n := range d.top().all("", "language") {
			langs = append(langs, n.text)
		}
		for _, a := range d.root.attrs {
			if a.Name.Local == "lang" {
				langs = append(langs, a.Value)
			}
		}
		var bad []string
		for _, l := range langs {
			if !regexp.MustCompile(`^[a-z]{2,3}(-[A-Za-z0-9]{1,8})*$`).MatchString(l) {
				bad = append(bad, fmt.Sprintf("language %q", l))
			}
		}
		if len(langs) != 1 {
			bad = append(bad, fmt.Sprintf("languages %q; want the configured one, once", langs))
		}
		return bad
	}},
	{"InvalidContact, InvalidAddrSpec, MissingRealName, ContainsEmail", func(d vdoc) []string {
		var bad []string
		d.root.walk(func(n *xnode) {
			switch {
			case n.name.Space == "" && slices.Contains([]string{"managingEditor", "webMaster", "author"}, n.name.Local):
				// RSS wants "address (Name)" here: Tributary has none to give.
				bad = append(bad, fmt.Sprintf("<%s>%s", n.name.Local, n.text))
			case n.name.Space == nsAtom && n.name.Local == "email":
				if a, err := mail.ParseAddress(n.text); err != nil || a.Address != n.text || a.Name != "" {
					bad = append(bad, fmt.Sprintf("<email>%s", n.text))
				}
			case n.name.Space == nsAtom && n.name.Local == "name":
				if emailRe.MatchString(n.text) {
					bad = append(bad, fmt.Sprintf("<name>%s", n.text))
				}
			}
		})
		return bad
	}},
	{"MissingGuid, InvalidPermalink, InvalidHttpGUID, NotSufficientlyUnique, DuplicateValue, DuplicateEntries, DuplicateIds, InvalidURN", func(d vdoc) []string {
		var bad []string
		seen := map[string]bool{}
		for i, it := range d.items() {
			var id string
			if d.format == "rss" {
				g := it.all("", "guid")
				if len(g) != 1 {
					bad = append(bad, fmt.Sprintf("item %d has %d guids", i, len(g)))
					continue
				}
				id = g[0].text
				if perma, _ := g[0].attr("isPermaLink"); (perma == "false") == isAbsURL(id) {
					bad = append(bad, fmt.Sprintf("guid %q isPermaLink=%q", id, perma))
				}
			} else {
				ids := it.all(nsAtom, "id")
				if len(ids) != 1 {
					continue // MissingElement says so
				}
				id = ids[0].text
			}
			if _, err := strconv.Atoi(id); err == nil || seen[id] || !urnRe.MatchString(id) {
				bad = append(bad, fmt.Sprintf("id %q: a number, repeated or no URN", id))
			}
			seen[id] = true
		}
		return bad
	}},
	{"InvalidFullLink, InvalidURLAttribute, UriNotIri, InvalidIRI, SameDocumentReference", func(d vdoc) []string {
		var bad []string
		d.root.walk(func(n *xnode) {
			var u string
			switch {
			case n.name.Space == "" && (n.name.Local == "link" || n.name.Local == "docs"):
				u = n.text
			case n.name.Local == "link":
				u, _ = n.attr("href")
			case n.name.Local == "enclosure":
				u, _ = n.attr("url")
			default:
				return
			}
			if !rfc2396Full.MatchString(u) || !isAbsURL(u) {
				bad = append(bad, fmt.Sprintf("<%s> URL %q", n.name.Local, u))
			}
		})
		for _, it := range d.items() {
			for _, l := range it.all(nsAtom, "link") {
				if href, _ := l.attr("href"); href == d.url {
					bad = append(bad, "an entry links to the feed itself")
				}
			}
		}
		return bad
	}},
	{"CharacterData, ContainsHTML (RSS plain text)", func(d vdoc) []string {
		if d.format != "rss" {
			return nil
		}
		var bad []string
		// The raw bytes of every title, category and dc:creator: "&" and
		// "<" written as hexadecimal references, no tag in the text.
		for _, m := range regexp.MustCompile(`<(title|category|dc:creator)>([^<]*)</`).FindAllSubmatch(d.body, -1) {
			raw := string(m[2])
			if strings.Contains(raw, "&amp;") || strings.Contains(raw, "&lt;") || strings.Contains(raw, "&gt;") || htmlEndTag.MatchString(html.UnescapeString(raw)) {
				bad = append(bad, fmt.Sprintf("<%s>%s", m[1], raw))
			}
		}
		return bad
	}},
	{"InvalidTextType, NotInline, HtmlFragment, NotBase64, NotEscaped", func(d vdoc) []string {
		if d.format != "atom" {
			return nil
		}
		var bad []string
		d.root.walk(func(n *xnode) {
			if !slices.Contains([]string{"title", "subtitle", "rights", "summary", "content"}, n.name.Local) {
				return
			}
			typ, ok := n.attr("type")
			if _, src := n.attr("src"); src || len(n.kids) > 0 || ok && typ != "text" && typ != "html" {
				bad = append(bad, fmt.Sprintf("<%s type=%q> with %d elements", n.name.Local, typ, len(n.kids)))
			}
		})
		return bad
	}},
	{"NotHtml (Non-html tag, Invalid HTML), SecurityRisk, SecurityRiskAttr, DangerousStyleAttr, ContainsScript, ContainsRelRef, BadCharacters", func(d vdoc) []string {
		var bad []string
		for _, h := range d.itemHTML() {
			for _, p := range htmlProblems(h) {
				bad = append(bad, fmt.Sprintf("%s in %.80q", p, h))
			}
		}
		return bad
	}},
}

// htmlProblems returns what the validator would say of HTML h: elements it
// does not know as HTML or finds unsafe, attributes it finds unsafe (an
// event handler, a style), a javascript: URL, a relative URL, a character
// of the C1 range, and what its strict HTML parser refuses and a
// browser must mend: an end tag that closes no open element, an element
// other than a void one written self-closing, a link inside a link.
func htmlProblems(h string) []string {
	var bad []string
	var open []string
	z := html.NewTokenizer(strings.NewReader(h))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return bad
		}
		tok := z.Token()
		switch tt {
		case html.TextToken:
			// U+FFFD, which the validator counts too, stands where a
			// source's own broken encoding lost a character: it is
			// published as the source gave it.
			if strings.ContainsFunc(tok.Data, func(r rune) bool { return r >= 0x80 && r <= 0x9f }) {
				bad = append(bad, "BadCharacters")
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name := tok.Data
			if !slices.Contains(htmlTags, name) {
				bad = append(bad, "NotHtml <"+name+">")
			} else if !slices.Contains(acceptableTags, name) {
				bad = append(bad, "SecurityRisk <"+name+">")
			}
			for _, a := range tok.Attr {
				switch {
				case a.Key == "style":
					bad = append(bad, "DangerousStyleAttr")
				case !slices.Contains(acceptableAttrs, a.Key) && !strings.HasPrefix(a.Key, "data-"):
					bad = append(bad, "SecurityRiskAttr "+a.Key)
				case a.Key == "href" || a.Key == "src" || a.Key == "cite" || a.Key == "poster" || a.Key == "longdesc":
					if !isAbsURL(a.Val) && !strings.HasPrefix(a.Val, "mailto:") {
						bad = append(bad, "ContainsRelRef or ContainsScript "+a.Key+"="+a.Val)
					}
				}
			}
			if voidElement[name] {
				continue
			}
			if tt == html.SelfClosingTagToken {
				bad = append(bad, "NotHtml (Invalid HTML) <"+name+"/>")
				continue
			}
			if name == "a" && slices.Contains(open, "a") {
				bad = append(bad, "NotHtml (Invalid HTML) a link inside a link")
			}
			open = append(open, name)
		case html.EndTagToken:
			i := len(open) - 1
			for i >= 0 && open[i] != tok.Data {
				i--
			}
			if i < 0 {
				bad = append(bad, "NotHtml (Invalid HTML) </"+tok.Data+"> closes nothing")
				continue
			}
			if slices.Contains([]string{"a", "b", "big", "code", "em", "font", "i", "nobr", "s", "small", "strike", "strong", "tt", "u"}, tok.Data) {
				open = slices.Delete(open, i, i+1)
			} else {
				open = open[:i]
			}
		}
	}
}

var voidElement = map[string]bool{
	"area": true, "base": true, "br": true, "col": true, "embed": true, "hr": true, "img": true, "input": true,
	"link": true, "meta": true, "source": true, "track": true, "wbr": true,
}

// validatorBase is base_url behind a reverse proxy that serves Tributary
// under a path of its own.
const validatorBase = "https://proxy.example/news"

// TestValidatorRules holds every topic's RSS and Atom feeds, each page the
// next links lead to, to validatorRules, with the feeds published behind a
// reverse proxy (base_url with a path) in a configured language and with
// WebSub hubs, and stories that reach the edge of the rules: the
// fixture's, the edge and hostile stories, one whose author is an e-mail
// address with a name, with text outside ASCII, a picture and links, and
// one whose source's HTML holds tags a browser must mend (an end tag left
// over where the source cut its text, "<p/>", a link inside a link) and
// an override of its letters' order (<bdo>), and one that has no title, no
// link and no text.
func TestValidatorRules(t *testing.T) {
	f := newFixture(t)
	putEdgeStories(t, f)
	putHostileStory(t, f)
	putRichStory(t, f)
	link := "https://alpha.example/harbour/works"
	putStories(t, f.db, storySpec{
		at: t0.Add(7 * time.Hour), topics: []string{"all", "world"},
		items: []itemSpec{{src: srcAlpha, guid: "mend-1", title: "Harbour works begin", link: link,
			content: parse.Sanitize(`<div class="excerpt"><p>Cranes arrive <b>today</b></strong> at the quay.</p></div></div>`+
				`<p>Work starts at dawn.<p/><a href="/harbour">Harbour <a href="/map">map</a></a></p>`, link),
			// The summary as an older version stored it, its letters'
			// order overridden (<bdo>) as a file's name spoofs its type.
			summary: `<p>Cranes arrive: see <bdo dir="rtl">gpj.exe</bdo>.</p></span>`}},
	}, storySpec{
		// An item with no title, no link and no text: its entry has
		// nothing to show but its placeholder title.
		at: t0.Add(-48 * time.Hour), topics: []string{"all", "world"},
		items: []itemSpec{{src: srcBeta, guid: "b-untitled"}},
	})
	f.pub.Changed()
	cfg := *f.cfg
	cfg.Server.BaseURL = validatorBase + "/"
	cfg.Publish.Hubs = specHubs
	cfg.Publish.Language = "en-gb"
	f.pub.SetConfig(&cfg, topicsCfg)
	if err := f.pub.SettingsSince(t.Context(), &cfg); err != nil { // as the daemon does at start
		t.Fatal(err)
	}

	for _, tc := range topicsCfg {
		for _, format := range []string{"rss", "atom"} {
			path := "/topics/" + tc.ID + "." + format
			for page := 0; path != ""; page++ {
				if page > 10 {
					t.Fatalf("%s: more than 10 pages", path)
				}
				resp, body := f.get(t, path)
				d := vdoc{format: format, url: validatorBase + path, header: resp.Header, body: body, root: parseTree(t, path, body)}
				for _, r := range validatorRules {
					for _, p := range r.check(d) {
						t.Errorf("%s (%s): %s", d.url, r.name, p)
					}
				}
				path = ""
				for _, l := range d.top().all(nsAtom, "link") {
					if rel, _ := l.attr("rel"); rel == "next" {
						href, _ := l.attr("href")
						path = strings.TrimPrefix(href, validatorBase)
					}
				}
			}
		}
	}
}
