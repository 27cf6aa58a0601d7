package poller_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"path"
	"strings"
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/feedtest"
)

// TestHiddenTextStaysHidden polls a newspaper's report of a lighthouse
// museum beside three shops, in RSS, Atom and JSON Feed, whose items hide
// "lighthouse" and the report's whole text from their pages' readers (in
// elements with display:none or visibility:hidden, the hidden attribute,
// a <template>), to enter a topic on lighthouses and to join the report's
// story. Only the report is in the topic, and it stays a story of its own,
// its face; no format of any topic shows a shop's hidden words, which the
// sanitiser would otherwise have shown once it dropped the styles and
// attributes that hid them. A shop's visible text, and text hidden until a
// reader's search finds it (hidden="until-found"), are kept.
func TestHiddenTextStaysHidden(t *testing.T) {
	get := pollAndServe(t, `topics:
  - id: lighthouses
    title: Lighthouses
    match:
      any: ["lighthouse"]
`, "hidden/honest.rss", "hidden/stuffed.rss", "hidden/stuffed.atom", "hidden/stuffed.json")
	shops := []string{"Autumn sale on garden furniture", "New phone cases in stock", "Five things to check in your travel insurance"}
	for _, format := range []string{"atom", "rss", "json"} {
		lh := get("/topics/lighthouses." + format)
		if !strings.Contains(lh, "Gull Point") {
			t.Errorf("lighthouses.%s lacks the report of the lighthouse museum:\n%s", format, lh)
		}
		for _, shop := range shops {
			if strings.Contains(lh, shop) {
				t.Errorf("lighthouses.%s holds %q, whose lighthouse is hidden from its readers:\n%s", format, shop, lh)
			}
		}
		all := get("/topics/all." + format)
		for _, shop := range shops {
			if !strings.Contains(all, shop) {
				t.Errorf("all.%s lacks %q:\n%s", format, shop, all)
			}
		}
		// Each shop's entry keeps what its readers see.
		for _, visible := range []string{"forty percent off until Sunday", "Delivery is free on orders over fifty pounds",
			"Leather and silicone cases", "Open daily from nine", "Read the small print", "Keep a copy of the policy"} {
			if !strings.Contains(all, visible) {
				t.Errorf("all.%s lacks the visible text %q:\n%s", format, visible, all)
			}
		}
		for _, stuffed := range []string{"lighthouse lighthouse", "lighthouse museum", "museum keeper"} {
			if strings.Contains(all, stuffed) {
				t.Errorf("all.%s shows the hidden words %q:\n%s", format, stuffed, all)
			}
		}
		if n := strings.Count(all, "district council voted"); n != 1 {
			t.Errorf("all.%s shows the report's text %d times; want once, in its own entry:\n%s", format, n, all)
		}
		if strings.Contains(all, "Also reported by") {
			t.Errorf("all.%s lists a story with another source: a shop's hidden copy of the report joined it:\n%s", format, all)
		}
	}
}

// TestNoOverridesInEntries polls three sources whose items' text, in RSS,
// Atom and JSON Feed, names an attachment with U+202E before its reversed
// extension ("statement-\u202Efdp.exe" reads "statement-exe.pdf"): no
// format publishes the override, as no title keeps one, and the letters
// read in their order.
func TestNoOverridesInEntries(t *testing.T) {
	get := pollAndServe(t, "", "hidden/overrides.rss", "hidden/overrides.atom", "hidden/overrides.json")
	for _, format := range []string{"atom", "rss", "json"} {
		all := get("/topics/all." + format)
		for _, text := range []string{"statement-fdp.exe", "label-gpj.exe", "prize-gnp.scr"} {
			if !strings.Contains(all, text) {
				t.Errorf("all.%s lacks %q, as its letters stand:\n%s", format, text, all)
			}
		}
		for _, override := range []string{"\u202e", "\u202d", "&#x202E;", "&#8238;", `\u202e`} {
			if strings.Contains(strings.ToLower(all), strings.ToLower(override)) {
				t.Errorf("all.%s holds the override %+q:\n%s", format, override, all)
			}
		}
	}
}

// pollAndServe polls once, an hour after noon of 2 November 2026, a source
// for each fixture, served from a loopback origin, under the topics given
// as YAML, into a store in a temporary folder, and returns a function that
// gets a path from the publisher.
func pollAndServe(t *testing.T, topics string, fixtures ...string) func(path string) string {
	t.Helper()
	clk := feedtest.NewClock(time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC))
	o := feedtest.NewOrigin(t)
	var b strings.Builder
	b.WriteString("poll:\n  timeout: 2s\n  allow_private: true\nstorage:\n  retention: 0\nsources:\n")
	for _, f := range fixtures {
		kind := map[string]string{".rss": "application/rss+xml", ".atom": "application/atom+xml", ".json": "application/feed+json"}[path.Ext(f)]
		o.Feed("/"+f, kind, fixture(t, f))
		fmt.Fprintf(&b, "  - url: %q\n", o.URL("/"+f))
	}
	b.WriteString(topics)
	cfg, err := aggregator.Load(strings.NewReader(b.String()), "test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	p, pub, db := pollerWithPublisher(t, cfg, clk)
	clk.Add(time.Hour)
	p.PollAll(t.Context(), nil)
	for _, f := range fixtures {
		if st := state(t, db, o.URL("/"+f)); st.LastError != "" {
			t.Fatalf("%s: %s", f, st.LastError)
		}
	}
	return func(path string) string {
		t.Helper()
		rec := httptest.NewRecorder()
		pub.Handler(nil).ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		if rec.Code != http.StatusOK {
			t.Fatalf("GET %s: %d", path, rec.Code)
		}
		return rec.Body.String()
	}
}
