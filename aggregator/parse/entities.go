package parse

import (
	"bytes"
	"strings"
)

// A document may declare entities of its own in its DOCTYPE (<!DOCTYPE rss
// [<!ENTITY site "Harbour Gazette">]>) and use them in its text, which the
// XML decoder under gofeed does not read: "&site;" would stay as written.
// expandEntities expands them, within bounds that a document declaring
// entities of entities ("billion laughs") or one large entity used many
// times cannot get past: such a document is read with its references left
// as written, in the time and memory its size takes.
const (
	maxDeclaredEntities = 256     // entities read from one DOCTYPE; the rest are not
	maxEntityDepth      = 8       // entities within entities
	maxEntityText       = 8 << 10 // bytes of one entity's text, with those within it expanded
	maxEntityGrowth     = 1 << 20 // bytes the expansion adds to a document
)

// predefinedEntities are XML's own, which a DOCTYPE does not redefine.
var predefinedEntities = map[string]bool{"lt": true, "gt": true, "amp": true, "apos": true, "quot": true}

// expandEntities returns doc with the references to the entities its
// DOCTYPE's internal subset declares replaced by their text: the internal
// general entities whose text holds no markup (no "<"), with the entities
// they refer to expanded, and quotes written as references so that the
// text may stand in an attribute's value too. References in comments,
// CDATA sections and processing instructions, which no reader expands,
// are left; so are those to entities not declared there (HTML's, which
// the decoder reads). It returns doc itself when the document declares no
// such entity or goes past the bounds above. Only the prolog is read
// unless the DOCTYPE declares an entity.
func expandEntities(doc []byte) []byte {
	subset, end := internalSubset(doc)
	if !bytes.Contains(subset, []byte("<!ENTITY")) {
		return doc
	}
	raw := declaredEntities(subset)
	if len(raw) == 0 {
		return doc
	}
	e := &entityExpander{raw: raw, text: map[string]string{}, skip: map[string]bool{}, busy: map[string]bool{}, level: map[string]int{}}
	for name := range raw {
		if _, abort := e.expand(name); abort {
			return doc
		}
	}
	if len(e.text) == 0 {
		return doc
	}
	var out bytes.Buffer
	out.Grow(len(doc))
	out.Write(doc[:end])
	grown := 0
	for i := end; i < len(doc); {
		j := bytes.IndexAny(doc[i:], "<&")
		if j < 0 {
			out.Write(doc[i:])
			break
		}
		out.Write(doc[i : i+j])
		i += j
		if doc[i] == '<' {
			k := i + 1
			if next, ok := skipUnread(doc, i); ok {
				k = next
			}
			out.Write(doc[i:k])
			i = k
			continue
		}
		name, ok := entityRef(doc[i+1:])
		text, declared := e.text[name]
		if n, _ := charRef(doc[i:]); !ok && n == 0 {
			// An "&" that starts no reference, which the decoder reads as
			// itself, is written as a reference to itself: an entity
			// expanded right after it, to no text say ("&&a;", "&#&a;"),
			// would otherwise leave it to start a reference with what
			// follows ("&#&a;38;" would read "&"), or to end the
			// document.
			if grown += len("&amp;") - 1; grown > maxEntityGrowth {
				return doc
			}
			out.WriteString("&amp;")
			i++
			continue
		}
		if !ok || !declared {
			out.WriteByte('&')
			i++
			continue
		}
		if grown += len(text) - len(name) - 2; grown > maxEntityGrowth {
			return doc
		}
		out.WriteString(text)
		i += len(name) + 2
	}
	// An entity's text may refer to a character XML forbids, or end in
	// what makes such a reference with the text after it, which the XML
	// decoder refuses, failing the whole document: toUTF8 has removed the
	// others already.
	return dropForbiddenCharRefs(out.Bytes())
}

// internalSubset returns the internal subset of doc's DOCTYPE (what stands
// between its "[" and "]"), or nil, and the offset past the DOCTYPE. It
// reads the prolog alone: an XML declaration, comments, processing
// instructions and white space before the DOCTYPE.
func internalSubset(doc []byte) (subset []byte, end int) {
	i := 0
	for i < len(doc) {
		switch c := doc[i]; {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == 0xEF || c == 0xBB || c == 0xBF:
			i++
		case hasPrefixAt(doc, i, "<?"):
			i = after(doc, i+2, "?>")
		case hasPrefixAt(doc, i, "<!--"):
			i = after(doc, i+4, "-->")
		case hasPrefixAt(doc, i, "<!DOCTYPE"):
			end = afterDeclaration(doc, i+2)
			decl := doc[i:end]
			open := bytes.IndexByte(decl, '[')
			shut := bytes.LastIndexByte(decl, ']')
			if open < 0 || shut < open {
				return nil, end
			}
			return decl[open+1 : shut], end
		default:
			return nil, 0
		}
	}
	return nil, 0
}

// declaredEntities reads the internal general entities of a DOCTYPE's
// internal subset, name → literal text: the first declaration of a name
// counts, as XML has it; parameter entities, external entities and
// redefinitions of XML's own are passed over.
func declaredEntities(subset []byte) map[string]string {
	out := map[string]string{}
	for i := 0; i < len(subset); {
		j := bytes.IndexByte(subset[i:], '<')
		if j < 0 {
			break
		}
		i += j
		switch {
		case hasPrefixAt(subset, i, "<!--"):
			i = after(subset, i+4, "-->")
			continue
		case !hasPrefixAt(subset, i, "<!ENTITY"):
			if hasPrefixAt(subset, i, "<?") {
				i = after(subset, i+2, "?>")
			} else {
				i = afterDeclaration(subset, i+1)
			}
			continue
		}
		end := afterDeclaration(subset, i+2)
		if name, value, ok := entityDecl(subset[i+len("<!ENTITY") : end]); ok && !predefinedEntities[name] {
			if _, seen := out[name]; !seen {
				if len(out) == maxDeclaredEntities {
					break
				}
				out[name] = value
			}
		}
		i = end
	}
	return out
}

// entityDecl reads the rest of an internal general entity's declaration,
// ` name "text">`, or reports false.
func entityDecl(b []byte) (name, value string, ok bool) {
	s := strings.TrimSuffix(string(b), ">")
	if len(s) == 0 || !isXMLSpace(s[0]) {
		return "", "", false
	}
	s = strings.TrimLeft(s, " \t\r\n")
	k := 0
	for k < len(s) && isNameByte(s[k]) {
		k++
	}
	name, s = s[:k], strings.TrimLeft(s[k:], " \t\r\n")
	if name == "" || len(s) < 2 || (s[0] != '"' && s[0] != '\'') {
		return "", "", false // a parameter entity (%), an external one (SYSTEM, PUBLIC) or damage
	}
	q := strings.IndexByte(s[1:], s[0])
	if q < 0 || strings.TrimSpace(s[q+2:]) != "" {
		return "", "", false
	}
	return name, s[1 : q+1], true
}

// entityRef returns the name of the entity b starts with the reference
// to, after its "&" ("name;"), or false when it starts with none.
func entityRef(b []byte) (string, bool) {
	k := 0
	for k < len(b) && k <= 64 && isNameByte(b[k]) && b[k] != ':' {
		k++
	}
	if k == 0 || k >= len(b) || b[k] != ';' {
		return "", false
	}
	return string(b[:k]), true
}

// entityExpander expands declared entities once each.
type entityExpander struct {
	raw   map[string]string // name → literal text, as declared
	text  map[string]string // name → text with the entities within it expanded
	skip  map[string]bool   // entities left as written: their text holds markup
	busy  map[string]bool   // entities being expanded, to find one that holds itself
	level map[string]int    // how deep the entities within each go: 0 for none
}

// expand works out the text of entity name and reports whether it has one:
// not when it holds markup, directly or in an entity within it. It reports
// abort, and then nothing is to be expanded, when the entity holds itself
// or goes past maxEntityDepth or maxEntityText.
func (e *entityExpander) expand(name string) (ok, abort bool) {
	if _, done := e.text[name]; done {
		return true, false
	}
	if e.skip[name] {
		return false, false
	}
	if e.busy[name] {
		return false, true
	}
	raw := e.raw[name]
	if strings.Contains(raw, "<") {
		e.skip[name] = true
		return false, false
	}
	e.busy[name] = true
	defer delete(e.busy, name)
	var b strings.Builder
	for i := 0; i < len(raw); {
		j := strings.IndexByte(raw[i:], '&')
		if j < 0 {
			b.WriteString(raw[i:])
			break
		}
		b.WriteString(raw[i : i+j])
		i += j
		ref, isRef := entityRef([]byte(raw[i+1:]))
		if n, _ := charRef([]byte(raw[i:])); !isRef && n == 0 {
			// A bare "&", which XML does not allow here, stands for
			// itself: written as it is, it would take the text after
			// the reference into a reference, or end the document in
			// one the decoder refuses.
			b.WriteString("&amp;")
			i++
			continue
		}
		if _, declared := e.raw[ref]; !isRef || !declared {
			b.WriteByte('&')
			i++
			continue
		}
		if ok, abort := e.expand(ref); abort {
			return false, true
		} else if !ok {
			e.skip[name] = true
			return false, false
		}
		if e.level[name] = max(e.level[name], e.level[ref]+1); e.level[name] > maxEntityDepth {
			return false, true
		}
		if b.WriteString(e.text[ref]); b.Len() > maxEntityText {
			return false, true
		}
		i += len(ref) + 2
	}
	if b.Len() > maxEntityText {
		return false, true
	}
	e.text[name] = quoteEscaper.Replace(b.String())
	return true, false
}

// quoteEscaper writes quotes as references, so that an entity's text may
// stand in an attribute's value whichever quotes it is in.
var quoteEscaper = strings.NewReplacer(`"`, "&quot;", `'`, "&apos;")

// detectionPeek is how much of a document gofeed reads to tell its format:
// a document whose root element starts further in is "not a feed" to it.
const detectionPeek = 4096

// trimProlog returns doc, or, when its root element starts past
// detectionPeek, doc without what stands between its XML declaration and
// its root: comments, processing instructions and a DOCTYPE, which no
// reader of the feed needs once its entities are expanded (a DOCTYPE that
// declares every Latin-1 character runs to 7 KB, a licence in a comment
// to as much).
func trimProlog(doc []byte) []byte {
	declEnd, root := 0, -1
	for i := 0; i < len(doc) && root < 0; {
		switch c := doc[i]; {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == 0xEF || c == 0xBB || c == 0xBF:
			i++
		case hasPrefixAt(doc, i, "<?xml ") && declEnd == 0 && len(bytes.TrimSpace(doc[:i])) == 0:
			i = after(doc, i+2, "?>")
			declEnd = i
		case hasPrefixAt(doc, i, "<?"):
			i = after(doc, i+2, "?>")
		case hasPrefixAt(doc, i, "<!--"):
			i = after(doc, i+4, "-->")
		case hasPrefixAt(doc, i, "<!"):
			i = afterDeclaration(doc, i+2)
		case c == '<':
			root = i
		default:
			return doc
		}
	}
	if root <= detectionPeek {
		return doc
	}
	out := make([]byte, 0, declEnd+1+len(doc)-root)
	out = append(out, doc[:declEnd]...)
	out = append(out, '\n')
	return append(out, doc[root:]...)
}
