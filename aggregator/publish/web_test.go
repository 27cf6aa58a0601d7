package publish_test

import (
	"bytes"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/tributary-feeds/tributary/aggregator"
)

// parsePage parses an HTML page and returns its text nodes and elements.
type pageDoc struct {
	texts    []string
	elements map[string][]*html.Node
}

func parsePage(t *testing.T, body []byte) pageDoc {
	t.Helper()
	root, err := html.Parse(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("html.Parse: %v", err)
	}
	d := pageDoc{elements: map[string][]*html.Node{}}
	for n := range root.Descendants() {
		switch n.Type {
		case html.TextNode:
			if n.Parent != nil && n.Parent.Data == "script" {
				continue
			}
			if s := strings.TrimSpace(n.Data); s != "" {
				d.texts = append(d.texts, s)
			}
		case html.ElementNode:
			d.elements[n.Data] = append(d.elements[n.Data], n)
		}
	}
	return d
}

func (d pageDoc) hasText(s string) bool {
	for _, t := range d.texts {
		if strings.Contains(t, s) {
			return true
		}
	}
	return false
}

// row returns the texts of the cells after the row header of the table row
// whose header starts with name.
func (d pageDoc) row(name string) []string {
	for _, th := range d.elements["th"] {
		if attr(th, "scope") != "row" || !strings.HasPrefix(nodeText(th), name) {
			continue
		}
		var cells []string
		for c := th.NextSibling; c != nil; c = c.NextSibling {
			if c.Type != html.ElementNode || c.Data != "td" {
				continue
			}
			for n := range c.Descendants() {
				if n.Type == html.TextNode && strings.TrimSpace(n.Data) != "" {
					cells = append(cells, strings.TrimSpace(n.Data))
				}
			}
		}
		return cells
	}
	return nil
}

// nodeText is the text of n and its descendants.
func nodeText(n *html.Node) string {
	var b strings.Builder
	for c := range n.Descendants() {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	}
	return b.String()
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func TestIndexPage(t *testing.T) {
	f := newFixture(t)
	now := fixedNow()
	states := []aggregator.SourceState{
		{ID: "s-backoff", URL: "https://backoff.example/", Name: "Backoff Daily", LastFetch: now.Add(-time.Hour), LastResult: "error", LastError: "429 Too Many Requests", Failures: 3, FailingSince: now.Add(-5 * time.Hour), NextDue: now.Add(2 * time.Hour)},
		{ID: "s-failing", URL: "https://failing.example/", Name: "Failing Times", LastFetch: now.Add(-time.Hour), LastResult: "error", LastError: "dial tcp: connection refused", Failures: 1, FailingSince: now.Add(-time.Hour), NextDue: now.Add(-time.Minute)},
		{ID: "s-gone", URL: "https://gone.example/", Name: "Gone Gazette", LastFetch: now.Add(-time.Hour), LastResult: "error", LastError: "410 Gone", Disabled: true},
		{ID: "s-304", URL: "https://quiet.example/", Name: "Quiet Post", LastFetch: now.Add(-time.Hour), LastSuccess: now.Add(-time.Hour), LastResult: "not_modified", Fetches: 8, NotModified: 6, Items: 12},
	}
	for _, st := range states {
		if err := f.db.PutSource(t.Context(), st); err != nil {
			t.Fatal(err)
		}
	}
	cfg := *f.cfg
	cfg.Sources = append(cfg.Sources, aggregator.SourceConfig{URL: "https://new.example/feed", Name: "Brand New"})
	f.pub.SetConfig(&cfg, topicsCfg)

	resp, body := f.get(t, "/")
	if ct := resp.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("GET / Content-Type = %q", ct)
	}
	// Only the page's own inline style sheet and script may run, by digest
	// (TestBrowser checks in Chromium that the digests match).
	if csp := resp.Header.Get("Content-Security-Policy"); strings.Contains(csp, "unsafe-inline") ||
		!strings.Contains(csp, "style-src 'sha256-") || !strings.Contains(csp, "script-src 'sha256-") {
		t.Errorf("GET / Content-Security-Policy = %q; want style-src and script-src by sha256 digest only", csp)
	}
	d := parsePage(t, body)

	// Every topic, with its title (escaped), page link and feeds.
	var alternates int
	for _, l := range d.elements["link"] {
		if attr(l, "rel") == "alternate" {
			alternates++
		}
	}
	if alternates != 3*len(topicsCfg) {
		t.Errorf("GET / has %d autodiscovery links; want %d", alternates, 3*len(topicsCfg))
	}
	// Readers that find feeds by matching the page's text look for the
	// media types as written.
	for _, mt := range []string{`type="application/rss+xml"`, `type="application/atom+xml"`, `type="application/feed+json"`} {
		if n := strings.Count(string(body), `<link rel="alternate" `+mt); n != len(topicsCfg) {
			t.Errorf("GET / writes %s in %d autodiscovery links; want %d", mt, n, len(topicsCfg))
		}
	}
	hrefs := map[string]bool{}
	for _, a := range d.elements["a"] {
		hrefs[attr(a, "href")] = true
	}
	for _, tc := range topicsCfg {
		if !d.hasText(tc.Title) {
			t.Errorf("GET / lacks topic title %q", tc.Title)
		}
		for _, u := range []string{"", ".atom", ".rss", ".json"} {
			if !hrefs[testBase+"/topics/"+tc.ID+u] {
				t.Errorf("GET / lacks a link to %s", testBase+"/topics/"+tc.ID+u)
			}
		}
	}
	// Headlines with their number of sources.
	if !d.hasText("Talks resume in Beijing") || !d.hasText("3 sources") || !d.hasText("1 source") {
		t.Errorf("GET / lacks the headline with its source count; texts: %q", d.texts)
	}
	// Source states.
	for _, want := range []string{
		"backing off until 2024-03-02 11:00 UTC", "failing since 2024-03-02 04:00 UTC (3 failures in a row): 429 Too Many Requests",
		"failing", "failing since 2024-03-02 08:00 UTC: dial tcp: connection refused",
		"disabled", "410 Gone",
		"not modified", "75%",
		"pending", "Brand New",
		"Alpha News", "25%",
	} {
		if !d.hasText(want) {
			t.Errorf("GET / lacks %q", want)
		}
	}
	// The tally above the table: the fixture's three sources and Quiet
	// Post are fine, the others one of each state.
	for _, want := range []string{"8 sources:", "4 ok", "1 failing", "1 backing off", "1 disabled", "1 pending"} {
		if !d.hasText(want) {
			t.Errorf("GET / lacks %q in the sources' tally", want)
		}
	}
	// Items per day: Alpha News published three items within the last
	// week (0.4 a day); Quiet Post none; Brand New is not fetched yet.
	for name, want := range map[string][]string{
		"Alpha News": {"ok", "2024-03-01 09:00 UTC", "0.4", "3", "25%"},
		"Quiet Post": {"not modified", "(no longer configured)", "2024-03-02 08:00 UTC", "0", "12", "75%"},
		"Brand New":  {"pending", "not fetched yet", "never", "–", "0", "–"},
	} {
		if got := d.row(name); !slices.Equal(got, want) {
			t.Errorf("GET / sources row %q = %q; want %q", name, got, want)
		}
	}
	// The hostile source name is text, never markup: the copy button's
	// script is the page's only one.
	if !d.hasText(`<script>alert("x")</script> Gazette & Co`) {
		t.Errorf("GET / does not show the hostile source name as text")
	}
	if n := len(d.elements["script"]); n != 1 {
		t.Errorf("GET / has %d script elements; want 1 (the copy button)", n)
	}
	if bytes.Contains(body, []byte(`<script>alert`)) {
		t.Errorf("GET / carries the hostile name unescaped")
	}
	isolated := map[string]bool{}
	for _, b := range d.elements["bdi"] {
		isolated[nodeText(b)] = true
	}
	for _, s := range []string{"Alpha News", `<script>alert("x")</script> Gazette & Co`, "Talks resume in Beijing"} {
		if !isolated[s] {
			t.Errorf("GET / does not isolate %q in a <bdi>", s)
		}
	}
	if got := len(d.elements["button"]); got != 3*len(topicsCfg) {
		t.Errorf("GET / has %d copy buttons; want %d", got, 3*len(topicsCfg))
	}
}

func TestTopicPage(t *testing.T) {
	f := newFixture(t)
	_, body := f.get(t, "/topics/world")
	d := parsePage(t, body)
	if !d.hasText("World <news> & more") {
		t.Errorf("GET /topics/world lacks the topic title")
	}
	if bytes.Contains(body, []byte("<news>")) || bytes.Contains(body, []byte("<script>alert")) {
		t.Errorf("GET /topics/world carries unescaped data")
	}
	hrefs := map[string]bool{}
	for _, a := range d.elements["a"] {
		hrefs[attr(a, "href")] = true
	}
	// Every source of the first story, with its link.
	for _, u := range []string{"https://alpha.example/2024/talks", "https://beta.example/news/1?id=7&ref=x", "https://gamma.example/talks", "https://beta.example/news/2"} {
		if !hrefs[u] {
			t.Errorf("GET /topics/world lacks a link to %s", u)
		}
	}
	for _, s := range []string{"Alpha News", "Beta Wire", `<script>alert("x")</script> Gazette & Co`, "Tom & Jerry <b>bold</b> markets", "china-us"} {
		if !d.hasText(s) {
			t.Errorf("GET /topics/world lacks text %q", s)
		}
	}
	if len(d.elements["script"]) != 1 {
		t.Errorf("GET /topics/world has %d scripts; want 1", len(d.elements["script"]))
	}
	// Titles and source names come from the sources, in any script and
	// direction: each is isolated, so that a right-to-left one cannot
	// reorder the text around it.
	isolated := map[string]bool{}
	for _, b := range d.elements["bdi"] {
		isolated[nodeText(b)] = true
	}
	for _, s := range []string{"Talks resume in Beijing", "Beta Wire", "Beijing talks resume", `<script>alert("x")</script> Gazette & Co`} {
		if !isolated[s] {
			t.Errorf("GET /topics/world does not isolate %q in a <bdi>", s)
		}
	}

	// Paging: the paged topic (limit 2) links to its older stories.
	_, body = f.get(t, "/topics/paged")
	d = parsePage(t, body)
	var older string
	for _, a := range d.elements["a"] {
		if attr(a, "rel") == "next" {
			older = attr(a, "href")
		}
	}
	if !strings.HasPrefix(older, testBase+"/topics/paged?before=") {
		t.Fatalf("GET /topics/paged older link = %q", older)
	}
	_, body = f.get(t, strings.TrimPrefix(older, testBase))
	if d := parsePage(t, body); !d.hasText("Tie one") || !d.hasText("Tie two") || d.hasText("Talks resume") {
		t.Errorf("the second page of paged has texts %q; want the two tied stories only", d.texts)
	}
}

// TestPagesMarkStoriesLanguage shows a topic whose stories are in Arabic,
// as its language says, on the front page and its own page: the titles of
// its stories carry the topic's language, so that a screen reader reads
// them in Arabic rather than in the English of the page around them, and
// the titles of a topic without one carry none.
func TestPagesMarkStoriesLanguage(t *testing.T) {
	f := newFixture(t)
	const title, other = "زلزال بقوة 6 درجات يضرب جنوب تركيا", "مؤتمر صحفي في القاهرة"
	putStories(t, f.db, storySpec{at: fixedNow().Add(-time.Minute), topics: []string{aggregator.AllTopic, "arabic"}, items: []itemSpec{
		{src: srcAlpha, guid: "ar-1", title: title, link: "https://alpha.example/ar/1"},
		{src: srcBeta, guid: "ar-2", title: other},
	}})
	cfg := *f.cfg
	topics := append(slices.Clone(topicsCfg), aggregator.TopicConfig{ID: "arabic", Title: "Arabic news", Language: "ar"})
	cfg.Topics = topics
	f.pub.SetConfig(&cfg, topics)

	langs := func(path string) map[string][]string {
		_, body := f.get(t, path)
		out := map[string][]string{}
		for _, b := range parsePage(t, body).elements["bdi"] {
			out[nodeText(b)] = append(out[nodeText(b)], attr(b, "lang"))
		}
		return out
	}
	page := langs("/topics/arabic")
	for _, s := range []string{title, other} {
		if got := page[s]; len(got) == 0 || slices.ContainsFunc(got, func(l string) bool { return l != "ar" }) {
			t.Errorf("GET /topics/arabic: the titles %q have lang %q; want each \"ar\"", s, got)
		}
	}
	if got := page[srcAlpha.Name]; len(got) == 0 || got[0] != "" {
		t.Errorf("GET /topics/arabic: the source name %q has lang %q; want none", srcAlpha.Name, got)
	}
	if got := langs("/topics/all")[title]; len(got) == 0 || got[0] != "" {
		t.Errorf("GET /topics/all: the title %q has lang %q; want none, as the topic declares none", title, got)
	}
	if got := langs("/")[title]; !slices.Equal(got, []string{"", "ar"}) && !slices.Equal(got, []string{"ar", ""}) {
		t.Errorf("GET /: the title %q has lang %q; want \"ar\" under the Arabic topic and none under all", title, got)
	}
}

// TestIndexHidesQueryCredentials shows sources whose URLs carry a private
// feed's credential in their query on the front page: the feed links, the
// site links and the recorded errors give the credential as xxxxx and keep
// the other parameters, a source without a name is named by the host,
// path and query of its URL, the credential as xxxxx there too, and a
// story's link, another site's page, keeps its query whole.
func TestIndexHidesQueryCredentials(t *testing.T) {
	f := newFixture(t)
	now := fixedNow()
	private := "https://private.example/feed?token=S3CR3T-1&format=rss"
	st := aggregator.SourceState{
		ID: aggregator.SourceID(private), ConfigURL: private, URL: private,
		SiteURL:   "https://private.example/dashboard?feed_token=S3CR3T-2",
		LastFetch: now.Add(-time.Hour), LastResult: "error", Failures: 2, FailingSince: now.Add(-2 * time.Hour), NextDue: now.Add(-time.Minute),
		LastError: "parsing https://private.example/feed?token=S3CR3T-1&format=rss: unexpected EOF",
	}
	if err := f.db.PutSource(t.Context(), st); err != nil {
		t.Fatal(err)
	}
	putStories(t, f.db, storySpec{at: now.Add(-time.Minute), topics: []string{aggregator.AllTopic}, items: []itemSpec{
		{src: st, guid: "p1", title: "Private story", link: "https://news.example/story?id=5&token=share-link"},
	}})
	cfg := *f.cfg
	cfg.Sources = append(cfg.Sources, aggregator.SourceConfig{URL: private},
		aggregator.SourceConfig{URL: "https://pending.example/rss?apikey=S3CR3T-3&cat=5"})
	f.pub.SetConfig(&cfg, topicsCfg)

	_, body := f.get(t, "/")
	for line := range bytes.Lines(body) {
		if bytes.Contains(line, []byte("S3CR3T")) {
			t.Errorf("GET / shows a credential: %s", line)
		}
	}
	d := parsePage(t, body)
	hrefs := map[string]bool{}
	for _, a := range d.elements["a"] {
		hrefs[attr(a, "href")] = true
	}
	for _, want := range []string{
		"https://private.example/feed?token=xxxxx&format=rss",
		"https://private.example/dashboard?feed_token=xxxxx",
		"https://pending.example/rss?apikey=xxxxx&cat=5",
		"https://news.example/story?id=5&token=share-link",
	} {
		if !hrefs[want] {
			t.Errorf("GET / lacks a link to %s", want)
		}
	}
	// A source with no name is named by the host, path and query of its
	// URL, as status names it.
	if d.row("pending.example/rss?apikey=xxxxx&cat=5") == nil {
		t.Errorf("GET / lacks a row named pending.example/rss?apikey=xxxxx&cat=5")
	}
	for _, want := range []string{"parsing https://private.example/feed?token=xxxxx&format=rss: unexpected EOF"} {
		if !d.hasText(want) {
			t.Errorf("GET / lacks %q", want)
		}
	}
}

// TestPagesKept checks that a web page is rendered once for as long as
// what it shows is unchanged, however many ask for it, and no longer: the
// front page until the store, a topic, the configuration or the clock's
// second moves; a topic's page until the topic changes. Both come gzipped
// to a client that takes it, with an ETag that earns a 304.
func TestPagesKept(t *testing.T) {
	f := newFixture(t)
	now := fixedNow()
	backoff := aggregator.SourceState{ID: "s-backoff", URL: "https://backoff.example/", Name: "Backoff Daily", LastFetch: now.Add(-time.Hour),
		LastResult: "error", LastError: "429 Too Many Requests", Failures: 3, FailingSince: now.Add(-5 * time.Hour), NextDue: now.Add(30 * time.Minute)}
	if err := f.db.PutSource(t.Context(), backoff); err != nil {
		t.Fatal(err)
	}
	renders := func() uint64 { return f.pageRenders(t, "front") }

	first, body := f.get(t, "/")
	start := renders()
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			resp, got := f.do(t, http.MethodGet, "/")
			if resp.StatusCode != http.StatusOK || !bytes.Equal(got, body) || resp.Header.Get("ETag") != first.Header.Get("ETag") {
				t.Errorf("GET / again = %d, ETag %q; want 200 and the same bytes, ETag %q", resp.StatusCode, resp.Header.Get("ETag"), first.Header.Get("ETag"))
			}
		})
	}
	wg.Wait()
	if got := renders() - start; got != 0 {
		t.Errorf("8 more GETs of an unchanged front page rendered it %d times; want 0", got)
	}
	if !bytes.Contains(body, []byte("backing off until")) {
		t.Fatalf("GET / does not show the source backing off")
	}

	// Revalidation and gzip.
	etag := first.Header.Get("ETag")
	if resp, _ := f.do(t, http.MethodGet, "/", "If-None-Match: "+etag); resp.StatusCode != http.StatusNotModified {
		t.Errorf("GET / with If-None-Match %s = %d; want 304", etag, resp.StatusCode)
	}
	zresp, zbody := f.get(t, "/", "Accept-Encoding: gzip")
	if zresp.Header.Get("Content-Encoding") != "gzip" || zresp.Header.Get("Vary") != "Accept-Encoding" {
		t.Fatalf("GET / taking gzip: Content-Encoding %q, Vary %q", zresp.Header.Get("Content-Encoding"), zresp.Header.Get("Vary"))
	}
	if got := gunzip(t, zbody); !bytes.Equal(got, body) {
		t.Errorf("GET / gzipped is not the page")
	}
	if resp, _ := f.do(t, http.MethodGet, "/", "If-None-Match: "+zresp.Header.Get("ETag")); resp.StatusCode != http.StatusNotModified {
		t.Errorf("GET / with the gzipped page's ETag = %d; want 304", resp.StatusCode)
	}

	// A write to the store: the page shows it.
	added := source("https://added.example/feed", "Added Afterwards")
	if err := f.db.PutSource(t.Context(), added); err != nil {
		t.Fatal(err)
	}
	resp, body := f.get(t, "/")
	if !bytes.Contains(body, []byte("Added Afterwards")) || resp.Header.Get("ETag") == etag {
		t.Errorf("GET / after a source was stored does not show it, or kept the ETag")
	}
	// The clock: a backoff ends with no write.
	f.pub.SetClock(func() time.Time { return now.Add(31 * time.Minute) })
	if _, body := f.get(t, "/"); bytes.Contains(body, []byte("backing off until")) {
		t.Errorf("GET / after the backoff ended still shows it")
	}
	// A topic's change, and a reload.
	n := renders()
	f.pub.Changed("world")
	f.get(t, "/")
	cfg := *f.cfg
	cfg.Sources = append(cfg.Sources, aggregator.SourceConfig{URL: "https://configured.example/feed", Name: "Configured Later"})
	f.pub.SetConfig(&cfg, topicsCfg)
	if _, body := f.get(t, "/"); !bytes.Contains(body, []byte("Configured Later")) {
		t.Errorf("GET / after a reload does not show the source it added")
	}
	if got := renders() - n; got != 2 {
		t.Errorf("a topic's change and a reload rendered the front page %d times; want 2", got)
	}

	// A topic's page: kept until the topic changes, then the new story.
	tfirst, tbody := f.get(t, "/topics/world")
	n = f.pageRenders(t, "topic")
	putStories(t, f.db, storySpec{at: t0.Add(5 * time.Hour), topics: []string{"all", "world"}, items: []itemSpec{{src: srcBeta, guid: "b-new", title: "Harbour reopens", link: "https://beta.example/new"}}})
	if resp, got := f.get(t, "/topics/world"); !bytes.Equal(got, tbody) || resp.Header.Get("ETag") != tfirst.Header.Get("ETag") {
		t.Errorf("GET /topics/world changed before the topic did")
	}
	if resp, _ := f.do(t, http.MethodGet, "/topics/world", "If-None-Match: "+tfirst.Header.Get("ETag")); resp.StatusCode != http.StatusNotModified {
		t.Errorf("GET /topics/world with If-None-Match = %d; want 304", resp.StatusCode)
	}
	if got := f.pageRenders(t, "topic") - n; got != 0 {
		t.Errorf("GETs of an unchanged topic page rendered it %d times; want 0", got)
	}
	f.pub.Changed("world")
	if _, got := f.get(t, "/topics/world"); !bytes.Contains(got, []byte("Harbour reopens")) {
		t.Errorf("GET /topics/world after the topic changed lacks its new story")
	}
}

// TestPageNotModifiedNamesHeldTag revalidates the web pages holding one
// coding and asking for the other: the 304 names the tag the client holds,
// as a feed's does, since a cache updates only the stored response whose
// tag a 304 names.
func TestPageNotModifiedNamesHeldTag(t *testing.T) {
	f := newFixture(t)
	for _, path := range []string{"/", "/topics/world"} {
		plain, _ := f.get(t, path)
		zipped, _ := f.get(t, path, "Accept-Encoding: gzip")
		for _, tt := range []struct{ held, ae string }{
			{plain.Header.Get("ETag"), "gzip"},
			{zipped.Header.Get("ETag"), "identity"},
			{plain.Header.Get("ETag"), "identity"},
			{zipped.Header.Get("ETag"), "gzip"},
		} {
			resp, _ := f.do(t, http.MethodGet, path, "Accept-Encoding: "+tt.ae, "If-None-Match: "+tt.held)
			if resp.StatusCode != http.StatusNotModified || resp.Header.Get("ETag") != tt.held {
				t.Errorf("GET %s with If-None-Match %s, Accept-Encoding %s = %d with ETag %s; want 304 naming %s",
					path, tt.held, tt.ae, resp.StatusCode, resp.Header.Get("ETag"), tt.held)
			}
		}
	}
}
