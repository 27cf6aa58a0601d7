package publish_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/publish"
)

// TestOPMLWrittenOnce checks that /opml is written once per configuration,
// not at each request: asked again, whole or by a client that holds it,
// it costs less than an allocation a topic.
func TestOPMLWrittenOnce(t *testing.T) {
	db := mustOpen(t)
	topics := []aggregator.TopicConfig{{ID: "all", Title: "Everything"}}
	for i := range 400 {
		topics = append(topics, aggregator.TopicConfig{ID: fmt.Sprintf("t%d", i), Title: fmt.Sprintf("Topic %d", i)})
	}
	cfg := &aggregator.Config{Server: aggregator.ServerConfig{BaseURL: testBase}}
	p := publish.New(cfg, db, topics, nil, nil)
	h := p.Handler(nil)
	w := &discard{h: http.Header{}}
	h.ServeHTTP(w, httptest.NewRequest("GET", "/opml", nil))
	etag := w.h.Get("ETag")
	whole := httptest.NewRequest("GET", "/opml", nil)
	held := httptest.NewRequest("GET", "/opml", nil)
	held.Header.Set("If-None-Match", etag)
	for _, tc := range []struct {
		name string
		req  *http.Request
		want int
	}{{"whole", whole, 200}, {"held", held, 304}} {
		allocs := testing.AllocsPerRun(20, func() {
			w.reset()
			h.ServeHTTP(w, tc.req)
			if w.code != tc.want {
				t.Fatalf("GET /opml (%s) = %d; want %d", tc.name, w.code, tc.want)
			}
		})
		if allocs >= float64(len(topics)) {
			t.Errorf("GET /opml (%s) of %d topics: %.0f allocations a request; want fewer than one a topic", tc.name, len(topics), allocs)
		}
	}

	// A reload writes the list anew.
	p.SetConfig(cfg, append(topics, aggregator.TopicConfig{ID: "late", Title: "Added by a reload"}))
	w.reset()
	h.ServeHTTP(w, held)
	if w.code != 200 {
		t.Errorf("GET /opml after a reload added a topic, with the tag held before: %d; want 200", w.code)
	}
}

// TestOPMLGzip: a client that accepts gzip gets /opml compressed under a
// tag of its own, varied by Accept-Encoding, as a feed; either tag held
// earns a 304 that names the tag the client holds.
func TestOPMLGzip(t *testing.T) {
	f := newFixture(t)
	resp, plain := f.get(t, "/opml")
	plainTag := resp.Header.Get("ETag")
	if resp.Header.Get("Content-Encoding") != "" || resp.Header.Get("Vary") != "Accept-Encoding" {
		t.Errorf("GET /opml without Accept-Encoding: Content-Encoding %q, Vary %q; want none, Accept-Encoding",
			resp.Header.Get("Content-Encoding"), resp.Header.Get("Vary"))
	}
	resp, zipped := f.get(t, "/opml", "Accept-Encoding: gzip")
	gzTag := resp.Header.Get("ETag")
	if resp.Header.Get("Content-Encoding") != "gzip" || resp.Header.Get("Vary") != "Accept-Encoding" {
		t.Fatalf("GET /opml with Accept-Encoding: gzip: Content-Encoding %q, Vary %q; want gzip, Accept-Encoding",
			resp.Header.Get("Content-Encoding"), resp.Header.Get("Vary"))
	}
	if got := gunzip(t, zipped); string(got) != string(plain) {
		t.Errorf("GET /opml gzip-decoded differs from the plain document:\n%s\nwant\n%s", got, plain)
	}
	if gzTag == "" || gzTag == plainTag {
		t.Errorf("GET /opml gzip ETag %q; want one of its own, not the plain %q", gzTag, plainTag)
	}
	for _, tc := range []struct{ accept, held, want string }{
		{"gzip", gzTag, gzTag},
		{"gzip", plainTag, plainTag},
		{"identity", gzTag, gzTag},
		{"identity", plainTag, plainTag},
	} {
		resp, _ := f.do(t, http.MethodGet, "/opml", "Accept-Encoding: "+tc.accept, "If-None-Match: "+tc.held)
		if resp.StatusCode != http.StatusNotModified || resp.Header.Get("ETag") != tc.want {
			t.Errorf("GET /opml, Accept-Encoding %s, If-None-Match %s = %d, ETag %s; want 304, %s",
				tc.accept, tc.held, resp.StatusCode, resp.Header.Get("ETag"), tc.want)
		}
	}
}
