package poller_test

import (
	"cmp"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator/feedtest"
)

// TestEntriesInTheirSourcesLanguages polls sources in English, Arabic,
// Persian and German, whose feeds declare their languages the ways RSS,
// Atom and JSON Feed do (a JSON Feed item declaring its own), into one
// topic published in English: each entry of another language than the
// topic's says its own, in Atom (xml:lang) and JSON Feed (language), and
// the topic's web page marks each title with its own language. RSS has no
// place for an item's language: its channel keeps the topic's.
func TestEntriesInTheirSourcesLanguages(t *testing.T) {
	clk := feedtest.NewClock(time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC))
	o := feedtest.NewOrigin(t)
	o.Feed("/en.rss", "application/rss+xml", fixture(t, "languages/en.rss"))
	o.Feed("/ar.rss", "application/rss+xml", fixture(t, "languages/ar.rss"))
	o.Feed("/fa.atom", "application/atom+xml", fixture(t, "languages/fa.atom"))
	o.Feed("/mixed.json", "application/feed+json", fixture(t, "languages/mixed.json"))
	cfg := config(t, "", o.URL("/en.rss"), o.URL("/ar.rss"), o.URL("/fa.atom"), o.URL("/mixed.json"))
	cfg.Publish.Language = "en"
	p, pub, _ := pollerWithPublisher(t, cfg, clk)
	clk.Add(time.Hour)
	p.PollAll(t.Context(), nil)

	get := func(path string) string {
		t.Helper()
		rec := httptest.NewRecorder()
		pub.Handler(nil).ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		if rec.Code != http.StatusOK {
			t.Fatalf("GET %s: %d", path, rec.Code)
		}
		return rec.Body.String()
	}
	// The language each entry should say it is in; "" for the topic's.
	want := map[string]string{
		"Harbour ferry fares rise in January":  "en-GB",
		"افتتاح جسر جديد فوق النهر":            "ar",
		"کتابخانه مرکزی شهر بازگشایی شد":       "fa",
		"Talchor gewinnt Landespreis":          "de",
		"Valley trail reopens after landslide": "",
	}

	var atom struct {
		Lang    string `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
		Entries []struct {
			Lang  string `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
			Title string `xml:"title"`
		} `xml:"entry"`
	}
	if err := xml.Unmarshal([]byte(get("/topics/all.atom")), &atom); err != nil {
		t.Fatalf("Atom feed: %v", err)
	}
	if atom.Lang != "en" || len(atom.Entries) != len(want) {
		t.Fatalf("Atom feed in %q with %d entries; want en and %d", atom.Lang, len(atom.Entries), len(want))
	}
	for _, e := range atom.Entries {
		if l, ok := want[e.Title]; !ok || e.Lang != l {
			t.Errorf("Atom entry %q has xml:lang %q; want %q", e.Title, e.Lang, l)
		}
	}

	var jf struct {
		Language string `json:"language"`
		Items    []struct {
			Title    string `json:"title"`
			Language string `json:"language"`
		} `json:"items"`
	}
	if err := json.Unmarshal([]byte(get("/topics/all.json")), &jf); err != nil {
		t.Fatalf("JSON Feed: %v", err)
	}
	if jf.Language != "en" || len(jf.Items) != len(want) {
		t.Fatalf("JSON Feed in %q with %d items; want en and %d", jf.Language, len(jf.Items), len(want))
	}
	for _, it := range jf.Items {
		if l, ok := want[it.Title]; !ok || it.Language != l {
			t.Errorf("JSON Feed item %q has language %q; want %q", it.Title, it.Language, l)
		}
	}

	if rss := get("/topics/all.rss"); !strings.Contains(rss, "<language>en</language>") || strings.Count(rss, "<language>") != 1 {
		t.Errorf("RSS feed declares its language other than once, as en:\n%s", rss)
	}

	page := get("/topics/all")
	for title, l := range want {
		l = cmp.Or(l, "en")
		if !regexp.MustCompile(`<bdi lang="` + regexp.QuoteMeta(l) + `">` + regexp.QuoteMeta(title) + `</bdi>`).MatchString(page) {
			t.Errorf("topic page does not mark %q as %s:\n%s", title, l, page)
		}
	}
}
