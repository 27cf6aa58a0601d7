package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"log"
	"log/slog"
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
)

// TestLogDurations checks that both log formats write a duration as text
// ("1.5s"), as the README's log lines show it, rather than JSON's count of
// nanoseconds.
func TestLogDurations(t *testing.T) {
	var text, js bytes.Buffer
	lt, _ := newLogger(aggregator.LogConfig{Level: "info", Format: "text"}, &text)
	lj, _ := newLogger(aggregator.LogConfig{Level: "info", Format: "json"}, &js)
	lt.Info("fetched", "duration", 1500*time.Millisecond)
	lj.Info("fetched", "duration", 1500*time.Millisecond, "items", 3)
	if !bytes.Contains(text.Bytes(), []byte("duration=1.5s")) {
		t.Errorf("text log %q; want duration=1.5s", text.String())
	}
	var line map[string]any
	if err := json.Unmarshal(js.Bytes(), &line); err != nil {
		t.Fatalf("JSON log %q: %v", js.String(), err)
	}
	if line["duration"] != "1.5s" || line["items"] != float64(3) {
		t.Errorf("JSON log %q; want duration \"1.5s\" and items 3", js.String())
	}
}

// TestLogRedactsPasswords checks that a source URL's password never reaches
// the log, in either format.
func TestLogRedactsPasswords(t *testing.T) {
	for _, format := range []string{"text", "json"} {
		var b bytes.Buffer
		l, _ := newLogger(aggregator.LogConfig{Level: "info", Format: format}, &b)
		l.Warn("fetch failed", "feed_url", "https://reader:hunter2@feeds.example/private.rss", "source", "s1")
		if bytes.Contains(b.Bytes(), []byte("hunter2")) || !bytes.Contains(b.Bytes(), []byte("reader:xxxxx@feeds.example")) {
			t.Errorf("%s log %q; want the password written as xxxxx", format, b.String())
		}
	}
}

// TestLogRedactsQueryCredentials checks that the credential a source URL's
// query carries (?token=, ?apikey=) never reaches the log, whether logged as
// a URL or quoted by an error, and that the other parameters stay.
func TestLogRedactsQueryCredentials(t *testing.T) {
	for _, format := range []string{"text", "json"} {
		var b bytes.Buffer
		l, _ := newLogger(aggregator.LogConfig{Level: "info", Format: format}, &b)
		l.Warn("fetch failed", "feed_url", "https://feeds.example/private.rss?token=S3CR3T&format=rss", "source", "s1",
			"err", errors.New("parsing https://feeds.example/private.rss?apikey=S3CR3T: not a feed"))
		l.Error("storing feed", "err", "requesting https://feeds.example/?access_token=S3CR3T: refused")
		for _, want := range []string{"private.rss?token=xxxxx&format=rss", "private.rss?apikey=xxxxx: not a feed", "?access_token=xxxxx: refused"} {
			if bytes.Contains(b.Bytes(), []byte("S3CR3T")) || !bytes.Contains(b.Bytes(), []byte(want)) {
				t.Errorf("%s log %q; want %q and no credential", format, b.String(), want)
			}
		}
	}
}

// TestLogStandardLibrary checks that what the standard library logs of
// its own, such as net/http's client on an answer no request asked for,
// comes out as a JSON line when the log is JSON, not as a plain line.
func TestLogStandardLibrary(t *testing.T) {
	out, flags, def := log.Writer(), log.Flags(), slog.Default()
	t.Cleanup(func() {
		slog.SetDefault(def)
		log.SetOutput(out)
		log.SetFlags(flags)
	})
	var js bytes.Buffer
	newLogger(aggregator.LogConfig{Level: "info", Format: "json"}, &js)
	log.Printf("Unsolicited response received on idle HTTP channel starting with %q; err=%v", "HTTP/1.1 200 OK\r\n", nil)
	var line map[string]any
	if err := json.Unmarshal(js.Bytes(), &line); err != nil {
		t.Fatalf("the standard library's log line %q: %v; want one JSON object", js.String(), err)
	}
	if msg, _ := line["msg"].(string); !bytes.Contains([]byte(msg), []byte("Unsolicited response")) {
		t.Errorf("JSON log %q; want the standard library's message as msg", js.String())
	}
}
