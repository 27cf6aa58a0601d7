package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/tributary-feeds/tributary/aggregator"
)

// TestReload edits the config under a running daemon: SIGHUP with a broken
// file is refused and the old config keeps serving; SIGHUP with a new topic
// adds it, already holding the stories stored before.
func TestReload(t *testing.T) {
	o := newOrigin(t)
	path := writeConfig(t, o, "")
	d := startDaemon(t, path)
	waitFor(t, "stories stored", 15*time.Second, func() bool {
		_, body := d.get(t, "/topics/all.json")
		return bytes.Count(body, []byte(`"id": "urn:tributary:story:`))+bytes.Count(body, []byte(`"id":"urn:tributary:story:`)) >= 5
	})
	orig, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}

	if err := os.WriteFile(path, append(orig, []byte("  - id: broken\n    titel: x\n")...), 0o644); err != nil {
		t.Fatal(err)
	}
	syscall.Kill(os.Getpid(), syscall.SIGHUP)
	waitFor(t, "the refused reload logged", 10*time.Second, func() bool {
		return strings.Contains(d.out.String(), "config reload refused")
	})
	if resp, _ := d.get(t, "/topics/quakes.atom"); resp.StatusCode != http.StatusOK {
		t.Errorf("after a refused reload /topics/quakes.atom = %s; want the old config still serving", resp.Status)
	}
	// /healthz, and so `tributary health`, says so: the daemon is healthy
	// on the config it had.
	var health struct{ Status, Config string }
	resp, body := d.get(t, "/healthz")
	if err := json.Unmarshal(body, &health); err != nil {
		t.Fatalf("GET /healthz %q: %v", body, err)
	}
	if resp.StatusCode != http.StatusOK || health.Status != "ok" ||
		!strings.Contains(health.Config, "reload of "+path+" refused at ") || !strings.Contains(health.Config, "topics[2].titel") {
		t.Errorf("GET /healthz after a refused reload = %s %s; want 200, ok, and the refusal with the file's error", resp.Status, body)
	}

	if err := os.WriteFile(path, orig, 0o644); err != nil {
		t.Fatal(err)
	}
	addDroughtTopic(t, path)
	syscall.Kill(os.Getpid(), syscall.SIGHUP)
	waitForDroughtStory(t, d, "after reload")
	if _, body := d.get(t, "/healthz"); bytes.Contains(body, []byte(`"config"`)) {
		t.Errorf("GET /healthz after a reload that passed = %s; want no word on the config", body)
	}
}

// waitForDroughtStory waits until the daemon serves the topic that
// addDroughtTopic adds, and checks that it holds the one drought story.
func waitForDroughtStory(t *testing.T, d *daemon, when string) {
	t.Helper()
	var titles []string
	waitFor(t, "the new topic served with its story", 10*time.Second, func() bool {
		resp, body := d.get(t, "/topics/drought.atom")
		if resp.StatusCode != http.StatusOK {
			return false
		}
		f, err := gofeed.NewParser().ParseString(string(body))
		if err != nil {
			t.Fatalf("parsing /topics/drought.atom: %v", err)
		}
		titles = titles[:0]
		for _, it := range f.Items {
			titles = append(titles, it.Title)
		}
		return len(titles) > 0
	})
	if len(titles) != 1 || titles[0] != "Drought forces rationing in three northern provinces" {
		t.Errorf("/topics/drought.atom %s = %q; want the one drought story", when, titles)
	}
}

// TestCommands runs the read-side commands against the store a poll wrote.
func TestCommands(t *testing.T) {
	o := newOrigin(t)
	path := writeConfig(t, o, "")
	var out, errOut bytes.Buffer
	if err := run(t.Context(), []string{"poll", "-config", path}, &out, &errOut); err != nil {
		t.Fatalf("poll: %v\n%s", err, errOut.String())
	}
	if !strings.Contains(out.String(), "3 sources") || !strings.Contains(out.String(), "6 new items") {
		t.Errorf("poll summary:\n%s\nwant 3 sources and 6 new items", out.String())
	}

	out.Reset()
	if err := run(t.Context(), []string{"export", "-config", path}, &out, &errOut); err != nil {
		t.Fatalf("export: %v", err)
	}
	stories := map[string][]string{}
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		var line struct {
			Item, Source, Link, Title, Story string
			Topics                           []string
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("export line %q: %v", sc.Text(), err)
		}
		if line.Item == "" || line.Story == "" || line.Source == "" {
			t.Errorf("export line misses fields: %s", sc.Text())
		}
		stories[line.Story] = append(stories[line.Story], line.Source)
	}
	if len(stories) != 5 {
		t.Errorf("export shows %d stories; want 5", len(stories))
	}

	out.Reset()
	if err := run(t.Context(), []string{"status", "-config", path}, &out, &errOut); err != nil {
		t.Fatalf("status: %v", err)
	}
	for _, name := range []string{"SOURCE", "Harbour Wire", "The Daily Ledger", "Morning Digest"} {
		if !strings.Contains(out.String(), name) {
			t.Errorf("status output lacks %q:\n%s", name, out.String())
		}
	}

	out.Reset()
	link := o.URL("/nothing") // not stored
	if err := run(t.Context(), []string{"explain", "-config", path, link}, &out, &errOut); !errors.Is(err, aggregator.ErrNotFound) || strings.Count(err.Error(), link) != 1 {
		t.Errorf("explain of an unknown link = %v; want not found, naming the link once", err)
	}
	out.Reset()
	err := run(t.Context(), []string{"explain", "-config", path, "https://wire.example/world/portmere-quake?fbclid=zzz"}, &out, &errOut)
	if err != nil {
		t.Fatalf("explain: %v", err)
	}
	for _, want := range []string{"Harbour Wire", "Morning Digest", "canonical link", "yes quakes", "no ledger"} {
		if !strings.Contains(strings.Join(strings.Fields(out.String()), " "), want) {
			t.Errorf("explain output lacks %q:\n%s", want, out.String())
		}
	}

	for _, line := range strings.Split(out.String(), "\n") {
		if rest, ok := strings.CutPrefix(line, "tags: "); ok {
			seen := map[string]bool{}
			for _, tag := range strings.Split(rest, ", ") {
				if seen[strings.ToLower(tag)] {
					t.Errorf("story tags %q repeat %q in another case", rest, tag)
				}
				seen[strings.ToLower(tag)] = true
			}
		}
	}

	out.Reset()
	if err := run(t.Context(), []string{"topics", "-config", path, "test", "quakes"}, &out, &errOut); err != nil {
		t.Fatalf("topics test: %v", err)
	}
	if !strings.Contains(out.String(), "1 stored story matches") {
		t.Errorf("topics test output:\n%s", out.String())
	}

	out.Reset()
	if err := run(t.Context(), []string{"opml", "-config", path}, &out, &errOut); err != nil {
		t.Fatalf("opml: %v", err)
	}
	if !strings.Contains(out.String(), `xmlUrl="`+o.URL("/wire.rss")+`"`) {
		t.Errorf("opml output lacks the wire source:\n%s", out.String())
	}

	backup := t.TempDir() + "/backup.db"
	out.Reset()
	if err := run(t.Context(), []string{"backup", "-config", path, backup}, &out, &errOut); err != nil {
		t.Fatalf("backup: %v", err)
	}
	out.Reset()
	if err := run(t.Context(), []string{"compact", "-config", path}, &out, &errOut); err != nil {
		t.Fatalf("compact: %v", err)
	}
}

func TestCheckExitCodes(t *testing.T) {
	var out, errOut bytes.Buffer
	bad := t.TempDir() + "/bad.yaml"
	os.WriteFile(bad, []byte("poll:\n  intervall: 5m\n"), 0o644)
	err := run(t.Context(), []string{"check", "-config", bad}, &out, &errOut)
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != exitUsage || !strings.Contains(err.Error(), "bad.yaml:2: poll.intervall: unknown key") {
		t.Errorf("check of a bad config = %v; want exit 2 naming file, line and key", err)
	}
	err = run(t.Context(), []string{"frobnicate"}, &out, &errOut)
	if !errors.As(err, &ee) || ee.code != exitUsage {
		t.Errorf("unknown command = %v; want exit 2", err)
	}
	if err := run(t.Context(), []string{"check", "-config", "../../config.yaml"}, &out, &errOut); err != nil {
		t.Errorf("check of the shipped config.yaml: %v", err)
	}
}

// TestCheckEmptyFile checks an empty config, which a reload refuses:
// check fails on it too, with exit status 2, rather than saying ok.
func TestCheckEmptyFile(t *testing.T) {
	for _, text := range []string{"", "\n  \n", "# Tributary configuration\n# (settings to come)\n", "~\n"} {
		path := t.TempDir() + "/config.yaml"
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		var out, errOut bytes.Buffer
		err := run(t.Context(), []string{"check", "-config", path}, &out, &errOut)
		var ee *exitError
		if !errors.As(err, &ee) || ee.code != exitUsage || !strings.Contains(err.Error(), path+": the file is empty") {
			t.Errorf("check of a config of %q = %v; want exit 2 saying that %s is empty", text, err, path)
		}
		if out.Len() != 0 {
			t.Errorf("check of a config of %q printed %q; want nothing on stdout", text, out.String())
		}
	}
}

// TestServeEmptyFile checks that serve refuses an empty or comment-only
// config as check and a reload do, with exit status 2 and the same
// message, rather than run on the default address with no sources. The
// store's default place is taken by a folder, so that a serve that went on
// would stop there, before it listens.
func TestServeEmptyFile(t *testing.T) {
	for _, text := range []string{"", "# Tributary configuration\n# (settings to come)\n", "~\n"} {
		dir := t.TempDir()
		t.Chdir(dir)
		if err := os.MkdirAll(filepath.Join(dir, "data", "tributary.db"), 0o755); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, "config.yaml")
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		var out, errOut bytes.Buffer
		served := run(t.Context(), []string{"serve", "-config", path}, &out, &errOut)
		checked := run(t.Context(), []string{"check", "-config", path}, &out, &errOut)
		var ee *exitError
		if !errors.As(served, &ee) || ee.code != exitUsage || !strings.Contains(served.Error(), path+": the file is empty") {
			t.Errorf("serve with a config of %q = %v; want exit 2 saying that %s is empty", text, served, path)
		}
		if served == nil || checked == nil || served.Error() != checked.Error() {
			t.Errorf("serve with a config of %q = %v; check = %v; want the same message", text, served, checked)
		}
	}
}

// TestStoreCommandsEmptyFile checks that the commands that open the store
// at the config's storage.path refuse an empty or comment-only config as
// check and serve do, with exit status 2 and the same message, rather than
// work on (and poll, make) a store at the default storage.path in the
// working directory.
func TestStoreCommandsEmptyFile(t *testing.T) {
	commands := [][]string{
		{"poll"},
		{"explain", "https://news.example/a"},
		{"topics", "test", "all"},
		{"backup", "copy.db"},
		{"compact"},
		{"opml"},
	}
	for _, text := range []string{"", "# Tributary configuration\n# (settings to come)\n", "~\n"} {
		for _, args := range commands {
			dir := t.TempDir()
			t.Chdir(dir)
			path := filepath.Join(dir, "config.yaml")
			if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
			var out, errOut bytes.Buffer
			err := run(t.Context(), append(args, "-config", path), &out, &errOut)
			var ee *exitError
			if !errors.As(err, &ee) || ee.code != exitUsage || !strings.Contains(err.Error(), path+": the file is empty") {
				t.Errorf("%s with a config of %q = %v; want exit 2 saying that %s is empty", strings.Join(args, " "), text, err, path)
			}
			if _, err := os.Stat(filepath.Join(dir, "data")); !os.IsNotExist(err) {
				t.Errorf("%s with a config of %q left data/ in the working directory (stat: %v); want nothing made", strings.Join(args, " "), text, err)
			}
		}
	}
}

// addDroughtTopic appends a topic that one stored story matches to the
// config at path.
func addDroughtTopic(t *testing.T, path string) {
	t.Helper()
	orig, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	extra := "  - id: drought\n    title: \"Drought\"\n    match:\n      any: [\"drought\", \"rationing\"]\n"
	if err := os.WriteFile(path, append(orig, []byte(extra)...), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestRestartRetags edits the config while the daemon is stopped: started
// again, it serves a new topic already holding the stories stored before,
// though no source brings anything new.
func TestRestartRetags(t *testing.T) {
	o := newOrigin(t)
	path := writeConfig(t, o, "")
	var out, errOut bytes.Buffer
	if err := run(t.Context(), []string{"poll", "-config", path}, &out, &errOut); err != nil {
		t.Fatalf("poll: %v\n%s", err, errOut.String())
	}
	addDroughtTopic(t, path)
	d := startDaemon(t, path)
	waitForDroughtStory(t, d, "after a restart")
	// The line follows the commit that the story was served from.
	waitFor(t, "the retagging in the daemon log", 10*time.Second, func() bool {
		return strings.Contains(d.out.String(), "stories retagged")
	})
}

// TestPollRetags edits the config between two runs of poll: the second
// files the stored drought story under the new topic, though no source
// brings anything new.
func TestPollRetags(t *testing.T) {
	o := newOrigin(t)
	path := writeConfig(t, o, "")
	// A fetch that runs past the second the shared config allows, on a
	// loaded machine, would leave the source backing off and the second
	// poll skipping it: this test is about retagging, not timeouts.
	slow, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	patient := bytes.Replace(slow, []byte("interval: 2s\n  min_interval: 1s\n  timeout: 1s"), []byte("interval: 1m\n  min_interval: 1s\n  timeout: 30s"), 1)
	if bytes.Equal(patient, slow) {
		t.Fatal("the shared config no longer sets poll.interval, min_interval and timeout as this test expects")
	}
	if err := os.WriteFile(path, patient, 0o644); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if i == 1 {
			addDroughtTopic(t, path)
		}
		var out, errOut bytes.Buffer
		if err := run(t.Context(), []string{"poll", "-config", path}, &out, &errOut); err != nil {
			t.Fatalf("poll %d: %v\n%s", i+1, err, errOut.String())
		}
		if !strings.Contains(out.String(), " 0 failed") {
			t.Fatalf("poll %d: a source failed:\n%s", i+1, out.String())
		}
	}
	var out, errOut bytes.Buffer
	if err := run(t.Context(), []string{"topics", "-config", path, "test", "drought"}, &out, &errOut); err != nil {
		t.Fatalf("topics test: %v", err)
	}
	if !strings.Contains(out.String(), "1 stored story matches") || strings.Contains(out.String(), "+ ") {
		t.Errorf("topics test drought after the second poll:\n%s\nwant the story already in the topic", out.String())
	}
}

// TestReloadLogLevel turns on debug logging with a reload: the fetches
// after it are logged one line each, as log.level says.
func TestReloadLogLevel(t *testing.T) {
	o := newOrigin(t)
	path := writeConfig(t, o, "")
	orig, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	info := strings.Replace(string(orig), "level: debug", "level: info", 1)
	if err := os.WriteFile(path, []byte(info), 0o644); err != nil {
		t.Fatal(err)
	}
	d := startDaemon(t, path)
	waitFor(t, "a first fetch", 10*time.Second, func() bool { return len(o.RequestsTo("/wire.rss")) > 0 })
	if strings.Contains(d.out.String(), "msg=fetched") {
		t.Fatalf("a fetch logged at level info:\n%s", d.out.String())
	}

	if err := os.WriteFile(path, orig, 0o644); err != nil {
		t.Fatal(err)
	}
	syscall.Kill(os.Getpid(), syscall.SIGHUP)
	waitFor(t, "the reload logged", 5*time.Second, func() bool {
		return strings.Contains(d.out.String(), "config reloaded")
	})
	// Sources are polled every 2s.
	waitFor(t, "a fetch logged after log.level became debug", 6*time.Second, func() bool {
		return strings.Contains(d.out.String(), "msg=fetched")
	})
}

// TestReloadRestartSettings moves storage.path with a reload, then moves it
// back: the first is warned of as taking effect on restart, naming
// storage.path alone, the second, which leaves the daemon as it started,
// is not.
func TestReloadRestartSettings(t *testing.T) {
	o := newOrigin(t)
	path := writeConfig(t, o, "")
	d := startDaemon(t, path)
	orig, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	const warning = "storage.path changes take effect on restart"
	for i, text := range []string{strings.Replace(string(orig), "tributary.db", "moved.db", 1), string(orig)} {
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		syscall.Kill(os.Getpid(), syscall.SIGHUP)
		waitFor(t, "the reload logged", 5*time.Second, func() bool {
			return strings.Count(d.out.String(), "config reloaded") == i+1
		})
	}
	if n := strings.Count(d.out.String(), warning); n != 1 {
		t.Errorf("%q logged %d times; want once, for the reload that moved storage.path and not for the one that moved it back:\n%s", warning, n, d.out.String())
	}
	// The warning names what moved, and only that.
	if strings.Contains(d.out.String(), "server.listen") {
		t.Errorf("a reload that moved storage.path alone warned of server.listen:\n%s", d.out.String())
	}
}

// TestReloadListenKeepsBaseURL moves server.listen with a reload, under a
// config that gives no base_url: until a restart the daemon answers where
// it did, and its feeds keep linking there rather than to the new address.
func TestReloadListenKeepsBaseURL(t *testing.T) {
	o := newOrigin(t)
	path := writeConfig(t, o, "")
	orig, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	derived := strings.Replace(string(orig), "  base_url: \"http://feeds.test\"\n", "", 1)
	if err := os.WriteFile(path, []byte(derived), 0o644); err != nil {
		t.Fatal(err)
	}
	d := startDaemon(t, path)
	const self = `href="http://127.0.0.1:0/topics/all.atom" rel="self"`
	if _, body := d.get(t, "/topics/all.atom"); !strings.Contains(string(body), self) {
		t.Fatalf("/topics/all.atom before the reload names no %s:\n%s", self, body)
	}
	moved := strings.Replace(derived, "127.0.0.1:0", "127.0.0.1:1", 1)
	if err := os.WriteFile(path, []byte(moved), 0o644); err != nil {
		t.Fatal(err)
	}
	syscall.Kill(os.Getpid(), syscall.SIGHUP)
	waitFor(t, "the reload logged", 5*time.Second, func() bool {
		return strings.Contains(d.out.String(), "config reloaded")
	})
	if _, body := d.get(t, "/topics/all.atom"); !strings.Contains(string(body), self) {
		t.Errorf("/topics/all.atom after a reload that moved server.listen names no %s, where the daemon still answers:\n%s", self, body)
	}
}

// TestPollExitStatus runs poll with every source failing, then with one
// failing: only the first exits non-zero, so that a cron job can tell.
func TestPollExitStatus(t *testing.T) {
	o := newOrigin(t)
	path := writeConfig(t, o, "")
	for _, p := range []string{"/wire.rss", "/daily.atom", "/digest.json"} {
		o.Status(p, http.StatusInternalServerError, "")
	}
	var out, errOut bytes.Buffer
	err := run(t.Context(), []string{"poll", "-config", path}, &out, &errOut)
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != exitFailure || !strings.Contains(err.Error(), "no source could be fetched") {
		t.Errorf("poll with every source failing = %v; want exit 1, no source could be fetched", err)
	}
	if !strings.Contains(out.String(), "3 failed") {
		t.Errorf("poll summary:\n%s\nwant 3 failed", out.String())
	}

	// -force: the sources that failed are still backing off.
	o.Feed("/wire.rss", "application/rss+xml; charset=utf-8", readFixture(t, "wire.rss"))
	out.Reset()
	if err := run(t.Context(), []string{"poll", "-config", path, "-force"}, &out, &errOut); err != nil {
		t.Errorf("poll with one source of three fetched = %v; want exit 0\n%s", err, out.String())
	}
}

// TestReloadEmptyFile checks that a reload of a config file left empty (an
// editor's save caught half done) is refused, and the running sources and
// topics stay, where an empty config would have dropped them all.
func TestReloadEmptyFile(t *testing.T) {
	o := newOrigin(t)
	path := writeConfig(t, o, "")
	d := startDaemon(t, path)
	// White space alone; comments alone, a file's header whose settings
	// were left out; a document of null.
	for i, text := range []string{"\n  \n", "# Tributary configuration\n\n# (settings to come)\n", "---\n~\n"} {
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		syscall.Kill(os.Getpid(), syscall.SIGHUP)
		waitFor(t, "the reload refused", 5*time.Second, func() bool {
			return strings.Count(d.out.String(), "config reload refused") >= i+1
		})
	}
	if strings.Contains(d.out.String(), "config reloaded") {
		t.Errorf("an empty config file was reloaded:\n%s", d.out.String())
	}
	if resp, _ := d.get(t, "/topics/quakes.atom"); resp.StatusCode != http.StatusOK {
		t.Errorf("GET /topics/quakes.atom after the refused reload = %d; want 200", resp.StatusCode)
	}
}

// TestReloadRefusedHidesCredentials checks that the refusal /healthz shows
// anyone hides the credentials of a private feed's URL that the file's
// error quotes, as the logs and the web pages do.
func TestReloadRefusedHidesCredentials(t *testing.T) {
	o := newOrigin(t)
	path := writeConfig(t, o, "")
	d := startHealthy(t, path)
	orig, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	const private = "  - url: \"https://feeds.example/private.rss?token=s3cretvalue\"\n"
	edited := strings.Replace(string(orig), "topics:\n", private+private+"topics:\n", 1)
	if err := os.WriteFile(path, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	syscall.Kill(os.Getpid(), syscall.SIGHUP)
	var body []byte
	waitFor(t, "the refused reload on /healthz", 10*time.Second, func() bool {
		_, body = d.get(t, "/healthz")
		return bytes.Contains(body, []byte("duplicate URL"))
	})
	if bytes.Contains(body, []byte("s3cretvalue")) {
		t.Errorf("GET /healthz after a refused reload = %s; want the feed's token hidden", body)
	}
}

// TestCheckWarnsShortBackoff checks a config whose poll.max_backoff is
// shorter than poll.interval, which loads: check says ok, exit 0, and warns
// on stderr, naming the file, line and key as errors do, that a failing
// source is asked again sooner than a sound one.
// One whose poll.max_backoff is below poll.min_interval, the floor of every
// wait, is refused.
func TestCheckWarnsShortBackoff(t *testing.T) {
	dir := t.TempDir()
	path := saveConfig(t, dir, "poll:\n  interval: 2h\n  max_backoff: 90m\n")
	var out, errOut bytes.Buffer
	if err := run(t.Context(), []string{"check", "-config", path}, &out, &errOut); err != nil {
		t.Fatalf("check of a config with max_backoff shorter than interval = %v; want exit 0", err)
	}
	want := path + ":3: warning: poll.max_backoff: 1h30m0s is shorter than poll.interval (2h0m0s)"
	if !strings.Contains(errOut.String(), want) || !strings.Contains(out.String(), ": ok (") {
		t.Errorf("check printed %q on stdout and %q on stderr; want ok, and %q", out.String(), errOut.String(), want)
	}

	path = saveConfig(t, dir, "poll:\n  min_interval: 2h\n  interval: 3h\n  max_backoff: 90m\n")
	err := run(t.Context(), []string{"check", "-config", path}, &out, &errOut)
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != exitUsage || !strings.Contains(err.Error(), "config.yaml:4: poll.max_backoff: 1h30m0s is below poll.min_interval (2h0m0s)") {
		t.Errorf("check of a config with max_backoff below min_interval = %v; want exit 2 naming the line and key", err)
	}
}
