package parse

import (
	"bytes"
	"encoding/xml"
	"net/url"
	"strings"
)

// rssBase is what XML Base makes of one RSS item: the base URL in scope
// where its HTML and its link stand. Each is an absolute http(s) URL, or
// nil where no xml:base is in scope (the HTML then resolves as it would
// without one).
type rssBase struct {
	item        *url.URL // in scope in the item, for its enclosures
	description *url.URL // in scope in <description>, the item's own where there is none
	content     *url.URL // in scope in <content:encoded>, likewise
	link        *url.URL // in scope in the item's last <link>, the one gofeed takes
	linkText    string   // that <link>'s text (else its href), as written
}

// xmlNS is the namespace of the xml: prefix, which no document can bind to
// another.
const xmlNS = "http://www.w3.org/XML/1998/namespace"

// contentNS is the namespace of content:encoded.
const contentNS = "http://purl.org/rss/1.0/modules/content/"

// rssNative are the namespaces, besides the root's own, of the elements
// gofeed reads as an RSS document's items rather than as extensions.
var rssNative = []string{"", "rss", "rdf",
	"http://www.w3.org/1999/02/22-rdf-syntax-ns#",
	"http://purl.org/rss/1.0/",
	"http://my.netscape.com/rdf/simple/0.9/",
	"http://channel.netscape.com/rdf/simple/0.9/",
}

// rssBases reads an RSS document (0.9x, 1.0 or 2.0) for the xml:base in
// scope in each of its items, in the order gofeed gives the items: those of
// the channel, then those beside it (RSS 1.0). XML Base, as RFC 3986 reads
// it, resolves an xml:base against the one around it, the outermost one
// against docURL, the URL the document was fetched from. gofeed applies
// xml:base to an item's link only, and as if every base named a folder. It
// returns nil when the document has no xml:base.
func rssBases(doc []byte, docURL *url.URL) []rssBase {
	if !bytes.Contains(doc, []byte("xml:base")) {
		return nil
	}
	d := feedDecoder(doc)
	var (
		stack       []*url.URL // the base in scope in each open element; nil for none
		rootSpace   string
		channel     = -1 // depth of the open <channel>, or -1
		item        = -1 // depth of the open <item>, or -1
		cur         rssBase
		inLink      bool
		link        strings.Builder
		href        string
		seenBase    bool
		inChannel   []rssBase
		besideItems []rssBase
	)
	native := func(space string) bool {
		if space == rootSpace {
			return true
		}
		for _, s := range rssNative {
			if space == s {
				return true
			}
		}
		return false
	}
	for {
		tok, err := d.Token()
		if err != nil {
			break // the end, or damage gofeed stepped over: the caller compares counts
		}
		switch t := tok.(type) {
		case xml.StartElement:
			parent := docURL
			var inherited *url.URL
			if n := len(stack); n > 0 && stack[n-1] != nil {
				parent, inherited = stack[n-1], stack[n-1]
			}
			base := inherited
			for _, a := range t.Attr {
				if a.Name.Local == "base" && (a.Name.Space == xmlNS || a.Name.Space == "xml") {
					seenBase = true
					if u := resolveBase(parent, a.Value); u != nil {
						base = u
					}
				}
			}
			stack = append(stack, base)
			depth := len(stack)
			if depth == 1 {
				rootSpace = t.Name.Space
				continue
			}
			name := strings.ToLower(t.Name.Local)
			switch {
			case item < 0 && name == "item" && native(t.Name.Space) && (depth == 2 || depth == channel+1):
				item, cur = depth, rssBase{item: base, description: base, content: base}
			case item < 0 && depth == 2 && name == "channel" && native(t.Name.Space):
				channel = depth
			case item >= 0 && depth == item+1:
				switch {
				case name == "description" && native(t.Name.Space):
					cur.description = base
				case name == "encoded" && t.Name.Space == contentNS:
					cur.content = base
				case name == "link" && native(t.Name.Space):
					cur.link, inLink, href = base, true, ""
					link.Reset()
					for _, a := range t.Attr {
						if a.Name.Local == "href" && a.Name.Space == "" {
							href = a.Value
						}
					}
				}
			}
		case xml.CharData:
			if inLink && len(stack) == item+1 {
				link.Write(t)
			}
		case xml.EndElement:
			depth := len(stack)
			switch depth {
			case item + 1:
				if inLink {
					cur.linkText = strings.TrimSpace(link.String())
					if cur.linkText == "" {
						cur.linkText = href
					}
					inLink = false
				}
			case item:
				if channel >= 0 {
					inChannel = append(inChannel, cur)
				} else {
					besideItems = append(besideItems, cur)
				}
				item = -1
			case channel:
				channel = -1
			}
			if depth > 0 {
				stack = stack[:depth-1]
			}
		}
	}
	if !seenBase {
		return nil
	}
	return append(inChannel, besideItems...)
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
