package poller_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/feedtest"
	"github.com/tributary-feeds/tributary/aggregator/poller"
	"github.com/tributary-feeds/tributary/aggregator/publish"
	"github.com/tributary-feeds/tributary/aggregator/topic"
)

// platformFeed is one entry of a published JSON Feed, as a reader sees it.
type platformEntry struct {
	Title   string `json:"title"`
	URL     string `json:"url"`
	HTML    string `json:"content_html"`
	Authors []struct {
		Name string `json:"name"`
	} `json:"authors"`
}

// pollPlatforms serves each fixture of testdata at its own path on a
// loopback origin, polls them once under the topics given as YAML (the
// "topics:" list's entries), and returns a function that reads a topic's
// published JSON Feed.
func pollPlatforms(t *testing.T, topics string, fixtures ...string) func(topicID string) []platformEntry {
	t.Helper()
	o := feedtest.NewOrigin(t)
	var b strings.Builder
	b.WriteString("poll:\n  allow_private: true\nstorage:\n  retention: 0\n")
	if topics != "" {
		b.WriteString("topics:\n" + topics)
	}
	b.WriteString("sources:\n")
	for _, name := range fixtures {
		o.Feed("/"+name, "application/xml", fixture(t, name))
		b.WriteString("  - url: \"" + o.URL("/"+name) + "\"\n")
	}
	cfg, err := aggregator.Load(strings.NewReader(b.String()), "test.yaml")
	if err != nil {
		t.Fatalf("config:\n%s\n%v", b.String(), err)
	}
	tags, err := topic.Compile(cfg.Topics, cfg.Sources)
	if err != nil {
		t.Fatal(err)
	}
	db := mustOpen(t)
	pub := publish.New(cfg, db, tags.Topics(), nil, quiet)
	p, err := poller.New(cfg, tags, db, poller.Options{Logger: quiet, Notify: pub})
	if err != nil {
		t.Fatal(err)
	}
	p.PollAll(t.Context(), nil)
	for _, name := range fixtures {
		if st := state(t, db, o.URL("/"+name)); st.LastError != "" {
			t.Fatalf("%s: %s", name, st.LastError)
		}
	}
	return func(topicID string) []platformEntry {
		t.Helper()
		rec := httptest.NewRecorder()
		pub.Handler(nil).ServeHTTP(rec, httptest.NewRequest("GET", "/topics/"+topicID+".json", nil))
		if rec.Code != http.StatusOK {
			t.Fatalf("GET /topics/%s.json: %d", topicID, rec.Code)
		}
		var f struct {
			Items []platformEntry `json:"items"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &f); err != nil {
			t.Fatalf("/topics/%s.json: %v", topicID, err)
		}
		return f.Items
	}
}

func titles(entries []platformEntry) []string {
	var out []string
	for _, e := range entries {
		out = append(out, e.Title)
	}
	return out
}

// TestPlatformFootersLeftOutOfTopics polls a WordPress blog whose every post
// ends in "The post … appeared first on <site>", and a subreddit whose
// every post says "submitted by /u/<name>": a topic whose word is in the
// site's or the poster's name takes the posts that talk of it, not every
// post of the site or of the poster, while the footers stay in the
// published entries.
func TestPlatformFootersLeftOutOfTopics(t *testing.T) {
	feed := pollPlatforms(t, "  - id: storms\n    title: Storms\n    match:\n      any: [storm]\n",
		"wordpress-footer.rss", "reddit-footer.atom")
	got := titles(feed("storms"))
	if want := []string{"Salt-tolerant hedges that survived the October storm"}; !slices.Equal(got, want) {
		t.Errorf("topic storms has %q; want %q", got, want)
	}
	all := feed("all")
	if len(all) != 4 {
		t.Fatalf("topic all has %q; want the four posts", titles(all))
	}
	for _, e := range all {
		if !strings.Contains(e.HTML, "appeared first on") && !strings.Contains(e.HTML, "submitted by") {
			t.Errorf("entry %q lost its footer: %s", e.Title, e.HTML)
		}
	}
}
