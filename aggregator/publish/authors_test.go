package publish_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"net/mail"
	"slices"
	"testing"
	"time"
)

// TestAtomEmailIsAnASCIIAddrSpec polls a feed whose items' authors are
// e-mail addresses, with a domain in Unicode, a local part outside ASCII,
// a domain of one label and one in capitals, and reads the published Atom
// feed: <email> holds an addr-spec in ASCII (RFC 4287, section 3.2.3), the
// domain in its IDNA form, or nothing when the address has none, and
// <name> never an address.
func TestAtomEmailIsAnASCIIAddrSpec(t *testing.T) {
	d, _ := pollFixture(t, "authors.rss", "/courier.rss")

	var feed struct {
		Entries []struct {
			Title   string `xml:"title"`
			Authors []struct {
				Name  string `xml:"name"`
				Email string `xml:"email"`
			} `xml:"author"`
		} `xml:"entry"`
	}
	body := d.feed(t, "/topics/all.atom")
	if err := xml.NewDecoder(bytes.NewReader(body)).Decode(&feed); err != nil {
		t.Fatalf("reading all.atom: %v", err)
	}
	type person struct{ name, email string }
	want := map[string]person{
		"Book fair opens in the old town":     {"Lakeside Courier", "desk@xn--bcher-kva.example"},
		"Night trains return to the lake":     {"Lakeside Courier", ""},
		"Harbour wall repaired before winter": {"Lakeside Courier", ""},
		"Ferry fares stay the same next year": {"Lakeside Courier", "Fares.Desk@Courier.example"},
	}
	for _, e := range feed.Entries {
		w, ok := want[e.Title]
		if !ok {
			t.Errorf("unexpected entry %q", e.Title)
			continue
		}
		delete(want, e.Title)
		if len(e.Authors) != 1 {
			t.Errorf("entry %q has %d authors; want 1", e.Title, len(e.Authors))
			continue
		}
		a := e.Authors[0]
		if a.Name != w.name || a.Email != w.email {
			t.Errorf("entry %q: author name %q email %q; want %q, %q", e.Title, a.Name, a.Email, w.name, w.email)
		}
		if a.Email != "" {
			if addr, err := mail.ParseAddress(a.Email); err != nil || addr.Address != a.Email || !isASCIIText(a.Email) {
				t.Errorf("entry %q: email %q is not an addr-spec in ASCII", e.Title, a.Email)
			}
		}
		if _, err := mail.ParseAddress(a.Name); err == nil {
			t.Errorf("entry %q: author name %q is an address", e.Title, a.Name)
		}
	}
	for title := range want {
		t.Errorf("no entry %q in all.atom:\n%s", title, body)
	}
}

func isASCIIText(s string) bool {
	for i := range len(s) {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// TestAuthorAddressIsNoName publishes a story whose authors a source gave
// as e-mail addresses, with a name in either of RSS's and e-mail's forms,
// bare, with a domain in Unicode, and as stores of earlier versions hold
// them ("Sea Desk (sea@…)", "Desk, Harbour <harbour@…>", which net/mail
// refuses): every format names each by its name,
// else by the source, where readers show the author's name (RSS's
// dc:creator, JSON Feed's name, Atom's <name>), and JSON Feed gives the
// address as the author's mailto: URL, in ASCII, as Atom gives it in
// <email>.
func TestAuthorAddressIsNoName(t *testing.T) {
	f := newFixture(t)
	putStories(t, f.db, storySpec{
		at: t0.Add(8 * time.Hour), topics: []string{"all"},
		items: []itemSpec{{src: srcAlpha, guid: "mail-1", title: "Ferry fares", link: "https://alpha.example/fares", content: "<p>Fares.</p>",
			authors: []string{"desk@alpha.example (Night Desk)", "Zoë Müller", "wire@alpha.example", "Wire Desk <wire@bücher.example>",
				"Sea Desk (sea@alpha.example)", "Desk, Harbour <harbour@alpha.example>"}}},
	})
	f.pub.Changed("all")
	wantNames := []string{"Night Desk", "Zoë Müller", "Alpha News", "Wire Desk", "Sea Desk", "Desk, Harbour"}
	wantURLs := []string{"mailto:desk@alpha.example", "", "mailto:wire@alpha.example", "mailto:wire@xn--bcher-kva.example",
		"mailto:sea@alpha.example", "mailto:harbour@alpha.example"}

	_, rss := f.get(t, "/topics/all.rss")
	if got := checkRSS(t, "all.rss", rss).Channel.Items[0].Creators; !slices.Equal(got, wantNames) {
		t.Errorf("all.rss item 0 dc:creator %q; want %q", got, wantNames)
	}
	_, atom := f.get(t, "/topics/all.atom")
	var gotNames []string
	for _, a := range checkAtom(t, "all.atom", atom).Entries[0].Authors {
		gotNames = append(gotNames, a.Name)
	}
	if !slices.Equal(gotNames, wantNames) {
		t.Errorf("all.atom entry 0 authors %q; want %q", gotNames, wantNames)
	}
	_, js := f.get(t, "/topics/all.json")
	var doc struct {
		Items []struct {
			Authors []struct{ Name, URL string } `json:"authors"`
			Author  struct{ Name, URL string }   `json:"author"`
		} `json:"items"`
	}
	if err := json.Unmarshal(js, &doc); err != nil || len(doc.Items) == 0 {
		t.Fatalf("all.json: %v", err)
	}
	var gotURLs []string
	gotNames = nil
	for _, a := range doc.Items[0].Authors {
		gotNames, gotURLs = append(gotNames, a.Name), append(gotURLs, a.URL)
	}
	if !slices.Equal(gotNames, wantNames) || !slices.Equal(gotURLs, wantURLs) || doc.Items[0].Author.Name != wantNames[0] {
		t.Errorf("all.json item 0 authors %q with URLs %q, author %q; want %q with %q", gotNames, gotURLs, doc.Items[0].Author.Name, wantNames, wantURLs)
	}
}

// TestAuthorsOncePerName polls an Atom feed whose entry names two authors
// by their addresses alone and a third by a name: the two are published
// under the source's name, once, and every format lists the same authors
// (RSS's dc:creator, Atom's <author>, JSON Feed's authors), where Atom and
// JSON Feed named the source twice.
func TestAuthorsOncePerName(t *testing.T) {
	d, _ := pollFixture(t, "addresses.atom", "/marsh.atom")
	want := []string{"Marsh Gazette", "Ilse Brandt"}

	var rss rssDoc
	if err := xml.Unmarshal(d.feed(t, "/topics/all.rss"), &rss); err != nil || len(rss.Channel.Items) == 0 {
		t.Fatalf("all.rss: %v", err)
	}
	if got := rss.Channel.Items[0].Creators; !slices.Equal(got, want) {
		t.Errorf("all.rss item 0 dc:creator %q; want %q", got, want)
	}
	var atom atomDoc
	if err := xml.Unmarshal(d.feed(t, "/topics/all.atom"), &atom); err != nil || len(atom.Entries) == 0 {
		t.Fatalf("all.atom: %v", err)
	}
	var names []string
	for _, a := range atom.Entries[0].Authors {
		names = append(names, a.Name)
	}
	if !slices.Equal(names, want) {
		t.Errorf("all.atom entry 0 authors %q; want %q", names, want)
	}
	var doc struct {
		Items []struct {
			Authors []struct{ Name, URL string } `json:"authors"`
		} `json:"items"`
	}
	if err := json.Unmarshal(d.feed(t, "/topics/all.json"), &doc); err != nil || len(doc.Items) == 0 {
		t.Fatalf("all.json: %v", err)
	}
	names = nil
	var urls []string
	for _, a := range doc.Items[0].Authors {
		names, urls = append(names, a.Name), append(urls, a.URL)
	}
	if wantURLs := []string{"mailto:tides@marsh.example", ""}; !slices.Equal(names, want) || !slices.Equal(urls, wantURLs) {
		t.Errorf("all.json item 0 authors %q with URLs %q; want %q with %q", names, urls, want, wantURLs)
	}
}
