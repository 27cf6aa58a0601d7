package ingest_test

import (
	"context"
	"fmt"
	"html"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/ingest"
	"github.com/tributary-feeds/tributary/aggregator/near"
	"github.com/tributary-feeds/tributary/store"
)

// scraperSite is one way a scraper site re-posts an item: what it does to the
// title and to the text. Each scraper of TestScraperCopies applies one, to
// every item it copies, as a real site's template does.
type scraperSite struct {
	name  string // what the site does, as the test reports it
	site  string // its host
	title func(o original) string
	body  func(o original, self string) string // HTML of the copy; self is the copy's own link
}

// original is a real item of the corpus, as the pipeline stored it, and
// what a scraperSite needs of it.
type original struct {
	n       int // its number among the originals, which picks a scraperSite's variant
	item    aggregator.Item
	outlet  string
	words   []string // the plain text of its summary or content
	related string   // the title of another report, for "read also" lines
}

// scraperSites are copies of kinds the corpus's own two scraper sites do
// not make, built from each item at test time.
var scraperSites = []scraperSite{
	{
		name: "blog footer: text as it was, \"The post … appeared first on …\"",
		site: "footer.scraper.example",
		title: func(o original) string {
			return o.item.Title
		},
		body: func(o original, self string) string {
			return para(strings.Join(o.words, " ")) +
				`<p>The post <a href="` + self + `">` + html.EscapeString(o.item.Title) +
				`</a> appeared first on <a href="https://footer.scraper.example/">Footer Daily</a>.</p>`
		},
	},
	{
		name: "new headline, share bar and newsletter box",
		site: "headline.scraper.example",
		title: func(o original) string {
			t := o.item.Title
			switch o.n % 5 {
			case 0:
				return "EXCLUSIVE: " + t
			case 1:
				return t + " | Headline Hub"
			case 2:
				return strings.ToUpper(t)
			case 3:
				return "WATCH: " + t + " (VIDEO)"
			}
			w := strings.Fields(t)
			if len(w) > 7 {
				return strings.Join(w[:7], " ") + "..."
			}
			return t
		},
		body: func(o original, self string) string {
			return `<p>Share on Facebook Share on Twitter Share on WhatsApp Share via Email</p>` +
				para(strings.Join(o.words, " ")) +
				`<p>Sign up for our newsletter to get the day's top stories delivered to your inbox.</p>`
		},
	},
	{
		name: "text cut short, \"Continue reading\"",
		site: "trimmed.scraper.example",
		title: func(o original) string {
			return strings.ToLower(o.item.Title)
		},
		body: func(o original, self string) string {
			w := o.words
			if len(w) > 12 {
				w = w[:max(12, len(w)*55/100)]
			}
			return para(strings.Join(w, " ")+" […]") + `<p><a href="` + self + `">Continue reading</a></p>`
		},
	},
	{
		name: "advertisements and another report's headline between sentences",
		site: "interleaved.scraper.example",
		title: func(o original) string {
			return o.item.Title + " - Interleaved News"
		},
		body: func(o original, self string) string {
			var b strings.Builder
			for i, s := range sentences(o.words) {
				b.WriteString(para(s))
				switch i {
				case 0:
					b.WriteString(para("READ ALSO: " + o.related))
				case 1:
					b.WriteString(para("ADVERTISEMENT"))
				}
			}
			b.WriteString(para("Follow us for more breaking news."))
			return b.String()
		},
	},
	{
		name: "typography: curly quotes, dashes, bold lead, title case",
		site: "typography.scraper.example",
		title: func(o original) string {
			return titleCase(curly(o.item.Title))
		},
		body: func(o original, self string) string {
			w := o.words
			lead := min(3, len(w))
			return "<p><strong>" + html.EscapeString(curly(strings.Join(w[:lead], " "))) + "</strong> " +
				strings.ReplaceAll(html.EscapeString(curly(strings.Join(w[lead:], " "))), " - ", " &mdash; ") + "</p>"
		},
	},
	{
		name: "spun: common words swapped for synonyms, in the headline and the text",
		site: "spun.scraper.example",
		title: func(o original) string {
			return spin(o.item.Title)
		},
		body: func(o original, self string) string {
			return para(spin(strings.Join(o.words, " ")))
		},
	},
	{
		name: "rewritten: a line of its own and a credit link to the original",
		site: "credited.scraper.example",
		title: func(o original) string {
			w := strings.Fields(o.item.Title)
			if len(w) > 4 {
				w = w[len(w)/3:]
			}
			return "Report: " + strings.Join(w, " ")
		},
		body: func(o original, self string) string {
			return `<p>Here is what we know so far about the story everyone is talking about today.</p>` +
				`<p>Source: <a href="` + html.EscapeString(o.item.Link) + `">` + html.EscapeString(o.outlet) + `</a></p>`
		},
	},
}

// synonyms are what an article spinner swaps common news words for.
var synonyms = map[string]string{
	"said": "stated", "says": "states", "people": "individuals", "government": "administration",
	"police": "authorities", "killed": "slain", "new": "fresh", "after": "following",
	"more": "additional", "help": "assist", "start": "begin", "big": "large", "buy": "purchase",
	"show": "display", "use": "utilise", "need": "require", "try": "attempt", "end": "finish",
	"get": "obtain", "told": "informed", "make": "create", "city": "town", "country": "nation",
	"children": "kids", "home": "house", "week": "seven days", "attack": "assault",
	"workers": "staff", "money": "funds", "report": "account", "first": "initial",
	"latest": "newest", "cases": "instances", "deaths": "fatalities", "rules": "regulations",
	"protest": "demonstration", "protesters": "demonstrators", "officials": "authorities",
	"warns": "cautions", "calls": "urges", "plan": "scheme", "news": "information",
}

// spin swaps the words of s found in synonyms, keeping a capital letter.
func spin(s string) string {
	w := strings.Fields(s)
	for i, x := range w {
		core := strings.TrimRight(x, ".,;:!?'\"")
		rest := x[len(core):]
		syn, ok := synonyms[strings.ToLower(core)]
		if !ok {
			continue
		}
		if core != strings.ToLower(core) {
			syn = strings.ToUpper(syn[:1]) + syn[1:]
		}
		w[i] = syn + rest
	}
	return strings.Join(w, " ")
}

func para(s string) string {
	if s == "" {
		return ""
	}
	return "<p>" + html.EscapeString(s) + "</p>"
}

// sentences splits words into sentences at words ending in a full stop,
// a question mark or an exclamation mark.
func sentences(words []string) []string {
	var out []string
	start := 0
	for i, w := range words {
		if strings.HasSuffix(w, ".") || strings.HasSuffix(w, "?") || strings.HasSuffix(w, "!") {
			out = append(out, strings.Join(words[start:i+1], " "))
			start = i + 1
		}
	}
	if start < len(words) {
		out = append(out, strings.Join(words[start:], " "))
	}
	return out
}

var curlyQuotes = strings.NewReplacer(`'`, "’", `"`, "“", " - ", " – ")

func curly(s string) string { return curlyQuotes.Replace(s) }

func titleCase(s string) string {
	w := strings.Fields(s)
	for i, x := range w {
		r := []rune(x)
		if len(r) > 0 {
			w[i] = strings.ToUpper(string(r[0])) + string(r[1:])
		}
	}
	return strings.Join(w, " ")
}

// scraperFeed renders the copies one scraper site makes of originals as an
// RSS 2.0 document, each copy an hour or more after its original.
func scraperFeed(c scraperSite, originals []original) []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>`)
	fmt.Fprintf(&b, "<title>%s</title><link>https://%s/</link>", c.site, c.site)
	for _, o := range originals {
		self := fmt.Sprintf("https://%s/%d/copy-%d", c.site, o.item.Published.Year(), o.n)
		fmt.Fprintf(&b, "<item><title>%s</title><link>%s</link><guid>%s</guid><pubDate>%s</pubDate><description>%s</description></item>",
			html.EscapeString(c.title(o)), self, self,
			o.item.Published.Add(time.Duration(1+o.n%6)*time.Hour).Format(time.RFC1123Z),
			html.EscapeString(c.body(o, self)))
	}
	b.WriteString(`</channel></rss>`)
	return []byte(b.String())
}

// Floors of TestScraperCopies, under the figures measured (see README.md,
// "Evaluation"): the share of copies of each site that join their
// original's story (509 or 510 of 510), the copies, over all sites, that
// may join another report's story, and the pairwise precision of the
// outlets' own items beside the copies (0.767; 0.861 without them: the
// copies' later times let a story reach a little further in time).
const (
	minCopiesJoined        = 0.98
	maxFalseCopies         = 0
	minCopiedPairPrecision = 0.75
)

// TestScraperCopies runs the real pipeline over the story corpus's real
// outlets, and after each day's feeds over seven scraper sites that re-post
// every item of that day in their own ways (scraperSites). Each copy should
// join its original's story; none may join another report's, and the
// originals' stories must stay as precise as without the copies.
func TestScraperCopies(t *testing.T) {
	dir := corpusDir(t)
	labels := readLabels(t, dir)
	cluster := map[string]string{} // link -> labelled cluster
	var outletLabels []label
	for _, l := range labels {
		if !strings.HasPrefix(l.Outlet, "scraper-") {
			cluster[l.Link] = l.Cluster
			outletLabels = append(outletLabels, l)
		}
	}
	var files []corpusFile
	for _, f := range corpusFiles(t, dir) {
		if !strings.HasPrefix(f.outlet, "scraper-") {
			files = append(files, f)
		}
	}

	ctx := context.Background()
	db, err := store.Open(filepath.Join(t.TempDir(), "agg.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	in := ingest.New(&aggregator.Config{}, nil)
	apply := func(feedURL, name string, body []byte, now time.Time) []aggregator.Item {
		t.Helper()
		return ingestFeed(t, db, in, feedURL, name, body, now)
	}

	seen := map[string]bool{}
	var all []original
	copyOf := map[string]original{} // copy link -> its original
	siteOf := map[string]int{}      // copy link -> index in scraperSites
	for _, day := range corpusDays(files) {
		now := day.Add(24 * time.Hour)
		var fresh []original
		for _, f := range files {
			if !f.day.Equal(day) {
				continue
			}
			body, err := os.ReadFile(f.path)
			if err != nil {
				t.Fatal(err)
			}
			for _, it := range apply("https://"+f.outlet+".corpus.test/feed.xml", f.outlet, body, now) {
				if seen[it.Link] || cluster[it.Link] == "" {
					continue
				}
				seen[it.Link] = true
				text := it.Content
				if text == "" {
					text = it.Summary
				}
				o := original{n: len(all), item: it, outlet: f.outlet, words: strings.Fields(near.Text(text))}
				all = append(all, o)
				fresh = append(fresh, o)
			}
		}
		for i := range fresh {
			// Another report of the same day, far enough along the list
			// to be of another outlet.
			other := fresh[(i+len(fresh)/2)%len(fresh)]
			if cluster[other.item.Link] == cluster[fresh[i].item.Link] {
				other = fresh[(i+1)%len(fresh)]
			}
			fresh[i].related = other.item.Title
		}
		// The copies, posted up to six hours after their originals, are
		// fetched once the last of them is up: a fetch reads no item
		// dated after it.
		copiesUp := now.Add(6 * time.Hour)
		for si, c := range scraperSites {
			for _, it := range apply("https://"+c.site+"/feed", c.site, scraperFeed(c, fresh), copiesUp) {
				n := 0
				if _, err := fmt.Sscanf(it.Link[strings.LastIndex(it.Link, "/copy-")+1:], "copy-%d", &n); err != nil {
					t.Fatalf("copy link %s: %v", it.Link, err)
				}
				copyOf[it.Link] = all[n]
				siteOf[it.Link] = si
			}
		}
	}

	stories := map[string]string{}   // item link -> story id
	members := map[string][]string{} // story id -> item links
	items := map[string]aggregator.Item{}
	storyOf := map[string]aggregator.Story{}
	err = db.Export(ctx, func(it aggregator.Item, st aggregator.Story) error {
		stories[it.Link] = st.ID
		items[it.Link] = it
		members[st.ID] = append(members[st.ID], it.Link)
		storyOf[st.ID] = st
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	clusterOfLink := func(link string) string {
		if o, ok := copyOf[link]; ok {
			return cluster[o.item.Link]
		}
		return cluster[link]
	}

	joined := make([]int, len(scraperSites))
	alone := make([]int, len(scraperSites))
	total := make([]int, len(scraperSites))
	falseCopies := 0
	for link, o := range copyOf {
		si := siteOf[link]
		total[si]++
		id := stories[link]
		if id == stories[o.item.Link] {
			// Whatever else the story holds, the originals put there.
			joined[si]++
			continue
		}
		if len(members[id]) == 1 {
			alone[si]++
			if *evalFlag {
				t.Logf("alone: %s copy %q of %q", scraperSites[si].site, items[link].Title, o.item.Title)
			}
			continue
		}
		want := cluster[o.item.Link]
		for _, m := range members[id] {
			if c := clusterOfLink(m); c != "" && c != want {
				falseCopies++
				t.Logf("false merge: %s copy of %q (%s) is in a story with %q (%s)",
					scraperSites[si].site, o.item.Title, want, m, c)
				break
			}
		}
	}
	t.Logf("| scraper site | copies | joined their original | alone |")
	for si, c := range scraperSites {
		t.Logf("| %s | %d | %d (%.0f%%) | %d |", c.name, total[si], joined[si],
			100*ratio(joined[si], total[si]), alone[si])
		if total[si] == 0 {
			t.Errorf("%s: no copies stored", c.site)
			continue
		}
		if r := ratio(joined[si], total[si]); r < minCopiesJoined {
			t.Errorf("%s: %.3f of copies joined their original's story; want at least %.2f", c.site, r, minCopiesJoined)
		}
	}
	if falseCopies > maxFalseCopies {
		t.Errorf("%d copies joined another report's story; want at most %d", falseCopies, maxFalseCopies)
	}
	s := score(outletLabels, stories)
	t.Logf("the outlets' own items beside the copies: %s", s)
	if *evalFlag {
		alone0, _ := runCorpus(t, files, &aggregator.Config{})
		t.Logf("the outlets' own items without them:      %s", score(outletLabels, alone0))
	}
	if s.pairP < minCopiedPairPrecision {
		t.Errorf("the outlets' items beside the copies: pairwise precision %.3f; want at least %.2f", s.pairP, minCopiedPairPrecision)
	}
	if *evalFlag {
		explainErrors(t, outletLabels, stories, items)
		byID := map[string]aggregator.Item{}
		for _, it := range items {
			byID[it.ID] = it
		}
		for id, st := range storyOf {
			mixed := map[string]bool{}
			for _, m := range members[id] {
				if c := clusterOfLink(m); c != "" {
					mixed[c] = true
				}
			}
			if len(mixed) < 2 {
				continue
			}
			t.Logf("story %s joins:", id)
			for _, m := range st.Members {
				t.Logf("    %-40.40s %-6s %.3f with %-40.40s", byID[m.Item].Title, m.Match.Reason, m.Match.Score, byID[m.Match.With].Title)
			}
		}
	}
}
