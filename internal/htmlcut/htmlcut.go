// Package htmlcut cuts sanitised HTML to a size and keeps it well-formed:
// at a tag or between words, with an ellipsis, every element left open
// closed.
package htmlcut

import (
	"slices"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// Ellipsis ends HTML that was cut.
const Ellipsis = "…"

// Cut returns s, sanitised HTML, cut to max bytes: it ends at a tag or
// between words, with an ellipsis, and every element open there is closed,
// so that the result is still well-formed HTML. The end tags count within
// max, so that HTML nested deep, whose end tags would outweigh what it
// keeps, stays within max as other HTML does; the ellipsis alone may take
// it past max, by its three bytes. s is returned as it is when it is short
// enough.
func Cut(s string, max int) string {
	if len(s) <= max {
		return s
	}
	var (
		b      strings.Builder
		open   []string // elements open at the cut, outermost first
		ending int      // the bytes of their end tags
	)
	b.Grow(max + 64)
	z := html.NewTokenizer(strings.NewReader(s))
	z.SetMaxBuf(0)
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		raw := z.Raw()
		var name []byte
		if tt == html.StartTagToken || tt == html.EndTagToken {
			name, _ = z.TagName()
		}
		opens := tt == html.StartTagToken && !VoidElements[string(name)]
		closes := -1 // the open element an end tag closes
		if tt == html.EndTagToken {
			// Only the element it closes: one left open inside it
			// (<p><b>…</p>) is still closed at the cut.
			for i := len(open) - 1; i >= 0; i-- {
				if open[i] == string(name) {
					closes = i
					break
				}
			}
		}
		need := len(raw)
		switch {
		case opens:
			need += len("</>") + len(name)
		case closes >= 0:
			need -= len("</>") + len(name) // its end tag, counted already
		}
		if b.Len()+need+ending > max {
			if tt == html.TextToken {
				b.WriteString(cutText(raw, max-b.Len()-ending))
			}
			b.WriteString(Ellipsis)
			break
		}
		b.Write(raw)
		switch {
		case opens:
			open = append(open, string(name))
			ending += len("</>") + len(name)
		case closes >= 0:
			open = slices.Delete(open, closes, closes+1)
			ending -= len("</>") + len(name)
		}
	}
	for i := len(open) - 1; i >= 0; i-- {
		b.WriteString("</")
		b.WriteString(open[i])
		b.WriteString(">")
	}
	return b.String()
}

// cutText returns the words of raw, escaped HTML text, that fit in n bytes:
// it never ends inside a character reference, nor inside a character as a
// reader sees it (Boundary) in text without spaces.
func cutText(raw []byte, n int) string {
	if n <= 0 {
		return ""
	}
	if n > len(raw) {
		n = len(raw)
	}
	t := raw[:n]
	if i := strings.LastIndexAny(string(t), " \t\n\r"); i >= 0 {
		t = t[:i+1]
	}
	for len(t) > 0 {
		if r, size := utf8.DecodeLastRune(t); r != utf8.RuneError || size > 1 {
			break
		}
		t = t[:len(t)-1]
	}
	// The character a reader sees first, then the reference: a mark or a
	// skin tone after a reference ("&#x1F44B;🏽") belongs to the
	// character it writes, and backing before it ends inside the
	// reference.
	t = t[:Boundary(string(raw), len(t))]
	if amp := strings.LastIndexByte(string(t), '&'); amp >= 0 && !strings.Contains(string(t[amp:]), ";") {
		t = t[:amp]
	}
	return string(t)
}

// VoidElements are the HTML elements that have no end tag.
var VoidElements = map[string]bool{
	"area": true, "base": true, "br": true, "col": true, "embed": true,
	"hr": true, "img": true, "input": true, "link": true, "meta": true,
	"source": true, "track": true, "wbr": true,
}
