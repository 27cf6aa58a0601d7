package parse

import (
	"bytes"
	"errors"
	"fmt"
	"mime"
	"net/url"
	"strconv"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/tributary-feeds/tributary/internal/pagetext"
)

// ErrHTMLPage is returned, wrapped in an *HTMLPageError, when the document
// is an HTML page rather than a feed.
var ErrHTMLPage = errors.New("html page, not a feed")

// ErrNotFeed is returned, wrapped, when the document is neither a feed in a
// known format nor an HTML page.
var ErrNotFeed = errors.New("not a feed")

// HTMLPageError reports an HTML page where a feed was expected. Alternate is
// the absolute URL of the first feed the page links to with
// <link rel="alternate">, or "" when it links to none.
type HTMLPageError struct {
	Alternate string
	// Title is the page's title, on one line, at most 100 bytes and
	// without control characters, or "". The error names a page that
	// links to no feed by it: a login page, a bot check ("Just a
	// moment..."), a parked domain.
	Title string
}

// Error says what the page is and where its feed is.
func (e *HTMLPageError) Error() string {
	if e.Alternate == "" && e.Title != "" {
		return "html page " + strconv.Quote(e.Title) + ", not a feed, and it links to no feed"
	}
	if e.Alternate == "" {
		return "html page, not a feed, and it links to no feed"
	}
	return "html page, not a feed; it links to the feed " + e.Alternate
}

// Unwrap returns ErrHTMLPage.
func (e *HTMLPageError) Unwrap() error { return ErrHTMLPage }

// looksLikeHTML reports whether a document that no feed parser recognised is
// an HTML page.
func looksLikeHTML(b []byte, contentType string) bool {
	if mt, _, err := mime.ParseMediaType(contentType); err == nil && (mt == "text/html" || mt == "application/xhtml+xml") {
		return true
	}
	h := bytes.ToLower(head(bytes.TrimSpace(b), 1024))
	return bytes.Contains(h, []byte("<!doctype html")) || bytes.Contains(h, []byte("<html")) ||
		bytes.Contains(h, []byte("<head")) || bytes.Contains(h, []byte("<body"))
}

// feedTypes are the media types of feeds named by autodiscovery links.
var feedTypes = map[string]bool{
	"application/rss+xml":    true,
	"application/atom+xml":   true,
	"application/feed+json":  true,
	"application/json":       true,
	"application/rdf+xml":    true,
	"application/x.atom+xml": true,
	"text/xml":               true,
	"application/xml":        true,
}

// alternateFeed returns the absolute URL of the first
// <link rel="alternate"> of a feed type in an HTML page, honouring
// <base href>, or "" when there is none.
func alternateFeed(b []byte, pageURL string) string {
	base, _ := url.Parse(pageURL)
	z := html.NewTokenizer(bytes.NewReader(b))
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return ""
		case html.StartTagToken, html.SelfClosingTagToken:
		default:
			continue
		}
		name, hasAttr := z.TagName()
		a := atom.Lookup(name)
		if a == atom.Body {
			return ""
		}
		if !hasAttr || (a != atom.Link && a != atom.Base) {
			continue
		}
		attrs := map[string]string{}
		for {
			k, v, more := z.TagAttr()
			attrs[string(k)] = strings.TrimSpace(string(v))
			if !more {
				break
			}
		}
		href := attrs["href"]
		if href == "" {
			continue
		}
		ref, err := url.Parse(href)
		if err != nil {
			continue
		}
		if base != nil {
			ref = base.ResolveReference(ref)
		}
		if a == atom.Base {
			if ref.IsAbs() {
				base = ref
			}
			continue
		}
		mt, _, _ := strings.Cut(strings.ToLower(attrs["type"]), ";")
		if !hasToken(attrs["rel"], "alternate") || !feedTypes[strings.TrimSpace(mt)] {
			continue
		}
		if ref.Scheme != "http" && ref.Scheme != "https" {
			continue
		}
		return ref.String()
	}
}

func htmlPageError(b []byte, pageURL string) error {
	return fmt.Errorf("parsing %s: %w", pageURL, &HTMLPageError{Alternate: alternateFeed(b, pageURL), Title: pagetext.Title(b, maxPageTitle)})
}

// maxPageTitle is the most bytes of a page's title an HTMLPageError keeps.
const maxPageTitle = 100
