package ingest_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/ingest"
)

// TestStoryMerge files two reports of one event that resemble each other
// too little to join, then a third that resembles both: it joins one
// story, and the two stories then merge into the older one.
func TestStoryMerge(t *testing.T) {
	db := mustOpen(t)
	in := ingest.New(&aggregator.Config{}, nil)
	third := src("https://third.test/feed")
	a := item(wire, "https://wire.test/volcano", "https://wire.test/volcano",
		"Volcano erupts near Grindavik, lava flows toward town",
		"Residents of Grindavik were evacuated as lava flowed from a fissure north of the town.", t0)
	b := item(paper, "https://paper.test/ash", "https://paper.test/ash",
		"Iceland grounds flights as Grindavik volcano spreads ash",
		"Ash from the volcano near Grindavik closed Keflavik airport and grounded flights across Iceland.", t0.Add(time.Hour))
	c := item(third, "https://third.test/eruption", "https://third.test/eruption",
		"Volcano erupts near Grindavik, lava flows toward the town",
		"Ash from the Grindavik volcano has closed Keflavik airport, grounding flights across Iceland.", t0.Add(2*time.Hour))

	apply(t, db, in, wire, a)
	apply(t, db, in, paper, b)
	if _, sa := stored(t, db, a.ID); len(sa.Members) != 1 {
		t.Fatalf("Apply(b): story of a has %d members; want b kept apart (1)", len(sa.Members))
	}
	res := apply(t, db, in, third, c)
	if res.Duplicates != 1 {
		t.Errorf("Apply(c) = %+v; want 1 duplicate", res)
	}
	if len(res.Topics) == 0 {
		t.Errorf("Apply(c) changed topics %v; want the topics of both stories", res.Topics)
	}

	_, st := stored(t, db, a.ID)
	if st.ID != a.ID {
		t.Errorf("merged story id = %s; want the older story's id %s", st.ID, a.ID)
	}
	got := map[string]aggregator.Match{}
	for _, m := range st.Members {
		got[m.Item] = m.Match
	}
	for _, it := range []aggregator.Item{a, b, c} {
		if _, ok := got[it.ID]; !ok {
			t.Errorf("merged story members %v; want item %q in it", st.Members, it.Title)
		}
		if s, _ := stored(t, db, it.ID); s.StoryID != st.ID {
			t.Errorf("item %q has story %s; want %s", it.Title, s.StoryID, st.ID)
		}
	}
	// The first member of the absorbed story says why it moved.
	absorbed := b.ID // a's story is the older, so b's (which c joined) is absorbed
	if m := got[absorbed]; m.Reason != aggregator.ReasonNear || m.Key != ingest.KeyStory || m.Score < in.Threshold() || m.With == "" {
		t.Errorf("match of the absorbed story's first item = %+v; want reason %s, key %s, score at least %.2f, with an item", m, aggregator.ReasonNear, ingest.KeyStory, in.Threshold())
	}
	// The absorbed story is gone: no record, no feed entry.
	err := db.View(t.Context(), func(tx aggregator.Tx) error {
		_, err := tx.Story(b.ID)
		return err
	})
	if !errors.Is(err, aggregator.ErrNotFound) {
		t.Errorf("Story(%s) after the merge: err = %v; want ErrNotFound", b.ID, err)
	}
	entries := 0
	err = db.TopicStories(t.Context(), aggregator.AllTopic, time.Time{}, func(s aggregator.Story, _ []aggregator.Item) bool {
		entries++
		return true
	})
	if err != nil || entries != 1 {
		t.Errorf("TopicStories(all) = %d entries, err %v; want 1 entry", entries, err)
	}

	// Keys filed under the absorbed story lead to the one that took it: a
	// re-post with b's GUID from a fourth source joins the merged story.
	fourth := src("https://fourth.test/rss")
	d := item(fourth, b.GUID, "https://fourth.test/p/1", "Something else entirely", "Unrelated words.", t0.Add(3*time.Hour))
	apply(t, db, in, fourth, d)
	if _, sd := stored(t, db, d.ID); sd.ID != st.ID {
		t.Errorf("re-post of b joined story %s; want the merged story %s", sd.ID, st.ID)
	}
	// An edit of an item of the absorbed story keeps it in the merged story.
	b2 := b
	b2.Summary += " Flights resumed in the evening."
	b2.Hash += "edited"
	if res := apply(t, db, in, paper, b2); res.Updated != 1 {
		t.Errorf("Apply(edited b) = %+v; want 1 updated", res)
	}
	if s, sb := stored(t, db, b.ID); s.StoryID != st.ID || sb.ID != st.ID {
		t.Errorf("edited b is in story %s; want %s", s.StoryID, st.ID)
	}
}

// TestStoryMergeOwnSource keeps apart two stories that each hold their own
// report from one outlet: an outlet's second report is a follow-up.
func TestStoryMergeOwnSource(t *testing.T) {
	db := mustOpen(t)
	in := ingest.New(&aggregator.Config{}, nil)
	a := item(wire, "https://wire.test/volcano", "https://wire.test/volcano",
		"Volcano erupts near Grindavik, lava flows toward town",
		"Residents of Grindavik were evacuated as lava flowed from a fissure north of the town.", t0)
	b := item(wire, "https://wire.test/ash", "https://wire.test/ash",
		"Iceland grounds flights as Grindavik volcano spreads ash",
		"Ash from the volcano near Grindavik closed Keflavik airport and grounded flights across Iceland.", t0.Add(time.Hour))
	c := item(paper, "https://paper.test/eruption", "https://paper.test/eruption",
		"Volcano erupts near Grindavik, lava flows toward the town",
		"Ash from the Grindavik volcano has closed Keflavik airport, grounding flights across Iceland.", t0.Add(2*time.Hour))
	apply(t, db, in, wire, a, b)
	apply(t, db, in, paper, c)
	_, sa := stored(t, db, a.ID)
	_, sb := stored(t, db, b.ID)
	if sa.ID == sb.ID {
		t.Errorf("two reports of one outlet ended in one story %s; want them apart", sa.ID)
	}
}

// TestStoryMergeAfterKey files an aggregator's item that is a headline and
// a link to a report, then another site's copy of that report under a
// headline of its own, which resembles the headline too little to join it,
// then the report: it joins the first by the link that named it, and the
// copy's story, which it resembles as much as the copy resembles it, then
// merges with that one.
func TestStoryMergeAfterKey(t *testing.T) {
	db := mustOpen(t)
	in := ingest.New(&aggregator.Config{}, nil)
	hub := src("https://hub.test/top.rss")
	text := "Lava from a fissure north of Grindavik reached the town's northern edge on Tuesday morning, " +
		"the Icelandic Meteorological Office said. Residents were evacuated overnight and the Blue Lagoon closed. " +
		"Civil defence chief Vidir Reynisson said barriers built in December had slowed the flow."
	pointer := item(hub, "https://hub.test/r/a1", "https://hub.test/r/a1",
		"Iceland eruption: molten rock at the edge of a fishing town", "", t0)
	pointer.OriginLinks = []string{"https://wire.test/grindavik-lava"}
	cp := item(paper, "https://paper.test/grindavik", "https://paper.test/grindavik",
		"Grindavik lava reaches town after fissure opens", text, t0.Add(time.Hour))
	report := item(wire, "https://wire.test/grindavik-lava", "https://wire.test/grindavik-lava",
		"Lava reaches Grindavik as fissure opens north of town", text, t0.Add(2*time.Hour))

	apply(t, db, in, hub, pointer)
	apply(t, db, in, paper, cp)
	if _, sp := stored(t, db, pointer.ID); len(sp.Members) != 1 {
		t.Fatalf("Apply(copy): story of the pointer has %d members; want the copy kept apart (1)", len(sp.Members))
	}
	apply(t, db, in, wire, report)
	_, sp := stored(t, db, pointer.ID)
	_, sr := stored(t, db, report.ID)
	_, sc := stored(t, db, cp.ID)
	if sr.ID != sp.ID {
		t.Errorf("report is in story %s; want the pointer's %s, by the link that named it", sr.ID, sp.ID)
	}
	if sc.ID != sr.ID {
		t.Errorf("copy is in story %s, report in %s; want one story", sc.ID, sr.ID)
	}
}

// TestSeriesOfOneSourceKeptApart files a weather service's warnings for two
// regions, written to one template and issued the same minute, and a radio
// station's copy of half the first under a headline of its own, posted the
// next day (as an undated item is dated by the fetch that brings it), in
// either order: the two warnings are two stories, though the second is
// nearly a copy of the first, and the copy joins the first.
func TestSeriesOfOneSourceKeptApart(t *testing.T) {
	service := src("https://weather.test/warnings.json")
	radio := src("https://radio.test/news.rss")
	warning := func(region, areas string) string {
		return "<p>A yellow warning of thunderstorms is in force for the " + region + " from 12:00 to 21:00 on Monday 7 April.</p>" +
			"<p>Thunderstorms may bring 20 to 30 mm of rain in an hour, and 50 to 60 mm in a few places, as well as hail, frequent lightning and gusts of 50 mph.</p>" +
			"<p>Flooding of a few homes and businesses could happen quickly. Power cuts may occur, and other services to some homes and businesses could be lost.</p>" +
			"<p>Areas affected: " + areas + ".</p>"
	}
	north := item(service, "warning-2025-04-07-northern-uplands", "https://weather.test/w/northern-uplands",
		"Yellow warning of thunderstorms: Northern Uplands", warning("Northern Uplands", "Ardley, Brackwater, Kilnsey, Tarnford"), t0)
	east := item(service, "warning-2025-04-07-eastern-moors", "https://weather.test/w/eastern-moors",
		"Yellow warning of thunderstorms: Eastern Moors", warning("Eastern Moors", "Danby, Helmsworth, Kirkby Rigg, Wold Newton"), t0)
	cp := item(radio, "https://radio.test/news/uplands-storms", "https://radio.test/news/uplands-storms",
		"Thunderstorms and flash flooding possible across the Uplands today",
		"<p>A yellow warning of thunderstorms is in force for the Northern Uplands from 12:00 to 21:00 on Monday 7 April.</p>"+
			"<p>Thunderstorms may bring 20 to 30 mm of rain in an hour, and 50 to 60 mm in a few places, as well as hail, frequent lightning and gusts of 50 mph.</p>"+
			"<p>Areas affected: Ardley, Brackwater, Kilnsey, Tarnford.</p><p>Stay tuned for travel news every 20 minutes.</p>", t0.Add(30*time.Hour))
	for _, copyFirst := range []bool{false, true} {
		db := mustOpen(t)
		in := ingest.New(&aggregator.Config{}, nil)
		if copyFirst {
			apply(t, db, in, radio, cp)
		}
		apply(t, db, in, service, north, east)
		if !copyFirst {
			apply(t, db, in, radio, cp)
		}
		_, sn := stored(t, db, north.ID)
		_, se := stored(t, db, east.ID)
		_, sc := stored(t, db, cp.ID)
		if sn.ID == se.ID {
			t.Errorf("copy first %v: the two regions' warnings are one story %s; want two", copyFirst, sn.ID)
		}
		if sc.ID != sn.ID {
			t.Errorf("copy first %v: the copy is in story %s, its warning in %s; want one", copyFirst, sc.ID, sn.ID)
		}
	}
}

// TestPointersOfOneAggregatorJoinOneStory files an aggregator's two
// headlines of one report, one over "Continue reading" to the wire's
// article and one to a paper's copy of it on its mobile host, before the
// two they point at: the paper's copy joins the headline that names its
// page, the wire's article the headline that names its own, and the two
// stories are one. The aggregator's two pointers are not two reports of
// its own that keep them apart.
func TestPointersOfOneAggregatorJoinOneStory(t *testing.T) {
	wire := "https://meridianwire.test/business/2025/03/10/brakeby-transit-drivers-strike-pay-MW4410"
	stories, _ := runUnseen(t, []string{
		"testdata/unseen13/07-skimlist.json",
		"testdata/unseen13/03-courier.xml",
		"testdata/unseen13/02-meridian.xml",
	})
	for _, link := range []string{
		"https://skimlist.test/s/5119",
		"https://skimlist.test/s/5120",
		"https://brakebycourier.test/news/trams-and-buses-to-stop-on-thursday-as-drivers-vote-to-strike-40211?utm_source=rss&utm_medium=feed",
	} {
		if stories[link] != stories[wire] {
			t.Errorf("%s: story %s; want the wire's %s", link, stories[link], stories[wire])
		}
	}
}

// TestSeriesCopyKeptFromNextDay files, newest first, a health agency's
// bulletin of one day with its copies and the wire's report of it, and a
// scraper's copy of the day before's bulletin, without its first
// paragraph and posted beside it, under that bulletin's headline but for
// its figures ("…: 9 new cases confirmed", "…: 7 new cases confirmed").
// The copy resembles the day's copies on average as closely as they
// resemble each other, but it is no report of the day's figures: it stays
// out of the day's story, as it would stay out of it if compared with the
// bulletin alone.
func TestSeriesCopyKeptFromNextDay(t *testing.T) {
	late := "https://dailyfeedz.test/2025/03/11/measles-outbreak-in-brakeby-9-new-cases-confirmed/"
	stories, _ := runUnseen(t, []string{
		"testdata/unseen13/39-newsbrief.xml",
		"testdata/unseen13/37-ohpa.xml",
		"testdata/unseen13/36-orsundtoday.xml",
		"testdata/unseen13/34-skimlist.json",
		"testdata/unseen13/33-newshub360.xml",
		"testdata/unseen13/32-dailyfeedz.json",
		"testdata/unseen13/30-meridian.xml",
		"testdata/unseen13/29-ohpa.xml",
	})
	for _, link := range []string{
		"https://www.ohpa.test/news/2025/03/11/measles-brakeby-update",
		"https://newshub360.test/measles-outbreak-in-brakeby-7-new-cases-confirmed/",
		"https://meridianwire.test/health/2025/03/11/brakeby-measles-outbreak-38-cases-MW4451",
	} {
		if stories[link] == stories[late] {
			t.Errorf("%s and the copy of the day before's bulletin are one story %s; want two", link, stories[link])
		}
	}
}

// readCounter is a store transaction that counts the items and features
// read through it.
type readCounter struct {
	aggregator.Tx
	read map[string]bool
}

func (r readCounter) Item(id string) (aggregator.Item, error) {
	r.read[id] = true
	return r.Tx.Item(id)
}

func (r readCounter) Features(id string) ([]byte, error) {
	r.read[id] = true
	return r.Tx.Features(id)
}

// TestLargeStoryMergeReadsRecentMembers files a story of 120 outlets'
// copies of one report of a warehouse fire, fetched newest first so that
// each copy came before the member it copies and counts as its outlet's
// own report, beside a story of a ferry that shares a few of their words.
// A further outlet's copy joins the fire's story and is compared with the
// ferry's: deciding whether the two stories hold reports of one outlet
// reads the members of the outlets they share, and the fetch reads no more
// than the fire story's most recent members, not every one of them.
func TestLargeStoryMergeReadsRecentMembers(t *testing.T) {
	const outlets = 120
	base := "Firefighters in Grenmouth battled a blaze at the Harlow Street warehouse through the night, the county fire service said on Tuesday. " +
		"Crews from Grenmouth, Ostley and Pellham were called shortly after midnight and found the roof of the warehouse alight. " +
		"Residents of Harlow Street were moved to the community hall at Dunmore Road while the smoke drifted over the harbour."
	// Each copy ends in a few words of a shared stock, so that its
	// lookup finds the story by words that not every member holds.
	stock := func(n int, seed uint64) string {
		r := rand.New(rand.NewPCG(seed, 7))
		const cons, vow = "bcdfghklmnprstvz", "aeiou"
		words := make([]string, n)
		for i := range words {
			w := rand.New(rand.NewPCG(uint64(r.IntN(150)), 9))
			var b strings.Builder
			for range 3 {
				b.WriteByte(cons[w.IntN(len(cons))])
				b.WriteByte(vow[w.IntN(len(vow))])
			}
			words[i] = b.String()
		}
		return strings.Join(words, " ") + "."
	}
	outlet := func(i int) (aggregator.SourceState, aggregator.Item) {
		s := src(fmt.Sprintf("https://outlet-%d.test/feed", i))
		link := fmt.Sprintf("https://outlet-%d.test/news/warehouse-fire", i)
		return s, item(s, link, link, "Warehouse fire on Harlow Street in Grenmouth",
			base+" "+stock(6, uint64(i)), t0.Add(-time.Duration(i)*time.Minute))
	}
	db := mustOpen(t)
	in := ingest.New(&aggregator.Config{}, nil)
	ferry := src("https://ferry.test/feed")
	apply(t, db, in, ferry, item(ferry, "f-1", "https://ferry.test/news/ramp", "Ferry to Ostley resumes after repairs",
		"The ferry between Grenmouth and Ostley resumed on Wednesday after three weeks of repairs to its ramp, the operator said. "+stock(12, 1000),
		t0.Add(-3*time.Hour)))
	for i := range outlets {
		s, it := outlet(i)
		apply(t, db, in, s, it)
	}
	_, first := outlet(0)
	if _, st := stored(t, db, first.ID); len(st.Members) != outlets {
		t.Fatalf("story of the fire has %d members; want %d", len(st.Members), outlets)
	}
	s, late := outlet(outlets)
	rc := readCounter{read: map[string]bool{}}
	err := db.Update(t.Context(), func(tx aggregator.Tx) error {
		rc.Tx = tx
		_, err := in.Apply(rc, s, []aggregator.Item{late})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	_, st := stored(t, db, late.ID)
	if st.ID != first.ID {
		t.Fatalf("the late copy is in story %s; want the fire's %s", st.ID, first.ID)
	}
	read := 0
	for _, m := range st.Members {
		if rc.read[m.Item] {
			read++
		}
	}
	if read > outlets/2 {
		t.Errorf("Apply of one copy read %d of the fire story's %d members; want its most recent only", read, len(st.Members))
	}
}

// TestCountUpdatedInPlaceTakesCopyOfNewText files a wire's report "Tram
// derails in Lyon: 3 dead", a scraper's copy of it without its first
// paragraph under its headline, and a blog's copy of the report as the
// wire later updated it in place ("…: 5 dead", a paragraph added), stored
// before that update: the blog's copy stays apart from the report it does
// not yet match. The update then comes, and the blog's copy joins the
// wire's story, though the scraper's copy of the old version there still
// counts three dead: the story holds the blog's headline, figures and all.
func TestCountUpdatedInPlaceTakesCopyOfNewText(t *testing.T) {
	blog := src("https://blog.test/feed")
	first := "<p>Three people were killed when a tram derailed on a curve near Bellecour square in central Lyon on Friday morning, the city's transport operator TCL said.</p>"
	updated := "<p>Five people were killed when a tram derailed on a curve near Bellecour square in central Lyon on Friday morning, the city's transport operator TCL said, after two of the injured died in hospital.</p>"
	rest := "<p>The tram left the rails shortly after eight o'clock and struck a bus shelter where commuters were waiting for the number 27 bus to Villeurbanne.</p>" +
		"<p>Firefighters freed three passengers trapped in the front carriage, and eleven people were taken to the Edouard Herriot hospital with injuries.</p>" +
		"<p>TCL suspended all services on line T2 and said an inquiry had been opened into the cause of the derailment. Prosecutors in Lyon have also opened an investigation.</p>"
	added := "<p>Mayor Gregory Doucet said the city was in mourning and ordered flags on public buildings to fly at half mast until Monday.</p>"
	report := item(wire, "w-1", "https://wire.test/2024/03/01/lyon-tram-derails", "Tram derails in Lyon: 3 dead", first+rest, t0)
	cut := item(copier, "c-1", "https://copier.test/lyon-tram-derails-3-dead", "Tram derails in Lyon: 3 dead", rest, t0.Add(30*time.Minute))
	copied := item(blog, "b-1", "https://blog.test/lyon-tram-derails-5-dead", "Tram derails in Lyon: 5 dead", updated+rest+added, t0.Add(2*time.Hour))
	edit := report
	edit.Title = "Tram derails in Lyon: 5 dead"
	edit.Summary = updated + rest + added
	edit.Hash = edit.Title + "\x00" + edit.Summary
	edit.FirstSeen = t0.Add(3 * time.Hour)

	db := mustOpen(t)
	in := ingest.New(&aggregator.Config{}, nil)
	apply(t, db, in, wire, report)
	apply(t, db, in, copier, cut)
	apply(t, db, in, blog, copied)
	_, r := stored(t, db, report.ID)
	if _, c := stored(t, db, cut.ID); c.ID != r.ID {
		t.Fatalf("the scraper's copy is in story %s; want the report's %s", c.ID, r.ID)
	}
	if _, b := stored(t, db, copied.ID); b.ID == r.ID {
		t.Fatalf("before the update, the copy of its text is in the report's story %s; want it apart", r.ID)
	}
	apply(t, db, in, wire, edit)
	_, r = stored(t, db, report.ID)
	if _, b := stored(t, db, copied.ID); b.ID != r.ID {
		t.Errorf("after the update, the copy of its text is in story %s; want the report's %s", b.ID, r.ID)
	}
}

// TestSeriesCopyKeptFromNextDayInWords is TestSeriesCopyKeptFromNextDay
// with the bulletins' counts written in words, as many agencies write
// those under ten ("Measles outbreak in Brakeby: nine new cases
// confirmed"): the two days' headlines are one but for their figures all
// the same, and the late copy of the day before's bulletin stays apart
// from the next day's story.
func TestSeriesCopyKeptFromNextDayInWords(t *testing.T) {
	words := strings.NewReplacer(
		"3 new cases", "three new cases", "7 new cases", "seven new cases", "8 new cases", "eight new cases",
		"9 new cases", "nine new cases", "7 New Cases", "Seven New Cases",
	)
	dir := t.TempDir()
	var paths []string
	for _, name := range []string{"39-newsbrief.xml", "37-ohpa.xml", "36-orsundtoday.xml", "34-skimlist.json", "33-newshub360.xml", "32-dailyfeedz.json", "30-meridian.xml", "29-ohpa.xml"} {
		body, err := os.ReadFile(filepath.Join("testdata/unseen13", name))
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(words.Replace(string(body))), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	stories, _ := runUnseen(t, paths)
	late := "https://dailyfeedz.test/2025/03/11/measles-outbreak-in-brakeby-9-new-cases-confirmed/"
	for _, link := range []string{
		"https://www.ohpa.test/news/2025/03/11/measles-brakeby-update",
		"https://newshub360.test/measles-outbreak-in-brakeby-7-new-cases-confirmed/",
		"https://meridianwire.test/health/2025/03/11/brakeby-measles-outbreak-38-cases-MW4451",
	} {
		if stories[link] == stories[late] {
			t.Errorf("%s and the copy of the day before's bulletin are one story %s; want two", link, stories[link])
		}
	}
}

// Two earthquakes off Crete on two days, reported by one site to one
// template, and a portal's copy of the first.
var (
	quakeSite   = src("https://kriti-nea.test/feed.xml")
	quakePortal = src("https://ellada-portal.test/feed.xml")
	quakeFirst  = "<p>Σεισμική δόνηση μεγέθους 4,9 βαθμών της κλίμακας Ρίχτερ σημειώθηκε τη Δευτέρα στις 14:22 στη θαλάσσια περιοχή νότια της Ιεράπετρας, σύμφωνα με το Γεωδυναμικό Ινστιτούτο του Αστεροσκοπείου Αθηνών.</p>" +
		"<p>Το εστιακό βάθος υπολογίστηκε στα 18 χιλιόμετρα. Ο σεισμός έγινε αισθητός στο Ηράκλειο και στον Άγιο Νικόλαο, χωρίς να αναφερθούν ζημιές.</p>" +
		"<p>Ο σεισμολόγος Νίκος Παπαδάκης δήλωσε ότι «πρόκειται για μια συνηθισμένη δόνηση για την περιοχή» και ότι δεν υπάρχει λόγος ανησυχίας.</p>"
	quakeSecond = "<p>Σεισμική δόνηση μεγέθους 4,2 βαθμών της κλίμακας Ρίχτερ σημειώθηκε την Τρίτη στις 06:48 στη θαλάσσια περιοχή νότια της Ιεράπετρας, σύμφωνα με το Γεωδυναμικό Ινστιτούτο του Αστεροσκοπείου Αθηνών.</p>" +
		"<p>Το εστιακό βάθος υπολογίστηκε στα 11 χιλιόμετρα. Ο σεισμός έγινε αισθητός στην Ιεράπετρα και στη Σητεία, χωρίς να αναφερθούν ζημιές.</p>" +
		"<p>Ο σεισμολόγος Νίκος Παπαδάκης δήλωσε ότι η δόνηση δεν συνδέεται με τον σεισμό της Δευτέρας, καθώς το επίκεντρό της απέχει περίπου 40 χιλιόμετρα.</p>"
)

// checkQuakesApart files the second earthquake's report, then the
// portal's copy of the first under copyTitle, then the first's report
// (newest first, as an archive read backwards), and checks that the
// second stays a story of its own.
func checkQuakesApart(t *testing.T, copyTitle string) {
	t.Helper()
	second := item(quakeSite, "q-2", "https://kriti-nea.test/eidiseis/seismos-42-rixter-notia-kritis",
		"Σεισμός 4,2 Ρίχτερ νότια της Κρήτης", quakeSecond, t0.Add(16*time.Hour))
	cp := item(quakePortal, "p-1", "https://ellada-portal.test/seismos-notia-kritis-aisthitos-irakleio",
		copyTitle, "<p>ΔΙΑΦΗΜΙΣΗ</p>"+quakeFirst+`<p>Πηγή: <a href="https://kriti-nea.test/eidiseis/seismos-49-rixter-notia-kritis">Κρήτη Νέα</a></p>`,
		t0.Add(90*time.Minute))
	first := item(quakeSite, "q-1", "https://kriti-nea.test/eidiseis/seismos-49-rixter-notia-kritis",
		"Σεισμός 4,9 Ρίχτερ νότια της Κρήτης", quakeFirst, t0)
	db := mustOpen(t)
	in := ingest.New(&aggregator.Config{}, nil)
	apply(t, db, in, quakeSite, second)
	apply(t, db, in, quakePortal, cp)
	apply(t, db, in, quakeSite, first)
	_, s2 := stored(t, db, second.ID)
	for _, it := range []aggregator.Item{cp, first} {
		if _, st := stored(t, db, it.ID); st.ID == s2.ID {
			t.Errorf("%q and the second earthquake's report are one story %s; want two", it.Title, st.ID)
		}
	}
}

// TestSeriesKeptApartUnderGreekCapitals checks that the portal's copy of
// the first earthquake's report, under its headline in capitals, which
// Greek writes without accents ("ΣΕΙΣΜΟΣ 4,9 ΡΙΧΤΕΡ ΝΟΤΙΑ ΤΗΣ ΚΡΗΤΗΣ"),
// stored before the first report, does not take the second earthquake's
// story: its headline is the second's but for its figures, whatever its
// case and accents.
func TestSeriesKeptApartUnderGreekCapitals(t *testing.T) {
	checkQuakesApart(t, "ΣΕΙΣΜΟΣ 4,9 ΡΙΧΤΕΡ ΝΟΤΙΑ ΤΗΣ ΚΡΗΤΗΣ")
}

// TestSeriesKeptApartUnderCopyHeadlineWithPartAdded checks the same when
// the portal's copy adds a part of its own to the first report's headline
// ("… - Αισθητός στο Ηράκλειο", felt in Heraklion): the part with the
// figures is the second report's headline but for them.
func TestSeriesKeptApartUnderCopyHeadlineWithPartAdded(t *testing.T) {
	checkQuakesApart(t, "Σεισμός 4,9 Ρίχτερ νότια της Κρήτης - Αισθητός στο Ηράκλειο")
	checkQuakesApart(t, "ΣΕΙΣΜΟΣ 4,9 ΡΙΧΤΕΡ ΝΟΤΙΑ ΤΗΣ ΚΡΗΤΗΣ - ΑΙΣΘΗΤΟΣ ΣΤΟ ΗΡΑΚΛΕΙΟ")
}

// TestCopyWithASCIIDigitsJoins files a Japanese paper's report of an
// earthquake, written with full-width digits ("最大震度４", "５．１"), and a
// portal's copy that writes them in ASCII ("最大震度4", "5.1"), as Japanese
// portals do, in either order: the copy joins the report, its figures
// being the report's.
func TestCopyWithASCIIDigitsJoins(t *testing.T) {
	const text = "<p>２４日午後９時１５分ごろ、福島県沖を震源とする地震があり、福島県いわき市などで震度４を観測した。気象庁によると、震源の深さは約５０キロ、地震の規模（マグニチュード）は５．１と推定される。この地震による津波の心配はない。</p>" +
		"<p>東京電力によると、福島第一、第二原子力発電所に異常はないという。東北新幹線は点検のため一時運転を見合わせた。</p>"
	halfWidth := strings.NewReplacer("０", "0", "１", "1", "２", "2", "３", "3", "４", "4", "５", "5", "６", "6", "７", "7", "８", "8", "９", "9", "．", ".")
	paperSrc, portal := src("https://hinode.test/feed"), src("https://portal.test/feed")
	report := item(paperSrc, "h-1", "https://hinode.test/national/20250324-quake", "福島県沖で地震、最大震度４　津波の心配なし", text, t0)
	cp := item(portal, "p-1", "https://portal.test/news/88213", halfWidth.Replace("福島県沖で地震、最大震度４"), halfWidth.Replace(text), t0.Add(40*time.Minute))
	for _, order := range [][]aggregator.Item{{report, cp}, {cp, report}} {
		db := mustOpen(t)
		in := ingest.New(&aggregator.Config{}, nil)
		for _, it := range order {
			s := paperSrc
			if it.ID == cp.ID {
				s = portal
			}
			apply(t, db, in, s, it)
		}
		_, sr := stored(t, db, report.ID)
		if _, sc := stored(t, db, cp.ID); sc.ID != sr.ID {
			t.Errorf("%q first: the copy with ASCII digits is in story %s; want the report's %s", order[0].Title, sc.ID, sr.ID)
		}
	}
}

// TestPersianCopyInArabicLettersJoins files a Persian site's report of an
// earthquake and, the next morning, another site's copy typed on an
// Arabic keyboard, its yeh and kaf the Arabic letters ("كرمان" for
// "کرمان") and its words without the non-joiner, in either order: the
// copy joins the report, as a reader sees the same words.
func TestPersianCopyInArabicLettersJoins(t *testing.T) {
	const zwnj = "\u200c"
	text := "<p>زمین" + zwnj + "لرزه" + zwnj + "ای به بزرگی ۵٫۲ ریشتر بامداد سه" + zwnj + "شنبه حوالی شهر راور در استان کرمان را لرزاند. مرکز لرزه" + zwnj + "نگاری کشوری مؤسسه ژئوفیزیک دانشگاه تهران عمق این زمین" + zwnj + "لرزه را ۱۰ کیلومتر اعلام کرد.</p>" +
		"<p>رئیس جمعیت هلال احمر استان کرمان گفت تاکنون گزارشی از خسارت جانی دریافت نشده و تیم" + zwnj + "های ارزیاب به روستاهای اطراف اعزام شده" + zwnj + "اند.</p>" +
		"<p>این زمین" + zwnj + "لرزه در شهرهای کرمان، زرند و بافق نیز احساس شد. به گفته کارشناسان، احتمال وقوع پس" + zwnj + "لرزه در روزهای آینده وجود دارد.</p>"
	arabic := strings.NewReplacer("ی", "ي", "ک", "ك", zwnj, "")
	site, copySite := src("https://khabar.test/feed"), src("https://akhbar.test/feed")
	report := item(site, "k-1", "https://khabar.test/news/1404/01/05/ravar", "زلزله ۵٫۲ ریشتری در کرمان؛ خسارت جانی گزارش نشده است", text, t0)
	cp := item(copySite, "a-1", "https://akhbar.test/p/90371", "زلزله راور كرمان را لرزاند", "<p>تبليغات</p>"+arabic.Replace(text), t0.Add(20*time.Hour))
	for _, order := range [][]aggregator.Item{{report, cp}, {cp, report}} {
		db := mustOpen(t)
		in := ingest.New(&aggregator.Config{}, nil)
		for _, it := range order {
			s := site
			if it.ID == cp.ID {
				s = copySite
			}
			apply(t, db, in, s, it)
		}
		_, sr := stored(t, db, report.ID)
		if _, sc := stored(t, db, cp.ID); sc.ID != sr.ID {
			t.Errorf("%q first: the copy in Arabic letters is in story %s; want the report's %s", order[0].Title, sc.ID, sr.ID)
		}
	}
}
