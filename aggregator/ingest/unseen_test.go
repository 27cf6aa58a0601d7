package ingest_test

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/ingest"
	"github.com/tributary-feeds/tributary/store"
)

// The folders of feeds written for TestUnseenStories,
// TestUnseenStoriesSecondSet, TestUnseenStoriesThirdSet,
// TestUnseenStoriesFourthSet and TestNonNewsStories, each with its labels.
const (
	unseenDir  = "testdata/unseen"
	unseen2Dir = "testdata/unseen2"
	unseen3Dir = "testdata/unseen3"
	unseen4Dir = "testdata/unseen4"
	unseen5Dir = "testdata/unseen5"
	unseen6Dir = "testdata/unseen6"
	nonNewsDir = "testdata/nonnews"
)

// unseenLabels is a folder's labels.txt: each labelled item's story label
// by link, in the file's order, and the pairs of labels that may be one
// story or two.
type unseenLabels struct {
	links []string
	story map[string]string // link → label
	free  map[[2]string]bool
}

func readUnseenLabels(t *testing.T, dir string) unseenLabels {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "labels.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	l := unseenLabels{story: map[string]string{}, free: map[[2]string]bool{}}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		fields := strings.Fields(sc.Text())
		switch {
		case len(fields) == 0 || strings.HasPrefix(fields[0], "#"):
		case len(fields) == 3 && fields[0] == "free":
			l.free[[2]string{fields[1], fields[2]}] = true
			l.free[[2]string{fields[2], fields[1]}] = true
		case len(fields) == 2:
			if _, dup := l.story[fields[1]]; dup {
				t.Fatalf("labels.txt:%d: %s labelled twice", n, fields[1])
			}
			l.links = append(l.links, fields[1])
			l.story[fields[1]] = fields[0]
		default:
			t.Fatalf("labels.txt:%d: want LABEL LINK or free LABEL LABEL", n)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return l
}

// unseenFeeds returns the feed files of dir, XML and JSON, in fetch order.
func unseenFeeds(t *testing.T, dir string) []string {
	t.Helper()
	var paths []string
	for _, pattern := range []string{"*.xml", "*.json"} {
		found, err := filepath.Glob(filepath.Join(dir, pattern))
		if err != nil {
			t.Fatal(err)
		}
		paths = append(paths, found...)
	}
	if len(paths) == 0 {
		t.Fatalf("no feeds in %s", dir)
	}
	slices.SortFunc(paths, func(a, b string) int { return strings.Compare(filepath.Base(a), filepath.Base(b)) })
	return paths
}

// TestUnseenStories files feeds written for it (testdata/unseen: news
// that no other test or evaluation holds) through the real pipeline,
// parse.Parse and Ingester.Apply into a bbolt store, and checks the
// stories against their labels: re-posts, re-titled and trimmed copies,
// summaries, scraper copies wrapped in ads and links, and copies in
// German, Spanish and French join their original; another report on the
// same company, city, storm or teams, a next-day follow-up, results of
// other matches, short items sharing names, items that are mostly their
// site's chrome, and empty items stay apart. It runs the fetches in
// order and reversed, as copies may arrive before their originals.
func TestUnseenStories(t *testing.T) { checkUnseen(t, unseenDir) }

// TestUnseenStoriesSecondSet does the same with a second set written apart
// from the first (testdata/unseen2), in RSS, Atom and JSON Feed: a press
// release copied word for word by five trade sites with their own chrome
// (one under a paragraph of its own) beside the same company's other
// release with the same closing section, a wire story and its "UPDATE 2"
// with lines added before and between its paragraphs, a correction under
// a new link, a live page edited over three fetches, translations,
// obituaries, two companies' results, weather warnings and by-election
// results each written to one template, rulings of one judge in two
// cases, a preview and the report of one match (a copy of a report with
// the league table after it), newsletters that are lists of headlines,
// podcast episodes under one standing paragraph, headline-only flashes,
// and one site's stubs that say only that a story is developing.
func TestUnseenStoriesSecondSet(t *testing.T) { checkUnseen(t, unseen2Dir) }

// TestScriptStories does the same with news in other scripts
// (testdata/scripts): Japanese, Chinese and Thai, written without spaces,
// Arabic, Russian, Greek, Korean, and Vietnamese, whose copy in decomposed
// Unicode (NFD) must join its original. Scraper sites re-post reports under
// new headlines, with their own lines around them and cut short, half a
// day later (a Greek one a day later, under a headline in capitals, which
// Greek writes without accents); each outlet's other reports, which share its standing lines
// and common characters, stay apart, and so do other outlets' reports of
// another earthquake, of rain the day of a typhoon and of a fire where the
// words of a flood report recur.
func TestScriptStories(t *testing.T) { checkUnseen(t, "testdata/scripts") }

// TestUnseenStoriesThirdSet does the same with a third set written apart
// from the others (testdata/unseen3), in RSS, Atom and JSON Feed: a wire
// story syndicated by local papers that each put a paragraph of their own
// first and cut the end, a story updated through the day under one link
// with a new headline at each fetch, two shootings, two recalls and two
// court rulings of one day whose copies join while the two stay apart, a
// daily markets report and forecast that are a new story each day under
// one template, a "what we know" explainer beside its news, a correction
// notice, translations, a television station's video and article of one
// report, an opinion column quoting the news, two matches of one league,
// a live page's entries, and a press release copied by trade sites under
// introductions of their own.
func TestUnseenStoriesThirdSet(t *testing.T) { checkUnseen(t, unseen3Dir) }

// TestUnseenStoriesFourthSet does the same with a fourth set written apart
// from the others (testdata/unseen4), in RSS, Atom and JSON Feed: a
// product's rumour, leak, launch and review over three days; a council
// election's results, one entry a ward; a weather service's warnings for
// two regions and the upgrade of one; a university's two press releases
// of one afternoon and a science site's copies of both under its credit
// lines; two matches of one league from one wire; a story retitled through
// the evening under one link; three companies' results from one wire; a
// Spanish wire's story with its English and Portuguese translations; an
// Arabic paper's report and a copy; an obituary and its French
// translation; an aggregator's items of a headline alone or a headline and
// "Read more"; and a picture agency's items of a picture alone.
func TestUnseenStoriesFourthSet(t *testing.T) { checkUnseen(t, unseen4Dir) }

// TestUnseenStoriesFifthSet does the same with a fifth set written apart
// from the others (testdata/unseen5), in RSS, Atom and JSON Feed: a court
// ruling, the next day's notice of an appeal and a law blog's analysis; a
// strike announced and called off; an obituary and a tribute; an election
// count updated under one link; a syndicated column in three papers; a
// transfer rumour and the signing; a product recall copied by local papers
// beside another recall to one template; an agency's picture re-sent with
// a corrected caption; a planet's Atom entries with <source>; a
// university's, a journal's and a news site's versions of one paper; a
// bank's results in two languages; a live page's entries; and copies that
// name their original by "Source link", a blog footer, a credit line,
// external_url or a canonical link, cut short, or of a headline alone.
func TestUnseenStoriesFifthSet(t *testing.T) { checkUnseen(t, unseen5Dir) }

// TestUnseenStoriesSixthSet does the same with a sixth set written apart
// from the others (testdata/unseen6), in RSS, Atom and JSON Feed: two
// central banks' decisions from one wire template with copies under
// headlines in title case, capitals and sentence case; podcast episodes
// of two shows on one decision; regulatory announcements of buybacks that
// differ only in figures; lottery draws, exam results by region, cycling
// stages, witness appeals and traffic incidents, each to one template; a
// wire story sent again as UPDATE 1, 2 and 3 under new links; a paper's
// report under its print path, its social post's tracking parameters and
// an aggregator's links to its mobile page; and a ticker that sends every
// item again under a new GUID.
func TestUnseenStoriesSixthSet(t *testing.T) { checkUnseen(t, unseen6Dir) }

// checkUnseen runs the feeds of dir through the pipeline, in order and
// reversed, and checks every pair of labelled items: one story when their
// labels are the same, two when they differ and are not free.
func checkUnseen(t *testing.T, dir string) {
	labels := readUnseenLabels(t, dir)
	feeds := unseenFeeds(t, dir)
	for _, order := range []string{"in order", "reversed"} {
		t.Run(order, func(t *testing.T) {
			paths := slices.Clone(feeds)
			if order == "reversed" {
				slices.Reverse(paths)
			}
			stories, members := runUnseen(t, paths)
			for _, link := range labels.links {
				if _, ok := stories[link]; !ok {
					t.Errorf("%s: not stored", link)
				}
			}
			why := func(link string) string {
				m := members[link]
				return m.Reason + " " + m.Key
			}
			var joined, labelled, wrong, free int
			for i, a := range labels.links {
				for _, b := range labels.links[i+1:] {
					la, lb := labels.story[a], labels.story[b]
					same := stories[a] == stories[b]
					if la == lb {
						labelled++
					}
					switch {
					case la == lb && same:
						joined++
					case la == lb:
						t.Errorf("%s: %s and %s are two stories; want one", la, a, b)
					case same && labels.free[[2]string{la, lb}]:
						free++
					case same:
						wrong++
						t.Errorf("%s and %s are one story (%s: %s; %s: %s); want two", la, lb, a, why(a), b, why(b))
					}
				}
			}
			t.Logf("%s: %d of %d labelled pairs joined; %d pairs joined that may be apart, %d that must be", dir, joined, labelled, free, wrong)
		})
	}
}

// runUnseen fetches each feed file into a fresh store, one transaction a
// file, the source named by the file, and returns each item's story and
// how it joined it, by link, and by GUID too where that is no item's link:
// a link aggregator's item, whose link is the article it points at, is
// named by its comments page.
func runUnseen(t *testing.T, paths []string) (map[string]string, map[string]aggregator.Match) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(filepath.Join(t.TempDir(), "agg.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	in := ingest.New(&aggregator.Config{}, nil)
	now := time.Date(2025, 4, 9, 0, 0, 0, 0, time.UTC)
	for _, p := range paths {
		body, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		name := strings.TrimSuffix(filepath.Base(p), filepath.Ext(p))
		_, name, _ = strings.Cut(name, "-") // the number orders the fetches
		ingestFeed(t, db, in, "https://"+name+".feeds.test/feed.xml", name, body, now)
	}
	stories := map[string]string{}
	members := map[string]aggregator.Match{}
	byGUID := map[string]string{}
	guidMembers := map[string]aggregator.Match{}
	err = db.Export(ctx, func(it aggregator.Item, st aggregator.Story) error {
		stories[it.Link] = st.ID
		if it.GUID != it.Link {
			byGUID[it.GUID] = st.ID
		}
		for _, m := range st.Members {
			if m.Item == it.ID {
				members[it.Link] = m.Match
				guidMembers[it.GUID] = m.Match
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for guid, story := range byGUID {
		if _, isLink := stories[guid]; !isLink {
			stories[guid] = story
			members[guid] = guidMembers[guid]
		}
	}
	return stories, members
}

// TestNonNewsStories does the same with feeds that are not news
// (testdata/nonnews): a project's releases, tags and merge commits,
// earthquakes, podcast episodes and videos under one footer, subreddits
// with link posts and a crosspost, a link aggregator's items of a title and
// "Comments", short posts without titles, web comics of a picture alone,
// job boards, a bug tracker, a forum thread, results, a wiki's recent
// changes, a blog's author bio and price alerts. Each is one of a series
// whose items share a template and differ in a few words or figures:
// every one must stay its own story, while the same release in two feeds
// and one job posted on two boards join.
func TestNonNewsStories(t *testing.T) { checkUnseen(t, nonNewsDir) }

// TestStoriesKeptApart does the same with items that a join rule could
// take for another's story (testdata/apart): an opinion column, a media
// column, a newsletter and a wire's digest that quote other items'
// headlines whole; a paper's report of a storm and, within the hour, its
// explainer, live page and analysis under headlines that share the
// storm's name; one outlet's two events of one kind within the hour under
// one template (charges over two stabbings, two match reports, two
// earthquakes); a link reused for a new article; and a radio station's
// copy of half a regional forecast beside its own forecast.
func TestStoriesKeptApart(t *testing.T) { checkUnseen(t, "testdata/apart") }

// TestStoriesKeptApartSecondSet does the same with a second set of such
// items (testdata/apart2).
func TestStoriesKeptApartSecondSet(t *testing.T) { checkUnseen(t, "testdata/apart2") }

// TestStoriesKeptApartThirdSet does the same with items that the joins by
// a named original could take for one story (testdata/apart3): two
// directories' episodes of one show, each one link to the show's page,
// beside a picks site's item of that page; and two aggregators' headlines
// of two entries of a live page, each one link to the page, beside the
// page's own item.
func TestStoriesKeptApartThirdSet(t *testing.T) { checkUnseen(t, "testdata/apart3") }

// TestStoriesKeptApartFourthSet does the same with links that carry
// another page's address in a parameter telling where the reader came
// from (testdata/apart4): a digest's issue, and two readers' saved links to
// two articles it led them to, each with the address in "?ref=".
// Taken for the page each link leads to, the issue would be named the
// original of both articles, and join them in its story.
func TestStoriesKeptApartFourthSet(t *testing.T) { checkUnseen(t, "testdata/apart4") }

// TestUnseenStoriesSeventhSet does the same with a seventh set written
// apart from the others (testdata/unseen7), in RSS, Atom and JSON Feed: one
// storm's coverage over three days, where every report names the same
// storm, region, towns, river and people. A wire's forecast, warning,
// evacuation and its lifting, landfall, power cuts and the power back for
// half, a death toll of four, then seven (an update under a new link),
// nine and twelve, a bridge's collapse, a rescue, a premier's visit, an
// insurers' estimate and the victims' names are a story each, with their
// copies: re-titled, cut, wrapped by a scraper in its lines with a
// "Source link", an aggregator's headline over "Read more", a copy naming
// its original by external_url, a flash in capitals and a translation.
// Beside them stay apart the weather office's three warnings, a paper's
// live page entries, explainer, "what we know" and opinion column, a
// picture agency's two galleries, a charity's two releases with one
// About section, an insurer's two releases, a government's notice of the
// visit, a flood warning, a column quoting a headline, a briefing, a fact
// check, and local reports of schools, trains, water and a football match.
func TestUnseenStoriesSeventhSet(t *testing.T) { checkUnseen(t, "testdata/unseen7") }

// TestUnseenStoriesEighthSet does the same with an eighth set written
// apart from the others (testdata/unseen8), in RSS, Atom and JSON Feed:
// two running stories over three days where every report shares its names.
// A footballer's transfer: a wire's rumour, rejected bid, second bid,
// medical, signing with the fee in two currencies and debut, with copies
// by a scraper, an aggregator, a relay and a flash, and flashes of the two
// bids as headlines alone; the agent's words on other clubs; the buying
// club's release of the signing and the player's first words with one
// closing line, copied by a fans' site and a trade site; the selling
// club's statement quoted by a paper; a European site's report of the fee
// in euros, the fans' anger, a column and a factbox; the club's release of
// a goalkeeper to the template of the first, copied before it came; and
// the weekend's results to one template, beside the same clubs' under-21
// and women's results and another site's headlines of them. A phone's
// launch: leaked renders and prices, a live page's entries, the maker's
// releases of the phone, of a smaller model to the same template and of a
// watch with one About section, copied by trade sites (one cut, fetched
// before the release), a wire's report, three outlets' hands-on
// impressions, prices by country of the phone and of the smaller model
// (copied before it came), a fault in the first update a day later, the
// maker's fix with a wire's report and a headline-only flash, a "what we
// know" of the fault, and a second fault and fix on the third day to the
// templates of the first.
func TestUnseenStoriesEighthSet(t *testing.T) { checkUnseen(t, "testdata/unseen8") }

// TestUnseenStoriesNinthSet does the same with a ninth set written apart
// from the others (testdata/unseen9), in RSS, Atom and JSON Feed, of kinds
// the others hold few of. A food regulator's recall notices to one
// template (a dairy's two cheeses a week apart, the first updated the next
// morning under a new link with a line put before it, another company's
// ready meal and a smokehouse's salmon), with the dairy's statements,
// copies, a translation and a local paper's report. One election night over two
// days: a wire's result, concession, correction, turnout and factbox, an
// electoral commission's district results to one template, a
// broadcaster's tables of them, a paper's live page, report and roundup,
// the winner's speech, a recount ordered and its result the next day,
// flashed as headlines alone, and the commission's result of the recount,
// with copies by a scraper, a flash site, a relay and an aggregator whose
// headline over "Read more" names a paper's mobile page. A strong
// earthquake abroad: a wire's report edited in place as its toll rises,
// its "UPDATE 1" under a new link, an explainer, the toll passing 200,
// another quake that evening and an aftershock the next day, a seismology agency's notices to one
// template, two charities' appeals and their joint one, a travel advice,
// and a paper's live page and report with its social post's tracking
// parameters and a link site's comment naming its AMP page.
func TestUnseenStoriesNinthSet(t *testing.T) { checkUnseen(t, "testdata/unseen9") }

// TestUnseenStoriesTenthSet does the same with a tenth set written apart
// from the others (testdata/unseen10), in RSS, Atom and JSON Feed: a
// university's study released under embargo, re-posted word for word by
// science sites, named by a picks site, reported by a wire and a paper
// with outside experts' comments, and corrected the next day, beside
// another university's study of the same subject; four companies'
// results from one wire template with a finance site's copies, a preview
// the day before, the wire's update of one, that company's chief
// executive leaving the same evening with a news finder's headline of it,
// and its share price the next morning; and a singer's death, with the
// family's statement, the wire's obituary and its copies, outlets' own
// obituaries, a translation, the tributes, a list of his songs, the
// charts, the funeral and another musician's obituary to the wire's
// template.
func TestUnseenStoriesTenthSet(t *testing.T) { checkUnseen(t, "testdata/unseen10") }

// TestUnseenStoriesEleventhSet does the same with an eleventh set written
// apart from the others (testdata/unseen11), in RSS, Atom and JSON Feed: a
// football league's Saturday, with three matches' reports to one template,
// copies, two live pages edited in place and the next day's injury; an
// airline's check-in systems failing for a day, with its travel-update
// page edited in place, the airport's notice, a paper's own report, a
// translation, another airline's failure that evening to the wire's
// template, the cause the next day, an analysis and the regulator's
// request; a small rocket's countdown stopped, its launch the next day and
// its satellite's fault the day after, with the launcher's releases under
// one "About" section, a paper's live page edited over both days, the
// owner's notices, copies and a translation; a former mayor's verdict
// beside another verdict of the same court to the wire's template, the
// court's summaries, the appeal, an analysis and the sentence three weeks
// later; and a painting's theft, the police appeal, a piece on the
// painting and two arrests. Aggregators and copies name their originals
// by addresses the originals' feeds write otherwise: in "http" for
// "https", without "www.", with a "/" after the path, or the article of
// a feed that links AMP pages.
func TestUnseenStoriesEleventhSet(t *testing.T) { checkUnseen(t, "testdata/unseen11") }

// TestUnseenStoriesTwelfthSet does the same with a twelfth set written
// apart from the others (testdata/unseen12), in RSS, Atom and JSON Feed:
// a wildfire over three days, with a fire service's evacuation orders and
// warning for three towns to one template, re-posted by local outlets in
// their chrome, a paper's live page edited in place, the wire's reports
// of each day with copies that reorder its paragraphs, drop its first,
// put "Related:" links between them or give its headline alone over
// "Continue reading", a translation, an explainer, a gallery, the orders
// lifted and an arrest; a hospital group's computers shut down by a
// cyberattack, with its notice edited in place, the wire's report and
// copies, a translation, local reports, the gang's claim and the
// patients' records posted online on the following days, a profile of the
// gang and the regulator's investigation; and a night of film awards,
// with the wire's reports of three winners to one template, the awards'
// list of winners, copies, a translation, a flash, another outlet's own
// report, two galleries to one template and the ticket sales the next day.
func TestUnseenStoriesTwelfthSet(t *testing.T) { checkUnseen(t, "testdata/unseen12") }

// TestUnseenStoriesThirteenthSet does the same with a thirteenth set
// written apart from the others (testdata/unseen13), in RSS, Atom and JSON
// Feed: a health agency's daily bulletins of an outbreak over three days,
// each to one template that only its figures, places and dates tell
// apart, beside its bulletin of another outbreak to the same template,
// with re-posts under one standing headline, copies with their paragraphs
// reordered or the first left out, a brief's first paragraph the next
// morning, a wire's report, a hospital's notice and an analysis; a
// food company's purchase of a dairy, with the joint release posted by
// both, the wire's report and its copies, a flash, a translation, a
// paper's own report and analysis, the dairy's letter to its farmers, the
// buyer's other release under the same "About" section, the shares the
// next day and the regulator's review a month later; and a transport
// strike, with the union's announcement, the operator's statement and
// travel-update page edited in place, the wire's reports, a translation,
// and a second strike a week later to the union's template, with an
// aggregator's headlines over the wire's article and over a paper's copy
// on its mobile host. Scrapers put "Related:" links between paragraphs.
func TestUnseenStoriesThirteenthSet(t *testing.T) { checkUnseen(t, "testdata/unseen13") }

// TestUnseenStoriesFourteenthSet does the same with a fourteenth set
// written apart from the others (testdata/unseen14), in RSS 2.0, RSS 0.92,
// RSS 1.0, Atom and JSON Feed: a national budget, with the finance
// ministry's release and technical note under one "About" section, the
// wire's report re-posted under a headline of its own, wrapped by a scraper
// in adverts and "Must read" boxes, cut to two paragraphs, spun and named
// at a paper's AMP page, a flash, a live page edited in place, other
// outlets' own reports, the wire's factbox, the opposition's reaction, and
// an explainer and the bond market the next day; a cricket Test's first two
// days from one agency, with a spun copy, a live page and a cut copy,
// beside a one-day cup's four matches to one template with two clubs' and a
// scraper's copies and a scores site's headlines alone; a space weather
// service's watch, warning and alerts to one template, each its own story,
// beside the wire's report of the northern lights with copies; and a cargo
// ship aground, with the coastguard's notice edited in place, and its
// refloating the next day.
func TestUnseenStoriesFourteenthSet(t *testing.T) { checkUnseen(t, "testdata/unseen14") }

// TestUnseenStoriesFifteenthSet does the same with a fifteenth set written
// apart from the others (testdata/unseen15), mostly in languages other than
// English, in RSS, Atom and JSON Feed that each declare their language,
// some in the encodings their sites used before UTF-8 (Shift_JIS, EUC-KR,
// windows-1251, windows-1256, windows-1258, and ISO-8859-7 declared as
// ISO-8859-1): a news agency's report in French, Spanish, Portuguese and
// English, each language's re-posts joining that language's report, and
// its follow-up the next day; Japanese and Korean reports and copies, with
// full-width digits, and a Japanese paper's and a Korean paper's daily
// reports of two days; Russian and Ukrainian reports, with one club's two
// matches and a burst heating main and the heat restored; Hindi, Bengali,
// Greek, Turkish, Vietnamese, Hebrew and Persian reports and their copies,
// and two earthquakes off one island; and an Egyptian site's exchange
// rates of two days, each copied under one standing headline.
func TestUnseenStoriesFifteenthSet(t *testing.T) { checkUnseen(t, "testdata/unseen15") }

// TestUnseenStoriesSixteenthSet does the same with a sixteenth set written
// apart from the others (testdata/unseen16), in RSS 0.91 and 2.0, RSS 1.0,
// Atom and JSON Feed: technology and security news over three days. A web
// server's vulnerability with the vendor's advisory, copied by trade sites
// whole, re-titled and cut, three distributions' advisories of it in their
// own words, a news site's report, the release that fixes it, and the next
// day a second vulnerability and release to the same templates, with a
// distribution's advisory under the headline of its first; a payment
// company's outage, with its status page's Atom entry updated through the
// afternoon and another incident to its template two days later, the
// company's results call, results and postmortem. Beside news sites and a
// wire, feeds of kinds no other set holds: a link aggregator whose items
// link the article with their comments page as GUID, a subreddit's link
// post, a microblog account's posts without titles (a headline quoted over
// its link, a boost of the vendor's post), a video channel's media:group,
// a newsletter archive of five headlines an item, a news finder whose links
// are redirects carrying the article's address in a parameter, and a
// scraper of machine translations.
func TestUnseenStoriesSixteenthSet(t *testing.T) { checkUnseen(t, "testdata/unseen16") }
