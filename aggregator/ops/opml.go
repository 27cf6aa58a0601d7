package ops

import (
	"io"
	"strings"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
)

// WriteSourcesOPML writes every configured source as an OPML 2.0 document,
// with its tags as OPML categories, so another reader can import them.
func WriteSourcesOPML(w io.Writer, cfg *aggregator.Config, states []aggregator.SourceState, now time.Time) error {
	byID := make(map[string]aggregator.SourceState, len(states))
	for _, s := range states {
		byID[s.ID] = s
	}
	doc := aggregator.OPML{Version: "2.0", Title: "Tributary sources", Created: now.UTC().Format(time.RFC1123Z)}
	for _, src := range aggregator.Bound(cfg.Sources, states) {
		st := byID[src.SourceID()]
		name := src.Name
		if name == "" {
			name = st.Title
		}
		if name == "" {
			// Not the URL whole: its user name, password or query may
			// hold a credential, which the title would show to anyone
			// the list is given to (URLName hides them). xmlUrl keeps
			// them, to be fetched.
			name = aggregator.URLName(src.URL)
		}
		feedURL := src.URL
		if st.URL != "" && st.ConfigURL == src.URL {
			feedURL = st.URL // where it moved permanently
		}
		doc.Body = append(doc.Body, aggregator.OPMLOutline{
			Text: name, Title: name, Type: "rss", XMLURL: feedURL, HTMLURL: st.SiteURL,
			Category: strings.Join(src.Tags, ","),
		})
	}
	_, err := doc.WriteTo(w)
	return err
}
