package ingest_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
)

// TestHeadlinesOverStandingText checks that items of one source that
// share a standing text and are told apart by their headlines alone, a
// statistics office's monthly releases under one summary and a reading
// list's books under one template, are a story each, in either order,
// while an article the source gives again at a new link under a new
// headline, whose words are in its text, still joins the first.
func TestHeadlinesOverStandingText(t *testing.T) {
	office := src("https://www.gov.test/search/statistics.atom")
	const summary = "Monthly statistics on the size and landings of the fishing fleet, by port and by length of vessel."
	october := item(office, "tag:www.gov.test,2005:/statistics/fishing-fleet-october-2026",
		"https://www.gov.test/statistics/fishing-fleet-october-2026", "Fishing fleet statistics: October 2026", summary, t0)
	september := item(office, "tag:www.gov.test,2005:/statistics/fishing-fleet-september-2026",
		"https://www.gov.test/statistics/fishing-fleet-september-2026", "Fishing fleet statistics: September 2026", summary, t0)

	shelf := src("https://books.test/review/list_rss/4410?shelf=read")
	const card = `<a href="https://books.test/book/show/%d"><img alt="" src="https://books.test/covers/%d.jpg"></a><br/>` +
		"author: Elspeth Carrow<br/>name: Morwenna<br/>average rating: 3.91<br/>book published: 2019<br/>rating: 4<br/>read at: 2026/11/26<br/>shelves: read<br/>review: <br/>"
	daughter := item(shelf, "https://books.test/review/show/7001001", "https://books.test/review/show/7001001",
		"The Lighthouse Keeper's Daughter", card, t0)
	tidewrack := item(shelf, "https://books.test/review/show/7001002", "https://books.test/review/show/7001002",
		"Tidewrack", card, t0.Add(-2*time.Minute))

	for _, series := range []struct {
		source aggregator.SourceState
		a, b   aggregator.Item
	}{{office, october, september}, {shelf, daughter, tidewrack}} {
		for _, order := range [][2]aggregator.Item{{series.a, series.b}, {series.b, series.a}} {
			a, b := twoStories(t, series.source, order[0], order[1])
			if a.ID == b.ID {
				t.Errorf("%q, stored after %q, joined its story; want a story of its own", order[1].Title, order[0].Title)
			}
		}
	}

	// The same article at a new link under a headline of its own words.
	paper := src("https://harbourgazette.test/feed")
	const text = "<p>Storm Orla brought gusts of 80mph to the coast overnight, and thousands of homes lost power.</p>" +
		"<p>Ferries to the islands were cancelled and the coast road was closed at Annick.</p>"
	first := item(paper, "https://harbourgazette.test/news/storm-hits-coast", "https://harbourgazette.test/news/storm-hits-coast",
		"Storm hits the coast", text, t0)
	again := item(paper, "https://harbourgazette.test/news/storm-orla-power-cut", "https://harbourgazette.test/news/storm-orla-power-cut",
		"Storm Orla cuts power to thousands", text, t0.Add(time.Hour))
	a, b := twoStories(t, paper, first, again)
	if a.ID != b.ID {
		t.Errorf("the article under its new headline is story %s; want the first's %s", b.ID, a.ID)
	}
}

// TestNamesApartUnderOneTemplate checks that items of one source whose
// words differ in names alone, a weather service's warnings for two
// counties under one headline and a wire's one-line reports of gold and
// silver, are a story each, in either order, while the source's fuller
// version of a warning, which adds words, joins it.
func TestNamesApartUnderOneTemplate(t *testing.T) {
	alerts := src("https://api.weather.test/alerts/active.atom?area=NR")
	const headline = "Winter Storm Warning issued November 28 at 9:52AM CST until November 29 at 6:00PM CST by WS Pinecrest"
	const text = "...WINTER STORM WARNING IN EFFECT FROM 6 PM THIS EVENING TO 6 PM CST SUNDAY... * WHAT...Heavy snow expected. " +
		"Total snow accumulations of 8 to 14 inches. * WHERE...%s County. * WHEN...From 6 PM this evening to 6 PM CST Sunday."
	alder := item(alerts, "https://api.weather.test/alerts/urn:oid:2.49.0.1.840.0.aa11.001.1",
		"https://api.weather.test/alerts/urn:oid:2.49.0.1.840.0.aa11.001.1", headline, fmt.Sprintf(text, "Alder"), t0)
	birchwood := item(alerts, "https://api.weather.test/alerts/urn:oid:2.49.0.1.840.0.aa11.002.1",
		"https://api.weather.test/alerts/urn:oid:2.49.0.1.840.0.aa11.002.1", headline, fmt.Sprintf(text, "Birchwood"), t0)

	wire := src("https://wire.test/markets/rss")
	gold := item(wire, "https://wire.test/markets/gold-steady-jobs-data-2026-11-28", "https://wire.test/markets/gold-steady-jobs-data-2026-11-28",
		"Gold steady ahead of jobs data", "Gold prices were steady on Saturday ahead of the jobs data.", t0)
	silver := item(wire, "https://wire.test/markets/silver-steady-jobs-data-2026-11-28", "https://wire.test/markets/silver-steady-jobs-data-2026-11-28",
		"Silver steady ahead of jobs data", "Silver prices were steady on Saturday ahead of the jobs data.", t0.Add(2*time.Minute))

	for _, series := range []struct {
		source aggregator.SourceState
		a, b   aggregator.Item
	}{{alerts, alder, birchwood}, {wire, gold, silver}} {
		for _, order := range [][2]aggregator.Item{{series.a, series.b}, {series.b, series.a}} {
			a, b := twoStories(t, series.source, order[0], order[1])
			if a.ID == b.ID {
				t.Errorf("%q, stored after %q, joined its story; want a story of its own (texts %q, %q)",
					order[1].Title, order[0].Title, order[1].Summary, order[0].Summary)
			}
		}
	}

	// The warning given again with a line added is the warning.
	fuller := item(alerts, "https://api.weather.test/alerts/urn:oid:2.49.0.1.840.0.aa11.001.2",
		"https://api.weather.test/alerts/urn:oid:2.49.0.1.840.0.aa11.001.2", headline,
		fmt.Sprintf(text, "Alder")+" * IMPACTS...Travel could be very difficult.", t0.Add(30*time.Minute))
	a, b := twoStories(t, alerts, alder, fuller)
	if a.ID != b.ID {
		t.Errorf("the warning given again with a line added is story %s; want the warning's %s", b.ID, a.ID)
	}
}

// TestDirectivesUnderOneHeadline checks that a register's two directives
// of one day under one headline, for two models of one maker, are a
// story each, in either order, while a paper's article and its video under
// one headline, the video telling fewer of the article's figures, are one.
func TestDirectivesUnderOneHeadline(t *testing.T) {
	register := src("https://www.register.test/agencies/aviation-authority.rss")
	const headline = "Airworthiness Directives; Corvina Aerospace S.p.A. Airplanes"
	c72 := item(register, "https://www.register.test/documents/2026/11/30/2026-24101", "https://www.register.test/documents/2026/11/30/2026-24101",
		headline, "The Authority is adopting a new airworthiness directive (AD) for certain Corvina Aerospace S.p.A. Model C-72 airplanes. "+
			"This AD was prompted by reports of cracking in the main landing gear attachment fitting. This AD requires repetitive inspections "+
			"of the fitting and replacement if necessary. The Authority is issuing this AD to address the unsafe condition on these products.", t0)
	c90 := item(register, "https://www.register.test/documents/2026/11/30/2026-24103", "https://www.register.test/documents/2026/11/30/2026-24103",
		headline, "The Authority is adopting a new airworthiness directive (AD) for certain Corvina Aerospace S.p.A. Model C-90 airplanes. "+
			"This AD was prompted by a report of a fuel leak at the wing root. This AD requires an inspection of the fuel line clamps "+
			"and corrective actions if necessary. The Authority is issuing this AD to address the unsafe condition on these products.", t0)
	for _, order := range [][2]aggregator.Item{{c72, c90}, {c90, c72}} {
		a, b := twoStories(t, register, order[0], order[1])
		if a.ID == b.ID {
			t.Errorf("%s joined %s's story; want a story of its own", order[1].Link, order[0].Link)
		}
	}

	paper := src("https://harbourgazette.test/feed")
	const fares = "Ferry fares to rise 8% in April"
	article := item(paper, "https://harbourgazette.test/news/ferry-fares-rise", "https://harbourgazette.test/news/ferry-fares-rise", fares,
		"<p>Fares on the island ferries will rise 8% from 1 April, the operator said, the first rise since 2022.</p>"+
			"<p>The operator said fuel and crew costs had risen, and that the winter timetable would not change.</p>", t0)
	video := item(paper, "https://harbourgazette.test/video/ferry-fares-rise", "https://harbourgazette.test/video/ferry-fares-rise", fares,
		"<p>Fares on the island ferries will rise 8% from April, the operator said, as fuel and crew costs have risen.</p>", t0.Add(20*time.Minute))
	a, b := twoStories(t, paper, article, video)
	if a.ID != b.ID {
		t.Errorf("the video is story %s; want the article's %s", b.ID, a.ID)
	}
}

// TestGalleriesOfOneEvening checks that a picture agency's two galleries
// of one evening, a caption and a credit line each under headlines that
// differ in a few words, are a story each in either order, as the
// credit line they share is not yet known for the agency's standing text,
// while a gallery given again at a new link, its picture and its
// headline with words added, joins the first.
func TestGalleriesOfOneEvening(t *testing.T) {
	agency := src("https://pictures.test/galleries/feed.json")
	const credit = "<p>Photographs: Pictures Agency. View the gallery (30 images).</p>"
	gallery := func(slug, title, caption string, at time.Time) aggregator.Item {
		link := "https://pictures.test/galleries/" + slug
		return item(agency, link, link, title,
			`<img src="https://pictures.test/img/`+slug+`/cover.jpg"><p>`+caption+`</p>`+credit, at)
	}
	arrivals := gallery("lindmoor-theatre-awards-arrivals", "Lindmoor Theatre Awards: the arrivals – in pictures",
		"Guests arrive at the Lindmoor Playhouse.", t0)
	winners := gallery("lindmoor-theatre-awards-winners", "Lindmoor Theatre Awards: the winners – in pictures",
		"The winners with their awards at the Lindmoor Playhouse.", t0.Add(3*time.Hour))
	for _, order := range [][2]aggregator.Item{{arrivals, winners}, {winners, arrivals}} {
		a, b := twoStories(t, agency, order[0], order[1])
		if a.ID == b.ID {
			t.Errorf("%q, stored after %q, joined its story; want a story of its own", order[1].Title, order[0].Title)
		}
	}

	again := arrivals
	again.ID = aggregator.ItemID(agency.ID, "https://pictures.test/galleries/lindmoor-awards-red-carpet")
	again.GUID, again.Link, again.CanonicalLink = "https://pictures.test/galleries/lindmoor-awards-red-carpet",
		"https://pictures.test/galleries/lindmoor-awards-red-carpet", "https://pictures.test/galleries/lindmoor-awards-red-carpet"
	again.Title = "Lindmoor Theatre Awards 2026: the arrivals on the red carpet – in pictures"
	again.Published, again.FirstSeen = t0.Add(20*time.Minute), t0.Add(21*time.Minute)
	again.Hash = again.Title + "\x00" + again.Summary
	a, b := twoStories(t, agency, arrivals, again)
	if a.ID != b.ID {
		t.Errorf("the gallery given again under a new headline is story %s; want the first's %s", b.ID, a.ID)
	}
}

// TestArticleUpdateWithNewPicture checks that a news site's short item and
// its update at a new link, under a new headline and with a new picture,
// its text the same or edited, are one story in either order: the words
// the update's headline changed are in the other's text, as they are not
// in a picture agency's two galleries of one evening.
func TestArticleUpdateWithNewPicture(t *testing.T) {
	site := src("https://news.test/feed.xml")
	const summary = "<p>A fire broke out at the Lindmoor chemical plant on Tuesday night. Residents within two kilometres " +
		"were told to keep their windows shut, and the fire service sent twelve engines.</p>"
	first := item(site, "https://news.test/a/lindmoor-plant-fire", "https://news.test/a/lindmoor-plant-fire",
		"Fire breaks out at Lindmoor chemical plant", `<img src="https://news.test/img/plant-fire-1.jpg">`+summary, t0)
	for _, text := range []string{
		summary,
		"<p>A fire broke out at the Lindmoor chemical plant on Tuesday night. Residents within two kilometres " +
			"were told to keep their windows shut, and the fire service sent fifteen engines. No one was hurt.</p>",
	} {
		update := item(site, "https://news.test/a/lindmoor-plant-fire-residents", "https://news.test/a/lindmoor-plant-fire-residents",
			"Lindmoor plant fire: residents told to shut windows", `<img src="https://news.test/img/plant-fire-2.jpg">`+text,
			t0.Add(time.Hour))
		for _, order := range [][2]aggregator.Item{{first, update}, {update, first}} {
			a, b := twoStories(t, site, order[0], order[1])
			if a.ID != b.ID {
				t.Errorf("%q, stored after %q, is story %s; want the first's %s", order[1].Title, order[0].Title, b.ID, a.ID)
			}
		}
	}
}

// TestUpdateWithPictureAtAnotherSize checks that a news site's short item
// and its update at a new link, under a headline with news the first's
// text lacks, are one story when the update's picture is the first's at
// another size ("?w=1280" for "?w=640", WordPress's "-1024x683.jpg" for
// "-300x200.jpg"): the same picture, where a new one is a new post's.
func TestUpdateWithPictureAtAnotherSize(t *testing.T) {
	site := src("https://news.test/feed.xml")
	const text = "<p>Firefighters are at the scene on Harbour Road in Lindmoor, where smoke rose over the plant on Tuesday night.</p>"
	for _, pics := range [][2]string{
		{"https://news.test/img/plant-fire.jpg?w=640", "https://news.test/img/plant-fire.jpg?w=1280&amp;fit=crop"},
		{"https://news.test/wp-content/uploads/2026/11/plant-fire-300x200.jpg", "https://news.test/wp-content/uploads/2026/11/plant-fire-1024x683.jpg"},
	} {
		first := item(site, "https://news.test/a/lindmoor-plant-fire", "https://news.test/a/lindmoor-plant-fire",
			"Fire breaks out at Lindmoor chemical plant", `<img src="`+pics[0]+`">`+text, t0)
		update := item(site, "https://news.test/a/lindmoor-plant-fire-workers-missing", "https://news.test/a/lindmoor-plant-fire-workers-missing",
			"Lindmoor plant fire: two workers missing", `<img src="`+pics[1]+`">`+text+"<p>Two workers are missing.</p>", t0.Add(time.Hour))
		for _, order := range [][2]aggregator.Item{{first, update}, {update, first}} {
			a, b := twoStories(t, site, order[0], order[1])
			if a.ID != b.ID {
				t.Errorf("with pictures %s and %s, %q, stored after %q, is story %s; want the first's %s",
					pics[0], pics[1], order[1].Title, order[0].Title, b.ID, a.ID)
			}
		}
	}
}
