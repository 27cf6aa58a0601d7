package parse

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strings"
)

// truncateToLastEntry cuts an XML feed that failed to parse before the
// damage and closes the elements still open there, so that what comes
// before it can still be read. The cut falls before the start tag of the
// item or entry that holds the damage, so that none of it is kept, else
// just before the markup or text the XML reader could not read. It
// returns nil when nothing can be kept.
//
// Where the reader finds no damage (the feed parser refused the document
// for what it holds, not for its syntax), the cut falls after the last
// complete item or entry that ends before the line perr names (else after
// the last complete tag).
func truncateToLastEntry(b []byte, perr error) []byte {
	if !startsLikeXML(b) {
		return nil
	}
	if at, ok := damageAt(b); ok {
		if len(bytes.TrimSpace(b[:at])) == 0 {
			return nil
		}
		return closeElements(b[:at])
	}
	limit := len(b)
	var se *xml.SyntaxError
	if errors.As(perr, &se) && se.Line > 0 {
		limit = lineOffset(b, se.Line+1)
	}
	prefix := b[:limit]
	end := -1
	for _, closer := range [][]byte{[]byte("</item>"), []byte("</entry>"), []byte("</rss:item>"), []byte("</atom:entry>")} {
		if i := bytes.LastIndex(prefix, closer); i >= 0 && i+len(closer) > end {
			end = i + len(closer)
		}
	}
	if end < 0 {
		// No complete item: keep the feed's own elements up to the last
		// complete tag, as in a document whose final end tag is cut off.
		// Never keep part of an item.
		for _, opener := range []string{"<item", "<entry", "<rss:item", "<atom:entry"} {
			if i := bytes.Index(prefix, []byte(opener)); i >= 0 && i+len(opener) < len(prefix) {
				if c := prefix[i+len(opener)]; c == '>' || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '/' {
					prefix = prefix[:i]
				}
			}
		}
		end = bytes.LastIndexByte(prefix, '>') + 1
		if end <= 0 {
			return nil
		}
	}
	return closeElements(b[:end])
}

// damageAt reads b with the XML decoder the feed parser uses and returns
// the offset to cut b at, before the damage that stops the decoder: the
// start of the outermost item or entry open there, else the start of the
// token the decoder failed to read. The syntax error the decoder reports
// names a line only, and a generated feed is often a single line; and the
// decoder may notice damage only well after it begins (an unterminated
// CDATA section at the end of the document), so the cut is made where the
// token that fails begins. It reports false when the decoder reads b to
// its end.
func damageAt(b []byte) (int, bool) {
	d := feedDecoder(b)
	var open []int // offset of the start tag of each open element, outermost first
	item := -1     // index in open of the outermost item or entry, or -1
	for {
		at := int(d.InputOffset())
		tok, err := d.Token()
		if err == io.EOF {
			return 0, false
		}
		if err != nil {
			if item >= 0 {
				return open[item], true
			}
			return at, true
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if item < 0 && (strings.EqualFold(t.Name.Local, "item") || strings.EqualFold(t.Name.Local, "entry")) {
				item = len(open)
			}
			open = append(open, at)
		case xml.EndElement:
			if n := len(open); n > 0 {
				open = open[:n-1]
			}
			if item >= len(open) {
				item = -1
			}
		}
	}
}

// closeElements returns a copy of the start of a document, b, with an end
// tag for each element left open at its end.
func closeElements(b []byte) []byte {
	open := openElements(b)
	out := make([]byte, 0, len(b)+64)
	out = append(out, b...)
	for _, name := range open {
		out = append(out, "</"...)
		out = append(out, name...)
		out = append(out, '>')
	}
	return out
}

// lineOffset returns the offset just past line n-1 (the start of line n), or
// len(b).
func lineOffset(b []byte, n int) int {
	off := 0
	for line := 1; line < n; line++ {
		i := bytes.IndexByte(b[off:], '\n')
		if i < 0 {
			return len(b)
		}
		off += i + 1
	}
	return off
}

// openElements returns the qualified names of the elements left open at the
// end of b, innermost first.
func openElements(b []byte) []string {
	d := feedDecoder(b)
	var stack []string
	for {
		tok, err := d.RawToken()
		if err != nil {
			break
		}
		switch t := tok.(type) {
		case xml.StartElement:
			name := t.Name.Local
			if t.Name.Space != "" {
				name = t.Name.Space + ":" + name
			}
			stack = append(stack, name)
		case xml.EndElement:
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		}
	}
	for i, j := 0, len(stack)-1; i < j; i, j = i+1, j-1 {
		stack[i], stack[j] = stack[j], stack[i]
	}
	return stack
}

// endsEarly reports whether the XML document b ends before its root element
// does: its last bytes are not the root's end tag. A document damaged
// midway still ends with it (a CDATA section or a quote left open swallows
// the rest of the document, its end tag included); one whose bytes stopped
// coming, wherever that was, does not. Comments and processing
// instructions after the root's end tag, which page caches append to what
// they serve, are passed over.
func endsEarly(b []byte) bool {
	root := rootName(b)
	if root == "" {
		return false
	}
	end := bytes.TrimRight(b, " \t\r\n")
	for {
		var open int // where the comment or instruction that end ends with starts
		switch {
		case bytes.HasSuffix(end, []byte("-->")):
			open = bytes.LastIndex(end, []byte("<!--"))
		case bytes.HasSuffix(end, []byte("?>")):
			open = bytes.LastIndex(end, []byte("<?"))
		default:
			open = -1
		}
		if open < 0 {
			break
		}
		end = bytes.TrimRight(end[:open], " \t\r\n")
	}
	if !bytes.HasSuffix(end, []byte(">")) {
		return true
	}
	i := bytes.LastIndex(end, []byte("</"))
	if i < 0 {
		return true
	}
	name := bytes.TrimRight(end[i+2:len(end)-1], " \t\r\n")
	return string(name) != root
}

// rootName returns the name of the root element of the XML document b, as
// written (with its prefix), or "".
func rootName(b []byte) string {
	for {
		i := bytes.IndexByte(b, '<')
		if i < 0 || i+1 >= len(b) {
			return ""
		}
		b = b[i+1:]
		var skip int // bytes of a declaration, comment or DOCTYPE to pass over
		switch {
		case b[0] == '?':
			skip = bytes.Index(b, []byte("?>"))
		case bytes.HasPrefix(b, []byte("!--")):
			skip = bytes.Index(b, []byte("-->"))
		case b[0] == '!':
			skip = declarationEnd(b)
		default:
			end := bytes.IndexAny(b, " \t\r\n/>")
			if end <= 0 {
				return ""
			}
			return string(b[:end])
		}
		if skip < 0 {
			return ""
		}
		b = b[skip+1:]
	}
}

// declarationEnd returns the offset of the '>' that ends the declaration
// (a DOCTYPE) that b starts with, past the internal subset in brackets it
// may hold, or -1.
func declarationEnd(b []byte) int {
	depth := 0
	for i, c := range b {
		switch {
		case c == '[':
			depth++
		case c == ']':
			depth--
		case c == '>' && depth <= 0:
			return i
		}
	}
	return -1
}
