package aggregator

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// OPML is an OPML 2.0 document: Tributary reads other readers'
// subscriptions from it and writes its sources and topics as it.
type OPML struct {
	XMLName xml.Name      `xml:"opml"`
	Version string        `xml:"version,attr"`
	Title   string        `xml:"head>title"`
	Created string        `xml:"head>dateCreated,omitempty"`
	Docs    string        `xml:"head>docs,omitempty"`
	Body    []OPMLOutline `xml:"body>outline"`
}

// OPMLOutline is one outline: a feed (with an xmlUrl), or a folder of
// outlines.
type OPMLOutline struct {
	Text        string        `xml:"text,attr"`
	Title       string        `xml:"title,attr,omitempty"`
	Type        string        `xml:"type,attr,omitempty"`
	Description string        `xml:"description,attr,omitempty"`
	XMLURL      string        `xml:"xmlUrl,attr,omitempty"`
	HTMLURL     string        `xml:"htmlUrl,attr,omitempty"`
	Category    string        `xml:"category,attr,omitempty"`
	Outlines    []OPMLOutline `xml:"outline"`
}

// WriteTo writes the document as indented XML with its declaration.
func (d *OPML) WriteTo(w io.Writer) (int64, error) {
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(d); err != nil {
		return 0, fmt.Errorf("writing opml: %w", err)
	}
	buf.WriteByte('\n')
	return buf.WriteTo(w)
}

// OPMLFeed is one feed read from an OPML file.
type OPMLFeed struct {
	URL  string
	Name string
	Tags []string // the outline's categories and the folders it sits in
}

// ReadOPML reads the feeds of an OPML document (as other feed readers export
// their subscriptions), folders and categories becoming tags. Outlines
// without an xmlUrl are folders, not feeds.
func ReadOPML(r io.Reader) ([]OPMLFeed, error) {
	var doc OPML
	dec := xml.NewDecoder(io.LimitReader(r, 16<<20))
	dec.Strict = false
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("reading opml: %w", err)
	}
	var out []OPMLFeed
	var walk func(os []OPMLOutline, folders []string)
	walk = func(os []OPMLOutline, folders []string) {
		for _, o := range os {
			name := strings.TrimSpace(o.Title)
			if name == "" {
				name = strings.TrimSpace(o.Text)
			}
			if strings.TrimSpace(o.XMLURL) == "" {
				walk(o.Outlines, append(folders[:len(folders):len(folders)], tagOf(name)))
				continue
			}
			tags := append([]string(nil), folders...)
			for _, c := range strings.Split(o.Category, ",") {
				for _, part := range strings.Split(c, "/") {
					tags = append(tags, tagOf(part))
				}
			}
			out = append(out, OPMLFeed{URL: strings.TrimSpace(o.XMLURL), Name: name, Tags: dedupeTags(tags)})
			walk(o.Outlines, folders)
		}
	}
	walk(doc.Body, nil)
	return out, nil
}

func tagOf(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func dedupeTags(s []string) []string {
	seen := make(map[string]bool, len(s))
	var out []string
	for _, v := range s {
		if v != "" && !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// addOPMLSources appends the feeds of every file in c.OPML (paths relative
// to dir) to c.Sources. A feed already listed (same URL) is skipped, so a
// source can be tuned in the YAML and still be in the OPML file. Imported
// sources keep the OPML title as their name unless another source has it.
// It returns, for each source it appended, by its index in c.Sources, the
// index in c.OPML of the file it came from.
func (c *Config) addOPMLSources(dir string) (map[int]int, error) {
	from := make(map[int]int)
	have := make(map[string]bool, len(c.Sources))
	names := make(map[string]bool, len(c.Sources))
	for _, s := range c.Sources {
		have[s.URL] = true
		names[s.Name] = true
	}
	for j, path := range c.OPML {
		if !filepath.IsAbs(path) {
			path = filepath.Join(dir, path)
		}
		f, err := os.Open(path)
		if err != nil {
			return from, err
		}
		feeds, err := ReadOPML(f)
		f.Close()
		if err != nil {
			return from, fmt.Errorf("%s: %w", path, err)
		}
		for _, fd := range feeds {
			if have[fd.URL] {
				continue
			}
			have[fd.URL] = true
			name := fd.Name
			if names[name] {
				name = ""
			}
			names[name] = name != ""
			from[len(c.Sources)] = j
			c.Sources = append(c.Sources, SourceConfig{URL: fd.URL, Name: name, Tags: fd.Tags})
		}
	}
	return from, nil
}
