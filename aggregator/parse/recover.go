package parse

import (
	"bytes"
	"encoding/xml"
	"errors"
)

// truncateToLastEntry cuts an XML feed that failed to parse after the last
// complete item or entry that ends before the error (else after the last
// complete tag), and closes the elements still open there, so that what
// comes before the damage can still be read. It returns nil when nothing
// can be kept.
func truncateToLastEntry(b []byte, perr error) []byte {
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
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = false
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
