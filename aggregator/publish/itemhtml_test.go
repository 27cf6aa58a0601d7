package publish_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/mmcdole/gofeed"
	"golang.org/x/net/html"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/parse"
)

// publishedHTML returns the HTML of each entry of the topic's feed in every
// format, as a reader gets it: gofeed's content of an Atom entry or a JSON
// Feed item, the description of an RSS item.
func publishedHTML(t *testing.T, f *fixture, topic string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, format := range formats {
		_, body := f.get(t, "/topics/"+topic+"."+format)
		feed, err := gofeed.NewParser().Parse(bytes.NewReader(body))
		if err != nil {
			t.Fatalf("%s.%s: %v", topic, format, err)
		}
		for _, it := range feed.Items {
			h := it.Content
			if format == "rss" {
				h = it.Description
			}
			out[format] = append(out[format], h)
		}
	}
	return out
}

// TestPublishedItemHTML checks that the item HTML the store holds, which
// parse sanitised, is published as it is, its links' rel included, and
// that the links to the other sources carry the same rel.
func TestPublishedItemHTML(t *testing.T) {
	f := newFixture(t)
	body := parse.Sanitize(`<p>Read <a href="/full.html" target="_blank">the full report</a>.</p><p><img src="/i/a.png" alt="A harbour"></p>`,
		"https://alpha.example/news/x.html")
	putStories(t, f.db, storySpec{
		at: t0.Add(20 * time.Hour), topics: []string{aggregator.AllTopic},
		items: []itemSpec{
			{src: srcAlpha, guid: "html-1", title: "Harbour works", link: "https://alpha.example/news/x.html", content: body},
			{src: srcBeta, guid: "html-2", title: "Harbour works begin", link: "https://beta.example/harbour"},
		},
	})
	f.pub.Changed(aggregator.AllTopic)
	for format, entries := range publishedHTML(t, f, aggregator.AllTopic) {
		got := entries[0]
		if !strings.HasPrefix(got, body) {
			t.Errorf("%s: entry HTML\n%s\ndoes not begin with the item's HTML\n%s", format, got, body)
		}
		links := 0
		z := html.NewTokenizer(strings.NewReader(got))
		for tt := z.Next(); tt != html.ErrorToken; tt = z.Next() {
			tok := z.Token()
			if tok.Type != html.StartTagToken || tok.Data != "a" {
				continue
			}
			links++
			rel := ""
			for _, a := range tok.Attr {
				if a.Key == "rel" {
					rel = a.Val
				}
			}
			if rel != "nofollow noopener noreferrer" {
				t.Errorf("%s: link %v has rel %q", format, tok, rel)
			}
		}
		if links != 2 {
			t.Errorf("%s: %d links in %s; want the item's and the other source's", format, links, got)
		}
	}
}

// hostileItemHTML is item HTML that tries every way to run a script, load
// active content or leave the page that a reader rendering it might fall
// for. Each script it would run sets the title or opens a dialog.
const hostileItemHTML = `<p>Harbour news</p>
<p id="readerSettings">ids that name the reader's globals</p><a id="main" href="https://alpha.example/">and its own elements</a><img id="copy-status" src="/i/a.png">
<script>document.title="pwned"</script><SCRIPT SRC=https://evil.example/x.js></SCRIPT>
<scr<script>ipt>alert(1)</scr</script>ipt>
<img src=x onerror="document.title='pwned'"><img src="x" OnError="alert(1)">
<img src="jav&#x09;ascript:alert(1)"><img src="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">
<img data-src="javascript:alert(1)" src="/p.gif"><img src="/p.gif" data-src=" JaVa&#x09;Script:alert(1)">
<a href="javascript:alert(1)">a</a><a href="JaVaScRiPt:alert(1)">b</a><a href="java&#0000115;cript:alert(1)">c</a>
<a href=" &#14;  javascript:alert(1)">d</a><a href="java script:alert(1)">e</a><a href="vbscript:msgbox(1)">f</a>
<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">g</a><a href="javascript&colon;alert(1)">h</a>
<svg onload=alert(1)><circle r=10 /></svg><svg><script>alert(1)</script></svg>
<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>
<iframe srcdoc="<script>alert(1)</script>"></iframe><iframe src="javascript:alert(1)"></iframe>
<details open ontoggle=alert(1)><summary>s</summary></details>
<object data="data:text/html,<script>alert(1)</script>"></object><embed src="javascript:alert(1)">
<form action="javascript:alert(1)"><button>go</button></form>
<meta http-equiv="refresh" content="0;url=javascript:alert(1)"><base href="javascript:alert(1)//">
<video><source onerror="alert(1)"></video><body onload=alert(1)>
<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>
<!--<img src="--><img src=x onerror=alert(1)//">
<p>]]> text after a CDATA end</p>`

// readerPageJS reads what a reader's page made of the entries: its title
// (a script would change it), and every URL the browser parsed from an
// attribute that leads somewhere, with its scheme as the browser reads it.
const readerPageJS = `({
	title: document.title,
	urls: Array.from(document.querySelectorAll("[href],[src],[action],[data],[poster],[cite],[formaction]")).flatMap(e =>
		["href", "src", "action", "data", "poster", "cite", "formaction"].filter(a => e.hasAttribute(a)).map(a => new URL(e.getAttribute(a), document.baseURI).href)),
	elements: Array.from(document.body.querySelectorAll("script,iframe,object,embed,form,svg,math,meta,base,style,video,audio")).map(e => e.tagName),
	handlers: Array.from(document.querySelectorAll("*")).flatMap(e => Array.from(e.attributes).filter(a => a.name.startsWith("on") || a.name === "style").map(a => a.name)),
	ids: Array.from(document.querySelectorAll("article [id]:not(article), article [name]")).map(e => e.id || e.getAttribute("name")),
})`

type seenReaderPage struct {
	Title    string   `json:"title"`
	URLs     []string `json:"urls"`
	Elements []string `json:"elements"`
	Handlers []string `json:"handlers"`
	IDs      []string `json:"ids"`
}

// TestPublishedHTMLInBrowser renders the entries of every published format
// as a web reader does, in a page with no Content-Security-Policy, in
// Chromium, and checks that nothing in a hostile item ran, made an element
// that can run or load active content, or left a URL of another scheme
// than http, https or mailto. The store holds the item's HTML as a source
// sent it: what reaches readers is only what publishing let through.
func TestPublishedHTMLInBrowser(t *testing.T) {
	ctx := newBrowser(t)
	f := newFixture(t)
	putStories(t, f.db, storySpec{
		at: t0.Add(20 * time.Hour), topics: []string{aggregator.AllTopic},
		items: []itemSpec{
			{src: srcAlpha, guid: "hostile-html", title: "Harbour news", link: "https://alpha.example/harbour", content: hostileItemHTML},
			{src: srcGamma, guid: "hostile-html-2", title: "Harbour <script>alert(1)</script>", link: "https://gamma.example/harbour"},
		},
	})
	f.pub.Changed(aggregator.AllTopic)
	var page strings.Builder
	page.WriteString("<!doctype html><html><head><meta charset=utf-8><title>reader</title></head><body>\n")
	for format, entries := range publishedHTML(t, f, aggregator.AllTopic) {
		page.WriteString("<article id=" + format + ">" + entries[0] + "</article>\n")
	}
	page.WriteString("</body></html>")
	watch := openReaderPage(t, ctx, page.String())
	seen, err := chromedp.Run(ctx, chromedp.Evaluate[seenReaderPage](readerPageJS))
	if err != nil {
		t.Fatalf("reading the reader's page: %v", err)
	}
	if seen.Title != "reader" {
		t.Errorf("the page's title is %q: a script ran", seen.Title)
	}
	for _, u := range seen.URLs {
		if !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "mailto:") {
			t.Errorf("the page holds the URL %q", u)
		}
	}
	if len(seen.Elements) > 0 || len(seen.Handlers) > 0 {
		t.Errorf("the page holds elements %q and attributes %q", seen.Elements, seen.Handlers)
	}
	// An id in an entry becomes a global of the reader's page (window.x),
	// where its scripts may read it for one of their own, and takes the
	// place of the page's own element of that id.
	if len(seen.IDs) > 0 {
		t.Errorf("the entries give their elements the ids %q", seen.IDs)
	}
	if len(seen.URLs) < 6 {
		t.Errorf("the page holds %d URLs: %q; want at least the links to the other source in each format", len(seen.URLs), seen.URLs)
	}
	// The images' requests to the reader fail (404); nothing else may
	// have gone wrong.
	watch.mu.Lock()
	problems := watch.problems[:0]
	for _, p := range watch.problems {
		if !strings.Contains(p, "404") {
			problems = append(problems, p)
		}
	}
	watch.problems = problems
	watch.mu.Unlock()
	watch.check(t, "the reader's page")
}

// rssTexts is the text of an RSS document's titles, creators and
// categories, as an XML parser gives it to a reader.
type rssTexts struct {
	Channel struct {
		Title string `xml:"title"`
		Items []struct {
			Title      string   `xml:"title"`
			Creators   []string `xml:"http://purl.org/dc/elements/1.1/ creator"`
			Categories []string `xml:"category"`
		} `xml:"item"`
	} `xml:"channel"`
}

// TestRSSTextReadAsHTMLInBrowser puts the titles, creators and categories
// of a published RSS feed into a page as HTML, as the many readers that
// take RSS titles for HTML do, and checks in Chromium that none of the
// tags a source quoted in them became an element: the stored titles are
// plain text, in which a source that escaped its title twice left an
// <img onerror>.
func TestRSSTextReadAsHTMLInBrowser(t *testing.T) {
	ctx := newBrowser(t)
	f := newFixture(t)
	putStories(t, f.db, storySpec{
		at: t0.Add(20 * time.Hour), topics: []string{aggregator.AllTopic},
		tags: []string{`<svg onload="document.title='pwned'">`, "<img src=x onerror=alert(3)>"},
		items: []itemSpec{{src: srcAlpha, guid: "tags-in-text", link: "https://alpha.example/harbour",
			title:   `Harbour <img src=x onerror="document.title='pwned'"> reopens <<b>img src=x onerror=alert(1)> <title><img src=x onerror=alert(2)></title>`,
			authors: []string{"<img src=x onerror=alert(4)>Mallory", "Eve <iframe srcdoc='<script>alert(5)</script>'>"}}},
	})
	f.pub.Changed(aggregator.AllTopic)
	_, body := f.get(t, "/topics/all.rss")
	var doc rssTexts
	if err := xml.Unmarshal(body, &doc); err != nil {
		t.Fatalf("all.rss: %v", err)
	}
	var page strings.Builder
	page.WriteString("<!doctype html><html><head><meta charset=utf-8><title>reader</title></head><body>\n")
	page.WriteString("<h1>" + doc.Channel.Title + "</h1>\n")
	found := false
	for _, it := range doc.Channel.Items {
		found = found || strings.Contains(it.Title, "Harbour")
		page.WriteString("<article><h2>" + it.Title + "</h2>")
		for _, c := range it.Creators {
			page.WriteString("<p>" + c + "</p>")
		}
		for _, c := range it.Categories {
			page.WriteString("<span>" + c + "</span>")
		}
		page.WriteString("</article>\n")
	}
	page.WriteString("</body></html>")
	if !found {
		t.Fatalf("all.rss has no entry titled Harbour:\n%s", body)
	}
	watch := openReaderPage(t, ctx, page.String())
	seen, err := chromedp.Run(ctx, chromedp.Evaluate[seenReaderPage](readerPageJS))
	if err != nil {
		t.Fatalf("reading the reader's page: %v", err)
	}
	if seen.Title != "reader" {
		t.Errorf("the page's title is %q: a script ran", seen.Title)
	}
	if len(seen.Elements) > 0 || len(seen.Handlers) > 0 || len(seen.URLs) > 0 {
		t.Errorf("the page holds elements %q, attributes %q and URLs %q; want none from the feed's text", seen.Elements, seen.Handlers, seen.URLs)
	}
	watch.check(t, "the reader's page")
}

// listPlaceJS tells where each entry's list of the other sources stands
// in a reader's page: the elements between its "Also reported by" line and
// the entry's <article>, which should be none.
const listPlaceJS = `Array.from(document.querySelectorAll("article")).map(a => {
	const p = Array.from(a.querySelectorAll("p")).find(p => p.textContent.trim() === "Also reported by:");
	if (!p) return "no list";
	const around = [];
	for (let e = p.parentElement; e && e !== a; e = e.parentElement) around.push(e.tagName);
	const inside = Array.from(p.querySelectorAll("*")).map(e => e.tagName);
	if (inside.length) around.push("and holds " + inside.join(" "));
	return around.join(" ");
})`

// TestOtherSourcesOutsideItemHTML renders, in Chromium as a web reader
// does, entries whose item HTML leaves elements open: the list of the
// other sources that carried the story, which follows the item's HTML,
// must not end up inside them, folded away in a <details>, struck
// through, or made part of the item's link.
func TestOtherSourcesOutsideItemHTML(t *testing.T) {
	ctx := newBrowser(t)
	f := newFixture(t)
	bodies := []string{
		`<p>Harbour works. <a href="https://alpha.example/more">Read more`,
		`<p>Harbour works.<details><summary>Credits</summary><p>Photo: A. Writer`,
		`<div><del>Harbour <b>works`,
		`<blockquote><ul><li>Harbour works<li>Bridge works`,
		`<table><tr><td>Harbour works`,
		`<p>Harbour works.<s/>Bridge works`,
		`<details/><summary>Credits</summary>Photo: A. Writer`,
	}
	for i, body := range bodies {
		putStories(t, f.db, storySpec{
			at: t0.Add(time.Duration(20+i) * time.Hour), topics: []string{aggregator.AllTopic},
			items: []itemSpec{
				{src: srcAlpha, guid: fmt.Sprintf("open-%d", i), title: "Harbour works", link: fmt.Sprintf("https://alpha.example/open-%d", i), content: body, summary: body},
				{src: srcBeta, guid: fmt.Sprintf("open-b-%d", i), title: "Harbour works begin", link: fmt.Sprintf("https://beta.example/open-%d", i)},
			},
		})
	}
	f.pub.Changed(aggregator.AllTopic)
	var page strings.Builder
	page.WriteString("<!doctype html><html><head><meta charset=utf-8><title>reader</title></head><body>\n")
	for format, entries := range publishedHTML(t, f, aggregator.AllTopic) {
		for i := range bodies {
			page.WriteString(fmt.Sprintf("<article id=%s-%d>%s</article>\n", format, i, entries[i]))
		}
	}
	// An Atom entry's summary, which readers show in their lists of
	// entries with more after it, is closed too.
	_, doc := f.get(t, "/topics/all.atom")
	feed, err := gofeed.NewParser().Parse(bytes.NewReader(doc))
	if err != nil {
		t.Fatalf("all.atom: %v", err)
	}
	for i := range bodies {
		page.WriteString(fmt.Sprintf("<article id=summary-%d>%s\n<p>Also reported by:</p></article>\n", i, feed.Items[i].Description))
	}
	page.WriteString("</body></html>")
	openReaderPage(t, ctx, page.String())
	places, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](listPlaceJS))
	if err != nil {
		t.Fatalf("reading the reader's page: %v", err)
	}
	if len(places) != 4*len(bodies) {
		t.Fatalf("the page holds %d entries and summaries; want %d, each in its own <article>", len(places), 4*len(bodies))
	}
	for i, p := range places {
		if p != "" {
			// The newest entry first: the last body's.
			t.Errorf("entry %d (%s): the list of other sources stands inside %s", i, bodies[len(bodies)-1-i%len(bodies)], p)
		}
	}
}

// openReaderPage serves page, as a web-based reader's page of its own
// origin would, opens it in the browser of ctx and returns what watches it
// (dialogs, requests). The page's other paths (its images, which may ask)
// are not found.
func openReaderPage(t *testing.T, ctx context.Context, page string) *pageWatch {
	t.Helper()
	reader := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(page)) //nolint:errcheck // the browser went away
	}))
	t.Cleanup(reader.Close)
	watch := watchPage(t, ctx)
	if err := chromedp.Do(ctx, chromedp.Navigate(reader.URL+"/")); err != nil {
		t.Fatalf("opening the reader's page: %v", err)
	}
	return watch
}
