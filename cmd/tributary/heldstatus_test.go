package main

import (
	"bytes"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tributary-feeds/tributary/aggregator/feedtest"
)

// TestStatusWithoutDaemonShowsHeldHost polls, with the daemon stopped,
// six sources of one host that answers each 503 with an hour's
// Retry-After: once two are answered the host is held and the poll skips
// the rest. status, run with no daemon, shows each source never fetched
// waiting until the hold is over, for the host's answer, as the daemon's
// status does, where it read "never fetched" with no due time: the holds
// lived in the daemon's memory, and status reads them again from the waits
// the store records.
func TestStatusWithoutDaemonShowsHeldHost(t *testing.T) {
	dir, yml := busyHost(t, 6, "", "  per_host: 1\n")
	path := saveConfig(t, dir, yml)
	var out, errOut bytes.Buffer
	run(t.Context(), []string{"poll", "-config", path}, &out, &errOut) // no source is read: what matters is what it stored
	out.Reset()
	errOut.Reset()
	if err := run(t.Context(), []string{"status", "-config", path}, &out, &errOut); err != nil {
		t.Fatalf("status: %v\n%s", err, errOut.String())
	}
	waiting := 0
	for l := range strings.Lines(out.String()) {
		if !strings.HasPrefix(l, "Busy") {
			continue
		}
		if f := strings.Fields(l); len(f) > 3 && f[2] == "-" {
			if !strings.Contains(l, "waiting until") || !strings.Contains(l, "held: rate_limited: http 503 service unavailable") {
				t.Errorf("status line of a source never fetched on the held host:\n%s\nwant it waiting until the hold is over, for the host's 503", l)
			}
			waiting++
		}
	}
	if waiting == 0 {
		t.Fatalf("no source left unfetched once the host was held:\n%s", out.String())
	}
}

// TestStatusOfAFailingSourceOnAHeldHost polls, with the daemon stopped,
// three sources of one host: an HTML page with no feed, then two feeds
// the host answers 429 with an hour's Retry-After, which hold it. The page
// failed on its own, and its backoff is shorter than the hold: status
// says both that it waits for the host and why it fails, where it read
// "backing off until" the end of the hold, as if its own error asked for
// it.
func TestStatusOfAFailingSourceOnAHeldHost(t *testing.T) {
	o := feedtest.NewOrigin(t)
	o.Handle("/page.html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, "<!doctype html><html><head><title>Harbour office</title></head><body><p>Opening hours.</p></body></html>")
	})
	for i := range 2 {
		o.Handle(fmt.Sprintf("/limited/%d.rss", i), func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "3600")
			http.Error(w, "Too many requests", http.StatusTooManyRequests)
		})
	}
	dir := t.TempDir()
	yml := fmt.Sprintf("storage:\n  path: %q\npoll:\n  interval: 30m\n  per_host: 1\n  allow_private: true\nsources:\n"+
		"  - url: %q\n    name: \"Page\"\n  - url: %q\n    name: \"Limited 0\"\n  - url: %q\n    name: \"Limited 1\"\n",
		filepath.Join(dir, "data", "tributary.db"), o.URL("/page.html"), o.URL("/limited/0.rss"), o.URL("/limited/1.rss"))
	path := saveConfig(t, dir, yml)
	var out, errOut bytes.Buffer
	run(t.Context(), []string{"poll", "-config", path}, &out, &errOut) // every source fails: what matters is what it stored
	out.Reset()
	errOut.Reset()
	if err := run(t.Context(), []string{"status", "-config", path}, &out, &errOut); err != nil {
		t.Fatalf("status: %v\n%s", err, errOut.String())
	}
	var page string
	for l := range strings.Lines(out.String()) {
		if strings.HasPrefix(l, "Page") {
			page = l
		}
	}
	if !strings.Contains(page, "waiting until") || !strings.Contains(page, "held: rate_limited: http 429") ||
		!strings.Contains(page, "failing since") || strings.Contains(page, "backing off until") {
		t.Errorf("status line of the page that failed on its own on the held host:\n%s\nwant it waiting for the host's hold, and failing on its own\n%s", page, out.String())
	}
}
