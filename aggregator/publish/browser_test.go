package publish_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/publish"
)

// chromiumPath is where Debian's chromium package installs the browser.
const chromiumPath = "/usr/bin/chromium"

// demoNow is the clock of the browser test and of the screenshot.
var demoNow = time.Date(2025, 5, 14, 16, 20, 0, 0, time.UTC)

// The demo's sources: fictional outlets in every state the page shows.
var (
	demoHarbour   = source("https://harbour-ledger.example/feed.xml", "Harbour Ledger")
	demoNorthwind = source("https://northwind-courier.example/rss", "Northwind Courier")
	demoValley    = source("https://valley-telegraph.example/atom", "Valley Telegraph")
	demoCoastal   = source("https://coastal-review.example/feed", "Coastal Review")
	demoMill      = source("https://old-mill-gazette.example/rss", "Old Mill Gazette")
	demoHostile   = source("https://hostile.example/feed", `<script>document.title="pwned";alert(1)</script><img src=x onerror=alert(2)> Observer`)

	demoTopics = []aggregator.TopicConfig{
		{ID: aggregator.AllTopic, Title: "Everything", Description: "Every story from every source, once."},
		{ID: "climate", Title: "Climate & energy", Description: "Weather, flooding, renewables and the coast."},
		{ID: "city", Title: "City hall", Description: "Council decisions, transport and public works."},
	}
)

// demoStates are the sources' fetch states at demoNow.
func demoStates(hostile bool) []aggregator.SourceState {
	ok := func(s aggregator.SourceState, fetches, notModified, items int64, last time.Duration) aggregator.SourceState {
		s.SiteURL = strings.TrimSuffix(s.ConfigURL, s.ConfigURL[strings.LastIndexByte(s.ConfigURL, '/'):]) + "/"
		s.LastFetch, s.LastSuccess = demoNow.Add(-last), demoNow.Add(-last)
		s.LastResult, s.LastStatus = "ok", http.StatusOK
		s.Fetches, s.NotModified, s.Items = fetches, notModified, items
		s.NextDue = demoNow.Add(30*time.Minute - last)
		return s
	}
	northwind := ok(demoNorthwind, 1180, 944, 412, 9*time.Minute)
	northwind.LastResult, northwind.LastStatus = "not_modified", http.StatusNotModified
	valley := ok(demoValley, 655, 131, 389, 3*time.Hour)
	valley.LastFetch, valley.LastResult, valley.LastStatus = demoNow.Add(-12*time.Minute), "error", http.StatusTooManyRequests
	valley.LastError, valley.Failures, valley.FailingSince = "429 Too Many Requests", 3, demoNow.Add(-2*time.Hour)
	valley.NextDue = demoNow.Add(48 * time.Minute)
	coastal := ok(demoCoastal, 940, 310, 268, 26*time.Hour)
	coastal.LastFetch, coastal.LastResult, coastal.LastStatus = demoNow.Add(-35*time.Minute), "error", 0
	coastal.LastError, coastal.Failures, coastal.FailingSince = "dial tcp 203.0.113.7:443: connect: connection refused", 12, demoNow.Add(-26*time.Hour)
	coastal.NextDue = demoNow.Add(-5 * time.Minute)
	mill := ok(demoMill, 402, 77, 95, 9*24*time.Hour)
	mill.LastFetch, mill.LastResult, mill.LastStatus = demoNow.Add(-8*24*time.Hour), "error", http.StatusGone
	mill.LastError, mill.Disabled = "410 Gone", true
	states := []aggregator.SourceState{ok(demoHarbour, 1204, 602, 731, 4*time.Minute), northwind, valley, coastal, mill}
	if hostile {
		states = append(states, ok(demoHostile, 10, 0, 4, time.Hour))
	}
	return states
}

// demoStories are the stories of the demo, newest first.
func demoStories(hostile bool) []storySpec {
	at := func(d time.Duration) time.Time { return demoNow.Add(-d) }
	item := func(src aggregator.SourceState, slug, title string) itemSpec {
		base := strings.TrimSuffix(src.ConfigURL, src.ConfigURL[strings.LastIndexByte(src.ConfigURL, '/'):])
		return itemSpec{src: src, guid: slug, title: title, link: base + "/2025/05/" + slug, content: "<p>" + title + ".</p>"}
	}
	both := []string{"all", "climate", "city"}
	specs := []storySpec{
		{at: at(25 * time.Minute), topics: []string{"all", "city"}, tags: []string{"transport"}, items: []itemSpec{
			item(demoHarbour, "night-buses", "City council approves night bus network for the east side"),
			item(demoNorthwind, "night-bus-vote", "Night buses for the east side after council vote"),
			item(demoValley, "east-night-buses", "Council backs east-side night buses"),
		}},
		{at: at(70 * time.Minute), upd: 40 * time.Minute, topics: both, tags: []string{"heat", "libraries"}, items: []itemSpec{
			item(demoValley, "cooling-centres", "Heatwave plan: libraries to open late as cooling centres"),
			item(demoHarbour, "libraries-heat", "Libraries will stay open late during heatwaves"),
			item(demoNorthwind, "heat-plan", "What the new heatwave plan means for you"),
			item(demoCoastal, "cooling", "Libraries become cooling centres this summer"),
		}},
		{at: at(2*time.Hour + 10*time.Minute), topics: both, tags: []string{"flooding"}, items: []itemSpec{
			item(demoNorthwind, "tidal-barrier", "Tidal barrier trial cuts flood warnings by a third"),
			item(demoCoastal, "barrier-trial", "Flood warnings fall in tidal barrier trial"),
		}},
		{at: at(3*time.Hour + 45*time.Minute), topics: []string{"all", "climate"}, tags: []string{"solar"}, items: []itemSpec{
			item(demoHarbour, "solar-coop", "Solar co-op signs up its 10,000th household"),
		}},
		{at: at(5 * time.Hour), topics: []string{"all", "city"}, items: []itemSpec{
			item(demoCoastal, "ferry-fares", "Ferry fares frozen for another year"),
			item(demoHarbour, "ferry-freeze", "Ferry fare freeze extended to 2026"),
		}},
		{at: at(7 * time.Hour), topics: []string{"all", "climate"}, tags: []string{"wildlife"}, items: []itemSpec{
			item(demoHarbour, "porpoise-survey", "Wind farm survey finds porpoise numbers steady"),
		}},
		{at: at(9 * time.Hour), topics: []string{"all", "climate"}, items: []itemSpec{
			item(demoNorthwind, "coral-glass", "University lab grows coral in recycled glass tanks"),
		}},
		{at: at(11 * time.Hour), topics: []string{"all", "city"}, tags: []string{"roads"}, items: []itemSpec{
			item(demoHarbour, "bridge-repairs", "Bridge repairs to close the north lane through June"),
			item(demoValley, "bridge-lane", "North lane of the old bridge shuts for repairs"),
		}},
		{at: at(20 * time.Hour), topics: []string{"all", "city"}, tags: []string{"transport"}, items: []itemSpec{
			item(demoNorthwind, "market-street", "Bike lanes on Market Street: what changes on Monday"),
		}},
		{at: at(30 * time.Hour), topics: []string{"all", "climate"}, items: []itemSpec{
			item(demoValley, "peat-bog", "Peat bog restoration enters its second summer"),
		}},
	}
	if hostile {
		specs = append(specs, storySpec{at: at(15 * time.Hour), topics: both, items: []itemSpec{
			item(demoHostile, "hostile", `Council <b onmouseover=alert(3)>budget</b> vote <script>alert(4)</script>`),
			item(demoHarbour, "budget-vote", "Council budget passes on second vote"),
		}})
	}
	return specs
}

// demoServer serves the demo over a real store on a loopback server whose
// base URL is its own address, so that every link on the pages works.
func demoServer(t *testing.T, hostile bool) *httptest.Server {
	t.Helper()
	db := mustOpen(t)
	for _, st := range demoStates(hostile) {
		if err := db.PutSource(t.Context(), st); err != nil {
			t.Fatalf("PutSource(%s): %v", st.Name, err)
		}
	}
	putStories(t, db, demoStories(hostile)...)
	srv := httptest.NewUnstartedServer(nil)
	cfg := &aggregator.Config{
		Server: aggregator.ServerConfig{Listen: srv.Listener.Addr().String(), BaseURL: "http://" + srv.Listener.Addr().String()},
		Topics: demoTopics,
	}
	for _, st := range demoStates(hostile) {
		cfg.Sources = append(cfg.Sources, aggregator.SourceConfig{URL: st.ConfigURL, Name: st.Name})
	}
	cfg.Sources = append(cfg.Sources, aggregator.SourceConfig{URL: "https://riverside-weekly.example/feed", Name: "Riverside Weekly"})
	pub := publish.New(cfg, db, demoTopics, nil, nil)
	pub.SetClock(func() time.Time { return demoNow })
	srv.Config.Handler = pub.Handler(nil)
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

// newBrowser starts headless Chromium for the test and returns a context
// of one tab, with its size set to a desktop window. It skips the test when
// Chromium is not installed, unless it runs in CI.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("the browser test needs %s (Debian's chromium package): %v", chromiumPath, err)
		}
		t.Skipf("skipping the browser test: %s not found; install Debian's chromium package to run it", chromiumPath)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath),
		chromedp.NoSandbox, // CI runs as root, where Chromium's sandbox cannot start
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		// Pages are served on loopback; whatever else one names (a
		// hostile item's script or image) must not reach the network.
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	tabCtx, cancelTab := chromedp.NewContext(allocCtx)
	// Cleanups run last-in first-out: the browser exits before its user
	// data directory is removed.
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc()
		cancel()
	})
	if err := chromedp.Do(tabCtx); err != nil { // starts the browser
		t.Fatalf("starting %s: %v", chromiumPath, err)
	}
	return tabCtx
}

// pageWatch records what a person would notice going wrong on a page:
// dialogs (an injected alert), uncaught exceptions, and the browser's
// errors, such as a Content-Security-Policy violation.
type pageWatch struct {
	mu       sync.Mutex
	problems []string
}

func watchPage(t *testing.T, ctx context.Context) *pageWatch {
	t.Helper()
	w := &pageWatch{}
	dialogs := chromedp.Events(ctx, page.JavascriptDialogOpening)
	exceptions := chromedp.Events(ctx, runtime.ExceptionThrown)
	entries := chromedp.Events(ctx, log.EntryAdded)
	go func() {
		for ev, err := range dialogs {
			if err != nil {
				return
			}
			w.add("dialog " + string(ev.Type) + ": " + ev.Message)
			// An open dialog blocks the page: close it so the test goes on.
			chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true}) //nolint:errcheck // best effort
		}
	}()
	go func() {
		for ev, err := range exceptions {
			if err != nil {
				return
			}
			w.add("exception: " + ev.ExceptionDetails.Text)
		}
	}()
	go func() {
		for ev, err := range entries {
			if err != nil {
				return
			}
			// A missing favicon is the only network error a page may cause.
			if ev.Entry.Source == log.EntrySourceNetwork && strings.Contains(ev.Entry.URL, "/favicon.ico") {
				continue
			}
			if ev.Entry.Level == log.EntryLevelError || ev.Entry.Level == log.EntryLevelWarning {
				w.add("log " + string(ev.Entry.Source) + ": " + ev.Entry.Text)
			}
		}
	}()
	if _, err := chromedp.Call(ctx, log.Enable, cdp.Empty{}); err != nil {
		t.Fatalf("enabling the browser log: %v", err)
	}
	return w
}

func (w *pageWatch) add(s string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.problems = append(w.problems, s)
}

func (w *pageWatch) check(t *testing.T, where string) {
	t.Helper()
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, p := range w.problems {
		t.Errorf("%s: the browser reported %s", where, p)
	}
	w.problems = nil
}

// seenTopic is one topic card of the front page, as the browser renders it.
type seenTopic struct {
	ID        string     `json:"id"`
	Title     string     `json:"title"`
	Headlines []string   `json:"headlines"`
	Counts    []string   `json:"counts"`
	Feeds     []seenLink `json:"feeds"`
	Copies    int        `json:"copies"` // copy buttons a person can see
}

type seenLink struct {
	Text string `json:"text"`
	Href string `json:"href"`
	Type string `json:"type"`
}

// frontPageJS reads the front page the way a person sees it: innerText is
// the rendered text, and a button counts when it takes up space.
const frontPageJS = `({
	title: document.title,
	scripts: document.querySelectorAll("script").length,
	images: document.querySelectorAll("img").length,
	grid: getComputedStyle(document.querySelector(".topics")).display,
	alternates: Array.from(document.querySelectorAll('link[rel="alternate"]')).map(l => ({text: l.title, href: l.href, type: l.type})),
	topics: Array.from(document.querySelectorAll(".topic")).map(t => ({
		id: t.id,
		title: t.querySelector("h3").innerText,
		headlines: Array.from(t.querySelectorAll(".headlines li > a")).map(a => a.innerText),
		counts: Array.from(t.querySelectorAll(".headlines .count")).map(c => c.innerText),
		feeds: Array.from(t.querySelectorAll(".subscribe a")).map(a => ({text: a.innerText, href: a.href, type: a.type})),
		copies: Array.from(t.querySelectorAll("button.copy")).filter(b => b.getClientRects().length > 0).length,
	})),
	sources: Object.fromEntries(Array.from(document.querySelectorAll("table.sources tbody tr")).map(tr =>
		[tr.querySelector("th").childNodes[0].textContent.trim(), Array.from(tr.querySelectorAll("td")).map(td => td.innerText.trim())])),
})`

type seenFront struct {
	Title      string              `json:"title"`
	Scripts    int                 `json:"scripts"`
	Images     int                 `json:"images"`
	Grid       string              `json:"grid"`
	Alternates []seenLink          `json:"alternates"`
	Topics     []seenTopic         `json:"topics"`
	Sources    map[string][]string `json:"sources"`
}

func TestBrowser(t *testing.T) {
	ctx := newBrowser(t)
	srv := demoServer(t, true)
	watch := watchPage(t, ctx)

	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/")); err != nil {
		t.Fatalf("opening %s/: %v", srv.URL, err)
	}
	front, err := chromedp.Run(ctx, chromedp.Evaluate[seenFront](frontPageJS))
	if err != nil {
		t.Fatalf("reading the front page: %v", err)
	}

	// The page's own style sheet and script ran under its CSP; the hostile
	// names and headline ran nothing and made no element.
	if front.Title != "Tributary" || front.Scripts != 1 || front.Images != 0 {
		t.Errorf("front page: title %q, %d scripts, %d images; want \"Tributary\", 1 (the copy button's), 0", front.Title, front.Scripts, front.Images)
	}
	if front.Grid != "grid" {
		t.Errorf("front page: .topics display = %q; want grid (the style sheet did not apply)", front.Grid)
	}

	// Every topic with its headlines, source counts and subscribe links.
	wantTopics := map[string]struct {
		title     string
		headlines []string
		counts    []string
	}{
		"all": {"Everything", []string{
			"City council approves night bus network for the east side",
			"Heatwave plan: libraries to open late as cooling centres",
			"Tidal barrier trial cuts flood warnings by a third",
			"Solar co-op signs up its 10,000th household",
			"Ferry fares frozen for another year",
		}, []string{"3 sources", "4 sources", "2 sources", "1 source", "2 sources"}},
		"climate": {"Climate & energy", []string{
			"Heatwave plan: libraries to open late as cooling centres",
			"Tidal barrier trial cuts flood warnings by a third",
			"Solar co-op signs up its 10,000th household",
			"Wind farm survey finds porpoise numbers steady",
			"University lab grows coral in recycled glass tanks",
		}, []string{"4 sources", "2 sources", "1 source", "1 source", "1 source"}},
		"city": {"City hall", []string{
			"City council approves night bus network for the east side",
			"Heatwave plan: libraries to open late as cooling centres",
			"Tidal barrier trial cuts flood warnings by a third",
			"Ferry fares frozen for another year",
			"Bridge repairs to close the north lane through June",
		}, []string{"3 sources", "4 sources", "2 sources", "2 sources", "2 sources"}},
	}
	if len(front.Topics) != len(wantTopics) {
		t.Errorf("front page shows %d topics; want %d", len(front.Topics), len(wantTopics))
	}
	var wantAlternates []seenLink
	for _, got := range front.Topics {
		id := strings.TrimPrefix(got.ID, "topic-")
		want, ok := wantTopics[id]
		if !ok {
			t.Errorf("front page shows an unknown topic %q", got.ID)
			continue
		}
		if got.Title != want.title || !slices.Equal(got.Headlines, want.headlines) || !slices.Equal(got.Counts, want.counts) {
			t.Errorf("front page topic %s shows %q %q %q; want %q %q %q", id, got.Title, got.Headlines, got.Counts, want.title, want.headlines, want.counts)
		}
		wantFeeds := []seenLink{
			{"Atom", srv.URL + "/topics/" + id + ".atom", "application/atom+xml"},
			{"RSS", srv.URL + "/topics/" + id + ".rss", "application/rss+xml"},
			{"JSON Feed", srv.URL + "/topics/" + id + ".json", "application/feed+json"},
		}
		if !slices.Equal(got.Feeds, wantFeeds) {
			t.Errorf("front page topic %s subscribe links = %+v; want %+v", id, got.Feeds, wantFeeds)
		}
		if got.Copies != 3 {
			t.Errorf("front page topic %s shows %d copy buttons; want 3", id, got.Copies)
		}
		for _, f := range wantFeeds {
			wantAlternates = append(wantAlternates, seenLink{want.title + " (" + f.Text + ")", f.Href, f.Type})
		}
	}
	if !slices.Equal(front.Alternates, wantAlternates) {
		t.Errorf("front page autodiscovery links = %+v; want %+v", front.Alternates, wantAlternates)
	}

	// The sources table: state, last success, items per day, items stored,
	// share of 304s.
	wantSources := map[string][]string{
		"Harbour Ledger":    {"ok", "2025-05-14 16:16 UTC", "1.0", "731", "50%"},
		"Northwind Courier": {"not modified", "2025-05-14 16:11 UTC", "0.7", "412", "80%"},
		"Valley Telegraph": {"backing off until 2025-05-14 17:08 UTC\nfailing since 2025-05-14 14:20 UTC (3 failures in a row): 429 Too Many Requests",
			"2025-05-14 13:20 UTC", "0.6", "389", "20%"},
		"Coastal Review": {"failing\nfailing since 2025-05-13 14:20 UTC (12 failures in a row): dial tcp 203.0.113.7:443: connect: connection refused",
			"2025-05-13 14:20 UTC", "0.4", "268", "33%"},
		"Old Mill Gazette": {"disabled\n410 Gone", "2025-05-05 16:20 UTC", "0", "95", "19%"},
		`<script>document.title="pwned";alert(1)</script><img src=x onerror=alert(2)> Observer`: {"ok", "2025-05-14 15:20 UTC", "0.1", "4", "0%"},
		"Riverside Weekly": {"pending\nnot fetched yet", "never", "–", "0", "–"},
	}
	for name, want := range wantSources {
		if got := front.Sources[name]; !slices.Equal(got, want) {
			t.Errorf("front page sources row %q = %q; want %q", name, got, want)
		}
	}
	if len(front.Sources) != len(wantSources) {
		t.Errorf("front page sources table has %d rows; want %d: %q", len(front.Sources), len(wantSources), front.Sources)
	}

	watch.check(t, "front page")
	if t.Failed() {
		return // the checks below would wait on what is already known to be wrong
	}

	// The copy button puts the feed's address on the clipboard and says so.
	for _, name := range []string{"clipboard-read", "clipboard-write"} {
		if _, err := chromedp.CallBrowser(ctx, browser.SetPermission, browser.SetPermissionParams{
			Permission: &browser.PermissionDescriptor{Name: name}, Setting: browser.PermissionSettingGranted, Origin: srv.URL,
		}); err != nil {
			t.Fatalf("granting %s: %v", name, err)
		}
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#topic-climate button.copy"))); err != nil {
		t.Fatalf("clicking the copy button: %v", err)
	}
	copied, err := chromedp.Run(ctx, chromedp.Poll[string](`document.getElementById("copy-status").textContent`, chromedp.WithPollingTimeout(3*time.Second)))
	if want := "Copied " + srv.URL + "/topics/climate.atom"; err != nil || copied != want {
		t.Errorf("after a click on the first copy button of climate, the status says %q (%v); want %q", copied, err, want)
	}
	clip, err := chromedp.Run(ctx, chromedp.Evaluate[string](`navigator.clipboard.readText()`, chromedp.EvalAwaitPromise))
	if err != nil || clip != srv.URL+"/topics/climate.atom" {
		t.Errorf("clipboard after the copy = %q (%v); want %q", clip, err, srv.URL+"/topics/climate.atom")
	}
	watch.check(t, "front page")

	// On a phone the page fits the screen: one column, no sideways scroll,
	// the sources table as cards.
	if err := chromedp.Do(ctx,
		chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile, chromedp.EmulatePortrait),
		chromedp.Reload(),
	); err != nil {
		t.Fatalf("reloading at phone size: %v", err)
	}
	type phoneView struct {
		Inner   int    `json:"inner"`
		Scroll  int    `json:"scroll"`
		Columns int    `json:"columns"`
		Row     string `json:"row"`
	}
	phone, err := chromedp.Run(ctx, chromedp.Evaluate[phoneView](`({
		inner: window.innerWidth,
		scroll: document.documentElement.scrollWidth,
		columns: getComputedStyle(document.querySelector(".topics")).gridTemplateColumns.split(" ").length,
		row: getComputedStyle(document.querySelector("table.sources tbody tr")).display,
	})`))
	if err != nil {
		t.Fatalf("reading the phone layout: %v", err)
	}
	if phone.Scroll > phone.Inner || phone.Columns != 1 || phone.Row != "block" {
		t.Errorf("at 390 px: page %d px wide in a %d px window, %d topic columns, table rows display %q; want no overflow, 1 column, block",
			phone.Scroll, phone.Inner, phone.Columns, phone.Row)
	}
	watch.check(t, "front page on a phone")
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)); err != nil {
		t.Fatalf("restoring the desktop size: %v", err)
	}

	// The topic page: each story with every source that carried it.
	if _, err := chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil,
		chromedp.Click(chromedp.CSS(`#topic-climate h3 a`)))); err != nil {
		t.Fatalf("following the climate topic's link: %v", err)
	}
	type seenStory struct {
		Headline string     `json:"headline"`
		Meta     string     `json:"meta"`
		Carriers []seenLink `json:"carriers"`
		Source   []string   `json:"sources"`
	}
	type topicView struct {
		URL     string      `json:"url"`
		H1      string      `json:"h1"`
		Scripts int         `json:"scripts"`
		Feeds   []seenLink  `json:"feeds"`
		Stories []seenStory `json:"stories"`
	}
	tp, err := chromedp.Run(ctx, chromedp.Evaluate[topicView](`({
		url: location.href,
		h1: document.querySelector("h1").innerText,
		scripts: document.querySelectorAll("script").length,
		feeds: Array.from(document.querySelectorAll(".subscribe a")).map(a => ({text: a.innerText, href: a.href, type: a.type})),
		stories: Array.from(document.querySelectorAll(".story")).map(s => ({
			headline: s.querySelector("h2").innerText,
			meta: s.querySelector(".meta").innerText,
			carriers: Array.from(s.querySelectorAll(".carriers a")).map(a => ({text: a.innerText, href: a.href})),
			sources: Array.from(s.querySelectorAll(".carriers .src-name")).map(n => n.innerText),
		})),
	})`))
	if err != nil {
		t.Fatalf("reading the topic page: %v", err)
	}
	if tp.URL != srv.URL+"/topics/climate" || tp.H1 != "Climate & energy" || tp.Scripts != 1 || len(tp.Feeds) != 3 {
		t.Errorf("topic page: at %q, h1 %q, %d scripts, %d subscribe links; want %q, \"Climate & energy\", 1, 3",
			tp.URL, tp.H1, tp.Scripts, len(tp.Feeds), srv.URL+"/topics/climate")
	}
	if len(tp.Stories) < 3 {
		t.Fatalf("topic page shows %d stories; want at least 3", len(tp.Stories))
	}
	heat := tp.Stories[0]
	wantHeat := seenStory{
		Headline: "Heatwave plan: libraries to open late as cooling centres",
		Carriers: []seenLink{
			{Text: "Heatwave plan: libraries to open late as cooling centres", Href: "https://valley-telegraph.example/2025/05/cooling-centres"},
			{Text: "Libraries will stay open late during heatwaves", Href: "https://harbour-ledger.example/2025/05/libraries-heat"},
			{Text: "What the new heatwave plan means for you", Href: "https://northwind-courier.example/2025/05/heat-plan"},
			{Text: "Libraries become cooling centres this summer", Href: "https://coastal-review.example/2025/05/cooling"},
		},
		Source: []string{"Valley Telegraph", "Harbour Ledger", "Northwind Courier", "Coastal Review"},
	}
	if heat.Headline != wantHeat.Headline || !slices.Equal(heat.Carriers, wantHeat.Carriers) || !slices.Equal(heat.Source, wantHeat.Source) ||
		!strings.HasPrefix(heat.Meta, "4 sources · 2025-05-14 15:10 UTC · updated 2025-05-14 15:50 UTC") {
		t.Errorf("topic page's first story = %+v; want %+v with meta \"4 sources · 2025-05-14 15:10 UTC · updated …\"", heat, wantHeat)
	}
	// The hostile headline and source name are text.
	var hostile *seenStory
	for i := range tp.Stories {
		if strings.HasPrefix(tp.Stories[i].Headline, "Council") {
			hostile = &tp.Stories[i]
		}
	}
	if hostile == nil || hostile.Headline != `Council <b onmouseover=alert(3)>budget</b> vote <script>alert(4)</script>` ||
		!slices.Contains(hostile.Source, demoHostile.Name) {
		t.Errorf("topic page's hostile story = %+v; want its headline and source name shown as text", hostile)
	}
	watch.check(t, "topic page")
}

// TestScreenshot writes docs/screenshot.png, the front page of a demo
// store at a desktop width, when TRIBUTARY_SCREENSHOT names the file:
//
//	TRIBUTARY_SCREENSHOT=$PWD/docs/screenshot.png go test ./aggregator/publish -run TestScreenshot
func TestScreenshot(t *testing.T) {
	out := os.Getenv("TRIBUTARY_SCREENSHOT")
	if out == "" {
		t.Skip("set TRIBUTARY_SCREENSHOT to the PNG file to write")
	}
	ctx := newBrowser(t)
	srv := demoServer(t, false)
	if err := chromedp.Do(ctx,
		chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(srv.URL+"/"),
	); err != nil {
		t.Fatalf("opening %s/: %v", srv.URL, err)
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("taking the screenshot: %v", err)
	}
	if err := os.WriteFile(out, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s (%d bytes)", out, len(png))
}

// TestBrowserReadsFeedsAcrossOrigins opens a page of another origin, as a
// web-based feed reader is, and reads the feeds and the OPML list from it
// with fetch: the browser lets the page read them and their ETag, and
// revalidate them with If-None-Match, and keeps the front page from it.
func TestBrowserReadsFeedsAcrossOrigins(t *testing.T) {
	ctx := newBrowser(t)
	srv := demoServer(t, false)
	reader := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte("<!doctype html><title>reader</title>")) //nolint:errcheck // the browser went away
	}))
	t.Cleanup(reader.Close)
	if err := chromedp.Do(ctx, chromedp.Navigate(reader.URL+"/")); err != nil {
		t.Fatalf("opening %s/: %v", reader.URL, err)
	}
	type fetched struct {
		Status int
		ETag   string
		Length int
		Error  string
	}
	for _, path := range []string{"/topics/all.json", "/topics/climate.atom", "/topics/city.rss", "/opml"} {
		got, err := chromedp.Run(ctx, chromedp.Evaluate[fetched](`fetch(`+strconv.Quote(srv.URL+path)+`)
			.then(r => r.text().then(t => ({Status: r.status, ETag: r.headers.get("ETag") || "", Length: t.length})))
			.catch(e => ({Error: String(e)}))`, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatalf("fetching %s: %v", path, err)
		}
		if got.Error != "" || got.Status != http.StatusOK || got.ETag == "" || got.Length == 0 {
			t.Errorf("a page of another origin fetching %s got %+v; want 200 with its ETag and bytes", path, got)
		}
	}
	// A reader that keeps the tag itself and sends it back: the browser
	// asks leave first (a preflight), then passes the 304 to the page.
	feed := strconv.Quote(srv.URL + "/topics/all.json")
	got, err := chromedp.Run(ctx, chromedp.Evaluate[fetched](`fetch(`+feed+`).then(r => r.headers.get("ETag"))
		.then(etag => fetch(`+feed+`, {headers: {"If-None-Match": etag}}))
		.then(r => ({Status: r.status, ETag: r.headers.get("ETag") || ""}))
		.catch(e => ({Error: String(e)}))`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("revalidating /topics/all.json: %v", err)
	}
	if got.Error != "" || got.Status != http.StatusNotModified || got.ETag == "" {
		t.Errorf("a page of another origin revalidating /topics/all.json with its ETag got %+v; want 304 with the tag", got)
	}
	got, err = chromedp.Run(ctx, chromedp.Evaluate[fetched](`fetch(`+strconv.Quote(srv.URL+"/")+`)
		.then(r => ({Status: r.status})).catch(e => ({Error: String(e)}))`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("fetching /: %v", err)
	}
	if got.Error == "" {
		t.Errorf("a page of another origin read the front page: %+v; want it refused", got)
	}
}
