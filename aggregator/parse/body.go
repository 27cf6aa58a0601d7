package parse

import (
	"encoding/xml"
	"html"
	"maps"
	"slices"
	"strings"

	"github.com/mmcdole/gofeed/rss"
)

// xhtmlNS is the namespace of XHTML, in which an RSS item may carry its
// text as a <body> (often written <xhtml:body>).
const xhtmlNS = "http://www.w3.org/1999/xhtml"

// maxBodyTokens bounds the tokens xhtmlBodies copies out of one body, so
// that the copy of one item costs no more than gofeed's reading of it.
const maxBodyTokens = 1 << 16

// rssBody returns the HTML of an RSS item that gives its text in an
// element RSS does not define, or "": an XHTML <body> (xhtml, read from the
// document by xhtmlBodies, as gofeed keeps only its bare text), else a
// <body> or a <fullitem> of the feed's own namespace, which gofeed keeps
// as written among the item's custom elements.
func rssBody(it *rss.Item, xhtml string) string {
	if strings.TrimSpace(xhtml) != "" {
		return xhtml
	}
	if it == nil || len(it.Custom) == 0 {
		return ""
	}
	for _, name := range []string{"body", "fullitem"} {
		if v := it.Custom[name]; strings.TrimSpace(v) != "" {
			return v
		}
		// Written in capitals (<BODY>), as some are: the first name in
		// order, so that the same item always reads the same.
		for _, k := range slices.Sorted(maps.Keys(it.Custom)) {
			if v := it.Custom[k]; strings.EqualFold(k, name) && strings.TrimSpace(v) != "" {
				return v
			}
		}
	}
	return ""
}

// xhtmlBodies reads an RSS document for the XHTML <body> of each of its
// items, in the order gofeed gives the items (those of the channel, then
// those beside it, as RSS 1.0 places them), and returns each as HTML: its
// elements and attributes without their namespace prefixes, "" for an
// item without one.
func xhtmlBodies(doc []byte) []string {
	d := feedDecoder(doc)
	var (
		depth  int
		walk   = newItemWalk[string]("item")
		body   = -1 // depth of the open XHTML <body>, or -1
		tokens int
		cur    strings.Builder
		done   bool // the item's body is read
	)
	for {
		tok, err := d.Token()
		if err != nil {
			break // the end, or damage gofeed stepped over: the caller compares counts
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			switch {
			case body >= 0:
				if tokens++; tokens <= maxBodyTokens {
					writeStartTag(&cur, t)
				}
			case walk.start(t, depth):
				done = false
				cur.Reset()
			case walk.item >= 0 && depth == walk.item+1 && !done && t.Name.Local == "body" && t.Name.Space == xhtmlNS:
				body, tokens = depth, 0
			}
		case xml.EndElement:
			switch {
			case depth == body:
				body, done = -1, true
			case body >= 0:
				if tokens++; tokens <= maxBodyTokens {
					cur.WriteString("</" + t.Name.Local + ">")
				}
			default:
				walk.end(depth, cur.String())
			}
			depth--
		case xml.CharData:
			if body >= 0 {
				if tokens++; tokens <= maxBodyTokens {
					cur.WriteString(html.EscapeString(string(t)))
				}
			}
		}
	}
	return walk.items()
}

// writeStartTag writes el as an HTML start tag, its name and its
// attributes' without a namespace prefix, less its namespace declarations.
func writeStartTag(b *strings.Builder, el xml.StartElement) {
	b.WriteString("<" + el.Name.Local)
	for _, a := range el.Attr {
		if a.Name.Space == "xmlns" || a.Name.Space == "" && a.Name.Local == "xmlns" {
			continue
		}
		b.WriteString(" " + a.Name.Local + `="` + html.EscapeString(a.Value) + `"`)
	}
	b.WriteString(">")
}
