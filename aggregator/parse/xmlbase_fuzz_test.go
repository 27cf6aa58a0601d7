package parse

import (
	"encoding/xml"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// FuzzXMLBase reads documents for their xml:base: itemBases gives only
// absolute http(s) bases, and folderBases changes nothing of a document but
// the values of its xml:base attributes, which it writes as folders.
func FuzzXMLBase(f *testing.F) {
	for _, s := range []string{
		`<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://site.example/wp-atom.php"><entry xml:base="2024/"><content type="html" xml:base="../img/">&lt;img src="a.png"&gt;</content></entry></feed>`,
		`<rss version="2.0" xml:base="/news/"><channel><item xml:base="x/y.html"><description xml:base="#f">d</description><enclosure url="a.mp3"/></item></channel></rss>`,
		`<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"><channel/><item xml:base="//cdn.example/a/b"><title>t</title></item></rdf:RDF>`,
		`<feed xml:base='javascript:alert(1)'><entry xml:base = "?q"/><entry xml:base="../../.."/><entry xml:base=""/></feed>`,
		`<feed><entry title="xml:base='/wrong/'" xml:base="/right/"/></feed>`,
		`<?xml version="1.0" encoding="ISO-8859-1"?><feed><title>Caf` + "\xe9" + `</title><entry xml:base="a/b"/><entry xml:base="c/d"/></feed>`,
		`<feed xml:base="http://h/%2Fa/b"><entry xml:base="é ü/"/></feed>`,
	} {
		f.Add([]byte(s))
	}
	docURL, _ := url.Parse("https://feeds.example/f/feed.xml")
	f.Fuzz(func(t *testing.T, doc []byte) {
		for _, b := range itemBases(doc, docURL) {
			for _, u := range []*url.URL{b.item, b.summary, b.content} {
				if u != nil && (u.Scheme != "http" && u.Scheme != "https" || u.Host == "") {
					t.Fatalf("itemBases(%q): base %q is not absolute http(s)", doc, u)
				}
			}
		}
		out := folderBases(doc, docURL)
		if string(out) == string(doc) {
			return
		}
		a, was := tokensButBases(doc)
		b, bases := tokensButBases(out)
		if !slices.Equal(a, b) {
			t.Fatalf("folderBases(%q) = %q: its elements and text\n%q\nwere\n%q", doc, out, b, a)
		}
		for i, v := range bases {
			if v == was[i] {
				continue // one it could not write, or the folder itself
			}
			if u, err := url.Parse(v); v != "" && (err != nil || u.Scheme != "http" && u.Scheme != "https" || u.Host == "" || !strings.HasSuffix(u.Path, "/")) {
				t.Fatalf("folderBases(%q) = %q: xml:base %q is no folder", doc, out, v)
			}
		}
	})
}

// tokensButBases returns the tokens of doc as the feed decoder reads them, with
// the values of xml:base left out, and those values.
func tokensButBases(doc []byte) (out, bases []string) {
	d := feedDecoder(doc)
	for {
		tok, err := d.Token()
		if err != nil {
			return append(out, "error"), bases
		}
		if s, ok := tok.(xml.StartElement); ok {
			s = s.Copy()
			for i, a := range s.Attr {
				if a.Name.Local == "base" && (a.Name.Space == xmlNS || a.Name.Space == "xml") {
					bases = append(bases, a.Value)
					s.Attr[i].Value = ""
				}
			}
			tok = s
		}
		b, _ := xml.Marshal(tok)
		out = append(out, string(b))
	}
}
