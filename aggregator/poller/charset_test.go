package poller_test

import (
	"slices"
	"testing"
	"time"

	"golang.org/x/text/encoding/korean"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/feedtest"
	"github.com/tributary-feeds/tributary/store"
)

// TestCharsetReadAsNoText polls feeds whose servers label them with a
// charset that the web reads as no text at all (ISO-2022-KR, HZ-GB-2312,
// which browsers decode to one replacement character): each is read from
// its bytes, as one with an unknown label is, and its items stored,
// where the whole feed was lost as "not a feed". A declaration beside
// such a label that the bytes are in is taken.
func TestCharsetReadAsNoText(t *testing.T) {
	rss := func(decl, title string) []byte {
		return []byte(`<?xml version="1.0"` + decl + `?><rss version="2.0"><channel><title>Harbour Gazette</title>
<link>http://gazette.example/</link><item><title>` + title + `</title><link>http://gazette.example/news/1</link>
<guid>gazette-1</guid><description>The ferry runs again from Monday.</description></item></channel></rss>`)
	}
	eucKR, err := korean.EUCKR.NewEncoder().Bytes(rss(` encoding="EUC-KR"`, "한강 유람선 운항 재개"))
	if err != nil {
		t.Fatal(err)
	}
	o := feedtest.NewOrigin(t)
	o.Feed("/http-label.rss", "application/rss+xml; charset=iso-2022-kr", rss("", "Ferry service resumes"))
	o.Feed("/declared.rss", "application/rss+xml", rss(` encoding="HZ-GB-2312"`, "Ferry service resumes"))
	o.Feed("/korean.rss", "text/xml; charset=csISO2022KR", eucKR)
	urls := []string{o.URL("/http-label.rss"), o.URL("/declared.rss"), o.URL("/korean.rss")}
	db := mustOpen(t)
	p := newPoller(t, config(t, "", urls...), db, feedtest.NewClock(time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC)).Now)
	p.PollAll(t.Context(), nil)
	for _, u := range urls {
		if st := state(t, db, u); st.LastError != "" || st.Items != 1 {
			t.Errorf("%s: error %q, %d items; want its one item read", u, st.LastError, st.Items)
		}
	}
	titles := storedTexts(t, db, false)
	slices.Sort(titles)
	if want := []string{"Ferry service resumes", "Ferry service resumes", "한강 유람선 운항 재개"}; !slices.Equal(titles, want) {
		t.Errorf("stored titles %q; want %q", titles, want)
	}
}

// TestByteOrderMarkOverLatin1 polls a feed whose server writes a UTF-8
// byte-order mark before a document in ISO-8859-1, as a template saved
// with one does around text from a database in Latin-1: the feed's
// letters beyond ASCII are read as its declaration says, where each was
// stored as U+FFFD.
func TestByteOrderMarkOverLatin1(t *testing.T) {
	doc := "\xef\xbb\xbf<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss version=\"2.0\"><channel><title>Caf\xe9 du Port</title>" +
		"<link>http://cafe.example/</link><item><title>Cr\xe8me br\xfbl\xe9e returns to the menu</title><link>http://cafe.example/menu/creme</link>" +
		"<guid>cafe-1</guid><description>From Monday, the caf\xe9 serves its cr\xe8me br\xfbl\xe9e again.</description></item></channel></rss>"
	o := feedtest.NewOrigin(t)
	o.Feed("/cafe.rss", "application/rss+xml; charset=iso-8859-1", []byte(doc))
	db := mustOpen(t)
	p := newPoller(t, config(t, "", o.URL("/cafe.rss")), db, feedtest.NewClock(time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC)).Now)
	p.PollAll(t.Context(), nil)
	if st := state(t, db, o.URL("/cafe.rss")); st.LastError != "" || st.Title != "Café du Port" {
		t.Errorf("source: error %q, title %q; want %q read", st.LastError, st.Title, "Café du Port")
	}
	got := storedTexts(t, db, true)
	if want := []string{"Crème brûlée returns to the menu", "From Monday, the café serves its crème brûlée again."}; !slices.Equal(got, want) {
		t.Errorf("stored %q; want %q", got, want)
	}
}

// TestByteOrderMarkOverCutCharacter polls a feed in UTF-8 that its server
// writes with a byte-order mark, and in which one summary was cut short
// inside a character ("…" is three bytes, of which two were kept), as a
// site that cuts summaries at a number of bytes does. The feed is read as
// UTF-8, the two bytes of the cut character read as Windows-1252 as any
// few bytes that are not UTF-8 are: its dash and apostrophe stay as they
// are, where those two bytes made the whole feed read as Windows-1252 and
// each of its letters beyond ASCII was stored garbled ("â€”").
func TestByteOrderMarkOverCutCharacter(t *testing.T) {
	doc := "\xef\xbb\xbf<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel><title>Harbour Gazette</title>" +
		"<link>http://gazette.example/</link>" +
		"<item><title>Harbour reopens — ferries return</title><link>http://gazette.example/news/1</link>" +
		"<guid>gazette-1</guid><description>The harbour master says it’s safe again.</description></item>" +
		"<item><title>Storm warning for the coast</title><link>http://gazette.example/news/2</link>" +
		"<guid>gazette-2</guid><description>Gales are expected from Tuesday \xe2\x80</description></item></channel></rss>"
	o := feedtest.NewOrigin(t)
	o.Feed("/gazette.rss", "application/rss+xml", []byte(doc))
	db := mustOpen(t)
	p := newPoller(t, config(t, "", o.URL("/gazette.rss")), db, feedtest.NewClock(time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC)).Now)
	p.PollAll(t.Context(), nil)
	if st := state(t, db, o.URL("/gazette.rss")); st.LastError != "" || st.Items != 2 {
		t.Fatalf("source: error %q, %d items; want its two items read", st.LastError, st.Items)
	}
	got := storedTexts(t, db, true)
	for _, want := range []string{"Harbour reopens — ferries return", "The harbour master says it’s safe again.", "Storm warning for the coast"} {
		if !slices.Contains(got, want) {
			t.Errorf("stored %q; want %q among them", got, want)
		}
	}
}

// storedTexts returns the title of every stored item, each followed by its
// summary when summaries is set, in the store's export order.
func storedTexts(t *testing.T, db *store.DB, summaries bool) []string {
	t.Helper()
	var out []string
	if err := db.Export(t.Context(), func(it aggregator.Item, _ aggregator.Story) error {
		out = append(out, it.Title)
		if summaries {
			out = append(out, it.Summary)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}
