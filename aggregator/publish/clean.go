package publish

import (
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
// "</b>", "<!-- x -->", "<?x>") gives way to a space, and a "<" that would
// open one but is never closed goes. RSS never said whether a title is text
// or HTML, and many readers put it in their page as HTML: a title that
// quotes a tag ("<img src=x onerror=…>", which a source that escaped its
// title twice sends as text) would be an element there. Character
// references stay as they are: read as HTML, they are text.
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
// nothing (a "</div>" left over where a source cut its text), an element
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
// or a link opened inside a link. HTML nested deeper than maxOpen
// elements, which html.ParseFragment refuses and closed so returns as it
// is, needs none: it is read no further, so that each tag is weighed
// against a bounded list of open elements.
func needsMending(h string) bool {
	if !strings.Contains(h, "<") {
		return false
	}
	var open []string
	z := html.NewTokenizer(strings.NewReader(h))
	for {
		switch tt := z.Next(); tt {
		case html.ErrorToken:
			for _, name := range open {
				if name != "p" {
					return true
				}
			}
			return false
		case html.StartTagToken, html.SelfClosingTagToken:
			// HTML reads "<details/>" as "<details>": the slash closes
			// only a void element, which needs no closing.
			tok, _ := z.TagName()
			name := string(tok)
			if htmlcut.VoidElements[name] {
				continue
			}
			if tt == html.SelfClosingTagToken || name == "a" && slices.Contains(open, "a") {
				return true
			}
			if open = append(open, name); len(open) > maxOpen {
				return false
			}
		case html.EndTagToken:
			tok, _ := z.TagName()
			i := len(open) - 1
			for i >= 0 && open[i] != string(tok) {
				i--
			}
			if i < 0 {
				return true // it closes nothing
			}
			if formatting[open[i]] {
				open = slices.Delete(open, i, i+1)
			} else {
				open = open[:i] // with the elements left open inside it
			}
		}
	}
}
