package main

import (
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

// stopDaemon stops d and waits for it, leaving startDaemon's cleanup
// nothing to wait for.
func stopDaemon(t *testing.T, d *daemon) {
	t.Helper()
	d.stop()
	select {
	case err := <-d.done:
		if err != nil {
			t.Fatalf("serve returned %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop within 15s")
	}
	d.done <- nil
}

// TestLastModifiedAcrossRestart: after a restart that changed nothing, a
// feed keeps its Last-Modified and a client revalidating by date gets a
// 304; after one whose config edit changed the feed's bytes (a topic's new
// title) while no story moved, that client gets the new document.
func TestLastModifiedAcrossRestart(t *testing.T) {
	o := newOrigin(t)
	path := writeConfig(t, o, "")
	d := startDaemon(t, path)
	var lm string
	// Every source is read first: a source read later can change the feed
	// (another source of the story), and the restart would then not be
	// one that changed nothing. A feed that changed twice within a second
	// shares its date with the version before, and answers that date with
	// the whole feed, across a restart too: wait for a date of its own,
	// which a 304 shows.
	waitFor(t, "every source read", 15*time.Second, func() bool {
		return strings.Count(d.out.String(), "msg=fetched") >= 3
	})
	waitFor(t, "the quake story in /topics/quakes.atom, dated", 15*time.Second, func() bool {
		resp, body := d.get(t, "/topics/quakes.atom")
		lm = resp.Header.Get("Last-Modified")
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "Portmere") {
			return false
		}
		resp, _ = d.get(t, "/topics/quakes.atom", "If-Modified-Since", lm)
		return resp.StatusCode == http.StatusNotModified
	})
	stopDaemon(t, d)

	d = startDaemon(t, path)
	resp, _ := d.get(t, "/topics/quakes.atom", "If-Modified-Since", lm)
	if resp.StatusCode != http.StatusNotModified {
		t.Errorf("after a restart that changed nothing, GET with If-Modified-Since %s = %s (Last-Modified %s); want 304",
			lm, resp.Status, resp.Header.Get("Last-Modified"))
	}
	stopDaemon(t, d)

	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(b), `title: "Earthquakes"`, `title: "Earthquakes and tremors"`, 1)
	if err := os.WriteFile(path, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	d = startDaemon(t, path)
	resp, body := d.get(t, "/topics/quakes.atom", "If-Modified-Since", lm)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "Earthquakes and tremors") {
		t.Fatalf("after a restart that retitled the topic, GET with If-Modified-Since %s = %s (Last-Modified %s, now %s); want 200 with the new title", lm, resp.Status, resp.Header.Get("Last-Modified"), time.Now().UTC())
	}
	was, _ := http.ParseTime(lm)
	if now, err := http.ParseTime(resp.Header.Get("Last-Modified")); err != nil || now.Before(was) {
		t.Errorf("Last-Modified after the edit = %q; want one no earlier than %s", resp.Header.Get("Last-Modified"), lm)
	}
}
