package parse

import (
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// mayHide reports whether s may hold an element that a browser does not
// show: one with a hidden attribute, a style of display:none or
// visibility:hidden or collapse, or a template. It looks for the words, in
// any case, in one pass over s, so that most HTML is not tokenised for it.
func mayHide(s string) bool {
	for i := 0; i < len(s); i++ {
		var word string
		switch s[i] | 0x20 {
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
// it; a hidden element that is never closed hides the rest of s.
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
		if hidden != "" {
			switch tt {
			case html.StartTagToken:
				if name, _ := z.TagName(); string(name) == hidden {
					depth++
				}
			case html.EndTagToken:
				name, _ := z.TagName()
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
			}
			continue
		}
		switch tt {
		case html.StartTagToken, html.SelfClosingTagToken:
			raw := string(z.Raw())
			name, hasAttr := z.TagName()
			a := atom.Lookup(name)
			hide := a == atom.Template
			for hasAttr && !hide {
				var key, val []byte
				key, val, hasAttr = z.TagAttr()
				hide = hidesElement(string(key), string(val))
			}
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
			name, _ := z.TagName()
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
		var display, visibility string
		for decl := range strings.SplitSeq(val, ";") {
			prop, v, ok := strings.Cut(decl, ":")
			if !ok {
				continue
			}
			v = strings.ToLower(strings.TrimSpace(v))
			v = strings.TrimSpace(strings.TrimSuffix(v, "!important"))
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
