package publish_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"go/build"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	xhtml "golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/publish"
)

// minifluxPrograms are the names Miniflux's program goes by: "go install
// miniflux.app/v2@v2.3.5" names it after its module, packages of it
// "miniflux".
var minifluxPrograms = []string{"miniflux.app", "miniflux"}

// minifluxProgram returns Miniflux's program: on PATH, or where go install
// puts it, in GOPATH's bin.
func minifluxProgram() (string, error) {
	var err error
	for _, name := range minifluxPrograms {
		var prog string
		if prog, err = exec.LookPath(name); err == nil {
			return prog, nil
		}
	}
	for _, name := range minifluxPrograms {
		if prog := filepath.Join(goBin(), name); exec.Command(prog, "-version").Run() == nil {
			return prog, nil
		}
	}
	return "", err
}

// goBin returns GOPATH's bin, where .ci/run has go install put programs:
// the bin of GOPATH's first folder, as the go command sees it, which may be
// set in its own configuration file (go env -w) and not in the
// environment.
func goBin() string {
	gopath := build.Default.GOPATH
	if out, err := exec.Command("go", "env", "GOPATH").Output(); err == nil && len(bytes.TrimSpace(out)) > 0 {
		gopath = string(bytes.TrimSpace(out))
	}
	first, _, _ := strings.Cut(gopath, string(filepath.ListSeparator))
	return filepath.Join(first, "bin")
}

// postgres is a PostgreSQL server of its own, in a temporary folder,
// listening on a Unix socket in that folder alone.
type postgres struct {
	dir    string   // the folder, holding the socket
	data   string   // the cluster
	runAs  []string // runuser and its arguments, or nothing
	binDir string   // PostgreSQL's programs
}

// postgresBin returns the folder of PostgreSQL's server programs: where
// pg_ctl is on PATH, or Debian's /usr/lib/postgresql/N/bin of the newest N.
func postgresBin() (string, error) {
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		return filepath.Dir(p), nil
	}
	found, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pg_ctl")
	slices.SortFunc(found, func(a, b string) int {
		va, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(a))))
		vb, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(b))))
		return va - vb
	})
	if len(found) == 0 {
		return "", errors.New("no pg_ctl on PATH or in /usr/lib/postgresql/*/bin")
	}
	return filepath.Dir(found[len(found)-1]), nil
}

// startPostgres starts a PostgreSQL server of the test's own and returns
// the database URL Miniflux connects with and the server's folder, or
// skips the test when PostgreSQL is missing (or fails it under CI=true).
// PostgreSQL refuses to run as root: run so, the test runs it as the user
// postgres, which Debian's package makes. The server stops, and its folder
// goes, when the test ends, or the test's process.
func startPostgres(t *testing.T) (dbURL, dir string) {
	t.Helper()
	bin, err := postgresBin()
	var runAs []string
	var owner *user.User
	if err == nil && os.Geteuid() == 0 {
		var runuser string
		runuser, err = exec.LookPath("runuser")
		if err == nil {
			owner, err = user.Lookup("postgres")
		}
		runAs = []string{runuser, "-u", "postgres", "--"}
	}
	needReader(t, err, "PostgreSQL", "postgresql")
	// Not t.TempDir, nor TMPDIR: a Unix socket's path must fit in 107
	// bytes, which a long TMPDIR leaves no room for, and run as root the
	// user postgres must be able to enter the folder, which it cannot
	// under a TMPDIR in /root. /tmp is short and open to every user.
	dir, err = os.MkdirTemp("/tmp", "tributary-pg-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if owner != nil {
		uid, _ := strconv.Atoi(owner.Uid)
		gid, _ := strconv.Atoi(owner.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	pg := &postgres{dir: dir, data: filepath.Join(dir, "data"), runAs: runAs, binDir: bin}
	// Should the test's process end without its cleanups (killed, or out
	// of time), a guard stops the server, which pg_ctl runs apart from
	// the test, and removes its folder: it waits for the end of its
	// standard input, a pipe whose other end the test's process alone
	// holds, which the system closes when that process ends.
	argv := append(slices.Clone(runAs), "sh", "-c", `read -r _; "$0" -D "$1" -m immediate stop >/dev/null 2>&1; rm -rf "$2"`,
		filepath.Join(bin, "pg_ctl"), pg.data, dir)
	guard := exec.Command(argv[0], argv[1:]...)
	guard.Dir = dir
	hold, err := guard.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := guard.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		hold.Close()
		guard.Wait() //nolint:errcheck // the server is stopped by then
	})
	pg.run(t, "initdb", "-D", pg.data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync")
	conf, err := os.OpenFile(filepath.Join(pg.data, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(conf, "listen_addresses = ''\nunix_socket_directories = '%s'\nfsync = off\n", dir)
	if err := conf.Close(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// pg_ctl stops the server this test started: the one whose
		// process id its cluster's postmaster.pid holds, there while it
		// runs.
		if _, err := os.Stat(filepath.Join(pg.data, "postmaster.pid")); err == nil {
			pg.run(t, "pg_ctl", "-D", pg.data, "-m", "immediate", "-w", "stop")
		}
	})
	pg.run(t, "pg_ctl", "-D", pg.data, "-l", filepath.Join(dir, "log"), "-w", "-t", "60", "start")
	return "host=" + dir + " user=postgres dbname=postgres sslmode=disable", dir
}

// run runs PostgreSQL's program name, as its user when the test runs as
// root.
func (pg *postgres) run(t *testing.T, name string, args ...string) {
	t.Helper()
	argv := append(slices.Clone(pg.runAs), filepath.Join(pg.binDir, name))
	argv = append(argv, args...)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = pg.dir
	if out, err := cmd.CombinedOutput(); err != nil {
		log, _ := os.ReadFile(filepath.Join(pg.dir, "log"))
		t.Fatalf("%s: %v\n%s\n%s", name, err, out, log)
	}
}

// miniflux is a running Miniflux, asked through its REST API.
type miniflux struct {
	base   string       // the URL its API is asked at
	client *http.Client // dials Miniflux's socket, whatever the URL's host
	log    *bytes.Buffer
}

// startMiniflux starts Miniflux on its own PostgreSQL and an empty
// database, with an administrator, fetching from loopback, which it
// refuses by default, and polling nothing on its own: the test has it
// refresh a feed when it asks. It listens on a Unix socket in
// PostgreSQL's folder: a free TCP port, found and let go before Miniflux
// took it, could be taken meanwhile by a test of another package, run at
// the same time, listening on a port the system chose. It skips the test
// when Miniflux or PostgreSQL is missing, or fails it under CI=true.
func startMiniflux(t *testing.T) *miniflux {
	t.Helper()
	prog, err := minifluxProgram()
	if err != nil {
		// needReader's pattern; Miniflux is no Debian package.
		msg := fmt.Sprintf("Miniflux missing (%v); go install miniflux.app/v2@v2.3.5 puts it in GOPATH's bin", err)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	// Miniflux's socket is in PostgreSQL's folder, a path short enough,
	// removed with it.
	dbURL, pgDir := startPostgres(t)
	sock := filepath.Join(pgDir, "miniflux.sock")
	tr := &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "unix", sock)
	}}
	t.Cleanup(tr.CloseIdleConnections)
	m := &miniflux{base: "http://miniflux.test", client: &http.Client{Transport: tr}, log: new(bytes.Buffer)}
	cmd := exec.Command(prog)
	cmd.Env = []string{
		"DATABASE_URL=" + dbURL,
		"RUN_MIGRATIONS=1",
		"CREATE_ADMIN=1",
		"ADMIN_USERNAME=admin",
		"ADMIN_PASSWORD=tributary",
		"LISTEN_ADDR=" + sock,
		"BASE_URL=" + m.base,
		"FETCHER_ALLOW_PRIVATE_NETWORKS=1",
		"DISABLE_SCHEDULER_SERVICE=1",
		"LOG_LEVEL=debug",
	}
	var mu sync.Mutex
	cmd.Stdout = lockedWriter{&mu, m.log}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", prog, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
		if t.Failed() {
			mu.Lock()
			t.Logf("Miniflux's log:\n%s", m.log)
			mu.Unlock()
		}
	})
	probe := &http.Client{Transport: tr, Timeout: 5 * time.Second}
	deadline := time.Now().Add(60 * time.Second)
	for {
		select {
		case err := <-exited:
			exited <- err
			t.Fatalf("Miniflux exited: %v", err)
		default:
		}
		resp, err := probe.Get(m.base + "/healthcheck")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return m
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("Miniflux did not answer on %s within a minute: %v", sock, err)
		}
		time.Sleep(50 * time.Millisecond) // polling, with a deadline
	}
}

// lockedWriter writes to w under mu: Miniflux's standard output and
// error, copied by two goroutines, into one log.
type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// call asks Miniflux's API, as the administrator, with in as JSON (or
// as it is, when it is []byte), and decodes its JSON answer into out
// unless out is nil; it fails the test on any status but want.
func (m *miniflux) call(t *testing.T, method, path string, in any, want int, out any) {
	t.Helper()
	var body io.Reader
	switch in := in.(type) {
	case nil:
	case []byte:
		body = bytes.NewReader(in)
	default:
		b, err := json.Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, m.base+path, body)
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth("admin", "tributary")
	req.Header.Set("Content-Type", "application/json")
	resp, err := m.client.Do(req)
	if err != nil {
		t.Fatalf("Miniflux %s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("Miniflux %s %s = %d %s; want %d", method, path, resp.StatusCode, b, want)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("Miniflux %s %s: %v\n%s", method, path, err, b)
		}
	}
}

// mfEntry is an entry as Miniflux's API gives it.
type mfEntry struct {
	Hash       string    `json:"hash"`
	Title      string    `json:"title"`
	URL        string    `json:"url"`
	Published  time.Time `json:"published_at"`
	Author     string    `json:"author"`
	Content    string    `json:"content"`
	Language   string    `json:"language"`
	Tags       []string  `json:"tags"`
	Enclosures []struct {
		URL      string `json:"url"`
		MimeType string `json:"mime_type"`
		Size     int64  `json:"size"`
	} `json:"enclosures"`
}

// feedEntries returns the entries of Miniflux's feed id, newest first.
func (m *miniflux) feedEntries(t *testing.T, id int64) []mfEntry {
	t.Helper()
	var page struct {
		Total   int       `json:"total"`
		Entries []mfEntry `json:"entries"`
	}
	m.call(t, http.MethodGet, fmt.Sprintf("/v1/entries?feed_id=%d&order=published_at&direction=desc&limit=100", id), nil, http.StatusOK, &page)
	if page.Total != len(page.Entries) {
		t.Fatalf("Miniflux feed %d: %d entries of %d", id, len(page.Entries), page.Total)
	}
	return page.Entries
}

// conditionalCounter counts, per path, the requests that carried a
// validator (If-None-Match or If-Modified-Since) and the answers 304.
type conditionalCounter struct {
	h                                  http.Handler
	mu                                 sync.Mutex
	requests, conditional, notModified map[string]int
}

func (c *conditionalCounter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
	c.h.ServeHTTP(rec, r)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.requests[r.URL.Path]++
	if r.Header.Get("If-None-Match") != "" || r.Header.Get("If-Modified-Since") != "" {
		c.conditional[r.URL.Path]++
	}
	if rec.status == http.StatusNotModified {
		c.notModified[r.URL.Path]++
	}
}

func (c *conditionalCounter) counts(path string) (requests, conditional, notModified int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.requests[path], c.conditional[path], c.notModified[path]
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

// onLoopback serves f's store through a publisher of its own whose base
// URL is the loopback address it is served at, and returns that URL and
// the counter of its requests. Miniflux looks for a feed's icon on the
// site the feed links to: at the fixture's base URL, a name it would ask
// the DNS for.
func onLoopback(t *testing.T, f *fixture) (string, *publish.Publisher, *conditionalCounter) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + l.Addr().String()
	cfg := *f.cfg
	cfg.Server.BaseURL = base + "/"
	pub := publish.New(&cfg, f.st, topicsCfg, prometheus.NewRegistry(), nil)
	pub.SetClock(fixedNow)
	t.Cleanup(pub.Close) // after the server closes
	cc := &conditionalCounter{h: pub.Handler(nil), requests: map[string]int{}, conditional: map[string]int{}, notModified: map[string]int{}}
	srv := httptest.NewUnstartedServer(cc)
	srv.Listener.Close()
	srv.Listener = l
	srv.Start()
	t.Cleanup(srv.Close)
	return base, pub, cc
}

// asMiniflux returns HTML h in a form to compare: its elements' attributes
// sorted, and, with sanitised, the attributes Miniflux's sanitiser gives
// every link (opened in a new tab, without a referrer, in place of the
// link's own rel) and picture (loaded lazily).
func asMiniflux(t *testing.T, h string, sanitised bool) string {
	t.Helper()
	ctx := &xhtml.Node{Type: xhtml.ElementNode, Data: "div", DataAtom: atom.Div}
	nodes, err := xhtml.ParseFragment(strings.NewReader(h), ctx)
	if err != nil {
		t.Fatalf("parsing %q: %v", h, err)
	}
	set := func(n *xhtml.Node, key, val string) {
		n.Attr = slices.DeleteFunc(n.Attr, func(a xhtml.Attribute) bool { return a.Key == key })
		n.Attr = append(n.Attr, xhtml.Attribute{Key: key, Val: val})
	}
	var walk func(n *xhtml.Node)
	walk = func(n *xhtml.Node) {
		if n.Type == xhtml.ElementNode && sanitised {
			switch n.DataAtom {
			case atom.A:
				set(n, "rel", "noopener noreferrer")
				set(n, "target", "_blank")
				set(n, "referrerpolicy", "no-referrer")
			case atom.Img:
				set(n, "loading", "lazy")
			}
		}
		slices.SortFunc(n.Attr, func(a, b xhtml.Attribute) int { return strings.Compare(a.Key, b.Key) })
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	var b strings.Builder
	for _, n := range nodes {
		walk(n)
		if err := xhtml.Render(&b, n); err != nil {
			t.Fatal(err)
		}
	}
	return b.String()
}

// TestMiniflux has Miniflux, the most used self-hosted reader written in
// Go, subscribe through its REST API, as its user adds a feed, to the
// topic world's RSS, Atom and JSON Feed, with the fixture's stories, the
// edge stories and the rich story, and reads back what it stored of every
// entry: what its user sees. Each entry must be there, known by the
// entry's id, with its title, link, date, author, language, HTML (after
// Miniflux's sanitiser), media files and categories. A second refresh of
// the unchanged feed must be a conditional request that Tributary answers
// 304, and add nothing; a story that arrives later must reach it, and a
// new face of a story take the place of the old. Miniflux must import
// Tributary's OPML, every topic's feed under its title, and read the feeds
// of the topic all with the hostile story, that story first, with nothing
// of its HTML that runs.
func TestMiniflux(t *testing.T) {
	m := startMiniflux(t)
	f, want, h, hostile := worldAndHostile(t)
	base, pub, cc := onLoopback(t, f)
	hbase, _, _ := onLoopback(t, h)
	feedIDs := map[string]int64{}
	for _, format := range []string{"rss", "atom", "json"} {
		path := "/topics/world." + format
		var created struct {
			FeedID int64 `json:"feed_id"`
		}
		m.call(t, http.MethodPost, "/v1/feeds", map[string]any{"feed_url": base + path}, http.StatusCreated, &created)
		feedIDs[path] = created.FeedID
		got := m.feedEntries(t, created.FeedID)
		if len(got) != len(want) {
			t.Fatalf("%s: Miniflux shows %d entries; want %d", path, len(got), len(want))
		}
		for i, w := range want {
			e := got[i]
			where := fmt.Sprintf("%s entry %d (%s)", path, i, w.title)
			// Miniflux knows an entry by the SHA-256 of its id (RSS's
			// guid), so the entry stays one across refreshes.
			if sum := sha256.Sum256([]byte(w.id)); e.Hash != hex.EncodeToString(sum[:]) {
				t.Errorf("%s: hash %s; want the SHA-256 of %q, the entry's id", where, e.Hash, w.id)
			}
			wantTitle, wantURL, wantEncs := w.title, w.link, w.enclosures
			persons := names(w.authors)
			var wantAuthor string
			switch format {
			case "rss":
				// RSS gives titles without tags and one enclosure.
				// Of an item's dc:creator elements Miniflux keeps
				// the last alone.
				wantTitle, wantEncs = asRSSText(wantTitle), wantEncs[:min(len(wantEncs), 1)]
				wantAuthor = persons[len(persons)-1]
			case "atom":
				wantAuthor = strings.Join(persons, ", ")
			case "json":
				// Miniflux counts the feed's authors among every
				// item's, sorted, where JSON Feed 1.1 makes them an
				// item's authors only when it names none of its own
				// (every entry here does).
				wantAuthor = strings.Join(slices.Sorted(slices.Values(append(persons, "Tributary"))), ", ")
			}
			if wantURL == "" && format != "json" {
				// An entry without a link links, in Miniflux, to
				// the feed's site, from RSS and Atom.
				wantURL = base + "/topics/world"
			}
			// Miniflux gives an entry's language, in lower case, from
			// Atom's xml:lang and JSON Feed's language, which Tributary
			// writes where the story's language is not the feed's: of
			// these, the story whose source declared en-GB. An RSS
			// item has no language of its own.
			wantLang := ""
			if w.id == "urn:tributary:story:"+f.ids[0] && format != "rss" {
				wantLang = "en-gb"
			}
			if e.Title != wantTitle || e.URL != wantURL || e.Published.UTC().Format(time.RFC3339) != w.published || e.Author != wantAuthor || e.Language != wantLang {
				t.Errorf("%s: title %q url %q published %s author %q language %q; want %q %q %s %q %q",
					where, e.Title, e.URL, e.Published.UTC().Format(time.RFC3339), e.Author, e.Language, wantTitle, wantURL, w.published, wantAuthor, wantLang)
			}
			var encs []string
			for _, enc := range e.Enclosures {
				encs = append(encs, enc.URL+" "+enc.MimeType+" "+romeLength(enc.Size))
			}
			// Miniflux gives an entry's tags sorted.
			if wantTags := slices.Sorted(slices.Values(w.categories)); !slices.Equal(e.Tags, wantTags) || !slices.Equal(encs, wantEncs) {
				t.Errorf("%s: tags %q, enclosures %q; want %q, %q", where, e.Tags, encs, wantTags, wantEncs)
			}
			if got, want := asMiniflux(t, e.Content, false), asMiniflux(t, w.content, true); got != want {
				t.Errorf("%s: HTML\n%s\nwant\n%s", where, got, want)
			}
		}
		m.call(t, http.MethodPut, fmt.Sprintf("/v1/feeds/%d/refresh", created.FeedID), nil, http.StatusNoContent, nil)
		if again := m.feedEntries(t, created.FeedID); len(again) != len(got) {
			t.Errorf("%s: a refresh of the unchanged feed left %d entries; want %d", path, len(again), len(got))
		}
		requests, conditional, notModified := cc.counts(path)
		if requests != 2 || conditional != 1 || notModified != 1 {
			t.Errorf("%s: %d requests, %d conditional, %d answered 304; want 2, 1 and 1", path, requests, conditional, notModified)
		}
	}
	// A story that arrives late, dated before every other, changes the
	// feeds but not the date of their newest story: the next refresh
	// must get it, however Miniflux asks whether the feed changed. Its
	// title and category hold a "<" that opens a tag never closed: RSS
	// gives it a space after it, so that no reader reads a tag there,
	// and keeps the text after it. Meanwhile a better item becomes the
	// face of the markets story, whose entry keeps its id: Miniflux
	// shows the new title in place of the old, as one entry.
	late := putStories(t, f.db, storySpec{at: t0.Add(30 * time.Minute), topics: []string{"all", "world"}, tags: []string{"x<y"}, items: []itemSpec{
		{src: srcBeta, guid: "late-1", title: "A late report: x<y, a<b", link: "https://beta.example/news/late", content: "<p>Late.</p>"}}})
	err := f.db.Update(t.Context(), func(tx aggregator.Tx) error {
		st, err := tx.Story(f.ids[1])
		if err != nil {
			return err
		}
		it := aggregator.Item{ID: aggregator.ItemID(srcAlpha.ID, "a-better"), SourceID: srcAlpha.ID, GUID: "a-better", Link: "https://alpha.example/markets",
			Title: "Markets fell sharply", Content: "<p>A fuller report.</p>", Published: st.Time, FirstSeen: st.Time, Dated: true, StoryID: st.ID}
		st.Members = append(st.Members, aggregator.Member{Item: it.ID, Source: it.SourceID, Time: it.Published, Match: aggregator.Match{Reason: aggregator.ReasonGUID}})
		st.Face = it.ID
		if err := tx.PutItem(it); err != nil {
			return err
		}
		return tx.PutStory(st)
	})
	if err != nil {
		t.Fatal(err)
	}
	pub.Changed("all", "world")
	markets := slices.IndexFunc(want, func(w readerWant) bool { return w.id == "urn:tributary:story:"+f.ids[1] })
	lateHash := sha256.Sum256([]byte("urn:tributary:story:" + late[0]))
	for _, format := range []string{"rss", "atom", "json"} {
		path := "/topics/world." + format
		m.call(t, http.MethodPut, fmt.Sprintf("/v1/feeds/%d/refresh", feedIDs[path]), nil, http.StatusNoContent, nil)
		got := m.feedEntries(t, feedIDs[path])
		wantTitle, wantTags := "A late report: x<y, a<b", []string{"x<y"}
		if format == "rss" {
			wantTitle, wantTags = "A late report: x< y, a< b", []string{"x< y"}
		}
		if e := got[len(got)-1]; len(got) != len(want)+1 || e.Hash != hex.EncodeToString(lateHash[:]) || e.Title != wantTitle || !slices.Equal(e.Tags, wantTags) {
			t.Fatalf("%s: after a late story, Miniflux shows %d entries, the last %q tagged %q; want %d, the last the late story's, %q tagged %q",
				path, len(got), e.Title, e.Tags, len(want)+1, wantTitle, wantTags)
		}
		if e, sum := got[markets], sha256.Sum256([]byte(want[markets].id)); e.Hash != hex.EncodeToString(sum[:]) || e.Title != "Markets fell sharply" || e.URL != "https://alpha.example/markets" {
			t.Errorf("%s: entry %d %q at %q; want the markets story's, under its new face's title and link", path, markets, e.Title, e.URL)
		}
		if requests, conditional, notModified := cc.counts(path); requests != 3 || conditional != 2 || notModified != 1 {
			t.Errorf("%s: %d requests, %d conditional, %d answered 304; want 3, 2 and 1", path, requests, conditional, notModified)
		}
	}
	// Tributary's OPML, imported as a Miniflux user imports a list of
	// feeds, subscribes to every topic's Atom feed, under its title and
	// linking to its page. (A publisher of its own, at other URLs than
	// the feeds subscribed above.)
	obase, _, _ := onLoopback(t, f)
	resp, err := http.Get(obase + "/opml")
	if err != nil {
		t.Fatal(err)
	}
	opml, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /opml = %d, %v", resp.StatusCode, err)
	}
	m.call(t, http.MethodPost, "/v1/import", opml, http.StatusCreated, nil)
	var feeds []struct {
		Title   string `json:"title"`
		FeedURL string `json:"feed_url"`
		SiteURL string `json:"site_url"`
	}
	m.call(t, http.MethodGet, "/v1/feeds", nil, http.StatusOK, &feeds)
	var imported, wantImported []string
	for _, fd := range feeds {
		if strings.HasPrefix(fd.FeedURL, obase+"/") {
			imported = append(imported, fd.FeedURL+" "+fd.SiteURL+" "+fd.Title)
		}
	}
	for _, tc := range topicsCfg {
		wantImported = append(wantImported, obase+"/topics/"+tc.ID+".atom "+obase+"/topics/"+tc.ID+" "+tc.Title)
	}
	slices.Sort(imported)
	slices.Sort(wantImported)
	if !slices.Equal(imported, wantImported) {
		t.Errorf("Miniflux imported from the OPML\n%s\nwant\n%s", strings.Join(imported, "\n"), strings.Join(wantImported, "\n"))
	}
	hostileTitle := map[string]string{
		// Miniflux drops U+FFFD, which Tributary writes for bytes that
		// are not UTF-8, from XML, not from JSON.
		"rss":  "Bad title ]]> alert(1) ( end",
		"atom": "Bad title ]]> <script>alert(1)</script> ( end",
		"json": "Bad title ]]> <script>alert(1)</script> \ufffd( end",
	}
	for _, format := range []string{"rss", "atom", "json"} {
		path := "/topics/all." + format
		var created struct {
			FeedID int64 `json:"feed_id"`
		}
		m.call(t, http.MethodPost, "/v1/feeds", map[string]any{"feed_url": hbase + path}, http.StatusCreated, &created)
		got := m.feedEntries(t, created.FeedID)
		if len(got) == 0 {
			t.Errorf("%s: Miniflux shows no entry; want the hostile story first", path)
			continue
		}
		e := got[0]
		if sum := sha256.Sum256([]byte(hostile)); e.Hash != hex.EncodeToString(sum[:]) || e.URL != "https://evil.example/a?b=1&c=%3C2%3E" || e.Title != hostileTitle[format] {
			t.Errorf("%s: entry 0 %s at %q titled %q; want the hostile story's, at its item's link, escaped, titled %q", path, e.Hash, e.URL, e.Title, hostileTitle[format])
		}
		if strings.Contains(e.Content, "<script") || strings.Contains(e.Content, "onerror") || strings.Contains(e.Content, "javascript:") || !strings.Contains(e.Content, "<p>text ]]&gt; more") {
			t.Errorf("%s: entry 0's HTML %q; want its text without what runs", path, e.Content)
		}
	}
}
