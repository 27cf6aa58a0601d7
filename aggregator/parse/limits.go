package parse

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"html"
	"strings"

	"golang.org/x/net/html/charset"
	"golang.org/x/sync/semaphore"
)

// The XML reader under gofeed does work that the size of a document does not
// bound. It reads extension elements by recursion, a stack frame per level,
// so that a document of a few megabytes nested a million deep overflows the
// goroutine stack: a fatal error, which no recover catches and which stops
// the daemon. And at every element it copies each namespace binding in
// scope, so that thousands of declarations over millions of empty elements
// take hours. Parse measures both before it hands the document over and
// refuses one past these limits, which no real feed comes near.
//
// It also keeps in memory every element of a namespace other than the
// feed's own (an extension, such as media:content) while it reads, about a
// kilobyte each with its attributes: a 10 MB feed of nothing but empty
// extension elements held 540 MB, one of elements each declaring a default
// namespace 425 MB, and one of 199,000 elements of three attributes took
// 330 MB to read. Real feeds carry a few dozen an item, counting their
// attributes: 532 in the largest news feed of the shared corpus, about
// 20,000 in a podcast of 500 richly tagged episodes.
//
// Elements of the feed's own namespace cost memory too, a few hundred
// bytes each: an Atom entry of 600,000 empty links (9.6 MB) held 216 MB.
// Real feeds have a few dozen an item: 500 items of rich Atom, xhtml
// content among them, stay under 100,000.
const (
	maxDepth      = 512     // elements open at once
	maxBindings   = 4 << 20 // namespace bindings in scope, summed over the elements
	maxExtensions = 50_000  // elements of namespaces other than the root's, and their attributes
	maxElements   = 250_000 // elements of every namespace
)

// The documents read at once hold their extension elements to readBudget,
// counted as maxExtensions counts them: a daemon reading eight documents
// near the limit at once would otherwise hold half a gigabyte. A document
// of more than heavyExtensions waits for room; the others, nearly every
// real feed, are read at once.
const (
	heavyExtensions = 2_000
	readBudget      = 2 * maxExtensions
)

var reading = semaphore.NewWeighted(readBudget)

// reserve waits until a document of n extension elements and attributes
// may be read, and returns the func that gives its room back.
func reserve(n int) (release func()) {
	if n <= heavyExtensions {
		return func() {}
	}
	w := int64(min(n, readBudget))
	reading.Acquire(context.Background(), w) //nolint:errcheck // without a deadline it only waits
	return func() { reading.Release(w) }
}

// ErrTooComplex is returned, wrapped, for an XML feed nested too deeply or
// declaring too many namespaces to be read in bounded time and memory.
var ErrTooComplex = errors.New("document too complex")

// xmlLimits are the limits fitXML holds a document to.
type xmlLimits struct {
	depth      int // elements open at once
	bindings   int // namespace bindings in scope, summed over the elements
	extensions int // elements of namespaces other than the root's
	elements   int // elements of every namespace
}

var defaultLimits = xmlLimits{depth: maxDepth, bindings: maxBindings, extensions: maxExtensions, elements: maxElements}

// fitXML returns the part of an XML feed that the feed parser is to read:
// b itself, or, when b holds more than maxItems items or entries, b cut
// before the first one past them with the elements still open there closed,
// so that a feed of a hundred thousand tiny items costs no more than one of
// maxItems; and what the scan of that part found (xmlShape): how many
// extension elements and attributes it has, or more, as reserve takes
// them, and its entries' own xml:lang, which gofeed does not read. It
// fails with an error wrapping ErrTooComplex when that part goes past lim. A document that is not an
// XML feed (JSON, an HTML page, anything else) comes back as it is.
func fitXML(b []byte, maxItems int, lim xmlLimits) ([]byte, xmlShape, error) {
	s := scanXML(b, maxItems, lim)
	if !s.feed {
		return b, xmlShape{}, nil
	}
	doc := b
	if s.cut >= 0 {
		doc = closeElements(b[:s.cut])
	}
	// The scan's count of attributes is an upper bound: the decoder's
	// exact count decides.
	if s.over || s.extensions > lim.extensions {
		if err := checkXML(doc, lim); err != nil {
			return nil, xmlShape{}, err
		}
	}
	if s.elements > lim.elements {
		return nil, xmlShape{}, fmt.Errorf("%w: more than %d elements", ErrTooComplex, lim.elements)
	}
	return doc, s, nil
}

// xmlShape is what scanXML learns of a document.
type xmlShape struct {
	feed bool // it is XML whose root is rss, rdf or feed, as gofeed detects feeds
	cut  int  // offset of the start tag of the first item past maxItems, or -1
	// over is set when the document, before cut, may go past the limits.
	over bool
	// extensions counts the start tags before cut that have a prefix or
	// that a default namespace declared below the root applies to, each
	// with its attributes: the decoder's elements of other namespaces than
	// the root's are among them (once the scan is over the limits, only
	// those with a prefix), and it counts no fewer attributes.
	extensions int
	// elements counts the start tags before cut, as many as the decoder
	// reads.
	elements int
	// langs holds the xml:lang of each entry before cut, in order, but
	// for an entry inside another (gofeed reads the feed's xml:lang, not
	// an entry's), or nil when no entry has one.
	langs []entryLang
}

// scanXML reads the markup of b without decoding it. Its counts are never
// below those of the XML decoder gofeed uses: it sees every start tag the
// decoder sees, skipping comments, CDATA sections, processing instructions
// and declarations as the decoder does, and closes one element per end tag
// where the decoder, which is not strict, closes every element left open
// inside the one that ends. It may so find too much in a sloppy document,
// never too little; checkXML then counts exactly.
func scanXML(b []byte, maxItems int, lim xmlLimits) xmlShape {
	s := xmlShape{cut: -1}
	if !startsLikeXML(b) {
		return s
	}
	var open []int     // namespace declarations on each open element
	var foreign []bool // whether a default namespace declared below the root applies to each
	inScope, bindings, items := 0, 0, 0
	root := true
	inEntry, said := false, false // an entry is open; one has its own xml:lang
	for i := 0; i < len(b); {
		j := bytes.IndexByte(b[i:], '<')
		if j < 0 {
			break
		}
		i += j
		if end, ok := skipUnread(b, i); ok {
			i = end
			continue
		}
		switch {
		case hasPrefixAt(b, i, "</"):
			if n := len(open); n > 0 {
				inScope -= open[n-1]
				open, foreign = open[:n-1], foreign[:n-1]
			}
			if isEntry(tagName(b[i+2:])) {
				inEntry = false
			}
			i = after(b, i+2, ">")
		default:
			name := tagName(b[i+1:])
			isRoot := root
			if root {
				root = false
				if !isLocal(name, "rss") && !isLocal(name, "rdf") && !isLocal(name, "feed") {
					return s
				}
				s.feed = true
			}
			if isLocal(name, "item") || isLocal(name, "entry") {
				if items++; items > maxItems {
					s.cut = i
					return s.withLangs(said)
				}
			}
			end, decls, attrs, dflt, empty := startTag(b, i+1+len(name))
			if !inEntry && isEntry(name) {
				lang, ok := attrValue(b[i+1+len(name):end], "xml:lang")
				s.langs = append(s.langs, entryLang{tag: lang, said: ok})
				said = said || ok
				inEntry = !empty
			}
			i = end
			s.elements++
			inForeign := dflt && !isRoot || len(foreign) > 0 && foreign[len(foreign)-1]
			if inForeign || bytes.IndexByte(name, ':') > 0 {
				s.extensions += 1 + attrs
			}
			if s.over {
				continue
			}
			inScope += decls
			bindings += inScope
			if len(open)+1 > lim.depth || bindings > lim.bindings {
				s.over, open, foreign = true, nil, nil
				continue
			}
			if empty {
				inScope -= decls
			} else {
				open = append(open, decls)
				foreign = append(foreign, inForeign)
			}
		}
	}
	return s.withLangs(said)
}

// isEntry reports whether an element's name is an Atom entry's, "entry"
// under any prefix or none, as gofeed reads it.
func isEntry(name []byte) bool {
	return string(name) == "entry" || bytes.HasSuffix(name, []byte(":entry"))
}

// withLangs returns s without its entries' languages when none said one.
func (s xmlShape) withLangs(said bool) xmlShape {
	if !said {
		s.langs = nil
	}
	return s
}

// attrValue returns the value of the attribute name in the attributes of
// a start tag, from after its element's name to its end, and whether the
// tag has it. It reads them as the decoder does, a value quoted or not;
// the references in a value ("&amp;") are read as HTML's.
func attrValue(tag []byte, name string) (string, bool) {
	for k := 0; k < len(tag); {
		for k < len(tag) && (isXMLSpace(tag[k]) || tag[k] == '/' || tag[k] == '>') {
			k++
		}
		start := k
		for k < len(tag) && !isXMLSpace(tag[k]) && tag[k] != '=' && tag[k] != '>' && tag[k] != '/' {
			k++
		}
		attr := tag[start:k]
		for k < len(tag) && isXMLSpace(tag[k]) {
			k++
		}
		var value []byte
		if k < len(tag) && tag[k] == '=' {
			for k++; k < len(tag) && isXMLSpace(tag[k]); k++ {
			}
			if k < len(tag) && (tag[k] == '"' || tag[k] == '\'') {
				q := bytes.IndexByte(tag[k+1:], tag[k])
				if q < 0 {
					return "", false
				}
				value, k = tag[k+1:k+1+q], k+q+2
			} else {
				v := k
				for k < len(tag) && !isXMLSpace(tag[k]) && tag[k] != '>' {
					k++
				}
				value = tag[v:k]
			}
		}
		if string(attr) == name {
			return html.UnescapeString(string(value)), true
		}
		if k == start {
			k++ // a byte that starts no attribute
		}
	}
	return "", false
}

// skipUnread returns the offset past the comment, CDATA section,
// declaration or processing instruction that starts at b[i], and true; or
// false when none does. The decoder reads no markup and no reference in
// them; a declaration's quoted values (a DOCTYPE's) may hold "<!--" that
// opens no comment.
func skipUnread(b []byte, i int) (int, bool) {
	switch {
	case hasPrefixAt(b, i, "<!--"):
		return after(b, i+4, "-->"), true
	case hasPrefixAt(b, i, "<![CDATA["):
		return after(b, i+9, "]]>"), true
	case hasPrefixAt(b, i, "<!"):
		return afterDeclaration(b, i+2), true
	case hasPrefixAt(b, i, "<?"):
		return after(b, i+2, "?>"), true
	}
	return i, false
}

// startsLikeXML reports whether gofeed would read b as XML: whether its
// first byte that is not white space or part of a byte-order mark is '<'.
func startsLikeXML(b []byte) bool { return firstByte(b) == '<' }

// firstByte returns the first byte of b that is not white space or part of
// a byte-order mark, as gofeed finds it to tell XML from JSON, or 0.
func firstByte(b []byte) byte {
	for _, c := range b {
		switch c {
		case ' ', '\r', '\n', '\t', 0xFE, 0xFF, 0x00, 0xEF, 0xBB, 0xBF:
			continue
		}
		return c
	}
	return 0
}

// fitJSON returns b, or, when b is a JSON Feed whose items array holds
// more than maxItems items, b cut after the last of them with the array
// and the feed closed, as fitXML cuts an XML feed. Members of the feed
// after its items go with the rest.
func fitJSON(b []byte, maxItems int) []byte {
	if firstByte(b) != '{' {
		return b
	}
	d := json.NewDecoder(bytes.NewReader(b))
	if tok, err := d.Token(); err != nil || tok != json.Delim('{') {
		return b
	}
	var skip json.RawMessage
	for d.More() {
		key, err := d.Token()
		if err != nil {
			return b
		}
		if k, _ := key.(string); !strings.EqualFold(k, "items") { // gofeed's decoder ignores case
			if d.Decode(&skip) != nil {
				return b
			}
			continue
		}
		if tok, err := d.Token(); err != nil || tok != json.Delim('[') {
			return b
		}
		for range maxItems {
			if !d.More() || d.Decode(&skip) != nil {
				return b
			}
		}
		if !d.More() {
			return b
		}
		end := d.InputOffset()
		out := make([]byte, 0, end+2)
		out = append(out, b[:end]...)
		return append(out, "]}"...)
	}
	return b
}

func hasPrefixAt(b []byte, i int, prefix string) bool {
	return i <= len(b) && bytes.HasPrefix(b[i:], []byte(prefix))
}

// after returns the offset just past the first s in b from offset from, or
// len(b).
func after(b []byte, from int, s string) int {
	if from > len(b) {
		return len(b)
	}
	if k := bytes.Index(b[from:], []byte(s)); k >= 0 {
		return from + k + len(s)
	}
	return len(b)
}

// afterDeclaration returns the offset just past a declaration such as
// <!DOCTYPE …> whose first byte after "<!" is at k, ending it where the XML
// decoder does: at a '>' outside quotes that closes the first '<', with
// nested angle brackets counted and comments skipped.
func afterDeclaration(b []byte, k int) int {
	var quote byte
	depth := 0
	// The decoder takes the first byte as it is.
	for k++; k < len(b); k++ {
		c := b[k]
		if quote == 0 && c == '>' && depth == 0 {
			return k + 1
		}
		switch {
		case c == quote:
			quote = 0
		case quote != 0:
		case c == '\'' || c == '"':
			quote = c
		case c == '>':
			depth--
		case c == '<':
			if hasPrefixAt(b, k+1, "!--") {
				k = after(b, k+4, "-->") - 1
			} else {
				depth++
			}
		}
	}
	return len(b)
}

// tagName returns the name at the start of b, up to white space, '/' or '>'.
func tagName(b []byte) []byte {
	for i, c := range b {
		switch c {
		case ' ', '\t', '\r', '\n', '/', '>':
			return b[:i]
		}
	}
	return b
}

// isLocal reports whether the local part of a qualified name (after any
// prefix) is local, in any case.
func isLocal(name []byte, local string) bool {
	if i := bytes.LastIndexByte(name, ':'); i >= 0 {
		name = name[i+1:]
	}
	return bytes.EqualFold(name, []byte(local))
}

// startTag reads the attributes of a start tag from b[k] to its '>': it
// returns the offset past the tag, how many attributes may declare a
// namespace (xmlns, xmlns:p), no fewer than the attributes the decoder
// finds (an '=' or a run of white space before each: the decoder, which is
// not strict, takes a name without a value for an attribute too), whether
// one may declare the default namespace (xmlns), and whether the tag
// closes itself (<a/>). Quoted values are skipped whole, as the decoder
// reads them; a quote anywhere else is an error at which the decoder stops.
func startTag(b []byte, k int) (end, decls, attrs int, dflt, empty bool) {
	for k < len(b) {
		switch c := b[k]; {
		case c == '>':
			return k + 1, decls, attrs, dflt, b[k-1] == '/'
		case c == '=':
			attrs++
			for k++; k < len(b) && isXMLSpace(b[k]); k++ {
			}
			if k < len(b) && (b[k] == '"' || b[k] == '\'') {
				q := bytes.IndexByte(b[k+1:], b[k])
				if q < 0 {
					return len(b), decls, attrs, dflt, false
				}
				k += q + 2
			}
			continue
		case isXMLSpace(c):
			if !isXMLSpace(b[k-1]) {
				attrs++
			}
		case c == 'x':
			// An attribute name follows white space or, without any, a
			// quoted value.
			if prev := b[k-1]; (isXMLSpace(prev) || prev == '"' || prev == '\'') && hasPrefixAt(b, k, "xmlns") &&
				(k+5 == len(b) || !isNameByte(b[k+5]) || b[k+5] == ':') {
				decls++
				dflt = dflt || k+5 == len(b) || b[k+5] != ':'
			}
		}
		k++
	}
	return len(b), decls, attrs, dflt, false
}

func isXMLSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// isNameByte reports whether c continues an XML name: an ASCII letter,
// digit, '_', '-', '.' or ':', or any byte of a character beyond ASCII.
func isNameByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '_' || c == '-' || c == '.' || c == ':' || c >= 0x80
}

// feedDecoder returns an XML decoder of b that reads it as gofeed's does:
// not strict (unclosed elements, unquoted attributes, HTML entities pass),
// and in whatever charset its declaration names.
func feedDecoder(b []byte) *xml.Decoder {
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = false
	d.CharsetReader = charset.NewReaderLabel
	return d
}

// checkXML reads doc with the decoder gofeed uses and fails, with an error
// wrapping ErrTooComplex, as soon as doc goes past lim. Damage that stops
// the decoder is left for the feed parser to find and report.
func checkXML(doc []byte, lim xmlLimits) error {
	d := feedDecoder(doc)
	var open []int // namespace declarations on each open element
	inScope, bindings, extensions := 0, 0, 0
	// Elements of the root's namespace and of the default one it declares
	// are the feed's own (RSS 1.0's are in both); others are extensions.
	seenRoot := false
	var rootSpace, rootDefault string
	for {
		tok, err := d.Token()
		if err != nil {
			return nil
		}
		switch t := tok.(type) {
		case xml.StartElement:
			n := 0
			for _, a := range t.Attr {
				if a.Name.Space == "xmlns" || a.Name.Space == "" && a.Name.Local == "xmlns" {
					n++
				}
			}
			open = append(open, n)
			inScope += n
			bindings += inScope
			if !seenRoot {
				seenRoot, rootSpace = true, t.Name.Space
				for _, a := range t.Attr {
					if a.Name.Space == "" && a.Name.Local == "xmlns" {
						rootDefault = a.Value
					}
				}
			} else if sp := t.Name.Space; sp != "" && sp != rootSpace && sp != rootDefault {
				if extensions += 1 + len(t.Attr); extensions > lim.extensions {
					return fmt.Errorf("%w: %s", ErrTooComplex, tooManyExtensions(lim))
				}
			}
			if len(open) > lim.depth {
				return fmt.Errorf("%w: elements nested more than %d deep", ErrTooComplex, lim.depth)
			}
			if bindings > lim.bindings {
				return fmt.Errorf("%w: more than %d namespace bindings in scope, summed over its elements", ErrTooComplex, lim.bindings)
			}
		case xml.EndElement:
			if n := len(open); n > 0 {
				inScope -= open[n-1]
				open = open[:n-1]
			}
		}
	}
}

// tooManyExtensions says how a document goes past lim.extensions.
func tooManyExtensions(lim xmlLimits) string {
	return fmt.Sprintf("more than %d elements of other namespaces than the feed's, counted with their attributes", lim.extensions)
}
