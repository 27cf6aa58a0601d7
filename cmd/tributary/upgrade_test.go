package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tributary-feeds/tributary/aggregator/feedtest"
	"github.com/tributary-feeds/tributary/store"
)

// upgradeOrigin serves the feeds that the stores in testdata/upgrade were
// written from.
func upgradeOrigin(t *testing.T) *feedtest.Origin {
	t.Helper()
	o := feedtest.NewOrigin(t)
	for _, f := range []struct{ name, contentType string }{
		{"wire.rss", "application/rss+xml"},
		{"ledger.atom", "application/atom+xml"},
		{"digest.json", "application/feed+json"},
	} {
		b, err := os.ReadFile(filepath.Join("testdata", "upgrade", f.name))
		if err != nil {
			t.Fatal(err)
		}
		o.Feed("/"+f.name, f.contentType, b)
	}
	return o
}

// upgradeConfig writes into dir the config the stores in testdata/upgrade
// were written under, its sources on o, its store dir/data/tributary.db.
func upgradeConfig(t *testing.T, dir string, o *feedtest.Origin) string {
	t.Helper()
	return saveConfig(t, dir, fmt.Sprintf(`server:
  listen: "127.0.0.1:0"
storage:
  path: %q
  retention: 0
poll:
  allow_private: true
sources:
  - url: %q
    name: "Harbour Wire"
    tags: [wire]
  - url: %q
    name: "The Daily Ledger"
    priority: 1
  - url: %q
    name: "Morning Digest"
    tags: [digest]
topics:
  - id: weather
    title: "Weather"
    match:
      any: ["storm", "rainfall", "wildfire", "floods"]
  - id: transport
    title: "Transport"
    match:
      any: ["tram", "ferry"]
      none: ["football"]
  - id: ledger
    title: "Ledger"
    sources: ["The Daily Ledger"]
`, filepath.Join(dir, "data", "tributary.db"), o.URL("/wire.rss"), o.URL("/ledger.atom"), o.URL("/digest.json")))
}

// tributary runs one command and returns what it printed and logged.
func tributary(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err = run(t.Context(), args, &out, &errOut)
	return out.String(), errOut.String(), err
}

// exportedItem is what the upgrade tests compare of an exported item: the
// items it shares a story with (by GUID), and the story's topics and tags.
type exportedItem struct {
	together string
	topics   string
	tags     string
}

// exportByGUID exports the store of the config at path and returns each
// item by its GUID.
func exportByGUID(t *testing.T, path string) map[string]exportedItem {
	t.Helper()
	out, errOut, err := tributary(t, "export", "-config", path)
	if err != nil {
		t.Fatalf("export: %v\n%s", err, errOut)
	}
	type line struct {
		GUID   string   `json:"guid"`
		Story  string   `json:"story"`
		Topics []string `json:"topics"`
		Tags   []string `json:"tags"`
	}
	var lines []line
	members := map[string][]string{}
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var l line
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("export line %q: %v", sc.Text(), err)
		}
		lines = append(lines, l)
		members[l.Story] = append(members[l.Story], l.GUID)
	}
	got := map[string]exportedItem{}
	for _, l := range lines {
		if _, ok := got[l.GUID]; ok {
			t.Errorf("export: item %s twice", l.GUID)
		}
		together := slices.Sorted(slices.Values(members[l.Story]))
		got[l.GUID] = exportedItem{strings.Join(together, " "), strings.Join(l.Topics, " "), strings.Join(l.Tags, " ")}
	}
	return got
}

// gunzipStore writes the gzipped store file fixture to dst.
func gunzipStore(t *testing.T, fixture, dst string) {
	t.Helper()
	f, err := os.Open(fixture)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if _, err := b.ReadFrom(zr); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestUpgradeOlderStores opens stores that earlier builds wrote, one of
// each format version (testdata/upgrade/README.md says how they were
// made), with this build, as an operator who upgrades in place does. Before
// anything writes them, verify finds each sound and export lists every
// item once, in the stories a new store makes of the same feeds. The first
// poll adds nothing, retags the stories once and gives them the topics and
// tags a new store gives them; a second poll retags nothing. The daemon
// then serves every topic with every story, each entry saying its
// language, and a second start of it does no upgrade work again.
func TestUpgradeOlderStores(t *testing.T) {
	o := upgradeOrigin(t)
	fresh := upgradeConfig(t, t.TempDir(), o)
	if _, errOut, err := tributary(t, "poll", "-config", fresh); err != nil {
		t.Fatalf("poll into a new store: %v\n%s", err, errOut)
	}
	want := exportByGUID(t, fresh)
	if len(want) != 16 {
		t.Fatalf("a new store holds %d items of the feeds; want 16", len(want))
	}
	topicEntries := map[string]int{}
	stories := map[string]map[string]bool{}
	for _, it := range want {
		for _, topic := range strings.Fields(it.topics) {
			if stories[topic] == nil {
				stories[topic] = map[string]bool{}
			}
			stories[topic][it.together] = true
			topicEntries[topic] = len(stories[topic])
		}
	}

	for _, version := range []string{"v1", "v2", "v3", "v4"} {
		t.Run(version, func(t *testing.T) {
			dir := t.TempDir()
			path := upgradeConfig(t, dir, o)
			db := filepath.Join(dir, "data", "tributary.db")
			gunzipStore(t, filepath.Join("testdata", "upgrade", version+".db.gz"), db)

			// Read before anything writes the file.
			if out, errOut, err := tributary(t, "verify", "-config", path, db); err != nil || !strings.Contains(out, "sound") {
				t.Errorf("verify of the %s store = %v, %q %q; want it sound", version, err, out, errOut)
			}
			got := exportByGUID(t, path)
			for guid, w := range want {
				g, ok := got[guid]
				switch {
				case !ok:
					t.Errorf("export of the %s store: item %s missing", version, guid)
				case g.together != w.together:
					t.Errorf("export of the %s store: item %s is one story with %q; want %q", version, guid, g.together, w.together)
				}
			}
			if len(got) != len(want) {
				t.Errorf("export of the %s store: %d items; want %d", version, len(got), len(want))
			}

			out, errOut, err := tributary(t, "poll", "-config", path)
			if err != nil || !strings.Contains(out, "0 new items, 0 new stories") {
				t.Errorf("first poll after the upgrade = %v, %q; want no new item", err, out)
			}
			if n := strings.Count(errOut, "stories retagged"); n != 1 {
				t.Errorf("first poll after the upgrade logged %d retags; want 1:\n%s", n, errOut)
			}
			got = exportByGUID(t, path)
			for guid, w := range want {
				if g := got[guid]; g != w {
					t.Errorf("after the first poll, item %s: %+v; want %+v, as in a new store", guid, g, w)
				}
			}
			out, errOut, err = tributary(t, "poll", "-config", path)
			if err != nil || !strings.Contains(out, "0 new items, 0 new stories") || strings.Contains(errOut, "retagged") {
				t.Errorf("second poll = %v, %q\n%s; want no new item and no retag", err, out, errOut)
			}
			out, _, err = tributary(t, "explain", "-config", path, "https://wire.example/news/portmere-crane")
			if err != nil || !strings.Contains(out, "2 item(s) from 2 source(s)") {
				t.Errorf("explain of the crane story = %v\n%s; want its two items", err, out)
			}

			for start := 1; start <= 2; start++ {
				d := startDaemon(t, path)
				for topic, n := range topicEntries {
					_, body := d.get(t, "/topics/"+topic+".json")
					var feed struct {
						Items []struct {
							Title    string `json:"title"`
							Language string `json:"language"`
						} `json:"items"`
					}
					if err := json.Unmarshal(body, &feed); err != nil {
						t.Fatalf("start %d: /topics/%s.json: %v", start, topic, err)
					}
					if len(feed.Items) != n {
						t.Errorf("start %d: topic %s has %d entries; want %d", start, topic, len(feed.Items), n)
					}
					for _, it := range feed.Items {
						if it.Language == "" || strings.HasPrefix(it.Title, "La banque") && it.Language != "fr" {
							t.Errorf("start %d: topic %s: entry %q says language %q; want the one its source declares", start, topic, it.Title, it.Language)
						}
					}
				}
				d.stop()
				if err := <-d.done; err != nil {
					t.Fatalf("serve: %v", err)
				}
				d.done <- nil // for the cleanup
				if strings.Contains(d.out.String(), "stories retagged") {
					t.Errorf("start %d retagged the stories again:\n%s", start, d.out.String())
				}
			}
			if out, errOut, err := tributary(t, "verify", "-config", path); err != nil || !strings.Contains(out, "sound") {
				t.Errorf("verify after the upgrade = %v, %q %q; want it sound", err, out, errOut)
			}
		})
	}
}

// TestAskingAnEarlierDaemon runs verify while a daemon of an earlier
// version holds the store, as after the binary was replaced and the daemon
// not restarted: the daemon knows no /api/verify, and the command says to
// restart it, where it said only that the daemon answered 404.
func TestAskingAnEarlierDaemon(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "data", "tributary.db")
	db, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	// An earlier daemon answers /healthz, as every version does, and
	// nothing it does not serve.
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		fmt.Fprintln(w, `{"status":"ok","time":"2026-11-02T12:00:00Z"}`)
	})
	earlier := httptest.NewServer(mux)
	t.Cleanup(earlier.Close)
	cfg := saveConfig(t, dir, fmt.Sprintf("server:\n  listen: %q\nstorage:\n  path: %q\nsources:\n  - url: \"http://127.0.0.1:1/feed.rss\"\n",
		earlier.Listener.Addr().String(), path))
	_, _, err = tributary(t, "verify", "-config", cfg)
	if err == nil || !strings.Contains(err.Error(), "404") || !strings.Contains(err.Error(), "/api/verify") ||
		!strings.Contains(err.Error(), "earlier version") || !strings.Contains(err.Error(), "restart the daemon") {
		t.Errorf("verify asking a daemon without /api/verify = %v; want it to say the daemon is of an earlier version, to restart", err)
	}
}

// TestAskingAnotherServer runs status, export and verify where the store
// is not at storage.path and server.listen names the address of another
// program, which answers 404 for everything: each says that the server
// there is no daemon and asks whether server.listen is the daemon's
// address, where each said to restart the daemon, so that it runs this
// version, of a daemon that does not run.
func TestAskingAnotherServer(t *testing.T) {
	dir := t.TempDir()
	other := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(other.Close)
	cfg := saveConfig(t, dir, fmt.Sprintf("server:\n  listen: %q\nstorage:\n  path: %q\nsources:\n  - url: \"http://127.0.0.1:1/feed.rss\"\n",
		other.Listener.Addr().String(), filepath.Join(dir, "data", "tributary.db")))
	for _, cmd := range []string{"status", "export", "verify"} {
		_, _, err := tributary(t, cmd, "-config", cfg)
		if err == nil || strings.Contains(err.Error(), "restart the daemon") || !strings.Contains(err.Error(), "is no tributary daemon") ||
			!strings.Contains(err.Error(), "server.listen") {
			t.Errorf("%s asking another program's server = %v; want it to say that is no daemon, and nothing of a restart", cmd, err)
		}
	}
}
