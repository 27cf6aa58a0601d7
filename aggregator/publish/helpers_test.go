package publish_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/publish"
	"github.com/tributary-feeds/tributary/store"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// rssTag is a tag, comment or declaration in text read as HTML.
var rssTag = regexp.MustCompile(`<[A-Za-z/!?][^>]*>`)

// asRSSText is plain text s as RSS publishes it: without the tags a reader
// taking it for HTML would make elements of.
func asRSSText(s string) string {
	return strings.Join(strings.Fields(rssTag.ReplaceAllString(s, " ")), " ")
}

// t0 is the fixed clock of every test: stories are dated around it.
var t0 = time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)

// Sources of the fixture. The third has a hostile name.
var (
	srcAlpha  = source("https://alpha.example/feed.xml", "Alpha News")
	srcBeta   = source("https://beta.example/rss", "Beta Wire")
	srcGamma  = source("https://gamma.example/atom", `<script>alert("x")</script> Gazette & Co`)
	fixedNow  = func() time.Time { return t0.Add(24 * time.Hour) }
	testBase  = "http://feeds.test:8080"
	topicsCfg = []aggregator.TopicConfig{
		{ID: aggregator.AllTopic, Title: "Everything", Description: "Every story from every source."},
		{ID: "world", Title: "World <news> & more", Description: "Stories about the world."},
		{ID: "capped", Title: "One per source", MaxPerSource: 1},
		{ID: "paged", Title: "Paged", Limit: 2},
		{ID: "empty", Title: "Nothing yet"},
	}
)

func source(url, name string) aggregator.SourceState {
	return aggregator.SourceState{ID: aggregator.SourceID(url), ConfigURL: url, URL: url, Name: name}
}

// itemSpec describes one item of a fixture story.
type itemSpec struct {
	src     aggregator.SourceState
	guid    string
	title   string
	link    string
	content string
	summary string
	authors []string
	encs    []aggregator.Enclosure
	lang    string // the language its source declared
}

// storySpec describes a fixture story; its first item is the face unless
// face says otherwise.
type storySpec struct {
	at     time.Time
	upd    time.Duration // Updated - Time
	topics []string
	tags   []string
	face   int
	items  []itemSpec
}

// putStories writes the stories in one transaction and returns their ids.
func putStories(tb testing.TB, db *store.DB, specs ...storySpec) []string {
	tb.Helper()
	var ids []string
	err := db.Update(tb.Context(), func(tx aggregator.Tx) error {
		for _, sp := range specs {
			var st aggregator.Story
			for i, is := range sp.items {
				it := aggregator.Item{
					ID:         aggregator.ItemID(is.src.ID, is.guid),
					SourceID:   is.src.ID,
					GUID:       is.guid,
					Link:       is.link,
					Title:      is.title,
					Content:    is.content,
					Summary:    is.summary,
					Authors:    is.authors,
					Enclosures: is.encs,
					Published:  sp.at.Add(time.Duration(i) * time.Minute),
					FirstSeen:  sp.at,
					Dated:      true,
					Categories: sp.tags,
					Language:   is.lang,
				}
				if i == 0 {
					st.ID = it.ID
				}
				it.StoryID = st.ID
				if err := tx.PutItem(it); err != nil {
					return err
				}
				st.Members = append(st.Members, aggregator.Member{Item: it.ID, Source: is.src.ID, Time: it.Published, Match: aggregator.Match{Reason: aggregator.ReasonGUID}})
				if i == sp.face {
					st.Face = it.ID
				}
			}
			st.Time = sp.at
			st.Updated = sp.at.Add(sp.upd)
			st.Topics = sp.topics
			st.Tags = sp.tags
			if err := tx.PutStory(st); err != nil {
				return err
			}
			ids = append(ids, st.ID)
		}
		return nil
	})
	if err != nil {
		tb.Fatalf("writing stories: %v", err)
	}
	return ids
}

func mustOpen(tb testing.TB) *store.DB {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "agg.db")
	db, err := store.Open(path, store.Options{})
	if err != nil {
		tb.Fatalf("store.Open(%q) = %v", path, err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// fixtureStories is the shared test data: a story carried by three sources,
// hostile markup, ties in time, and enough stories to page.
func fixtureStories() []storySpec {
	return []storySpec{
		{
			at: t0.Add(3 * time.Hour), upd: 30 * time.Minute, topics: []string{"all", "world", "capped", "paged"}, tags: []string{"world", "china-us", "diplomacy"},
			items: []itemSpec{
				{src: srcAlpha, guid: "a-1", title: "Talks resume in Beijing", link: "https://alpha.example/2024/talks", content: "<p>Officials met on <b>Friday</b>.</p>", authors: []string{"Ann Writer"}, lang: "en-GB"},
				{src: srcBeta, guid: "b-1", title: "Beijing talks resume", link: "https://beta.example/news/1?id=7&ref=x"},
				{src: srcGamma, guid: "g-1", title: "Talks <resume>", link: "https://gamma.example/talks"},
			},
		},
		{
			at: t0.Add(2 * time.Hour), topics: []string{"all", "world", "capped", "paged"}, tags: []string{"markets"},
			items: []itemSpec{
				{src: srcBeta, guid: "b-2", title: "Tom & Jerry <b>bold</b> markets", link: "https://beta.example/news/2", content: `<p>Markets <script>alert(1)</script>fell. <a href="javascript:alert(1)">x</a></p>`},
			},
		},
		{
			at: t0.Add(1 * time.Hour), topics: []string{"all", "capped", "paged"},
			items: []itemSpec{
				{src: srcAlpha, guid: "a-3", title: "Tie one", link: "https://alpha.example/tie-1", content: "<p>First of two at the same time.</p>"},
			},
		},
		{
			at: t0.Add(1 * time.Hour), topics: []string{"all", "capped", "paged"},
			items: []itemSpec{
				{src: srcAlpha, guid: "a-4", title: "Tie two", link: "https://alpha.example/tie-2", content: "<p>Second of two at the same time.</p>"},
			},
		},
		{
			at: t0, topics: []string{"all", "paged"},
			items: []itemSpec{
				{src: srcGamma, guid: "g-5", title: "Oldest story", link: "https://gamma.example/old", content: "<p>The oldest.</p>"},
			},
		},
	}
}

// fixture is a publisher over a real store holding fixtureStories.
type fixture struct {
	db    *store.DB
	st    *countingStore
	pub   *publish.Publisher
	reg   *prometheus.Registry
	srv   *httptest.Server
	ids   []string
	cfg   *aggregator.Config
	topic map[string]aggregator.TopicConfig
}

// countingStore counts the topic reads that reach the store.
type countingStore struct {
	aggregator.Store
	reads atomic.Int64
}

func (c *countingStore) TopicStories(ctx context.Context, topic string, before time.Time, fn func(aggregator.Story, []aggregator.Item) bool) error {
	c.reads.Add(1)
	return c.Store.TopicStories(ctx, topic, before, fn)
}

func newFixture(tb testing.TB) *fixture {
	tb.Helper()
	db := mustOpen(tb)
	for _, s := range []aggregator.SourceState{srcAlpha, srcBeta, srcGamma} {
		s.LastFetch, s.LastSuccess, s.LastResult, s.Fetches, s.NotModified, s.Items = t0, t0, "ok", 4, 1, 3
		if err := db.PutSource(tb.Context(), s); err != nil {
			tb.Fatalf("PutSource: %v", err)
		}
	}
	f := &fixture{db: db, st: &countingStore{Store: db}, reg: prometheus.NewRegistry(), topic: map[string]aggregator.TopicConfig{}}
	f.ids = putStories(tb, db, fixtureStories()...)
	f.cfg = &aggregator.Config{
		Server: aggregator.ServerConfig{Listen: "127.0.0.1:0", BaseURL: testBase + "/"},
		Sources: []aggregator.SourceConfig{
			{URL: srcAlpha.ConfigURL, Name: srcAlpha.Name}, {URL: srcBeta.ConfigURL, Name: srcBeta.Name}, {URL: srcGamma.ConfigURL, Name: srcGamma.Name},
		},
		Topics: topicsCfg,
	}
	for _, t := range topicsCfg {
		f.topic[t.ID] = t
	}
	f.pub = publish.New(f.cfg, f.st, topicsCfg, f.reg, nil)
	f.pub.SetClock(fixedNow)
	tb.Cleanup(f.pub.Close) // before the store closes
	f.srv = httptest.NewServer(f.pub.Handler(nil))
	tb.Cleanup(f.srv.Close)
	return f
}

// client does not ask for gzip on its own, so tests see the raw answer.
var client = &http.Client{Transport: &http.Transport{DisableCompression: true}}

// get requests path with the given header lines ("Name: value") and returns
// the response and its body.
func (f *fixture) do(tb testing.TB, method, path string, header ...string) (*http.Response, []byte) {
	tb.Helper()
	req, err := http.NewRequestWithContext(tb.Context(), method, f.srv.URL+path, nil)
	if err != nil {
		tb.Fatalf("NewRequest(%s %s): %v", method, path, err)
	}
	for _, h := range header {
		k, v, _ := strings.Cut(h, ":")
		req.Header.Add(k, strings.TrimSpace(v))
	}
	resp, err := client.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatalf("%s %s: reading body: %v", method, path, err)
	}
	return resp, body
}

func (f *fixture) get(tb testing.TB, path string, header ...string) (*http.Response, []byte) {
	tb.Helper()
	resp, body := f.do(tb, http.MethodGet, path, header...)
	if resp.StatusCode != http.StatusOK {
		tb.Fatalf("GET %s = %d %s; want 200", path, resp.StatusCode, body)
	}
	return resp, body
}

// renders returns how many documents of the format were rendered, read from
// the render-duration histogram.
func (f *fixture) renders(tb testing.TB, format string) uint64 {
	tb.Helper()
	return f.histogramCount(tb, "tributary_feed_render_seconds", "format", format)
}

// pageRenders counts the renders of a web page ("front" or "topic").
func (f *fixture) pageRenders(tb testing.TB, page string) uint64 {
	tb.Helper()
	return f.histogramCount(tb, "tributary_page_render_seconds", "page", page)
}

// histogramCount is the sample count of the histogram name's series whose
// label has value, 0 if there is none.
func (f *fixture) histogramCount(tb testing.TB, name, label, value string) uint64 {
	tb.Helper()
	mfs, err := f.reg.Gather()
	if err != nil {
		tb.Fatalf("Gather: %v", err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == label && l.GetValue() == value {
					return m.GetHistogram().GetSampleCount()
				}
			}
		}
	}
	return 0
}

// counter returns the value of a counter series with the given labels.
func (f *fixture) counter(tb testing.TB, name string, labels map[string]string) float64 {
	tb.Helper()
	mfs, err := f.reg.Gather()
	if err != nil {
		tb.Fatalf("Gather: %v", err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	metric:
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if want, ok := labels[l.GetName()]; ok && want != l.GetValue() {
					continue metric
				}
			}
			return m.GetCounter().GetValue()
		}
	}
	return 0
}

// gunzip decodes a gzipped body.
func gunzip(tb testing.TB, body []byte) []byte {
	tb.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		tb.Fatalf("gzip.NewReader: %v", err)
	}
	got, err := io.ReadAll(zr)
	if err != nil {
		tb.Fatalf("reading gzip body: %v", err)
	}
	return got
}
