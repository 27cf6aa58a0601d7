package poller_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/feedtest"
	"github.com/tributary-feeds/tributary/aggregator/ops"
	"github.com/tributary-feeds/tributary/aggregator/publish"
	"github.com/tributary-feeds/tributary/aggregator/topic"
)

// TestMovedOntoAnotherSource moves a source, by a permanent redirect, to
// the URL another configured source is read at: two configured sources
// are never made one, so both read the feed, and status says on the moved
// one's line that the other is read there too, as the front page does, so
// that the operator drops one from the config.
func TestMovedOntoAnotherSource(t *testing.T) {
	now := time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC)
	clk := feedtest.NewClock(now)
	o := feedtest.NewOrigin(t)
	o.Feed("/desk.rss", "application/rss+xml", []byte(rssDoc(rssItem("Harbour wall repaired", "https://desk.example/wall",
		"https://desk.example/wall", "Mon, 02 Nov 2026 09:00:00 GMT", "The harbour wall stands again after the storm."))))
	o.Feed("/wire.rss", "application/rss+xml", []byte(rssDoc(rssItem("Kelso ferry runs again", "https://wire.example/ferry",
		"https://wire.example/ferry", "Mon, 02 Nov 2026 10:00:00 GMT", "The ferry to Kelso island runs again after repairs."))))
	yaml := fmt.Sprintf("poll:\n  allow_private: true\n  timeout: 500ms\nstorage:\n  retention: 0\nsources:\n"+
		"  - url: %q\n    name: Harbour Desk\n  - url: %q\n    name: Harbour Wire\n", o.URL("/desk.rss"), o.URL("/wire.rss"))
	cfg, err := aggregator.Load(strings.NewReader(yaml), "test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	db := mustOpen(t)
	p := newPoller(t, cfg, db, clk.Now)
	p.PollAll(t.Context(), nil)
	o.Redirect("/desk.rss", o.URL("/wire.rss"), http.StatusMovedPermanently)
	clk.Add(time.Hour)
	p.PollAll(t.Context(), nil)

	rows, err := ops.Status(t.Context(), cfg, db)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := ops.WriteStatus(&out, rows, clk.Now()); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(out.String(), "\n")
	if len(lines) < 3 {
		t.Fatalf("status:\n%s\nwant a line for each source", out.String())
	}
	desk, wire := lines[1], lines[2]
	if want := fmt.Sprintf(`ok (moved to %s; source "Harbour Wire" is read there too)`, o.URL("/wire.rss")); !strings.HasPrefix(desk, "Harbour Desk") || !strings.HasSuffix(desk, want) {
		t.Errorf("status line of the moved source:\n%s\nwant it to end %s", desk, want)
	}
	if !strings.HasPrefix(wire, "Harbour Wire") || strings.Contains(wire, "read there too") {
		t.Errorf("status line of the source at the URL:\n%s\nwant its own state alone", wire)
	}

	// The front page says so too, on the moved source's row alone.
	tags, err := topic.Compile(cfg.Topics, cfg.Sources)
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	publish.New(cfg, db, tags.Topics(), nil, quiet).Handler(nil).ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if n := strings.Count(rec.Body.String(), "(moved to where Harbour Wire is read too)"); rec.Code != http.StatusOK || n != 1 {
		t.Errorf("GET / = %d, saying %d times that a source moved to where Harbour Wire is read; want 200, once", rec.Code, n)
	}
}
