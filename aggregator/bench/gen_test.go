package bench

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/near"
	"github.com/tributary-feeds/tributary/aggregator/parse"
)

var testNow = time.Date(2025, 3, 14, 12, 0, 0, 0, time.UTC)

func TestGeneratorDeterministic(t *testing.T) {
	opts := GenOptions{Feeds: 40, Items: 12, Seed: 7, Now: testNow}
	a, b := NewGenerator(opts), NewGenerator(opts)
	other := NewGenerator(GenOptions{Feeds: 40, Items: 12, Seed: 8, Now: testNow})
	for _, f := range []int{0, 7, 13, 39} {
		da, db := a.Feed(f), b.Feed(f)
		if !bytes.Equal(da.Body, db.Body) || da.ETag != db.ETag {
			t.Errorf("Feed(%d) differs between two generators with options %+v", f, opts)
		}
		if bytes.Equal(da.Body, other.Feed(f).Body) {
			t.Errorf("Feed(%d) is the same with seeds 7 and 8", f)
		}
	}
}

func TestGeneratorItems(t *testing.T) {
	g := NewGenerator(GenOptions{Feeds: 200, Items: 50, Seed: 3, Now: testNow})
	var items, reposts, linked int
	titles := make(map[string]bool)
	for f := range 200 {
		for j := range 50 {
			it := g.Item(f, j)
			items++
			if n := len(it.HTML); n < MinHTML || n > MaxHTML {
				t.Errorf("Item(%d, %d): %d bytes of HTML; want %d–%d", f, j, n, MinHTML, MaxHTML)
			}
			for _, part := range []string{"<p>", "<img ", "&#"} {
				if !strings.Contains(it.HTML, part) {
					t.Errorf("Item(%d, %d): HTML has no %q", f, j, part)
				}
			}
			if strings.Contains(it.HTML, "<a href=") {
				linked++
			}
			if age := testNow.Sub(it.Published); age < 0 || age > Window+3*time.Hour {
				t.Errorf("Item(%d, %d): published %v before now; want within %v", f, j, age, Window)
			}
			if len(it.Categories) == 0 {
				t.Errorf("Item(%d, %d): no categories", f, j)
			}
			titles[it.Title] = true
			if !it.Repost {
				continue
			}
			reposts++
			var of, oj int
			if _, err := fmt.Sscanf(it.Story, "%d/%d", &of, &oj); err != nil || of == f {
				t.Fatalf("Item(%d, %d).Story = %q; want another feed's item", f, j, it.Story)
			}
			orig := g.Item(of, oj)
			if orig.Repost {
				t.Errorf("Item(%d, %d) re-posts Item(%d, %d), itself a re-post", f, j, of, oj)
			}
			if orig.Link == it.Link || orig.Title == it.Title {
				t.Errorf("Item(%d, %d) re-posts Item(%d, %d) with the same link or title: %q", f, j, of, oj, it.Title)
			}
		}
	}
	share := float64(reposts) / float64(items)
	if share < 0.04 || share > 0.06 {
		t.Errorf("re-posts: %d of %d items (%.1f%%); want about %.0f%%", reposts, items, share*100, SharePermille/10.0)
	}
	if linked < items/2 {
		t.Errorf("%d of %d items link anywhere; want most", linked, items)
	}
	if got := g.Reposts(); got != reposts {
		t.Errorf("Reposts() = %d; want %d", got, reposts)
	}
	if len(titles) < items*9/10 {
		t.Errorf("%d distinct titles among %d items; want texts that differ", len(titles), items)
	}
}

func TestFeedsParse(t *testing.T) {
	g := NewGenerator(GenOptions{Feeds: 40, Items: 15, Seed: 1, Now: testNow})
	formats := make(map[Format]int)
	for f := range 40 {
		d := g.Feed(f)
		formats[d.Format]++
		if !strings.HasPrefix(d.ETag, `"`) || strings.HasPrefix(d.ETag, "W/") {
			t.Errorf("Feed(%d).ETag = %s; want a strong validator", f, d.ETag)
		}
		if want := g.Item(f, 0).Published; !d.LastModified.Equal(want) && d.LastModified.Before(want) {
			t.Errorf("Feed(%d).LastModified = %v; want the newest item's time", f, d.LastModified)
		}
		url := "http://127.0.0.1:1" + d.Path
		feed, err := parse.Parse(d.Body, d.ContentType, url, aggregator.SourceID(url), testNow, parse.Options{})
		if err != nil {
			t.Fatalf("parse.Parse(Feed(%d), %s) error: %v", f, d.Format, err)
		}
		if len(feed.Items) != 15 {
			t.Fatalf("parse.Parse(Feed(%d), %s): %d items; want 15", f, d.Format, len(feed.Items))
		}
		for k, it := range feed.Items {
			want := g.Item(f, k)
			switch {
			case it.Title != want.Title:
				t.Errorf("Feed(%d) %s item %d: title %q; want %q", f, d.Format, k, it.Title, want.Title)
			case !it.Published.Equal(want.Published):
				t.Errorf("Feed(%d) %s item %d: published %v; want %v", f, d.Format, k, it.Published, want.Published)
			case len(it.Categories) != len(want.Categories):
				t.Errorf("Feed(%d) %s item %d: categories %q; want %q", f, d.Format, k, it.Categories, want.Categories)
			case !strings.Contains(it.Content, "<p>"):
				t.Errorf("Feed(%d) %s item %d: content %.80q has no paragraph", f, d.Format, k, it.Content)
			}
		}
	}
	for _, f := range []Format{RSS, Atom, JSONFeed} {
		if formats[f] == 0 {
			t.Errorf("no %s feed among 40", f)
		}
	}
	if formats[RSS] < 30 {
		t.Errorf("%d RSS feeds of 40; want most", formats[RSS])
	}
}

func TestGrow(t *testing.T) {
	g := NewGenerator(GenOptions{Feeds: 50, Items: 10, Seed: 1, Now: testNow})
	before := make([]Doc, 50)
	for f := range before {
		before[f] = g.Feed(f)
	}
	at := testNow.Add(time.Hour)
	grown := g.Grow(10, 5, at)
	if len(grown) != 5 {
		t.Fatalf("Grow(10, 5) grew %d feeds of 50; want 5", len(grown))
	}
	isGrown := make(map[int]bool)
	for _, f := range grown {
		isGrown[f] = true
	}
	for f := range before {
		d := g.Feed(f)
		if !isGrown[f] {
			if !bytes.Equal(d.Body, before[f].Body) {
				t.Errorf("Feed(%d) changed though it did not grow", f)
			}
			continue
		}
		if d.Items != 15 || d.ETag == before[f].ETag || !d.LastModified.Equal(at) {
			t.Errorf("grown Feed(%d): %d items, ETag %s (was %s), modified %v; want 15, a new ETag, %v",
				f, d.Items, d.ETag, before[f].ETag, d.LastModified, at)
		}
	}
}

func TestOrigin(t *testing.T) {
	g := NewGenerator(GenOptions{Feeds: 3, Items: 4, Seed: 1, Now: testNow})
	o := NewOrigin(g)
	srv := httptest.NewServer(o)
	defer srv.Close()
	want := g.Feed(1)
	get := func(hdr map[string]string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, srv.URL+want.Path, nil)
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		resp, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	body := func(resp *http.Response) []byte {
		t.Helper()
		defer resp.Body.Close()
		var r io.Reader = resp.Body
		if resp.Header.Get("Content-Encoding") == "gzip" {
			zr, err := gzip.NewReader(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			r = zr
		}
		b, err := io.ReadAll(r)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	tests := []struct {
		name     string
		mode     string
		hdr      map[string]string
		status   int
		etag     string
		wantBody bool
	}{
		{"plain", ModeValidators, nil, 200, want.ETag, true},
		{"gzip", ModeValidators, map[string]string{"Accept-Encoding": "gzip"}, 200, want.ETag, true},
		{"if-none-match", ModeValidators, map[string]string{"If-None-Match": want.ETag}, 304, want.ETag, false},
		{"stale etag", ModeValidators, map[string]string{"If-None-Match": `"x"`}, 200, want.ETag, true},
		{"if-modified-since", ModeValidators, map[string]string{"If-Modified-Since": want.LastModified.Format(http.TimeFormat)}, 304, want.ETag, false},
		{"no validators", ModeNoValidators, map[string]string{"If-None-Match": want.ETag}, 200, "", true},
	}
	for _, tt := range tests {
		o.noValidators.Store(tt.mode == ModeNoValidators)
		resp := get(tt.hdr)
		b := body(resp)
		if resp.StatusCode != tt.status || resp.Header.Get("ETag") != tt.etag {
			t.Errorf("%s: GET %s with %v = %d, ETag %q; want %d, %q", tt.name, want.Path, tt.hdr,
				resp.StatusCode, resp.Header.Get("ETag"), tt.status, tt.etag)
		}
		if tt.wantBody && !bytes.Equal(b, want.Body) {
			t.Errorf("%s: GET %s: body of %d bytes differs from Feed(1)'s %d", tt.name, want.Path, len(b), len(want.Body))
		}
	}
	st := o.Stats(true)
	if st.Requests != int64(len(tests)) || st.NotModified != 2 || st.Gzip != 1 {
		t.Errorf("Stats() = %+v; want %d requests, 2 not modified, 1 gzip", st, len(tests))
	}
}

// TestUnrelatedStoriesDiffer holds the generator to what real news looks
// like to the dedup stage: unrelated reports share common words only, so
// that hardly any has a neighbour as close as the threshold at which
// Tributary folds two items into one story, and a typical pair shares
// next to nothing.
func TestUnrelatedStoriesDiffer(t *testing.T) {
	g := NewGenerator(GenOptions{Feeds: 40, Items: 20, Seed: 5, Now: testNow})
	var docs []*near.Doc
	df := make(map[string]uint32)
	for f := range 40 {
		for j := range 20 {
			it := g.Item(f, j)
			if it.Repost {
				continue
			}
			d := near.NewDoc(it.Title, near.Lines(near.Text(it.HTML)), testNow)
			for _, k := range d.TermKeys() {
				df[k]++
			}
			docs = append(docs, d)
		}
	}
	for _, d := range docs {
		keys := d.TermKeys()
		counts := make([]uint32, len(keys))
		for i, k := range keys {
			counts[i] = df[k]
		}
		d.Weigh(uint32(len(docs)), counts)
	}
	var close int
	var pairs []float64
	for i, a := range docs {
		var nearest float64
		for j, b := range docs {
			if i == j {
				continue
			}
			c := near.Similarity(a, b).Cosine
			nearest = max(nearest, c)
			if j > i {
				pairs = append(pairs, c)
			}
		}
		if nearest >= near.DefaultThreshold {
			close++
		}
	}
	slices.Sort(pairs)
	median := pairs[len(pairs)/2]
	t.Logf("%d unrelated reports: %d with a neighbour at cosine ≥ %.2f; median pair cosine %.3f", len(docs), close, near.DefaultThreshold, median)
	if close > len(docs)/50 {
		t.Errorf("%d of %d unrelated reports have a neighbour at cosine ≥ %.2f; want at most 2%%", close, len(docs), near.DefaultThreshold)
	}
	if median > 0.06 {
		t.Errorf("median cosine of two unrelated reports %.3f; want at most 0.06", median)
	}
}
