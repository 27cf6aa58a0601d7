package publish_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/publish"
)

func TestHeaders(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		path, contentType string
	}{
		{"/topics/world.rss", "application/rss+xml; charset=utf-8"},
		{"/topics/world.atom", "application/atom+xml; charset=utf-8"},
		{"/topics/world.json", "application/feed+json; charset=utf-8"},
	}
	for _, tt := range tests {
		resp, body := f.get(t, tt.path)
		h := resp.Header
		if got := h.Get("Content-Type"); got != tt.contentType {
			t.Errorf("GET %s Content-Type = %q; want %q", tt.path, got, tt.contentType)
		}
		if got := h.Get("ETag"); !strings.HasPrefix(got, `"`) || strings.HasPrefix(got, "W/") || len(got) < 10 {
			t.Errorf("GET %s ETag = %q; want a strong entity tag", tt.path, got)
		}
		if got, want := h.Get("Last-Modified"), "Fri, 01 Mar 2024 12:30:00 GMT"; got != want {
			t.Errorf("GET %s Last-Modified = %q; want %q (the newest story's Updated)", tt.path, got, want)
		}
		if got := h.Get("Cache-Control"); !strings.Contains(got, "max-age=") {
			t.Errorf("GET %s Cache-Control = %q; want a max-age", tt.path, got)
		}
		if got := h.Get("Vary"); got != "Accept-Encoding" {
			t.Errorf("GET %s Vary = %q; want Accept-Encoding", tt.path, got)
		}
		if got := h.Get("Content-Length"); got != itoa(len(body)) {
			t.Errorf("GET %s Content-Length = %q; want %d", tt.path, got, len(body))
		}
	}
	// An empty topic has no Last-Modified to give.
	resp, _ := f.get(t, "/topics/empty.atom")
	if got := resp.Header.Get("Last-Modified"); got != "" {
		t.Errorf("GET /topics/empty.atom Last-Modified = %q; want none", got)
	}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func TestConditional(t *testing.T) {
	f := newFixture(t)
	resp, _ := f.get(t, "/topics/world.atom")
	etag, lm := resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
	later := t0.Add(20 * time.Hour).Format(http.TimeFormat) // after Last-Modified, before the clock
	ahead := t0.Add(48 * time.Hour).Format(http.TimeFormat) // after the clock
	earlier := t0.Format(http.TimeFormat)
	tests := []struct {
		name   string
		header []string
		want   int
	}{
		{"matching If-None-Match", []string{"If-None-Match: " + etag}, 304},
		{"weak form of the tag", []string{"If-None-Match: W/" + etag}, 304},
		{"tag in a list", []string{`If-None-Match: "nope", ` + etag}, 304},
		{"star", []string{"If-None-Match: *"}, 304},
		{"other tag", []string{`If-None-Match: "nope"`}, 200},
		{"If-Modified-Since equal", []string{"If-Modified-Since: " + lm}, 304},
		{"If-Modified-Since later", []string{"If-Modified-Since: " + later}, 304},
		{"If-Modified-Since ahead of the clock", []string{"If-Modified-Since: " + ahead}, 200},
		{"If-Modified-Since earlier", []string{"If-Modified-Since: " + earlier}, 200},
		{"If-Modified-Since garbage", []string{"If-Modified-Since: yesterday"}, 200},
		{"If-Modified-Since twice", []string{"If-Modified-Since: " + later, "If-Modified-Since: " + earlier}, 200},
		// RFC 9110: If-None-Match is evaluated and If-Modified-Since ignored.
		{"If-None-Match wins over a matching date", []string{`If-None-Match: "nope"`, "If-Modified-Since: " + later}, 200},
		{"If-None-Match wins over an old date", []string{"If-None-Match: " + etag, "If-Modified-Since: " + earlier}, 304},
	}
	for _, tt := range tests {
		resp, body := f.do(t, http.MethodGet, "/topics/world.atom", tt.header...)
		if resp.StatusCode != tt.want {
			t.Errorf("%s: GET /topics/world.atom with %q = %d; want %d", tt.name, tt.header, resp.StatusCode, tt.want)
		}
		if tt.want == 304 {
			if len(body) != 0 {
				t.Errorf("%s: 304 with a body of %d bytes", tt.name, len(body))
			}
			if resp.Header.Get("ETag") != etag {
				t.Errorf("%s: 304 ETag = %q; want %q", tt.name, resp.Header.Get("ETag"), etag)
			}
		}
	}
	if got := f.counter(t, "tributary_feed_not_modified_total", map[string]string{"topic": "world", "format": "atom"}); got != 7 {
		t.Errorf("tributary_feed_not_modified_total{world,atom} = %v; want 7", got)
	}
	if got := f.counter(t, "tributary_feed_requests_total", map[string]string{"topic": "world", "format": "atom", "code": "304"}); got != 7 {
		t.Errorf("tributary_feed_requests_total{world,atom,304} = %v; want 7", got)
	}
}

func TestHead(t *testing.T) {
	f := newFixture(t)
	get, getBody := f.get(t, "/topics/world.json")
	head, body := f.do(t, http.MethodHead, "/topics/world.json")
	if head.StatusCode != 200 || len(body) != 0 {
		t.Fatalf("HEAD /topics/world.json = %d with %d bytes; want 200, no body", head.StatusCode, len(body))
	}
	for _, k := range []string{"ETag", "Last-Modified", "Content-Type", "Content-Length"} {
		if head.Header.Get(k) != get.Header.Get(k) {
			t.Errorf("HEAD %s = %q; GET gave %q", k, head.Header.Get(k), get.Header.Get(k))
		}
	}
	if head.Header.Get("Content-Length") != itoa(len(getBody)) {
		t.Errorf("HEAD Content-Length = %q; want %d", head.Header.Get("Content-Length"), len(getBody))
	}
}

func TestNotFoundAndMethods(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		method, path string
		want         int
	}{
		{"GET", "/topics/nope.atom", 404},
		{"GET", "/topics/world.xml", 404},
		{"GET", "/topics/world.", 404},
		{"GET", "/topics/nope", 404},
		{"GET", "/topics/world.atom/x", 404},
		{"GET", "/nowhere", 404},
		{"GET", "/topics/world.atom?before=garbage", 400},
		{"POST", "/topics/world.atom", 405},
		{"DELETE", "/topics/world.rss", 405},
		{"PUT", "/", 405},
		{"POST", "/opml", 405},
		{"HEAD", "/topics/nope.json", 404},
	}
	for _, tt := range tests {
		resp, _ := f.do(t, tt.method, tt.path)
		if resp.StatusCode != tt.want {
			t.Errorf("%s %s = %d; want %d", tt.method, tt.path, resp.StatusCode, tt.want)
		}
		if tt.want == 405 && !strings.Contains(resp.Header.Get("Allow"), "GET") {
			t.Errorf("%s %s Allow = %q; want GET", tt.method, tt.path, resp.Header.Get("Allow"))
		}
		// A 404 or 405 is heuristically cacheable: a shared cache would
		// keep a topic's 404 after a reload added the topic.
		if got := resp.Header.Values("Cache-Control"); len(got) != 1 || got[0] != "no-store" {
			t.Errorf("%s %s Cache-Control = %q; want [no-store]", tt.method, tt.path, got)
		}
	}
	// A failed If-Match too, of a feed, of a web page and of the list,
	// whose answers name a Cache-Control of their own.
	for _, path := range []string{"/topics/world.atom", "/", "/topics/world", "/opml"} {
		resp, _ := f.do(t, "GET", path, `If-Match: "gone"`)
		if got := resp.Header.Values("Cache-Control"); resp.StatusCode != http.StatusPreconditionFailed || len(got) != 1 || got[0] != "no-store" {
			t.Errorf("GET %s with a stale If-Match = %d, Cache-Control %q; want 412, [no-store]", path, resp.StatusCode, got)
		}
	}
}

func TestGzip(t *testing.T) {
	f := newFixture(t)
	_, plain := f.get(t, "/topics/world.atom")
	before := f.renders(t, "atom")
	for range 2 {
		resp, body := f.get(t, "/topics/world.atom", "Accept-Encoding: br;q=1, gzip;q=0.8")
		if resp.Header.Get("Content-Encoding") != "gzip" {
			t.Fatalf("Content-Encoding = %q; want gzip", resp.Header.Get("Content-Encoding"))
		}
		if got := gunzip(t, body); !bytes.Equal(got, plain) {
			t.Errorf("gzip body decodes to bytes that differ from the plain %d", len(plain))
		}
		etag := resp.Header.Get("ETag")
		if r, _ := f.do(t, "GET", "/topics/world.atom", "Accept-Encoding: gzip", "If-None-Match: "+etag); r.StatusCode != 304 {
			t.Errorf("conditional gzip request = %d; want 304", r.StatusCode)
		}
	}
	if after := f.renders(t, "atom"); after != before {
		t.Errorf("gzip requests rendered %d times; want the cached compressed bytes", after-before)
	}
	// A client that holds one coding and now asks for the other is told
	// that the tag it holds is current: a cache updates only the stored
	// response whose tag a 304 names.
	plainResp, _ := f.get(t, "/topics/world.atom")
	gzResp, _ := f.get(t, "/topics/world.atom", "Accept-Encoding: gzip")
	for _, tt := range []struct{ held, ae string }{
		{plainResp.Header.Get("ETag"), "gzip"},
		{gzResp.Header.Get("ETag"), "identity"},
	} {
		r, _ := f.do(t, "GET", "/topics/world.atom", "Accept-Encoding: "+tt.ae, "If-None-Match: "+tt.held)
		if r.StatusCode != 304 || r.Header.Get("ETag") != tt.held {
			t.Errorf("If-None-Match %s with Accept-Encoding %s = %d with ETag %s; want 304 naming %s", tt.held, tt.ae, r.StatusCode, r.Header.Get("ETag"), tt.held)
		}
	}
	if resp, _ := f.get(t, "/topics/world.atom", "Accept-Encoding: gzip;q=0"); resp.Header.Get("Content-Encoding") != "" {
		t.Errorf("gzip;q=0 got Content-Encoding %q", resp.Header.Get("Content-Encoding"))
	}
}

func TestCaching(t *testing.T) {
	f := newFixture(t)
	first, body1 := f.get(t, "/topics/world.atom")
	reads := f.st.reads.Load()
	for range 5 {
		resp, body := f.get(t, "/topics/world.atom")
		if !bytes.Equal(body, body1) || resp.Header.Get("ETag") != first.Header.Get("ETag") {
			t.Fatalf("repeated GET gave other bytes or ETag")
		}
	}
	if got := f.renders(t, "atom"); got != 1 {
		t.Errorf("6 GETs rendered %d Atom documents; want 1", got)
	}
	if got := f.st.reads.Load(); got != reads {
		t.Errorf("cached GETs read the store %d times; want 0", got-reads)
	}

	// A change to another topic leaves this one cached.
	f.pub.Changed("capped")
	f.get(t, "/topics/world.atom")
	if got := f.renders(t, "atom"); got != 1 {
		t.Errorf("after Changed(capped), world.atom rendered %d times; want 1", got)
	}

	// Changed with nothing new: rebuilt once, same bytes, same ETag.
	f.pub.Changed("world")
	resp, body := f.get(t, "/topics/world.atom")
	f.get(t, "/topics/world.atom")
	if got := f.renders(t, "atom"); got != 2 {
		t.Errorf("after Changed(world), %d renders; want 2", got)
	}
	if !bytes.Equal(body, body1) || resp.Header.Get("ETag") != first.Header.Get("ETag") {
		t.Errorf("an identical render gave ETag %q; first was %q", resp.Header.Get("ETag"), first.Header.Get("ETag"))
	}

	// New data, but no Changed: still the cached bytes.
	putStories(t, f.db, storySpec{at: t0.Add(5 * time.Hour), topics: []string{"all", "world"}, items: []itemSpec{{src: srcBeta, guid: "b-new", title: "Breaking", link: "https://beta.example/new"}}})
	if _, body := f.get(t, "/topics/world.atom"); !bytes.Equal(body, body1) {
		t.Errorf("bytes changed without Changed")
	}
	f.pub.Changed("world")
	resp, body = f.get(t, "/topics/world.atom")
	if bytes.Equal(body, body1) || resp.Header.Get("ETag") == first.Header.Get("ETag") {
		t.Errorf("after new data and Changed, the same bytes and ETag were served")
	}
	if !bytes.Contains(body, []byte("Breaking")) {
		t.Errorf("rebuilt feed lacks the new story")
	}
	if got := resp.Header.Get("Last-Modified"); got != t0.Add(5*time.Hour).Format(http.TimeFormat) {
		t.Errorf("Last-Modified = %q; want the new story's Updated", got)
	}
	// The old ETag no longer matches.
	if r, _ := f.do(t, "GET", "/topics/world.atom", "If-None-Match: "+first.Header.Get("ETag")); r.StatusCode != 200 {
		t.Errorf("stale ETag got %d; want 200", r.StatusCode)
	}

	// SetConfig drops the caches: a new title shows at once.
	topics := slices.Clone(topicsCfg)
	topics[1].Title = "Renamed world"
	f.pub.SetConfig(f.cfg, topics)
	if _, body := f.get(t, "/topics/world.atom"); !bytes.Contains(body, []byte("Renamed world")) {
		t.Errorf("after SetConfig, the feed still has the old title")
	}
}

// TestConcurrentRebuild checks that many requests arriving after Changed
// render the feed once.
func TestConcurrentRebuild(t *testing.T) {
	f := newFixture(t)
	h := f.pub.Handler(nil)
	for round := 1; round <= 3; round++ {
		f.pub.Changed("all")
		var wg sync.WaitGroup
		for range 32 {
			wg.Go(func() {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, httptest.NewRequest("GET", "/topics/all.rss", nil))
				if rec.Code != 200 {
					t.Errorf("GET /topics/all.rss = %d", rec.Code)
				}
			})
		}
		wg.Wait()
		if got := f.renders(t, "rss"); got != uint64(round) {
			t.Errorf("round %d: %d RSS renders; want %d", round, got, round)
		}
	}
}

func TestMaxPerSource(t *testing.T) {
	f := newFixture(t)
	_, body := f.get(t, "/topics/capped.atom")
	doc := checkAtom(t, "capped.atom", body)
	// capped holds stories 0..3: Alpha (face), Beta, Alpha, Alpha. One per
	// face source leaves the first two.
	want := []string{"urn:tributary:story:" + f.ids[0], "urn:tributary:story:" + f.ids[1]}
	var got []string
	for _, e := range doc.Entries {
		got = append(got, e.ID)
	}
	if !slices.Equal(got, want) {
		t.Errorf("capped.atom entries = %q; want %q", got, want)
	}
}

// TestPaging follows rel="next" through every format and checks that the
// pages hold every story once, in order, ties included.
func TestPaging(t *testing.T) {
	f := newFixture(t)
	// Ties are ordered by id: the stories at t0+1h in ascending id order.
	tie := []string{f.ids[2], f.ids[3]}
	slices.Sort(tie)
	want := []string{f.ids[0], f.ids[1], tie[0], tie[1], f.ids[4]}
	for i := range want {
		want[i] = "urn:tributary:story:" + want[i]
	}
	next := func(ext string, body []byte) string {
		switch ext {
		case "atom":
			for _, l := range checkAtom(t, "page", body).Links {
				if l.Rel == "next" {
					return l.Href
				}
			}
		case "rss":
			for _, l := range checkRSS(t, "page", body).Channel.AtomLinks {
				if l.Rel == "next" {
					return l.Href
				}
			}
		case "json":
			return checkJSON(t, "page", body).NextURL
		}
		return ""
	}
	ids := func(ext string, body []byte) []string {
		var out []string
		switch ext {
		case "atom":
			for _, e := range checkAtom(t, "page", body).Entries {
				out = append(out, e.ID)
			}
		case "rss":
			for _, it := range checkRSS(t, "page", body).Channel.Items {
				out = append(out, it.GUID.ID)
			}
		case "json":
			for _, it := range *checkJSON(t, "page", body).Items {
				out = append(out, it.ID)
			}
		}
		return out
	}
	for _, ext := range formats {
		var got []string
		path := "/topics/paged." + ext
		pages := 0
		for path != "" && pages < 10 {
			pages++
			_, body := f.get(t, path)
			page := ids(ext, body)
			if len(page) > 2 {
				t.Errorf("%s: page %d has %d entries; limit is 2", ext, pages, len(page))
			}
			got = append(got, page...)
			path = ""
			if u := next(ext, body); u != "" {
				pu, err := url.Parse(u)
				if err != nil || !strings.HasPrefix(u, testBase+"/topics/paged."+ext+"?before=") {
					t.Fatalf("%s: next link %q", ext, u)
				}
				path = pu.RequestURI()
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: paged entries = %q; want %q", ext, got, want)
		}
		if pages != 3 {
			t.Errorf("%s: %d pages; want 3", ext, pages)
		}
	}
}

func TestOPML(t *testing.T) {
	f := newFixture(t)
	resp, body := f.get(t, "/opml")
	if ct := resp.Header.Get("Content-Type"); !strings.Contains(ct, "opml") {
		t.Errorf("GET /opml Content-Type = %q", ct)
	}
	var doc struct {
		Version  string `xml:"version,attr"`
		Title    string `xml:"head>title"`
		Outlines []struct {
			Type    string `xml:"type,attr"`
			Text    string `xml:"text,attr"`
			XMLURL  string `xml:"xmlUrl,attr"`
			HTMLURL string `xml:"htmlUrl,attr"`
		} `xml:"body>outline"`
	}
	if err := xml.Unmarshal(body, &doc); err != nil {
		t.Fatalf("GET /opml: %v", err)
	}
	if doc.Version != "2.0" || doc.Title == "" {
		t.Errorf("opml version %q, title %q", doc.Version, doc.Title)
	}
	if len(doc.Outlines) != len(topicsCfg) {
		t.Fatalf("opml has %d outlines; want %d", len(doc.Outlines), len(topicsCfg))
	}
	for i, o := range doc.Outlines {
		tc := topicsCfg[i]
		if o.Text != tc.Title || o.XMLURL != testBase+"/topics/"+tc.ID+".atom" || o.HTMLURL != testBase+"/topics/"+tc.ID || o.Type != "rss" {
			t.Errorf("outline %d = %+v; want topic %s", i, o, tc.ID)
		}
	}
}

type health struct{ err error }

func (h health) Healthy() error { return h.err }

func TestHealthz(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		h          publish.Health
		code       int
		status     string
		reasonPart string
	}{
		{nil, 200, "ok", ""},
		{health{}, 200, "ok", ""},
		{health{errors.New("store closed")}, 503, "unavailable", "store closed"},
	}
	for _, tt := range tests {
		rec := httptest.NewRecorder()
		f.pub.Handler(tt.h).ServeHTTP(rec, httptest.NewRequest("GET", "/healthz", nil))
		var body struct{ Status, Reason string }
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
			t.Fatalf("GET /healthz body %q: %v", rec.Body, err)
		}
		if rec.Code != tt.code || body.Status != tt.status || !strings.Contains(body.Reason, tt.reasonPart) {
			t.Errorf("GET /healthz with %v = %d %+v; want %d %q %q", tt.h, rec.Code, body, tt.code, tt.status, tt.reasonPart)
		}
	}
}

type noted struct {
	health
	note string
}

func (n noted) ConfigNote() string { return n.note }

// TestHealthzConfigNote asks /healthz of a daemon whose last reload was
// refused: still healthy, and saying so.
func TestHealthzConfigNote(t *testing.T) {
	f := newFixture(t)
	for _, tt := range []struct {
		h    publish.Health
		code int
		note string
	}{
		{noted{note: "reload refused: config.yaml:3: poll.intervall: unknown key"}, 200, "reload refused: config.yaml:3: poll.intervall: unknown key"},
		{noted{health: health{errors.New("store closed")}, note: "reload refused"}, 503, "reload refused"},
		{noted{}, 200, ""},
	} {
		rec := httptest.NewRecorder()
		f.pub.Handler(tt.h).ServeHTTP(rec, httptest.NewRequest("GET", "/healthz", nil))
		var body map[string]string
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
			t.Fatalf("GET /healthz body %q: %v", rec.Body, err)
		}
		note, has := body["config"]
		if rec.Code != tt.code || note != tt.note || has != (tt.note != "") {
			t.Errorf("GET /healthz with %+v = %d %s; want %d with config %q", tt.h, rec.Code, rec.Body, tt.code, tt.note)
		}
	}
}

func TestMetricsEndpoint(t *testing.T) {
	f := newFixture(t)
	f.get(t, "/topics/world.atom")
	f.do(t, "GET", "/topics/nope.atom")
	// Extensions that are no format share one label, whatever their bytes:
	// a label value must be UTF-8, and clients must not grow the label set.
	for _, path := range []string{"/topics/world.atom2", "/topics/world.%A8", "/topics/nope.x1"} {
		if resp, body := f.do(t, "GET", path); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s = %d %s; want 404", path, resp.StatusCode, body)
		}
	}
	_, body := f.get(t, "/metrics")
	for _, want := range []string{
		`tributary_feed_requests_total{code="200",format="atom",topic="world"} 1`,
		`tributary_feed_requests_total{code="404",format="atom",topic="_unknown"} 1`,
		`tributary_feed_requests_total{code="404",format="_unknown",topic="world"} 2`,
		`tributary_feed_requests_total{code="404",format="_unknown",topic="_unknown"} 1`,
		`tributary_feed_render_seconds_count{format="atom"} 1`,
	} {
		if !bytes.Contains(body, []byte(want)) {
			t.Errorf("GET /metrics lacks %q", want)
		}
	}
	// From loopback, but under a name that is not this machine's, as a
	// web page whose name was rebound to 127.0.0.1: refused.
	req, err := http.NewRequestWithContext(t.Context(), "GET", f.srv.URL+"/metrics", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Host = "rebind.attacker.example"
	if resp, err := client.Do(req); err != nil || resp.StatusCode != http.StatusForbidden {
		t.Errorf("GET /metrics with Host %s = %v, %v; want 403", req.Host, resp, err)
	} else {
		resp.Body.Close()
	}
	// metrics_allow without the loopback network: refused.
	cfg := *f.cfg
	cfg.Server.MetricsAllow = []string{"10.0.0.0/8"}
	f.pub.SetConfig(&cfg, topicsCfg)
	if resp, _ := f.do(t, "GET", "/metrics"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("GET /metrics from loopback with metrics_allow 10/8 = %d; want 403", resp.StatusCode)
	}
	cfg.Server.MetricsAllow = []string{"10.0.0.0/8", "127.0.0.0/8", "::1/128"}
	f.pub.SetConfig(&cfg, topicsCfg)
	if resp, _ := f.do(t, "GET", "/metrics"); resp.StatusCode != http.StatusOK {
		t.Errorf("GET /metrics from loopback with metrics_allow 127/8 = %d; want 200", resp.StatusCode)
	}
	// Without a registry there are no metrics to serve.
	p := publish.New(f.cfg, f.db, topicsCfg, nil, nil)
	rec := httptest.NewRecorder()
	p.Handler(nil).ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != 404 {
		t.Errorf("GET /metrics without a registry = %d; want 404", rec.Code)
	}
}

// failingStore fails every topic read.
type failingStore struct{ aggregator.Store }

func (failingStore) TopicStories(context.Context, string, time.Time, func(aggregator.Story, []aggregator.Item) bool) error {
	return errors.New("disk on fire")
}

// TestStoreError checks that a failing store gives 500 without details and
// is not cached: the next request tries again.
func TestStoreError(t *testing.T) {
	f := newFixture(t)
	p := publish.New(f.cfg, failingStore{f.db}, topicsCfg, nil, nil)
	h := p.Handler(nil)
	for _, path := range []string{"/topics/world.atom", "/topics/world", "/"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		want := 500
		if path == "/" {
			want = 200 // the front page shows the topic's failure and the sources
		}
		if rec.Code != want || strings.Contains(rec.Body.String(), "disk on fire") {
			t.Errorf("GET %s with a failing store = %d %q; want %d without the error text", path, rec.Code, rec.Body, want)
		}
	}
}

// TestHealthzTopicFailingAfterReload reads a topic whose stories the store
// cannot give: /healthz answers 503 naming it, and goes on doing so after
// a reload that keeps the topic, where the reload forgot the failure and
// /healthz answered 200 until a reader asked for the feed again.
func TestHealthzTopicFailingAfterReload(t *testing.T) {
	f := newFixture(t)
	p := publish.New(f.cfg, failingStore{f.db}, topicsCfg, nil, nil)
	h := p.Handler(nil)
	get := func(path string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		return rec
	}
	if rec := get("/topics/world.atom"); rec.Code != http.StatusInternalServerError {
		t.Fatalf("GET /topics/world.atom with a failing store = %d; want 500", rec.Code)
	}
	for _, when := range []string{"before the reload", "after the reload"} {
		rec := get("/healthz")
		if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), "(topics world)") {
			t.Errorf("GET /healthz %s, topic world failing = %d %s; want 503 naming the topic", when, rec.Code, rec.Body)
		}
		p.SetConfig(f.cfg, topicsCfg)
	}
}

// TestStableEntryID checks that a story keeps its entry id when a better
// item becomes its face: the title and link change, the id does not.
func TestStableEntryID(t *testing.T) {
	f := newFixture(t)
	_, body := f.get(t, "/topics/world.atom")
	before := checkAtom(t, "world.atom", body).Entries[0]
	err := f.db.Update(t.Context(), func(tx aggregator.Tx) error {
		st, err := tx.Story(f.ids[0])
		if err != nil {
			return err
		}
		st.Face = st.Members[1].Item // Beta Wire's item
		st.Updated = st.Updated.Add(time.Hour)
		return tx.PutStory(st)
	})
	if err != nil {
		t.Fatal(err)
	}
	f.pub.Changed("world")
	_, body = f.get(t, "/topics/world.atom")
	after := checkAtom(t, "world.atom", body).Entries[0]
	if after.ID != before.ID {
		t.Errorf("entry id changed with the face: %q, then %q", before.ID, after.ID)
	}
	if after.Title != "Beijing talks resume" || !strings.Contains(after.Content.Body, "Alpha News") {
		t.Errorf("after the face change, entry title %q, content %q; want Beta Wire's item and Alpha News among the others", after.Title, after.Content.Body)
	}
}

// TestReloadDropsTopicMetrics reloads configurations that replace a topic,
// as an operator does over months: the request counters keep series for
// the topics configured now (and _unknown), not for every topic ever
// configured.
func TestReloadDropsTopicMetrics(t *testing.T) {
	f := newFixture(t)
	for i := range 30 {
		topics := append(slices.Clone(topicsCfg[:2]), aggregator.TopicConfig{ID: fmt.Sprintf("desk-%d", i), Title: "Desk"})
		f.pub.SetConfig(f.cfg, topics)
		f.get(t, fmt.Sprintf("/topics/desk-%d.atom", i))
		f.do(t, http.MethodGet, fmt.Sprintf("/topics/desk-%d.atom", i-1))
	}
	mfs, err := f.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if !strings.HasPrefix(mf.GetName(), "tributary_feed_") {
			continue
		}
		seen := map[string]bool{}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "topic" {
					seen[l.GetValue()] = true
				}
			}
		}
		if len(seen) == 0 {
			continue
		}
		for topic := range seen {
			switch topic {
			case aggregator.AllTopic, "world", "desk-29", "_unknown":
			default:
				t.Errorf("%s has a series of topic %q, which no longer exists (%d topics in all)", mf.GetName(), topic, len(seen))
			}
		}
	}
}

// TestCrossOrigin checks that every feed, in both codings and in a 304, a
// feed's errors, and the OPML list may be read by a web page of another
// origin (a web-based reader fetching feeds in the browser), with their
// ETag exposed, and that the web pages, /healthz and /metrics may not.
func TestCrossOrigin(t *testing.T) {
	f := newFixture(t)
	open := []struct {
		path   string
		header []string
	}{
		{"/topics/world.rss", nil},
		{"/topics/world.atom", []string{"Accept-Encoding: gzip"}},
		{"/topics/world.json", nil},
		{"/topics/empty.json", nil},
		{"/opml", nil},
	}
	for _, tt := range open {
		resp, _ := f.get(t, tt.path, append([]string{"Origin: https://reader.example"}, tt.header...)...)
		if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "*" {
			t.Errorf("GET %s Access-Control-Allow-Origin = %q; want *", tt.path, got)
		}
		if got := resp.Header.Get("Access-Control-Allow-Credentials"); got != "" {
			t.Errorf("GET %s Access-Control-Allow-Credentials = %q; want none", tt.path, got)
		}
		if got := resp.Header.Get("Access-Control-Expose-Headers"); !strings.Contains(got, "ETag") {
			t.Errorf("GET %s Access-Control-Expose-Headers = %q; want ETag among them", tt.path, got)
		}
		r, _ := f.do(t, http.MethodGet, tt.path, append([]string{"Origin: https://reader.example", "If-None-Match: " + resp.Header.Get("ETag")}, tt.header...)...)
		if r.StatusCode != http.StatusNotModified || r.Header.Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("GET %s revalidated = %d with Access-Control-Allow-Origin %q; want 304 with *", tt.path, r.StatusCode, r.Header.Get("Access-Control-Allow-Origin"))
		}
	}
	// A feed's errors too, so that a web-based reader can tell a missing
	// feed from a network failure.
	for _, tt := range []struct {
		path string
		want int
	}{
		{"/topics/nope.atom", 404},
		{"/topics/nope.json", 404},
		{"/topics/world.xml", 404},
		{"/topics/nope.rdf", 404},
		{"/topics/world.atom?before=garbage", 400},
	} {
		resp, _ := f.do(t, http.MethodGet, tt.path, "Origin: https://reader.example")
		if resp.StatusCode != tt.want || resp.Header.Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("GET %s = %d with Access-Control-Allow-Origin %q; want %d with *", tt.path, resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"), tt.want)
		}
	}
	if resp, _ := f.do(t, http.MethodGet, "/topics/nope", "Origin: https://reader.example"); resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("GET /topics/nope Access-Control-Allow-Origin = %q; want none", resp.Header.Get("Access-Control-Allow-Origin"))
	}
	for _, path := range []string{"/", "/topics/world", "/healthz", "/metrics"} {
		resp, _ := f.get(t, path, "Origin: https://reader.example")
		if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "" {
			t.Errorf("GET %s Access-Control-Allow-Origin = %q; want none", path, got)
		}
	}
}

// TestPreconditions checks If-Match and If-Unmodified-Since on a feed, a
// web page and the OPML list: a failed one is answered 412, not with the
// document (RFC 9110, section 13.2.2). If-Match compares strongly: a weak
// tag, or the tag of the coding not served, fails.
func TestPreconditions(t *testing.T) {
	f := newFixture(t)
	resp, _ := f.get(t, "/topics/world.atom")
	etag, lm := resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
	gzResp, _ := f.get(t, "/topics/world.atom", "Accept-Encoding: gzip")
	gzETag := gzResp.Header.Get("ETag")
	earlier := t0.Format(http.TimeFormat)
	tests := []struct {
		name   string
		header []string
		want   int
	}{
		{"If-Match of the tag", []string{"If-Match: " + etag}, 200},
		{"If-Match in a list", []string{`If-Match: "nope", ` + etag}, 200},
		{"If-Match star", []string{"If-Match: *"}, 200},
		{"If-Match of another tag", []string{`If-Match: "nope"`}, 412},
		{"If-Match of the weak tag", []string{"If-Match: W/" + etag}, 412},
		{"If-Match of the gzip coding's tag", []string{"If-Match: " + gzETag}, 412},
		{"If-Match of the gzip coding, taking gzip", []string{"If-Match: " + gzETag, "Accept-Encoding: gzip"}, 200},
		{"If-Unmodified-Since the date", []string{"If-Unmodified-Since: " + lm}, 200},
		{"If-Unmodified-Since earlier", []string{"If-Unmodified-Since: " + earlier}, 412},
		{"If-Unmodified-Since garbage", []string{"If-Unmodified-Since: yesterday"}, 200},
		{"If-Match wins over If-Unmodified-Since", []string{"If-Match: " + etag, "If-Unmodified-Since: " + earlier}, 200},
		{"If-Match before If-None-Match", []string{`If-Match: "nope"`, "If-None-Match: " + etag}, 412},
	}
	for _, tt := range tests {
		for _, method := range []string{http.MethodGet, http.MethodHead} {
			resp, body := f.do(t, method, "/topics/world.atom", tt.header...)
			if resp.StatusCode != tt.want {
				t.Errorf("%s: %s /topics/world.atom with %q = %d; want %d", tt.name, method, tt.header, resp.StatusCode, tt.want)
			}
			if tt.want == 412 && (resp.Header.Get("Content-Encoding") != "" || method == http.MethodGet && bytes.Contains(body, []byte("<feed"))) {
				t.Errorf("%s: %s 412 carries the feed or a Content-Encoding %q", tt.name, method, resp.Header.Get("Content-Encoding"))
			}
		}
	}
	for _, path := range []string{"/", "/topics/world", "/opml"} {
		resp, _ := f.get(t, path, "Accept-Encoding: gzip")
		if r, _ := f.do(t, http.MethodGet, path, "Accept-Encoding: gzip", "If-Match: "+resp.Header.Get("ETag")); r.StatusCode != 200 {
			t.Errorf("GET %s with If-Match of its tag = %d; want 200", path, r.StatusCode)
		}
		r, _ := f.do(t, http.MethodGet, path, "Accept-Encoding: gzip", `If-Match: "nope"`)
		if r.StatusCode != 412 || r.Header.Get("Content-Encoding") != "" {
			t.Errorf("GET %s with If-Match of another tag = %d, Content-Encoding %q; want 412 and none", path, r.StatusCode, r.Header.Get("Content-Encoding"))
		}
	}
}

// TestCrossOriginPreflight sends the preflight a browser sends before a
// web page's request of a feed that names its own If-None-Match: it is
// granted for a feed and for the OPML list, not for a topic's page, and any
// OPTIONS on /topics/ names the methods allowed.
func TestCrossOriginPreflight(t *testing.T) {
	f := newFixture(t)
	preflight := []string{"Origin: https://reader.example", "Access-Control-Request-Method: GET", "Access-Control-Request-Headers: if-none-match"}
	for _, path := range []string{"/topics/world.atom", "/topics/world.rss", "/topics/world.json", "/opml"} {
		resp, _ := f.do(t, http.MethodOptions, path, preflight...)
		h := resp.Header
		if resp.StatusCode != http.StatusNoContent || h.Get("Access-Control-Allow-Origin") != "*" ||
			!strings.Contains(h.Get("Access-Control-Allow-Methods"), "GET") ||
			!strings.Contains(strings.ToLower(h.Get("Access-Control-Allow-Headers")), "if-none-match") {
			t.Errorf("preflight of %s = %d, Allow-Origin %q, Allow-Methods %q, Allow-Headers %q; want 204 granting GET with If-None-Match",
				path, resp.StatusCode, h.Get("Access-Control-Allow-Origin"), h.Get("Access-Control-Allow-Methods"), h.Get("Access-Control-Allow-Headers"))
		}
	}
	resp, _ := f.do(t, http.MethodOptions, "/topics/world", preflight...)
	if resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("preflight of /topics/world granted Access-Control-Allow-Origin %q; want none", resp.Header.Get("Access-Control-Allow-Origin"))
	}
	// The preflight grants what the GET gives: a feed request's 404 (an
	// unknown format or topic) is readable by any origin, a page's not.
	for _, path := range []string{"/topics/world.xml", "/topics/world.", "/topics/nosuch.atom", "/topics/nosuch.xml", "/topics/world.atom.bak", "/topics/nosuch"} {
		got, _ := f.do(t, http.MethodGet, path)
		pre, _ := f.do(t, http.MethodOptions, path, preflight...)
		if g, p := got.Header.Get("Access-Control-Allow-Origin"), pre.Header.Get("Access-Control-Allow-Origin"); g != p {
			t.Errorf("GET %s = %d with Access-Control-Allow-Origin %q; its preflight grants %q; want the same", path, got.StatusCode, g, p)
		}
	}
	for _, path := range []string{"/topics/world", "/topics/world.atom"} {
		resp, _ := f.do(t, http.MethodOptions, path)
		if resp.StatusCode != http.StatusNoContent || !strings.Contains(resp.Header.Get("Allow"), "GET") {
			t.Errorf("OPTIONS %s = %d, Allow %q; want 204 allowing GET", path, resp.StatusCode, resp.Header.Get("Allow"))
		}
	}
}
