package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/tributary-feeds/tributary/aggregator/feedtest"
)

// daemon is a `tributary serve` running in the test process.
type daemon struct {
	addr string
	done chan error
	stop context.CancelFunc
	out  *syncBuffer
}

// syncBuffer is a bytes.Buffer safe for the daemon's logger and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var listenMu sync.Mutex // serialises use of the listening hook

// startDaemon runs `tributary serve -config path` until the test ends.
func startDaemon(t *testing.T, path string) *daemon {
	t.Helper()
	listenMu.Lock()
	addrc := make(chan string, 1)
	listening = func(a string) { addrc <- a }
	ctx, cancel := context.WithCancel(context.Background())
	d := &daemon{done: make(chan error, 1), stop: cancel, out: &syncBuffer{}}
	go func() { d.done <- run(ctx, []string{"serve", "-config", path}, d.out, d.out) }()
	select {
	case d.addr = <-addrc:
	case err := <-d.done:
		listenMu.Unlock()
		t.Fatalf("serve exited early: %v\n%s", err, d.out.String())
	case <-time.After(10 * time.Second):
		listenMu.Unlock()
		t.Fatalf("serve did not listen within 10s\n%s", d.out.String())
	}
	listening = nil
	listenMu.Unlock()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-d.done:
			if err != nil {
				t.Errorf("serve returned %v", err)
			}
		case <-time.After(15 * time.Second):
			t.Errorf("serve did not stop within 15s")
		}
		if t.Failed() {
			t.Logf("daemon log:\n%s", d.out.String())
		}
	})
	return d
}

func (d *daemon) get(t *testing.T, path string, header ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, "http://"+d.addr+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: reading body: %v", path, err)
	}
	return resp, body
}

// waitFor polls cond every 50ms until it holds or the deadline passes.
func waitFor(t *testing.T, what string, limit time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", limit, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "e2e", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// writeConfig writes a config for three sources on origin into a temp dir.
func writeConfig(t *testing.T, o *feedtest.Origin, extra string) string {
	t.Helper()
	dir := t.TempDir()
	cfg := fmt.Sprintf(`server:
  listen: "127.0.0.1:0"
  base_url: "http://feeds.test"
storage:
  path: %q
  retention: 0 # the fixtures' dates must never age out of the store
poll:
  interval: 2s
  min_interval: 1s
  timeout: 1s
  allow_private: true
log:
  level: debug
sources:
  - url: %q
    name: "Harbour Wire"
  - url: %q
    name: "The Daily Ledger"
  - url: %q
    name: "Morning Digest"
topics:
  - id: quakes
    title: "Earthquakes"
    match:
      any: ["earthquake", "quake"]
  - id: ledger
    title: "From the Ledger"
    sources: ["The Daily Ledger"]
%s`, filepath.Join(dir, "data", "tributary.db"), o.URL("/wire.rss"), o.URL("/daily.atom"), o.URL("/digest.json"), extra)
	path := saveConfig(t, dir, cfg)
	return path
}

// saveConfig writes text as dir's config.yaml and returns its path.
func saveConfig(t *testing.T, dir, text string) string {
	t.Helper()
	path := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func newOrigin(t *testing.T) *feedtest.Origin {
	o := feedtest.NewOrigin(t)
	o.Feed("/wire.rss", "application/rss+xml; charset=utf-8", readFixture(t, "wire.rss"))
	o.Feed("/daily.atom", "application/atom+xml", readFixture(t, "daily.atom"))
	o.Feed("/digest.json", "application/feed+json", readFixture(t, "digest.json"))
	return o
}

// TestEndToEnd polls three sources (RSS 2.0, Atom, JSON Feed) in which one
// story appears twice under different tracking parameters, then reads every
// topic in every format back over HTTP.
func TestEndToEnd(t *testing.T) {
	o := newOrigin(t)
	d := startDaemon(t, writeConfig(t, o, ""))
	parser := gofeed.NewParser()

	var all *gofeed.Feed
	waitFor(t, "five stories in /topics/all.json", 15*time.Second, func() bool {
		resp, body := d.get(t, "/topics/all.json")
		if resp.StatusCode != http.StatusOK {
			return false
		}
		f, err := parser.ParseString(string(body))
		if err != nil {
			t.Fatalf("parsing /topics/all.json: %v\n%s", err, body)
		}
		all = f
		return len(f.Items) >= 5
	})
	if len(all.Items) != 5 {
		t.Fatalf("/topics/all.json has %d entries; want 5 (one per story)", len(all.Items))
	}

	wantTopics := map[string][]string{
		"all":    {"City council approves new tram line through the river district", "Magnitude 6.8 earthquake shakes the coastal city of Portmere", "Lumen Systems unveils a chip that runs language models on a phone", "Museum returns bronze statues after forty years", "Drought forces rationing in three northern provinces"},
		"quakes": {"Magnitude 6.8 earthquake shakes the coastal city of Portmere"},
		"ledger": {"City council approves new tram line through the river district", "Drought forces rationing in three northern provinces"},
	}
	ids := map[string]string{} // title -> entry id, equal across formats
	for topic, want := range wantTopics {
		for _, format := range []string{"rss", "atom", "json"} {
			path := "/topics/" + topic + "." + format
			resp, body := d.get(t, path)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("GET %s = %s", path, resp.Status)
			}
			if ct := resp.Header.Get("Content-Type"); !strings.Contains(ct, "charset=utf-8") {
				t.Errorf("GET %s Content-Type = %q; want a charset", path, ct)
			}
			f, err := parser.ParseString(string(body))
			if err != nil {
				t.Fatalf("parsing %s: %v", path, err)
			}
			var got []string
			for _, it := range f.Items {
				got = append(got, it.Title)
				id := it.GUID
				if id == "" {
					t.Errorf("%s: entry %q has no id", path, it.Title)
				}
				if prev, ok := ids[it.Title]; ok && prev != id {
					t.Errorf("%s: entry %q has id %q; other formats gave %q", path, it.Title, id, prev)
				}
				ids[it.Title] = id
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s titles = %q; want %q (newest first)", path, got, want)
			}
			if topic == "quakes" && len(f.Items) == 1 {
				body := f.Items[0].Content + f.Items[0].Description
				if !strings.Contains(body, "Morning Digest") {
					t.Errorf("%s: the quake entry does not list the other source, Morning Digest:\n%s", path, body)
				}
			}
		}
	}

	// A conditional request for unchanged bytes costs a 304.
	resp, _ := d.get(t, "/topics/all.atom")
	etag := resp.Header.Get("ETag")
	if etag == "" || resp.Header.Get("Last-Modified") == "" {
		t.Fatalf("/topics/all.atom: ETag %q, Last-Modified %q; want both", etag, resp.Header.Get("Last-Modified"))
	}
	resp, body := d.get(t, "/topics/all.atom", "If-None-Match", etag)
	if resp.StatusCode != http.StatusNotModified || len(body) != 0 {
		t.Errorf("conditional GET /topics/all.atom = %s with %d bytes; want 304 and no body", resp.Status, len(body))
	}

	// The second poll of each source is conditional.
	for _, path := range []string{"/wire.rss", "/daily.atom", "/digest.json"} {
		waitFor(t, "a second poll of "+path, 10*time.Second, func() bool { return len(o.RequestsTo(path)) >= 2 })
		second := o.RequestsTo(path)[1]
		if second.Header.Get("If-None-Match") == "" && second.Header.Get("If-Modified-Since") == "" {
			t.Errorf("second request to %s had no conditional header: %v", path, second.Header)
		}
	}

	// Unknown topics are 404; the index page, OPML and health answer.
	if resp, _ := d.get(t, "/topics/nope.atom"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET /topics/nope.atom = %s; want 404", resp.Status)
	}
	for _, path := range []string{"/", "/opml", "/healthz", "/metrics"} {
		if resp, _ := d.get(t, path); resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s = %s; want 200", path, resp.Status)
		}
	}
	// The store's metrics count the commits that stored the three feeds.
	_, metrics := d.get(t, "/metrics")
	for _, name := range []string{"tributary_store_commits_total", "tributary_store_written_bytes_total"} {
		var v float64
		if m := regexp.MustCompile(`(?m)^` + name + ` (\S+)$`).FindSubmatch(metrics); m != nil {
			v, _ = strconv.ParseFloat(string(m[1]), 64)
		}
		if v <= 0 {
			t.Errorf("/metrics: %s = %v; want a positive count", name, v)
		}
	}
}
