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
	p, pub, db := pollerWithPublisher(t, cfg, nil)
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

// TestPlatformFeedsPublished polls the feeds of a video channel, a code
// host's releases, a Mastodon account, a Bluesky account, a news finder
// and a podcast, and reads the published feed as a reader would: each item
// its own entry, titled, linked, credited and pictured as its platform
// shows it.
func TestPlatformFeedsPublished(t *testing.T) {
	feed := pollPlatforms(t, "", "platforms/youtube.atom", "platforms/github-releases.atom", "platforms/mastodon.rss",
		"platforms/bluesky.rss", "platforms/googlenews.rss", "platforms/podcast.rss")
	entries := map[string][]platformEntry{}
	for _, e := range feed("all") {
		entries[e.Title] = append(entries[e.Title], e)
	}
	one := func(title string) platformEntry {
		t.Helper()
		if len(entries[title]) != 1 {
			t.Fatalf("%d entries titled %q; want 1 (titles: %q)", len(entries[title]), title, titles(feed("all")))
		}
		return entries[title][0]
	}

	// A video: its still leads its description, and it links to the video.
	v := one("Restoring a 1962 outboard motor, part 3: the carburettor")
	if v.URL != "https://www.youtube.com/watch?v=Qx7mKp2LwZa" || !strings.HasPrefix(v.HTML, `<img src="https://i1.ytimg.com/vi/Qx7mKp2LwZa/hqdefault.jpg">`) ||
		!strings.Contains(v.HTML, "ultrasonic cleaner") {
		t.Errorf("video entry at %s:\n%s\nwant the video's link, its still, then its description", v.URL, v.HTML)
	}
	// Two shorts under one title and no text are two videos.
	if n := len(entries["#shorts"]); n != 2 {
		t.Errorf("%d entries of shorts; want 2", n)
	}
	// A release, with the avatar of its author left out.
	r := one("v2.4.2")
	if strings.Contains(r.HTML, "avatars.githubusercontent.com") || !strings.HasPrefix(r.HTML, "<h2>Fixes</h2>") {
		t.Errorf("release entry:\n%s\nwant its notes without its author's avatar", r.HTML)
	}
	// Posts without titles are titled by their first words, each its own
	// entry, a morning's greeting on two days among them.
	for _, title := range []string{
		"Fog has lifted. The 10:15 ferry left at 11:00, the rest of…",
		"Fog on the harbour this morning. The 10:15 ferry is waiting at…",
		"High water today 06:42 (4.8 m) and 19:03 (4.6 m). Low water…",
		"High water today 07:31 (4.7 m) and 19:50 (4.5 m). Low water…",
	} {
		one(title)
	}
	if n := len(entries["Good morning!"]); n != 2 {
		t.Errorf("%d entries of the two mornings' greetings; want 2", n)
	}
	// A news finder's headlines, and a podcast's episodes, are not
	// credited to the feed's technical address.
	for _, title := range []string{"Harbour that moved a mile inland draws visitors - Bay Times", "Gale warning for the weekend - Windlog"} {
		if got := entryAuthors(one(title)); slices.ContainsFunc(got, func(a string) bool { return strings.Contains(a, "webmaster") }) {
			t.Errorf("%q credited to %q; want no webmaster", title, got)
		}
	}
	if got := entryAuthors(one("Ep. 48: The last ferry captain")); !slices.Equal(got, []string{"Harbour Hour"}) {
		t.Errorf("episode credited to %q; want the show's itunes:author", got)
	}
}

// TestUntitledPostsOnOtherDays polls a Bluesky account that posts the same
// notices again on other days, in the same words or nearly: each post is
// its own entry, where it would be an item of a site given at two
// addresses, as the posts have no titles and each is at its own page,
// dated apart.
func TestUntitledPostsOnOtherDays(t *testing.T) {
	feed := pollPlatforms(t, "", "platforms/bluesky-alerts.rss")
	got := map[string]int{}
	for _, e := range feed("all") {
		got[e.URL]++
	}
	for _, post := range []string{"3lbfer0003c", "3lbfer0004d", "3lbfer0005e", "3lbfer0006f"} {
		if u := "https://bsky.app/profile/ferries.harbour.example/post/" + post; got[u] != 1 {
			t.Errorf("post %s is the link of %d entries; want 1 (entries: %q)", post, got[u], titles(feed("all")))
		}
	}
}

// TestRedditLinkPostJoinsTheArticle polls an outlet and a subreddit where
// a member posts the outlet's article under a title of their own: the post,
// whose "[link]" leads to the article, joins the article's story as a
// pointer to it, and the story is published under the outlet's headline
// and link, listing the post.
func TestRedditLinkPostJoinsTheArticle(t *testing.T) {
	feed := pollPlatforms(t, "", "platforms/coastnews.rss", "platforms/reddit-links.atom")
	all := feed("all")
	for _, e := range all {
		if e.Title == "Finally some good news for boat owners" {
			t.Fatalf("the post of the article is a story of its own; want it in the article's (entries: %q)", titles(all))
		}
	}
	for _, e := range all {
		if e.URL == "https://coastnews.example/2026/11/18/marina-dredging-approved" {
			if !strings.Contains(e.HTML, "Finally some good news for boat owners") {
				t.Errorf("the article's entry does not list the post:\n%s", e.HTML)
			}
			return
		}
	}
	t.Fatalf("no entry of the article (entries: %q)", titles(all))
}

// TestPublishingPlatformFeedsPublished polls the feeds of common publishing
// software and sites (Blogger, Medium, WordPress, Substack, a code host's
// commits, a link aggregator, arXiv, an agency's RSS 0.91, JSON Feed 1.0
// and 1.1, Atom with XHTML titles) and reads the published feed: each item
// its own entry, titled, credited and written as its source gives it.
func TestPublishingPlatformFeedsPublished(t *testing.T) {
	feed := pollPlatforms(t, "", "platforms/blogger.atom", "platforms/medium.rss", "platforms/wordpress.rss",
		"platforms/substack.rss", "platforms/github-commits.atom", "platforms/hackernews.rss", "platforms/arxiv.rss", "platforms/arxiv.rdf",
		"platforms/agency.rss", "platforms/jsonfeed10.json", "platforms/jsonfeed11.json", "platforms/xhtml-titles.atom")
	all := feed("all")
	entries := map[string][]platformEntry{}
	for _, e := range all {
		entries[e.Title] = append(entries[e.Title], e)
	}
	one := func(title string) platformEntry {
		t.Helper()
		if len(entries[title]) != 1 {
			t.Fatalf("%d entries titled %q; want 1 (titles: %q)", len(entries[title]), title, titles(all))
		}
		return entries[title][0]
	}
	tests := []struct {
		title   string
		authors []string
		has     string // in the entry's HTML
		lacks   string // not in it
	}{
		{"The lamp room gets new glazing", []string{"Tamsin Rowe"}, "come out one at a time", ""},
		{"A short one: the foghorn test is at noon tomorrow, so don't…", []string{"Tamsin Rowe"}, "don&#39;t be alarmed", ""},
		{"What a year of tide data taught me about outliers", []string{"Priya Nandakumar"}, "tidegraph.png", "clientViewed"},
		{"Salt-tolerant hedges that survived the October storm", []string{"Morwenna Tregarthen"}, "did not notice", ""},
		{"The fish market moves indoors", []string{"Ines Pellow"}, "cold store", "<input"},
		{"Bump version to 2.4.2", []string{"marisol-dev"}, "Bump version to 2.4.2", "avatars.githubusercontent.com"},
		{"Bump version to 2.4.1", []string{"marisol-dev"}, "Bump version to 2.4.1", ""},
		{"Merge pull request #412 from harbourtools/west-fix", nil, "ports west of Greenwich", ""},
		{"Merge pull request #409 from harbourtools/east-fix", nil, "ports east of Greenwich", ""},
		{"Show HN: A tide calculator in 200 lines of C", nil, "Comments", ""},
		{"Why lighthouse lenses are shaped like beehives", nil, "", ""},
		{"Tidal asymmetry in shallow estuaries under sea-level rise", []string{"Aoife Brennan, Kwame Mensah, Lucia Ferraro"}, "flood dominance", ""},
		{"Wave setup on steep gravel beaches during storms", []string{"Hamish Ogilvie, Sun-Hee Park"}, "permeable gravel", ""},
		{"Microseisms recorded on a harbour breakwater. (arXiv:2611.01377v1 [physics.geo-ph])", []string{"Elin Lindqvist"}, "near-field source", ""},
		{"Notice 111/26: Light extinguished, North Pier", nil, "North Pier is reported extinguished. Mariners are advised to navigate with caution\u00a0until it is repaired.", ""},
		{"Notice 110/26: Light extinguished, South Pier", nil, "South Pier", ""},
		{"Anglers return to the pier end", []string{"Rhian Evans"}, "railings", ""},
		{"Lifeboat launched to drifting kayaker", []string{"Ellis Trewin", "Nia Hughes"}, "unhurt", ""},
		{"Open day raises record sum", []string{"Station Press Officer"}, "record sum", ""},
		{"Why the Harbour Act of 1847 still matters", []string{"Quay Review Desk"}, "<strong>moor</strong>", ""},
		{"Fees & charges for visiting yachts", []string{"Quay Review Desk"}, "by the metre", ""},
	}
	for _, tt := range tests {
		e := one(tt.title)
		got := entryAuthors(e)
		if tt.authors != nil && !slices.Equal(got, tt.authors) {
			t.Errorf("%q credited to %q; want %q", tt.title, got, tt.authors)
		}
		if slices.ContainsFunc(got, func(a string) bool { return strings.Contains(a, "webmaster") }) {
			t.Errorf("%q credited to %q; want no webmaster", tt.title, got)
		}
		if !strings.Contains(e.HTML, tt.has) || tt.lacks != "" && strings.Contains(e.HTML, tt.lacks) {
			t.Errorf("%q:\n%s\nwant %q in it and not %q", tt.title, e.HTML, tt.has, tt.lacks)
		}
	}
	// A JSON Feed 1.0 account's notes, without titles, on two days.
	if n := len(entries["Kiosk closed today for a delivery. Back tomorrow."]); n != 2 {
		t.Errorf("%d entries of the kiosk's two days' notes; want 2", n)
	}
}

// entryAuthors returns the names of a published entry's authors.
func entryAuthors(e platformEntry) []string {
	var out []string
	for _, a := range e.Authors {
		out = append(out, a.Name)
	}
	return out
}

// TestFooterLookalikesInTopics polls a blog with a post whose last
// paragraph starts and ends as WordPress's footer does ("The post office
// closed at noon. … appeared first on the cover of the Gazette."), one
// that quotes another post's footer in its text, and one that ends in its
// own footer: the first two are taken into a topic of a word in those
// paragraphs, which are what they report, and the third is not, its only
// such word in the site's name its footer gives.
func TestFooterLookalikesInTopics(t *testing.T) {
	feed := pollPlatforms(t, "  - id: gazette\n    title: Gazette\n    match:\n      any: [gazette]\n", "footer-lookalikes.rss")
	got := titles(feed("gazette"))
	if want := []string{"Village loses its last counter", "Why every post here ends with a credit line"}; !slices.Equal(got, want) {
		t.Errorf("topic gazette has %q; want %q", got, want)
	}
}
