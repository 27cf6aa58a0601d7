package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/ingest"
	"github.com/tributary-feeds/tributary/aggregator/parse"
	"github.com/tributary-feeds/tributary/aggregator/topic"
	"github.com/tributary-feeds/tributary/store"
)

// TestExplainLargeStory checks that explain says which members' text
// decided the topics of a story with more members than that, and decides
// them as the ingester does.
func TestExplainLargeStory(t *testing.T) {
	topics := []aggregator.TopicConfig{{ID: "transport", Title: "Transport", Match: aggregator.MatchConfig{Any: []string{"ferry"}}}}
	tags, err := topic.Compile(topics, nil)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)
	var items []aggregator.Item
	story := aggregator.Story{Time: t0}
	for i := range ingest.MaxTopicMembers + 4 {
		src := aggregator.SourceID(fmt.Sprintf("https://outlet-%d.test/feed", i))
		it := aggregator.Item{
			ID: aggregator.ItemID(src, fmt.Sprint(i)), SourceID: src, Title: "Harbour bridge reopens",
			Summary: "Traffic flows again.", Published: t0.Add(time.Duration(i) * time.Minute),
		}
		if i >= ingest.MaxTopicMembers {
			it.Summary = "The ferry stops." // beyond the members whose text counts
		}
		items = append(items, it)
		story.Members = append(story.Members, aggregator.Member{Item: it.ID, Source: src, Time: it.Published, Match: aggregator.Match{Reason: aggregator.ReasonLink}})
	}
	story.ID, story.Face = items[0].ID, items[0].ID
	db, err := store.Open(filepath.Join(t.TempDir(), "agg.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var storyText aggregator.StoryText
	err = db.View(t.Context(), func(tx aggregator.Tx) error {
		var err error
		storyText, err = ingest.StoryText(tx, story, items)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := writeExplain(&out, items[0], "", story, items, storyText, nil, tags); err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(out.String()), " ")
	for _, want := range []string{"the face and the first 15 others to join", "no transport"} {
		if !strings.Contains(text, want) {
			t.Errorf("explain output lacks %q:\n%s", want, out.String())
		}
	}
}

// explainStore is a config file naming sources and a store they were
// ingested into, for running explain and topics test on.
type explainStore struct {
	path    string // of the config file
	cfg     *aggregator.Config
	sources map[string]aggregator.SourceState // by name
}

// newExplainStore writes a config with the named sources (each at
// https://NAME.test/feed) and topicsYAML under topics:, and stores the
// sources' states so that commands name them.
func newExplainStore(t *testing.T, topicsYAML string, names ...string) *explainStore {
	t.Helper()
	dir := t.TempDir()
	var b strings.Builder
	fmt.Fprintf(&b, "storage:\n  path: %q\n  retention: 0\nsources:\n", filepath.Join(dir, "tributary.db"))
	for _, n := range names {
		fmt.Fprintf(&b, "  - url: \"https://%s.test/feed\"\n    name: %q\n", strings.ToLower(n), n)
	}
	b.WriteString("topics:\n" + topicsYAML)
	path := saveConfig(t, dir, b.String())
	cfg, err := aggregator.LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	es := &explainStore{path: path, cfg: cfg, sources: map[string]aggregator.SourceState{}}
	db := es.open(t)
	defer db.Close()
	for _, s := range cfg.Sources {
		st := aggregator.SourceState{ID: aggregator.SourceID(s.URL), URL: s.URL, ConfigURL: s.URL, Name: s.Name}
		es.sources[s.Name] = st
		if err := db.PutSource(t.Context(), st); err != nil {
			t.Fatal(err)
		}
	}
	return es
}

func (es *explainStore) open(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.Open(es.cfg.Storage.Path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// item builds an item of the named source as the parser would.
func (es *explainStore) item(name, guid, link, title, summary string, published time.Time) aggregator.Item {
	s := es.sources[name]
	return aggregator.Item{
		ID: aggregator.ItemID(s.ID, guid), SourceID: s.ID, GUID: guid, Link: link, CanonicalLink: link,
		Title: title, Summary: summary, Published: published, FirstSeen: published.Add(time.Minute),
		Dated: true, Hash: title + "\x00" + summary,
	}
}

// ingest files each item, one fetch each, through the ingester of the
// config's rules.
func (es *explainStore) ingest(t *testing.T, items ...aggregator.Item) {
	t.Helper()
	set, err := topic.Compile(es.cfg.Topics, es.cfg.Sources)
	if err != nil {
		t.Fatal(err)
	}
	in := ingest.New(es.cfg, set)
	db := es.open(t)
	defer db.Close()
	for _, it := range items {
		err := db.Update(t.Context(), func(tx aggregator.Tx) error {
			src, err := tx.Source(it.SourceID)
			if err != nil {
				return err
			}
			_, err = in.Apply(tx, src, []aggregator.Item{it})
			return err
		})
		if err != nil {
			t.Fatalf("ingesting %q: %v", it.Title, err)
		}
	}
}

// explain runs `tributary explain LINK` and returns its output with each
// run of spaces made one.
func (es *explainStore) explain(t *testing.T, link string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	if err := run(t.Context(), []string{"explain", "-config", es.path, link}, &out, &errOut); err != nil {
		t.Fatalf("explain %s: %v\n%s", link, err, errOut.String())
	}
	return out.String()
}

var memberRE = regexp.MustCompile(`^ [ *][ F] \d{4}-\d\d-\d\d \d\d:\d\d `)

// memberLine returns what explain says about why the member titled title
// joined its story.
func memberLine(t *testing.T, out, title string) string {
	t.Helper()
	lines := strings.Split(out, "\n")
	for i, l := range lines {
		if memberRE.MatchString(l) && strings.HasSuffix(l, fmt.Sprintf("%q", title)) && i+1 < len(lines) {
			return strings.TrimSpace(lines[i+1])
		}
	}
	t.Fatalf("explain lists no member %q:\n%s", title, out)
	return ""
}

// TestExplainJoins checks what explain says of each way an item joins a
// story: it names the item a copy names as its original and the copy that
// names an original, and it tells a copy, a rewrite compared with the story
// as a whole and a story merged into another apart, each with its score.
func TestExplainJoins(t *testing.T) {
	es := newExplainStore(t, "  - id: volcano\n    title: Volcano\n    match:\n      any: [volcano]\n",
		"Wire", "Paper", "Third", "Copier", "Reposter")
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	a := es.item("Wire", "https://wire.test/volcano", "https://wire.test/volcano",
		"Volcano erupts near Grindavik, lava flows toward town",
		"Residents of Grindavik were evacuated as lava flowed from a fissure north of the town.", t0)
	b := es.item("Paper", "https://paper.test/ash", "https://paper.test/ash",
		"Iceland grounds flights as Grindavik volcano spreads ash",
		"Ash from the volcano near Grindavik closed Keflavik airport and grounded flights across Iceland.", t0.Add(time.Hour))
	c := es.item("Third", "https://third.test/eruption", "https://third.test/eruption",
		"Volcano erupts near Grindavik, lava flows toward the town",
		"Ash from the Grindavik volcano has closed Keflavik airport, grounding flights across Iceland.", t0.Add(2*time.Hour))
	// A copy that names a as its original.
	cp := es.item("Copier", "c-1", "https://copier.test/p/1", "You will not believe this", "Totally different words here.", t0.Add(3*time.Hour))
	cp.OriginLinks = []string{a.Link}
	// A copy that names an original not yet stored, and the original after it.
	early := es.item("Reposter", "r-1", "https://reposter.test/p/1", "Harbour crane collapses", "A crane fell onto the quay at night.", t0.Add(4*time.Hour))
	early.OriginLinks = []string{"https://wire.test/crane"}
	orig := es.item("Wire", "https://wire.test/crane", "https://wire.test/crane", "Crane collapse closes the harbour", "Port workers were unhurt, the harbour master said.", t0.Add(5*time.Hour))
	// A copy of a text, cut short.
	body := "The man is being treated for critical injuries after the incident at the park in the Varland hills, police say."
	bear := es.item("Wire", "https://wire.test/bear", "https://wire.test/bear", "Bear escape in Portmere leaves keeper badly injured", body, t0.Add(6*time.Hour))
	bearCopy := es.item("Copier", "c-2", "https://copier.test/bear-escape", "BREAKING: Bear escape in Portmere leaves keeper...",
		"The man is being treated for critical injuries after the […]", t0.Add(8*time.Hour))
	es.ingest(t, a, b, c, cp, early, orig, bear, bearCopy)

	out := es.explain(t, a.Link)
	for _, tt := range []struct{ title, want string }{
		{a.Title, "started the story (nothing similar within the dedup window)"},
		{cp.Title, fmt.Sprintf("names %q as its original (%s)", a.Title, a.Link)},
		{c.Title, fmt.Sprintf("a rewrite of the story, similarity 0.65 to it as a whole (closest: %q)", a.Title)},
		{b.Title, fmt.Sprintf("came with its story, merged into this one: the two stories' reports resemble each other 0.43 on average (closest: %q)", c.Title)},
	} {
		if got := memberLine(t, out, tt.title); got != tt.want {
			t.Errorf("explain says of %q:\n  %s\nwant\n  %s", tt.title, got, tt.want)
		}
	}
	out = es.explain(t, orig.Link)
	if got, want := memberLine(t, out, orig.Title), fmt.Sprintf("is the original that %q names (%s)", early.Title, orig.Link); got != want {
		t.Errorf("explain says of the original:\n  %s\nwant\n  %s", got, want)
	}
	out = es.explain(t, bearCopy.Link)
	if got, want := memberLine(t, out, bearCopy.Title), fmt.Sprintf("a copy of %q, similarity", bear.Title); !strings.HasPrefix(got, want) {
		t.Errorf("explain says of the copy:\n  %s\nwant it to start\n  %s", got, want)
	}
}

func (es *explainStore) text(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(es.path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func (es *explainStore) rewrite(t *testing.T, text string) {
	t.Helper()
	if err := os.WriteFile(es.path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestExplainRulesChanged checks that explain, whose verdicts follow the
// config file as it is now, says so when the stored story's topics were
// decided under other rules, as after an edit the daemon has not yet read.
func TestExplainRulesChanged(t *testing.T) {
	es := newExplainStore(t, "  - id: volcano\n    title: Volcano\n    match:\n      any: [volcano]\n", "Wire")
	it := es.item("Wire", "w-1", "https://wire.test/1", "Volcano erupts near Grindavik", "Ash closed the airport.",
		time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	es.ingest(t, it)
	if out := es.explain(t, it.Link); strings.Contains(out, "stored") {
		t.Errorf("explain under the rules the story was tagged with mentions other rules:\n%s", out)
	}
	es.rewrite(t, strings.Replace(es.text(t), "any: [volcano]", "any: [lava]", 1))
	out := strings.Join(strings.Fields(es.explain(t, it.Link)), " ")
	for _, want := range []string{`no volcano match.any: none of "lava"`, "stored under other rules, the story is in the feeds of: all, volcano"} {
		if !strings.Contains(out, want) {
			t.Errorf("explain after the rules changed lacks %q:\n%s", want, out)
		}
	}
}

// TestExplainTwoLinks checks that explain, given two links, compares the
// items and names what kept them apart, or that they are one story.
func TestExplainTwoLinks(t *testing.T) {
	es := newExplainStore(t, "", "Wire", "Paper", "Third")
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	a := es.item("Wire", "https://wire.test/volcano", "https://wire.test/volcano",
		"Volcano erupts near Grindavik, lava flows toward town",
		"Residents of Grindavik were evacuated as lava flowed from a fissure north of the town.", t0)
	c := es.item("Third", "https://third.test/eruption", "https://third.test/eruption",
		"Volcano erupts near Grindavik, lava flows toward the town",
		"Residents of Grindavik were evacuated as lava flowed from a fissure north of the town, police said.", t0.Add(2*time.Hour))
	ferry := es.item("Paper", "https://paper.test/ferry", "https://paper.test/ferry",
		"Ferry strike halts crossings to the islands",
		"Crews walked out over pay on Monday, stranding travellers at the harbour.", t0.Add(3*time.Hour))
	later := es.item("Paper", "https://paper.test/volcano-week", "https://paper.test/volcano-week",
		"Volcano erupts near Grindavik, lava flows toward town",
		"Residents of Grindavik were evacuated as lava flowed from a fissure north of the town.", t0.Add(5*24*time.Hour))
	match := es.item("Wire", "https://wire.test/redmoor", "https://wire.test/redmoor",
		"Redmoor beat Ashcombe 2-1 on Monday night",
		"Redmoor came from behind to beat Ashcombe 2-1 on Monday night, with Tam Osei scoring twice in the second half.", t0.Add(time.Hour))
	other := es.item("Paper", "https://paper.test/linton", "https://paper.test/linton",
		"Linton beat Marsh Town 3-0 on Monday night",
		"Linton came from behind to beat Marsh Town 3-0 on Monday night, with Ivo Brandt scoring twice in the second half.", t0.Add(2*time.Hour))
	es.ingest(t, a, c, ferry, later, match, other)

	for _, tt := range []struct {
		other string
		want  string
	}{
		{c.Link, "one story: "},
		{ferry.Link, "two stories: their similarity"},
		{later.Link, "two stories: published 120h apart, beyond dedup.window (72h)"},
	} {
		var out, errOut bytes.Buffer
		if err := run(t.Context(), []string{"explain", "-config", es.path, a.Link, tt.other}, &out, &errOut); err != nil {
			t.Fatalf("explain %s %s: %v\n%s", a.Link, tt.other, err, errOut.String())
		}
		if !strings.Contains(out.String(), "compared with ") || !strings.Contains(out.String(), "similarity ") ||
			!strings.Contains(out.String(), tt.want) {
			t.Errorf("explain %s %s says:\n%s\nwant it to say %q", a.Link, tt.other, out.String(), tt.want)
		}
	}
	var out, errOut bytes.Buffer
	if err := run(t.Context(), []string{"explain", "-config", es.path, match.Link, other.Link}, &out, &errOut); err != nil {
		t.Fatalf("explain %s %s: %v\n%s", match.Link, other.Link, err, errOut.String())
	}
	if want := "but they name different people, places or figures"; !strings.Contains(out.String(), want) ||
		!strings.Contains(out.String(), "names and figures shared ") {
		t.Errorf("explain %s %s says:\n%s\nwant it to say %q", match.Link, other.Link, out.String(), want)
	}
	out.Reset()
	errOut.Reset()
	if err := run(t.Context(), []string{"explain", "-config", es.path, a.Link, "https://nowhere.test/x"}, &out, &errOut); err == nil {
		t.Error("explain with an unknown second link succeeded; want an error")
	}
}

// TestExplainLiveEntry checks that explain, given the link of one entry of
// a live page ("…/live#entry-2"), explains that entry, not the first
// stored of the entries that share the page's canonical link.
func TestExplainLiveEntry(t *testing.T) {
	es := newExplainStore(t, "", "Live")
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	const page = "https://live.test/politics/live/2026-03-01"
	var entries []aggregator.Item
	for i, e := range []struct{ title, text string }{
		{"Fuel duty frozen for another year", "The chancellor keeps fuel duty at 52.95p a litre until April 2027."},
		{"Income tax thresholds to rise from 2027", "The personal allowance will rise with inflation again, taking 400,000 people out of income tax."},
	} {
		it := es.item("Live", fmt.Sprintf("live-2026-03-01-%d", i+1), fmt.Sprintf("%s#entry-%d", page, i+1), e.title, e.text, t0.Add(time.Duration(i)*20*time.Minute))
		it.CanonicalLink = parse.CanonicalURL(it.Link)
		entries = append(entries, it)
	}
	es.ingest(t, entries...)
	for _, e := range entries {
		out := es.explain(t, e.Link)
		if want := fmt.Sprintf("item   %s\n       %q from Live", e.ID, e.Title); !strings.HasPrefix(out, want) {
			t.Errorf("explain %s begins\n%s\nwant\n%s", e.Link, strings.Join(strings.SplitN(out, "\n", 3)[:2], "\n"), want)
		}
	}
}

// TestExplainLinkForms checks that explain finds an item by any address
// ingest takes for its page — its link with tracking parameters, in the
// other scheme, with or without "www." and a trailing "/", its AMP page, or
// the article's page of the AMP page it is at — and says which it matched.
func TestExplainLinkForms(t *testing.T) {
	es := newExplainStore(t, "", "Wire")
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	const article = "https://www.wire.test/world/harbour-wall"
	a := es.item("Wire", "w-1", article, "Harbour wall collapses in Portmere storm",
		"The old harbour wall at Portmere gave way overnight as the storm drove waves over the quay.", t0)
	const amp = "https://wire.test/news/ferry/amp"
	b := es.item("Wire", "w-2", amp, "Ferry service suspended after storm damage",
		"The island ferry will not sail until engineers have inspected the damaged pier.", t0.Add(time.Hour))
	es.ingest(t, a, b)
	for _, tt := range []struct {
		link  string
		it    aggregator.Item
		found string // the line after the title; "" for none
	}{
		{article, a, ""},
		{article + "?utm_source=rss&fbclid=x", a, "found at " + article + ", the canonical form of the link given"},
		{"http://www.wire.test/world/harbour-wall", a, "found at " + article + ", another address of the page given"},
		{"https://wire.test/world/harbour-wall/", a, "found at " + article + ", another address of the page given"},
		{article + "/amp", a, "found at " + article + ", the article's page of the mobile (AMP) page given"},
		{"http://wire.test/world/harbour-wall/amp", a, "found at " + article + ", another address of the article's page of the mobile (AMP) page given"},
		{amp, b, ""},
		{"https://wire.test/news/ferry", b, "found at " + amp + ", the mobile (AMP) page of https://wire.test/news/ferry"},
		{"https://www.wire.test/news/ferry/", b, "found at " + amp + ", the mobile (AMP) page of https://wire.test/news/ferry (another address of the page given"},
	} {
		out := es.explain(t, tt.link)
		lines := strings.SplitN(out, "\n", 4)
		if want := fmt.Sprintf("item   %s", tt.it.ID); lines[0] != want {
			t.Errorf("explain %s begins %q; want %q", tt.link, lines[0], want)
			continue
		}
		got := strings.TrimSpace(lines[2])
		if strings.HasPrefix(got, "story ") {
			got = ""
		}
		if tt.found == "" && got != "" || !strings.HasPrefix(got, tt.found) {
			t.Errorf("explain %s says\n  %s\nwant\n  %s", tt.link, got, tt.found)
		}
	}
	var out, errOut bytes.Buffer
	err := run(t.Context(), []string{"explain", "-config", es.path, "https://wire.test/world/harbour-gate"}, &out, &errOut)
	if err == nil {
		t.Errorf("explain of a page nothing is stored at found:\n%s", out.String())
	}
}

// TestExplainFrontPageClosest checks that explain, for items filed under
// no key (a site's front page), found by reading every stored item, shows
// the one closest to the link given, as for items found by their keys: the
// one at the link itself before one stored earlier at its canonical form.
func TestExplainFrontPageClosest(t *testing.T) {
	es := newExplainStore(t, "", "Town")
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	const front = "https://town.test/"
	a := es.item("Town", "t-1", front, "Harbour crane collapses during night shift",
		"A crane at the north harbour fell onto a container stack overnight; no one was hurt.", t0)
	b := es.item("Town", "t-2", front+"?utm_source=rss", "Council votes to rebuild the old library",
		"The council approved a plan to restore the old library on Mill Street, with work to start in spring.", t0.Add(time.Hour))
	b.CanonicalLink = parse.CanonicalURL(b.Link)
	es.ingest(t, a, b)
	for _, tt := range []struct {
		link string
		it   aggregator.Item
	}{
		{b.Link, b},
		{front, a},
	} {
		out := es.explain(t, tt.link)
		if want := fmt.Sprintf("item   %s\n", tt.it.ID); !strings.HasPrefix(out, want) {
			t.Errorf("explain %s begins %q; want %q (%q)", tt.link, strings.SplitN(out, "\n", 2)[0], strings.TrimSpace(want), tt.it.Title)
		}
	}
}

// TestExplainOwnLinkFirst checks that explain, of two items that share a
// canonical link, shows the one whose own link is the link given, though
// the other, at the link with a tracking parameter, was stored first.
func TestExplainOwnLinkFirst(t *testing.T) {
	es := newExplainStore(t, "", "Wire")
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	const page = "https://wire.test/world/harbour-wall"
	a := es.item("Wire", "w-1", page+"?utm_source=rss", "Harbour wall collapses in storm",
		"The old harbour wall gave way overnight as the storm drove waves over the quay.", t0)
	a.CanonicalLink = parse.CanonicalURL(a.Link)
	b := es.item("Wire", "w-2", page, "Harbour wall collapses in storm, council says",
		"The old harbour wall gave way overnight as the storm drove waves over the quay, the council said.", t0.Add(time.Hour))
	es.ingest(t, a, b)
	for _, tt := range []struct {
		link string
		it   aggregator.Item
	}{
		{page, b},
		{a.Link, a},
	} {
		out := es.explain(t, tt.link)
		if want := fmt.Sprintf("item   %s\n", tt.it.ID); !strings.HasPrefix(out, want) {
			t.Errorf("explain %s begins %q; want %q (%q)", tt.link, strings.SplitN(out, "\n", 2)[0], strings.TrimSpace(want), tt.it.Title)
		}
	}
}

// TestReadersWithoutStore runs explain and topics test from a folder where
// a relative storage.path names no file: they say that the path is
// relative to the working directory, not that a daemon holds the store.
func TestReadersWithoutStore(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	path := saveConfig(t, dir, "storage:\n  path: data/tributary.db\nsources:\n  - url: \"http://127.0.0.1:9/feed.xml\"\n"+
		"topics:\n  - id: quakes\n    title: Quakes\n    match:\n      any: [earthquake]\n")
	for _, args := range [][]string{{"explain", "https://wire.example/a"}, {"topics", "test", "quakes"}} {
		var out, errOut bytes.Buffer
		err := run(t.Context(), append(args, "-config", path), &out, &errOut)
		if err == nil || !strings.Contains(err.Error(), "storage.path is relative to the working directory") ||
			strings.Contains(err.Error(), "stop the daemon") {
			t.Errorf("%s without a store = %v; want a word that storage.path is relative, and none on a daemon", args[0], err)
		}
	}
}
