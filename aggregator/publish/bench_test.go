package publish_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/publish"
)

// benchFixture is a publisher whose "all" topic holds 60 stories of about
// 2 KB of HTML each, most carried by two or three of its 8 sources.
func benchFixture(b *testing.B) (*publish.Publisher, http.Handler) {
	return benchFixtureSources(b, 8)
}

// benchFixtureSources is benchFixture with n sources, each fetched, the
// stories' among them.
func benchFixtureSources(b *testing.B, n int) (*publish.Publisher, http.Handler) {
	b.Helper()
	db := mustOpen(b)
	srcs := make([]aggregator.SourceState, n)
	for i := range srcs {
		srcs[i] = source(fmt.Sprintf("https://src%d.example/feed", i), fmt.Sprintf("Source %d", i))
		st := srcs[i]
		st.LastFetch, st.LastSuccess, st.LastResult, st.Fetches, st.NotModified, st.Items = t0, t0, "ok", 4, 1, 3
		if err := db.PutSource(b.Context(), st); err != nil {
			b.Fatal(err)
		}
	}
	srcs = srcs[:min(n, 8)]
	para := "<p>" + strings.Repeat("The minister said talks would resume after a week of tension over trade. ", 6) + "</p>"
	var specs []storySpec
	for i := range 60 {
		sp := storySpec{at: t0.Add(time.Duration(i) * time.Minute), upd: time.Minute, topics: []string{"all"}, tags: []string{"world", "trade"}}
		for j := range 1 + i%3 {
			src := srcs[(i+j)%len(srcs)]
			sp.items = append(sp.items, itemSpec{
				src: src, guid: fmt.Sprintf("g-%d-%d", i, j), title: fmt.Sprintf("Story %d as told by %s", i, src.Name),
				link: fmt.Sprintf("https://src%d.example/story/%d", (i+j)%len(srcs), i), content: strings.Repeat(para, 4), authors: []string{"A. Reporter"},
			})
		}
		specs = append(specs, sp)
	}
	putStories(b, db, specs...)
	cfg := &aggregator.Config{Server: aggregator.ServerConfig{BaseURL: testBase}}
	p := publish.New(cfg, db, []aggregator.TopicConfig{{ID: "all", Title: "Everything", Limit: 50}}, nil, nil)
	return p, p.Handler(nil)
}

// discard is a ResponseWriter that keeps nothing, so a benchmark measures
// the handler and not a recorder.
type discard struct {
	h    http.Header
	code int
	n    int
}

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) WriteHeader(code int)        { d.code = code }
func (d *discard) Write(p []byte) (int, error) { d.n += len(p); return len(p), nil }

func (d *discard) reset() {
	clear(d.h)
	d.code, d.n = 0, 0
}

// BenchmarkRender rebuilds the 50-entry Atom feed of a topic: the store
// read, the page and the document, as after every Changed.
func BenchmarkRender(b *testing.B) {
	p, h := benchFixture(b)
	req := httptest.NewRequest("GET", "/topics/all.atom", nil)
	w := &discard{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		p.Changed("all")
		w.reset()
		h.ServeHTTP(w, req)
		if w.code != 200 {
			b.Fatalf("GET = %d", w.code)
		}
	}
	b.ReportMetric(float64(w.n), "bytes/feed")
}

// BenchmarkServeCached serves the cached Atom bytes through the handler,
// beside a handler that writes the same bytes from memory.
func BenchmarkServeCached(b *testing.B) {
	_, h := benchFixture(b)
	for _, bc := range []struct {
		name   string
		header string
		want   int
	}{
		{"plain", "", 200},
		{"gzip", "gzip", 200},
	} {
		b.Run(bc.name, func(b *testing.B) {
			req := httptest.NewRequest("GET", "/topics/all.atom", nil)
			if bc.header != "" {
				req.Header.Set("Accept-Encoding", bc.header)
			}
			w := &discard{h: http.Header{}}
			h.ServeHTTP(w, req) // fill the cache
			b.ReportAllocs()
			for b.Loop() {
				w.reset()
				h.ServeHTTP(w, req)
				if w.code != bc.want {
					b.Fatalf("GET = %d", w.code)
				}
			}
		})
	}
	b.Run("not-modified", func(b *testing.B) {
		w := &discard{h: http.Header{}}
		h.ServeHTTP(w, httptest.NewRequest("GET", "/topics/all.atom", nil))
		req := httptest.NewRequest("GET", "/topics/all.atom", nil)
		req.Header.Set("If-None-Match", w.h.Get("ETag"))
		b.ReportAllocs()
		for b.Loop() {
			w.reset()
			h.ServeHTTP(w, req)
			if w.code != 304 {
				b.Fatalf("GET = %d", w.code)
			}
		}
	})
	b.Run("baseline", func(b *testing.B) {
		w := &discard{h: http.Header{}}
		h.ServeHTTP(w, httptest.NewRequest("GET", "/topics/all.atom", nil))
		body := make([]byte, w.n)
		plain := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/atom+xml; charset=utf-8")
			w.WriteHeader(200)
			w.Write(body)
		})
		req := httptest.NewRequest("GET", "/topics/all.atom", nil)
		b.ReportAllocs()
		for b.Loop() {
			w.reset()
			plain.ServeHTTP(w, req)
		}
	})
}

// BenchmarkServeHTTP serves the cached Atom feed over loopback HTTP from
// parallel clients, beside a handler that writes the same bytes from
// memory: the ratio of the two is the cost of the feed handler.
func BenchmarkServeHTTP(b *testing.B) {
	_, h := benchFixture(b)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/topics/all.atom", nil))
	body := rec.Body.Bytes()
	plain := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/atom+xml; charset=utf-8")
		w.Write(body)
	})
	for _, bc := range []struct {
		name string
		h    http.Handler
	}{{"publisher", h}, {"baseline", plain}} {
		b.Run(bc.name, func(b *testing.B) {
			srv := httptest.NewServer(bc.h)
			defer srv.Close()
			tr := &http.Transport{DisableCompression: true, MaxIdleConnsPerHost: 64}
			defer tr.CloseIdleConnections()
			c := &http.Client{Transport: tr}
			b.SetParallelism(8)
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					resp, err := c.Get(srv.URL + "/topics/all.atom")
					if err != nil {
						b.Error(err)
						return
					}
					n, _ := io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != 200 || int(n) != len(body) {
						b.Errorf("GET = %d with %d bytes", resp.StatusCode, n)
						return
					}
				}
			})
		})
	}
}

// BenchmarkPages serves the HTML pages of a publisher with 1,000 sources:
// the front page (every topic's headlines and every source's state) and a
// topic's page. "kept" asks again with nothing changed, as a reader
// reloading the page or many at once; "render" changes what the page
// shows before each request: the clock's second for the front page, the
// topic for its page (which reads its stories from the store again).
func BenchmarkPages(b *testing.B) {
	p, h := benchFixtureSources(b, 1000)
	for _, pg := range []struct {
		name, path string
		change     func(i int)
	}{
		{"front", "/", func(i int) {
			at := t0.Add(time.Duration(i) * time.Second)
			p.SetClock(func() time.Time { return at })
		}},
		{"topic", "/topics/all", func(int) { p.Changed("all") }},
	} {
		for _, mode := range []string{"kept", "render"} {
			b.Run(pg.name+"/"+mode, func(b *testing.B) {
				req := httptest.NewRequest("GET", pg.path, nil)
				w := &discard{h: http.Header{}}
				b.ReportAllocs()
				i := 0
				for b.Loop() {
					if i++; mode == "render" {
						pg.change(i)
					}
					w.reset()
					h.ServeHTTP(w, req)
					if w.code != 200 {
						b.Fatalf("GET %s = %d", pg.path, w.code)
					}
				}
				b.ReportMetric(float64(w.n), "bytes/page")
			})
		}
	}
}

// BenchmarkCrawlOlder walks every older page of a 500-story topic in the
// three formats, following each page's link to the next, as a crawler
// does: 27 requests an operation, the first pages left out. It walks the
// same pages again at each operation, as a crawler coming back does, with
// nothing changed between; its first visit is not counted.
func BenchmarkCrawlOlder(b *testing.B) {
	db := mustOpen(b)
	srcs := make([]aggregator.SourceState, 8)
	for i := range srcs {
		srcs[i] = source(fmt.Sprintf("https://src%d.example/feed", i), fmt.Sprintf("Source %d", i))
		if err := db.PutSource(b.Context(), srcs[i]); err != nil {
			b.Fatal(err)
		}
	}
	para := "<p>" + strings.Repeat("The minister said talks would resume after a week of tension over trade. ", 6) + "</p>"
	var specs []storySpec
	for i := range 500 {
		sp := storySpec{at: t0.Add(-time.Duration(i) * time.Minute), upd: time.Minute, topics: []string{"all"}, tags: []string{"world"}}
		for j := range 1 + i%3 {
			src := srcs[(i+j)%len(srcs)]
			sp.items = append(sp.items, itemSpec{
				src: src, guid: fmt.Sprintf("g-%d-%d", i, j), title: fmt.Sprintf("Story %d as told by %s", i, src.Name),
				link: fmt.Sprintf("https://src%d.example/story/%d", (i+j)%len(srcs), i), content: strings.Repeat(para, 2),
			})
		}
		specs = append(specs, sp)
	}
	putStories(b, db, specs...)
	cfg := &aggregator.Config{Server: aggregator.ServerConfig{BaseURL: testBase}}
	p := publish.New(cfg, db, []aggregator.TopicConfig{{ID: "all", Title: "Everything", Limit: 50}}, nil, nil)
	h := p.Handler(nil)

	// The cursors, read from the JSON Feed's next_url.
	var paths []string
	next := "/topics/all.json"
	for {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", next, nil))
		var doc struct {
			NextURL string `json:"next_url"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil || rec.Code != 200 {
			b.Fatalf("GET %s = %d, %v", next, rec.Code, err)
		}
		if doc.NextURL == "" {
			break
		}
		next = strings.TrimPrefix(doc.NextURL, testBase)
		_, q, _ := strings.Cut(next, "?")
		for _, ext := range []string{".rss", ".atom", ".json"} {
			paths = append(paths, "/topics/all"+ext+"?"+q)
		}
	}
	if len(paths) != 27 {
		b.Fatalf("%d older pages; want 27", len(paths))
	}
	w := &discard{h: http.Header{}}
	for _, path := range paths { // the first visit
		h.ServeHTTP(w, httptest.NewRequest("GET", path, nil))
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, path := range paths {
			w.reset()
			h.ServeHTTP(w, httptest.NewRequest("GET", path, nil))
			if w.code != 200 {
				b.Fatalf("GET %s = %d", path, w.code)
			}
		}
	}
}

// BenchmarkOPML serves /opml of 500 topics, whole and to a client that
// holds it (304).
func BenchmarkOPML(b *testing.B) {
	db := mustOpen(b)
	topics := []aggregator.TopicConfig{{ID: "all", Title: "Everything"}}
	for i := range 500 {
		topics = append(topics, aggregator.TopicConfig{ID: fmt.Sprintf("topic-%d", i), Title: fmt.Sprintf("Topic number %d", i),
			Description: "Stories about one subject or another, chosen by a rule."})
	}
	cfg := &aggregator.Config{Server: aggregator.ServerConfig{BaseURL: testBase}}
	h := publish.New(cfg, db, topics, nil, nil).Handler(nil)
	w := &discard{h: http.Header{}}
	h.ServeHTTP(w, httptest.NewRequest("GET", "/opml", nil))
	etag := w.h.Get("ETag")
	for _, bc := range []struct {
		name, inm string
		want      int
	}{{"whole", "", 200}, {"not-modified", etag, 304}} {
		b.Run(bc.name, func(b *testing.B) {
			req := httptest.NewRequest("GET", "/opml", nil)
			if bc.inm != "" {
				req.Header.Set("If-None-Match", bc.inm)
			}
			b.ReportAllocs()
			for b.Loop() {
				w.reset()
				h.ServeHTTP(w, req)
				if w.code != bc.want {
					b.Fatalf("GET /opml = %d", w.code)
				}
			}
			b.ReportMetric(float64(w.n), "bytes/op")
		})
	}
}
