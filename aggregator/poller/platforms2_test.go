package poller_test

import (
	"slices"
	"strings"
	"testing"
)

// TestAlertsPublishedPerArea polls a weather service's feed of alerts
// (Common Alerting Protocol in Atom), whose titles name an alert's kind
// and issuer alone: the warnings for two counties, whose summaries differ
// in the county, and the advisories for two groups of counties, whose
// titles and summaries are the same, are an entry each, each naming its
// areas, and a topic takes the warnings by their kind.
func TestAlertsPublishedPerArea(t *testing.T) {
	feed := pollPlatforms(t, "  - id: storms\n    title: Storm warnings\n    match:\n      categories: [Winter Storm Warning]\n",
		"platforms2/nws.atom")
	all := feed("all")
	for _, area := range []string{"Alder County", "Birchwood County", "Areas: Cedar; Dunmore; Elm Valley.", "Areas: Fernhill; Granite Pass."} {
		n := 0
		for _, e := range all {
			if strings.Contains(e.HTML, area) {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%d entries name %q; want 1 (entries: %q)", n, area, titles(all))
		}
	}
	if len(all) != 4 {
		t.Errorf("topic all has %d entries; want the four alerts", len(all))
	}
	storms := feed("storms")
	if len(storms) != 2 || !strings.HasPrefix(storms[0].Title, "Winter Storm Warning") || !strings.HasPrefix(storms[1].Title, "Winter Storm Warning") {
		t.Errorf("topic storms has %q; want the two warnings", titles(storms))
	}
}

// TestSeriesPublishedApart polls a government site's statistics, whose
// monthly releases share one summary, a reading list whose books share
// one template, a wire's one-line market reports of one template, and a
// photo site that credits each upload as an address with the name in
// quotation marks, and a forge's pushes of one commit message on two days:
// each item is an entry of its own, credited by name.
func TestSeriesPublishedApart(t *testing.T) {
	feed := pollPlatforms(t, "", "platforms2/govuk.atom", "platforms2/goodreads.rss", "platforms2/wire.rss", "platforms2/flickr.rss",
		"platforms2/gitea.atom")
	all := feed("all")
	for _, push := range []string{
		"https://git.harbour.example/harbourtools/tidecalc/compare/9e8d7c6b5a...0a1b2c3d4e",
		"https://git.harbour.example/harbourtools/tidecalc/compare/0a1b2c3d4e...5f6a7b8c9d",
	} {
		if !slices.ContainsFunc(all, func(e platformEntry) bool { return e.URL == push }) {
			t.Errorf("no entry of the push at %s (entries: %q)", push, titles(all))
		}
	}
	entries := map[string][]platformEntry{}
	for _, e := range all {
		entries[e.Title] = append(entries[e.Title], e)
	}
	for _, title := range []string{
		"Fishing fleet statistics: October 2026", "Fishing fleet statistics: September 2026",
		"Marine licence application: ML/2026/00412", "Marine licence application: ML/2026/00413",
		"The Lighthouse Keeper's Daughter", "Tidewrack",
		"Gold steady ahead of jobs data", "Silver steady ahead of jobs data",
		"Varesian central bank holds rates at 4.25%", "Ostrian central bank holds rates at 3.5%",
		"IMG_4412", "IMG_4413",
	} {
		if len(entries[title]) != 1 {
			t.Errorf("%d entries titled %q; want 1 (titles: %q)", len(entries[title]), title, titles(all))
		}
	}
	for _, title := range []string{"IMG_4412", "IMG_4413"} {
		for _, e := range entries[title] {
			if got := entryAuthors(e); !slices.Equal(got, []string{"Ishbel Grant"}) {
				t.Errorf("%q credited to %q; want Ishbel Grant", title, got)
			}
		}
	}
}

// TestNewsAndCommunityFeedsPublished polls the feeds of news sites (a
// broadcaster's without authors, a paper's with several in one
// dc:creator and categories with domains, a paper's with a picture's
// credit and atom:link), a Q&A site, a forum's posts and a board's replies
// under one topic's title, a blog of photo posts titled "Photo", a video
// channel, a film diary's custom namespace, link aggregators and a
// bookmark site in RSS 1.0, Ghost and Squarespace blogs and a classified
// ads feed: each item is an entry of its own, but for two sites' posts of
// one link, credited as its feed credits it.
func TestNewsAndCommunityFeedsPublished(t *testing.T) {
	feed := pollPlatforms(t, "", "platforms2/bbc.rss", "platforms2/guardian.rss", "platforms2/nyt.rss", "platforms2/stackoverflow.atom",
		"platforms2/discourse.rss", "platforms2/phpbb.atom", "platforms2/tumblr.rss", "platforms2/vimeo.rss", "platforms2/letterboxd.rss",
		"platforms2/lemmy.rss", "platforms2/lobsters.rss", "platforms2/pinboard.rdf", "platforms2/ghost.rss", "platforms2/squarespace.rss",
		"platforms2/craigslist.rdf")
	all := feed("all")
	if len(all) != 37 {
		t.Errorf("%d entries; want 37 (titles: %q)", len(all), titles(all))
	}
	byURL := map[string][]platformEntry{}
	for _, e := range all {
		byURL[e.URL] = append(byURL[e.URL], e)
	}
	tests := []struct {
		url     string
		authors []string
		has     string // in the entry's HTML
	}{
		{"https://www.northshore.example/news/articles/c4g7kq2x9m1o?at_medium=RSS&at_campaign=rss", nil, `<img src="https://ichef.northshore.example/`},
		{"https://www.northshore.example/news/articles/c7z3xc8v1b5o?at_medium=RSS&at_campaign=rss", nil, "knowledge of the week"},
		{"https://www.coastalrecord.example/environment/2026/nov/27/kelp-farm-licences-double-marine-plan", []string{"Ruth Abernethy, Joe Pyke and Lena Marsh"}, "width=460"},
		{"https://www.metrodaily.example/2026/11/27/science/octopus-jars-learning.html", []string{"Metro Daily > Science"}, "27octopus"},
		{"https://stackexchange.example/questions/79912280/how-to-convert-string-to-byte-in-go", []string{"user5520194"}, "<code>string</code>"},
		{"https://forum.harbour.example/t/tide-table-off-by-one-hour-after-dst-change/812/4", []string{"kellan"}, "Same here"},
		{"https://forum.harbour.example/t/tide-table-off-by-one-hour-after-dst-change/812/3", []string{"ana_b"}, "Same here"},
		{"https://boards.harbour.example/viewtopic.php?p=55011#p55011", []string{"moorhen"}, "Afloat"},
		{"https://lamproom.tumblr.example/post/767001122334455660", nil, "tumblr_r1a_1280.jpg"},
		{"https://lamproom.tumblr.example/post/767001122334455661", nil, "tumblr_r1b_1280.jpg"},
		{"https://vimeo.example/1034455661", []string{"Harbour Films"}, "works the pots"},
		{"https://filmdiary.example/ines/film/salt-roads/", []string{"Ines"}, "Watched on Friday"},
		{"https://filmdiary.example/ines/film/the-tide-mill/", []string{"Ines"}, "Watched on Friday"},
		{"https://coastnews.example/2026/11/26/skarra-lifeboat-station-opens", nil, "2 comments"},
		{"https://tidegraph.example/posts/tide-calculator-in-c", []string{"marisol"}, "Comments"},
		{"https://tidalnotes.example/the-breakwater-that-learned-to-breathe/", []string{"Rhian Evans"}, "Breakwater plan approved"},
		{"https://www.saltmarsh.example/journal/glazes-from-estuary-clay", []string{"Saltmarsh Studio"}, "glaze.jpg"},
	}
	for _, tt := range tests {
		if len(byURL[tt.url]) != 1 {
			t.Errorf("%d entries at %s; want 1", len(byURL[tt.url]), tt.url)
			continue
		}
		e := byURL[tt.url][0]
		if got := entryAuthors(e); tt.authors != nil && !slices.Equal(got, tt.authors) {
			t.Errorf("%q credited to %q; want %q", e.Title, got, tt.authors)
		}
		if !strings.Contains(e.HTML, tt.has) {
			t.Errorf("%q:\n%s\nwant %q in it", e.Title, e.HTML, tt.has)
		}
		if strings.Contains(e.HTML, "letterboxd") || strings.Contains(e.HTML, "memberRating") || strings.Contains(e.HTML, "re:rank") {
			t.Errorf("%q: a feed's own namespace in the text:\n%s", e.Title, e.HTML)
		}
	}
	// A link aggregator's post and a bookmark of one page are one story.
	if n := len(byURL["https://lamplight.example/posts/fresnel"]); n != 1 {
		t.Errorf("%d entries of the page two sites posted; want 1", n)
	}
}
