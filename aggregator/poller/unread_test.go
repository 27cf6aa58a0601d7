package poller

import (
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/topic"
	"github.com/tributary-feeds/tributary/store"
)

// TestUnreadStateNamesTheSource polls sources whose state the store cannot
// read (here a store closed under it, as a damaged one fails): each
// outcome, a line of `tributary poll`, still names its source, by its
// configured name or its URL, where the line began with blanks.
func TestUnreadStateNamesTheSource(t *testing.T) {
	cfg, err := aggregator.Load(strings.NewReader("poll:\n  allow_private: true\nsources:\n  - url: \"http://127.0.0.1:9/a.rss\"\n    name: \"Alpha\"\n  - url: \"http://127.0.0.1:9/b.rss\"\n"), "test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tags, err := topic.Compile(cfg.Topics, cfg.Sources)
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(filepath.Join(t.TempDir(), "tributary.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := New(cfg, tags, db, Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"Alpha", "127.0.0.1:9"} {
		o := p.pollSource(t.Context(), p.pl, cfg.Sources[i], func() {})
		if o.Err == nil {
			t.Fatalf("poll of %s on a closed store: no error", cfg.Sources[i].URL)
		}
		if !strings.HasPrefix(o.Name, want) {
			t.Errorf("poll of %s on a closed store named %q (%v); want it named %q", cfg.Sources[i].URL, o.Name, o.Err, want)
		}
	}
}
