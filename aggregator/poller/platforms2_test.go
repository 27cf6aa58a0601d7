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
