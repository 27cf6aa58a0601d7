package near

import (
	"bytes"
	"strings"
	"unicode"
	"unicode/utf8"

	xhtml "golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// blockTags end a line of text: the boundaries a reader sees as paragraphs,
// list entries, headings or table rows.
var blockTags = map[atom.Atom]bool{
	atom.Address: true, atom.Article: true, atom.Aside: true, atom.Blockquote: true,
	atom.Br: true, atom.Caption: true, atom.Dd: true, atom.Details: true, atom.Div: true,
	atom.Dl: true, atom.Dt: true, atom.Fieldset: true, atom.Figcaption: true,
	atom.Figure: true, atom.Footer: true, atom.Form: true, atom.H1: true, atom.H2: true,
	atom.H3: true, atom.H4: true, atom.H5: true, atom.H6: true, atom.Header: true,
	atom.Hr: true, atom.Li: true, atom.Main: true, atom.Nav: true, atom.Ol: true,
	atom.P: true, atom.Pre: true, atom.Section: true, atom.Summary: true,
	atom.Table: true, atom.Td: true, atom.Th: true, atom.Tr: true, atom.Ul: true,
}

// skipTags hold no article text: code, embedded documents, and the page
// furniture (navigation, forms) that some feeds leave in their content.
var skipTags = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Noscript: true, atom.Template: true,
	atom.Iframe: true, atom.Object: true, atom.Svg: true, atom.Math: true,
	atom.Head: true, atom.Title: true, atom.Nav: true, atom.Form: true,
	atom.Button: true, atom.Select: true, atom.Textarea: true, atom.Canvas: true,
	atom.Audio: true, atom.Video: true,
}

// Text returns the plain text of an HTML fragment: markup, scripts, styles,
// navigation and forms removed, character references decoded, one line per
// block (paragraph, list entry, heading, table cell, <br>), spaces collapsed
// and empty lines dropped. A block whose text is all inside links (a list of
// other reports' headlines under "More articles", a "Source link") points
// elsewhere and is dropped too, unless nothing else has text. A fragment
// without block markup is taken as plain text whose line breaks are kept,
// as feeds often send plain text in HTML fields. The result is valid UTF-8
// and Text of it returns it unchanged.
func Text(fragment string) string {
	if fragment == "" {
		return ""
	}
	if !utf8.ValidString(fragment) {
		fragment = strings.ToValidUTF8(fragment, "\uFFFD")
	}
	if !strings.ContainsAny(fragment, "<&\r") {
		// Plain text, which many feeds send as a summary: the tokenizer
		// would return it as it is.
		return finish(fragment)
	}
	// One pass: line breaks inside text are written as they are and
	// remembered, and become spaces at the end if a block tag turned up.
	buf := make([]byte, 0, len(fragment))
	var breaks []int // where text put a line break in buf
	block := false   // the fragment has a tag that ends a line
	skip := 0
	// Blocks whose text is all link text: where the current block began
	// in buf, whether it has text inside links and outside them, and the
	// spans of the blocks with text inside links only.
	link, lineStart := 0, 0
	linked, own, anyOwn := false, false, false
	var linkOnly [][2]int
	endLine := func() {
		if linked && !own {
			linkOnly = append(linkOnly, [2]int{lineStart, len(buf)})
		}
		lineStart, linked, own = len(buf), false, false
	}
	z := xhtml.NewTokenizer(strings.NewReader(fragment))
	for {
		tt := z.Next()
		switch tt {
		case xhtml.ErrorToken:
			if block {
				for _, i := range breaks {
					buf[i] = ' '
				}
				endLine()
				if anyOwn {
					for _, span := range linkOnly {
						for i := span[0]; i < span[1]; i++ {
							if buf[i] != '\n' {
								buf[i] = ' '
							}
						}
					}
				}
			}
			return finish(string(buf))
		case xhtml.TextToken:
			if skip > 0 {
				continue
			}
			t := z.Text()
			for i, c := range t {
				if c == '\n' {
					breaks = append(breaks, len(buf)+i)
				}
			}
			if len(bytes.TrimSpace(t)) > 0 {
				if link > 0 {
					linked = true
				} else {
					own, anyOwn = true, true
				}
			}
			buf = append(buf, t...)
		case xhtml.StartTagToken, xhtml.SelfClosingTagToken, xhtml.EndTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			if a == atom.A && tt != xhtml.SelfClosingTagToken {
				if tt == xhtml.StartTagToken {
					link++
				} else if link > 0 {
					link--
				}
			}
			if blockTags[a] {
				block = true
				endLine()
			}
			if skipTags[a] && tt != xhtml.SelfClosingTagToken {
				if tt == xhtml.StartTagToken {
					skip++
				} else if skip > 0 {
					skip--
				}
				buf = append(buf, ' ')
				continue
			}
			if blockTags[a] || a == atom.Img {
				buf = append(buf, '\n')
			} else {
				// Inline elements still separate words written without spaces
				// between tags.
				buf = append(buf, ' ')
			}
		}
	}
}

// finish trims and collapses every line, drops empty ones and makes the text
// inert as HTML, so that Text of the result is the result.
func finish(s string) string {
	out := make([]byte, 0, len(s))
	for line := range strings.SplitSeq(s, "\n") {
		sep := len(out)
		if sep > 0 {
			out = append(out, '\n')
		}
		at := len(out)
		if out = appendCollapsed(out, line); len(out) == at {
			out = out[:sep] // an empty line is dropped
			continue
		}
		if l := out[at:]; bytes.ContainsAny(l, "<&") {
			out = append(out[:at], inert(string(l))...)
		}
	}
	return string(out)
}

// appendCollapsed appends s to b with its control characters removed and
// every run of white space turned into one space, trimmed at both ends.
func appendCollapsed(b []byte, s string) []byte {
	start := len(b)
	space := false // white space seen since the last character kept
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			switch {
			case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
				space = len(b) > start
				continue
			case c < 0x20 || c == 0x7f:
				continue
			}
			if space {
				b = append(b, ' ')
				space = false
			}
			b = append(b, c)
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		switch {
		case unicode.IsSpace(r):
			space = len(b) > start
			continue
		case unicode.IsControl(r) || r == '\ufeff' || r == '\u200b':
			continue
		}
		if space {
			b = append(b, ' ')
			space = false
		}
		b = utf8.AppendRune(b, r)
	}
	return b
}

// inert replaces the few characters that would read as markup if the text
// were parsed as HTML again: a "<" that opens a tag and an "&" that starts a
// character reference become their full-width look-alikes.
func inert(s string) string {
	if !strings.ContainsAny(s, "<&") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '<' && i+1 < len(s) && opensTag(s[i+1]):
			b.WriteString("\uFF1C")
		case c == '&' && isReference(s[i:]):
			b.WriteString("\uFF06")
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func opensTag(c byte) bool {
	return c == '/' || c == '!' || c == '?' || c < utf8.RuneSelf && unicode.IsLetter(rune(c))
}

// isReference reports whether s, which starts with "&", would be decoded as
// a character reference.
func isReference(s string) bool {
	end := 1
	for end < len(s) && end < 40 {
		c := s[end]
		if c == ';' {
			end++
			break
		}
		if !(c == '#' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			break
		}
		end++
	}
	return end > 1 && xhtml.UnescapeString(s[:end]) != s[:end]
}

// Lines splits text returned by Text into its lines.
func Lines(text string) []string {
	if text == "" {
		return nil
	}
	return strings.Split(text, "\n")
}
