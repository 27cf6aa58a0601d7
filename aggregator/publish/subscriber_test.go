package publish_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/feedtest"
	"github.com/tributary-feeds/tributary/aggregator/poller"
	"github.com/tributary-feeds/tributary/aggregator/publish"
	"github.com/tributary-feeds/tributary/aggregator/topic"
	"github.com/tributary-feeds/tributary/store"
)

// srcItem is one item of a source feed the test serves.
type srcItem struct {
	guid, title, link, text string
	date                    time.Time // zero: undated
}

// srcFeed is one source feed the test serves, in one of the three formats.
type srcFeed struct {
	path, format, title string
	items               []srcItem
}

// doc renders the feed in its format.
func (f *srcFeed) doc() []byte {
	var b strings.Builder
	esc := html.EscapeString
	switch f.format {
	case "rss":
		fmt.Fprintf(&b, `<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>%s</title><link>http://%s.example/</link>`, esc(f.title), f.path[1:5])
		for _, it := range f.items {
			b.WriteString("<item><title>" + esc(it.title) + "</title>")
			if it.guid != "" {
				b.WriteString(`<guid isPermaLink="false">` + esc(it.guid) + "</guid>")
			}
			b.WriteString("<link>" + esc(it.link) + "</link>")
			if !it.date.IsZero() {
				b.WriteString("<pubDate>" + it.date.UTC().Format(time.RFC1123Z) + "</pubDate>")
			}
			b.WriteString("<description>" + esc("<p>"+it.text+"</p>") + "</description></item>")
		}
		b.WriteString("</channel></rss>")
	case "atom":
		fmt.Fprintf(&b, `<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>%s</title><id>urn:test:%s</id><updated>2026-11-01T00:00:00Z</updated>`, esc(f.title), f.path[1:])
		for _, it := range f.items {
			b.WriteString("<entry><title>" + esc(it.title) + "</title><id>" + esc(it.guid) + `</id><link href="` + esc(it.link) + `"/>`)
			if !it.date.IsZero() {
				d := it.date.UTC().Format(time.RFC3339)
				b.WriteString("<published>" + d + "</published><updated>" + d + "</updated>")
			}
			b.WriteString(`<content type="html">` + esc("<p>"+it.text+"</p>") + "</content></entry>")
		}
		b.WriteString("</feed>")
	case "json":
		type item struct {
			ID    string `json:"id"`
			URL   string `json:"url"`
			Title string `json:"title"`
			HTML  string `json:"content_html"`
			Date  string `json:"date_published,omitempty"`
		}
		doc := struct {
			Version string `json:"version"`
			Title   string `json:"title"`
			Items   []item `json:"items"`
		}{Version: "https://jsonfeed.org/version/1.1", Title: f.title, Items: []item{}}
		for _, it := range f.items {
			j := item{ID: it.guid, URL: it.link, Title: it.title, HTML: "<p>" + it.text + "</p>"}
			if !it.date.IsZero() {
				j.Date = it.date.UTC().Format(time.RFC3339)
			}
			doc.Items = append(doc.Items, j)
		}
		out, _ := json.Marshal(doc)
		b.Write(out)
	}
	return []byte(b.String())
}

// world is the sources' origin: feeds the test edits between rounds.
type world struct {
	o     *feedtest.Origin
	feeds map[string]*srcFeed
	sent  map[string]string
}

var contentTypes = map[string]string{"rss": "application/rss+xml", "atom": "application/atom+xml", "json": "application/feed+json"}

func newWorld(t *testing.T, feeds ...*srcFeed) *world {
	w := &world{o: feedtest.NewOrigin(t), feeds: map[string]*srcFeed{}, sent: map[string]string{}}
	for _, f := range feeds {
		w.feeds[f.path] = f
		w.o.Feed(f.path, contentTypes[f.format], f.doc())
		w.sent[f.path] = string(f.doc())
	}
	return w
}

// publishFeeds serves every feed as the test last edited it; a feed whose
// bytes did not change keeps its validators, so that the poller's
// conditional requests get 304.
func (w *world) publishFeeds() {
	for path, f := range w.feeds {
		if d := string(f.doc()); d != w.sent[path] {
			w.o.SetFeed(path, []byte(d))
			w.sent[path] = d
		}
	}
}

// daemon is the daemon's serve wiring over one store file, as cmd/tributary
// puts it together, with a clock the test moves and poll rounds the test
// drives: the store, the publisher with its recorded settings, the poller
// that notifies it, and a retag of the stored stories at start and at each
// reload. Its feeds are served at one address across restarts, so that a
// reader keeps its subscription.
type daemon struct {
	t      *testing.T
	path   string
	clk    *feedtest.Clock
	cfgYML string
	cfg    *aggregator.Config

	db     *store.DB
	pub    *publish.Publisher
	pl     *poller.Poller
	cancel context.CancelFunc
	done   chan error

	handler atomic.Pointer[http.Handler]
	srv     *httptest.Server
}

var quietLog = slog.New(slog.DiscardHandler)

func newDaemon(t *testing.T, clk *feedtest.Clock, yml string) *daemon {
	d := &daemon{t: t, path: filepath.Join(t.TempDir(), "tributary.db"), clk: clk, cfgYML: yml}
	d.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h := d.handler.Load(); h != nil {
			(*h).ServeHTTP(w, r)
			return
		}
		http.Error(w, "stopped", http.StatusServiceUnavailable)
	}))
	t.Cleanup(d.srv.Close)
	d.start()
	t.Cleanup(d.stop)
	return d
}

// pollFixture serves testdata/name at path from a loopback origin, starts
// a daemon whose one source it is, on a clock at noon of 2 November 2026,
// and polls it once.
func pollFixture(t *testing.T, name, path string) (*daemon, *feedtest.Clock) {
	t.Helper()
	doc, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	clk := feedtest.NewClock(time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC))
	w := newWorld(t)
	w.o.Feed(path, "application/rss+xml", doc)
	d := newDaemon(t, clk, fmt.Sprintf("server:\n  base_url: %q\npoll:\n  interval: 24h\n  allow_private: true\nsources:\n  - url: %q\n", testBase, w.o.URL(path)))
	d.poll()
	return d, clk
}

// itemHTML undoes the escapes the published formats add to an item's HTML:
// the XML feeds escape it once more, and JSON writes its & and < as
// \u0026 and \u003c.
var itemHTML = strings.NewReplacer("&amp;", "&", "&#34;", `"`, `\u0026`, "&", `\u003c`, "<", `\u003e`, ">", `\"`, `"`)

// feedHTML returns the topic all's feed in the format of ext (".rss",
// ".atom", ".json") as published, and with its items' HTML as the item
// holds it (itemHTML), for matching.
func (d *daemon) feedHTML(t *testing.T, ext string) (body []byte, html string) {
	t.Helper()
	body = d.feed(t, "/topics/all"+ext)
	return body, itemHTML.Replace(itemHTML.Replace(string(body)))
}

// load loads the config and binds its sources to the source states the
// store holds, as serve does at start and at each reload.
func (d *daemon) load(states []aggregator.SourceState) (*aggregator.Config, *topic.Set) {
	d.t.Helper()
	cfg, err := aggregator.Load(strings.NewReader(d.cfgYML), "config.yaml")
	if err != nil {
		d.t.Fatalf("config:\n%s\n%v", d.cfgYML, err)
	}
	aggregator.BindSources(cfg.Sources, states)
	set, err := topic.Compile(cfg.Topics, cfg.Sources)
	if err != nil {
		d.t.Fatal(err)
	}
	return cfg, set
}

// start opens the store and starts the daemon as serve does.
func (d *daemon) start() {
	d.t.Helper()
	db, err := store.Open(d.path, store.Options{})
	if err != nil {
		d.t.Fatalf("store.Open: %v", err)
	}
	states, err := db.Sources(d.t.Context())
	if err != nil {
		d.t.Fatal(err)
	}
	cfg, set := d.load(states)
	d.db, d.cfg = db, cfg
	d.pub = publish.New(cfg, db, set.Topics(), nil, quietLog)
	d.pub.SetClock(d.clk.Now)
	if err := d.pub.SettingsSince(d.t.Context(), cfg); err != nil {
		d.t.Fatal(err)
	}
	d.pl, err = poller.New(cfg, set, db, poller.Options{Tick: 10 * time.Millisecond, Now: d.clk.Now, Logger: quietLog, Notify: d.pub})
	if err != nil {
		d.t.Fatal(err)
	}
	if _, err := d.pl.RetagIfChanged(d.t.Context()); err != nil {
		d.t.Fatal(err)
	}
	// The scheduler runs as in the daemon, for what it does beside the
	// polls (a reload's renames, the prune); with a day's interval and
	// the test's clock, the polls are the rounds the test drives.
	ctx, cancel := context.WithCancel(context.Background())
	d.cancel, d.done = cancel, make(chan error, 1)
	go func() { d.done <- d.pl.Run(ctx) }()
	h := d.pub.Handler(nil)
	d.handler.Store(&h)
}

// stop stops the daemon as serve does: the server first, then the
// publisher's records of what it served, then the store.
func (d *daemon) stop() {
	if d.db == nil {
		return
	}
	d.handler.Store(nil)
	d.cancel()
	if err := <-d.done; err != nil {
		d.t.Errorf("poller: %v", err)
	}
	d.pub.Close()
	if err := d.db.Close(); err != nil {
		d.t.Errorf("closing the store: %v", err)
	}
	d.db = nil
}

func (d *daemon) restart() {
	d.t.Helper()
	d.stop()
	d.start()
}

// reload swaps in the edited config as SIGHUP does, and waits until
// settled, if not nil, holds: until the scheduler has done what the reload
// asks of it.
func (d *daemon) reload(yml string, settled func() bool) {
	d.t.Helper()
	d.cfgYML = yml
	states, err := d.pl.Sources(d.t.Context())
	if err != nil {
		d.t.Fatal(err)
	}
	cfg, set := d.load(states)
	if err := d.pl.Reload(cfg, set); err != nil {
		d.t.Fatal(err)
	}
	d.pub.SetConfig(cfg, set.Topics())
	if err := d.pub.SettingsSince(d.t.Context(), cfg); err != nil {
		d.t.Fatal(err)
	}
	d.cfg = cfg
	if _, err := d.pl.RetagIfChanged(d.t.Context()); err != nil {
		d.t.Fatal(err)
	}
	if settled != nil {
		deadline := time.Now().Add(10 * time.Second)
		for !settled() {
			if time.Now().After(deadline) {
				d.t.Fatal("the reload did not take effect within 10s")
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}

// poll is one round of the scheduler: every source once, then the prune
// that the daemon runs beside it.
func (d *daemon) poll() {
	d.t.Helper()
	for _, o := range d.pl.PollAll(d.t.Context(), nil) {
		if o.Err != nil {
			d.t.Fatalf("polling %s: %v", o.URL, o.Err)
		}
	}
	d.pl.Prune(d.t.Context())
}

// compact stops the daemon, compacts its store as `tributary compact`
// does, and starts it again.
func (d *daemon) compact() {
	d.t.Helper()
	d.stop()
	db, err := store.Open(d.path, store.Options{})
	if err != nil {
		d.t.Fatal(err)
	}
	tmp := d.path + ".compact-test"
	if err := db.Compact(d.t.Context(), tmp); err != nil {
		d.t.Fatalf("compact: %v", err)
	}
	if err := db.Close(); err != nil {
		d.t.Fatal(err)
	}
	if err := os.Rename(tmp, d.path); err != nil {
		d.t.Fatal(err)
	}
	d.start()
}

// backup copies the running daemon's store, as `tributary backup` does.
func (d *daemon) backup() []byte {
	d.t.Helper()
	var b bytes.Buffer
	if _, err := d.db.Backup(d.t.Context(), &b); err != nil {
		d.t.Fatalf("backup: %v", err)
	}
	return b.Bytes()
}

// restore stops the daemon, puts the backup in the store's place and
// starts the daemon again.
func (d *daemon) restore(b []byte) {
	d.t.Helper()
	d.stop()
	if err := os.WriteFile(d.path, b, 0o600); err != nil {
		d.t.Fatal(err)
	}
	d.start()
}

// entry is one entry of a topic feed as a reader understood it.
type entry struct {
	ID, Title, Link string
	Published       string
	Updated         string
	Shown           string // the face the entry shows: title, link, summary and content
	Labels          string // its categories and authors
}

// subscription is one feed reader's subscription to one topic feed in one
// format: the validators it revalidates with, the document it holds, and
// every entry it has shown, by id.
type subscription struct {
	url      string
	etag, lm string
	body     []byte
	seen     map[string]entry
	current  []string // ids in the document held
	everNew  []string // ids in the order first shown
	lmMoved  bool     // the last read moved Last-Modified with the same bytes
}

// subscriber is a reader subscribed to several topic feeds that reads them
// after each round as a feed reader does: a conditional GET with the
// validators of the document it holds, and its own dedup by entry id.
type subscriber struct {
	t     *testing.T
	d     *daemon
	subs  map[string]*subscription // by path
	paths []string
}

func newSubscriber(t *testing.T, d *daemon, paths ...string) *subscriber {
	r := &subscriber{t: t, d: d, subs: map[string]*subscription{}, paths: paths}
	for _, p := range paths {
		r.subs[p] = &subscription{url: d.srv.URL + p, seen: map[string]entry{}}
	}
	return r
}

func (r *subscriber) get(url string, header ...string) (*http.Response, []byte) {
	r.t.Helper()
	req, err := http.NewRequestWithContext(r.t.Context(), http.MethodGet, url, nil)
	if err != nil {
		r.t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		if header[i+1] != "" {
			req.Header.Set(header[i], header[i+1])
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		r.t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		r.t.Fatal(err)
	}
	return resp, body
}

// parseEntries reads a document's entries with gofeed.
func parseEntries(t *testing.T, path string, body []byte) []entry {
	t.Helper()
	f, err := gofeed.NewParser().Parse(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("%s: %v\n%s", path, err, body)
	}
	var out []entry
	for _, it := range f.Items {
		e := entry{ID: it.GUID, Title: it.Title, Link: it.Link}
		if it.PublishedParsed != nil {
			e.Published = it.PublishedParsed.UTC().Format(time.RFC3339)
		}
		if it.UpdatedParsed != nil {
			e.Updated = it.UpdatedParsed.UTC().Format(time.RFC3339)
		}
		var authors []string
		for _, a := range it.Authors {
			authors = append(authors, a.Name+"<"+a.Email+">")
		}
		e.Shown = strings.Join([]string{it.Title, it.Link, it.Description, it.Content}, "\x00")
		e.Labels = strings.Join(it.Categories, ",") + "\x00" + strings.Join(authors, ",")
		out = append(out, e)
	}
	return out
}

// roundOpts says what a round did besides polling, and so what a reader
// may see: relabel, a config edit that changes entries' categories or
// authors (a topic's rules, a source's name) and moves no entry's date,
// since readers would show every story it touched as new again; rollback,
// a store put back from a backup, whose stories stored since come in again
// as of the fetch that brings them back.
type roundOpts struct {
	poll, relabel, rollback bool
}

// changes is what one round showed a subscription: the entries new to it
// and those that left the document it holds.
type changes struct {
	New, Gone []string // titles of the entries new to the reader, and of those gone
}

// read revalidates every subscription and checks what a reader would
// notice: a 304 exactly when the bytes are those it holds, validators that
// change with the bytes, no entry twice, published dates that never move
// and updated dates that move exactly when what the entry shows changed.
// It returns, for each path, the titles of the entries new to the reader
// and of those that left the document.
func (r *subscriber) read(what string, o roundOpts) map[string]changes {
	r.t.Helper()
	out := map[string]changes{}
	for _, path := range r.paths {
		s := r.subs[path]
		resp, body := r.get(s.url, "If-None-Match", s.etag, "If-Modified-Since", s.lm)
		fresh, freshBody := r.get(s.url)
		if fresh.StatusCode != http.StatusOK {
			r.t.Fatalf("%s: GET %s = %s", what, path, fresh.Status)
		}
		if resp.StatusCode == http.StatusOK && !bytes.Equal(body, freshBody) {
			r.t.Errorf("%s: %s: a conditional and an unconditional GET gave two documents", what, path)
		}
		etag, lm := fresh.Header.Get("ETag"), fresh.Header.Get("Last-Modified")
		if t, err := http.ParseTime(lm); err != nil || t.After(r.d.clk.Now()) {
			r.t.Errorf("%s: %s: Last-Modified %q; want a date no later than now, %s", what, path, lm, r.d.clk.Now().Format(http.TimeFormat))
		}
		same := s.body != nil && bytes.Equal(freshBody, s.body)
		switch {
		case resp.StatusCode == http.StatusNotModified && !same:
			r.t.Errorf("%s: %s answered 304 to the reader's validators (%s, %s), but its bytes changed", what, path, s.etag, s.lm)
		case resp.StatusCode == http.StatusOK && s.body != nil && same:
			r.t.Errorf("%s: %s answered 200 to the reader's validators (%s, %s) though its bytes did not change (now %s, %s)", what, path, s.etag, s.lm, etag, lm)
		case resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusNotModified:
			r.t.Fatalf("%s: conditional GET %s = %s", what, path, resp.Status)
		}
		if s.body != nil {
			if same && etag != s.etag {
				r.t.Errorf("%s: %s: bytes unchanged but the ETag moved: %s → %s", what, path, s.etag, etag)
			}
			// The same bytes keep their Last-Modified, but for bytes first
			// served in the second other bytes were (a change of settings
			// at a start or reload): they are given a later date of their
			// own once, so that a client revalidating by date can tell.
			if same && lm != s.lm {
				was, _ := http.ParseTime(s.lm)
				if now, err := http.ParseTime(lm); err != nil || !now.After(was) || s.lmMoved {
					r.t.Errorf("%s: %s: bytes unchanged but Last-Modified moved from %s to %s", what, path, s.lm, lm)
				}
			}
			s.lmMoved = same && lm != s.lm
			// A reader that revalidates by date alone, or by the ETag
			// alone, is told that nothing changed.
			if same && !s.lmMoved {
				if byDate, _ := r.get(s.url, "If-Modified-Since", s.lm); byDate.StatusCode != http.StatusNotModified {
					r.t.Errorf("%s: %s: bytes unchanged, but If-Modified-Since %s = %s", what, path, s.lm, byDate.Status)
				}
				if byTag, _ := r.get(s.url, "If-None-Match", s.etag); byTag.StatusCode != http.StatusNotModified {
					r.t.Errorf("%s: %s: bytes unchanged, but If-None-Match %s = %s", what, path, s.etag, byTag.Status)
				}
			}
			if !same && etag == s.etag {
				r.t.Errorf("%s: %s: bytes changed under the same ETag %s", what, path, etag)
			}
			if !same && s.lm != "" {
				// A reader that revalidates by date alone must get the new
				// bytes. A store put back from a backup dates its feeds as
				// it served them then: it cannot know what was served
				// after.
				if byDate, _ := r.get(s.url, "If-Modified-Since", s.lm); byDate.StatusCode != http.StatusOK && !o.rollback {
					r.t.Errorf("%s: %s: bytes changed, but If-Modified-Since %s (Last-Modified now %s) = %s", what, path, s.lm, lm, byDate.Status)
				}
				was, _ := http.ParseTime(s.lm)
				if now, err := http.ParseTime(lm); err != nil || now.Before(was) && !o.rollback {
					r.t.Errorf("%s: %s: Last-Modified went back from %s to %q", what, path, s.lm, lm)
				}
			}
		}
		entries := parseEntries(r.t, path, freshBody)
		var ch changes
		ids := map[string]bool{}
		var current []string
		for _, e := range entries {
			if ids[e.ID] {
				r.t.Errorf("%s: %s holds entry %s twice", what, path, e.ID)
			}
			ids[e.ID] = true
			current = append(current, e.ID)
			old, ok := s.seen[e.ID]
			if !ok {
				ch.New = append(ch.New, e.Title)
				s.everNew = append(s.everNew, e.ID)
				s.seen[e.ID] = e
				continue
			}
			if e.Published != old.Published {
				r.t.Errorf("%s: %s: entry %s (%q): published moved from %s to %s", what, path, e.ID, e.Title, old.Published, e.Published)
			}
			if e.Updated != old.Updated && e.Shown == old.Shown && e.Labels == old.Labels && !o.rollback {
				r.t.Errorf("%s: %s: entry %s (%q): updated moved from %s to %s, but nothing it shows changed: %q %q", what, path, e.ID, e.Title, old.Updated, e.Updated, e.Shown, e.Labels)
			}
			if e.Updated == old.Updated && e.Updated != "" {
				if e.Shown != old.Shown || e.Labels != old.Labels && !o.relabel {
					r.t.Errorf("%s: %s: entry %s changed what it shows under the same updated date %s:\nwas %q %q\nnow %q %q", what, path, e.ID, e.Updated, old.Shown, old.Labels, e.Shown, e.Labels)
				}
			}
			s.seen[e.ID] = e
		}
		for _, id := range s.current {
			if !ids[id] {
				ch.Gone = append(ch.Gone, s.seen[id].Title)
			}
		}
		s.current = current
		s.body, s.etag, s.lm = freshBody, etag, lm
		out[path] = ch
	}
	return out
}

// Texts of the subscriber test's stories: no two alike.
const (
	lavaText   = "Lava from the Mount Serel volcano crossed the coastal road near Pellin on Sunday night. Civil protection officers closed the road between Pellin and Argo and moved forty families from the village of Tessa. Scientists at the Serel observatory said the eruption had grown since Friday."
	strikeText = "Port workers in Dunmore voted by a large majority to strike over pay from next Monday. The union said talks with the harbour board had failed after six weeks. Shipping lines warned that container traffic through Dunmore would stop for the length of the strike."
	grainText  = "Grain prices climbed for a third day after floods in the Hallen valley destroyed much of the wheat harvest. Traders in Morwick said buyers were looking abroad. The farmers' federation asked the ministry for emergency loans to cover the lost crop."
	libText    = "The city library in Orvik reopened on Saturday after two years of renovation. The reading rooms now hold a children's wing, a music archive and a rooftop garden. The mayor thanked the donors who paid for half of the work."
	trainText  = "Night trains return to the northern line next month, the rail operator said. Sleeper coaches will run three times a week between Calder and Fennick, stopping at Hoy and Brask. Tickets go on sale at the stations and online from Thursday."
	bridgeText = "The old stone bridge in Tavel will close for repairs from the first of December. Engineers found cracks in two of its arches during an inspection last spring. Drivers will be sent over the ring road while the work lasts, about four months."
	choirText  = "A children's choir from Lissen won the national singing contest in Ambry with a programme of folk songs. The judges praised the choir's young soloist and its conductor, a retired teacher who founded it twenty years ago."
	mineFirst  = "Rescuers are at the Brennock mine after part of a tunnel roof fell in on Wednesday morning. The company said several miners had not been accounted for."
	mineLater  = "All five miners trapped by a roof fall at the Brennock mine were brought out alive late on Wednesday, nine hours after the collapse, the regional rescue service said.</p>" +
		"<p>Three were taken to Calder General Hospital with crushed ribs and a broken arm; the other two were checked at the pithead and sent home. Rescuers used a listening probe and a small drilling rig to reach a pocket behind the fallen roof."
	mineOwner = "</p><p>The mine's owner, Ostrand Minerals, said digging would stay halted while inspectors examined the tunnel."
	ferryText = "The ferry to Kelso island runs again after its engine was repaired in the Wexby yard. The operator added an evening crossing for the winter and said fares would stay as they were until spring."
)

// setup is the config of the subscriber test, as the operator edits it.
type setup struct {
	paper     string // the path Paper's feed is configured at
	digest    string // the digest source's name; "" leaves it out
	retention string
	volcano   string // the volcano topic's match rules
	priority  int    // Paper's priority
}

func (c setup) yaml(w *world) string {
	var b strings.Builder
	fmt.Fprintf(&b, "server:\n  base_url: %q\nstorage:\n  retention: %s\npoll:\n  interval: 24h\n  allow_private: true\nsources:\n", testBase, c.retention)
	fmt.Fprintf(&b, "  - url: %q\n    name: Wire\n", w.o.URL("/wire.rss"))
	fmt.Fprintf(&b, "  - url: %q\n    name: Paper\n    priority: %d\n", w.o.URL(c.paper), c.priority)
	fmt.Fprintf(&b, "  - url: %q\n    name: Third\n", w.o.URL("/third.json"))
	if c.digest != "" {
		fmt.Fprintf(&b, "  - url: %q\n    name: %q\n", w.o.URL("/digest.rss"), c.digest)
	}
	fmt.Fprintf(&b, "topics:\n  - id: volcano\n    title: Volcano\n    match:\n%s", c.volcano)
	b.WriteString("  - id: paged\n    title: Paged\n    limit: 2\n    sources: [Wire, Third]\n")
	b.WriteString("  - id: press\n    title: Press\n    sources: [Paper]\n")
	return b.String()
}

// walk reads every page of a topic feed from the first, following its
// next links, and returns the entry ids in the order read; between runs
// after the first page is read, as if stories came in while a reader
// pages.
func (r *subscriber) walk(path string, between func()) []string {
	r.t.Helper()
	var ids []string
	next := path
	for n := 0; next != ""; n++ {
		if n == 1 && between != nil {
			between()
		}
		if n > 20 {
			r.t.Fatalf("walking %s: more than 20 pages", path)
		}
		resp, body := r.get(r.d.srv.URL + next)
		if resp.StatusCode != http.StatusOK {
			r.t.Fatalf("walking %s: GET %s = %s", path, next, resp.Status)
		}
		for _, e := range parseEntries(r.t, next, body) {
			ids = append(ids, e.ID)
		}
		next = nextPath(r.t, body)
	}
	return ids
}

// feedparserBatch reads the documents named on standard input (a JSON
// list of [file, content type]) with Python's Universal Feed Parser and
// prints, for each file, the entries' ids, titles and dates as it
// understood them.
const feedparserBatch = `
import json, sys, time, feedparser
def when(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", t) if t else ""
out = {}
for path, ctype in json.load(sys.stdin):
    with open(path, "rb") as f:
        d = feedparser.parse(f.read(), response_headers={"content-type": ctype})
    out[path] = {"bozo": bool(d.get("bozo")), "error": str(d.get("bozo_exception", "")),
        "entries": [{"id": e.get("id", ""), "title": e.get("title", ""),
                     "published": when(e.get("published_parsed")), "updated": when(e.get("updated_parsed"))} for e in d.entries]}
json.dump(out, sys.stdout)
`

type fpBatchFeed struct {
	Bozo    bool
	Error   string
	Entries []struct{ ID, Title, Published, Updated string }
}

// checkFeedparser has feedparser read every RSS and Atom document the
// subscriber holds, and checks that it finds the entries gofeed found, with
// the same ids and dates.
func (r *subscriber) checkFeedparser(what, python string) {
	r.t.Helper()
	dir := r.t.TempDir()
	var list [][2]string
	files := map[string]string{}
	var paths []string
	for _, path := range r.paths {
		if !strings.HasSuffix(path, ".json") { // feedparser reads RSS and Atom
			paths = append(paths, path)
		}
	}
	for i, path := range paths {
		file := filepath.Join(dir, fmt.Sprintf("doc%d", i))
		if err := os.WriteFile(file, r.subs[path].body, 0o600); err != nil {
			r.t.Fatal(err)
		}
		ext := path[strings.LastIndex(path, ".")+1:]
		list = append(list, [2]string{file, contentTypes[ext]})
		files[path] = file
	}
	in, _ := json.Marshal(list)
	cmd := exec.CommandContext(r.t.Context(), python, "-c", feedparserBatch)
	cmd.Stdin = bytes.NewReader(in)
	var got map[string]fpBatchFeed
	runJSON(r.t, "feedparser", cmd, &got)
	for _, path := range paths {
		f := got[files[path]]
		if f.Bozo {
			r.t.Errorf("%s: feedparser: %s is not well-formed: %s", what, path, f.Error)
		}
		want := parseEntries(r.t, path, r.subs[path].body)
		if len(f.Entries) != len(want) {
			r.t.Errorf("%s: feedparser read %d entries in %s; want %d", what, len(f.Entries), path, len(want))
			continue
		}
		for i, e := range f.Entries {
			w := want[i]
			updated := w.Updated
			if strings.HasSuffix(path, ".rss") {
				updated = e.Updated // RSS has no updated date of its own
			}
			if e.ID != w.ID || e.Published != w.Published || e.Updated != updated {
				r.t.Errorf("%s: feedparser read %s entry %d as %s published %s updated %s; want %s %s %s", what, path, i, e.ID, e.Published, e.Updated, w.ID, w.Published, w.Updated)
			}
		}
	}
}

// missing says that a reader the test reads with beside its own is not
// installed: the test goes on without it, but fails under CI=true, where
// .ci/run installs every reader.
func missing(t *testing.T, what string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("missing %s", what)
	}
	t.Logf("missing %s: reading without it", what)
}

// newsboatItems reads what newsboat stored of every feed it fetched.
const newsboatItems = `
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
out = {}
for feed, guid, title, unread in db.execute("SELECT feedurl, guid, title, unread FROM rss_item ORDER BY id"):
    out.setdefault(feed, []).append({"guid": guid, "title": title, "unread": unread})
json.dump(out, sys.stdout)
`

// newsboatReader is newsboat, the terminal feed reader, subscribed to
// feeds with one cache across rounds, as a user's is: it keeps every entry
// it was shown, keyed by its id.
type newsboatReader struct {
	t                 *testing.T
	nb, python, dir   string
	urls, conf, cache string
}

// newNewsboat returns a newsboat subscribed to the given URLs, or nil when
// newsboat or python3 is missing (under CI=true, it fails the test).
func newNewsboat(t *testing.T, urls ...string) *newsboatReader {
	nb, err := exec.LookPath("newsboat")
	var python string
	if err == nil {
		python, err = exec.LookPath("python3")
	}
	if err != nil {
		missing(t, fmt.Sprintf("newsboat or python3 (%v); Debian's newsboat", err))
		return nil
	}
	dir := t.TempDir()
	n := &newsboatReader{t: t, nb: nb, python: python, dir: dir, urls: filepath.Join(dir, "urls"), conf: filepath.Join(dir, "config"),
		cache: filepath.Join(dir, "cache.db")}
	for name, text := range map[string]string{n.urls: strings.Join(urls, "\n") + "\n", n.conf: ""} {
		if err := os.WriteFile(name, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return n
}

// check has newsboat fetch its feeds and checks that it holds every entry
// the reader r was ever shown in them, once: an entry in two of its feeds
// (a story in two topics, a topic in two formats) is one entry to it, as
// it keys entries by id.
func (n *newsboatReader) check(what string, r *subscriber, paths []string) {
	n.t.Helper()
	var guids, ever []string
	for _, items := range n.reload(what) {
		for _, it := range items {
			guids = append(guids, it.GUID)
		}
	}
	for _, p := range paths {
		for _, id := range r.subs[p].everNew {
			if !slices.Contains(ever, id) {
				ever = append(ever, id)
			}
		}
	}
	slices.Sort(guids)
	slices.Sort(ever)
	if !slices.Equal(guids, ever) {
		n.t.Errorf("%s: newsboat holds %q; want every entry shown, once: %q", what, guids, ever)
	}
}

// reload has newsboat fetch every feed once, and returns what its cache
// holds, by feed URL.
func (n *newsboatReader) reload(what string) map[string][]struct {
	GUID, Title string
	Unread      int
} {
	n.t.Helper()
	log := filepath.Join(n.dir, "log")
	os.Remove(log)
	cmd := exec.CommandContext(n.t.Context(), n.nb, "-u", n.urls, "-C", n.conf, "-c", n.cache, "-x", "reload", "-l", "4", "-d", log)
	cmd.Env = append(os.Environ(), "HOME="+n.dir, "XDG_CONFIG_HOME="+n.dir, "XDG_DATA_HOME="+n.dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		n.t.Fatalf("%s: newsboat -x reload: %v\n%s", what, err, out)
	}
	logged, _ := os.ReadFile(log)
	for _, line := range strings.Split(string(logged), "\n") {
		if strings.Contains(line, "ERROR") || strings.Contains(line, "CRITICAL") || strings.Contains(line, "WARNING") {
			n.t.Errorf("%s: newsboat logged %s", what, line)
		}
	}
	var got map[string][]struct {
		GUID, Title string
		Unread      int
	}
	runJSON(n.t, "newsboat's cache", exec.CommandContext(n.t.Context(), n.python, "-c", newsboatItems, n.cache), &got)
	return got
}

// TestSubscriberOverTime runs the daemon's pipeline through many poll
// rounds while the sources change, with a reader subscribed to topic feeds
// in every format that reads them after each round as readers do, and
// feedparser and newsboat beside it: every story appears once and never
// comes back under a new id, dates move only when what an entry shows
// changed, validators change exactly when the bytes do, paging gives each
// entry once while stories come in, and a story that left a topic is gone
// from it.
func TestSubscriberOverTime(t *testing.T) {
	python := findFeedparser()
	if python == "" {
		missing(t, "python3 with feedparser (Debian's python3-feedparser)")
	}
	start := time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC)
	clk := feedtest.NewClock(start)
	wire := &srcFeed{path: "/wire.rss", format: "rss", title: "Wire", items: []srcItem{
		{"w-1", "Lava from Mount Serel volcano reaches coastal road", "https://wire.example/serel-lava", lavaText, start.Add(-3 * time.Hour)},
		{"w-2", "Port workers in Dunmore vote to strike over pay", "https://wire.example/dunmore-strike", strikeText, start.Add(-2 * time.Hour)},
	}}
	paper := &srcFeed{path: "/paper.atom", format: "atom", title: "Paper", items: []srcItem{
		{"urn:paper:1", "Grain prices climb after Hallen floods", "https://paper.example/grain", grainText, start.Add(-4 * time.Hour)},
		{"urn:paper:2", "Dunmore dockers back strike", "https://wire.example/dunmore-strike?utm_source=paper", "The paper's own account. " + strikeText, start.Add(-1 * time.Hour)},
	}}
	third := &srcFeed{path: "/third.json", format: "json", title: "Third", items: []srcItem{
		{"third-1", "Orvik library reopens after renovation", "https://third.example/orvik-library", libText, start.Add(-5 * time.Hour)},
	}}
	digest := &srcFeed{path: "/digest.rss", format: "rss", title: "Digest", items: []srcItem{
		{"", "Night trains return to the northern line", "https://digest.example/night-trains", trainText, start.Add(-6 * time.Hour)},
	}}
	w := newWorld(t, wire, paper, third, digest)
	conf := setup{paper: "/paper.atom", digest: "Digest", retention: "0", volcano: "      any: [volcano]\n"}
	d := newDaemon(t, clk, conf.yaml(w))
	var paths []string
	for _, topic := range []string{"all", "volcano", "press"} {
		for _, ext := range []string{".atom", ".rss", ".json"} {
			paths = append(paths, "/topics/"+topic+ext)
		}
	}
	r := newSubscriber(t, d, paths...)
	nbFeeds := []string{"/topics/all.atom", "/topics/all.rss", "/topics/volcano.atom"}
	var nbURLs []string
	for _, p := range nbFeeds {
		nbURLs = append(nbURLs, d.srv.URL+p)
	}
	nb := newNewsboat(t, nbURLs...)

	// round polls (when asked) and reads; wants lists, by topic, the
	// titles of the entries new to the reader and of those gone.
	type want struct{ new, gone []string }
	none := map[string]want{"all": {}, "volcano": {}, "press": {}}
	round := func(what string, o roundOpts, wants map[string]want) {
		t.Helper()
		if o.poll {
			w.publishFeeds()
			d.poll()
		}
		got := r.read(what, o)
		for topic, wt := range wants {
			for _, ext := range []string{".atom", ".rss", ".json"} {
				ch := got["/topics/"+topic+ext]
				slices.Sort(ch.New)
				slices.Sort(ch.Gone)
				slices.Sort(wt.new)
				slices.Sort(wt.gone)
				if !slices.Equal(ch.New, wt.new) || !slices.Equal(ch.Gone, wt.gone) {
					t.Errorf("%s: /topics/%s%s: new entries %q, gone %q; want new %q, gone %q", what, topic, ext, ch.New, ch.Gone, wt.new, wt.gone)
				}
			}
		}
		// Every format holds the same entries, by id.
		for _, topic := range []string{"all", "volcano"} {
			atom := r.subs["/topics/"+topic+".atom"].current
			for _, ext := range []string{".rss", ".json"} {
				if other := r.subs["/topics/"+topic+ext].current; !slices.Equal(atom, other) {
					t.Errorf("%s: /topics/%s%s holds %q; the Atom feed %q", what, topic, ext, other, atom)
				}
			}
		}
		if python != "" {
			r.checkFeedparser(what, python)
		}
		// newsboat holds every entry the reader was ever shown, once: an
		// entry in two of its feeds (a story in two topics, a topic in two
		// formats) is one entry to it, as it keys entries by id.
		if nb != nil {
			nb.check(what, r, nbFeeds)
		}
		clk.Add(time.Hour)
	}

	round("first poll", roundOpts{poll: true}, map[string]want{
		"all": {new: []string{"Lava from Mount Serel volcano reaches coastal road", "Port workers in Dunmore vote to strike over pay",
			"Grain prices climb after Hallen floods", "Orvik library reopens after renovation", "Night trains return to the northern line"}},
		"volcano": {new: []string{"Lava from Mount Serel volcano reaches coastal road"}},
		"press":   {new: []string{"Port workers in Dunmore vote to strike over pay", "Grain prices climb after Hallen floods"}},
	})
	round("a poll that finds nothing new", roundOpts{poll: true}, none)
	round("another", roundOpts{poll: true}, none)

	wire.items[0].title = "Lava from Mount Serel volcano cuts coastal road"
	round("the face's title edited", roundOpts{poll: true}, none)

	paper.items[1].text = "The paper's own account, corrected. " + strikeText
	round("another source's text edited", roundOpts{poll: true}, none)

	wire.items = append(wire.items, srcItem{"w-3", "Tavel bridge to close for repairs", "https://wire.example/tavel-bridge", bridgeText, clk.Now().Add(-30 * time.Minute)})
	paper.items = append(paper.items, srcItem{"urn:paper:3", "Lissen choir wins national contest", "https://paper.example/lissen-choir", choirText, clk.Now().Add(-20 * time.Minute)})
	round("two new stories", roundOpts{poll: true}, map[string]want{"all": {new: []string{"Tavel bridge to close for repairs", "Lissen choir wins national contest"}}, "volcano": {}})

	third.items = append(third.items, srcItem{"third-2", "Bridge and choir: the week in Tavel and Lissen", "https://third.example/week", bridgeText + " " + choirText, clk.Now().Add(-10 * time.Minute)})
	round("a roundup copying two stories", roundOpts{poll: true}, none)

	// A copy of a story's later text comes first, as a story of its own;
	// the edit that brings that text to the story joins the two, and the
	// copy's entry goes, the older id staying.
	paper.items = append(paper.items, srcItem{"urn:paper:4", "Miners trapped after a roof fall at Brennock", "https://paper.example/brennock-mine", mineFirst, clk.Now().Add(-12*time.Hour - 30*time.Minute)})
	round("a story that will be updated", roundOpts{poll: true}, map[string]want{"all": {new: []string{"Miners trapped after a roof fall at Brennock"}}, "volcano": {}})
	third.items = append(third.items, srcItem{"third-5", "AMAZING: all trapped Brennock miners rescued", "https://third.example/brennock-rescue", mineLater, clk.Now().Add(-30 * time.Minute)})
	round("a copy of its later text", roundOpts{poll: true}, map[string]want{"all": {new: []string{"AMAZING: all trapped Brennock miners rescued"}}, "volcano": {}})
	paper.items[3].title = "All five Brennock miners brought out alive after a nine-hour rescue"
	paper.items[3].text = mineLater + mineOwner
	round("the story's edit joins the copy", roundOpts{poll: true}, map[string]want{"all": {gone: []string{"AMAZING: all trapped Brennock miners rescued"}}, "volcano": {}})

	conf.digest = "Evening Digest"
	d.reload(conf.yaml(w), func() bool {
		_, body := r.get(d.srv.URL + "/topics/all.atom")
		return bytes.Contains(body, []byte("Evening Digest"))
	})
	round("a source renamed", roundOpts{relabel: true}, none)
	round("polled after the rename", roundOpts{poll: true}, none)

	// Paper's feed moves; the operator changes its URL in the config. It
	// is the same source: its stories stay in the topic that names it,
	// under the same ids and dates, at the reload and once its new URL is
	// read.
	w.feeds["/paper-new.atom"] = paper
	w.o.Feed("/paper-new.atom", contentTypes["atom"], paper.doc())
	conf.paper = "/paper-new.atom"
	d.reload(conf.yaml(w), nil)
	round("a source's URL changed", roundOpts{}, none)
	round("polled at its new URL", roundOpts{poll: true}, none)

	// Paper ranked first: the strike story shows Paper's report.
	conf.priority = 10
	d.reload(conf.yaml(w), nil)
	round("a source's priority raised", roundOpts{relabel: true}, none)

	d.restart()
	round("after a restart", roundOpts{}, none)
	round("polled after the restart", roundOpts{poll: true}, none)

	// Moved again, the config edited while the daemon is stopped.
	w.feeds["/paper-home.atom"] = paper
	w.o.Feed("/paper-home.atom", contentTypes["atom"], paper.doc())
	conf.paper = "/paper-home.atom"
	d.stop()
	d.cfgYML = conf.yaml(w)
	d.start()
	round("restarted with a source's URL edited", roundOpts{}, none)
	round("polled at that URL", roundOpts{poll: true}, none)
	if n := len(r.subs["/topics/press.atom"].current); n != 4 {
		t.Errorf("/topics/press.atom holds %d entries after Paper's moves; want its 4 stories", n)
	}

	conf.digest = ""
	d.reload(conf.yaml(w), nil)
	round("a source removed", roundOpts{relabel: true}, none)
	round("polled after the removal", roundOpts{poll: true}, none)

	conf.volcano += "      none: [Pellin]\n"
	d.reload(conf.yaml(w), nil)
	round("a story retagged out of the volcano topic", roundOpts{relabel: true},
		map[string]want{"all": {}, "volcano": {gone: []string{"Lava from Mount Serel volcano cuts coastal road"}}})

	d.compact()
	round("after compact", roundOpts{}, none)
	round("polled after compact", roundOpts{poll: true}, none)

	// A reader walks the older pages of a topic while stories come in.
	var walked []string
	arrived := []string{"Kelso ferry runs again", "Hallen farmers get emergency loans"}
	walked = r.walk("/topics/paged.atom", func() {
		wire.items = append(wire.items, srcItem{"w-4", arrived[0], "https://wire.example/kelso-ferry", ferryText, clk.Now().Add(-15 * time.Minute)})
		third.items = append(third.items, srcItem{"third-4", arrived[1], "https://third.example/hallen-loans",
			"The ministry granted emergency loans to the farmers of the Hallen valley whose wheat the floods destroyed. Payments start next week, the farmers' federation said.", clk.Now().Add(-5 * time.Minute)})
		w.publishFeeds()
		d.poll()
	})
	seen := map[string]bool{}
	for _, id := range walked {
		if seen[id] {
			t.Errorf("walking /topics/paged.atom while stories came in: entry %s on two pages (%q)", id, walked)
		}
		seen[id] = true
	}
	round("stories that came in while a reader paged", roundOpts{}, map[string]want{"all": {new: arrived}, "volcano": {}})
	for _, ext := range []string{".atom", ".rss", ".json"} {
		ids := r.walk("/topics/paged"+ext, nil)
		seen := map[string]bool{}
		for _, id := range ids {
			if seen[id] {
				t.Errorf("walking /topics/paged%s: entry %s on two pages (%q)", ext, id, ids)
			}
			seen[id] = true
		}
		if len(ids) != 7 {
			t.Errorf("walking /topics/paged%s: %d entries; want the 7 stories of its sources", ext, len(ids))
		}
	}

	saved := d.backup()
	wire.items = append(wire.items, srcItem{"w-5", "Serel observatory lowers the alert level", "https://wire.example/serel-alert",
		"Scientists at the Serel observatory lowered the alert level after the eruption weakened overnight. Families moved from Tessa may return home from Wednesday.", clk.Now().Add(-15 * time.Minute)})
	round("a story after the backup", roundOpts{poll: true}, map[string]want{"all": {new: []string{"Serel observatory lowers the alert level"}}, "volcano": {}})
	d.restore(saved)
	round("the backup restored", roundOpts{rollback: true}, map[string]want{"all": {gone: []string{"Serel observatory lowers the alert level"}}, "volcano": {}})
	round("polled after the restore", roundOpts{poll: true, rollback: true}, none)
	round("polled again", roundOpts{poll: true}, none)

	// A later report joins the strike story a day and a half on, while
	// its feeds still carry the first reports.
	clk.Add(36 * time.Hour)
	third.items = append(third.items, srcItem{"third-3", "Dunmore strike enters its second day", "https://third.example/dunmore-day-two",
		"The port workers' strike in Dunmore entered its second day. " + strikeText, clk.Now().Add(-10 * time.Minute)})
	round("a later report of the strike", roundOpts{poll: true}, none)

	// Four days after the first poll, under a retention of three days:
	// the stories of the first days go, though their feeds still carry
	// their items, and none of those comes back as new; the strike story
	// stays, its later report being within the retention.
	clk.Add(60 * time.Hour)
	conf.retention = "72h"
	d.reload(conf.yaml(w), nil)
	round("four days on, under a retention of three days", roundOpts{poll: true}, map[string]want{"all": {gone: []string{
		"Lava from Mount Serel volcano cuts coastal road", "Grain prices climb after Hallen floods", "Orvik library reopens after renovation",
		"Night trains return to the northern line", "Tavel bridge to close for repairs", "Lissen choir wins national contest",
		"Kelso ferry runs again", "Hallen farmers get emergency loans", "Serel observatory lowers the alert level",
		"All five Brennock miners brought out alive after a nine-hour rescue"}}, "volcano": {}})
	round("a poll after the prune", roundOpts{poll: true}, none)
	d.restart()
	round("restarted after the prune", roundOpts{poll: true}, none)
}
