package parse

import (
	"bytes"
	"encoding/xml"
	"html"
	"net/url"
	"slices"
	"strings"
)

// itemBase is what XML Base makes of one item: the base URL in scope where
// its HTML and its enclosures stand. Each is an absolute http(s) URL, or
// nil where no xml:base is in scope (the HTML then resolves as it would
// without one).
type itemBase struct {
	item    *url.URL // in scope in the item, for its enclosures
	summary *url.URL // in scope in RSS's <description> or Atom's <summary>, else the item's
	content *url.URL // in scope in <content:encoded> or Atom's <content>, else the item's
}

// xmlNS is the namespace of the xml: prefix, which no document can bind to
// another.
const xmlNS = "http://www.w3.org/XML/1998/namespace"

// contentNS is the namespace of content:encoded.
const contentNS = "http://purl.org/rss/1.0/modules/content/"

// feedNative are the namespaces, besides the root's own, of the elements
// gofeed reads as a document's items rather than as extensions.
var feedNative = []string{"", "rss", "rdf",
	"http://www.w3.org/1999/02/22-rdf-syntax-ns#",
	"http://purl.org/rss/1.0/",
	"http://my.netscape.com/rdf/simple/0.9/",
	"http://channel.netscape.com/rdf/simple/0.9/",
	"http://www.w3.org/2005/Atom",
	"http://purl.org/atom/ns#",
}

// itemWalk follows a feed document's items as its tokens are read, as
// gofeed finds them: elements named as an item (<item>, or <entry> for
// Atom) in the root's namespace or a feed's, directly below the root or
// the <channel>. It gathers a T for each item, and gives them in the order
// gofeed gives the items: those of the channel, then those beside it, as
// RSS 1.0 places them.
type itemWalk[T any] struct {
	names       []string // lower-case local names of an item
	rootSpace   string
	channel     int // depth of the open <channel>, or -1
	item        int // depth of the open item, or -1
	inChannel   []T
	besideItems []T
}

func newItemWalk[T any](names ...string) *itemWalk[T] {
	return &itemWalk[T]{names: names, channel: -1, item: -1}
}

// native reports whether an element in space is one gofeed reads as the
// document's own.
func (w *itemWalk[T]) native(space string) bool {
	return space == w.rootSpace || slices.Contains(feedNative, space)
}

// start takes the element el opened at depth (the root at 1), and reports
// whether it opens an item.
func (w *itemWalk[T]) start(el xml.StartElement, depth int) bool {
	if depth == 1 {
		w.rootSpace = el.Name.Space
		return false
	}
	if w.item >= 0 || !w.native(el.Name.Space) {
		return false
	}
	name := strings.ToLower(el.Name.Local)
	switch {
	case depth == 2 && name == "channel":
		w.channel = depth
	case slices.Contains(w.names, name) && (depth == 2 || depth == w.channel+1):
		w.item = depth
		return true
	}
	return false
}

// end takes the end of the element opened at depth: at an item's end,
// cur is what was gathered of it.
func (w *itemWalk[T]) end(depth int, cur T) {
	switch depth {
	case w.item:
		if w.channel >= 0 {
			w.inChannel = append(w.inChannel, cur)
		} else {
			w.besideItems = append(w.besideItems, cur)
		}
		w.item = -1
	case w.channel:
		w.channel = -1
	}
}

// items returns what was gathered of each item, in gofeed's order.
func (w *itemWalk[T]) items() []T { return append(w.inChannel, w.besideItems...) }

// itemBases reads an RSS (0.9x, 1.0 or 2.0) or Atom document for the
// xml:base in scope in each of its items, in the order gofeed gives the
// items: for RSS those of the channel, then those beside it (RSS 1.0). XML
// Base, as RFC 3986 reads it, resolves an xml:base against the one around
// it, the outermost one against docURL, the URL the document was fetched
// from. gofeed applies xml:base to an RSS item's link only, and in Atom to
// the URLs of the attributes it knows (href, src), not to a lazily loaded
// image's. It returns nil when the document has no xml:base.
func itemBases(doc []byte, docURL *url.URL) []itemBase {
	if !bytes.Contains(doc, []byte("xml:base")) {
		return nil
	}
	d := feedDecoder(doc)
	var (
		stack    []*url.URL // the base in scope in each open element; nil for none
		walk     = newItemWalk[itemBase]("item", "entry")
		cur      itemBase
		seenBase bool
	)
	for {
		tok, err := d.Token()
		if err != nil {
			break // the end, or damage gofeed stepped over: the caller compares counts
		}
		switch t := tok.(type) {
		case xml.StartElement:
			base, parent := inScope(stack, docURL)
			if v, ok := xmlBase(t); ok {
				seenBase = true
				if u := resolveBase(parent, v); u != nil {
					base = u
				}
			}
			stack = append(stack, base)
			depth := len(stack)
			if walk.start(t, depth) {
				cur = itemBase{item: base, summary: base, content: base}
				continue
			}
			if walk.item >= 0 && depth == walk.item+1 {
				name := strings.ToLower(t.Name.Local)
				switch {
				case (name == "description" || name == "summary") && walk.native(t.Name.Space):
					cur.summary = base
				case name == "encoded" && t.Name.Space == contentNS, name == "content" && walk.native(t.Name.Space):
					cur.content = base
				}
			}
		case xml.EndElement:
			depth := len(stack)
			walk.end(depth, cur)
			if depth > 0 {
				stack = stack[:depth-1]
			}
		}
	}
	if !seenBase {
		return nil
	}
	return walk.items()
}

// xmlBase returns the value of el's xml:base attribute: the first, which
// the decoders read, when it has several.
func xmlBase(el xml.StartElement) (string, bool) {
	for _, a := range el.Attr {
		if a.Name.Local == "base" && (a.Name.Space == xmlNS || a.Name.Space == "xml") {
			return a.Value, true
		}
	}
	return "", false
}

// inScope returns, for an element opened below the elements of stack (the
// absolute base in scope in each, nil for none), the base it inherits (nil
// for none) and what an xml:base of its own resolves against: that base,
// else docURL.
func inScope(stack []*url.URL, docURL *url.URL) (inherited, parent *url.URL) {
	if n := len(stack); n > 0 && stack[n-1] != nil {
		return stack[n-1], stack[n-1]
	}
	return nil, docURL
}

// resolveBase returns the xml:base value v resolved against parent (nil
// when there is none), or nil when that makes no absolute http(s) URL.
func resolveBase(parent *url.URL, v string) *url.URL {
	ref, err := url.Parse(repairURL(v))
	if err != nil {
		return nil
	}
	if parent != nil {
		ref = parent.ResolveReference(ref)
	}
	if (ref.Scheme != "http" && ref.Scheme != "https") || ref.Host == "" {
		return nil
	}
	return ref
}

// folderBases returns doc with each xml:base written as the absolute URL
// of the folder it names once resolved as RFC 3986 says: against the
// xml:base around it, the outermost against docURL. gofeed resolves
// against an xml:base as if it named a folder ("https://host/wp-atom.php"
// and "page.html" make "https://host/wp-atom.php/page.html"), and leaves a
// relative one relative, for the item's link to complete; against the
// folder, a relative path resolves as RFC 3986 says. It returns doc itself
// when it has no xml:base.
func folderBases(doc []byte, docURL *url.URL) []byte {
	if !bytes.Contains(doc, []byte("xml:base")) {
		return doc
	}
	d := feedDecoder(doc)
	var (
		out   []byte // doc[:done] rewritten, when anything is
		done  int
		stack []*url.URL // the absolute base in scope in each open element, or nil
	)
	for {
		start := int(d.InputOffset())
		tok, err := d.Token()
		if err != nil {
			break
		}
		switch t := tok.(type) {
		case xml.StartElement:
			base, parent := inScope(stack, docURL)
			if v, ok := xmlBase(t); ok {
				// A base that makes no http(s) URL (javascript:, urn:) is
				// written empty, which the decoders pass over.
				val := ""
				if u := resolveBase(parent, v); u != nil {
					base = u
					folder := *u
					folder.Path = folder.Path[:strings.LastIndexByte("/"+folder.Path, '/')] // through its last slash
					folder.RawPath, folder.RawQuery, folder.Fragment, folder.RawFragment, folder.ForceQuery = "", "", "", "", false
					if folder.Path == "" {
						folder.Path = "/"
					}
					val = folder.String()
				}
				if end := int(d.InputOffset()); end <= len(doc) && start < end {
					if vs, ve, ok := baseValue(doc[start:end]); ok && start+vs >= done {
						out = append(out, doc[done:start+vs]...)
						out = append(out, html.EscapeString(val)...)
						done = start + ve
					}
				}
			}
			stack = append(stack, base)
		case xml.EndElement:
			if n := len(stack); n > 0 {
				stack = stack[:n-1]
			}
		}
	}
	if out == nil {
		return doc
	}
	return append(out, doc[done:]...)
}

// baseValue returns where the quoted value of the xml:base attribute of the
// start tag tag begins and ends. It reads the tag attribute by attribute,
// as the decoder does, so that "xml:base" written inside another
// attribute's value is not taken for it.
func baseValue(tag []byte) (start, end int, ok bool) {
	if len(tag) == 0 || tag[0] != '<' {
		return 0, 0, false // the decoder read another encoding than doc's
	}
	i := 1
	for i < len(tag) && !isXMLSpace(tag[i]) && tag[i] != '/' && tag[i] != '>' {
		i++ // the element's name
	}
	for {
		for i < len(tag) && isXMLSpace(tag[i]) {
			i++
		}
		if i == len(tag) || tag[i] == '/' || tag[i] == '>' {
			return 0, 0, false
		}
		nameStart := i
		for i < len(tag) && !isXMLSpace(tag[i]) && tag[i] != '=' && tag[i] != '/' && tag[i] != '>' {
			i++
		}
		name := string(tag[nameStart:i])
		if i == nameStart {
			i++ // a stray character the decoder would have refused
			continue
		}
		for i < len(tag) && isXMLSpace(tag[i]) {
			i++
		}
		if i == len(tag) || tag[i] != '=' {
			if name == "xml:base" {
				return 0, 0, false // the decoder takes its name for its value
			}
			continue // an attribute without a value, which the decoder lets be
		}
		i++
		for i < len(tag) && isXMLSpace(tag[i]) {
			i++
		}
		if i == len(tag) {
			return 0, 0, false
		}
		if q := tag[i]; q == '"' || q == '\'' {
			e := bytes.IndexByte(tag[i+1:], q)
			if e < 0 {
				return 0, 0, false
			}
			if name == "xml:base" {
				return i + 1, i + 1 + e, true
			}
			i += 1 + e + 1
			continue
		}
		// Unquoted, as the decoder reads a value when not strict.
		for i < len(tag) && (isASCIILetter(tag[i]) || '0' <= tag[i] && tag[i] <= '9' || tag[i] == '_' || tag[i] == ':' || tag[i] == '-') {
			i++
		}
		if name == "xml:base" {
			return 0, 0, false
		}
	}
}
