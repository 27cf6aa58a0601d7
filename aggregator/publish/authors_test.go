package publish_test

import (
	"bytes"
	"encoding/xml"
	"net/mail"
	"testing"
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
