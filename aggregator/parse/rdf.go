package parse

import (
	"encoding/xml"
)

// rdfAbouts returns the rdf:about attribute of each <item> that is a child of
// the root of an RSS 1.0 document, in document order ("" for an item without
// one). gofeed does not map rdf:about, yet it is RSS 1.0's item identifier.
func rdfAbouts(b []byte) []string {
	d := feedDecoder(b)
	var out []string
	depth := 0
	for {
		tok, err := d.RawToken()
		if err != nil {
			// io.EOF, or damage that gofeed stepped over: the items
			// so far are all there is, and the caller compares counts.
			return out
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if depth == 2 && t.Name.Local == "item" {
				about := ""
				for _, a := range t.Attr {
					if a.Name.Local == "about" {
						about = a.Value
					}
				}
				out = append(out, about)
			}
		case xml.EndElement:
			depth--
		}
	}
}
