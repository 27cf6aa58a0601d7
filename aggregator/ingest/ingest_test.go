package ingest_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/ingest"
	"github.com/tributary-feeds/tributary/aggregator/parse"
	"github.com/tributary-feeds/tributary/aggregator/topic"
	"github.com/tributary-feeds/tributary/store"
)

var t0 = time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)

func mustOpen(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.Open(filepath.Join(t.TempDir(), "agg.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// src returns the state of a source configured at url.
func src(url string) aggregator.SourceState {
	return aggregator.SourceState{ID: aggregator.SourceID(url), URL: url, ConfigURL: url}
}

// item builds a normalised item of source s, as the parser would.
func item(s aggregator.SourceState, guid, link, title, summary string, published time.Time) aggregator.Item {
	return aggregator.Item{
		ID: aggregator.ItemID(s.ID, guid), SourceID: s.ID, GUID: guid, Link: link, CanonicalLink: link,
		Title: title, Summary: summary, Published: published, FirstSeen: published.Add(time.Minute),
		Dated: true, Hash: title + "\x00" + summary,
	}
}

func apply(t *testing.T, db *store.DB, in *ingest.Ingester, s aggregator.SourceState, items ...aggregator.Item) ingest.Result {
	t.Helper()
	var res ingest.Result
	err := db.Update(t.Context(), func(tx aggregator.Tx) error {
		var err error
		res, err = in.Apply(tx, s, items)
		return err
	})
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	return res
}

// twoStories stores first and then second, both of source, in a store of
// their own, and gives back the stories each is in.
func twoStories(t *testing.T, source aggregator.SourceState, first, second aggregator.Item) (aggregator.Story, aggregator.Story) {
	t.Helper()
	db := mustOpen(t)
	in := ingest.New(&aggregator.Config{}, nil)
	apply(t, db, in, source, first)
	apply(t, db, in, source, second)
	_, a := stored(t, db, first.ID)
	_, b := stored(t, db, second.ID)
	return a, b
}

// stored returns a stored item and its story.
func stored(t *testing.T, db *store.DB, itemID string) (aggregator.Item, aggregator.Story) {
	t.Helper()
	var it aggregator.Item
	var st aggregator.Story
	err := db.View(t.Context(), func(tx aggregator.Tx) error {
		var err error
		if it, err = tx.Item(itemID); err != nil {
			return err
		}
		st, err = tx.Story(it.StoryID)
		return err
	})
	if err != nil {
		t.Fatalf("item %s: %v", itemID, err)
	}
	return it, st
}

var (
	wire   = src("https://wire.test/feed.xml")
	paper  = src("https://paper.test/rss")
	copier = src("https://copier.test/feed")
)

func TestExactKeys(t *testing.T) {
	off := false
	cfg := &aggregator.Config{Dedup: aggregator.DedupConfig{Window: 72 * time.Hour, Near: &off}}
	tests := []struct {
		name   string
		a, b   aggregator.Item
		join   bool
		reason string
	}{
		{"same GUID URL across sources within the window",
			item(wire, "https://wire.test/a/1", "https://wire.test/a/1", "Dam bursts upstream", "Water rose quickly.", t0),
			item(paper, "https://wire.test/a/1", "https://paper.test/x/9", "River floods town", "Homes were evacuated.", t0.Add(5*time.Hour)),
			true, aggregator.ReasonGUID},
		{"a GUID that is another item's link",
			item(wire, "w-7", "https://wire.test/a/7", "Dam bursts upstream", "Water rose quickly.", t0),
			item(paper, "https://wire.test/a/7", "https://paper.test/x/7", "River floods town", "Homes were evacuated.", t0.Add(time.Hour)),
			true, aggregator.ReasonGUID},
		{"the link of an item whose GUID is that link",
			item(wire, "https://wire.test/a/8", "https://wire.test/a/8", "Dam bursts upstream", "Water rose quickly.", t0),
			item(paper, "p-8", "https://wire.test/a/8", "River floods town", "Homes were evacuated.", t0.Add(time.Hour)),
			true, aggregator.ReasonLink},
		{"same tag URI GUID across sources",
			item(wire, "tag:wire.test,2020:dam-9", "https://wire.test/a/9", "Dam bursts upstream", "Water rose quickly.", t0),
			item(paper, "tag:wire.test,2020:dam-9", "https://paper.test/x/9", "River floods town", "Homes were evacuated.", t0.Add(time.Hour)),
			true, aggregator.ReasonGUID},
		{"same GUID outside the window",
			item(wire, "https://wire.test/a/2", "https://wire.test/a/2", "Dam bursts upstream", "Water rose quickly.", t0),
			item(paper, "https://wire.test/a/2", "https://paper.test/x/8", "River floods town", "Homes were evacuated.", t0.Add(80*time.Hour)),
			false, ""},
		{"short numeric GUIDs of two sources do not collide",
			item(wire, "1234", "https://wire.test/n/1234", "Budget passes senate", "Lawmakers voted late.", t0),
			item(paper, "1234", "https://paper.test/n/1234", "Storm hits coast", "Winds reached gale force.", t0.Add(time.Hour)),
			false, ""},
		{"same canonical link within the window",
			item(wire, "w-3", "https://news.test/story/3", "Bridge reopens", "Traffic resumed.", t0),
			item(paper, "p-3", "https://news.test/story/3", "Traffic back on bridge", "Cars crossed again.", t0.Add(48*time.Hour)),
			true, aggregator.ReasonLink},
		{"same canonical link outside the window",
			item(wire, "w-4", "https://news.test/story/4", "Bridge reopens", "Traffic resumed.", t0),
			item(paper, "p-4", "https://news.test/story/4", "Traffic back on bridge", "Cars crossed again.", t0.Add(-73*time.Hour)),
			false, ""},
		{"a home-page link is no key",
			item(wire, "w-5", "https://news.test/", "Bridge reopens", "Traffic resumed.", t0),
			item(paper, "p-5", "https://news.test/", "Storm hits coast", "Winds reached gale force.", t0),
			false, ""},
		{"identical text",
			item(wire, "w-6", "https://wire.test/6", "Council approves new library for the old market square", "Building starts in spring.", t0),
			item(paper, "p-6", "https://paper.test/6", "Council approves new library for the old market square", "Building starts in spring.", t0.Add(2*time.Hour)),
			true, aggregator.ReasonText},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := mustOpen(t)
			in := ingest.New(cfg, nil)
			apply(t, db, in, wire, tt.a)
			res := apply(t, db, in, paper, tt.b)
			_, sa := stored(t, db, tt.a.ID)
			_, sb := stored(t, db, tt.b.ID)
			if got := sa.ID == sb.ID; got != tt.join {
				t.Fatalf("Apply(%s): joined = %v; want %v (stories %s, %s)", tt.name, got, tt.join, sa.ID, sb.ID)
			}
			if !tt.join {
				if res.NewStories != 1 || res.Duplicates != 0 {
					t.Errorf("Apply(%s) = %+v; want 1 new story, 0 duplicates", tt.name, res)
				}
				return
			}
			if res.Duplicates != 1 || res.NewStories != 0 {
				t.Errorf("Apply(%s) = %+v; want 1 duplicate, 0 new stories", tt.name, res)
			}
			m := sb.Members[len(sb.Members)-1]
			if m.Item != tt.b.ID || m.Match.Reason != tt.reason || m.Match.With != tt.a.ID {
				t.Errorf("Apply(%s): member %+v; want item %s, reason %s, with %s", tt.name, m, tt.b.ID, tt.reason, tt.a.ID)
			}
		})
	}
}

func TestOriginLinks(t *testing.T) {
	orig := item(wire, "w-1", "https://wire.test/quake", "Quake shakes capital", "A magnitude 6 quake struck at dawn.", t0)
	cp := item(copier, "c-1", "https://copier.test/p/77", "You will not believe this", "Totally different words here.", t0.Add(2*time.Hour))
	cp.OriginLinks = []string{"https://wire.test/quake"}
	off := false
	cfg := &aggregator.Config{Dedup: aggregator.DedupConfig{Near: &off}}
	for _, order := range []string{"original first", "copy first"} {
		t.Run(order, func(t *testing.T) {
			db := mustOpen(t)
			in := ingest.New(cfg, nil)
			first, second := orig, cp
			fs, ss := wire, copier
			if order == "copy first" {
				first, second, fs, ss = cp, orig, copier, wire
			}
			apply(t, db, in, fs, first)
			res := apply(t, db, in, ss, second)
			_, st := stored(t, db, second.ID)
			if st.ID != first.ID || res.Duplicates != 1 {
				t.Fatalf("%s: story %s, result %+v; want story %s, 1 duplicate", order, st.ID, res, first.ID)
			}
			if m := st.Members[1]; m.Match.Reason != aggregator.ReasonOrigin || m.Match.Key != "https://wire.test/quake" {
				t.Errorf("%s: match %+v; want reason origin, key the original's link", order, m.Match)
			}
			if st.Face != orig.ID {
				t.Errorf("%s: face %s; want the original %s", order, st.Face, orig.ID)
			}
		})
	}
}

// TestOriginNamedByAnotherAddress checks that copies naming an item's page
// by another of its addresses than the one its feed gives join it in any
// order: one copy before or after it, and two copies, one naming each
// address, before it. Sites answer in "http" and "https", with and
// without "www." and a "/" after the path, at one page.
func TestOriginNamedByAnotherAddress(t *testing.T) {
	blog := src("https://blog.test/feed.json")
	off := false
	cfg := &aggregator.Config{Dedup: aggregator.DedupConfig{Near: &off}}
	tests := []struct{ link, named string }{
		{"https://wire.test/quake", "http://wire.test/quake"},
		{"http://wire.test/quake", "https://wire.test/quake"},
		{"https://www.wire.test/quake", "https://wire.test/quake"},
		{"https://wire.test/quake", "http://www.wire.test/quake/"},
		{"https://wire.test/2024/03/quake/", "https://wire.test/2024/03/quake"},
		{"https://wire.test/quake?id=7", "https://www.wire.test/quake?id=7"},
	}
	for _, tt := range tests {
		link, other := tt.link, tt.named
		orig := item(wire, "w-1", link, "Quake shakes capital", "A magnitude 6 quake struck at dawn.", t0)
		pointer := item(copier, "c-1", "https://copier.test/p/77", "Capital rattled before sunrise", "Read more", t0.Add(time.Hour))
		pointer.OriginLinks = []string{other}
		comment := item(blog, "b-1", "https://blog.test/2024/03/01/shaken", "A long morning", "Nobody here slept much after that.", t0.Add(2*time.Hour))
		comment.OriginLinks = []string{link}
		for _, order := range []string{"original first", "copy first", "copies first"} {
			db := mustOpen(t)
			in := ingest.New(cfg, nil)
			items := []aggregator.Item{orig, pointer}
			switch order {
			case "copy first":
				items = []aggregator.Item{pointer, orig}
			case "copies first":
				items = []aggregator.Item{pointer, comment, orig}
			}
			for _, it := range items {
				s := map[string]aggregator.SourceState{orig.SourceID: wire, pointer.SourceID: copier, comment.SourceID: blog}[it.SourceID]
				apply(t, db, in, s, it)
			}
			_, want := stored(t, db, orig.ID)
			for _, it := range items {
				if _, got := stored(t, db, it.ID); it.ID != orig.ID && got.ID != want.ID {
					t.Errorf("%s, %s: the item naming %s is in story %s; want the original's %s", link, order, it.OriginLinks[0], got.ID, want.ID)
				}
			}
		}
	}
}

// TestOriginNamedAtMobilePage checks that an item of a feed that links
// its reports' mobile pages (AMP pages, a mobile host) joins a pointer
// that names the report's article page, in either order, and two such
// pointers stored before it: the two are one page, as a pointer naming
// the mobile page names the article.
func TestOriginNamedAtMobilePage(t *testing.T) {
	blog := src("https://blog.test/feed.json")
	tests := []struct{ mobile, article string }{
		{"https://paper.test/news/2024/harbour-fire/amp/", "https://paper.test/news/2024/harbour-fire/"},
		{"https://paper.test/news/2024/harbour-fire?output=amp", "https://paper.test/news/2024/harbour-fire"},
		{"https://m.paper.test/news/2024/harbour-fire", "https://www.paper.test/news/2024/harbour-fire"},
	}
	off := false
	cfg := &aggregator.Config{Dedup: aggregator.DedupConfig{Near: &off}}
	for _, tt := range tests {
		report := item(paper, "p-1", tt.mobile, "Fire guts harbour warehouse", "Crews fought the blaze through the night.", t0)
		pointer := item(copier, "c-1", "https://copier.test/p/12", "What the harbour lost", "Read more", t0.Add(time.Hour))
		pointer.OriginLinks = []string{tt.article}
		comment := item(blog, "b-1", "https://blog.test/2024/03/01/fire", "A long night", "Nobody here slept much after that.", t0.Add(2*time.Hour))
		comment.OriginLinks = []string{tt.article}
		for _, order := range []string{"report first", "pointer first", "pointers first"} {
			db := mustOpen(t)
			in := ingest.New(cfg, nil)
			switch order {
			case "report first":
				apply(t, db, in, paper, report)
				apply(t, db, in, copier, pointer)
			case "pointer first":
				apply(t, db, in, copier, pointer)
				apply(t, db, in, paper, report)
			default:
				apply(t, db, in, copier, pointer)
				apply(t, db, in, blog, comment)
				apply(t, db, in, paper, report)
				_, c := stored(t, db, comment.ID)
				if _, r := stored(t, db, report.ID); c.ID != r.ID {
					t.Errorf("%s, %s: the report at %s and the comment naming %s are two stories; want one", tt.mobile, order, tt.mobile, tt.article)
				}
			}
			_, a := stored(t, db, report.ID)
			_, b := stored(t, db, pointer.ID)
			if a.ID != b.ID {
				t.Errorf("%s, %s: the report at %s and the pointer naming %s are two stories; want one", tt.mobile, order, tt.mobile, tt.article)
			}
		}
	}
}

// TestOriginNamedByCopiesFirst checks that copies from several sources
// that name one original, stored before it, become one story with it when
// it comes: each would have joined it had it come first, and joining one
// of them by its key must not leave the others apart.
func TestOriginNamedByCopiesFirst(t *testing.T) {
	blog := src("https://blog.test/feed.json")
	orig := item(wire, "w-1", "https://wire.test/quake", "Quake shakes capital", "A magnitude 6 quake struck at dawn.", t0)
	pointer := item(copier, "c-1", "https://copier.test/p/77", "Capital rattled before sunrise", "Read more", t0.Add(time.Hour))
	pointer.OriginLinks = []string{"https://wire.test/quake"}
	comment := item(blog, "b-1", "https://blog.test/2024/03/01/shaken", "A long morning", "Nobody here slept much after that.", t0.Add(2*time.Hour))
	comment.OriginLinks = []string{"https://wire.test/quake"}
	off := false
	for _, cfg := range []*aggregator.Config{{}, {Dedup: aggregator.DedupConfig{Near: &off}}} {
		db := mustOpen(t)
		in := ingest.New(cfg, nil)
		apply(t, db, in, copier, pointer)
		apply(t, db, in, blog, comment)
		apply(t, db, in, wire, orig)
		_, st := stored(t, db, orig.ID)
		for _, it := range []aggregator.Item{pointer, comment} {
			if _, got := stored(t, db, it.ID); got.ID != st.ID {
				t.Errorf("near %v: %s in story %s; want the original's story %s", cfg.Dedup.Near == nil, it.Link, got.ID, st.ID)
			}
		}
		if len(st.Members) != 3 {
			t.Errorf("near %v: story of %d members; want 3", cfg.Dedup.Near == nil, len(st.Members))
		}
		for _, m := range st.Members[1:] {
			if m.Match.Reason != aggregator.ReasonOrigin || m.Match.Key != orig.Link {
				t.Errorf("near %v: member %s joined by %+v; want reason origin, key the original's link", cfg.Dedup.Near == nil, m.Item, m.Match)
			}
		}
	}
}

// TestDigestNamingSeveralOriginals checks that an item crediting several
// reports as its originals (a digest with "Source: …" under each) joins
// one of them and never makes one story of them, in any order.
func TestDigestNamingSeveralOriginals(t *testing.T) {
	digest := src("https://digest.test/feed.json")
	quake := item(wire, "w-1", "https://wire.test/quake", "Quake shakes capital", "A magnitude 6 quake struck the capital at dawn, toppling walls.", t0)
	budget := item(wire, "w-2", "https://wire.test/budget", "Parliament passes budget", "Lawmakers approved the spending plan by a narrow vote on Tuesday.", t0.Add(30*time.Minute))
	roundup := item(digest, "d-1", "https://digest.test/2024/03/01/morning", "Morning digest", "Quake in the capital; the budget passes.", t0.Add(-time.Hour))
	roundup.OriginLinks = []string{"https://wire.test/quake", "https://wire.test/budget"}
	off := false
	for _, cfg := range []*aggregator.Config{{}, {Dedup: aggregator.DedupConfig{Near: &off}}} {
		for _, order := range [][]aggregator.Item{{roundup, quake, budget}, {quake, roundup, budget}, {quake, budget, roundup}, {budget, roundup, quake}} {
			db := mustOpen(t)
			in := ingest.New(cfg, nil)
			for _, it := range order {
				s := wire
				if it.ID == roundup.ID {
					s = digest
				}
				apply(t, db, in, s, it)
			}
			_, q := stored(t, db, quake.ID)
			_, b := stored(t, db, budget.ID)
			if q.ID == b.ID {
				t.Errorf("near %v, %s first: the quake and the budget are one story", cfg.Dedup.Near == nil, order[0].Link)
			}
			_, r := stored(t, db, roundup.ID)
			if r.ID != q.ID && r.ID != b.ID {
				t.Errorf("near %v, %s first: the digest joined neither report it names", cfg.Dedup.Near == nil, order[0].Link)
			}
		}
	}
}

// TestOriginNamedExplainsOnlyItsOwnJoin checks that when an original
// joins a story by another key (its GUID, as the wire's print edition
// carries it) and so brings that story into the story of a copy that
// named it, stored before both, the first member of the story it brings
// is explained as a merge of stories: it joined by no link a copy names,
// and it stays its outlet's own report.
func TestOriginNamedExplainsOnlyItsOwnJoin(t *testing.T) {
	print := src("https://wire.test/print.xml")
	const guid = "tag:wire.test,2024:quake-1"
	pointer := item(copier, "c-1", "https://copier.test/p/12", "Capital rattled before sunrise", "Read more", t0)
	pointer.OriginLinks = []string{"https://wire.test/quake"}
	edition := item(print, guid, "https://wire.test/print/quake", "Quake shakes capital", "A magnitude 6 quake struck at dawn.", t0.Add(time.Hour))
	orig := item(wire, guid, "https://wire.test/quake", "Quake shakes capital", "A magnitude 6 quake struck at dawn.", t0.Add(2*time.Hour))
	off := false
	for _, cfg := range []*aggregator.Config{{}, {Dedup: aggregator.DedupConfig{Near: &off}}} {
		db := mustOpen(t)
		in := ingest.New(cfg, nil)
		apply(t, db, in, copier, pointer)
		apply(t, db, in, print, edition)
		apply(t, db, in, wire, orig)
		_, st := stored(t, db, orig.ID)
		if _, got := stored(t, db, pointer.ID); got.ID != st.ID {
			t.Fatalf("near %v: the copy in story %s; want the original's story %s", cfg.Dedup.Near == nil, got.ID, st.ID)
		}
		for _, m := range st.Members {
			if m.Item == edition.ID && (m.Match.Reason != aggregator.ReasonNear || m.Match.Key != ingest.KeyStory) {
				t.Errorf("near %v: match of the print edition = %+v; want reason %s, key %s", cfg.Dedup.Near == nil, m.Match, aggregator.ReasonNear, ingest.KeyStory)
			}
		}
	}
}

// countingTx counts the writes made through it.
type countingTx struct {
	aggregator.Tx
	writes int
}

func (c *countingTx) PutItem(it aggregator.Item) error { c.writes++; return c.Tx.PutItem(it) }
func (c *countingTx) PutStory(s aggregator.Story) error {
	c.writes++
	return c.Tx.PutStory(s)
}
func (c *countingTx) AddKey(k string, r aggregator.KeyRef) error {
	c.writes++
	return c.Tx.AddKey(k, r)
}
func (c *countingTx) AddBand(b []byte, r aggregator.KeyRef) error {
	c.writes++
	return c.Tx.AddBand(b, r)
}
func (c *countingTx) PutFeatures(id string, b []byte) error {
	c.writes++
	return c.Tx.PutFeatures(id, b)
}
func (c *countingTx) AddCounts(ns string, keys []string) error {
	c.writes++
	return c.Tx.AddCounts(ns, keys)
}

func TestUnchangedAndEdited(t *testing.T) {
	db := mustOpen(t)
	in := ingest.New(&aggregator.Config{}, nil)
	a := item(wire, "w-1", "https://wire.test/1", "Mayor resigns after audit", "The mayor stepped down on Monday.", t0)
	b := item(wire, "w-2", "https://wire.test/2", "Harbour tunnel opens", "The tunnel took six years to build.", t0.Add(time.Hour))
	if res := apply(t, db, in, wire, a, b); res.New != 2 || res.NewStories != 2 {
		t.Fatalf("first Apply = %+v; want 2 new items, 2 new stories", res)
	}

	var res ingest.Result
	ctx := &countingTx{}
	err := db.Update(t.Context(), func(tx aggregator.Tx) error {
		ctx.Tx = tx
		var err error
		res, err = in.Apply(ctx, wire, []aggregator.Item{b, a})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Unchanged != 2 || res.New != 0 || res.Updated != 0 || len(res.Topics) != 0 || ctx.writes != 0 {
		t.Errorf("Apply(unchanged) = %+v with %d writes; want 2 unchanged and no write", res, ctx.writes)
	}

	edited := a
	edited.Title = "Mayor resigns after damning audit"
	edited.Hash = "edited"
	edited.FirstSeen = t0.Add(48 * time.Hour)
	res = apply(t, db, in, wire, edited, b)
	if res.Updated != 1 || res.Unchanged != 1 || res.New != 0 {
		t.Errorf("Apply(edited) = %+v; want 1 updated, 1 unchanged", res)
	}
	got, st := stored(t, db, a.ID)
	if got.Title != edited.Title || got.StoryID != a.ID || st.ID != a.ID || len(st.Members) != 1 {
		t.Errorf("edited item %+v in story %+v; want the new title in the same one-member story %s", got, st, a.ID)
	}
	if !got.FirstSeen.Equal(a.FirstSeen) {
		t.Errorf("edited item first seen %v; want the original %v", got.FirstSeen, a.FirstSeen)
	}
	if !slices.Equal(res.Topics, []string{aggregator.AllTopic}) {
		t.Errorf("Apply(edited) topics %q; want [all]", res.Topics)
	}
}

// TestPictureCacheBusters reads a feed that stamps its pictures' URLs
// with the time of each fetch (?v=, ?t=, ?cb=, ?_=): an item that comes
// back the same but for those stamps is unchanged and changes no topic,
// while a new picture at a new address, another size of a picture, or a
// new text with new stamps, are edits.
func TestPictureCacheBusters(t *testing.T) {
	s := src("https://saltmarsh-gazette.example/feed.xml")
	fetch := func(n int, now time.Time) []aggregator.Item {
		t.Helper()
		body, err := os.ReadFile(filepath.Join("testdata", "feeds", fmt.Sprintf("busted-pictures-%d.xml", n)))
		if err != nil {
			t.Fatal(err)
		}
		feed, err := parse.Parse(body, "application/rss+xml", s.URL, s.ID, now, parse.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return feed.Items
	}
	db := mustOpen(t)
	in := ingest.New(&aggregator.Config{}, nil)
	first := fetch(1, time.Date(2024, 3, 1, 11, 0, 0, 0, time.UTC))
	if res := apply(t, db, in, s, first...); res.New != 3 {
		t.Fatalf("first fetch: Apply = %+v; want 3 new items", res)
	}
	if res := apply(t, db, in, s, fetch(2, time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC))...); res.Unchanged != 3 || res.Updated != 0 || len(res.Topics) != 0 {
		t.Errorf("fetch with new stamps: Apply = %+v; want 3 unchanged, no topic changed", res)
	}
	for _, it := range first {
		if got, _ := stored(t, db, it.ID); got.Summary != it.Summary || got.Content != it.Content {
			t.Errorf("after new stamps, item %q holds %q %q; want it as first stored, %q %q", it.Title, got.Summary, got.Content, it.Summary, it.Content)
		}
	}
	third := fetch(3, time.Date(2024, 3, 1, 13, 0, 0, 0, time.UTC))
	if res := apply(t, db, in, s, third...); res.Updated != 3 || res.Unchanged != 0 {
		t.Errorf("fetch with a new picture, another size and a new text: Apply = %+v; want 3 updated", res)
	}
	for _, it := range third {
		if got, _ := stored(t, db, it.ID); got.Summary != it.Summary || got.Content != it.Content {
			t.Errorf("after the edits, item %q holds %q %q; want %q %q", it.Title, got.Summary, got.Content, it.Summary, it.Content)
		}
	}
}

// TestEnclosureCacheBusters: an episode whose audio file's URL carries a
// stamp that changes at every fetch (?ts=) comes back unchanged, so that
// its entry does not show as new again at every poll; another file, or
// another parameter (a bitrate), is an edit.
func TestEnclosureCacheBusters(t *testing.T) {
	s := src("https://harbour-radio.example/podcast.xml")
	episode := func(file string) aggregator.Item {
		it := item(s, "ep-7", "https://harbour-radio.example/ep/7", "Episode 7: the lifeboat crew", "<p>The crew on a winter night.</p>", t0)
		it.Enclosures = []aggregator.Enclosure{{URL: file, Type: "audio/mpeg", Length: 1000}}
		it.Hash = it.EditHash()
		return it
	}
	db := mustOpen(t)
	in := ingest.New(&aggregator.Config{}, nil)
	apply(t, db, in, s, episode("https://cdn.harbour-radio.example/ep7.mp3?ts=1712345678"))
	if res := apply(t, db, in, s, episode("https://cdn.harbour-radio.example/ep7.mp3?ts=1712349999")); res.Unchanged != 1 || res.Updated != 0 {
		t.Errorf("the file under a new stamp: Apply = %+v; want it unchanged", res)
	}
	for _, file := range []string{
		"https://cdn.harbour-radio.example/ep7.mp3?ts=1712349999&kbps=64",
		"https://cdn.harbour-radio.example/ep7-fixed.mp3",
	} {
		if res := apply(t, db, in, s, episode(file)); res.Updated != 1 {
			t.Errorf("the file as %s: Apply = %+v; want an edit", file, res)
		}
		if got, _ := stored(t, db, episode(file).ID); got.Enclosures[0].URL != file {
			t.Errorf("after the edit the file is %s; want %s", got.Enclosures[0].URL, file)
		}
	}
}

func TestFaceAndStableID(t *testing.T) {
	cfg := &aggregator.Config{Sources: []aggregator.SourceConfig{
		{URL: wire.URL, Priority: 10, Tags: []string{"wire"}},
		{URL: paper.URL, Tags: []string{"local"}},
	}}
	db := mustOpen(t)
	in := ingest.New(cfg, nil)
	guid := "https://shared.test/story/42"
	first := item(paper, guid, "https://paper.test/42", "Ferry strike halts crossings", "Crews walked out at dawn.", t0)
	first.Categories = []string{"Transport"}
	apply(t, db, in, paper, first)
	_, st := stored(t, db, first.ID)
	if st.Face != first.ID || st.ID != first.ID {
		t.Fatalf("story %+v; want id and face %s", st, first.ID)
	}
	second := item(wire, guid, "https://wire.test/42", "Ferry crews strike", "Crossings are halted as crews walk out.", t0.Add(-2*time.Hour))
	res := apply(t, db, in, wire, second)
	_, st = stored(t, db, first.ID)
	if st.ID != first.ID || st.Face != second.ID {
		t.Errorf("story id %s face %s; want id %s kept and face %s (higher priority)", st.ID, st.Face, first.ID, second.ID)
	}
	if !st.Time.Equal(second.Published) {
		t.Errorf("story time %v; want the earliest member's %v", st.Time, second.Published)
	}
	if want := []string{"Transport", "all", "local", "wire"}; !slices.Equal(st.Tags, want) {
		t.Errorf("story tags %q; want %q", st.Tags, want)
	}
	if res.Duplicates != 1 {
		t.Errorf("Apply = %+v; want 1 duplicate", res)
	}
}

func TestFaceWithoutPriority(t *testing.T) {
	db := mustOpen(t)
	in := ingest.New(&aggregator.Config{}, nil)
	guid := "https://shared.test/story/7"
	full := item(wire, guid, "https://wire.test/7", "Council backs tram plan", "The council voted to build the tram line after a long debate about its cost.", t0)
	cut := item(copier, guid, "https://copier.test/7", "Council backs tram plan...", "The council voted to build the tram line […]", t0.Add(-time.Hour))
	apply(t, db, in, copier, cut)
	apply(t, db, in, wire, full)
	_, st := stored(t, db, cut.ID)
	if st.ID != cut.ID || st.Face != full.ID {
		t.Errorf("story id %s face %s; want id %s and the full text %s as face", st.ID, st.Face, cut.ID, full.ID)
	}
}

func TestNearDuplicates(t *testing.T) {
	body := "The man is being treated for critical injuries after the incident at the park in the Varland hills, police say."
	orig := item(wire, "w-1", "https://wire.test/bear", "Bear escape in Portmere leaves keeper badly injured", body, t0)
	cp := item(copier, "c-1", "https://copier.test/bear-escape", "BREAKING: Bear escape in Portmere leaves keeper...", "The man is being treated for critical injuries after the […]", t0.Add(6*time.Hour))
	other := item(paper, "p-1", "https://paper.test/markets", "Stocks rally as tech shares climb", "Markets rose on Friday led by technology companies.", t0.Add(time.Hour))
	for _, near := range []bool{true, false} {
		db := mustOpen(t)
		in := ingest.New(&aggregator.Config{Dedup: aggregator.DedupConfig{Near: &near}}, nil)
		apply(t, db, in, wire, orig)
		apply(t, db, in, paper, other)
		apply(t, db, in, copier, cp)
		_, st := stored(t, db, cp.ID)
		if got := st.ID == orig.ID; got != near {
			t.Fatalf("near=%v: copy joined the original = %v; want %v", near, got, near)
		}
		if !near {
			continue
		}
		m := st.Members[1].Match
		if m.Reason != aggregator.ReasonNear || m.With != orig.ID || m.Score < in.Threshold() || m.Key != "copy" {
			t.Errorf("copy match %+v; want near, with %s, key copy, score at least %.2f", m, orig.ID, in.Threshold())
		}
		if _, so := stored(t, db, other.ID); so.ID != other.ID || len(so.Members) != 1 {
			t.Errorf("unrelated item in story %+v; want its own", so)
		}
	}
}

// TestCorrectionQuotesHeadline checks that a wire's correction, which
// names the story it corrects by its headline in quotes and shares little
// else with it, joins that story the next day, in either order, though it
// comes from the story's own source; while a report of the same source
// that quotes a line of the story's text, not its headline, stays apart.
func TestCorrectionQuotesHeadline(t *testing.T) {
	report := item(wire, "w-2", "https://wire.test/kettle-recall", "Brannock recalls 40,000 kettles after reports of scalds",
		"<p>Brannock Home is recalling about 40,000 kettles sold since June after 9 reports of lids opening while boiling, the company said on Monday.</p>"+
			"<p>The recall covers the Brannock Swift 1.7-litre kettle, model BK170, sold in white and grey. Customers should stop using it and ask for a refund.</p>", t0)
	correction := item(wire, "w-3", "https://wire.test/kettle-recall-correction", "CORRECTION-Brannock kettle recall",
		`<p>In a story issued on Monday headlined "Brannock recalls 40,000 kettles after reports of scalds", please read "4,000 kettles" instead of "40,000 kettles". The company corrected the figure.</p>`, t0.Add(20*time.Hour))
	quoting := item(wire, "w-4", "https://wire.test/kettle-makers", "Kettle makers face new lid safety rules",
		`<p>Kettle makers will have to test lids at boiling point under rules proposed on Tuesday, after a recall in which Brannock said lids were "opening while boiling on the kettle BK170 model". The regulator wants the tests from January.</p>`, t0.Add(21*time.Hour))
	for _, reversed := range []bool{false, true} {
		db := mustOpen(t)
		in := ingest.New(&aggregator.Config{}, nil)
		items := []aggregator.Item{report, correction, quoting}
		if reversed {
			slices.Reverse(items)
		}
		for _, it := range items {
			apply(t, db, in, wire, it)
		}
		_, sr := stored(t, db, report.ID)
		_, sc := stored(t, db, correction.ID)
		_, sq := stored(t, db, quoting.ID)
		if sr.ID != sc.ID {
			t.Errorf("reversed=%v: correction in story %s, report in %s; want one story", reversed, sc.ID, sr.ID)
		}
		if sq.ID == sr.ID {
			t.Errorf("reversed=%v: report quoting the story's text joined it; want its own story", reversed)
		}
		if len(sr.Members) == 2 && sr.Members[1].Match.Reason != aggregator.ReasonOrigin {
			t.Errorf("reversed=%v: second item joined by %+v; want %s", reversed, sr.Members[1].Match, aggregator.ReasonOrigin)
		}
	}
}

// TestQuotedHeadlineOfAnotherKind checks that only an item of the quoted
// report's own source, that quotes no other text as long but the
// report's own words, is joined to it by the quote: another outlet's
// column, which quotes the headline to argue with it, and the source's own
// digest, which quotes the headlines of several reports, each stay a
// story of their own, while a correction that quotes the sentence it
// corrects joins, in either order.
func TestQuotedHeadlineOfAnotherKind(t *testing.T) {
	report := item(wire, "w-5", "https://wire.test/depot-closure", "Hallam Foods to shut Brayford depot with 180 jobs lost",
		"<p>Hallam Foods will close its Brayford distribution depot in September with the loss of 180 jobs, the company said on Wednesday, moving the work to a larger site near Wakefield.</p>"+
			"<p>The depot has served the chain's stores in the north-east since 1994. Staff will be offered transfers.</p>", t0)
	other := item(wire, "w-6", "https://wire.test/ferry-fares", "Ferry fares to the Farne islands rise by a fifth",
		"<p>Boat operators at Seahouses will charge 30 pounds for a return trip to the Farne islands from May, up from 25 pounds, blaming fuel and insurance costs.</p>", t0.Add(time.Hour))
	column := item(paper, "p-7", "https://paper.test/opinion/brayford", "Brayford deserved better than a press release",
		`<p>"Hallam Foods to shut Brayford depot with 180 jobs lost" is the kind of headline this town has read too often. Behind the number are families who gave the firm thirty years.</p>`+
			`<p>The council should ask why the grants it gave the depot in 2015 came with no promise to stay, and make sure the next ones do.</p>`, t0.Add(8*time.Hour))
	correction := item(wire, "w-9", "https://wire.test/depot-closure-correction", "CORRECTION-Hallam Foods depot",
		`<p>In a story headlined "Hallam Foods to shut Brayford depot with 180 jobs lost", please read "Staff will be offered transfers to Wakefield" instead of "Staff will be offered transfers".</p>`, t0.Add(20*time.Hour))
	digest := item(wire, "w-8", "https://wire.test/digest", "Evening digest",
		`<p>Today we reported "Hallam Foods to shut Brayford depot with 180 jobs lost" and "Ferry fares to the Farne islands rise by a fifth". Good night.</p>`, t0.Add(10*time.Hour))
	for _, reversed := range []bool{false, true} {
		db := mustOpen(t)
		in := ingest.New(&aggregator.Config{}, nil)
		steps := []struct {
			s  aggregator.SourceState
			it aggregator.Item
		}{{wire, report}, {wire, other}, {paper, column}, {wire, digest}, {wire, correction}}
		if reversed {
			slices.Reverse(steps)
		}
		for _, st := range steps {
			apply(t, db, in, st.s, st.it)
		}
		_, sr := stored(t, db, report.ID)
		_, so := stored(t, db, other.ID)
		for _, it := range []aggregator.Item{column, digest} {
			if _, st := stored(t, db, it.ID); st.ID == sr.ID || st.ID == so.ID {
				t.Errorf("reversed=%v: %q joined a report it quotes (%+v); want its own story", reversed, it.Title, st.Members)
			}
		}
		if sr.ID == so.ID {
			t.Errorf("reversed=%v: the two reports the digest quotes are one story; want two", reversed)
		}
		if _, sc := stored(t, db, correction.ID); sc.ID != sr.ID {
			t.Errorf("reversed=%v: the correction, which quotes the words it corrects, is apart from its report; want one story", reversed)
		}
	}
}

// TestEditToAnotherArticle checks that an item edited in place into
// another article, as a site that reuses a link for a new one does, does
// not merge the story of its old text with that of a copy of its new
// text: the copy of the old article and the copy of the new one stay
// apart.
func TestEditToAnotherArticle(t *testing.T) {
	db := mustOpen(t)
	in := ingest.New(&aggregator.Config{}, nil)
	const link = "https://paper.test/news/slot-2"
	first := item(paper, "s-2", link, "Harwick library to open on Sundays from June",
		"<p>Harwick's central library will open on Sundays from June 1, from 11am to 4pm, after the council found money for two more librarians, it said on Monday.</p>"+
			"<p>The library has been closed on Sundays since 2016. Its cafe and children's corner will open too.</p>", t0)
	oldCopy := item(copier, "c-1", "https://copier.test/harwick-library-sundays", "Sunday opening for Harwick library",
		"<p>Harwick's central library will open on Sundays from June 1, from 11am to 4pm, after the council found money for two more librarians, it said on Monday.</p>"+
			"<p>The library has been closed on Sundays since 2016. Its cafe and children's corner will open too.</p>", t0.Add(2*time.Hour))
	reposter := src("https://reposter.test/feed")
	newCopy := item(reposter, "r-2", "https://reposter.test/harwick-bus-station", "Harwick bus station to be rebuilt",
		"<p>Harwick's bus station will be knocked down and rebuilt over two years from January, with twelve covered stands and a waiting room, the county council said on Tuesday.</p>"+
			"<p>Buses will use temporary stops on Market Street while the work is done. The scheme costs 9 million pounds.</p>", t0.Add(3*time.Hour))
	reused := first
	reused.Title = "Harwick bus station to be knocked down and rebuilt"
	reused.Summary = newCopy.Summary
	reused.Hash = reused.Title + "\x00" + reused.Summary
	apply(t, db, in, paper, first)
	apply(t, db, in, copier, oldCopy)
	apply(t, db, in, reposter, newCopy)
	apply(t, db, in, paper, reused)
	_, a := stored(t, db, oldCopy.ID)
	_, b := stored(t, db, newCopy.ID)
	if a.ID == b.ID {
		t.Errorf("after the link was reused, the copies of its old and new articles are one story (%+v); want two", a.Members)
	}
}

// TestEditJoinsCopyOfItsText checks that an item edited in place (a story
// updated under one link, with new text) joins the story of a copy of the
// new text that was stored before the edit, when the old text shared too
// little with the copy for it to join then.
func TestEditJoinsCopyOfItsText(t *testing.T) {
	db := mustOpen(t)
	in := ingest.New(&aggregator.Config{}, nil)
	const link = "https://paper.test/news/quarry-collapse"
	first := item(paper, "q-1", link, "Workers trapped after collapse at Dorran quarry",
		"<p>Rescue teams are at Dorran quarry after part of a rock face collapsed on Tuesday morning. The operator said some workers were unaccounted for.</p>", t0)
	updated := first
	updated.Title = "All six Dorran quarry workers rescued alive after eleven-hour operation"
	updated.Summary = "<p>All six workers trapped by a rock fall at Dorran quarry were brought out alive late on Tuesday, eleven hours after the collapse, the county fire service said.</p>" +
		"<p>Two were taken to Harwick Infirmary with broken bones; the other four were checked at the scene and went home. Crews used a thermal camera and a tracked digger to reach a gap behind the fallen rock.</p>" +
		"<p>The quarry's owner, Selby Aggregates, said blasting would stay suspended while inspectors examined the face.</p>"
	updated.Hash = updated.Title + "\x00" + updated.Summary
	cp := item(copier, "c-9", "https://copier.test/quarry-miracle", "MIRACLE: every trapped quarry worker pulled out",
		"<p>All six workers trapped by a rock fall at Dorran quarry were brought out alive late on Tuesday, eleven hours after the collapse, the county fire service said.</p>"+
			"<p>Two were taken to Harwick Infirmary with broken bones; the other four were checked at the scene and went home. Crews used a thermal camera and a tracked digger to reach a gap behind the fallen rock.</p>", t0.Add(12*time.Hour))
	apply(t, db, in, paper, first)
	apply(t, db, in, copier, cp)
	if _, c := stored(t, db, cp.ID); c.ID == first.ID {
		t.Fatalf("copy of the later text joined the first version's story; the test needs it apart until the edit")
	}
	apply(t, db, in, paper, updated)
	_, a := stored(t, db, first.ID)
	_, c := stored(t, db, cp.ID)
	if a.ID != c.ID {
		t.Errorf("after the edit, the item is in story %s and the copy of its new text in %s; want one story", a.ID, c.ID)
	}
}

func TestTopicsAndRetag(t *testing.T) {
	compile := func(phrase string) *ingest.Ingester {
		t.Helper()
		cfg := &aggregator.Config{Topics: []aggregator.TopicConfig{
			{ID: "transport", Title: "Transport", Match: aggregator.MatchConfig{Any: []string{phrase}}},
		}}
		set, err := topic.Compile(cfg.Topics, cfg.Sources)
		if err != nil {
			t.Fatalf("topic.Compile: %v", err)
		}
		return ingest.New(cfg, set)
	}
	db := mustOpen(t)
	in := compile("ferry")
	a := item(wire, "w-1", "https://wire.test/1", "Ferry strike halts crossings", "Crews walked out at dawn.", t0)
	b := item(wire, "w-2", "https://wire.test/2", "Orchestra plays for free", "The concert drew a crowd.", t0)
	res := apply(t, db, in, wire, a, b)
	if want := []string{"all", "transport"}; !slices.Equal(res.Topics, want) {
		t.Errorf("Apply topics %q; want %q", res.Topics, want)
	}
	if _, st := stored(t, db, a.ID); !slices.Equal(st.Topics, []string{"all", "transport"}) {
		t.Errorf("story topics %q; want [all transport]", st.Topics)
	}

	// The topic now matches the concert instead.
	re := compile("concert")
	var changed []string
	err := db.Update(t.Context(), func(tx aggregator.Tx) error {
		var err error
		changed, err = re.Retag(tx, t0, a.ID, b.ID, "no-such-story")
		return err
	})
	if err != nil {
		t.Fatalf("Retag: %v", err)
	}
	if want := []string{"all", "transport"}; !slices.Equal(changed, want) {
		t.Errorf("Retag changed %q; want %q", changed, want)
	}
	if _, st := stored(t, db, a.ID); !slices.Equal(st.Topics, []string{"all"}) {
		t.Errorf("ferry story topics after Retag %q; want [all]", st.Topics)
	}
	if _, st := stored(t, db, b.ID); !slices.Equal(st.Topics, []string{"all", "transport"}) {
		t.Errorf("concert story topics after Retag %q; want [all transport]", st.Topics)
	}
}

// TestTopicsOfALargeStory checks that the text and categories of a story's
// face and first members decide its topics once it has more than
// ingest.StoryText takes, while every member's source counts.
func TestTopicsOfALargeStory(t *testing.T) {
	const n = 24 // members, past the bound of 16
	outlets := make([]aggregator.SourceState, n)
	cfg := &aggregator.Config{Topics: []aggregator.TopicConfig{
		{ID: "transport", Title: "Transport", Match: aggregator.MatchConfig{Any: []string{"ferry"}}},
		{ID: "sport", Title: "Sport", Match: aggregator.MatchConfig{Categories: []string{"Sport"}}},
		{ID: "late", Title: "Late outlet", Sources: []string{"https://outlet-23.test/feed"}},
	}}
	for i := range outlets {
		outlets[i] = src(fmt.Sprintf("https://outlet-%d.test/feed", i))
		cfg.Sources = append(cfg.Sources, aggregator.SourceConfig{URL: outlets[i].URL})
	}
	set, err := topic.Compile(cfg.Topics, cfg.Sources)
	if err != nil {
		t.Fatal(err)
	}
	db := mustOpen(t)
	in := ingest.New(cfg, set)
	const link = "https://wire.test/bridge"
	var ids []string
	for i, s := range outlets {
		it := item(s, fmt.Sprintf("b-%d", i), link, "Harbour bridge reopens", "Traffic flows again.", t0.Add(time.Duration(i)*time.Minute))
		if i >= 16 {
			// What the late members say does not decide the topics.
			it.Summary = "Traffic flows again; the ferry stops."
			it.Categories = []string{"Sport"}
		}
		apply(t, db, in, s, it)
		ids = append(ids, it.ID)
	}
	_, st := stored(t, db, ids[0])
	if len(st.Members) != n {
		t.Fatalf("story has %d members; want %d", len(st.Members), n)
	}
	if want := []string{"all", "late"}; !slices.Equal(st.Topics, want) {
		t.Errorf("topics %q; want %q: the late members' text and categories do not count, their sources do", st.Topics, want)
	}
	var items []aggregator.Item
	for _, id := range ids {
		it, _ := stored(t, db, id)
		items = append(items, it)
	}
	storyText := func(st aggregator.Story) (text aggregator.StoryText) {
		t.Helper()
		err := db.View(t.Context(), func(tx aggregator.Tx) error {
			var err error
			text, err = ingest.StoryText(tx, st, items)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return text
	}
	if got := set.Tag(storyText(st)); !slices.Equal(got, st.Topics) {
		t.Errorf("StoryText of the stored story tags %q; the story has %q", got, st.Topics)
	}
	// A late member as the face counts, with the first others.
	lateFace := st
	lateFace.Face = ids[20]
	if got := set.Tag(storyText(lateFace)); !slices.Equal(got, []string{"all", "transport", "sport", "late"}) {
		t.Errorf("with a late face, StoryText tags %q; want the face's topics too", got)
	}
}

// TestTopicsLeaveOutSourceChrome checks that the lines a source prints
// under every item (a podcast's sponsor message and credits, a channel's
// links under every video) decide no topic, as ingested, as retagged and
// as StoryText gives them, while what an item says of its own still does.
func TestTopicsLeaveOutSourceChrome(t *testing.T) {
	cfg := &aggregator.Config{Topics: []aggregator.TopicConfig{
		{ID: "sponsored", Title: "Sponsored", Match: aggregator.MatchConfig{Any: []string{"sponsor", "affiliate links"}}},
		{ID: "fediverse", Title: "Fediverse", Match: aggregator.MatchConfig{Any: []string{"Mastodon"}}},
		{ID: "inverters", Title: "Inverters", Match: aggregator.MatchConfig{Any: []string{"inverters"}}},
		{ID: "joinery", Title: "Joinery", Match: aggregator.MatchConfig{Any: []string{"dovetails"}}},
	}}
	set, err := topic.Compile(cfg.Topics, nil)
	if err != nil {
		t.Fatal(err)
	}
	db := mustOpen(t)
	in := ingest.New(cfg, set)
	now := time.Date(2025, 4, 9, 0, 0, 0, 0, time.UTC)
	for _, name := range []string{"06-gridcast-podcast.xml", "07-yt-benchfolk.xml"} {
		body, err := os.ReadFile(filepath.Join(nonNewsDir, name))
		if err != nil {
			t.Fatal(err)
		}
		ingestFeed(t, db, in, "https://"+name+".test/feed", name, body, now)
	}
	want := map[string][]string{
		"https://gridcast.test/episodes/118":            {"all", "inverters"},
		"https://gridcast.test/episodes/117":            {"all"},
		"https://gridcast.test/episodes/bonus-2025-04":  {"all"},
		"https://gridcast.test/episodes/bonus-2025-04b": {"all"},
		"https://www.youtube.test/watch?v=Xk3pQ9vLw2A":  {"all", "joinery"},
		"https://www.youtube.test/watch?v=b7TnR0eYq5M":  {"all"},
		"https://www.youtube.test/watch?v=Q2wE9rT1yU0":  {"all"},
		"https://www.youtube.test/watch?v=m5NcV8bX3z1":  {"all"},
	}
	check := func(when string) {
		t.Helper()
		seen := 0
		err := db.View(t.Context(), func(tx aggregator.Tx) error {
			return db.Export(t.Context(), func(it aggregator.Item, st aggregator.Story) error {
				seen++
				if !slices.Equal(st.Topics, want[it.Link]) {
					t.Errorf("%s: %s has topics %q; want %q", when, it.Link, st.Topics, want[it.Link])
				}
				text, err := ingest.StoryText(tx, st, []aggregator.Item{it})
				if err != nil {
					return err
				}
				if got := set.Tag(text); !slices.Equal(got, want[it.Link]) {
					t.Errorf("%s: StoryText of %s tags %q; want %q", when, it.Link, got, want[it.Link])
				}
				return nil
			})
		})
		if err != nil {
			t.Fatal(err)
		}
		if seen != len(want) {
			t.Errorf("%s: %d items stored; want %d", when, seen, len(want))
		}
	}
	check("ingested")
	var ids []string
	err = db.Export(t.Context(), func(it aggregator.Item, st aggregator.Story) error {
		ids = append(ids, st.ID)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(t.Context(), func(tx aggregator.Tx) error {
		_, err := ingest.New(cfg, set).Retag(tx, t0, ids...)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	check("retagged")
}

// TestSameWordsOfTwoAuthors checks that two posts of one source in the
// same words by different authors (two replies of one forum thread) stay
// two stories, while the same words by the same author under another link
// (one article at two addresses), or another source's copy under its own
// author's name, join.
func TestSameWordsOfTwoAuthors(t *testing.T) {
	db := mustOpen(t)
	in := ingest.New(&aggregator.Config{}, nil)
	forum, scraper := src("https://forum.test/feed"), src("https://scraper.test/feed")
	const title, text = "Re: Sync stops after upgrading to 3.2", "<p>Same here on Linux.</p>"
	post := func(s aggregator.SourceState, id, author string, at time.Duration) aggregator.Item {
		it := item(s, id, strings.TrimSuffix(s.URL, "feed")+"p/"+id, title, text, t0.Add(at))
		it.Authors = []string{author}
		return it
	}
	rowan := post(forum, "88214", "rowan_k", 0)
	kit := post(forum, "88216", "kit_w", time.Hour)
	again := post(forum, "88214-amp", "Rowan_K", 2*time.Hour)
	copied := post(scraper, "c1", "admin", 3*time.Hour)
	apply(t, db, in, forum, rowan, kit, again)
	apply(t, db, in, scraper, copied)
	_, a := stored(t, db, rowan.ID)
	_, k := stored(t, db, kit.ID)
	_, g := stored(t, db, again.ID)
	_, c := stored(t, db, copied.ID)
	if a.ID == k.ID {
		t.Errorf("replies of rowan_k and kit_w in the same words are one story; want two")
	}
	if g.ID != a.ID {
		t.Errorf("rowan_k's reply under another link is story %s; want rowan_k's %s", g.ID, a.ID)
	}
	if c.ID != a.ID && c.ID != k.ID {
		t.Errorf("another source's copy is a story of its own; want it joined to a reply")
	}
}

// TestDailyEpisodesUnderOneTitle checks that a show's daily episodes
// under one title and description, told apart by their audio files alone,
// are each stored and each their own story, with links or without, while
// the same episode given twice under two GUIDs is stored once.
func TestDailyEpisodesUnderOneTitle(t *testing.T) {
	body, err := os.ReadFile(filepath.Join(nonNewsDir, "22-stbrendans-audio.xml"))
	if err != nil {
		t.Fatal(err)
	}
	const feedURL = "https://stbrendans.test/audio/feed.xml"
	now := time.Date(2025, 4, 9, 0, 0, 0, 0, time.UTC)
	stories := func(db *store.DB) (items int, ids map[string]bool) {
		ids = map[string]bool{}
		err := db.Export(t.Context(), func(it aggregator.Item, st aggregator.Story) error {
			items++
			ids[st.ID] = true
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return items, ids
	}
	for _, linked := range []bool{false, true} {
		db := mustOpen(t)
		in := ingest.New(&aggregator.Config{}, nil)
		s := aggregator.SourceState{ID: aggregator.SourceID(feedURL), URL: feedURL}
		feed, err := parse.Parse(body, "application/rss+xml", feedURL, s.ID, now, parse.Options{})
		if err != nil {
			t.Fatal(err)
		}
		episodes := 3
		if linked {
			// Two episodes: their lines are not yet the source's chrome,
			// and their words are the same.
			episodes = 2
			feed.Items = feed.Items[:episodes]
			for i := range feed.Items {
				it := &feed.Items[i]
				it.Link = "https://stbrendans.test/audio/" + it.GUID
				it.CanonicalLink, it.Hash = it.Link, it.EditHash()
			}
		}
		again := feed.Items[0]
		again.GUID += "-again"
		again.ID = aggregator.ItemID(s.ID, again.GUID)
		if linked {
			apply(t, db, in, s, feed.Items...)
			apply(t, db, in, s, again)
		} else {
			apply(t, db, in, s, append(feed.Items, again)...)
		}
		if n, ids := stories(db); n != episodes || len(ids) != episodes {
			t.Errorf("linked %v: %d items in %d stories; want %d in %d (one episode given twice under two GUIDs)", linked, n, len(ids), episodes, episodes)
		}
	}
}

// TestVideoPostsUnderOneText checks that an outlet's video posts under
// one title and text, told apart by their video files alone, given in
// Media RSS (one on its own, one in a media:group of two sizes), are each
// their own story.
func TestVideoPostsUnderOneText(t *testing.T) {
	body, err := os.ReadFile(filepath.Join("testdata", "feeds", "media-video-posts.xml"))
	if err != nil {
		t.Fatal(err)
	}
	s := src("https://piercam.example/feed.xml")
	feed, err := parse.Parse(body, "application/rss+xml", s.URL, s.ID, time.Date(2024, 3, 2, 8, 0, 0, 0, time.UTC), parse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	db := mustOpen(t)
	if res := apply(t, db, ingest.New(&aggregator.Config{}, nil), s, feed.Items...); res.New != 2 || res.NewStories != 2 {
		t.Errorf("Apply(two mornings' videos) = %+v; want 2 new items in 2 stories", res)
	}
}

// TestGUIDThatIsTheLink checks that an item whose GUID is its own link is
// filed under it once, as a link (TestExactKeys checks that it is found by
// both).
func TestGUIDThatIsTheLink(t *testing.T) {
	db := mustOpen(t)
	in := ingest.New(&aggregator.Config{}, nil)
	const link = "https://wire.test/a/1"
	a := item(wire, link, link, "Dam bursts upstream", "Water rose quickly.", t0)
	apply(t, db, in, wire, a)
	var ownGUID, ownLink int
	err := db.View(t.Context(), func(tx aggregator.Tx) error {
		g, err := tx.Keys("g:" + link)
		if err != nil {
			return err
		}
		l, err := tx.Keys("l:" + link)
		ownGUID, ownLink = len(g), len(l)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if ownGUID != 0 || ownLink != 1 {
		t.Errorf("refs under the GUID key %d, under the link key %d; want 0 and 1", ownGUID, ownLink)
	}
}

// TestItemByLink checks that the dedup keys find an item by its canonical
// link and by its link when that is its GUID, the first stored of several,
// and that a link items are not filed under (a site's front page) is left
// to a walk of the store.
func TestItemByLink(t *testing.T) {
	db := mustOpen(t)
	in := ingest.New(&aggregator.Config{}, nil)
	a := item(wire, "https://wire.test/guid/7", "https://wire.test/a/7", "Dam bursts upstream", "Water rose quickly.", t0)
	b := item(paper, "p-7", "https://wire.test/a/7", "River floods town", "Homes were evacuated.", t0.Add(time.Hour))
	// Its link is its GUID; its canonical link is another.
	c := item(wire, "https://wire.test/raw/9", "https://wire.test/raw/9", "Ferry stops", "The crossing closed.", t0)
	c.CanonicalLink = "https://wire.test/a/9"
	front := item(paper, "p-8", "https://paper.test/", "Morning briefing", "What to know today.", t0)
	apply(t, db, in, wire, a, c)
	apply(t, db, in, paper, b, front)
	for _, tt := range []struct{ link, want string }{
		{"https://wire.test/a/7", a.ID}, // both carry it: the first stored
		{"https://wire.test/raw/9", c.ID},
		{"https://wire.test/a/9", c.ID},
		{"https://wire.test/guid/7", ""}, // a GUID, not a link
		{"https://paper.test/", ""},
		{"https://wire.test/none", ""},
		{"", ""},
	} {
		var got aggregator.Item
		err := db.View(t.Context(), func(tx aggregator.Tx) error {
			var err error
			got, err = ingest.ItemByLink(tx, tt.link)
			return err
		})
		switch {
		case tt.want == "" && !errors.Is(err, aggregator.ErrNotFound):
			t.Errorf("ItemByLink(%q) = %s, %v; want ErrNotFound", tt.link, got.ID, err)
		case tt.want != "" && (err != nil || got.ID != tt.want):
			t.Errorf("ItemByLink(%q) = %s, %v; want %s", tt.link, got.ID, err, tt.want)
		}
	}
	// The store's walk finds what the keys do not.
	if got, _, err := db.ItemByLink(t.Context(), func(it aggregator.Item) int { return ingest.LinkRank(it, []string{"https://paper.test/"}) }); err != nil || got.ID != front.ID {
		t.Errorf("store ItemByLink(front page) = %s, %v; want %s", got.ID, err, front.ID)
	}
}

// TestNewGUIDEveryFetch checks that an item its source gives a new GUID at
// every fetch, with the same link, or the same but for its query, and the
// same text, is stored once, within the dedup window; while an edit under a
// new GUID, the same text at another link or from another source, and the
// same item long after, are stored.
func TestNewGUIDEveryFetch(t *testing.T) {
	db := mustOpen(t)
	in := ingest.New(&aggregator.Config{}, nil)
	const link = "https://wire.test/a/2"
	text := "Rail strike halts trains in the north"
	body := "Unions called the strike after talks failed on Sunday."
	first := item(wire, "fetch-1", link, text, body, t0)
	apply(t, db, in, wire, first)

	type want struct{ new, unchanged, duplicates int }
	check := func(name string, got ingest.Result, w want) {
		t.Helper()
		if got.New != w.new || got.Unchanged != w.unchanged || got.Duplicates != w.duplicates {
			t.Errorf("%s: %d new, %d unchanged, %d duplicates; want %d, %d, %d",
				name, got.New, got.Unchanged, got.Duplicates, w.new, w.unchanged, w.duplicates)
		}
	}
	// The feed's next fetches: the same item under new GUIDs (and newer
	// dates, as such feeds often give), twice within one of them.
	check("new GUID", apply(t, db, in, wire, item(wire, "fetch-2", link, text, body, t0.Add(time.Hour))), want{0, 1, 0})
	check("two new GUIDs in one fetch", apply(t, db, in, wire,
		item(wire, "fetch-3a", link, text, body, t0.Add(2*time.Hour)),
		item(wire, "fetch-3b", link, text, body, t0.Add(2*time.Hour))), want{0, 2, 0})
	// Some feeds make up the link's query anew at every fetch too (a
	// session, a timestamp that no list of tracking parameters names).
	check("new GUID and a new query in the link", apply(t, db, in, wire, item(wire, "fetch-3c", link+"?sid=8f3a61&ts=1793000000", text, body, t0.Add(2*time.Hour))), want{0, 1, 0})
	check("new GUID and another new query", apply(t, db, in, wire, item(wire, "fetch-3d", link+"?sid=c02e99&ts=1793001800", text, body, t0.Add(3*time.Hour))), want{0, 1, 0})
	_, st := stored(t, db, first.ID)
	if len(st.Members) != 1 {
		t.Errorf("story of the item given new GUIDs has %d members; want 1", len(st.Members))
	}

	// Not the same item: stored, and each joins the story as before.
	check("edited under a new GUID", apply(t, db, in, wire, item(wire, "fetch-4", link, text, body+" Services resume on Monday.", t0.Add(3*time.Hour))), want{1, 0, 1})
	if r := apply(t, db, in, wire, item(wire, "fetch-5", link+"-b", text, body, t0.Add(4*time.Hour))); r.New != 1 {
		t.Errorf("same text at another link: %d new; want it stored", r.New)
	}
	check("same text from another source", apply(t, db, in, paper, item(paper, "paper-1", link, text, body, t0.Add(5*time.Hour))), want{1, 0, 1})
	// Long after, beyond the dedup window, the same text is a new item.
	check("a month later", apply(t, db, in, wire, item(wire, "fetch-6", link, text, body, t0.Add(30*24*time.Hour))), want{1, 0, 0})
}

// TestSameTextOtherQueryListed checks that a page whose query names it
// ("notice.php?id=102"), with the same headline and text as another of its
// source's pages still listed in the same fetch ("?id=101"), is stored: a
// query made up anew at every fetch leaves no page at the old one.
func TestSameTextOtherQueryListed(t *testing.T) {
	db := mustOpen(t)
	in := ingest.New(&aggregator.Config{}, nil)
	const page = "https://wire.test/notice.php?id="
	text := "Planned maintenance of the ticket office systems tonight"
	body := "The ticket office systems will be unavailable from ten until midnight."
	first := item(wire, "notice-101", page+"101", text, body, t0)
	apply(t, db, in, wire, first)
	r := apply(t, db, in, wire, first, item(wire, "notice-102", page+"102", text, body, t0.Add(24*time.Hour)))
	if r.New != 1 || r.Unchanged != 1 {
		t.Errorf("the next notice beside the first, still listed: %d new, %d unchanged; want 1 new, 1 unchanged", r.New, r.Unchanged)
	}
}

// TestStoryTagsBounded: a story that many outlets carry, each with
// categories of its own, takes no more than maxCategoryTags of them, while
// every source's configured tags and its topics stay.
func TestStoryTagsBounded(t *testing.T) {
	db := mustOpen(t)
	cfg := &aggregator.Config{}
	for i := range 40 {
		cfg.Sources = append(cfg.Sources, aggregator.SourceConfig{URL: fmt.Sprintf("https://outlet%d.test/feed", i), Tags: []string{fmt.Sprintf("desk-%d", i)}})
	}
	in := ingest.New(cfg, nil)
	guid := "https://shared.test/story/44"
	var first aggregator.Item
	for i := range 40 {
		s := src(cfg.Sources[i].URL)
		it := item(s, guid, fmt.Sprintf("https://outlet%d.test/44", i), "Harbour bridge reopens", "Traffic crossed again at dawn.", t0.Add(time.Duration(i)*time.Minute))
		for j := range 5 {
			it.Categories = append(it.Categories, fmt.Sprintf("topic %d of outlet %d", j, i))
		}
		if i == 0 {
			first = it
		}
		apply(t, db, in, s, it)
	}
	_, st := stored(t, db, first.ID)
	if len(st.Members) != 40 {
		t.Fatalf("story has %d members; want all 40 reports", len(st.Members))
	}
	categories, desks := 0, 0
	for _, tag := range st.Tags {
		switch {
		case strings.HasPrefix(tag, "topic "):
			categories++
		case strings.HasPrefix(tag, "desk-"):
			desks++
		}
	}
	if categories == 0 || len(st.Tags)-desks > 50 || desks != 40 || !slices.Contains(st.Tags, aggregator.AllTopic) {
		t.Errorf("story tags: %d in all, %d categories, %d sources' tags, all %v; want at most 50 besides the 40 sources' tags, the topic all among them",
			len(st.Tags), categories, desks, slices.Contains(st.Tags, aggregator.AllTopic))
	}
}

// TestTagsOneCase checks that tags differing only in case are one tag also
// beyond ASCII, where a word's lower case may end in another letter (the
// Greek final sigma), and so are tags differing in compatibility forms
// (fullwidth letters) or in spacing.
func TestTagsOneCase(t *testing.T) {
	db := mustOpen(t)
	in := ingest.New(&aggregator.Config{}, nil)
	guid := "https://shared.test/story/43"
	a := item(paper, guid, "https://paper.test/43", "Derby ends level", "Both sides scored late.", t0)
	a.Categories = []string{"ΑΘΛΗΤΙΣΜΟΣ", "World", "New York"}
	b := item(wire, guid, "https://wire.test/43", "Derby draw", "A late goal each.", t0.Add(time.Hour))
	b.Categories = []string{"Αθλητισμος", "ＷＯＲＬＤ", "new  york"}
	apply(t, db, in, paper, a)
	apply(t, db, in, wire, b)
	_, st := stored(t, db, a.ID)
	if want := []string{"New York", "World", "all", "ΑΘΛΗΤΙΣΜΟΣ"}; !slices.Equal(st.Tags, want) {
		t.Errorf("story tags %q; want %q", st.Tags, want)
	}
}

// TestAtomCategoryTermAndLabel checks that a topic's categories match an
// Atom category by its term as well as by its label, which its entries
// show, before and after a retag that reads the stored items, and that the
// story's tags take the label alone.
func TestAtomCategoryTermAndLabel(t *testing.T) {
	body, err := os.ReadFile(filepath.Join("testdata", "feeds", "atom-category-labels.xml"))
	if err != nil {
		t.Fatal(err)
	}
	s := src("https://quayside.example/feed.atom")
	feed, err := parse.Parse(body, "application/atom+xml", s.URL, s.ID, t0.Add(time.Hour), parse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	compile := func(topics ...aggregator.TopicConfig) *ingest.Ingester {
		t.Helper()
		cfg := &aggregator.Config{Topics: topics}
		set, err := topic.Compile(cfg.Topics, cfg.Sources)
		if err != nil {
			t.Fatalf("topic.Compile: %v", err)
		}
		return ingest.New(cfg, set)
	}
	byTerm := aggregator.TopicConfig{ID: "by-term", Title: "By term", Match: aggregator.MatchConfig{Categories: []string{"tech"}}}
	byLabel := aggregator.TopicConfig{ID: "by-label", Title: "By label", Match: aggregator.MatchConfig{Categories: []string{"Technology"}}}
	plain := aggregator.TopicConfig{ID: "plain", Title: "Plain term", Match: aggregator.MatchConfig{Categories: []string{"harbour"}}}
	db := mustOpen(t)
	res := apply(t, db, compile(byTerm, byLabel, plain), s, feed.Items...)
	if want := []string{"all", "by-label", "by-term", "plain"}; !slices.Equal(res.Topics, want) {
		t.Errorf("Apply topics %q; want %q", res.Topics, want)
	}
	id := feed.Items[0].ID
	// The tags are the story's topics and its categories: the labels, and
	// the term of a category without one, not the terms beside labels.
	if _, st := stored(t, db, id); !slices.Equal(st.Tags, []string{"Technology", "all", "by-label", "by-term", "harbour", "plain", "port"}) {
		t.Errorf("story tags %q; want its topics, Technology, harbour and port", st.Tags)
	}
	var changed []string
	err = db.Update(t.Context(), func(tx aggregator.Tx) error {
		var err error
		changed, err = compile(byTerm).Retag(tx, t0, id)
		return err
	})
	if err != nil {
		t.Fatalf("Retag: %v", err)
	}
	if _, st := stored(t, db, id); !slices.Equal(st.Topics, []string{"all", "by-term"}) {
		t.Errorf("story topics after Retag %q (changed %q); want [all by-term]", st.Topics, changed)
	}
}

// movedPair returns the items of one article as a source gives it before
// and after its URL was changed in the config (to https), in the order
// they arrive: the second comes in an hour later and has the lower item
// id, so that only the order they came in tells them apart.
func movedPair() (first, second aggregator.Item, sources map[string]aggregator.SourceState) {
	old, moved := src("http://desk.test/feed"), src("https://desk.test/feed")
	sources = map[string]aggregator.SourceState{old.ID: old, moved.ID: moved}
	guid, link := "https://desk.test/harbour", "https://desk.test/harbour"
	a := item(old, guid, link, "Harbour reopens after the storm", "Ships entered the harbour again on Monday after the storm damaged its outer wall.", t0)
	b := item(moved, guid, link, a.Title, a.Summary, t0)
	if a.ID < b.ID {
		a, b = b, a
	}
	b.FirstSeen = a.FirstSeen.Add(time.Hour)
	return a, b, sources
}

// TestFaceOfIdenticalItems stores an article, then the same article under
// the source's new URL: the story keeps the first as its face, so that its
// entries do not change to show the same article again.
func TestFaceOfIdenticalItems(t *testing.T) {
	db := mustOpen(t)
	in := ingest.New(&aggregator.Config{}, nil)
	first, second, sources := movedPair()
	apply(t, db, in, sources[first.SourceID], first)
	apply(t, db, in, sources[second.SourceID], second)
	_, st := stored(t, db, second.ID)
	if st.ID != first.ID || st.Face != first.ID {
		t.Errorf("story id %s face %s; want %s for both, the item stored first", st.ID, st.Face, first.ID)
	}
}

// TestSameArticleAgainLeavesUpdated stores an article, then the same
// article under the source's new URL, then another outlet's report at its
// own link: the entries list the article once, so its coming in again
// leaves the story's updated date where it was, and the other outlet's
// report, which they list, moves it.
func TestSameArticleAgainLeavesUpdated(t *testing.T) {
	db := mustOpen(t)
	in := ingest.New(&aggregator.Config{}, nil)
	first, second, sources := movedPair()
	apply(t, db, in, sources[first.SourceID], first)
	_, was := stored(t, db, first.ID)
	apply(t, db, in, sources[second.SourceID], second)
	if _, st := stored(t, db, second.ID); st.ID != was.ID || !st.Updated.Equal(was.Updated) {
		t.Errorf("after the same article under the new URL: story %s updated %v; want %s updated %v", st.ID, st.Updated, was.ID, was.Updated)
	}
	other := item(paper, first.GUID, "https://paper.test/harbour", "Harbour open to ships again", "Ships are back in the harbour after the storm.", t0.Add(time.Hour))
	other.FirstSeen = second.FirstSeen.Add(time.Hour)
	apply(t, db, in, paper, other)
	if _, st := stored(t, db, other.ID); st.ID != was.ID || !st.Updated.Equal(other.FirstSeen) {
		t.Errorf("after another outlet's report: story %s updated %v; want %s updated %v", st.ID, st.Updated, was.ID, other.FirstSeen)
	}
}

// TestPlacesInALivePage checks that a link to one place in a live page
// ("…/live#entry-2") names the entry at that place, though the canonical
// link, the key every entry is filed under, drops the fragment: an
// aggregator's headline under that link joins that entry, not the newest,
// and a copy whose credit line names the page joins the entry whose words
// it copies, and an item under the page's link without a place joins
// none of them. A fragment of parameters tracks a click and names no
// place, and a fragment that names the one place its page's items hold
// ("#top") names the page: an item under either is the item under the
// link without it.
func TestPlacesInALivePage(t *testing.T) {
	db := mustOpen(t)
	in := ingest.New(&aggregator.Config{}, nil)
	live := src("https://live.test/feed.xml")
	const page = "https://live.test/politics/live/2025-04-08"
	entry := func(n int, title, text string) aggregator.Item {
		it := item(live, fmt.Sprintf("live-2025-04-08-%d", n), fmt.Sprintf("%s#entry-%d", page, n), title, text, t0.Add(time.Duration(n)*20*time.Minute))
		it.CanonicalLink = parse.CanonicalURL(it.Link)
		return it
	}
	entries := []aggregator.Item{
		entry(1, "Fuel duty frozen for another year",
			"<p>The chancellor confirms that fuel duty stays frozen at 52.95p a litre until April 2026, keeping the 5p cut, at a cost to the Treasury of about £3bn.</p>"),
		entry(2, "Income tax thresholds to rise with inflation from 2026",
			"<p>The personal allowance and the higher-rate threshold, frozen since 2021, will rise with inflation again from April 2026, two years earlier than planned, taking 400,000 people out of income tax.</p>"),
		entry(3, "Opposition calls the statement a patch on a burst pipe",
			"<p>Replying for the opposition, the shadow chancellor says families will still pay more tax next year than last, and asks how the rise in thresholds will be paid for.</p>"),
	}
	apply(t, db, in, live, entries...)
	for i := range entries {
		for j := range i {
			_, a := stored(t, db, entries[i].ID)
			_, b := stored(t, db, entries[j].ID)
			if a.ID == b.ID {
				t.Fatalf("entries %d and %d of the live page are one story; want two", j+1, i+1)
			}
		}
	}

	// An aggregator's headline of the second entry, under its link.
	hub := src("https://hub.test/feed.xml")
	pointer := item(hub, "hub-1", page+"#entry-2", "Tax thresholds unfrozen two years early", "", t0.Add(time.Hour))
	pointer.CanonicalLink = parse.CanonicalURL(pointer.Link)
	// A scraper's copy of the first entry, whose "Source link" names the
	// page: the parser keeps the canonical link, without the fragment.
	scraper := src("https://scraper.test/feed")
	cp := item(scraper, "scraper-1", "https://scraper.test/fuel-duty-frozen/", "Fuel duty frozen again",
		entries[0].Summary, t0.Add(2*time.Hour))
	cp.OriginLinks = []string{parse.CanonicalURL(page + "#entry-1")}
	apply(t, db, in, hub, pointer)
	apply(t, db, in, scraper, cp)
	for _, tt := range []struct {
		name string
		it   aggregator.Item
		want aggregator.Item
	}{
		{"headline under the second entry's link", pointer, entries[1]},
		{"copy naming the page", cp, entries[0]},
	} {
		_, got := stored(t, db, tt.it.ID)
		_, want := stored(t, db, tt.want.ID)
		if got.ID != want.ID {
			t.Errorf("%s: in story %s; want %s, the story of %q", tt.name, got.ID, want.ID, tt.want.Title)
		}
	}

	// An item under the page's link without a place is none of its
	// entries.
	whole := item(hub, "hub-2", page, "Spring statement: what it means for you", "", t0.Add(3*time.Hour))
	whole.CanonicalLink = parse.CanonicalURL(whole.Link)
	if res := apply(t, db, in, hub, whole); res.Duplicates != 0 {
		t.Errorf("item under the live page's link without a place: %d joined; want none", res.Duplicates)
	}

	// An item under a link, and one under the link with a fragment that
	// tracks the click or names the one place its page's items hold (the
	// top of an article), under headlines of other words, in either order.
	for _, tt := range []struct{ first, second string }{
		{"https://wire.test/eco/ferry-line-closes_4412.html#xtor=RSS-3", "https://wire.test/eco/ferry-line-closes_4412.html"},
		{"https://wire.test/world/portmere-quake", "https://wire.test/world/portmere-quake#top"},
		{"https://wire.test/world/kerrow-flood#top", "https://wire.test/world/kerrow-flood"},
	} {
		a := item(wire, "w-"+tt.first, tt.first, "Le port perd sa ligne vers Cork", "<p>La compagnie cessera la liaison le 1er juin.</p>", t0)
		a.CanonicalLink = parse.CanonicalURL(a.Link)
		b := item(paper, "p-"+tt.second, tt.second, "Ferry company to drop Cork crossing", "", t0.Add(time.Hour))
		b.CanonicalLink = parse.CanonicalURL(b.Link)
		apply(t, db, in, wire, a)
		if res := apply(t, db, in, paper, b); res.Duplicates != 1 {
			t.Errorf("item under %s, then one under %s: %d joined; want 1", tt.first, tt.second, res.Duplicates)
		}
	}
}

// TestLivePageEntriesAfterThePage checks that the entries a live page
// adds after an item under the page's own link (a hub's headline of the
// whole page) stay apart: the page's item, which names no place, stands
// for one entry only while the page's items hold no other place, and
// otherwise each later entry joined it, and through it the entry before.
func TestLivePageEntriesAfterThePage(t *testing.T) {
	db := mustOpen(t)
	in := ingest.New(&aggregator.Config{}, nil)
	live := src("https://live.test/feed.xml")
	const page = "https://live.test/weather/live/2025-11-02"
	entry := func(n int, title, text string) aggregator.Item {
		it := item(live, fmt.Sprintf("storm-%d", n), fmt.Sprintf("%s#post-%d", page, n), title, text, t0.Add(time.Duration(n)*15*time.Minute))
		it.CanonicalLink = parse.CanonicalURL(it.Link)
		return it
	}
	apply(t, db, in, live,
		entry(1, "Red warning issued for the west coast",
			"<p>Forecasters issue a red warning for gusts of up to 140 km/h along the west coast from six this evening.</p>"),
		entry(2, "Ferries cancelled until Monday",
			"<p>Every crossing to the islands is cancelled until Monday morning, the operator says, and refunds are offered.</p>"))
	hub := src("https://hub.test/feed.xml")
	whole := item(hub, "hub-storm", page, "Storm Elin: live updates", "", t0.Add(time.Hour))
	whole.CanonicalLink = parse.CanonicalURL(whole.Link)
	apply(t, db, in, hub, whole)
	later := []aggregator.Item{
		entry(5, "Power cut to 20,000 homes",
			"<p>The grid operator says 20,000 homes in three counties have lost power and crews will work through the night.</p>"),
		entry(6, "Schools to stay shut tomorrow",
			"<p>The education authority closes every school in the warning area for Thursday, citing fallen trees on roads.</p>"),
	}
	for _, e := range later {
		apply(t, db, in, live, e)
	}
	_, a := stored(t, db, later[0].ID)
	_, b := stored(t, db, later[1].ID)
	if a.ID == b.ID {
		t.Errorf("entries %s and %s of the live page, after an item under the page's link, are one story %s; want two", later[0].Link, later[1].Link, a.ID)
	}
	_, w := stored(t, db, whole.ID)
	if a.ID == w.ID {
		t.Errorf("entry %s joined the item under the page's link (story %s); want a story of its own", later[0].Link, w.ID)
	}
}

// TestHiddenCharactersInWords checks that a copy of a report whose site
// wrote hyphenation hints into its words (soft hyphens, or zero-width
// spaces) joins the report, and that a Persian report written with the
// zero-width non-joiner inside its words joins a copy written without it.
func TestHiddenCharactersInWords(t *testing.T) {
	title := "Parliament approves contested reservoir expansion"
	body := "The regional parliament approved the contested reservoir expansion on Thursday evening after eleven hours of debate. " +
		"Opponents warned that flooding the northern valley would displace farming communities and destroy wetlands sheltering migrating cranes."
	hinted := func(s, hint string) string {
		var b strings.Builder
		for i, w := range strings.Split(s, " ") {
			if i > 0 {
				b.WriteByte(' ')
			}
			if len(w) >= 7 {
				w = w[:3] + hint + w[3:6] + hint + w[6:]
			}
			b.WriteString(w)
		}
		return b.String()
	}
	persian := "دولت می\u200cخواهد قیمت نان را ثابت نگه دارد"
	persianBody := "وزیر اقتصاد گفت که دولت می\u200cخواهد قیمت نان و شیر را تا پایان سال ثابت نگه دارد و نانوایی\u200cها یارانه می\u200cگیرند."
	tests := []struct {
		name                  string
		title, body, cpT, cpB string
	}{
		{"soft hyphens", title, body, hinted(title, "\u00ad"), hinted(body, "\u00ad")},
		{"zero-width spaces", title, body, hinted(title, "\u200b"), hinted(body, "\u200b")},
		{"zero-width non-joiners", persian, persianBody,
			strings.ReplaceAll(persian, "\u200c", ""), strings.ReplaceAll(persianBody, "\u200c", "")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			orig := item(wire, "w-1", "https://wire.test/a/1", tt.title, tt.body, t0)
			cp := item(paper, "p-1", "https://paper.test/b/1", tt.cpT, tt.cpB, t0.Add(time.Hour))
			db := mustOpen(t)
			in := ingest.New(&aggregator.Config{}, nil)
			apply(t, db, in, wire, orig)
			apply(t, db, in, paper, cp)
			_, a := stored(t, db, orig.ID)
			_, b := stored(t, db, cp.ID)
			if a.ID != b.ID {
				t.Errorf("copy %q is a story of its own; want it in the story of %q", tt.cpT, tt.title)
			}
		})
	}
}
