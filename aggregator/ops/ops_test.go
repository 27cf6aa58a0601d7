package ops_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/ingest"
	"github.com/tributary-feeds/tributary/aggregator/ops"
	"github.com/tributary-feeds/tributary/store"
)

// TestOPMLRoundTrip imports a file written by another reader through the
// opml config key, exports the sources, and imports the export again: the
// same sources, names and tags come back.
func TestOPMLRoundTrip(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "subscriptions.opml"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "subs.opml"), raw, 0o644); err != nil {
		t.Fatal(err)
	}
	yaml := "opml: [subs.opml]\nsources:\n  - url: \"https://digest.example/feed.json\"\n    name: \"Digest (tuned)\"\n    interval: 2h\n"
	path := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := aggregator.LoadFile(path)
	if err != nil {
		t.Fatalf("LoadFile: %v", err)
	}
	type src struct {
		URL, Name string
		Tags      []string
	}
	var got []src
	for _, s := range cfg.Sources {
		got = append(got, src{s.URL, s.Name, s.Tags})
	}
	want := []src{
		{"https://digest.example/feed.json", "Digest (tuned)", nil}, // the YAML entry wins
		{"https://wire.example/feed.rss", "Harbour Wire", []string{"news"}},
		{"https://ledger.example/atom.xml", "The Daily Ledger", []string{"news", "local", "politics"}},
		{"https://kernel.example/index.json", "Kernel Notes", []string{"tech", "blogs"}},
	}
	if len(got) != len(want) {
		t.Fatalf("sources after import = %+v; want %+v", got, want)
	}
	for i := range want {
		if got[i].URL != want[i].URL || got[i].Name != want[i].Name || !slices.Equal(got[i].Tags, want[i].Tags) {
			t.Errorf("source %d = %+v; want %+v", i, got[i], want[i])
		}
	}

	var out bytes.Buffer
	if err := ops.WriteSourcesOPML(&out, cfg, nil, time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	again, err := aggregator.ReadOPML(&out)
	if err != nil {
		t.Fatalf("ReadOPML(export): %v\n%s", err, out.String())
	}
	if len(again) != len(cfg.Sources) {
		t.Fatalf("re-import found %d feeds; want %d", len(again), len(cfg.Sources))
	}
	for i, f := range again {
		s := cfg.Sources[i]
		if f.URL != s.URL || f.Name != s.Name || !slices.Equal(f.Tags, s.Tags) {
			t.Errorf("re-imported feed %d = %+v; want url %q name %q tags %q", i, f, s.URL, s.Name, s.Tags)
		}
	}
}

// TestOPMLNamesByHostAndPath lists sources that have no name and were
// never read, whose URLs carry a password or a token: each outline is
// titled with the host, path and query of its URL, the token as xxxxx, as
// status names the source, and keeps its URL whole as xmlUrl, which a
// reader fetches.
func TestOPMLNamesByHostAndPath(t *testing.T) {
	withPassword := "https://alice:S3CR3T-1@private.example/members.rss"
	withToken := "https://private.example/feed/?token=S3CR3T-2&format=rss"
	cfg := &aggregator.Config{Sources: []aggregator.SourceConfig{{URL: withPassword}, {URL: withToken}}}
	var out bytes.Buffer
	if err := ops.WriteSourcesOPML(&out, cfg, nil, time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	feeds, err := aggregator.ReadOPML(bytes.NewReader(out.Bytes()))
	if err != nil {
		t.Fatalf("ReadOPML(export): %v\n%s", err, out.String())
	}
	want := []struct{ url, name string }{
		{withPassword, "private.example/members.rss"},
		{withToken, "private.example/feed?token=xxxxx&format=rss"},
	}
	if len(feeds) != len(want) {
		t.Fatalf("export lists %d feeds; want %d\n%s", len(feeds), len(want), out.String())
	}
	for i, w := range want {
		if feeds[i].URL != w.url || feeds[i].Name != w.name {
			t.Errorf("outline %d: xmlUrl %q, title %q; want %q, %q", i, feeds[i].URL, feeds[i].Name, w.url, w.name)
		}
	}
	for _, attr := range []string{"text", "title"} {
		if strings.Contains(out.String(), attr+`="https://`) {
			t.Errorf("export names a source by its URL in %s:\n%s", attr, out.String())
		}
	}
}

func TestOPMLErrorNamesKey(t *testing.T) {
	_, err := aggregator.Load(strings.NewReader("opml: [missing.opml]\n"), filepath.Join(t.TempDir(), "config.yaml"))
	if err == nil || !strings.Contains(err.Error(), ":1: opml:") || !strings.Contains(err.Error(), "missing.opml") {
		t.Errorf("Load with a missing OPML file: %v; want an error naming line 1, the key and the file", err)
	}
}

func TestAllowFrom(t *testing.T) {
	srv := aggregator.ServerConfig{MetricsAllow: []string{"10.0.0.0/8", "192.0.2.7"}}
	h := ops.AllowFrom(func() aggregator.ServerConfig { return srv }, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	for _, tt := range []struct {
		remote string
		want   int
	}{
		{"10.1.2.3:5000", 200}, {"192.0.2.7:1", 200}, {"192.0.2.8:1", 403}, {"[::ffff:10.0.0.1]:80", 200}, {"127.0.0.1:9", 403},
	} {
		r := httptest.NewRequest("GET", "/metrics", nil)
		r.RemoteAddr = tt.remote
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != tt.want {
			t.Errorf("AllowFrom from %s = %d; want %d", tt.remote, w.Code, tt.want)
		}
		// A refusal is of one client: no shared cache may give it to
		// another, as /api/'s other error answers say.
		if got := w.Result().Header.Values("Cache-Control"); tt.want == 403 && (len(got) != 1 || got[0] != "no-store") {
			t.Errorf("AllowFrom from %s: 403 with Cache-Control %q; want [no-store]", tt.remote, got)
		}
	}
	if _, err := ops.ParsePrefixes([]string{"nonsense"}); err == nil {
		t.Errorf("ParsePrefixes(nonsense) = nil error")
	}
}

// TestAllowFromNobodyListed: with server.metrics_allow empty, /metrics and
// /api/* (the whole store, through /api/backup) answer only clients on the
// server's own machine, whatever forwarding headers claim.
func TestAllowFromNobodyListed(t *testing.T) {
	h := ops.AllowFrom(func() aggregator.ServerConfig { return aggregator.ServerConfig{} }, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	for _, tt := range []struct {
		remote, local string // local "" leaves the server's address unknown
		want          int
	}{
		{"127.0.0.1:5000", "127.0.0.1:8080", 200},
		{"127.3.4.5:5000", "", 200},
		{"[::1]:5000", "[::1]:8080", 200},
		{"[::ffff:127.0.0.1]:5000", "", 200},
		// The command line on the host of a daemon that listens on one of
		// its interfaces connects from that interface's address.
		{"192.0.2.10:5000", "192.0.2.10:8080", 200},
		{"[2001:db8::10]:5000", "[2001:db8::10]:8080", 200},
		// Any other machine, a container's gateway among them.
		{"192.0.2.99:5000", "192.0.2.10:8080", 403},
		{"172.17.0.1:40000", "172.17.0.2:8080", 403},
		{"10.1.2.3:5000", "", 403},
		{"[2001:db8::99]:5000", "[2001:db8::10]:8080", 403},
		{"[fe80::1%eth0]:5000", "[fe80::2%eth0]:8080", 403},
		{"garbage", "", 403},
	} {
		r := httptest.NewRequest("GET", "/api/backup", nil)
		r.Host = "127.0.0.1:8080"
		r.RemoteAddr = tt.remote
		r.Header.Set("X-Forwarded-For", "127.0.0.1")
		r.Header.Set("X-Real-IP", "127.0.0.1")
		r.Header.Set("Forwarded", "for=127.0.0.1")
		if tt.local != "" {
			ap := netip.MustParseAddrPort(tt.local)
			r = r.WithContext(context.WithValue(r.Context(), http.LocalAddrContextKey, net.TCPAddrFromAddrPort(ap)))
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != tt.want {
			t.Errorf("AllowFrom(empty list) from %s to %s = %d; want %d", tt.remote, tt.local, w.Code, tt.want)
		}
	}
}

// TestAllowFromRebound: with server.metrics_allow empty, a request from
// this machine that names another host, as a web page does whose name an
// attacker pointed at 127.0.0.1 (DNS rebinding), is refused; one that names
// this machine by address, by localhost or by the names of server.listen
// and server.base_url is served. A listed network takes any name.
func TestAllowFromRebound(t *testing.T) {
	srv := aggregator.ServerConfig{Listen: "feedbox.lan:8080", BaseURL: "https://feeds.example.org/tributary"}
	h := ops.AllowFrom(func() aggregator.ServerConfig { return srv }, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	for _, tt := range []struct {
		host string
		want int
	}{
		{"127.0.0.1:8080", 200},
		{"[::1]:8080", 200},
		{"localhost:8080", 200},
		{"LOCALHOST", 200},
		{"localhost.:8080", 200},
		{"app.localhost:8080", 200},
		{"feedbox.lan:8080", 200},
		{"Feeds.Example.Org", 200},
		{"rebind.attacker.example:8080", 403},
		{"localhost.attacker.example", 403},
		{"127.0.0.1.attacker.example", 403},
		{"", 403},
	} {
		r := httptest.NewRequest("GET", "/api/backup", nil)
		r.Host = tt.host
		r.RemoteAddr = "127.0.0.1:5000"
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != tt.want {
			t.Errorf("AllowFrom(empty list) from loopback with Host %q = %d; want %d", tt.host, w.Code, tt.want)
		}
	}
	srv.MetricsAllow = []string{"10.0.0.0/8"}
	r := httptest.NewRequest("GET", "/metrics", nil)
	r.Host, r.RemoteAddr = "prometheus-target.internal:8080", "10.1.2.3:5000"
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != 200 {
		t.Errorf("AllowFrom(10.0.0.0/8) from 10.1.2.3 with Host %q = %d; want 200", r.Host, w.Code)
	}
}

func TestRecover(t *testing.T) {
	h := ops.Recover(testLogger(t), http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { panic("boom") }))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
	if w.Code != 500 || strings.Contains(w.Body.String(), "boom") {
		t.Errorf("panicking handler gave %d %q; want a plain 500 without the panic text", w.Code, w.Body.String())
	}
}

func TestStateWords(t *testing.T) {
	now := time.Date(2026, 11, 3, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		st   aggregator.SourceState
		want string
	}{
		{aggregator.SourceState{}, "never fetched"},
		{aggregator.SourceState{LastFetch: now, LastResult: "ok"}, "ok"},
		{aggregator.SourceState{LastFetch: now, LastResult: "not_modified"}, "not modified"},
		{aggregator.SourceState{LastFetch: now, Disabled: true, LastError: "http 410 gone"}, "disabled: http 410 gone"},
		{aggregator.SourceState{LastFetch: now, Failures: 2, NextDue: now.Add(time.Hour), FailingSince: now.Add(-time.Hour), LastError: "timeout"},
			"backing off until 2026-11-03 13:00:00Z (failing since 2026-11-03 11:00:00Z: timeout)"},
		// A source read elsewhere than its configured URL says where, so
		// that the operator can correct the config.
		{aggregator.SourceState{LastFetch: now, LastResult: "ok", ConfigURL: "http://a.example/rss", URL: "https://a.example/feed.xml"},
			"ok (moved to https://a.example/feed.xml)"},
		{aggregator.SourceState{LastFetch: now, LastResult: "not_modified", ConfigURL: "http://a.example/rss", URL: "https://a.example/feed.xml"},
			"not modified (moved to https://a.example/feed.xml)"},
		{aggregator.SourceState{LastFetch: now, Failures: 1, LastResult: "error", LastError: "http 500 internal server error from https://a.example/feed.xml",
			ConfigURL: "http://a.example/rss", URL: "https://a.example/feed.xml"},
			"failing since -: http 500 internal server error from https://a.example/feed.xml (moved to https://a.example/feed.xml)"},
		// One pair of brackets: the line reads as one clause.
		{aggregator.SourceState{LastFetch: now, LastResult: "unchanged", ConfigURL: "http://a.example/rss", URL: "https://a.example/feed.xml"},
			"ok (unchanged; moved to https://a.example/feed.xml)"},
		{aggregator.SourceState{LastFetch: now, Failures: 2, NextDue: now.Add(time.Hour), FailingSince: now.Add(-time.Hour), LastError: "timeout",
			ConfigURL: "http://a.example/rss", URL: "https://a.example/feed.xml"},
			"backing off until 2026-11-03 13:00:00Z (failing since 2026-11-03 11:00:00Z: timeout; moved to https://a.example/feed.xml)"},
		// An error ending with brackets of its own (the words of the
		// server's page) keeps them to itself.
		{aggregator.SourceState{LastFetch: now, Failures: 1, LastResult: "error", LastError: `http 404 not found from https://a.example/feed.xml ("Page gone")`,
			ConfigURL: "http://a.example/rss", URL: "https://a.example/feed.xml"},
			`failing since -: http 404 not found from https://a.example/feed.xml ("Page gone") (moved to https://a.example/feed.xml)`},
		{aggregator.SourceState{LastFetch: now, Disabled: true, LastResult: "gone", LastError: `http 410 gone from https://a.example/feed.xml ("Closed")`,
			ConfigURL: "http://a.example/rss", URL: "https://a.example/feed.xml"},
			`disabled: http 410 gone from https://a.example/feed.xml ("Closed") (moved to https://a.example/feed.xml)`},
		{aggregator.SourceState{LastFetch: now, LastResult: "ok", URL: "https://a.example/feed.xml"}, "ok"}, // stored before ConfigURL was
	}
	for _, tt := range tests {
		if got := ops.State(tt.st, now); got != tt.want {
			t.Errorf("State(%+v) = %q; want %q", tt.st, got, tt.want)
		}
	}
}

func TestClip(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"exactly ten", 11, "exactly ten"},
		{"a longer name", 8, "a longe…"},
		{"新闻主页新闻主页", 5, "新闻主页…"},   // never a split character
		{"ab🇫🇷🇩🇪", 4, "ab…"},       // nor half a flag
		{"अक्षय समाचार", 3, "अ…"},  // nor a conjunct
		{"Cafe\u0301s", 5, "Caf…"}, // nor a letter and its accent
	}
	for _, tt := range tests {
		if got := ops.Clip(tt.in, tt.n); got != tt.want {
			t.Errorf("Clip(%q, %d) = %q; want %q", tt.in, tt.n, got, tt.want)
		}
	}
}

func TestPad(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"Wire", 8, "Wire    "},
		{"a longer name", 8, "a longe…"},
		{"华夏日报", 10, "华夏日报  "},                                  // each character two columns
		{"华夏日报新闻中心", 10, "华夏日报… "},                              // cut between characters, never inside one
		{"สยามเดลี่", 8, "สยามเดลี่ "},                          // vowel signs above and below take no column
		{"Hà Nội", 8, "Hà Nội  "},                         // nor do combining accents
		{"👨\u200d👩\u200d👧 News", 10, "👨\u200d👩\u200d👧 News   "}, // one emoji of three joined
		{"🇫🇷🇩🇪 Info", 4, "🇫🇷… "},                                // a flag whole or not at all
		{"सक्षम समाचार", 3, "स… "},                              // a conjunct too
	}
	for _, tt := range tests {
		got := ops.Pad(tt.in, tt.n)
		if got != tt.want {
			t.Errorf("Pad(%q, %d) = %q; want %q", tt.in, tt.n, got, tt.want)
		}
		if w := ops.Width(got); w != tt.n {
			t.Errorf("Width(Pad(%q, %d)) = %d; want %d", tt.in, tt.n, w, tt.n)
		}
	}
}

// TestStatusAlignsWideNames checks the status table in a terminal's
// columns: sources named in Chinese, in Thai and with decomposed accents
// have their last fetch in the same column as one named in English.
func TestStatusAlignsWideNames(t *testing.T) {
	db, err := store.Open(filepath.Join(t.TempDir(), "tributary.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	now := time.Date(2026, 11, 3, 12, 0, 0, 0, time.UTC)
	cfg := &aggregator.Config{}
	for i, name := range []string{"Harbour Wire", "华夏日报", "สยามเดลี่", "Bản Tin"} {
		src := fmt.Sprintf("https://feeds%d.example/rss", i)
		cfg.Sources = append(cfg.Sources, aggregator.SourceConfig{URL: src, Name: name})
		if err := db.PutSource(t.Context(), aggregator.SourceState{ID: aggregator.SourceID(src), ConfigURL: src, URL: src,
			Name: name, LastFetch: now.Add(-time.Duration(i) * time.Minute), NextDue: now.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	out := statusTable(t, cfg, db, now)
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	want := -1
	for _, l := range lines[1:] {
		i := strings.Index(l, "2026-11-03")
		if i < 0 {
			t.Fatalf("status line %q has no last fetch", l)
		}
		col := ops.Width(l[:i])
		if want < 0 {
			want = col
		}
		if col != want {
			t.Errorf("status:\n%s\nthe last fetch of %q starts in column %d; want %d", out, l, col, want)
		}
	}
}

// failingStore is a real store whose export fails after its first 30
// items, as a read error midway through a large store would.
type failingStore struct{ *store.DB }

func (f failingStore) Export(ctx context.Context, fn func(aggregator.Item, aggregator.Story) error) error {
	n := 0
	err := f.DB.Export(ctx, func(it aggregator.Item, st aggregator.Story) error {
		if n++; n > 30 {
			return errors.New("reading item: damaged record")
		}
		return fn(it, st)
	})
	return err
}

// TestExportFailsLoudly checks that an export that fails midway is not
// answered as a whole one: the client reads a broken body, not JSON Lines
// followed by an error message and a clean end.
func TestExportFailsLoudly(t *testing.T) {
	db, err := store.Open(filepath.Join(t.TempDir(), "t.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	src := aggregator.SourceState{ID: aggregator.SourceID("https://a.example/feed"), URL: "https://a.example/feed", Name: "A"}
	var items []aggregator.Item
	for i := range 40 {
		items = append(items, aggregator.Item{
			ID: aggregator.ItemID(src.ID, fmt.Sprint("g", i)), SourceID: src.ID, GUID: fmt.Sprint("g", i),
			Link: fmt.Sprintf("https://a.example/%d", i), Title: fmt.Sprintf("Report number %d on the harbour", i),
			Published: time.Date(2024, 3, 1, 0, i, 0, 0, time.UTC), Hash: fmt.Sprint("h", i),
		})
	}
	err = db.Update(t.Context(), func(tx aggregator.Tx) error {
		_, err := ingest.New(&aggregator.Config{}, nil).Apply(tx, src, items)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	cfg := func() *aggregator.Config { return &aggregator.Config{} }
	srv := httptest.NewServer(ops.Handler(cfg, db))
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/api/export")
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || bytes.Count(body, []byte("\n")) != 40 {
		t.Fatalf("whole export: %d lines, err %v; want 40 lines and a clean end", bytes.Count(body, []byte("\n")), err)
	}

	failing := httptest.NewServer(ops.Handler(cfg, failingStore{db}))
	defer failing.Close()
	resp, err = http.Get(failing.URL + "/api/export")
	if err != nil {
		t.Fatal(err)
	}
	body, err = io.ReadAll(resp.Body)
	resp.Body.Close()
	if err == nil {
		t.Errorf("export failing after 30 items: status %d, %d bytes read to a clean end; want the body broken off", resp.StatusCode, len(body))
	}
	if bytes.Contains(body, []byte("export failed")) {
		t.Errorf("export failing after 30 items: the body carries the error message among the lines")
	}
}

// TestStatusHidesQueryCredentials lists sources never fetched, named by
// the host, path and query of their URLs, without the password and with
// the credential in the query as xxxxx, and
// one whose error an earlier version recorded with its URL whole: status
// gives the credential of that URL's query as xxxxx.
func TestStatusHidesQueryCredentials(t *testing.T) {
	db, err := store.Open(filepath.Join(t.TempDir(), "tributary.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	now := time.Date(2026, 11, 3, 12, 0, 0, 0, time.UTC)
	pending := "https://private.example/feed?token=S3CR3T&format=rss"
	failing := "https://other.example/rss?apikey=S3CR3T"
	if err := db.PutSource(t.Context(), aggregator.SourceState{ID: aggregator.SourceID(failing), ConfigURL: failing, URL: failing,
		Name: "other.example", LastFetch: now, Failures: 1, FailingSince: now, NextDue: now.Add(-time.Minute),
		LastError: "parsing " + failing + ": unexpected EOF"}); err != nil {
		t.Fatal(err)
	}
	cfg := &aggregator.Config{Sources: []aggregator.SourceConfig{{URL: pending}, {URL: failing},
		{URL: "https://alice:S3CR3T@members.example/feeds/all.rss"}}}
	out := statusTable(t, cfg, db, now)
	for _, want := range []string{"\nprivate.example/feed?token=xxxxx&format=rss ", "\nmembers.example/feeds/all.rss ", "parsing https://other.example/rss?apikey=xxxxx: unexpected EOF"} {
		if strings.Contains(out, "S3CR3T") || strings.Contains(out, "alice") || !strings.Contains(out, want) {
			t.Errorf("status:\n%s\nwant %q and no credential", out, want)
		}
	}

	// /api/status, which a Prometheus network listed in
	// server.metrics_allow may read, hands out no credential either: not
	// in a URL, a password before the host included, nor in an error.
	withPassword := "https://alice:S3CR3T@private.example/members.rss"
	cfg.Sources = append(cfg.Sources, aggregator.SourceConfig{URL: withPassword, Name: "Members"})
	srv := httptest.NewServer(ops.Handler(func() *aggregator.Config { return cfg }, db))
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/api/status")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || bytes.Contains(body, []byte("S3CR3T")) || !bytes.Contains(body, []byte("private.example/members.rss")) {
		t.Errorf("/api/status = %d\n%s\nwant the sources, and no credential", resp.StatusCode, body)
	}
}

// TestStatusSourceNoLongerConfigured moves a source to another URL under the
// same name: status tells the old state from the new by its URL, and gives
// the old one no next due time, as it is fetched no more.
func TestStatusSourceNoLongerConfigured(t *testing.T) {
	db, err := store.Open(filepath.Join(t.TempDir(), "tributary.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	now := time.Date(2026, 11, 3, 12, 0, 0, 0, time.UTC)
	old, moved := "https://gazette.example/rss", "https://gazette.example/feed.xml"
	for _, u := range []string{old, moved} {
		if err := db.PutSource(t.Context(), aggregator.SourceState{ID: aggregator.SourceID(u), ConfigURL: u, URL: u,
			Name: "Gazette", LastFetch: now, LastSuccess: now, NextDue: now.Add(time.Hour), LastResult: "ok"}); err != nil {
			t.Fatal(err)
		}
	}
	cfg := &aggregator.Config{Sources: []aggregator.SourceConfig{{URL: moved, Name: "Gazette"}}}
	out := statusTable(t, cfg, db, now)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 {
		t.Fatalf("status:\n%s\nwant a header and two rows", out)
	}
	due := "2026-11-03 13:00:00Z"
	if !strings.HasPrefix(lines[1], "Gazette ") || !strings.Contains(lines[1], due) {
		t.Errorf("status, the configured source:\n%s\nwant Gazette, next due %s", lines[1], due)
	}
	if !strings.HasPrefix(lines[2], "Gazette (not configured: "+old+")") || strings.Contains(lines[2], due) {
		t.Errorf("status, the old state:\n%s\nwant named with its URL %s, and no next due time", lines[2], old)
	}
}

// TestStatusShowsNoTerminalControls records an error that quotes a host name
// a hostile redirect gave, with a C1 escape (U+009B, which a terminal may
// read as the start of an escape sequence) and a right-to-left override in
// it: the status table shows neither.
func TestStatusShowsNoTerminalControls(t *testing.T) {
	db, err := store.Open(filepath.Join(t.TempDir(), "tributary.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	now := time.Date(2026, 11, 3, 12, 0, 0, 0, time.UTC)
	src := "https://feeds.example/rss"
	if err := db.PutSource(t.Context(), aggregator.SourceState{ID: aggregator.SourceID(src), ConfigURL: src, URL: src,
		Name: "Feeds\u2067 example", LastFetch: now, Failures: 1, FailingSince: now, NextDue: now.Add(-time.Minute),
		LastError: "redirect to http://x%C2%9B2J.example/: dial tcp: lookup x\u009b2J\u202eexe.example: no such host"}); err != nil {
		t.Fatal(err)
	}
	cfg := &aggregator.Config{Sources: []aggregator.SourceConfig{{URL: src}}}
	out := statusTable(t, cfg, db, now)
	if strings.ContainsAny(out, "\u009b\u202e\u2067") || !strings.Contains(out, "lookup x 2J exe.example: no such host") {
		t.Errorf("status:\n%q\nwant the error without its control characters", out)
	}
}

// statusTable returns the status table of the sources of cfg in db, as
// `tributary status` prints it at now.
func statusTable(t *testing.T, cfg *aggregator.Config, db aggregator.Store, now time.Time) string {
	t.Helper()
	rows, err := ops.Status(t.Context(), cfg, db)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := ops.WriteStatus(&b, rows, now); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestAPIAnswersNoStore checks that every answer of the /api/ endpoints,
// an unknown path's 404 and a refused method's 405 too, carries
// Cache-Control: no-store, as the README says of every error answer of
// the daemon's endpoints, where they carried none and a shared cache could
// keep a 404 or the store's status as it was.
func TestAPIAnswersNoStore(t *testing.T) {
	db, err := store.Open(filepath.Join(t.TempDir(), "tributary.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	srv := httptest.NewServer(ops.Handler(func() *aggregator.Config { return &aggregator.Config{} }, db))
	defer srv.Close()
	for _, tt := range []struct {
		method, path string
		want         int
	}{
		{http.MethodGet, "/api/status", http.StatusOK},
		{http.MethodGet, "/api/export", http.StatusOK},
		{http.MethodGet, "/api/nope", http.StatusNotFound},
		{http.MethodPost, "/api/status", http.StatusMethodNotAllowed},
	} {
		req, err := http.NewRequestWithContext(t.Context(), tt.method, srv.URL+tt.path, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.want || resp.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("%s %s = %d, Cache-Control %q; want %d and no-store", tt.method, tt.path, resp.StatusCode, resp.Header.Get("Cache-Control"), tt.want)
		}
	}
}
