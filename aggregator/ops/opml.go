package ops

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
)

// OPML is an OPML 2.0 document.
type OPML struct {
	XMLName xml.Name  `xml:"opml"`
	Version string    `xml:"version,attr"`
	Title   string    `xml:"head>title"`
	Created string    `xml:"head>dateCreated,omitempty"`
	Body    []Outline `xml:"body>outline"`
}

// Outline is one OPML outline: a feed, or a folder of outlines.
type Outline struct {
	Text     string    `xml:"text,attr"`
	Title    string    `xml:"title,attr,omitempty"`
	Type     string    `xml:"type,attr,omitempty"`
	XMLURL   string    `xml:"xmlUrl,attr,omitempty"`
	HTMLURL  string    `xml:"htmlUrl,attr,omitempty"`
	Category string    `xml:"category,attr,omitempty"`
	Outlines []Outline `xml:"outline"`
}

// WriteSourcesOPML writes every configured source as an OPML 2.0 document,
// with its tags as OPML categories, so another reader can import them.
func WriteSourcesOPML(w io.Writer, cfg *aggregator.Config, states []aggregator.SourceState, now time.Time) error {
	byID := make(map[string]aggregator.SourceState, len(states))
	for _, s := range states {
		byID[s.ID] = s
	}
	doc := OPML{Version: "2.0", Title: "Tributary sources", Created: now.UTC().Format(time.RFC1123Z)}
	for _, src := range cfg.Sources {
		st := byID[aggregator.SourceID(src.URL)]
		name := src.Name
		if name == "" {
			name = st.Title
		}
		if name == "" {
			name = src.URL
		}
		feedURL := src.URL
		if st.URL != "" && st.ConfigURL == src.URL {
			feedURL = st.URL // where it moved permanently
		}
		doc.Body = append(doc.Body, Outline{
			Text: name, Title: name, Type: "rss", XMLURL: feedURL, HTMLURL: st.SiteURL,
			Category: strings.Join(src.Tags, ","),
		})
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("writing opml: %w", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}
