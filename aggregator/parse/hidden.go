package parse

import (
	"strings"
	"unicode"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// mayHide reports whether s may hold an element that a browser does not
// show: one with a hidden attribute, a style of display:none or
// visibility:hidden or collapse, or a template. It looks for the words, in
// any case, in one pass over s, so that most HTML is not tokenised for it;
// a CSS escape (a backslash) or a numeric character reference to an ASCII
// letter may spell them otherwise, and is tokenised too.
func mayHide(s string) bool {
	for i := 0; i < len(s); i++ {
		var word string
		switch s[i] | 0x20 {
		case '\\' | 0x20:
			if s[i] == '\\' {
				return true
			}
			continue
		case '&' | 0x20:
			if s[i] == '&' && refersToLetter(s[i+1:]) {
				return true
			}
			continue
		case 'h':
			word = "hidden"
		case 'd':
			word = "display"
		case 'v':
			word = "visibility"
		case 't':
			word = "template"
		default:
			continue
		}
		if foldedAt(s, i, word) {
			return true
		}
	}
	return false
}

// refersToLetter reports whether s, after an "&", begins a numeric
// character reference to an ASCII letter ("&#105;", "&#x69;").
func refersToLetter(s string) bool {
	if len(s) < 2 || s[0] != '#' {
		return false
	}
	s = s[1:]
	base := 10
	if s[0]|0x20 == 'x' {
		base, s = 16, s[1:]
	}
	n := 0
	for i := 0; i < len(s) && i < 8; i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			n = n*base + int(c-'0')
		case base == 16 && c|0x20 >= 'a' && c|0x20 <= 'f':
			n = n*base + int(c|0x20-'a'+10)
		default:
			i = len(s)
			continue
		}
	}
	return n|0x20 >= 'a' && n|0x20 <= 'z'
}

// foldedAt reports whether s holds word, of ASCII letters in lower case,
// at i, in any letter case.
func foldedAt(s string, i int, word string) bool {
	if len(s)-i < len(word) {
		return false
	}
	for j := 1; j < len(word); j++ {
		if s[i+j]|0x20 != word[j] {
			return false
		}
	}
	return true
}

// withoutHidden returns s without the elements a browser does not show,
// with all they hold: an element with the hidden attribute (but
// hidden="until-found", whose text a reader's search reveals), one whose
// style sets display:none or visibility:hidden (or collapse), and a
// <template>. The policy drops the attributes and the styles that hide
// them and keeps their text, which would show in every entry of the item
// what its page keeps out of sight, and count for topics and for the
// comparison of stories: words stuffed there to enter a topic the item is
// not about, or to join another story. A hidden element ends at its end
// tag, or, as a browser ends it, at the end tag of an element open around
// it, or (a <p>, an <li>, a <dt> or <dd>, an <option>, a table's cell or
// row) at the start tag of an element that closes it; a hidden element that is never closed hides
// the rest of s.
func withoutHidden(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	z := html.NewTokenizer(strings.NewReader(s))
	var open []string // elements open around the text written, outermost first
	hidden, depth := "", 0
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return b.String()
		}
		var name []byte
		var hasAttr bool
		if tt == html.StartTagToken || tt == html.SelfClosingTagToken || tt == html.EndTagToken {
			name, hasAttr = z.TagName()
		}
		if hidden != "" {
			switch tt {
			case html.StartTagToken, html.SelfClosingTagToken:
				if endsHidden(hidden, atom.Lookup(name)) {
					// A <p> or <li> is closed by the start of
					// another (or, a <p>, of a block): what follows
					// is shown.
					hidden, depth = "", 0
					break
				}
				if string(name) == hidden {
					depth++
				}
				continue
			case html.EndTagToken:
				if string(name) == hidden {
					if depth--; depth == 0 {
						hidden = ""
					}
					continue
				}
				for i := len(open) - 1; i >= 0; i-- {
					if open[i] == string(name) {
						// The end of an element around the hidden one
						// ends it too.
						hidden, depth = "", 0
						open = open[:i]
						b.Write(z.Raw())
						break
					}
				}
				continue
			default:
				continue
			}
		}
		switch tt {
		case html.StartTagToken, html.SelfClosingTagToken:
			raw := string(z.Raw())
			a := atom.Lookup(name)
			hide := a == atom.Template
			for hasAttr && !hide {
				var key, val []byte
				key, val, hasAttr = z.TagAttr()
				hide = hidesElement(string(key), string(val))
			}
			if closesP[a] && len(open) > 0 && open[len(open)-1] == "p" {
				// A browser closes the <p> open around a block,
				// and ignores the </p> after it.
				open = open[:len(open)-1]
			}
			// A "/>" is read as XML reads it: Atom's XHTML content is
			// XML, where "<span/>" holds nothing.
			void := tt == html.SelfClosingTagToken || voidElements[a]
			if hide {
				if !void {
					hidden, depth = string(name), 1
				}
				continue
			}
			if !void {
				open = append(open, string(name))
			}
			b.WriteString(raw)
		case html.EndTagToken:
			for i := len(open) - 1; i >= 0; i-- {
				if open[i] == string(name) {
					open = open[:i]
					break
				}
			}
			b.Write(z.Raw())
		default:
			b.Write(z.Raw())
		}
	}
}

// endsHidden reports whether a start tag a ends an element named hidden
// left open, as a browser ends a <p> at the start of a block or another
// <p>, an <li>, <dt>, <dd> or <option> at the start of another, and a
// table's cell or row at the start of another, or of a row group.
func endsHidden(hidden string, a atom.Atom) bool {
	switch hidden {
	case "p":
		return closesP[a]
	case "li":
		return a == atom.Li
	case "dt", "dd":
		return a == atom.Dt || a == atom.Dd
	case "option":
		return a == atom.Option || a == atom.Optgroup
	case "td", "th":
		return a == atom.Td || a == atom.Th || a == atom.Tr || a == atom.Tbody || a == atom.Thead || a == atom.Tfoot
	case "tr":
		return a == atom.Tr || a == atom.Tbody || a == atom.Thead || a == atom.Tfoot
	}
	return false
}

// closesP are the elements whose start tag closes an open <p>.
var closesP = map[atom.Atom]bool{
	atom.Address: true, atom.Article: true, atom.Aside: true, atom.Blockquote: true, atom.Center: true,
	atom.Details: true, atom.Dialog: true, atom.Dir: true, atom.Div: true, atom.Dl: true,
	atom.Fieldset: true, atom.Figcaption: true, atom.Figure: true, atom.Footer: true, atom.Form: true,
	atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true, atom.H5: true, atom.H6: true,
	atom.Header: true, atom.Hgroup: true, atom.Hr: true, atom.Listing: true, atom.Main: true,
	atom.Menu: true, atom.Nav: true, atom.Ol: true, atom.P: true, atom.Pre: true, atom.Section: true,
	atom.Summary: true, atom.Table: true, atom.Ul: true,
}

// voidElements are the elements that have no end tag and hold nothing.
var voidElements = map[atom.Atom]bool{
	atom.Area: true, atom.Base: true, atom.Br: true, atom.Col: true, atom.Embed: true, atom.Hr: true,
	atom.Img: true, atom.Input: true, atom.Link: true, atom.Meta: true, atom.Source: true,
	atom.Track: true, atom.Wbr: true,
}

// hidesElement reports whether the attribute key="val" keeps its element
// out of sight: hidden (but hidden="until-found"), or a style whose last
// display is none or whose last visibility is hidden or collapse.
func hidesElement(key, val string) bool {
	switch key {
	case "hidden":
		return !strings.EqualFold(strings.TrimSpace(val), "until-found")
	case "style":
		if strings.ContainsAny(val, "\\/") {
			val = cssUnescape(val)
		}
		var display, visibility string
		for decl := range strings.SplitSeq(val, ";") {
			prop, v, ok := strings.Cut(decl, ":")
			if !ok {
				continue
			}
			v = strings.ToLower(strings.TrimSpace(v))
			if rest, ok := strings.CutSuffix(v, "important"); ok && strings.HasSuffix(strings.TrimSpace(rest), "!") {
				v = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "!"))
			}
			switch strings.ToLower(strings.TrimSpace(prop)) {
			case "display":
				display = v
			case "visibility":
				visibility = v
			}
		}
		return display == "none" || visibility == "hidden" || visibility == "collapse"
	}
	return false
}

// cssUnescape returns a style's declarations as CSS reads them: comments
// left out and escapes ("\\69", "\\i") written as the characters they
// stand for, so that "d\\69splay:n/**/one" is display:none. (An escaped
// ";" or ":" becomes one, which may split a declaration a browser keeps
// whole: the style then hides nothing it did not.)
func cssUnescape(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		switch {
		case strings.HasPrefix(s[i:], "/*"):
			end := strings.Index(s[i+2:], "*/")
			if end < 0 {
				return b.String()
			}
			i += 2 + end + 2
		case s[i] == '\\' && i+1 < len(s):
			j := i + 1
			n := 0
			for j < len(s) && j-i <= 6 && isHex(s[j]) {
				n = n*16 + hexValue(s[j])
				j++
			}
			if j == i+1 {
				// Any other character stands for itself.
				b.WriteByte(s[j])
				i = j + 1
				continue
			}
			if j < len(s) && (s[j] == ' ' || s[j] == '\t' || s[j] == '\n') {
				j++ // one white space ends the escape
			}
			if n == 0 || n > unicode.MaxRune || (n >= 0xD800 && n <= 0xDFFF) {
				n = unicode.ReplacementChar
			}
			b.WriteRune(rune(n))
			i = j
		default:
			b.WriteByte(s[i])
			i++
		}
	}
	return b.String()
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c|0x20 >= 'a' && c|0x20 <= 'f'
}

func hexValue(c byte) int {
	if c <= '9' {
		return int(c - '0')
	}
	return int(c|0x20-'a') + 10
}
