package bench

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// feedMeta is what a rendered feed says about itself.
type feedMeta struct {
	feed    int
	title   string
	site    string
	desc    string
	updated time.Time
}

var xmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&apos;")

// renderRSS writes an RSS 2.0 document as news sites do: a plain-text
// description and the full HTML in content:encoded, as CDATA.
func renderRSS(m feedMeta, items []Item) []byte {
	var b bytes.Buffer
	b.Grow(len(items) * 3000)
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString(`<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" ` +
		`xmlns:dc="http://purl.org/dc/elements/1.1/">` + "\n<channel>\n")
	fmt.Fprintf(&b, "<title>%s</title>\n<link>%s</link>\n<description>%s</description>\n<language>en</language>\n",
		xmlEscaper.Replace(m.title), m.site, xmlEscaper.Replace(m.desc))
	fmt.Fprintf(&b, "<lastBuildDate>%s</lastBuildDate>\n<ttl>30</ttl>\n", m.updated.Format(time.RFC1123Z))
	for _, it := range items {
		b.WriteString("<item>\n")
		fmt.Fprintf(&b, "<title>%s</title>\n<link>%s</link>\n", xmlEscaper.Replace(it.Title), xmlEscaper.Replace(it.Link))
		if it.GUID == it.Link {
			fmt.Fprintf(&b, "<guid>%s</guid>\n", xmlEscaper.Replace(it.GUID))
		} else {
			fmt.Fprintf(&b, "<guid isPermaLink=\"false\">%s</guid>\n", xmlEscaper.Replace(it.GUID))
		}
		fmt.Fprintf(&b, "<pubDate>%s</pubDate>\n<dc:creator>%s</dc:creator>\n",
			it.Published.Format(time.RFC1123Z), xmlEscaper.Replace(it.Author))
		for _, c := range it.Categories {
			fmt.Fprintf(&b, "<category>%s</category>\n", xmlEscaper.Replace(c))
		}
		fmt.Fprintf(&b, "<description>%s</description>\n", xmlEscaper.Replace(it.Summary))
		fmt.Fprintf(&b, "<content:encoded><![CDATA[%s]]></content:encoded>\n",
			strings.ReplaceAll(it.HTML, "]]>", "]]]]><![CDATA[>"))
		b.WriteString("</item>\n")
	}
	b.WriteString("</channel>\n</rss>\n")
	return b.Bytes()
}

// renderAtom writes an Atom 1.0 document with escaped HTML content.
func renderAtom(m feedMeta, items []Item) []byte {
	var b bytes.Buffer
	b.Grow(len(items) * 3200)
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?>` + "\n" + `<feed xmlns="http://www.w3.org/2005/Atom">` + "\n")
	fmt.Fprintf(&b, "<title>%s</title>\n<subtitle>%s</subtitle>\n<id>tag:outlet-%05d.example,2024:feed</id>\n",
		xmlEscaper.Replace(m.title), xmlEscaper.Replace(m.desc), m.feed)
	fmt.Fprintf(&b, "<link rel=\"alternate\" type=\"text/html\" href=\"%s\"/>\n<updated>%s</updated>\n",
		m.site, m.updated.Format(time.RFC3339))
	for _, it := range items {
		b.WriteString("<entry>\n")
		fmt.Fprintf(&b, "<title type=\"text\">%s</title>\n<id>%s</id>\n<link rel=\"alternate\" type=\"text/html\" href=\"%s\"/>\n",
			xmlEscaper.Replace(it.Title), xmlEscaper.Replace(it.GUID), xmlEscaper.Replace(it.Link))
		fmt.Fprintf(&b, "<published>%s</published>\n<updated>%s</updated>\n<author><name>%s</name></author>\n",
			it.Published.Format(time.RFC3339), it.Published.Format(time.RFC3339), xmlEscaper.Replace(it.Author))
		for _, c := range it.Categories {
			fmt.Fprintf(&b, "<category term=\"%s\"/>\n", xmlEscaper.Replace(c))
		}
		fmt.Fprintf(&b, "<summary type=\"text\">%s</summary>\n<content type=\"html\">%s</content>\n",
			xmlEscaper.Replace(it.Summary), xmlEscaper.Replace(it.HTML))
		b.WriteString("</entry>\n")
	}
	b.WriteString("</feed>\n")
	return b.Bytes()
}

type jsonFeedDoc struct {
	Version     string         `json:"version"`
	Title       string         `json:"title"`
	HomePageURL string         `json:"home_page_url"`
	Description string         `json:"description"`
	Language    string         `json:"language"`
	Items       []jsonFeedItem `json:"items"`
}

type jsonFeedItem struct {
	ID            string           `json:"id"`
	URL           string           `json:"url"`
	Title         string           `json:"title"`
	Summary       string           `json:"summary"`
	ContentHTML   string           `json:"content_html"`
	DatePublished string           `json:"date_published"`
	Authors       []jsonFeedAuthor `json:"authors"`
	Tags          []string         `json:"tags"`
}

type jsonFeedAuthor struct {
	Name string `json:"name"`
}

// renderJSON writes a JSON Feed 1.1 document.
func renderJSON(m feedMeta, items []Item) []byte {
	doc := jsonFeedDoc{
		Version:     "https://jsonfeed.org/version/1.1",
		Title:       m.title,
		HomePageURL: m.site,
		Description: m.desc,
		Language:    "en",
		Items:       make([]jsonFeedItem, len(items)),
	}
	for i, it := range items {
		doc.Items[i] = jsonFeedItem{
			ID:            it.GUID,
			URL:           it.Link,
			Title:         it.Title,
			Summary:       it.Summary,
			ContentHTML:   it.HTML,
			DatePublished: it.Published.Format(time.RFC3339),
			Authors:       []jsonFeedAuthor{{Name: it.Author}},
			Tags:          it.Categories,
		}
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(doc); err != nil {
		// Strings and slices of strings always encode.
		panic(fmt.Sprintf("encoding a generated JSON Feed: %v", err))
	}
	return b.Bytes()
}
