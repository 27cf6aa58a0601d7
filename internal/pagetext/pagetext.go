// Package pagetext reads what a web page or an error body says to a person,
// for an error to quote on terminals and web pages: the page's title, or a
// line of text, on one line and cut to a size.
package pagetext

import (
	"bytes"
	"strings"
	"unicode"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Title returns the title an HTML page gives in its head, its entities
// decoded, as Line gives it; or "" when b, which may be only the page's
// first bytes, has none before its body.
func Title(b []byte, max int) string {
	z := html.NewTokenizer(bytes.NewReader(b))
	var title strings.Builder
	in := false
	for title.Len() < 4*max {
		switch tt := z.Next(); tt {
		case html.ErrorToken:
			return ""
		case html.StartTagToken:
			name, _ := z.TagName()
			switch atom.Lookup(name) {
			case atom.Body:
				return ""
			case atom.Title:
				in = true
			}
		case html.EndTagToken:
			if name, _ := z.TagName(); in && atom.Lookup(name) == atom.Title {
				return Line(title.String(), max)
			}
		case html.TextToken:
			if in {
				title.Write(z.Text())
			}
		}
	}
	return Line(title.String(), max)
}

// Line returns s on one line: without control characters other than white
// space and bidirectional controls (which make the text after them read
// backwards),
// invalid UTF-8 dropped, each run of white space one space, and cut
// between words at max bytes, the cut marked with " …".
func Line(s string, max int) string {
	s = strings.Join(strings.Fields(strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return ' ' // a line break or a tab parts words
		}
		if unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) {
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, ""))), " ")
	if len(s) > max {
		cut := s[:max]
		if i := strings.LastIndexByte(cut, ' '); i > 0 {
			cut = cut[:i]
		}
		s = strings.ToValidUTF8(strings.TrimSpace(cut), "") + " …"
	}
	return s
}
