package parse

import (
	"bytes"
	"encoding/base64"
	"regexp"
	"strings"
	"unicode/utf8"
)

// base64Start matches the start tag of an Atom 0.3 text construct whose
// content is in mode="base64": its name, the attributes before the mode
// and those after it.
var base64Start = regexp.MustCompile(`(?i)<((?:[a-z_][\w.-]*:)?(?:title|subtitle|tagline|summary|content|info|copyright|rights))(\s[^<>]*?)?\s+mode\s*=\s*["']\s*base64\s*["']([^<>]*?)>`)

// decodeBase64Text rewrites, in an Atom 0.3 document, each title, summary, content (and the
// feed's text constructs) in mode="base64" as the decoded text in a CDATA
// section, without the mode, so that the parser reads it as its type says:
// HTML for text/html, text for text/plain. gofeed decodes base64 only
// when the type is no text type, and would otherwise show the encoded
// letters. A text that does not decode to UTF-8 is left as it is. The
// decoded text is shorter than the encoded one, so the document does not
// grow.
func decodeBase64Text(doc []byte) []byte {
	if !bytes.Contains(doc, []byte("purl.org/atom/ns#")) ||
		!bytes.Contains(doc, []byte("ase64")) && !bytes.Contains(doc, []byte("ASE64")) {
		return doc
	}
	var out []byte
	last := 0
	cdataEnd := 0 // where the last CDATA section seen ends
	for _, m := range base64Start.FindAllSubmatchIndex(doc, -1) {
		if m[0] < last || m[0] < cdataEnd {
			continue
		}
		// A tag inside a CDATA section is text: it is left alone.
		for cdataEnd < m[0] {
			i := bytes.Index(doc[cdataEnd:m[0]], []byte("<![CDATA["))
			if i < 0 {
				break
			}
			e := bytes.Index(doc[cdataEnd+i:], []byte("]]>"))
			if e < 0 {
				cdataEnd = len(doc)
				break
			}
			cdataEnd += i + e + len("]]>")
		}
		if m[0] < cdataEnd {
			continue
		}
		name := doc[m[2]:m[3]]
		end := bytes.Index(doc[m[1]:], append([]byte("</"), name...))
		if end < 0 {
			continue
		}
		text := doc[m[1] : m[1]+end]
		if bytes.IndexByte(text, '<') >= 0 {
			continue
		}
		decoded, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(string(text)), ""))
		if err != nil || !utf8.Valid(decoded) {
			continue
		}
		if out == nil {
			out = make([]byte, 0, len(doc))
		}
		out = append(out, doc[last:m[0]]...)
		out = append(out, '<')
		out = append(out, name...)
		if m[4] >= 0 {
			out = append(out, doc[m[4]:m[5]]...)
		}
		out = append(out, doc[m[6]:m[7]]...)
		out = append(out, "><![CDATA["...)
		out = append(out, bytes.ReplaceAll(decoded, []byte("]]>"), []byte("]]]]><![CDATA[>"))...)
		out = append(out, "]]>"...)
		last = m[1] + end
	}
	if out == nil {
		return doc
	}
	return append(out, doc[last:]...)
}
