package publish

import (
	"cmp"
	"slices"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/tributary-feeds/tributary/internal/htmlcut"
)

// xmlText returns s with invalid UTF-8 replaced by U+FFFD and every rune that
// XML 1.0 forbids (most C0 controls, surrogates, U+FFFE, U+FFFF) removed, so
// that whatever a source sent, the published XML stays well-formed. It
// returns s itself, without allocating, when s is already clean.
func xmlText(s string) string {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
				return xmlTextSlow(s)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || !xmlChar(r) {
			return xmlTextSlow(s)
		}
		i += size
	}
	return s
}

func xmlTextSlow(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteRune(utf8.RuneError)
		case xmlChar(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

// xmlChar reports whether r is a Char of the XML 1.0 grammar.
func xmlChar(r rune) bool {
	return r == '\t' || r == '\n' || r == '\r' ||
		(r >= 0x20 && r <= 0xD7FF) ||
		(r >= 0xE000 && r <= 0xFFFD) ||
		(r >= 0x10000 && r <= utf8.MaxRune)
}

// oneLine returns s made XML-safe with its runs of white space, line breaks
// included, folded into single spaces: the form of titles and names.
func oneLine(s string) string {
	s = xmlText(s)
	if !strings.ContainsAny(s, "\t\n\r") && !strings.Contains(s, "  ") {
		return strings.TrimSpace(s)
	}
	return strings.Join(strings.Fields(s), " ")
}

// cleanList returns the XML-safe, non-empty, distinct members of in, in order.
func cleanList(in []string) []string {
	if len(in) == 0 {
		return nil
	}
	out := make([]string, 0, len(in))
	seen := make(map[string]bool, len(in))
	for _, s := range in {
		s = oneLine(s)
		if s == "" || seen[s] {
			continue
		}
		seen[s] = true
		out = append(out, s)
	}
	return out
}

// withoutTags returns s, plain text, without what a reader taking it for
// HTML would read as markup: each tag, comment or declaration ("<b>",
// "</b>", "<!-- x -->", "<?x>") gives way to a space. A "<" that would open
// a tag that is never closed ("x<y and a<b") stays, with a space after it
// ("x< y and a< b"), as does the text after it, which a reader taking it
// for HTML would drop, and one taking it for text show. RSS never said
// whether a title is text or HTML, and many readers put it in their page
// as HTML: a title that quotes a tag ("<img src=x onerror=…>", which a
// source that escaped its title twice sends as text) would be an element
// there. Character references stay as they are: read as HTML, they are
// text.
func withoutTags(s string) string {
	if !opensTag(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	z := html.NewTokenizer(strings.NewReader(s))
	for tt := z.Next(); tt != html.ErrorToken; tt = z.Next() {
		if tt == html.TextToken {
			b.Write(z.Raw())
		} else {
			b.WriteByte(' ')
		}
	}
	// What the tokenizer holds when s ends is a tag that was never
	// closed, from its "<" on: a "<" there that opens a tag gets a space
	// after it, so that it opens none.
	rest := z.Raw()
	for i := 0; i < len(rest); i++ {
		b.WriteByte(rest[i])
		if rest[i] == '<' && i+1 < len(rest) && tagStart(rest[i+1]) {
			b.WriteByte(' ')
		}
	}
	// The tokenizer gives the text inside <title>, <textarea> and the
	// like as it stands, tags included, and the text either side of a
	// tag taken out may join into one ("<<b>img"): a "<" still before a
	// tag's first character goes too.
	t := b.String()
	out := make([]byte, 0, len(t))
	for i := 0; i < len(t); i++ {
		c := t[i]
		if tagStart(c) {
			for len(out) > 0 && out[len(out)-1] == '<' {
				out = out[:len(out)-1]
			}
		}
		out = append(out, c)
	}
	return strings.Join(strings.Fields(string(out)), " ")
}

// opensTag reports whether s holds a "<" that HTML reads as the start of
// a tag, a comment or a declaration.
func opensTag(s string) bool {
	for i := strings.IndexByte(s, '<'); i >= 0 && i+1 < len(s); {
		if tagStart(s[i+1]) {
			return true
		}
		j := strings.IndexByte(s[i+1:], '<')
		if j < 0 {
			return false
		}
		i += 1 + j
	}
	return false
}

// tagStart reports whether c, after a "<", makes it markup in HTML: a
// letter starts a tag, "/" an end tag, "!" and "?" a comment.
func tagStart(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '/' || c == '!' || c == '?'
}

// withoutIDs returns sanitised HTML without the ids of its elements. A web
// reader puts an entry's HTML in its own page, where an id becomes a global
// of the page's scripts (window.settings) and takes the place of the page's
// own element of that id. In an entry they serve next to nothing: a link
// to one was made absolute, to the item's own page, when the item was
// stored.
//
// The sanitiser writes each attribute as a space, the name and the value
// in double quotes, and a '"' in text or in a value as a reference: every
// '"' opens or closes a value. An id is a ` id="` outside a value, so that
// a value that ends in " id=" (alt="user id=") is left as it is.
func withoutIDs(h string) string {
	if !strings.Contains(h, ` id="`) {
		return h
	}
	var b strings.Builder
	b.Grow(len(h))
	in := false // within a quoted value
	for i := 0; i < len(h); i++ {
		if !in && strings.HasPrefix(h[i:], ` id="`) {
			if end := strings.IndexByte(h[i+len(` id="`):], '"'); end >= 0 {
				i += len(` id="`) + end // at the value's closing quote
				continue
			}
		}
		if h[i] == '"' {
			in = !in
		}
		b.WriteByte(h[i])
	}
	return b.String()
}

// closed returns sanitised HTML with every element it leaves open closed
// where a browser closes it, so that what follows it in an entry (the list
// of the other sources that carried the story) or in a reader's page
// stands outside it: not folded away in a <details>, struck through in a
// <del>, part of a link or a cell of a table. HTML a browser must mend
// otherwise is written as the browser reads it too: an end tag that closes
// nothing (a "</div>" left over where a source cut its text, a "</p>"
// after a list that ended its paragraph), an element
// other than a void one written "<p/>", a link inside a link. Validators
// and strict HTML parsers call such HTML invalid, and readers that parse
// it strictly drop it. HTML that leaves no element open but paragraphs,
// which the next paragraph closes, and needs no mending, is returned as it
// is; other HTML is read as a browser reads it and written anew.
func closed(h string) string {
	if !needsMending(h) {
		return h
	}
	ctx := &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div}
	nodes, err := html.ParseFragment(strings.NewReader(h), ctx)
	if err != nil {
		return h
	}
	var b strings.Builder
	b.Grow(len(h) + 64)
	for _, n := range nodes {
		if err := html.Render(&b, n); err != nil {
			return h
		}
	}
	return b.String()
}

// formatting are the elements a browser closes only with their own end
// tag: another end tag closes the elements inside it, not these.
var formatting = map[string]bool{
	"a": true, "b": true, "big": true, "code": true, "em": true, "font": true, "i": true, "nobr": true,
	"s": true, "small": true, "strike": true, "strong": true, "tt": true, "u": true,
}

// maxOpen is the most elements of a fragment html.ParseFragment holds open
// (512 with the root it adds): it refuses HTML nested deeper.
const maxOpen = 511

// needsMending reports whether HTML h leaves an element other than a
// paragraph open at its end, or holds a tag a browser mends: an end tag
// that closes no open element, a non-void element written self-closing,
// or a link opened inside a link. The elements a start tag closes as a
// browser reads it are closed before it (impliedEnds): "<p>a<ul>" is
// "<p>a</p><ul>", and a "</p>" after the list closes nothing. HTML nested
// deeper than maxOpen elements, which html.ParseFragment refuses and
// closed so returns as it is, needs none: it is read no further, so that
// each tag is weighed against a bounded list of open elements.
func needsMending(h string) bool {
	if !strings.Contains(h, "<") {
		return false
	}
	var st openStack
	z := html.NewTokenizer(strings.NewReader(h))
	for {
		switch tt := z.Next(); tt {
		case html.ErrorToken:
			for _, e := range st.open {
				if e.name != "p" {
					return true
				}
			}
			return false
		case html.StartTagToken, html.SelfClosingTagToken:
			tok, _ := z.TagName()
			name := string(tok)
			if i := st.impliedEnds(name); i >= 0 {
				st.closeFrom(i, true)
			}
			// HTML reads "<details/>" as "<details>": the slash closes
			// only a void element, which needs no closing.
			if htmlcut.VoidElements[name] {
				continue
			}
			if tt == html.SelfClosingTagToken || name == "a" && st.links > 0 {
				return true
			}
			if st.push(name); len(st.open) > maxOpen {
				return false
			}
		case html.EndTagToken:
			tok, _ := z.TagName()
			i := len(st.open) - 1
			for i >= 0 && st.open[i].name != string(tok) {
				i--
			}
			if i < 0 {
				return true // it closes nothing
			}
			if formatting[st.open[i].name] {
				if st.open[i].name == "a" {
					st.links--
				}
				st.open = slices.Delete(st.open, i, i+1)
			} else {
				st.closeFrom(i, false) // with the elements left open inside it
			}
		}
	}
}

// openStack is the elements open as needsMending reads HTML, from the
// outermost. Each element carries the paragraph and the list items it
// leaves in scope, so that a start tag finds what it closes without
// walking the elements open.
type openStack struct {
	open  []openElement
	seq   int // the seq of the next element opened
	links int // the links (<a>) in open
}

// openElement is an element open, with the seq of the innermost element
// open at or outside it that a block would close (p: a paragraph in the
// standard's button scope), a list item would close (item) and a
// definition's term or description would (def), or -1 for none. seqs
// grow from the outermost element in.
type openElement struct {
	name              string
	seq, p, item, def int
}

// push opens the element name inside the others.
func (st *openStack) push(name string) {
	e := openElement{name: name, seq: st.seq}
	st.seq++
	st.inherit(&e, len(st.open))
	switch {
	case name == "p":
		e.p = e.seq
	case scopeEnds[name]:
		e.p = -1
	}
	// A list item closes the item open around it as far as a special
	// element other than an address, a div or a paragraph (a list).
	barrier := special[name] && name != "address" && name != "div" && name != "p"
	switch {
	case name == "li":
		e.item = e.seq
	case barrier:
		e.item = -1
	}
	switch {
	case name == "dd" || name == "dt":
		e.def = e.seq
	case barrier:
		e.def = -1
	}
	if name == "a" {
		st.links++
	}
	st.open = append(st.open, e)
}

// inherit sets e's paragraph and items in scope to those of the element
// at index i-1 of open, or none when i is 0: what an element that is no
// paragraph, item or boundary of their scope leaves in scope.
func (st *openStack) inherit(e *openElement, i int) {
	e.p, e.item, e.def = -1, -1, -1
	if i > 0 {
		e.p, e.item, e.def = st.open[i-1].p, st.open[i-1].item, st.open[i-1].def
	}
}

// closeFrom closes the element at index i of open and those inside it.
// With reopen, the formatting elements among them stay open, as a browser
// opens them again inside what a start tag opens next ("<p><b>a<p>b" is
// bold twice).
func (st *openStack) closeFrom(i int, reopen bool) {
	k := i
	for _, e := range st.open[i:] {
		if reopen && formatting[e.name] {
			st.inherit(&e, k)
			st.open[k] = e
			k++
			continue
		}
		if e.name == "a" {
			st.links--
		}
	}
	st.open = st.open[:k]
}

// index returns the index in open of the element numbered seq, or -1.
func (st *openStack) index(seq int) int {
	if seq < 0 {
		return -1
	}
	i, found := slices.BinarySearchFunc(st.open, seq, func(e openElement, seq int) int { return cmp.Compare(e.seq, seq) })
	if !found {
		return -1
	}
	return i
}

// impliedEnds returns where in open a start tag name closes elements as a
// browser reads it (the HTML standard's "in body" insertion mode): the
// index of the outermost element it closes, with those inside it, or -1.
// A list item closes the list item open, a definition's term or
// description the one open, a block (closesP) an open paragraph, and a
// heading an open heading, as far as they are in scope: a cell or a list
// around the paragraph or item keeps it open.
func (st *openStack) impliedEnds(name string) int {
	n := len(st.open)
	if n == 0 {
		return -1
	}
	end := -1
	switch name {
	case "li":
		end = st.index(st.open[n-1].item)
	case "dd", "dt":
		end = st.index(st.open[n-1].def)
	}
	if !closesP[name] {
		return end
	}
	below := n - 1 // the current element, once the item is closed
	if end >= 0 {
		below = end - 1
	}
	if below >= 0 {
		if i := st.index(st.open[below].p); i >= 0 {
			end, below = i, i-1
		}
	}
	if heading[name] && below >= 0 && heading[st.open[below].name] {
		end = below
	}
	return end
}

// closesP are the start tags that close an open paragraph.
var closesP = setOf("address", "article", "aside", "blockquote", "center", "dd", "details", "dialog", "dir", "div", "dl", "dt",
	"fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr",
	"li", "listing", "main", "menu", "nav", "ol", "p", "pre", "search", "section", "summary", "table", "ul", "xmp")

// heading are the headings, of which a browser closes one open where
// another starts.
var heading = setOf("h1", "h2", "h3", "h4", "h5", "h6")

// scopeEnds are the elements that keep a paragraph open outside them open
// inside them (the standard's button scope).
var scopeEnds = setOf("applet", "button", "caption", "html", "marquee", "object", "table", "td", "template", "th")

// special are the standard's special elements that can be left open,
// which end the search for a list item to close.
var special = setOf("address", "applet", "article", "aside", "blockquote", "body", "button", "caption", "center",
	"colgroup", "dd", "details", "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form",
	"h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "html", "iframe", "li", "listing", "main", "marquee",
	"menu", "nav", "object", "ol", "p", "pre", "search", "section", "select", "summary", "table", "tbody", "td",
	"template", "tfoot", "th", "thead", "tr", "ul", "xmp")

// setOf returns the set of names.
func setOf(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}
