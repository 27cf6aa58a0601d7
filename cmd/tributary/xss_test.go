package main

import (
	"bytes"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"
	"golang.org/x/net/html"

	"github.com/tributary-feeds/tributary/aggregator/feedtest"
)

// TestXSSThroughThePipeline feeds a source whose every field carries a
// script through the whole daemon and checks every published format and
// page: no script, event handler, javascript: or data: URL, frame, form or
// style survives, and titles and names are plain text.
func TestXSSThroughThePipeline(t *testing.T) {
	o := feedtest.NewOrigin(t)
	o.Feed("/evil.rss", "application/rss+xml", readFixture(t, "xss.rss"))
	dir := t.TempDir()
	cfg := fmt.Sprintf("server:\n  listen: \"127.0.0.1:0\"\n  base_url: \"http://feeds.test\"\nstorage:\n  path: %q\n  retention: 0\npoll:\n  allow_private: true\n  interval: 2s\n  min_interval: 1s\n  timeout: 1s\nsources:\n  - url: %q\n",
		filepath.Join(dir, "t.db"), o.URL("/evil.rss"))
	path := saveConfig(t, dir, cfg)
	d := startDaemon(t, path)
	waitFor(t, "the hostile item published", 15*time.Second, func() bool {
		_, body := d.get(t, "/topics/all.json")
		return bytes.Contains(body, []byte("harbour reopened"))
	})

	parser := gofeed.NewParser()
	for _, format := range []string{"rss", "atom", "json"} {
		p := "/topics/all." + format
		resp, body := d.get(t, p)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s = %s", p, resp.Status)
		}
		f, err := parser.ParseString(string(body))
		if err != nil {
			t.Fatalf("%s is not a well-formed feed: %v", p, err)
		}
		if len(f.Items) != 1 {
			t.Fatalf("%s has %d entries; want 1", p, len(f.Items))
		}
		it := f.Items[0]
		for what, text := range map[string]string{"title": it.Title, "feed title": f.Title} {
			if strings.ContainsAny(text, "<>") {
				t.Errorf("%s: %s %q is not plain text", p, what, text)
			}
		}
		for _, a := range it.Authors {
			if strings.ContainsAny(a.Name, "<>") {
				t.Errorf("%s: author %q is not plain text", p, a.Name)
			}
		}
		if strings.HasPrefix(strings.ToLower(strings.TrimSpace(it.Link)), "javascript") {
			t.Errorf("%s: entry link %q", p, it.Link)
		}
		for _, e := range it.Enclosures {
			if !strings.HasPrefix(e.URL, "http") {
				t.Errorf("%s: enclosure %q", p, e.URL)
			}
		}
		for name, frag := range map[string]string{"content": it.Content, "description": it.Description} {
			if problem := unsafeHTML(frag, false); problem != "" {
				t.Errorf("%s: %s: %s\n%s", p, name, problem, frag)
			}
		}
	}
	for _, p := range []string{"/", "/topics/all"} {
		_, body := d.get(t, p)
		if problem := unsafeHTML(string(body), true); problem != "" {
			t.Errorf("page %s: %s", p, problem)
		}
	}
}

// unsafeHTML returns what is unsafe in an HTML fragment or page, or "". A
// page may carry its own inline script (the copy button) as long as no
// feed data is in it.
func unsafeHTML(s string, page bool) string {
	z := html.NewTokenizer(strings.NewReader(s))
	inScript := false
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return ""
		case html.TextToken:
			if inScript && strings.Contains(string(z.Text()), "alert") {
				return "feed data inside a script"
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			switch tok.Data {
			case "script":
				if !page {
					return "a <script> element"
				}
				inScript = true
			case "iframe", "object", "embed", "form", "input", "button", "meta", "link", "style", "svg", "math", "frame", "base":
				if !page || tok.Data == "iframe" || tok.Data == "object" || tok.Data == "embed" || tok.Data == "svg" || tok.Data == "math" || tok.Data == "frame" || tok.Data == "base" {
					return "a <" + tok.Data + "> element"
				}
			}
			for _, a := range tok.Attr {
				k, v := strings.ToLower(a.Key), strings.ToLower(strings.Join(strings.Fields(a.Val), ""))
				if strings.HasPrefix(k, "on") {
					return "an event handler " + a.Key
				}
				if k == "style" && !page {
					return "a style attribute"
				}
				if k == "href" || k == "src" || k == "action" || k == "formaction" || k == "xlink:href" || k == "data" {
					if strings.HasPrefix(v, "javascript:") || strings.HasPrefix(v, "vbscript:") || strings.HasPrefix(v, "data:") {
						return fmt.Sprintf("%s=%q", a.Key, a.Val)
					}
				}
			}
		case html.EndTagToken:
			if tok := z.Token(); tok.Data == "script" {
				inScript = false
			}
		}
	}
}
