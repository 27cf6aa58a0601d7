package poller_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/feedtest"
	"github.com/tributary-feeds/tributary/aggregator/poller"
	"github.com/tributary-feeds/tributary/aggregator/publish"
	"github.com/tributary-feeds/tributary/aggregator/topic"
	"github.com/tributary-feeds/tributary/store"
)

// jsonEntry is what a reader of the JSON Feed sees of one entry.
type jsonEntry struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	Date     string `json:"date_published"`
	Modified string `json:"date_modified"`
}

// topicFeed is the topic all's JSON Feed as a subscriber reads it, and its
// ETag.
func topicFeed(t *testing.T, pub *publish.Publisher) ([]jsonEntry, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	pub.Handler(nil).ServeHTTP(rec, httptest.NewRequest("GET", "/topics/all.json", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /topics/all.json: %d", rec.Code)
	}
	var doc struct {
		Items []jsonEntry `json:"items"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
		t.Fatalf("GET /topics/all.json: %v", err)
	}
	return doc.Items, rec.Header().Get("ETag")
}

// churnSetup polls the sources at urls with a poller that notifies a

// pollHours polls every source n times, an hour apart, the clock moved an
// hour before each poll.
func pollHours(t *testing.T, p *poller.Poller, clk *feedtest.Clock, n int) {
	t.Helper()
	for range n {
		clk.Add(time.Hour)
		p.PollAll(t.Context(), nil)
	}
}

// dbStats gives the store's counts of items and stories.
func dbStats(t *testing.T, db *store.DB) store.Stats {
	t.Helper()
	stats, err := db.Stats(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return stats
}

// publisher, on the test clock clk.
func churnSetup(t *testing.T, clk *feedtest.Clock, urls ...string) (*poller.Poller, *publish.Publisher, *store.DB) {
	t.Helper()
	return pollerWithPublisher(t, config(t, "", urls...), clk)
}

// pollerWithPublisher returns a poller of cfg's sources over a new store,
// notifying a publisher of cfg's topics, both on clk's time (the real time
// when clk is nil).
func pollerWithPublisher(t *testing.T, cfg *aggregator.Config, clk *feedtest.Clock) (*poller.Poller, *publish.Publisher, *store.DB) {
	t.Helper()
	db := mustOpen(t)
	tags, err := topic.Compile(cfg.Topics, cfg.Sources)
	if err != nil {
		t.Fatal(err)
	}
	pub := publish.New(cfg, db, tags.Topics(), nil, quiet)
	opts := poller.Options{Logger: quiet, Notify: pub}
	if clk != nil {
		pub.SetClock(clk.Now)
		opts.Now = clk.Now
	}
	p, err := poller.New(cfg, tags, db, opts)
	if err != nil {
		t.Fatal(err)
	}
	return p, pub, db
}

func rssItem(title, guid, link, date, text string) string {
	s := "<item><title>" + title + "</title>"
	if guid != "" {
		s += "<guid>" + guid + "</guid>"
	}
	if link != "" {
		s += "<link>" + link + "</link>"
	}
	if date != "" {
		s += "<pubDate>" + date + "</pubDate>"
	}
	return s + "<description>" + text + "</description></item>"
}

func rssDoc(items ...string) string {
	s := `<?xml version="1.0"?><rss version="2.0"><channel><title>Desk</title><link>http://desk.example/</link>`
	for _, it := range items {
		s += it
	}
	return s + "</channel></rss>"
}

// TestRedatedItemsStayPut polls feeds that date their items by the fetch
// or add a tracking query that changes at every fetch: a subscriber to the
// topic feed sees each story once, in the place and with the date of its
// first fetch, and the feed does not change between polls.
func TestRedatedItemsStayPut(t *testing.T) {
	clk := feedtest.NewClock(time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC))
	o := feedtest.NewOrigin(t)
	var n atomic.Int64
	o.Handle("/now.rss", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, rssDoc(rssItem("Council approves cycle lanes on Brenner road", "now-1",
			"https://now.example/cycle", clk.Now().Format(time.RFC1123Z),
			"The council approved cycle lanes along the whole of Brenner road.")))
	})
	o.Handle("/utm.rss", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, rssDoc(rssItem("Crane collapses in Velmar port during storm", "",
			fmt.Sprintf("https://utm.example/crane?utm_source=feed&utm_content=%d", n.Add(1)),
			"Mon, 02 Nov 2026 11:30:00 GMT", "A crane at Velmar port fell into the harbour overnight.")))
	})
	// A story first dated after the first one, which stays put.
	o.Feed("/late.rss", "application/rss+xml", []byte(rssDoc(rssItem("Ferry to Kelso island runs again", "late-1",
		"https://late.example/ferry", "Mon, 02 Nov 2026 12:30:00 GMT", "The ferry to Kelso island runs again after repairs."))))
	p, pub, db := churnSetup(t, clk, o.URL("/now.rss"), o.URL("/utm.rss"), o.URL("/late.rss"))

	clk.Add(time.Hour) // 13:00: the late story is older than this fetch
	p.PollAll(t.Context(), nil)
	first, etag := topicFeed(t, pub)
	if len(first) != 3 {
		t.Fatalf("first poll: %d entries; want 3: %+v", len(first), first)
	}
	for i := range 3 {
		clk.Add(time.Hour)
		p.PollAll(t.Context(), nil)
		got, gotTag := topicFeed(t, pub)
		if fmt.Sprint(got) != fmt.Sprint(first) || gotTag != etag {
			t.Errorf("poll %d: topic feed (ETag %s)\n%+v\nwant it as after the first poll (ETag %s)\n%+v", i+2, gotTag, got, etag, first)
		}
	}
	stats := dbStats(t, db)
	if stats.Items != 3 || stats.Stories != 3 {
		t.Errorf("store holds %d items in %d stories; want 3 and 3", stats.Items, stats.Stories)
	}
	if first[0].Title != "Council approves cycle lanes on Brenner road" || first[0].Date != "2026-11-02T13:00:00Z" {
		t.Errorf("newest entry %+v; want the cycle lanes, dated by its first fetch", first[0])
	}
}

// TestEditedItemUpdatesItsEntry polls a feed whose item is edited after it
// was first published, its date moved to the time of the edit: the entry
// keeps its id, its date and its place, takes the new title, and its
// updated date is the fetch that brought the edit.
func TestEditedItemUpdatesItsEntry(t *testing.T) {
	clk := feedtest.NewClock(time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC))
	o := feedtest.NewOrigin(t)
	o.Feed("/edit.rss", "application/rss+xml", []byte(rssDoc(rssItem("Storm closes schools in Hadley", "edit-1",
		"https://edit.example/schools", "Mon, 02 Nov 2026 09:00:00 GMT", "Schools in Hadley county are closed today."))))
	o.Feed("/other.rss", "application/rss+xml", []byte(rssDoc(rssItem("Orchards report a record harvest", "other-1",
		"https://other.example/apples", "Mon, 02 Nov 2026 10:00:00 GMT", "Growers picked more apples than ever."))))
	p, pub, _ := churnSetup(t, clk, o.URL("/edit.rss"), o.URL("/other.rss"))
	p.PollAll(t.Context(), nil)
	before, _ := topicFeed(t, pub)

	clk.Add(3 * time.Hour)
	o.SetFeed("/edit.rss", []byte(rssDoc(rssItem("Storm closes schools in Hadley for a second day", "edit-1",
		"https://edit.example/schools", "Mon, 02 Nov 2026 14:30:00 GMT", "Schools in Hadley county are closed today and tomorrow."))))
	p.PollAll(t.Context(), nil)
	after, _ := topicFeed(t, pub)
	if len(before) != 2 || len(after) != 2 {
		t.Fatalf("entries before and after the edit: %+v, %+v; want two each", before, after)
	}
	want := jsonEntry{ID: before[1].ID, Title: "Storm closes schools in Hadley for a second day",
		Date: "2026-11-02T09:00:00Z", Modified: "2026-11-02T15:00:00Z"}
	if after[0] != before[0] || after[1] != want {
		t.Errorf("after the edit: %+v; want %+v unchanged, then %+v", after, before[0], want)
	}

	// The edited text, dated later again at the next fetch, is no edit:
	// the entry stays as the edit left it.
	clk.Add(3 * time.Hour)
	o.SetFeed("/edit.rss", []byte(rssDoc(rssItem("Storm closes schools in Hadley for a second day", "edit-1",
		"https://edit.example/schools", "Mon, 02 Nov 2026 17:45:00 GMT", "Schools in Hadley county are closed today and tomorrow."))))
	p.PollAll(t.Context(), nil)
	if again, _ := topicFeed(t, pub); len(again) != 2 || again[1] != want {
		t.Errorf("after the edited item came back dated later: %+v; want %+v as the edit left it", again, want)
	}
}

// TestLinkSchemeFlips polls a feed whose items have no GUID and whose
// links move from http to https and back, as a site's do while it moves to
// https: each item is stored once, and the topic feed does not change.
func TestLinkSchemeFlips(t *testing.T) {
	clk := feedtest.NewClock(time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC))
	o := feedtest.NewOrigin(t)
	var n atomic.Int64
	o.Handle("/moving.rss", func(w http.ResponseWriter, r *http.Request) {
		scheme := "http"
		if n.Add(1)%2 == 0 {
			scheme = "https"
		}
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, rssDoc(rssItem("New footbridge opens over the river Arlow", "", scheme+"://moving.example/news/bridge",
			"Mon, 02 Nov 2026 10:00:00 GMT", "Walkers can now cross the river Arlow on a new timber footbridge.")))
	})
	p, pub, db := churnSetup(t, clk, o.URL("/moving.rss"))
	p.PollAll(t.Context(), nil)
	first, etag := topicFeed(t, pub)
	pollHours(t, p, clk, 3)
	got, gotTag := topicFeed(t, pub)
	stats := dbStats(t, db)
	if stats.Items != 1 || fmt.Sprint(got) != fmt.Sprint(first) || gotTag != etag {
		t.Errorf("after 4 polls: %d items stored, topic feed %+v (ETag %s); want 1 item and the feed as after the first poll, %+v (ETag %s)",
			stats.Items, got, gotTag, first, etag)
	}
}

// TestMovedSourceLeavesEntries changes a source's URL in the config, to
// where its feed moved, with its items as they were: they come in again
// under the source's new URL and join their stories, where the entries
// list the same article once. What the entries show does not change, so
// neither do their updated dates nor the feed: a subscriber is not shown
// every story of the source as new again.
func TestMovedSourceLeavesEntries(t *testing.T) {
	clk := feedtest.NewClock(time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC))
	o := feedtest.NewOrigin(t)
	doc := []byte(rssDoc(
		rssItem("Harbour in Velmar reopens after the storm", "https://desk.example/harbour", "https://desk.example/harbour",
			"Mon, 02 Nov 2026 09:00:00 GMT", "Ships entered Velmar harbour again on Monday after the storm damaged its outer wall."),
		rssItem("Kelso ferry adds an evening crossing", "https://desk.example/ferry", "https://desk.example/ferry",
			"Mon, 02 Nov 2026 10:00:00 GMT", "The ferry to Kelso island will run an evening crossing through the winter.")))
	o.Feed("/old.rss", "application/rss+xml", doc)
	o.Feed("/new.rss", "application/rss+xml", doc)
	o.Feed("/other.rss", "application/rss+xml", []byte(rssDoc(rssItem("Velmar harbour open to ships again", "other-1",
		"https://other.example/velmar", "Mon, 02 Nov 2026 11:00:00 GMT",
		"Ships entered Velmar harbour again on Monday after the storm damaged its outer wall, the port said."))))
	p, pub, _ := churnSetup(t, clk, o.URL("/old.rss"), o.URL("/other.rss"))
	p.PollAll(t.Context(), nil)
	before, etag := topicFeed(t, pub)

	clk.Add(time.Hour)
	cfg := config(t, "", o.URL("/new.rss"), o.URL("/other.rss"))
	tags, err := topic.Compile(cfg.Topics, cfg.Sources)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Reload(cfg, tags); err != nil {
		t.Fatal(err)
	}
	pub.SetConfig(cfg, tags.Topics())
	p.PollAll(t.Context(), nil)
	after, afterTag := topicFeed(t, pub)
	if fmt.Sprint(after) != fmt.Sprint(before) || afterTag != etag {
		t.Errorf("after the source moved: topic feed (ETag %s)\n%+v\nwant it as before (ETag %s)\n%+v", afterTag, after, etag, before)
	}
}

// TestPriorityEditUpdatesEntries raises a source's priority by a reload:
// the story it carries beside an earlier outlet shows its item now, and
// that entry's updated date moves to the reload, as for any new face,
// while the entries whose face stays keep theirs.
func TestPriorityEditUpdatesEntries(t *testing.T) {
	clk := feedtest.NewClock(time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC))
	o := feedtest.NewOrigin(t)
	o.Feed("/wire.rss", "application/rss+xml", []byte(rssDoc(
		rssItem("Port workers in Dunmore vote to strike", "wire-1", "https://wire.example/strike", "Mon, 02 Nov 2026 09:00:00 GMT",
			"Port workers in Dunmore voted to strike over pay from Monday, their union said after talks with the harbour board failed."),
		rssItem("Orvik library reopens", "wire-2", "https://wire.example/library", "Mon, 02 Nov 2026 10:00:00 GMT",
			"The city library in Orvik reopened after two years of renovation, with a children's wing and a music archive."))))
	o.Feed("/paper.rss", "application/rss+xml", []byte(rssDoc(
		rssItem("Dunmore dockers back strike", "paper-1", "https://wire.example/strike?utm_source=paper", "Mon, 02 Nov 2026 11:00:00 GMT",
			"Dockers in Dunmore backed a strike over pay from Monday after talks with the harbour board failed, the union said."))))
	p, pub, _ := churnSetup(t, clk, o.URL("/wire.rss"), o.URL("/paper.rss"))
	p.PollAll(t.Context(), nil)
	before, _ := topicFeed(t, pub)
	if len(before) != 2 {
		t.Fatalf("topic feed %+v; want two entries", before)
	}

	clk.Add(time.Hour)
	cfg := config(t, "", o.URL("/wire.rss"), o.URL("/paper.rss"))
	cfg.Sources[1].Priority = 10
	tags, err := topic.Compile(cfg.Topics, cfg.Sources)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Reload(cfg, tags); err != nil {
		t.Fatal(err)
	}
	pub.SetConfig(cfg, tags.Topics())
	if _, err := p.RetagIfChanged(t.Context()); err != nil {
		t.Fatal(err)
	}
	after, _ := topicFeed(t, pub)
	want := []jsonEntry{before[0], {ID: before[1].ID, Title: "Dunmore dockers back strike", Date: before[1].Date, Modified: "2026-11-02T13:00:00Z"}}
	if fmt.Sprint(after) != fmt.Sprint(want) {
		t.Errorf("after the priority edit: %+v; want %+v", after, want)
	}
}

// TestSessionInLinks polls feeds that write a new session into every
// item's link, and give the item a new GUID, at every fetch: a Java
// site's ";jsessionid=" in the path, an ASP.NET site's "/(S(…))/", a PHP
// site's PHPSESSID in the query of items too short for their text to tell
// them. Each item is stored
// once, and the topic feed does not change between polls.
func TestSessionInLinks(t *testing.T) {
	clk := feedtest.NewClock(time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC))
	o := feedtest.NewOrigin(t)
	var java, php atomic.Int64
	o.Handle("/java.rss", func(w http.ResponseWriter, r *http.Request) {
		n := java.Add(1)
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, rssDoc(
			rssItem("Library in Arlow extends its opening hours", fmt.Sprintf("lib-%d", n),
				fmt.Sprintf("https://java.example/news/41;jsessionid=%X.node1", n*7919), "",
				"The library in Arlow opens until nine in the evening from Monday."),
			rssItem("Market square closed for the winter fair", fmt.Sprintf("fair-%d", n),
				fmt.Sprintf("https://java.example/news/42;jsessionid=%X.node1", n*7919), "",
				"Stalls of the winter fair take the market square from Friday.")))
	})
	o.Handle("/php.rss", func(w http.ResponseWriter, r *http.Request) {
		n := php.Add(1)
		w.Header().Set("Content-Type", "application/rss+xml")
		var items []string
		for i := range 3 {
			items = append(items, rssItem(fmt.Sprintf("Photo %d", i), fmt.Sprintf("photo-%d-%d", n, i),
				fmt.Sprintf("https://php.example/photo.php?id=%d&amp;PHPSESSID=%x", i, n*104729), "",
				fmt.Sprintf("Harbour, photo %d", i)))
		}
		fmt.Fprint(w, rssDoc(items...))
	})
	var aspx atomic.Int64
	o.Handle("/aspx.rss", func(w http.ResponseWriter, r *http.Request) {
		n := aspx.Add(1)
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, rssDoc(rssItem("Swimming pool in Hadley reopens after repairs", fmt.Sprintf("pool-%d", n),
			fmt.Sprintf("https://aspx.example/(S(%x))/news/43.aspx", n*15485863), "",
			"The swimming pool in Hadley opens again on Saturday after its roof was repaired.")))
	})
	p, pub, db := churnSetup(t, clk, o.URL("/java.rss"), o.URL("/php.rss"), o.URL("/aspx.rss"))
	p.PollAll(t.Context(), nil)
	first, etag := topicFeed(t, pub)
	pollHours(t, p, clk, 24)
	got, gotTag := topicFeed(t, pub)
	stats := dbStats(t, db)
	if stats.Items != 6 || stats.Stories != 6 || len(first) != 6 || fmt.Sprint(got) != fmt.Sprint(first) || gotTag != etag {
		t.Errorf("after 25 polls: %d items in %d stories, a topic feed of %d entries (ETag %s, first %+v); want 6 items in 6 stories and the feed as after the first poll, %d entries (ETag %s)",
			stats.Items, stats.Stories, len(got), gotTag, got[0], len(first), etag)
	}
}

// TestNewGUIDEditedText polls a feed that gives its items a new GUID at
// every fetch and a text that changes a little at each (a count of
// readers): each item is stored once and updated in place, where every
// fetch added a copy of each to its story. A page's entries under one link
// and one title whose texts are not versions of one another, the older
// dropped from the feed as the newer come, stay items of their own.
func TestNewGUIDEditedText(t *testing.T) {
	clk := feedtest.NewClock(time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC))
	o := feedtest.NewOrigin(t)
	var counted, live atomic.Int64
	o.Handle("/counted.rss", func(w http.ResponseWriter, r *http.Request) {
		n := counted.Add(1)
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, rssDoc(
			rssItem("Library in Arlow extends its opening hours", fmt.Sprintf("urn:uuid:4f1c-%d-lib", n), "https://counted.example/news/41",
				"Mon, 02 Nov 2026 09:00:00 GMT", fmt.Sprintf("The library in Arlow opens until nine in the evening from Monday, the council said after readers asked for longer hours. Read %d times.", 13*n)),
			rssItem("Market square closed for the winter fair", fmt.Sprintf("urn:uuid:4f1c-%d-fair", n), "https://counted.example/news/42",
				"Mon, 02 Nov 2026 10:00:00 GMT", fmt.Sprintf("Stalls of the winter fair take the market square from Friday, and the buses that stop there move to Quay street. Read %d times.", 7*n))))
	})
	entries := []string{
		"Rain closed the lower road at Brenner bridge this morning; drivers are sent through Hadley.",
		"The council has opened a rest centre in the school hall for the families of Quay street.",
		"Power is back in the north of the town, the grid company says, after six hours without.",
		"Ferries to Kelso island are cancelled for the rest of the day as the wind picks up again.",
	}
	o.Handle("/live.rss", func(w http.ResponseWriter, r *http.Request) {
		n := int(live.Add(1))
		w.Header().Set("Content-Type", "application/rss+xml")
		// One entry a fetch, under the page's link and title.
		fmt.Fprint(w, rssDoc(rssItem("Storm in Velmar: live", fmt.Sprintf("live-entry-%d", n), "https://live.example/storm",
			"", entries[(n-1)%len(entries)])))
	})
	p, pub, db := churnSetup(t, clk, o.URL("/counted.rss"), o.URL("/live.rss"))
	for range 4 {
		p.PollAll(t.Context(), nil)
		clk.Add(time.Hour)
	}
	stats := dbStats(t, db)
	// The two counted items, and the four entries of the live page.
	if stats.Items != 6 {
		t.Errorf("after 4 polls: %d items in %d stories; want 6 items, the 2 counted once each and the 4 live entries", stats.Items, stats.Stories)
	}
	got, _ := topicFeed(t, pub)
	for _, e := range got {
		if e.Title == "Library in Arlow extends its opening hours" && e.Date != "2026-11-02T09:00:00Z" {
			t.Errorf("entry %+v; want it dated as first published", e)
		}
	}
}

// TestDailyBulletinUnderOneTitle polls a feed that gives one bulletin a
// day under one title and link, each under a GUID of its own and dated the
// day it came, its text the same but for its figures: each day's is a
// report of its own and is stored beside the day before's, where the
// second was made an edit of the first and the first day's figures were
// lost.
func TestDailyBulletinUnderOneTitle(t *testing.T) {
	clk := feedtest.NewClock(time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC))
	o := feedtest.NewOrigin(t)
	var day atomic.Int64
	o.Handle("/daily.rss", func(w http.ResponseWriter, r *http.Request) {
		n := day.Load()
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, rssDoc(rssItem("Covid-19 in Arlow: the daily figures", fmt.Sprintf("arlow-covid-%d", n),
			"https://health.example/covid/arlow", fmt.Sprintf("%s, 0%d Nov 2026 09:00:00 GMT", []string{"Mon", "Tue"}[n], 2+n),
			fmt.Sprintf("The health board reports %d new cases in Arlow today, and %d people in hospital with the virus.", 12+3*n, 40-n))))
	})
	p, _, db := churnSetup(t, clk, o.URL("/daily.rss"))
	p.PollAll(t.Context(), nil)
	clk.Add(24 * time.Hour)
	day.Add(1)
	p.PollAll(t.Context(), nil)
	var got []string
	err := db.Export(t.Context(), func(it aggregator.Item, _ aggregator.Story) error {
		got = append(got, it.GUID+" "+it.Published.Format(time.RFC3339)+" "+it.Summary+it.Content)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(got)
	if len(got) != 2 || !strings.Contains(got[0], "arlow-covid-0 2026-11-02T09:00:00Z") || !strings.Contains(got[0], "12 new cases") ||
		!strings.Contains(got[1], "arlow-covid-1 2026-11-03T09:00:00Z") || !strings.Contains(got[1], "15 new cases") {
		t.Errorf("stored after two days' bulletins:\n%s\nwant each day's, under its GUID and date, with its figures", strings.Join(got, "\n"))
	}
}

// TestNewGUIDRedatedCountedText polls a feed that gives its item a new GUID
// and the time of the fetch as its date at every fetch, and a text whose
// count of readers grows: the item is stored once and updated in place,
// where, dated later at each fetch, it was taken for the next of a series
// under one title and every poll added a copy of it to its story.
func TestNewGUIDRedatedCountedText(t *testing.T) {
	clk := feedtest.NewClock(time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC))
	o := feedtest.NewOrigin(t)
	var n atomic.Int64
	o.Handle("/stamped.rss", func(w http.ResponseWriter, r *http.Request) {
		k := n.Add(1)
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, rssDoc(rssItem("Harbour wall in Kelso to be rebuilt next spring", fmt.Sprintf("urn:uuid:9d2e-%d-wall", k),
			"https://stamped.example/news/harbour-wall", clk.Now().Format(time.RFC1123Z),
			fmt.Sprintf("The harbour wall in Kelso, cracked by the winter storms, is to be rebuilt from March, the port board said. Read %d times.", 11*k))))
	})
	p, _, db := churnSetup(t, clk, o.URL("/stamped.rss"))
	for range 4 {
		p.PollAll(t.Context(), nil)
		clk.Add(time.Hour)
	}
	stats := dbStats(t, db)
	if stats.Items != 1 || stats.Stories != 1 {
		t.Errorf("after 4 hourly polls: %d items in %d stories; want 1 item in 1 story, updated in place", stats.Items, stats.Stories)
	}
}
