package publish_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator/feedtest"
)

// TestInternationalHostsPublishedInASCII polls feeds in the three formats
// whose items link to a host written in Unicode and reads the published
// feeds: every link names the host in its ASCII (IDNA) form, which DNS
// resolves and every reader's HTTP library reads, not percent-encoded
// (http://b%C3%BCcher.example/), which RFC 3986 leaves for names that are
// not DNS names, and on which curl and others look up the escapes as they
// are. The path and query keep their escapes.
func TestInternationalHostsPublishedInASCII(t *testing.T) {
	start := time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC)
	clk := feedtest.NewClock(start)
	rss := &srcFeed{path: "/rssf.rss", format: "rss", title: "Rss", items: []srcItem{
		{"r-1", "Bookshops of Lindau open late", "http://b\u00fccher.example/lindau?q=\u00fc", lavaText, start.Add(-3 * time.Hour)},
	}}
	atom := &srcFeed{path: "/atom.atom", format: "atom", title: "Atom", items: []srcItem{
		{"urn:atom:1", "Ferry timetable for the winter", "https://f\u00e4hre.example:8443/winter", grainText, start.Add(-2 * time.Hour)},
	}}
	jsonf := &srcFeed{path: "/json.json", format: "json", title: "Json", items: []srcItem{
		{"j-1", "Market square gets new lights", "https://\u4f8b\u3048.\u30c6\u30b9\u30c8/\u5e83\u5834", libText, start.Add(-1 * time.Hour)},
	}}
	w := newWorld(t, rss, atom, jsonf)
	var cfg strings.Builder
	fmt.Fprintf(&cfg, "server:\n  base_url: %q\npoll:\n  interval: 24h\n  allow_private: true\nsources:\n", testBase)
	for _, p := range []string{"/rssf.rss", "/atom.atom", "/json.json"} {
		fmt.Fprintf(&cfg, "  - url: %q\n", w.o.URL(p))
	}
	d := newDaemon(t, clk, cfg.String())
	d.poll()

	wants := []string{
		"http://xn--bcher-kva.example/lindau?q=%C3%BC",
		"https://xn--fhre-loa.example:8443/winter",
		"https://xn--r8jz45g.xn--zckzah/%E5%BA%83%E5%A0%B4",
	}
	for _, ext := range []string{".atom", ".rss", ".json"} {
		body := d.feed(t, "/topics/all"+ext)
		doc := string(body)
		for _, want := range wants {
			if !strings.Contains(doc, want) {
				t.Errorf("/topics/all%s does not link to %s:\n%s", ext, want, doc)
			}
		}
		for _, bad := range []string{"b%C3%BCcher", "f%C3%A4hre", "://%E4%BE%8B"} {
			if strings.Contains(doc, bad) {
				t.Errorf("/topics/all%s names a host percent-encoded (%s)", ext, bad)
			}
		}
	}
}

// TestInternationalHostsInItemHTML polls a feed whose item HTML links to,
// and shows a picture from, a host written in Unicode, and reads the
// published feeds: the URLs in the item's HTML name the host in its ASCII
// form, as the entry's own link does, not percent-encoded as the
// sanitiser writes it; a link to an ASCII host is published as it came.
func TestInternationalHostsInItemHTML(t *testing.T) {
	start := time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC)
	clk := feedtest.NewClock(start)
	text := `Shops open late. <img src="https://b` + "\u00fc" + `cher.example/p.png?w=1&amp;h=2" alt="Lindau">` +
		` <a href="https://b` + "\u00fc" + `cher.example:8443/map">map</a>` +
		` <a href="https://news.example/a%20b?x=1&amp;y=2">news</a> ` + lavaText
	rss := &srcFeed{path: "/rssf.rss", format: "rss", title: "Rss", items: []srcItem{
		{"r-1", "Bookshops of Lindau open late", "http://b\u00fccher.example/lindau", text, start.Add(-3 * time.Hour)},
	}}
	w := newWorld(t, rss)
	d := newDaemon(t, clk, fmt.Sprintf("server:\n  base_url: %q\npoll:\n  interval: 24h\n  allow_private: true\nsources:\n  - url: %q\n", testBase, w.o.URL("/rssf.rss")))
	d.poll()

	wants := []string{
		"https://xn--bcher-kva.example/p.png?w=1&amp;h=2",
		"https://xn--bcher-kva.example:8443/map",
		"https://news.example/a%20b?x=1&amp;y=2",
	}
	for _, ext := range []string{".atom", ".rss", ".json"} {
		body := d.feed(t, "/topics/all"+ext)
		// The HTML is escaped once more in the XML feeds, and in JSON its
		// & and < are written as \u0026 and \u003c.
		unescape := strings.NewReplacer("&amp;", "&", `\u0026`, "&", `\u003c`, "<", `\u003e`, ">")
		doc := unescape.Replace(unescape.Replace(string(body)))
		for _, want := range wants {
			if want = unescape.Replace(want); !strings.Contains(doc, want) {
				t.Errorf("/topics/all%s does not carry %s in the item's HTML:\n%s", ext, want, body)
			}
		}
		if strings.Contains(doc, "b%C3%BCcher") {
			t.Errorf("/topics/all%s names a host percent-encoded:\n%s", ext, body)
		}
	}
}

// feed returns the body of the daemon's feed at path, which must answer 200.
func (d *daemon) feed(t *testing.T, path string) []byte {
	t.Helper()
	resp, err := http.Get(d.srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s = %s, %v", path, resp.Status, err)
	}
	return body
}
