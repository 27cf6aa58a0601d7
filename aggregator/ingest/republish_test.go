package ingest_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/ingest"
	"github.com/tributary-feeds/tributary/aggregator/parse"
	"github.com/tributary-feeds/tributary/aggregator/publish"
	"github.com/tributary-feeds/tributary/store"
)

// TestNonNewsRepublished publishes the feeds of testdata/nonnews as one
// topic in each format, reads each document back as a reader would, and
// checks that what made each kind of item useful is there: a web comic's
// picture, a podcast episode's audio, a link aggregator's link to the
// article and to its comments, a subreddit's link post's link, a video's
// still, a post's picture.
func TestNonNewsRepublished(t *testing.T) {
	db, err := store.Open(filepath.Join(t.TempDir(), "agg.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	topics := []aggregator.TopicConfig{{ID: aggregator.AllTopic, Title: "Everything", Limit: 200}}
	cfg := &aggregator.Config{Server: aggregator.ServerConfig{Listen: "127.0.0.1:0", BaseURL: "http://feeds.test"}, Topics: topics}
	in := ingest.New(cfg, nil)
	now := time.Date(2025, 4, 9, 0, 0, 0, 0, time.UTC)
	for _, p := range unseenFeeds(t, nonNewsDir) {
		body, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		name := strings.TrimSuffix(filepath.Base(p), filepath.Ext(p))
		_, name, _ = strings.Cut(name, "-")
		url := "https://" + name + ".feeds.test/feed.xml"
		if err := db.PutSource(t.Context(), aggregator.SourceState{ID: aggregator.SourceID(url), URL: url, ConfigURL: url, Name: name}); err != nil {
			t.Fatal(err)
		}
		ingestFeed(t, db, in, url, name, body, now)
	}
	pub := publish.New(cfg, db, topics, prometheus.NewRegistry(), nil)
	pub.SetClock(func() time.Time { return now })
	srv := httptest.NewServer(pub.Handler(nil))
	defer srv.Close()

	// Each entry, by its link, and what its HTML or enclosures must hold.
	want := []struct {
		link, holds, why string
	}{
		{"https://inkwell.test/3051/", `src="https://imgs.inkwell.test/comics/tide_tables.png"`, "a comic's picture"},
		{"https://inkwell.test/3051/", "nobody at the harbour will admit it", "a comic's alt text"},
		{"https://moorlandlights.test/comic/ch9-p13", `src="https://moorlandlights.test/comics/ch9/p13.webp"`, "a comic page's picture, its only content"},
		{"https://gridcast.test/episodes/117", "enclosure https://media.gridcast.test/episodes/gridcast-117.mp3", "an episode's audio"},
		{"https://tinysynth.test/", `href="https://news.ycomb.test/item?id=43617340"`, "a link item's comments"},
		{"https://www.reddit.test/r/golang/comments/1jtz9qe/profiling_a_slow_json_decoder/", `href="https://blog.maradev.test/posts/profiling-json/"`, "a link post's link"},
		{"https://www.youtube.test/watch?v=b7TnR0eYq5M", `src="https://i4.ytimg.test/vi/b7TnR0eYq5M/hqdefault.jpg"`, "a video's still"},
		{"https://grid.social.test/@ines/114300911054228761", `src="https://files.grid.social.test/media_attachments/files/114/300/911/cd34.jpeg"`, "a post's picture"},
		{"https://github.test/tidewater-io/tidewater/releases/tag/v2.4.1", "Fix panic when the cache directory is missing", "a release's notes"},
	}
	for _, format := range []string{"atom", "rss", "json"} {
		resp, err := http.Get(srv.URL + "/topics/all." + format)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("GET all.%s = %d, %v", format, resp.StatusCode, err)
		}
		feed, err := parse.Parse(body, resp.Header.Get("Content-Type"), srv.URL+"/topics/all."+format, "reader", now, parse.Options{})
		if err != nil {
			t.Fatalf("reading all.%s back: %v", format, err)
		}
		byLink := map[string]string{}
		for _, it := range feed.Items {
			text := it.Summary + "\n" + it.Content
			for _, e := range it.Enclosures {
				text += "\nenclosure " + e.URL
			}
			byLink[it.Link] += text
		}
		for _, w := range want {
			got, ok := byLink[w.link]
			switch {
			case !ok:
				t.Errorf("all.%s: no entry links %s", format, w.link)
			case !strings.Contains(got, w.holds):
				t.Errorf("all.%s: %s lost %s (%s):\n%s", format, w.link, w.why, w.holds, got)
			}
		}
	}
}
