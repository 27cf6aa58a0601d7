package main

import (
	"bytes"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestHealthWhileATopicFails serves a store whose stories a damaged page
// makes unreadable: the feed of the topic all fails with a 500, and
// /healthz then says so with a 503 naming the topic, where it answered 200
// while no reader could read the feed.
func TestHealthWhileATopicFails(t *testing.T) {
	o := newOrigin(t)
	path := writeConfig(t, o, "")
	var out, errOut bytes.Buffer
	if err := run(t.Context(), []string{"poll", "-config", path}, &out, &errOut); err != nil {
		t.Fatalf("first poll: %v\n%s%s", err, out.String(), errOut.String())
	}
	damageStories(t, filepath.Join(filepath.Dir(path), "data", "tributary.db"))
	d := startDaemon(t, path)
	if resp, body := d.get(t, "/topics/all.atom"); resp.StatusCode != http.StatusInternalServerError {
		t.Fatalf("GET /topics/all.atom from a damaged store = %d %s; want 500", resp.StatusCode, body)
	}
	// Until its scheduler has started, the daemon's health names that
	// first: wait for the answer to name the topic.
	var (
		resp *http.Response
		body []byte
	)
	waitFor(t, "/healthz to name the topic that cannot be read", 30*time.Second, func() bool {
		resp, body = d.get(t, "/healthz")
		return !strings.Contains(string(body), "scheduler not started")
	})
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(body), "(topics all)") ||
		!strings.Contains(string(body), "damaged store") {
		t.Errorf("GET /healthz while the topic all cannot be read = %d %s; want 503 naming the topic and the damage", resp.StatusCode, body)
	}
}
