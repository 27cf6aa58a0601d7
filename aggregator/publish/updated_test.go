package publish_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
)

// TestEntryUpdatedWhenItShowsMore follows one story's Atom entry through
// joins and edits: its updated date moves when what the entry shows
// changes (another source listed, the title a source is listed with, the
// face's text), and neither it nor the document moves when a source
// listed already gives the story again or edits a text the entry does not
// show: readers show an entry whose updated date moved as new again.
func TestEntryUpdatedWhenItShowsMore(t *testing.T) {
	l := newLive(t, liveTopics(0))
	text := "Residents of Grindavik were evacuated as lava flowed from a fissure north of the town, the civil protection agency said on Monday evening."
	entry := func() (string, []byte) {
		t.Helper()
		_, body := l.fetch(t, "/topics/all.atom", nil)
		var doc struct {
			Entries []struct {
				Updated string `xml:"updated"`
			} `xml:"entry"`
		}
		if err := xml.Unmarshal(body, &doc); err != nil {
			t.Fatal(err)
		}
		if len(doc.Entries) != 1 {
			t.Fatalf("%d entries; want 1:\n%s", len(doc.Entries), body)
		}
		return doc.Entries[0].Updated, body
	}
	edited := func(it aggregator.Item, title, summary string) aggregator.Item {
		it.Title, it.Summary, it.Hash = title, summary, title+"\x00"+summary
		return it
	}

	l.advance(time.Hour)
	face := newsItem(liveWire, "volcano", "Volcano erupts near Grindavik", text, t0)
	l.fetched(t, liveWire, face)
	first, _ := entry()

	l.advance(time.Hour)
	copied := newsItem(livePaper, "lava", "Volcano erupts near Grindavik", text, t0.Add(30*time.Minute))
	l.fetched(t, livePaper, copied)
	listed, body := entry()
	if listed == first {
		t.Errorf("a second source listed: entry updated %s; want it moved", listed)
	}

	steps := []struct {
		what  string
		src   aggregator.SourceState
		item  aggregator.Item
		moves bool
	}{
		{"the listed source edits its text", livePaper, edited(copied, copied.Title, text[:len(text)-1]+"!"), false},
		{"the face's source gives it again under another link", liveWire, newsItem(liveWire, "volcano-again", "Volcano erupts near Grindavik", text, t0.Add(2*time.Hour)), false},
		{"the listed source edits its title", livePaper, edited(copied, "Volcano erupts near Grindavik, lava nears town", text[:len(text)-1]+"!"), true},
		{"the face's text is edited", liveWire, edited(face, face.Title, text+" Roads were closed."), true},
	}
	was, wasBody := listed, body
	for _, st := range steps {
		l.advance(time.Hour)
		if res := l.fetched(t, st.src, st.item); res.New+res.Updated != 1 {
			t.Fatalf("%s: %+v; want one item stored", st.what, res)
		}
		now, body := entry()
		switch {
		case st.moves && now == was:
			t.Errorf("%s: entry updated stayed %s; want it moved", st.what, now)
		case !st.moves && now != was:
			t.Errorf("%s: entry updated moved from %s to %s; want it kept", st.what, was, now)
		case !st.moves && !bytes.Equal(body, wasBody):
			t.Errorf("%s: the document changed:\n%s\nwas:\n%s", st.what, body, wasBody)
		}
		was, wasBody = now, body
	}
}

// TestDatesInWholeSeconds checks that a story first seen at a fraction of
// a second (as undated items are) is dated in whole seconds in JSON Feed
// as in Atom, where JSON Feed wrote the second's nine digits and one
// entry's dates differed between its formats.
func TestDatesInWholeSeconds(t *testing.T) {
	l := newLive(t, liveTopics(0))
	l.advance(time.Hour + 250*time.Millisecond)
	it := newsItem(liveWire, "undated", "Ferry timetable for the winter", "The winter ferry timetable starts on Monday.", l.clock())
	it.Dated = false
	l.fetched(t, liveWire, it)

	_, atom := l.fetch(t, "/topics/all.atom", nil)
	var a struct {
		Entries []struct {
			Published string `xml:"published"`
			Updated   string `xml:"updated"`
		} `xml:"entry"`
	}
	if err := xml.Unmarshal(atom, &a); err != nil || len(a.Entries) != 1 {
		t.Fatalf("atom: %v, %d entries; want 1", err, len(a.Entries))
	}
	_, body := l.fetch(t, "/topics/all.json", nil)
	var j struct {
		Items []struct {
			Published string `json:"date_published"`
			Modified  string `json:"date_modified"`
		} `json:"items"`
	}
	if err := json.Unmarshal(body, &j); err != nil || len(j.Items) != 1 {
		t.Fatalf("json: %v, %d items; want 1", err, len(j.Items))
	}
	want := t0.Add(time.Hour).Format(time.RFC3339)
	for _, got := range []struct{ what, date string }{
		{"atom published", a.Entries[0].Published}, {"atom updated", a.Entries[0].Updated},
		{"json date_published", j.Items[0].Published}, {"json date_modified", j.Items[0].Modified},
	} {
		if got.date != want {
			t.Errorf("%s = %s; want %s", got.what, got.date, want)
		}
	}
}
